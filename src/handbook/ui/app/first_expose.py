"""A call back once a window is first exposed (drawn on screen)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QWidget


class FirstExpose(QObject):
    """Calls back once, when its window is first exposed (drawn on screen)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.callbacks: list[Callable[[], object]] = []
        window.winId()  # the native window exists from now on: its Expose event is the one
        handle = window.windowHandle()
        assert handle is not None
        handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        exposed = isinstance(watched, QWindow) and watched.isExposed()
        if event.type() == QEvent.Type.Expose and exposed:
            watched.removeEventFilter(self)
            for callback in self.callbacks:
                callback()
        return False
