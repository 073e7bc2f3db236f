"""The whole window with every panel wired: what a reader does and sees, key by key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu, QMessageBox, QTextBrowser
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.render.theme import DARK
from handbook.ui.app import run as app_module
from handbook.ui.app.services import Services
from handbook.ui.app.settings import BOOK_ZOOM, LAST_BOOK
from handbook.ui.window.main_window import MainWindow
from handbook.ui.window.panels import CONTENTS_WIDTH
from handbook.ui.window.shortcuts_dialog import ShortcutsDialog, plain_label
from tests.conftest import write_book
from tests.helpers.page_top import position_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
FILLER = "\n\n".join(["Words to read, line after line, so that the page is long."] * 40)
SUMMARY = "# Summary\n\n- [Basics](basics.md)\n- [Meditation](meditation.md)\n"
CHAPTERS = {
    "basics.md": f"# Basics\n\n{FILLER}\n\n## Second steps\n\n{FILLER}\n",
    "meditation.md": f"# Meditation\n\n{FILLER}\n\n## Breathing\n\nBreathing calms.\n",
}

MakeServices = Callable[[], Services]
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))




@pytest.fixture
def make_window(qtbot: QtBot, make_services: MakeServices, book: Book) -> MakeWindow:
    def make(services: Services | None = None, start_book: Book | None = None) -> MainWindow:
        window = MainWindow(start_book or book, services=services or make_services())
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        window.restore_place()
        return window

    return make


@pytest.fixture
def window(make_window: MakeWindow) -> MainWindow:
    return make_window()


def page_background(window: MainWindow) -> QColor:
    image = window.viewer.viewport().grab().toImage()
    return image.pixelColor(image.width() // 2, 4)


# -- continue where you left off ----------------------------------------------------------


def test_a_second_start_opens_the_same_section_scroll_and_docks(
    qtbot: QtBot, make_window: MakeWindow, make_services: MakeServices
) -> None:
    first = make_window()
    first.action_set.show_bookmarks.trigger()
    first.open_section("basics.md#second-steps")
    first.viewer.set_scroll_position(first.viewer.scroll_position() + 40)
    top = position_at_top(first.viewer)
    section = first.current_section()
    first.close()

    second = make_window(make_services())
    assert second.viewer.current_chapter() == "basics.md"
    assert position_at_top(second.viewer) == top  # the same character at the top
    assert second.current_section() == section
    assert second.bookmarks_dock.isVisible()
    assert second.action_set.show_bookmarks.isChecked()


def start_in_two_steps(qtbot: QtBot, services: Services, book: Book) -> MainWindow:
    """What ui/app/run.py does: the frame on screen first, then the window built around the book."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_opening(services.settings, "the book")
    exposed: list[bool] = []
    window.when_exposed(lambda: exposed.append(True))  # as app.run_app waits for it
    window.show()
    qtbot.waitUntil(lambda: bool(exposed))
    opening = window.centralWidget()
    assert isinstance(opening, QTextBrowser)
    assert "Opening the book" in opening.toPlainText()
    assert window.findChildren(QDockWidget) == []  # nothing else built yet
    window.build(book, services)
    window.restore_place()
    qtbot.waitUntil(window.updatesEnabled)  # the docks are sized after a layout pass
    return window


def test_started_in_two_steps_the_window_is_whole_with_a_readable_contents_dock(
    qtbot: QtBot, make_services: MakeServices, book: Book
) -> None:
    window = start_in_two_steps(qtbot, make_services(), book)
    assert window.windowTitle() == f"Basics — {book.title}"
    assert window.viewer.current_chapter() == "basics.md"
    assert window.centralWidget().isAncestorOf(window.viewer)
    assert abs(window.toc_panel.width() - CONTENTS_WIDTH) < 20  # not the whole window
    assert window.viewer.width() > window.toc_panel.width()


