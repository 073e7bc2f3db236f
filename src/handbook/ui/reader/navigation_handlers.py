"""The window's way through the active tab's book: Back and Forward (the tab's history), the
previous and next chapter, and the actions that say which of them can go anywhere.

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:
    from handbook.ui.reader.tab import CurrentReader
    from handbook.ui.window.actions import Actions


class NavigationHandlers(QObject):
    actions_updated = Signal()  # Back, Forward, the chapter actions follow the active tab

    def __init__(
        self, current: CurrentReader, actions: Actions, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._current = current
        self._actions = actions

    @Slot()
    def go_back(self) -> None:
        self._current().go_back()

    @Slot()
    def go_forward(self) -> None:
        self._current().go_forward()

    @Slot()
    def previous_chapter(self) -> None:
        self._current().open_neighbour(-1)

    @Slot()
    def next_chapter(self) -> None:
        self._current().open_neighbour(+1)

    def neighbour(self, step: int) -> str | None:
        """The chapter ``step`` chapters away from the one shown, if there is one."""
        return self._current().neighbour(step)

    @Slot()
    def update_actions(self) -> None:
        reader, a = self._current(), self._actions
        a.back.setEnabled(reader.history.can_go_back())
        a.forward.setEnabled(reader.history.can_go_forward())
        a.previous_chapter.setEnabled(reader.neighbour(-1) is not None)
        a.next_chapter.setEnabled(reader.neighbour(+1) is not None)
        self.actions_updated.emit()
