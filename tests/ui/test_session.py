"""The session: the tabs, their places and the one shown come back at the next start (after a
close, and after a kill), each tab rendered only when first shown; a tab whose book has gone
says so in its page."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.app.services import Services
from handbook.ui.app.settings import LAST_BOOK
from handbook.ui.window.main_window import MainWindow
from tests.conftest import REPO, child_env, write_book
from tests.helpers.page_top import text_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

MakeServices = Callable[[], Services]
OPENER = REPO / "tests" / "helpers" / "tab_opener.py"

FILLER = "\n\n".join(["Some words to read, line after line, to make the page long."] * 30)

SUMMARY = """# Summary

- [Welcome](welcome.md)
- [Basics](basics.md)
"""

CHAPTERS = {
    "welcome.md": f"# Welcome\n\n{FILLER}\n",
    "basics.md": f"# Basics\n\n{FILLER}\n\n## Middle of basics\n\n{FILLER}\n",
}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


def start(qtbot: QtBot, services: Services, book: Book | None = None) -> MainWindow:
    """The window as start-up makes it: on the last book shown (else ``book``), the session's
    tabs around it, at its place."""
    last = services.settings.get(LAST_BOOK)
    window = MainWindow(load_book(Path(last)) if last else book, services=services)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    place = window.restore_session()
    if not (place and window.open_place(place)):
        window.restore_place()
    return window


def scroll_to(window: MainWindow, text: str) -> None:
    document = window.viewer.document()
    block = document.find(text).block()
    top = round(document.documentLayout().blockBoundingRect(block).top())
    window.viewer.verticalScrollBar().setValue(top)


def test_the_tabs_come_back_after_a_close_each_at_its_place(
    qtbot: QtBot, make_services: MakeServices, book: Book, other_book: Book
) -> None:
    first = start(qtbot, make_services(), book)
    first.open_section("basics.md")
    scroll_to(first, "Middle of basics")
    qtbot.waitUntil(lambda: text_at_top(first.viewer).startswith("Middle of basics"))
    first.open_book_at(other_book.location(), new_tab=True)
    first.open_section("lighthouse.md")
    first.close()

    window = start(qtbot, make_services())

    assert window.tabs.count() == 2 and window.tabs.currentIndex() == 1
    assert "A light on the rocks." in window.viewer.toPlainText()
    assert len(window.readers()) == 1  # the other tab is not made (nor its book read) yet
    assert window.tabs.tabToolTip(0).startswith("Basics")
    window.step_tab(+1)
    assert len(window.readers()) == 2
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))
    assert [r.book().title for r in window.readers()] == [book.title, other_book.title]


def test_two_tabs_on_one_book_come_back_at_their_own_places(
    qtbot: QtBot, make_services: MakeServices, book: Book
) -> None:
    first = start(qtbot, make_services(), book)
    first.open_section("basics.md")
    scroll_to(first, "Middle of basics")
    qtbot.waitUntil(lambda: text_at_top(first.viewer).startswith("Middle of basics"))
    first.open_section_in_new_tab("welcome.md")
    first.step_tab(-1)  # the first tab shown last: the book's last place may be the other's
    first.close()

    window = start(qtbot, make_services())

    assert window.tabs.count() == 2 and window.tabs.currentIndex() == 0
    assert text_at_top(window.viewer).startswith("Middle of basics")
    window.step_tab(+1)
    assert text_at_top(window.viewer).startswith("Welcome")
    assert window.readers()[0].book() is window.readers()[1].book()


def test_ten_tabs_start_with_one_page_rendered(
    qtbot: QtBot, make_services: MakeServices, book: Book, other_book: Book
) -> None:
    first = start(qtbot, make_services(), book)
    for n in range(9):
        first.open_book_at((other_book if n % 2 else book).location(), new_tab=True)
    first.close()

    window = start(qtbot, make_services())

    assert window.tabs.count() == 10
    assert len(window.readers()) == 1
    assert window.tabs.tabBar().isVisible()


def test_a_tab_whose_book_has_gone_says_so(
    qtbot: QtBot, make_services: MakeServices, book: Book, other_book: Book
) -> None:
    first = start(qtbot, make_services(), book)
    first.open_book_at(other_book.location(), new_tab=True)
    first.step_tab(-1)
    first.close()
    shutil.rmtree(other_book.root)

    window = start(qtbot, make_services())
    assert window.tabs.count() == 2
    qtbot.keyClick(window.viewer, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)

    assert window.tabs.currentIndex() == 1
    page = window.viewer.toPlainText()
    assert "This book cannot be opened" in page and str(other_book.root) in page
    assert window.toc_panel.model().rowCount() == 0
    window.close_current_tab()
    assert window.tabs.count() == 1 and "Welcome" in window.viewer.toPlainText()


def _opener(*args: str) -> subprocess.Popen[str]:
    env = child_env()
    return subprocess.Popen(
        [sys.executable, str(OPENER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def test_the_tabs_come_back_after_a_kill(tmp_path: Path, book: Book, other_book: Book) -> None:
    data = tmp_path / "data"
    child = _opener("open", str(book.location()), str(other_book.location()), str(data))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "OPENED"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()

    again = _opener("reopen", str(book.location()), str(data))
    out, _ = again.communicate(timeout=120)

    lines = out.splitlines()
    assert lines[0] == "TABS 2 1"
    assert json.loads(lines[1].split(" ", 2)[2]).endswith(f"— {book.title}")  # "Welcome — book"
    assert json.loads(lines[2].split(" ", 2)[2]).endswith(f"— {other_book.title}")
    assert "Boats rest in the harbour." in json.loads(lines[3].split(" ", 1)[1])