def test_started_in_two_steps_the_saved_docks_come_back(
    qtbot: QtBot, make_window: MakeWindow, make_services: MakeServices, book: Book
) -> None:
    first = make_window()
    first.action_set.show_bookmarks.trigger()
    first.resizeDocks([first.toc_panel], [260], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(first.toc_panel.width() - 260) < 10)
    first.close()

    second = start_in_two_steps(qtbot, make_services(), book)
    assert second.bookmarks_dock.isVisible()
    assert abs(second.toc_panel.width() - 260) < 10


def test_started_in_two_steps_the_book_is_indexed_before_search_is_opened(
    qtbot: QtBot, make_services: MakeServices, book: Book, tmp_path: Path
) -> None:
    start_in_two_steps(qtbot, make_services(), book)  # search never opened
    index_files = tmp_path / "cache"
    qtbot.waitUntil(lambda: bool(list(index_files.glob("search/*.sqlite3"))), timeout=10_000)


def test_another_book_at_start_opens_at_its_first_chapter(
    make_window: MakeWindow, make_services: MakeServices, tmp_path: Path
) -> None:
    services = make_services()
    services.settings.set(LAST_BOOK, str(tmp_path / "elsewhere"))
    window = make_window(services)
    assert window.viewer.current_chapter() == "basics.md"
    assert window.viewer.scroll_position() == 0


def test_the_last_book_is_chosen_when_no_path_is_given(book: Book, tmp_path: Path) -> None:
    assert app_module.last_book(str(book.root)) is not None
    assert app_module.last_book(str(tmp_path / "gone")) is None  # the guide is shown instead
    assert app_module.last_book("") is None


# -- themes and zoom -----------------------------------------------------------------------


def test_dark_theme_renders_the_page_dark_at_the_same_place(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.open_section("basics.md#second-steps")
    scroll = window.viewer.scroll_position()
    assert page_background(window).lightness() > 200
    window.action_set.theme_dark.trigger()
    assert window.action_set.theme_dark.isChecked()
    assert page_background(window) == QColor(DARK.background)
    assert window.viewer.scroll_position() == scroll
    assert DARK.background in window.viewer.document().toHtml()


def test_zoom_keys_change_the_page_font_and_are_kept_per_book(
    qtbot: QtBot, window: MainWindow, make_window: MakeWindow, make_services: MakeServices
) -> None:
    size = window.viewer.font().pointSizeF()
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_Equal, CTRL)
    assert window.viewer.font().pointSizeF() > size
    assert window.statusBar().currentMessage() == "Zoom 110%"
    qtbot.keyClick(window.viewer, Qt.Key.Key_Minus, CTRL)
    qtbot.keyClick(window.viewer, Qt.Key.Key_Minus, CTRL)
    assert window.zoom.zoom() == 90
    identity = window.book().identity
    assert window.settings.get(BOOK_ZOOM, book=identity) == 90
    window.close()
    again = make_window(make_services())
    assert again.zoom.zoom() == 90


# -- search and find -----------------------------------------------------------------------


@pytest.mark.parametrize(("key", "modifiers"), [(Qt.Key.Key_K, CTRL), (Qt.Key.Key_F, CTRL | SHIFT)])
def test_search_keys_focus_the_search_field(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, key, modifiers)
    assert window.search_dock.isVisible()
    qtbot.waitUntil(lambda: window.search_panel.field.hasFocus())


def test_slash_searches_from_the_page_but_types_in_a_field(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.viewer.setFocus()
    qtbot.keyClicks(window.viewer, "/")
    qtbot.waitUntil(lambda: window.search_panel.field.hasFocus())
    qtbot.keyClicks(window.search_panel.field, "a/b")
    assert window.search_panel.field.text() == "a/b"


def test_a_search_hit_opens_highlighted_and_esc_clears(qtbot: QtBot, window: MainWindow) -> None:
    window.show_search()
    qtbot.keyClicks(window.search_panel.field, "breathing")
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10_000)
    qtbot.keyClick(window.search_panel.field, Qt.Key.Key_Return)
    assert window.viewer.current_chapter() == "meditation.md"
    assert window.highlighter.search_count() >= 2
    selections = window.viewer.extraSelections()
    assert {s.cursor.selectedText().lower() for s in selections} == {"breathing"}
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_Escape)
    assert window.viewer.extraSelections() == []


