"""The window's way through the book: Back and Forward (the history of sections read), the
previous and next chapter, and the actions that say which of them can go anywhere.

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from handbook.core.reading.history import History
from handbook.core.reading.place import Place

if TYPE_CHECKING:
    from handbook.ui.window.main_window import MainWindow


class NavigationHandlers(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.history = History()

    def here(self) -> Place | None:
        """Where the reader is: the text at the top of the page."""
        viewer = self._window.viewer
        if viewer.current_chapter() is None:
            return None
        return viewer.place()

    @Slot()
    def go_back(self) -> None:
        entry = self.history.back(self.here())
        if entry is not None:
            self._window.show_place(entry)
        self.update_actions()

    @Slot()
    def go_forward(self) -> None:
        entry = self.history.forward(self.here())
        if entry is not None:
            self._window.show_place(entry)
        self.update_actions()

    @Slot()
    def previous_chapter(self) -> None:
        self._open_neighbour(-1)

    @Slot()
    def next_chapter(self) -> None:
        self._open_neighbour(+1)

    def neighbour(self, step: int) -> str | None:
        """The chapter ``step`` chapters away from the one shown, if there is one."""
        paths = [c.path for c in self._window.book().chapters()]
        current = self._window.viewer.current_chapter()
        if current not in paths:
            return None
        at = paths.index(current) + step
        return paths[at] if 0 <= at < len(paths) else None

    def _open_neighbour(self, step: int) -> None:
        target = self.neighbour(step)
        if target is not None:
            self._window.open_section(target)

    def update_actions(self) -> None:
        a = self._window.action_set
        a.back.setEnabled(self.history.can_go_back())
        a.forward.setEnabled(self.history.can_go_forward())
        a.previous_chapter.setEnabled(self.neighbour(-1) is not None)
        a.next_chapter.setEnabled(self.neighbour(+1) is not None)
        self._window.bookmark_handlers.update_star()
