"""The window as a reader uses it: the tree, the page, history, chapters, titles, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMenu
from pytestqt.qtbot import QtBot

from handbook import cli
from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book
from tests.helpers.page_top import text_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


FILLER = "\n\n".join(["Some words to read, line after line, to make the page long."] * 40)

SUMMARY = """# Summary

[Welcome](welcome.md)

# Reading

- [Basics](basics.md)
  - [Details](details.md)
- [Broken](broken.md)
- [Last](last.md)
"""

CHAPTERS = {
    "welcome.md": f"# Welcome\n\n{FILLER}\n\nSee [the details](details.md#fine-print).\n",
    "basics.md": (
        f"# Basics\n\n{FILLER}\n\n## First steps\n\n{FILLER}\n\n"
        f"## Second steps\n\n{FILLER}\n\n## Third steps\n\n{FILLER}\n"
    ),
    "details.md": f"# Details\n\n{FILLER}\n\n## Fine print\n\n{FILLER}\n",
    "last.md": "# Last\n\nThe end.\n",
    # broken.md is missing
}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


@pytest.fixture
def window(qtbot: QtBot, book: Book) -> MainWindow:
    opened: list[str] = []
    win = MainWindow(book, open_external=lambda url: opened.append(url.toString()))
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    qtbot.waitExposed(win)
    win.open_first_chapter()
    return win


def tree_index(window: MainWindow, text: str, parent: QModelIndex | None = None) -> QModelIndex:
    model = window.toc_panel.model()
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == text:
            return index
        found = tree_index(window, text, index)
        if found.isValid():
            return found
    return QModelIndex()


def click_node(qtbot: QtBot, window: MainWindow, text: str) -> None:
    tree = window.toc_panel.tree
    index = tree_index(window, text)
    assert index.isValid(), text
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )


def selected_text(window: MainWindow) -> str:
    return str(window.toc_panel.tree.currentIndex().data())


def test_opens_at_the_first_chapter_with_its_title(window: MainWindow) -> None:
    assert window.viewer.current_chapter() == "welcome.md"
    assert selected_text(window) == "Welcome"
    assert window.windowTitle() == "Welcome — book"
    assert "Welcome" in window.viewer.toPlainText()


def test_a_chapters_title_directive_names_the_window_as_mdbook_names_the_page(
    qtbot: QtBot, tmp_path: Path
) -> None:
    root = write_book(
        tmp_path / "book",
        "# Summary\n\n- [End](end.md)\n",
        {"end.md": "{{#title The Very End}}\n# Last\n\nThe end.\n"},
    )
    win = MainWindow(load_book(root))
    qtbot.addWidget(win)
    win.show()
    win.open_first_chapter()
    assert win.windowTitle() == "The Very End — book"
    assert "{{#title" not in win.viewer.toPlainText()


def test_clicking_a_heading_shows_it_at_the_top(qtbot: QtBot, window: MainWindow) -> None:
    click_node(qtbot, window, "1. Basics")  # unfolds it
    window.toc_panel.tree.expandAll()
    click_node(qtbot, window, "Second steps")
    assert window.current_section() == "basics.md#second-steps"
    assert "Second steps" in window.viewer.toPlainText()
    assert window.viewer.scroll_position() > 0
    assert window.windowTitle() == "Basics — book"
    assert selected_text(window) == "Second steps"


def test_the_tree_follows_the_reader(qtbot: QtBot, window: MainWindow) -> None:
    window.open_section("basics.md#third-steps")
    third = window.viewer.scroll_position()
    window.open_section("basics.md#first-steps")
    first = window.viewer.scroll_position()
    assert selected_text(window) == "First steps"

    with qtbot.wait_signal(window.viewer.top_section_changed):
        window.viewer.set_scroll_position((first + third) // 2)
    assert window.current_section() == "basics.md#second-steps"
    assert selected_text(window) == "Second steps"
    assert window.toc_panel.tree.isExpanded(tree_index(window, "1. Basics"))


def test_a_link_in_the_page_opens_its_section(qtbot: QtBot, window: MainWindow) -> None:
    viewer = window.viewer
    cursor = viewer.document().find("the details")
    assert not cursor.isNull()
    viewer.setTextCursor(cursor)
    viewer.ensureCursorVisible()  # the link is at the end of the page
    end = viewer.cursorRect(cursor)
    cursor.setPosition(cursor.selectionStart())
    start = viewer.cursorRect(cursor)
    where = QPoint((start.left() + end.right()) // 2, end.center().y())
    link_at = viewer.scroll_position()
    top_text = text_at_top(viewer)
    qtbot.mouseClick(viewer.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.current_section() == "details.md#fine-print"
    assert window.windowTitle() == "Details — book"
    window.action_set.back.trigger()
    assert viewer.current_chapter() == "welcome.md"
    assert text_at_top(viewer) == top_text and link_at > 0  # the same text at the top


def test_back_and_forward_restore_the_scroll_position(qtbot: QtBot, window: MainWindow) -> None:
    window.open_section("basics.md")
    window.viewer.set_scroll_position(777)
    basics_top = text_at_top(window.viewer)
    window.open_section("details.md#fine-print")
    fine_print = window.viewer.scroll_position()
    assert fine_print > 0
    assert window.action_set.back.isEnabled()
    assert not window.action_set.forward.isEnabled()

    window.action_set.back.trigger()
    assert window.viewer.current_chapter() == "basics.md"
    assert text_at_top(window.viewer) == basics_top
    assert window.action_set.forward.isEnabled()

    window.action_set.forward.trigger()
    assert window.current_section() == "details.md#fine-print"
    assert window.viewer.scroll_position() == fine_print

    window.action_set.back.trigger()
    window.action_set.back.trigger()
    assert window.current_section() == "welcome.md"
    assert not window.action_set.back.isEnabled()


def test_previous_and_next_chapter_in_reading_order(window: MainWindow) -> None:
    a = window.action_set
    assert not a.previous_chapter.isEnabled()
    order = []
    while a.next_chapter.isEnabled():
        a.next_chapter.trigger()
        order.append(window.viewer.current_chapter())
    assert order == ["basics.md", "details.md", "broken.md", "last.md"]
    assert window.windowTitle() == "Last — book"
    a.previous_chapter.trigger()
    a.previous_chapter.trigger()
    assert window.viewer.current_chapter() == "details.md"


def test_a_missing_chapter_shows_an_error_page_and_the_rest_still_opens(
    window: MainWindow,
) -> None:
    window.open_section("broken.md")
    assert "broken.md" in window.statusBar().currentMessage()
    assert "Details" not in window.viewer.toPlainText()
    window.open_section("details.md")
    assert "Fine print" in window.viewer.toPlainText()
    assert window.windowTitle() == "Details — book"


def test_refused_links_are_explained_in_the_status_bar(window: MainWindow) -> None:
    window.viewer.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert "javascript" in window.statusBar().currentMessage()
    assert window.current_section() == "welcome.md"


def test_the_contents_dock_can_be_hidden_and_is_named_for_save_state(
    window: MainWindow,
) -> None:
    assert window.toc_panel.objectName()
    window.action_set.show_contents.trigger()
    assert not window.toc_panel.isVisible()
    window.action_set.show_contents.trigger()
    assert window.toc_panel.isVisible()

    other = QDockWidget("Search", window)  # a dock tabbed with the contents, in front of it
    other.setObjectName("other_dock")
    window.tabifyDockWidget(window.toc_panel, other)
    other.show()
    other.raise_()
    QApplication.processEvents()
    assert window.action_set.show_contents.isChecked()  # still open, only behind a tab


def test_opening_another_book(tmp_path: Path, window: MainWindow) -> None:
    other = write_book(
        tmp_path / "other", "# Summary\n\n- [Only](only.md)\n", {"only.md": "# Only\n"}
    )
    assert window.open_book_at(other)
    assert window.current_section() == "only.md"
    assert window.windowTitle() == "Only — other"
    assert not window.action_set.back.isEnabled()


def test_open_file_opens_a_chapters_book_at_that_page(
    tmp_path: Path, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write_book(
        tmp_path / "other",
        "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n",
        {"one.md": "# One\n\nFirst page.\n", "two.md": "# Two\n\nSecond page words.\n"},
    )
    chosen = str(other / "src" / "two.md")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (chosen, ""))
    labels = [action.text().replace("&", "") for action in window.menus.book.actions()]
    assert "Open File…" in labels
    window.action_set.open_file.trigger()
    assert "Second page words." in window.viewer.toPlainText()
    assert window.windowTitle() == "Two — other"


def test_a_bad_path_exits_with_status_2_before_any_window(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli.main([str(tmp_path / "nonexistent")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "nonexistent" in err


def test_keyboard_back_and_next_chapter(qtbot: QtBot, window: MainWindow) -> None:
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.viewer.current_chapter() == "basics.md"
    qtbot.keyClick(window.viewer, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.viewer.current_chapter() == "welcome.md"
    qtbot.keyClick(window.viewer, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.viewer.current_chapter() == "basics.md"
    qtbot.keyClick(window.viewer, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.viewer.current_chapter() == "welcome.md"


def test_enter_in_the_tree_opens_the_section(qtbot: QtBot, window: MainWindow) -> None:
    tree = window.toc_panel.tree
    tree.setFocus()
    tree.setCurrentIndex(tree_index(window, "1.1. Details"))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.viewer.current_chapter() == "details.md"


def test_following_the_reader_does_not_navigate(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.assert_not_emitted(window.toc_panel.section_activated):
        window.toc_panel.select_section("details.md#fine-print")
    assert selected_text(window) == "Fine print"
    assert window.viewer.current_chapter() == "welcome.md"


def test_other_panels_can_add_to_the_tree_context_menu(qtbot: QtBot, window: MainWindow) -> None:
    offered: list[str] = []

    def add_entry(section: str, menu: QMenu) -> None:
        offered.append(section)
        menu.addAction("Bookmark this section")

    window.toc_panel.context_menu_requested.connect(add_entry)
    tree = window.toc_panel.tree
    index = tree_index(window, "1.1. Details")
    tree.scrollTo(index)
    menu = window.toc_panel.context_menu_at(tree.visualRect(index).center())
    assert offered == ["details.md"]
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts == ["&Bookmark This Section", "Bookmark this section"]  # the window's first
    part = tree_index(window, "Reading")
    assert window.toc_panel.context_menu_at(tree.visualRect(part).center()) is None


def test_the_book_problems_are_shown_on_open(qtbot: QtBot, book: Book) -> None:
    win = MainWindow(book)
    qtbot.addWidget(win)
    assert "broken.md" in win.statusBar().currentMessage()


def test_rows_unfolded_to_follow_the_reader_fold_again(window: MainWindow) -> None:
    tree = window.toc_panel.tree
    basics = tree_index(window, "1. Basics")
    details = tree_index(window, "1.1. Details")
    window.open_section("details.md#fine-print")
    assert tree.isExpanded(basics) and tree.isExpanded(details)
    window.open_section("last.md")
    assert not tree.isExpanded(basics)
    assert not tree.isExpanded(details)

    tree.expand(basics)  # the reader's own choice stays
    window.open_section("details.md#fine-print")
    window.open_section("welcome.md")
    assert tree.isExpanded(basics)
    assert not tree.isExpanded(details)


def test_start_up_work_waits_for_the_window_to_be_on_screen(qtbot: QtBot, book: Book) -> None:
    win = MainWindow(book)
    qtbot.addWidget(win)
    calls: list[bool] = []
    win.when_exposed(lambda: calls.append(win.isVisible()))
    assert calls == []
    win.show()
    qtbot.waitUntil(lambda: calls == [True])
    win.hide()
    win.show()
    qtbot.wait(20)
    assert calls == [True]  # once only


def test_the_find_bar_and_bookmarks_panel_are_built_on_first_use(qtbot: QtBot, book: Book) -> None:
    from handbook.ui.reader.find_bar import FindBar

    win = MainWindow(book)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.findChild(FindBar) is None
    assert win.bookmarks_dock.widget() is None  # the dock is there, empty, for restoreState
    win.action_set.find.trigger()
    assert win.findChild(FindBar) is win.find_bar
    assert win.find_bar.isVisible()
    win.action_set.show_bookmarks.setChecked(True)
    assert win.bookmarks_dock.widget() is win.bookmarks_panel
    assert win.bookmarks_panel.tree.hasFocus() or win.bookmarks_panel.isVisible()
    win.close()

    again = MainWindow(book)  # the bookmarks dock restored visible: its panel after expose
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: again.bookmarks_dock.widget() is not None)
    assert again.bookmarks_panel.isVisible()
    assert again.action_set.show_bookmarks.isChecked()