def test_find_in_page_counts_and_closes_back_to_the_page(qtbot: QtBot, window: MainWindow) -> None:
    window.open_section("meditation.md")
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_F, CTRL)
    assert window.find_bar.isVisible()
    assert window.find_bar.field.hasFocus()
    qtbot.keyClicks(window.find_bar.field, "breathing")
    qtbot.waitUntil(lambda: window.find_bar.match_count() == 2)
    assert window.find_bar.count_label.text() == "1 of 2"
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_F3)
    assert window.find_bar.current_match() == 1
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.viewer.hasFocus()


# -- bookmarks -----------------------------------------------------------------------------


def test_ctrl_d_bookmarks_the_section_and_fills_the_star(qtbot: QtBot, window: MainWindow) -> None:
    star = window.action_set.toggle_bookmark
    assert not star.isChecked()
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_D, CTRL)
    assert [b.section_id for b in window.bookmarks.bookmarks()] == ["basics.md"]
    assert star.isChecked()
    qtbot.keyClick(window.viewer, Qt.Key.Key_D, CTRL)  # again: shows it, adds none
    assert len(window.bookmarks.bookmarks()) == 1
    assert window.bookmarks_dock.isVisible()
    star.trigger()  # the star takes it away
    assert window.bookmarks.bookmarks() == []
    assert not star.isChecked()


def test_ctrl_b_shows_the_bookmarks_wide_enough_to_read(qtbot: QtBot, window: MainWindow) -> None:
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(window.bookmarks_dock.isVisible)
    qtbot.waitUntil(lambda: window.bookmarks_dock.width() >= 300)
    qtbot.waitUntil(lambda: window.bookmarks_panel.filter_edit.hasFocus())  # none yet: the filter
    qtbot.keyClick(window.viewer, Qt.Key.Key_D, CTRL)
    qtbot.keyClick(window.viewer, Qt.Key.Key_B, CTRL)  # hidden again
    qtbot.waitUntil(lambda: not window.bookmarks_dock.isVisible())
    qtbot.keyClick(window.viewer, Qt.Key.Key_B, CTRL)  # one bookmark: the list takes the focus
    qtbot.waitUntil(lambda: window.bookmarks_panel.tree.hasFocus())


def test_the_star_follows_the_section_read(window: MainWindow) -> None:
    window.bookmarks.add_bookmark(window.book(), "meditation.md")
    assert not window.action_set.toggle_bookmark.isChecked()
    window.open_section("meditation.md")
    assert window.action_set.toggle_bookmark.isChecked()


def test_the_tree_context_menu_bookmarks_a_section(window: MainWindow) -> None:
    tree = window.toc_panel.tree
    index = window.toc_panel.model().index_for_section("meditation.md")
    menu = window.toc_panel.context_menu_at(tree.visualRect(index).center())
    assert menu is not None
    action = next(a for a in menu.actions() if a.text() == "&Bookmark This Section")
    action.trigger()
    assert [b.section_id for b in window.bookmarks.bookmarks()] == ["meditation.md"]


def test_the_page_context_menu_offers_copy_and_bookmark(window: MainWindow) -> None:
    menu = window.page_context_menu(window.viewer.viewport().rect().center())
    texts = [plain_label(a.text()) for a in menu.actions()]
    assert "Bookmark This Section" in texts
    assert any(t.startswith("Copy") for t in texts)
    menu.deleteLater()


