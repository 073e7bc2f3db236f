"""Tabs as a reader uses them: Ctrl+T, Ctrl+W, Ctrl+Tab, Ctrl+Shift+T, a link in a new tab; the
tree, the title and the search following the tab shown; tabs on one book sharing it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.app.services import Services
from handbook.ui.library.dialog import LibraryDialog
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book
from tests.helpers.page_top import text_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

MakeServices = Callable[[], Services]

FILLER = "\n\n".join(["Some words to read, line after line, to make the page long."] * 30)

SUMMARY = """# Summary

- [Welcome](welcome.md)
- [Basics](basics.md)
- [Details](details.md)
"""

CHAPTERS = {
    "welcome.md": f"# Welcome\n\n{FILLER}\n\nSee [the details](details.md#fine-print).\n",
    "basics.md": f"# Basics\n\n{FILLER}\n\n## Middle of basics\n\n{FILLER}\n",
    "details.md": (
        f"# Details\n\nDetails open here.\n\n{FILLER}\n\n## Fine print\n\nSmall.\n\n{FILLER}\n"
    ),
}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


@pytest.fixture
def window(qtbot: QtBot, make_services: MakeServices, book: Book) -> MainWindow:
    win = MainWindow(book, services=make_services())
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.restore_place()
    return win


def press(qtbot: QtBot, window: MainWindow, keys: str) -> None:
    """``keys`` typed on the page, as the reader would."""
    window.viewer.setFocus()
    sequence = QKeySequence(keys)[0]
    qtbot.keyClick(window.viewer, sequence.key(), sequence.keyboardModifiers())


def scroll_to(window: MainWindow, text: str) -> None:
    document = window.viewer.document()
    block = document.find(text).block()
    top = round(document.documentLayout().blockBoundingRect(block).top())
    window.viewer.verticalScrollBar().setValue(top)


def tree_titles(window: MainWindow) -> list[str]:
    model = window.toc_panel.model()
    rows = [model.index(row, 0, QModelIndex()).data() for row in range(model.rowCount())]
    return [row.split(". ", 1)[-1] for row in rows]  # "1. Harbour": its title


def library_dialog(qtbot: QtBot, window: MainWindow) -> LibraryDialog:
    dialog = window.findChild(LibraryDialog, "library_dialog")
    assert isinstance(dialog, LibraryDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_one_tab_shows_no_tab_bar(window: MainWindow) -> None:
    assert window.tabs.count() == 1
    assert not window.tabs.tabBar().isVisible()
    assert not window.action_set.close_tab.isEnabled()  # the last tab stays


def test_ctrl_t_opens_the_library_for_a_new_tab_and_the_first_tab_keeps_its_place(
    qtbot: QtBot, window: MainWindow, other_book: Book
) -> None:
    window.open_section("basics.md")
    scroll_to(window, "Middle of basics")
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))
    first = window.viewer

    press(qtbot, window, "Ctrl+T")
    dialog = library_dialog(qtbot, window)
    assert dialog.windowTitle() == "Open in a New Tab"
    dialog.open_requested.emit(str(other_book.location()))  # the reader picks another book

    qtbot.waitUntil(lambda: window.tabs.count() == 2)
    assert window.tabs.tabBar().isVisible()
    assert window.viewer is not first
    assert "Boats rest in the harbour." in window.viewer.toPlainText()
    assert tree_titles(window) == ["Harbour", "Lighthouse"]
    assert window.windowTitle().endswith(other_book.title)
    press(qtbot, window, "Ctrl+Tab")

    assert window.viewer is first
    assert text_at_top(window.viewer).startswith("Middle of basics")
    assert tree_titles(window) == ["Welcome", "Basics", "Details"]
    assert window.windowTitle().startswith("Basics")


def test_ctrl_t_then_enter_opens_this_book_again_at_this_place(
    qtbot: QtBot, window: MainWindow, book: Book
) -> None:
    window.open_section("basics.md")
    scroll_to(window, "Middle of basics")
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))

    press(qtbot, window, "Ctrl+T")
    dialog = library_dialog(qtbot, window)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)  # the book read is the one chosen

    assert window.tabs.count() == 2 and window.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))
    first, second = window.readers()
    assert first.book() is second.book()  # one Book for both


def test_tabs_on_one_book_say_their_chapters(qtbot: QtBot, window: MainWindow) -> None:
    window.open_section("basics.md")
    window.open_section_in_new_tab("details.md")

    assert [window.tabs.tabText(i) for i in range(2)] == ["Basics", "Details"]
    assert window.tabs.tabToolTip(1) == f"Details \u2014 {window.book().title}"
    assert window.windowTitle() == f"Details \u2014 {window.book().title}"


def test_a_middle_click_on_a_link_opens_it_in_a_new_tab(qtbot: QtBot, window: MainWindow) -> None:
    scroll_to(window, "See the details")
    top = text_at_top(window.viewer)
    first = window.current()
    link = window.viewer.document().find("the details")
    link.setPosition(link.selectionStart() + 2)
    where = window.viewer.cursorRect(link).center()

    qtbot.mouseClick(window.viewer.viewport(), Qt.MouseButton.MiddleButton, pos=where)

    assert window.tabs.count() == 2 and window.current() is not first
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Fine print"))
    assert "Small." in window.viewer.toPlainText()
    press(qtbot, window, "Ctrl+Shift+Tab")
    assert window.current() is first
    assert text_at_top(window.viewer) == top


def test_a_middle_click_or_ctrl_click_in_the_contents_opens_a_new_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    tree = window.toc_panel.tree
    model = window.toc_panel.model()
    details = model.index(2, 0, QModelIndex())
    basics = model.index(1, 0, QModelIndex())

    where = tree.visualRect(details).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.MiddleButton, pos=where)
    assert window.tabs.count() == 2
    assert "Details open here." in window.viewer.toPlainText()
    where = tree.visualRect(basics).center()
    modifier = Qt.KeyboardModifier.ControlModifier
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, modifier, where)

    assert window.tabs.count() == 3
    assert text_at_top(window.viewer).startswith("Basics")
    assert text_at_top(window.readers()[0].viewer).startswith("Welcome")


def test_ctrl_w_closes_a_tab_and_ctrl_shift_t_brings_it_back_at_its_place(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.open_section_in_new_tab("basics.md")
    scroll_to(window, "Middle of basics")
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))

    press(qtbot, window, "Ctrl+W")

    assert window.tabs.count() == 1
    assert text_at_top(window.viewer).startswith("Welcome")
    assert window.action_set.reopen_tab.isEnabled()
    press(qtbot, window, "Ctrl+W")
    assert window.tabs.count() == 1  # the last tab stays
    press(qtbot, window, "Ctrl+Shift+T")

    assert window.tabs.count() == 2 and window.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))
    assert not window.action_set.reopen_tab.isEnabled()


def test_each_tab_has_its_own_history_and_find_bar(qtbot: QtBot, window: MainWindow) -> None:
    window.open_section("details.md")
    window.open_section_in_new_tab("basics.md")
    assert not window.action_set.back.isEnabled()  # the new tab has gone nowhere yet
    window.find_bar.open_bar()
    second_bar = window.find_bar
    press(qtbot, window, "Ctrl+Tab")

    assert window.action_set.back.isEnabled()
    assert window.find_bar is not second_bar
    window.navigation.go_back()
    assert text_at_top(window.viewer).startswith("Welcome")


def test_tabs_on_one_book_share_its_book_and_search_index(qtbot: QtBot, window: MainWindow) -> None:
    window.show_search()
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.runner.index() is not None, timeout=30_000)
    index = panel.runner.index()

    window.open_section_in_new_tab("details.md")
    press(qtbot, window, "Ctrl+Tab")
    press(qtbot, window, "Ctrl+Tab")

    first, second = window.readers()
    assert first.book() is second.book()
    assert panel.runner.index() is index  # not indexed again


def test_the_search_and_the_bookmarks_follow_the_tab_shown(
    qtbot: QtBot, window: MainWindow, other_book: Book
) -> None:
    window.open_book_at(other_book.location(), new_tab=True)
    window.show_search()
    assert window.search_handlers._search_book is window.book()
    assert window.book().location() == other_book.location()
    window.bookmark_handlers.bookmark_this_section()
    assert window.action_set.toggle_bookmark.isChecked()

    press(qtbot, window, "Ctrl+Tab")

    assert window.book().location() != other_book.location()
    assert window.search_handlers._search_book is window.book()
    assert not window.action_set.toggle_bookmark.isChecked()


def test_the_tab_keys_clash_with_no_other_key(window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for action in window.action_set.all():
        for keys in action.shortcuts():
            text = keys.toString()
            assert text not in seen, f"{text}: {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    for keys in ("Ctrl+T", "Ctrl+W", "Ctrl+Tab", "Ctrl+Shift+Tab", "Ctrl+Shift+T"):
        assert keys in seen
    assert seen["Ctrl+PgUp"] == "&Previous Chapter" and seen["Ctrl+PgDown"] == "&Next Chapter"


def test_ctrl_shift_tab_as_x11_sends_it_goes_to_the_previous_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    first = window.current()
    window.open_section_in_new_tab("details.md")
    window.viewer.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

    qtbot.keyClick(window.viewer, Qt.Key.Key_Backtab, modifiers)  # Shift+Tab is Backtab there

    assert window.current() is first


def test_ctrl_enter_on_a_search_hit_opens_it_in_a_new_tab(qtbot: QtBot, window: MainWindow) -> None:
    first = window.current()
    window.show_search()
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.runner.index() is not None, timeout=30_000)
    qtbot.keyClicks(panel.field, "Small")

    def found() -> bool:
        hit = panel.model.hit(0)
        return hit is not None and hit.id.startswith("details.md")

    qtbot.waitUntil(found, timeout=10_000)  # the results of "Small", not of its first letters

    qtbot.keyClick(panel.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert window.tabs.count() == 2 and window.current() is not first
    assert "Small." in window.viewer.toPlainText()
    assert window.highlighter.search_count() >= 1  # the word lit in the new tab
    assert text_at_top(first.viewer).startswith("Welcome")


def test_a_middle_click_on_a_bookmark_opens_it_in_a_new_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.open_section("basics.md#middle-of-basics")
    window.bookmark_handlers.bookmark_this_section()
    window.open_section("welcome.md")
    window.bookmark_handlers.show_dock(True)
    tree = window.bookmarks_panel.tree
    model = tree.model()
    found = model.match(
        model.index(0, 0),
        Qt.ItemDataRole.DisplayRole,
        "Middle of basics",
        1,
        Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive,
    )
    assert found
    tree.scrollTo(found[0])

    where = tree.visualRect(found[0]).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.MiddleButton, pos=where)

    assert window.tabs.count() == 2
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Middle of basics"))
    assert text_at_top(window.readers()[0].viewer).startswith("Welcome")
