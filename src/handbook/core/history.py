"""Back / forward through the sections a reader has visited, as a browser does.

Each entry is a section id and the scroll position the reader left it at, so going back
returns to the very line they were reading, not only to the heading they had clicked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HistoryEntry:
    section: str  # a section id: ``chapter-path`` or ``chapter-path#anchor``
    scroll: int | None = None  # the viewer's scroll position; None: at the section's heading


class History:
    """A list of visited entries with a cursor; visiting drops whatever lay ahead of it."""

    def __init__(self, limit: int = 200) -> None:
        self._entries: list[HistoryEntry] = []
        self._index = -1
        self._limit = max(2, limit)

    @property
    def current(self) -> HistoryEntry | None:
        return self._entries[self._index] if self._entries else None

    def can_go_back(self) -> bool:
        return self._index > 0

    def can_go_forward(self) -> bool:
        return 0 <= self._index < len(self._entries) - 1

    def visit(self, entry: HistoryEntry, leaving: HistoryEntry | None = None) -> None:
        """Record a move to ``entry``; ``leaving`` is where the reader was when they moved."""
        if leaving is not None and self._entries:
            self._entries[self._index] = leaving
        current = self.current
        if current and current.section == entry.section and entry.scroll in (None, current.scroll):
            return  # clicking the section one is already at adds no step
        del self._entries[self._index + 1 :]
        self._entries.append(entry)
        if len(self._entries) > self._limit:
            del self._entries[0]
        self._index = len(self._entries) - 1

    def back(self, leaving: HistoryEntry | None = None) -> HistoryEntry | None:
        """The previous entry (None at the start); ``leaving`` replaces the current one."""
        return self._step(-1, leaving) if self.can_go_back() else None

    def forward(self, leaving: HistoryEntry | None = None) -> HistoryEntry | None:
        return self._step(+1, leaving) if self.can_go_forward() else None

    def clear(self) -> None:
        self._entries.clear()
        self._index = -1

    def _step(self, delta: int, leaving: HistoryEntry | None) -> HistoryEntry:
        if leaving is not None:
            self._entries[self._index] = leaving
        self._index += delta
        return self._entries[self._index]
