"""Back / forward through the places a reader has visited, as a browser does.

Each entry is a :class:`~handbook.core.reading.place.Place`: the text the reader left at the top
of the
page, so going back returns to the very line they were reading, whatever the zoom or the width
of the window since, not only to the heading they had clicked.
"""

from __future__ import annotations

from handbook.core.reading.place import Place

HistoryEntry = Place  # an entry is a place (section id, offset, quote)


class History:
    """A list of visited entries with a cursor; visiting drops whatever lay ahead of it."""

    def __init__(self, limit: int = 200) -> None:
        self._entries: list[Place] = []
        self._index = -1
        self._limit = max(2, limit)

    @property
    def current(self) -> Place | None:
        return self._entries[self._index] if self._entries else None

    def can_go_back(self) -> bool:
        return self._index > 0

    def can_go_forward(self) -> bool:
        return 0 <= self._index < len(self._entries) - 1

    def visit(self, entry: Place, leaving: Place | None = None) -> None:
        """Record a move to ``entry``; ``leaving`` is where the reader was when they moved."""
        if leaving is not None and self._entries:
            self._entries[self._index] = leaving
        current = self.current
        at_heading = entry == Place(entry.section)
        if current and current.section == entry.section and (at_heading or entry == current):
            return  # clicking the section one is already at adds no step
        del self._entries[self._index + 1 :]
        self._entries.append(entry)
        if len(self._entries) > self._limit:
            del self._entries[0]
        self._index = len(self._entries) - 1

    def back(self, leaving: Place | None = None) -> Place | None:
        """The previous entry (None at the start); ``leaving`` replaces the current one."""
        return self._step(-1, leaving) if self.can_go_back() else None

    def forward(self, leaving: Place | None = None) -> Place | None:
        return self._step(+1, leaving) if self.can_go_forward() else None

    def clear(self) -> None:
        self._entries.clear()
        self._index = -1

    def _step(self, delta: int, leaving: Place | None) -> Place:
        if leaving is not None:
            self._entries[self._index] = leaving
        self._index += delta
        return self._entries[self._index]