def test_a_bookmark_of_another_book_opens_that_book(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    other = load_book(
        write_book(tmp_path / "other", "# Summary\n\n- [Far](far.md)\n", {"far.md": "# Far\n"})
    )
    far = window.bookmarks.add_bookmark(other, "far.md")
    assert far is not None
    window.bookmarks_panel.bookmark_activated.emit(far)
    assert window.book().root == other.root
    assert window.viewer.current_chapter() == "far.md"
    assert window.windowTitle().startswith("Far")


def test_a_recovered_bookmark_file_is_told_without_blocking(window: MainWindow) -> None:
    window.bookmarks.store.recovery_message = "Bookmarks were restored from a backup."
    window.show_start_messages()
    assert "restored" in window.statusBar().currentMessage()
    box = window._dialog
    assert isinstance(box, QMessageBox)
    assert box.isVisible()  # and the test goes on: nothing waits for it
    box.close()


# -- keyboard and accessibility ------------------------------------------------------------


def menu_actions(menu: QMenu) -> list[QMenu | object]:
    found: list[object] = []
    for action in menu.actions():
        found.append(action)
        sub = action.menu()
        if isinstance(sub, QMenu):
            found.extend(menu_actions(sub))
    return found


def test_every_action_is_in_a_menu_and_the_menus_have_mnemonics(window: MainWindow) -> None:
    in_menus: list[object] = []
    titles = []
    for top in window.menuBar().actions():
        titles.append(top.text())
        sub = top.menu()
        assert isinstance(sub, QMenu)
        in_menus.extend(menu_actions(sub))
    assert [plain_label(t) for t in titles] == ["Book", "Edit", "View", "Go", "Bookmarks", "Help"]
    assert all("&" in t for t in titles)
    missing = [a.text() for a in window.action_set.all() if a not in in_menus]
    assert missing == []


def test_f1_lists_every_action_with_its_keys(qtbot: QtBot, window: MainWindow) -> None:
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_F1)
    dialog = window._dialog
    assert isinstance(dialog, ShortcutsDialog)
    rows = dict(dialog.rows(visible_only=False))
    for action in window.action_set.all():
        assert plain_label(action.text()) in rows
    assert rows["Search the Book"] == "Ctrl+K, Ctrl+Shift+F"
    assert rows["Zoom with the mouse wheel"] == "Ctrl+Wheel"
    assert rows["Keyboard Shortcuts"].startswith(QKeySequence("F1").toString())
    dialog.close()


def test_question_mark_on_the_page_lists_the_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    window.viewer.setFocus()
    qtbot.keyClicks(window.viewer, "?")
    assert isinstance(window._dialog, ShortcutsDialog)
    window._dialog.close()


def test_about_names_the_version(window: MainWindow) -> None:
    from handbook import __version__

    window.action_set.about.trigger()
    box = window._dialog
    assert isinstance(box, QMessageBox)
    assert __version__ in box.text()
    box.close()


def test_f6_moves_between_the_panes(qtbot: QtBot, window: MainWindow) -> None:
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is window.toc_panel.tree  # search and bookmarks hidden
    qtbot.keyClick(window.toc_panel.tree, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is window.viewer
    qtbot.keyClick(window.viewer, Qt.Key.Key_F6, SHIFT)
    assert QApplication.focusWidget() is window.toc_panel.tree


def test_the_main_controls_have_accessible_names_and_descriptions(window: MainWindow) -> None:
    controls = [
        window.viewer,
        window.toc_panel.tree,
        window.search_panel.field,
        window.search_panel.results_view,
        window.bookmarks_panel.tree,
        window.find_bar.field,
    ]
    for control in controls:
        assert control.accessibleName(), control.objectName()
        assert control.accessibleDescription(), control.objectName()
    bar = window.navigation_bar
    for action in bar.actions():
        button = bar.widgetForAction(action)
        if button is not None and not action.isSeparator():
            assert button.accessibleName(), action.text()


def test_bookmarks_export_and_import_from_the_window(tmp_path: Path, window: MainWindow) -> None:
    menu_texts = [a.text() for a in window.menus.bookmarks.actions()]
    assert "&Import Bookmarks…" in menu_texts and "&Export Bookmarks…" in menu_texts
    window.open_section("basics.md")
    window.action_set.add_bookmark.trigger()
    out = tmp_path / "mine.xbel"
    window.bookmark_handlers.export_to(out)
    assert "Exported 1 bookmark" in window.statusBar().currentMessage()
    assert "<xbel" in out.read_text(encoding="utf-8")

    window.action_set.toggle_bookmark.trigger()  # removed here...
    assert window.bookmarks.bookmarks() == []
    window.bookmark_handlers.import_from(out)  # ...and back from the file
    assert "Imported 1 bookmark" in window.statusBar().currentMessage()
    assert [b.section_id for b in window.bookmarks.bookmarks()] == ["basics.md"]
    assert window.action_set.toggle_bookmark.isChecked()
    window.bookmark_handlers.import_from(out)  # again: no duplicate
    assert "1 already here" in window.statusBar().currentMessage()
    assert len(window.bookmarks.bookmarks()) == 1

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    window.bookmark_handlers.import_from(broken)
    assert "nothing was changed" in window.statusBar().currentMessage()
    assert len(window.bookmarks.bookmarks()) == 1


def test_a_window_closed_at_once_leaves_no_search_index_building(
    qtbot: QtBot, make_services: MakeServices, book: Book, tmp_path: Path
) -> None:
    window = MainWindow(book, services=make_services())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)  # indexing is queued for after the first chapter
    window.close()
    qtbot.wait(300)  # the small book would be indexed and its index saved by now
    assert not list((tmp_path / "cache").glob("search/*.sqlite3"))


