"""The Library window as a reader uses it: a thousand books added from a folder, scrolled."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from handbook.core.library.store import FoundBook, LibraryBook, LibraryStore
from handbook.ui.library.dialog import LibraryDialog

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

SHELF_BOOKS = 1000
WAIT_MS = 120_000


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a thousand small mdBook books."""
    root = tmp_path_factory.mktemp("shelf")
    for n in range(SHELF_BOOKS):
        book = root / f"book-{n:04d}"
        (book / "src").mkdir(parents=True)
        (book / "book.toml").write_text(f'[book]\ntitle = "Book {n:04d}"\n', encoding="utf-8")
        (book / "src" / "SUMMARY.md").write_text("# Summary\n\n- [One](one.md)\n")
        (book / "src" / "one.md").write_text("# One\n\nText.\n", encoding="utf-8")
    return root


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> LibraryDialog:
    guide = LibraryBook(tmp_path / "guide", "The Guide", "mdbook", 0.0, None, bundled=True)
    widget = LibraryDialog(tmp_path / "data", guide)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def stored(tmp_path: Path) -> list[str]:
    with LibraryStore.open(tmp_path / "data") as library:
        return [b.title for b in library.books()]


def test_a_folder_of_a_thousand_books_is_added_while_the_window_keeps_answering(
    qtbot: QtBot, dialog: LibraryDialog, shelf: Path, tmp_path: Path
) -> None:
    seen: list[str] = []  # what the progress said each time a timer fired meanwhile
    timer = QTimer(dialog)
    timer.setInterval(5)
    timer.timeout.connect(lambda: seen.append(dialog.scan_label.text()))
    timer.start()
    dialog.add_path(shelf)
    assert dialog.cancel_button.isVisible() and not dialog.add_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.scan.is_running(), timeout=WAIT_MS)
    timer.stop()
    reading = {text for text in seen if text.startswith("Reading ")}
    assert len(reading) >= 2, seen[-5:]  # the UI thread ran between the books read
    assert f"of {SHELF_BOOKS:,} books…" in next(iter(reading))
    assert dialog.note.text() == f"Added {SHELF_BOOKS:,} books."
    assert not dialog.cancel_button.isVisible() and dialog.add_button.isEnabled()
    titles = dialog.titles()
    assert len(titles) == SHELF_BOOKS + 1 and titles[0] == "The Guide"
    assert len(stored(tmp_path)) == SHELF_BOOKS

    last = dialog.model.index(SHELF_BOOKS, 0)
    viewport = dialog.tree.viewport().rect()
    assert not viewport.contains(dialog.tree.visualRect(last).center())
    dialog.tree.scrollToBottom()  # the list scrolls to its last book
    assert viewport.contains(dialog.tree.visualRect(last).center())
    assert dialog.tree.indexAt(dialog.tree.visualRect(last).center()).data() == titles[-1]

    dialog.add_path(shelf / "book-0007")  # a book added twice: one entry
    qtbot.waitUntil(lambda: not dialog.scan.is_running(), timeout=WAIT_MS)
    assert dialog.note.text() == "Added 0 books (1 already in the library)."
    assert len(stored(tmp_path)) == SHELF_BOOKS


def test_cancel_stops_the_scan_and_adds_nothing(
    qtbot: QtBot, dialog: LibraryDialog, shelf: Path, tmp_path: Path
) -> None:
    with LibraryStore.open(tmp_path / "data") as library:
        library.add(FoundBook(tmp_path / "kept", "Kept", "mdbook"))
    dialog.refresh()
    dialog.add_path(shelf)
    qtbot.waitUntil(lambda: dialog.scan_label.text().startswith("Reading "), timeout=WAIT_MS)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.scan.is_running(), timeout=WAIT_MS)
    assert dialog.note.text() == "Adding was cancelled: nothing was added."
    assert stored(tmp_path) == ["Kept"]
    assert dialog.titles() == ["The Guide", "Kept (missing)"]


def test_a_path_with_no_book_says_so(qtbot: QtBot, dialog: LibraryDialog, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    dialog.add_path(tmp_path / "empty")
    qtbot.waitUntil(lambda: not dialog.scan.is_running(), timeout=WAIT_MS)
    assert dialog.note.text().startswith("Nothing was added: ")
    assert stored(tmp_path) == []


def test_closing_the_window_while_adding_cancels_it(
    qtbot: QtBot, dialog: LibraryDialog, shelf: Path, tmp_path: Path
) -> None:
    dialog.add_path(shelf)
    qtbot.waitUntil(lambda: dialog.scan_label.text().startswith("Reading "), timeout=WAIT_MS)
    dialog.close()
    assert not dialog.scan.is_running()
    qtbot.wait(100)  # anything the stopped scan would still say
    assert stored(tmp_path) == []
    assert dialog.note.text() == "Adding was cancelled: nothing was added."
