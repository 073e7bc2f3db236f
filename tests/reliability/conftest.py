"""Fixtures for the reliability tests: the real main window on a book, PySide's lost references."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from handbook.core.model import Book
from handbook.ui.signals import give_back_true


@pytest.fixture(autouse=True)
def _true_refs_kept() -> Iterator[None]:
    """pytest-qt's wait_signal and test emits lose references to True under PySide 6.12
    (see handbook/ui/signals.py); give them back, or the interpreter aborts at exit."""
    before = sys.getrefcount(True)
    yield
    give_back_true(max(0, before - sys.getrefcount(True)))


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[[Book], object]:
    """The real MainWindow on ``book``, shown offscreen, with external links recorded only."""
    from handbook.ui.main_window import MainWindow

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