# -- the library --------------------------------------------------------------------------


def test_every_book_opened_in_the_window_is_in_the_library(
    qtbot: QtBot, tmp_path: Path, make_window: MakeWindow, book: Book
) -> None:
    from handbook.core.library.store import LibraryStore

    def listed() -> list[str]:
        with LibraryStore.open(tmp_path / "data") as library:
            return [b.title for b in library.books()]

    window = make_window()
    qtbot.waitUntil(lambda: listed() == [book.title])
    other = load_book(
        write_book(tmp_path / "other", SUMMARY, CHAPTERS, toml='[book]\ntitle = "Other"\n')
    )
    window.open_book(other)
    qtbot.waitUntil(lambda: len(listed()) == 2)
    with LibraryStore.open(tmp_path / "data") as library:
        books = library.books()
    assert [(b.title, b.location, b.format) for b in books] == [
        ("Other", other.root, "mdbook"),
        (book.title, book.root, "mdbook"),
    ]
    assert all(b.last_read is not None for b in books)


def test_the_library_window_lists_opens_and_removes_books(
    qtbot: QtBot, tmp_path: Path, make_window: MakeWindow, book: Book, guide: Path
) -> None:
    from handbook.core.library.store import FoundBook, LibraryStore
    from handbook.ui.library.dialog import LibraryDialog

    other = write_book(tmp_path / "other", SUMMARY, CHAPTERS, toml='[book]\ntitle = "Other"\n')
    gone = tmp_path / "gone"
    with LibraryStore.open(tmp_path / "data") as library:
        library.add(FoundBook(other, "Other", "mdbook"))
        library.add(FoundBook(gone, "Gone Book", "mdbook"))
    window = make_window()

    def recorded() -> bool:
        with LibraryStore.open(tmp_path / "data") as library:
            return library.book(book.root) is not None

    qtbot.waitUntil(recorded)
    window.action_set.library.trigger()
    dialog = window.findChild(LibraryDialog, "library_dialog")
    assert dialog is not None and dialog.isVisible()
    guide_title = load_book(guide).title
    assert dialog.titles()[0] == guide_title
    assert sorted(dialog.titles()[1:]) == sorted(["Other", "Gone Book (missing)", book.title])
    dialog.select(gone)
    assert not dialog.open_button.isEnabled()
    dialog.remove_button.click()
    assert "Gone Book (missing)" not in dialog.titles()
    with LibraryStore.open(tmp_path / "data") as library:
        assert [b.title for b in library.books() if b.title == "Gone Book"] == []
    dialog.select(other)
    dialog.open_button.click()
    assert window.book().title == "Other"
    assert not dialog.isVisible()
