"""The bookmarks panel and its controller, as a reader uses them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from handbook.core.bookmarks.model import Bookmark, BookmarkStatus
from handbook.core.bookmarks.reanchor import draft_for
from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.reading.place import Place
from handbook.ui.bookmarks.controller import BookmarkController
from handbook.ui.bookmarks.model import row_key
from handbook.ui.bookmarks.panel import BookmarksPanel, NoteDialog
from handbook.ui.bookmarks.rows import BOOKMARK, RowKey
from tests.helpers.bookmark_writer import chapter, sample_book

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

BOOK = sample_book()
OTHER = sample_book(Path("/books/other"), identity="other-id", title="Another Book")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BookmarkStore]:
    with BookmarkStore.open(tmp_path / "data", busy_timeout_ms=200) as opened:
        yield opened


@pytest.fixture
def controller(store: BookmarkStore, qtbot: QtBot) -> BookmarkController:
    controller = BookmarkController(store)
    controller.set_book(BOOK)
    return controller


def _open_panel(qtbot: QtBot, controller: BookmarkController) -> BookmarksPanel:
    panel = BookmarksPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(420, 520)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.tree.setFocus()
    return panel


@pytest.fixture
def panel(qtbot: QtBot, controller: BookmarkController) -> BookmarksPanel:
    controller.add_bookmark(BOOK, "intro.md#on-linux", place=Place("intro.md#on-linux", 40))
    rules = controller.add_bookmark(
        BOOK, "ownership.md#rules", place=Place("ownership.md#rules", 900)
    )
    assert rules is not None
    controller.set_note(rules.id, "Each value has one owner.\nMore later.")
    controller.add_bookmark(OTHER, "errors.md#panic")
    controller.undo_stack.clear()
    return _open_panel(qtbot, controller)


def _index(panel: BookmarksPanel, title: str) -> QModelIndex:
    """The row titled ``title`` in the view shown (the tree, or the filter's results)."""
    model = panel.view().model()
    matches = model.match(
        model.index(0, 0),
        Qt.ItemDataRole.DisplayRole,
        title,
        1,
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )
    assert matches, f"no row {title!r} in {panel.visible_rows()}"
    return matches[0]


def _titles_on_disk(store: BookmarkStore) -> list[str]:
    """In the panel's order: the open book's first."""
    return [b.title for book in (BOOK, OTHER) for b in store.bookmarks(book.identity)]


def _bookmark_rows(panel: BookmarksPanel) -> list[str]:
    rows = []
    for _, title in panel.visible_rows():
        index = _index(panel, title)
        key = row_key(index)
        if key is not None and key.kind == BOOKMARK:
            rows.append(title)
    return rows


# -- what is shown ----------------------------------------------------------------------------


def test_bookmarks_are_listed_under_their_book_the_open_one_first(panel: BookmarksPanel) -> None:
    assert panel.visible_rows() == [
        (0, "Sample Book"),
        (1, "On Linux"),
        (1, "Rules"),
        (0, "Another Book"),
        (1, "Panic"),
    ]


def test_a_row_shows_title_breadcrumb_note_start_and_date(panel: BookmarksPanel) -> None:
    key = row_key(_index(panel, "Rules"))
    assert key is not None
    text = panel.row_text(key)
    assert text.title == "Rules"
    assert text.detail == "Introduction › Ownership · Each value has one owner. More later."
    assert len(text.date) == 10 and text.date[:2] == "20"
    assert "Each value has one owner.\nMore later." in panel.row_tooltip(key)


def test_the_filter_looks_in_titles_breadcrumbs_and_notes(
    panel: BookmarksPanel, qtbot: QtBot
) -> None:
    qtbot.keyClicks(panel.filter_edit, "OWNER")
    assert panel.results_view.isVisible() and not panel.tree.isVisible()
    assert panel.visible_rows() == [(0, "Rules")]
    panel.set_filter("installation")  # the breadcrumb of "On Linux"
    assert panel.visible_rows() == [(0, "On Linux")]
    panel.set_filter("panic errors")  # every word, anywhere
    assert panel.visible_rows() == [(0, "Panic")]
    key = row_key(_index(panel, "Panic"))
    assert key is not None
    assert panel.row_text(key, with_book=True).detail == "Another Book · Errors"
    panel.set_filter("nothing like this")
    assert panel.visible_rows() == []
    panel.filter_edit.clear()
    assert panel.tree.isVisible() and not panel.results_view.isVisible()
    assert _bookmark_rows(panel) == ["On Linux", "Rules", "Panic"]


def test_found_bookmarks_open_rename_and_delete_like_in_the_tree(
    panel: BookmarksPanel, qtbot: QtBot, store: BookmarkStore
) -> None:
    panel.set_filter("rules")
    panel.results_view.setCurrentIndex(_index(panel, "Rules"))
    with qtbot.waitSignal(panel.bookmark_activated) as opened:
        qtbot.keyClick(panel.results_view, Qt.Key.Key_Return)
    assert opened.args[0].section_id == "ownership.md#rules"
    qtbot.keyClick(panel.results_view, Qt.Key.Key_F2)
    editor = panel.results_view.findChild(QLineEdit)
    assert editor is not None and editor.text() == "Rules"
    editor.setText("Ownership rules")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Ownership rules" in _titles_on_disk(store))
    assert panel.visible_rows() == [(0, "Ownership rules")]
    panel.results_view.setCurrentIndex(_index(panel, "Ownership rules"))
    qtbot.keyClick(panel.results_view, Qt.Key.Key_Delete)
    assert panel.visible_rows() == []
    assert _titles_on_disk(store) == ["On Linux", "Panic"]


# -- opening ----------------------------------------------------------------------------------


def test_a_click_or_enter_opens_a_bookmark(panel: BookmarksPanel, qtbot: QtBot) -> None:
    index = _index(panel, "Rules")
    with qtbot.waitSignal(panel.bookmark_activated) as clicked:
        qtbot.mouseClick(
            panel.tree.viewport(),
            Qt.MouseButton.LeftButton,
            pos=panel.tree.visualRect(index).center(),
        )
    bookmark = clicked.args[0]
    assert isinstance(bookmark, Bookmark)
    assert (bookmark.section_id, bookmark.place_offset) == ("ownership.md#rules", 900)

    panel.tree.setCurrentIndex(_index(panel, "Panic"))
    with qtbot.waitSignal(panel.bookmark_activated) as entered:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert entered.args[0].book_identity == "other-id"  # the window opens that book
    assert entered.args[0].book_path == "/books/other"


def test_a_book_row_opens_nothing(panel: BookmarksPanel, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(panel.bookmark_activated):
        qtbot.mouseClick(
            panel.tree.viewport(),
            Qt.MouseButton.LeftButton,
            pos=panel.tree.visualRect(_index(panel, "Sample Book")).center(),
        )


def test_a_lost_section_stays_listed_marked_and_openable(
    qtbot: QtBot, controller: BookmarkController
) -> None:
    controller.add_bookmark(BOOK, "ownership.md#rules")
    changed = sample_book(
        toc=(
            chapter("intro.md", "Introduction", (1, "Introduction", "introduction")),
            chapter("ownership.md", "Ownership", (1, "Ownership", "ownership")),
        )
    )
    (change,) = controller.set_book(changed)
    assert change.status is BookmarkStatus.MISSING
    panel = _open_panel(qtbot, controller)
    key = row_key(_index(panel, "Rules"))
    assert key is not None
    assert panel.row_text(key).detail.startswith("Section not found")
    assert not panel.row_icon(key).isNull()
    with qtbot.waitSignal(panel.bookmark_activated) as opened:
        panel.tree.setCurrentIndex(_index(panel, "Rules"))
        qtbot.keyClick(panel.tree, Qt.Key.Key_Enter)
    assert controller.open_target(opened.args[0].id, changed) == Place("ownership.md")


# -- the window's calls -----------------------------------------------------------------------


def test_adding_removing_and_the_star_state(
    qtbot: QtBot, controller: BookmarkController, store: BookmarkStore
) -> None:
    panel = _open_panel(qtbot, controller)
    assert not controller.is_bookmarked(BOOK.identity, "errors.md#panic")
    with qtbot.waitSignal(controller.changed):
        added = controller.add_bookmark(
            BOOK, "errors.md#panic", "Panic!", place=Place("errors.md#panic", 12)
        )
    assert added is not None and added.heading_text == "Panic!"
    assert controller.is_bookmarked(BOOK.identity, "errors.md#panic")
    assert not controller.is_bookmarked(OTHER.identity, "errors.md#panic")
    assert _bookmark_rows(panel) == ["Panic!"]
    assert _titles_on_disk(store) == ["Panic!"]

    assert controller.toggle_bookmark(BOOK, "errors.md#panic") is False
    assert _bookmark_rows(panel) == [] and _titles_on_disk(store) == []
    assert controller.toggle_bookmark(BOOK, "errors.md#panic") is True
    assert _titles_on_disk(store) == ["Panic"]


# -- editing ----------------------------------------------------------------------------------


def test_f2_renames_and_the_new_title_is_saved(
    panel: BookmarksPanel, qtbot: QtBot, store: BookmarkStore
) -> None:
    panel.tree.setCurrentIndex(_index(panel, "Rules"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    editor = panel.tree.findChild(QLineEdit)
    assert editor is not None and editor.text() == "Rules"
    editor.selectAll()
    qtbot.keyClicks(editor, "The rules of ownership")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the edit is committed once back in the loop
    qtbot.waitUntil(lambda: "The rules of ownership" in _titles_on_disk(store))
    assert _bookmark_rows(panel) == ["On Linux", "The rules of ownership", "Panic"]


def test_a_double_click_on_a_title_renames(panel: BookmarksPanel, qtbot: QtBot) -> None:
    where = panel.tree.visualRect(_index(panel, "On Linux")).center()
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    editor = panel.tree.findChild(QLineEdit)
    assert editor is not None and editor.isVisible() and editor.text() == "On Linux"


def test_a_note_is_edited_in_a_dialog(
    panel: BookmarksPanel, store: BookmarkStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def type_and_save(dialog: NoteDialog) -> int:
        assert dialog.text() == "Each value has one owner.\nMore later."
        dialog.editor.setPlainText("line one\nline two")
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(NoteDialog, "exec", type_and_save)
    panel.tree.setCurrentIndex(_index(panel, "Rules"))
    panel.note_action.trigger()
    (rules,) = [b for b in store.bookmarks() if b.title == "Rules"]
    assert rules.note == "line one\nline two"
    key = row_key(_index(panel, "Rules"))
    assert key is not None and panel.row_text(key).detail.endswith("line one line two")


def test_delete_shows_undo_and_ctrl_z_brings_it_back(
    panel: BookmarksPanel, qtbot: QtBot, store: BookmarkStore
) -> None:
    panel.tree.setCurrentIndex(_index(panel, "Rules"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert _bookmark_rows(panel) == ["On Linux", "Panic"]
    assert _titles_on_disk(store) == ["On Linux", "Panic"]
    assert panel.message_bar.isVisible()
    assert panel.message_bar.label.text() == "Bookmark “Rules” deleted."
    assert panel.message_bar.undo_button.isVisible()

    qtbot.keyClick(panel.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _bookmark_rows(panel) == ["On Linux", "Rules", "Panic"]
    restored = next(b for b in store.bookmarks() if b.title == "Rules")
    assert (restored.note, restored.place_offset) == ("Each value has one owner.\nMore later.", 900)


def test_the_undo_button_restores_what_was_deleted(
    panel: BookmarksPanel, qtbot: QtBot, store: BookmarkStore
) -> None:
    panel.tree.setCurrentIndex(_index(panel, "On Linux"))
    panel.delete_action.trigger()
    qtbot.mouseClick(panel.message_bar.undo_button, Qt.MouseButton.LeftButton)
    assert _titles_on_disk(store) == ["On Linux", "Rules", "Panic"]
    assert not panel.message_bar.isVisible()


# -- order and folders ------------------------------------------------------------------------


def _drop(panel: BookmarksPanel, qtbot: QtBot, titles: list[str], row: int, on: str) -> None:
    """What the view does on a drop: on a row (``row`` -1), or between its children."""
    data = panel.model.mimeData([_index(panel, t) for t in titles])
    target = _index(panel, on)
    column = -1 if row == -1 else 0
    assert panel.model.canDropMimeData(data, Qt.DropAction.MoveAction, row, column, target)
    with qtbot.waitSignal(panel.controller.reset):
        assert not panel.model.dropMimeData(data, Qt.DropAction.MoveAction, row, column, target)


def test_drag_and_drop_reorders_and_the_order_is_saved(
    panel: BookmarksPanel, qtbot: QtBot, store: BookmarkStore
) -> None:
    _drop(panel, qtbot, ["Rules"], 0, on="Sample Book")
    assert _bookmark_rows(panel) == ["Rules", "On Linux", "Panic"]
    assert _titles_on_disk(store)[:2] == ["Rules", "On Linux"]
    panel.controller.undo_stack.undo()
    assert _titles_on_disk(store)[:2] == ["On Linux", "Rules"]


def test_a_bookmark_cannot_be_dropped_into_another_book(panel: BookmarksPanel) -> None:
    data = panel.model.mimeData([_index(panel, "Panic")])
    target = _index(panel, "Sample Book")
    assert not panel.model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, target)


def test_folders_are_made_renamed_and_filled_by_drag_and_menu(
    panel: BookmarksPanel,
    qtbot: QtBot,
    store: BookmarkStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("To read", True))
    panel.tree.setCurrentIndex(_index(panel, "Sample Book"))
    panel.new_folder_action.trigger()
    assert [f.name for f in store.folders()] == ["To read"]
    assert panel.visible_rows()[:2] == [(0, "Sample Book"), (1, "To read")]

    _drop(panel, qtbot, ["Rules"], -1, on="To read")
    assert panel.visible_rows()[:4] == [
        (0, "Sample Book"),
        (1, "To read"),
        (2, "Rules"),
        (1, "On Linux"),
    ]
    (folder,) = store.folders()
    assert [b.title for b in store.bookmarks() if b.folder_id == folder.id] == ["Rules"]

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("To read", True))
    panel.tree.setCurrentIndex(_index(panel, "On Linux"))
    panel.move_action.trigger()
    assert sorted(b.title for b in store.bookmarks() if b.folder_id == folder.id) == [
        "On Linux",
        "Rules",
    ]

    panel.tree.setCurrentIndex(_index(panel, "To read"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    editor = panel.tree.findChild(QLineEdit)
    assert editor is not None
    editor.setText("Reading list")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [f.name for f in store.folders()] == ["Reading list"])
    assert (1, "Reading list") in panel.visible_rows()


def test_the_context_menu_offers_what_fits_the_row(panel: BookmarksPanel) -> None:
    bookmark_menu = panel.context_menu(row_key(_index(panel, "Rules")))
    assert [a.text() for a in bookmark_menu.actions() if a.text()] == [
        "&Open",
        "&Rename",
        "Edit &Note…",
        "&Move to Folder…",
        "New &Folder…",
        "&Delete",
    ]
    book_menu = panel.context_menu(RowKey("k", BOOK.identity))
    assert [a.text() for a in book_menu.actions()] == ["New &Folder…"]


# -- faults -----------------------------------------------------------------------------------


def test_a_full_disk_is_shown_and_the_list_matches_the_disk(
    panel: BookmarksPanel, store: BookmarkStore
) -> None:
    assert store.database is not None
    pages = store.database.execute("PRAGMA page_count")[0][0]
    store.database.execute(f"PRAGMA max_page_count = {pages}")  # not one page more
    rules = next(b for b in store.bookmarks() if b.title == "Rules")
    panel.controller.set_note(rules.id, "a long note " * 5000)
    assert "disk is full" in panel.message_bar.label.text()
    assert panel.message_bar.isVisible()
    results = [
        panel.controller.add_bookmark(BOOK, "errors.md", "Errors", Place("errors.md", n))
        for n in range(60)
    ]
    assert results[-1] is None
    assert store.bookmark(rules.id) == panel.controller.bookmark(rules.id)  # the old note
    assert _bookmark_rows(panel) == _titles_on_disk(store)


def test_a_rename_refused_by_a_lock_keeps_the_saved_title(
    panel: BookmarksPanel, store: BookmarkStore
) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        panel.controller.rename(RowKey(BOOKMARK, str(store.bookmarks()[1].id)), "Changed")
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert "in use by another program" in panel.message_bar.label.text()
    assert _titles_on_disk(store) == ["On Linux", "Rules", "Panic"]
    assert _bookmark_rows(panel) == ["On Linux", "Rules", "Panic"]


def test_an_unwritable_data_folder_shows_why_bookmarks_are_off(
    qtbot: QtBot, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with BookmarkStore.open(blocker / "handbook") as store:
        controller = BookmarkController(store)
        controller.set_book(BOOK)
        panel = _open_panel(qtbot, controller)
        assert panel.disabled_notice.isVisible()
        assert panel.disabled_notice.text().startswith("Bookmarks are turned off: the folder")
        assert controller.add_bookmark(BOOK, "intro.md") is None
        assert not controller.enabled
        assert panel.visible_rows() == []


def test_a_restored_database_is_announced_in_the_panel(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with BookmarkStore.open(folder) as store:
        store.add(draft_for(BOOK, "intro.md"))
    (folder / "bookmarks.sqlite").write_bytes(b"garbage" * 1000)
    with BookmarkStore.open(folder) as store:
        panel = _open_panel(qtbot, BookmarkController(store))
        assert panel.message_bar.isVisible()
        assert "restored from the backup" in panel.message_bar.label.text()
        assert panel.visible_rows() == [(0, "Sample Book"), (1, "Introduction")]


def test_an_empty_list_says_how_to_add_a_bookmark(
    qtbot: QtBot, controller: BookmarkController
) -> None:
    panel = _open_panel(qtbot, controller)
    assert panel.empty_hint.isVisible() and not panel.tree.isVisible()
    assert "Ctrl+D" in panel.empty_hint.text()
    added = controller.add_bookmark(BOOK, "intro.md")
    assert added is not None
    assert panel.tree.isVisible() and not panel.empty_hint.isVisible()
    controller.remove([added.id])
    assert panel.empty_hint.isVisible()


def test_the_tree_model_passes_qt_model_checks(
    panel: BookmarksPanel, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(panel.model)
    panel.set_filter("o")
    qtmodeltester.check(panel.results)


def test_reveal_shows_a_bookmark_even_when_filtered_out_or_folded(
    panel: BookmarksPanel, controller: BookmarkController
) -> None:
    rules = next(b for b in controller.bookmarks() if b.title == "Rules")
    panel.tree.collapse(_index(panel, "Sample Book"))
    panel.set_filter("panic")
    panel.reveal(rules.id)
    assert not panel.filtering() and panel.tree.isVisible()
    assert row_key(panel.tree.currentIndex()) == RowKey(BOOKMARK, str(rules.id))
    assert panel.tree.isExpanded(_index(panel, "Sample Book"))
