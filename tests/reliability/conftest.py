"""Fixtures for the reliability tests: the real main window on a book."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from handbook.core.book.model import Book


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[[Book], object]:
    """The real MainWindow on ``book``, shown offscreen, with external links recorded only."""
    from handbook.ui.window.main_window import MainWindow

    def make(book: Book) -> MainWindow:
        opened: list[str] = []
        window = MainWindow(book, open_external=lambda url: opened.append(url.toString()))
        window.opened_externally = opened  # type: ignore[attr-defined]
        qtbot.addWidget(window)
        window.resize(900, 600)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make
