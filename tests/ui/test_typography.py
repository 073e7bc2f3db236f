"""Reading typography: a centred column of about 80 characters (wide on request, remembered),
and a missing image standing as its alt text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.app.settings import WIDE_PAGE
from handbook.ui.window.main_window import MainWindow
from handbook.ui.window.panels import PAGE_MARGIN
from tests.conftest import write_book

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

PARAGRAPH = " ".join(["Some words to read, one line after another, as a reader would."] * 12)


@pytest.fixture
def book(tmp_path: Path) -> Book:
    chapter = f"# Reading\n\n{PARAGRAPH}\n\n![A diagram of the stack](img/missing.png)\n"
    return load_book(write_book(tmp_path / "book", "# Summary\n\n- [R](r.md)\n", {"r.md": chapter}))


def open_window(qtbot: QtBot, book: Book, width: int) -> MainWindow:
    window = MainWindow(book)
    qtbot.addWidget(window)
    window.resize(width, 700)
    window.show()
    qtbot.waitExposed(window)
    window.open_first_chapter()
    return window


def line_lengths(window: MainWindow) -> list[int]:
    """Characters on each line of the long paragraph, as laid out on the page."""
    document = window.viewer.document()
    document.documentLayout().documentSize()  # laid out now
    block = document.findBlock(document.find("Some words").position())
    layout = block.layout()
    return [layout.lineAt(i).textLength() for i in range(layout.lineCount())]


def test_text_is_a_centred_column_of_about_80_characters(qtbot: QtBot, book: Book) -> None:
    window = open_window(qtbot, book, 1600)
    longest = max(line_lengths(window))
    assert 65 <= longest <= 95, longest
    frame = window.viewer.document().rootFrame().frameFormat()
    assert frame.leftMargin() == pytest.approx(frame.rightMargin())
    assert frame.leftMargin() > PAGE_MARGIN


def test_a_narrow_window_keeps_its_margins(qtbot: QtBot, book: Book) -> None:
    window = open_window(qtbot, book, 600)
    frame = window.viewer.document().rootFrame().frameFormat()
    assert frame.leftMargin() == frame.rightMargin() == PAGE_MARGIN
    assert max(line_lengths(window)) < 65


def test_wide_page_fills_the_window_and_is_remembered(qtbot: QtBot, book: Book) -> None:
    window = open_window(qtbot, book, 1600)
    assert not window.action_set.wide_page.isChecked()
    window.action_set.wide_page.trigger()
    assert max(line_lengths(window)) > 110
    assert window.settings.get(WIDE_PAGE) is True
    window.close()

    again = open_window(qtbot, book, 1600)
    assert again.action_set.wide_page.isChecked()
    assert max(line_lengths(again)) > 110
    again.action_set.wide_page.trigger()
    assert max(line_lengths(again)) <= 95


def test_a_missing_image_shows_its_alt_text(qtbot: QtBot, book: Book) -> None:
    window = open_window(qtbot, book, 1000)
    url = QUrl.fromLocalFile(str(book.src / "img" / "missing.png"))
    shown = window.viewer.document().resource(QTextDocument.ResourceType.ImageResource, url)
    assert isinstance(shown, QImage)
    metrics_width = window.viewer.fontMetrics().horizontalAdvance("A diagram of the stack")
    assert shown.width() / shown.devicePixelRatio() > metrics_width  # the words, in a frame
