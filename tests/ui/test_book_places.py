"""Every book keeps its own last place, however it is opened; a book changed since shows the
place's text if it is still there, else the nearest section, and says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.ui.app.services import Services
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book
from tests.helpers.page_top import text_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

SUMMARY = "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n- [Three](three.md)\n"


def _words(book: str, chapter: str, n: int) -> str:
    return "\n\n".join(
        f"Paragraph {i} of {chapter} in {book}, with words enough to fill a line or two."
        for i in range(n)
    )


def _chapters(name: str) -> dict[str, str]:
    return {
        f"{c}.md": f"# {c.title()}\n\n{_words(name, c, 30)}\n\n## Later in {c}\n\n"
        f"{_words(name, c + '-later', 30)}\n"
        for c in ("one", "two", "three")
    }


@pytest.fixture
def books(tmp_path: Path) -> list[Path]:
    return [write_book(tmp_path / name, SUMMARY, _chapters(name)) for name in ("ant", "bee", "cat")]




def _window(qtbot: QtBot, services: Services, root: Path) -> MainWindow:
    window = MainWindow(load_book(root), services=services)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    window.restore_place()
    return window


def _read_to(window: MainWindow, chapter: str, paragraph: str) -> str:
    """Open ``chapter`` and scroll until ``paragraph`` is the first text at the top."""
    window.open_section(chapter)
    cursor = window.viewer.document().find(paragraph)
    assert not cursor.isNull(), paragraph
    rect = window.viewer.cursorRect(cursor)
    window.viewer.set_scroll_position(window.viewer.scroll_position() + rect.top())
    seen = text_at_top(window.viewer)
    assert seen.startswith(paragraph), seen
    return seen


def test_three_books_each_reopen_at_their_own_place(
    qtbot: QtBot, books: list[Path], make_services: Callable[[], Services]
) -> None:
    ant, bee, cat = books
    window = _window(qtbot, make_services(), ant)
    in_ant = _read_to(window, "two.md", "Paragraph 12 of two in ant")
    assert window.open_book_at(bee)  # Open Book...
    assert window.viewer.current_chapter() == "one.md"  # never read: its first chapter
    in_bee = _read_to(window, "three.md", "Paragraph 5 of three-later in bee")
    assert window.open_book_at(cat)
    in_cat = _read_to(window, "one.md", "Paragraph 20 of one in cat")

    recent = {a.data(): a for a in window.menus.recent.actions() if a.data()}
    recent[str(ant)].trigger()  # Recent Books
    assert text_at_top(window.viewer) == in_ant
    assert window.open_book_at(bee)
    assert text_at_top(window.viewer) == in_bee
    window.close()

    again = _window(qtbot, make_services(), cat)  # the command line, after a restart
    assert text_at_top(again.viewer) == in_cat
    recent = {a.data(): a for a in again.menus.recent.actions() if a.data()}
    recent[str(ant)].trigger()
    assert text_at_top(again.viewer) == in_ant


def test_a_changed_book_shows_the_text_where_it_moved(
    qtbot: QtBot, books: list[Path], make_services: Callable[[], Services]
) -> None:
    ant = books[0]
    window = _window(qtbot, make_services(), ant)
    seen = _read_to(window, "two.md", "Paragraph 17 of two in ant")
    window.close()
    chapter = ant / "src" / "two.md"
    text = chapter.read_text()
    added = "\n\n".join(f"A new paragraph {i}, added above, long enough to wrap." for i in range(9))
    chapter.write_text(text.replace("# Two\n\n", f"# Two\n\n{added}\n\n"))

    again = _window(qtbot, make_services(), ant)
    assert text_at_top(again.viewer) == seen


def test_a_book_whose_place_is_gone_opens_at_the_nearest_section_and_says_so(
    qtbot: QtBot, books: list[Path], make_services: Callable[[], Services]
) -> None:
    ant = books[0]
    window = _window(qtbot, make_services(), ant)
    _read_to(window, "two.md", "Paragraph 3 of two-later in ant")
    window.close()
    chapter = ant / "src" / "two.md"
    chapter.write_text(chapter.read_text().replace("of two-later in ant", "rewritten"))

    again = _window(qtbot, make_services(), ant)
    assert again.viewer.current_section() == "two.md#later-in-two"
    assert text_at_top(again.viewer).startswith("Later in two")
    assert "no longer" in again.statusBar().currentMessage()

    window = again
    window.close()
    (ant / "src" / "SUMMARY.md").write_text("# Summary\n\n- [One](one.md)\n- [Three](three.md)\n")
    (ant / "src" / "two.md").unlink()
    third = _window(qtbot, make_services(), ant)
    assert third.viewer.current_chapter() == "three.md"  # where two.md stood in the book
    assert "no longer" in third.statusBar().currentMessage()


def test_progress_shows_the_chapter_and_how_far_and_the_tree_marks_chapters_read(
    qtbot: QtBot, books: list[Path], make_services: Callable[[], Services]
) -> None:
    from handbook.ui.contents.toc_model import READ_ROLE

    ant = books[0]
    window = _window(qtbot, make_services(), ant)
    label = window.findChild(QLabel, "reading_progress")
    assert label is not None and label.isVisible()
    assert label.text() == "Chapter 1 of 3 · 0%"
    window.open_section("two.md")
    at_start = label.text()
    assert at_start.startswith("Chapter 2 of 3 · ")
    model = window.toc_panel.model()
    two = model.index_for_section("two.md")
    assert model.data(two, READ_ROLE) is False
    bar = window.viewer.verticalScrollBar()
    bar.setValue(bar.maximum())  # the chapter's end on screen
    assert model.data(two, READ_ROLE) is True
    assert model.data(two, Qt.ItemDataRole.DecorationRole) is not None  # a check mark
    assert model.data(model.index_for_section("three.md"), READ_ROLE) is False
    at_end = label.text()
    assert _percent(at_start) < _percent(at_end) < 100
    window.close()

    again = _window(qtbot, make_services(), ant)  # chapters read are kept
    model = again.toc_panel.model()
    assert model.data(model.index_for_section("two.md"), READ_ROLE) is True
    assert model.data(model.index_for_section("one.md"), READ_ROLE) is False


def _percent(text: str) -> int:
    return int(text.rpartition("· ")[2].rstrip("%"))


def test_a_long_chapter_opened_at_start_is_not_marked_read(
    tmp_path: Path, books: list[Path]
) -> None:
    """The real program, started on a long chapter: its end was never on screen, so the tree
    must not tick it (the window's first frame has no page laid out yet)."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO / "src"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    store = tmp_path / "data" / "handbook" / "handbook" / "places.sqlite"
    app = subprocess.Popen(
        [sys.executable, "-m", "handbook", str(books[0] / "src" / "two.md")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        saved: list[tuple[str]] = []
        while not saved and time.monotonic() < deadline:
            time.sleep(0.2)
            if store.exists():
                with sqlite3.connect(store) as db:
                    try:
                        saved = db.execute("SELECT section_id FROM places").fetchall()
                    except sqlite3.OperationalError:  # made, its table not yet: ask again
                        continue
        assert saved == [("two.md",)]  # the place is saved: the window is up on the chapter
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=20)
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT chapter FROM chapters_read").fetchall() == []
