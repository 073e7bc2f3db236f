"""Searching every book of the library from the search panel ("All books"), as a reader does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.library.store import FoundBook, LibraryBook, LibraryStore
from handbook.core.search.index import IndexCache, SearchIndex
from handbook.core.search.sections import Progress
from handbook.ui.app.settings import SEARCH_SCOPE
from handbook.ui.search.library_worker import LibrarySearchRunner
from handbook.ui.search.panel import HEADER_ROLE, BookHeader, SearchPanel
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book
from tests.helpers.page_top import text_at_top
from tests.ui.conftest import MakeServices

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

WAIT_MS = 20_000
FILLER = "Plain words about nothing in particular, to make the section longer. " * 6


def shelf_book(root: Path, title: str, chapters: dict[str, str]) -> Path:
    summary = "# Summary\n\n" + "".join(
        f"- [{text.splitlines()[0].lstrip('# ')}]({name})\n" for name, text in chapters.items()
    )
    return write_book(root, summary, chapters, toml=f'[book]\ntitle = "{title}"\n')


@pytest.fixture
def shelf(tmp_path: Path) -> dict[str, Path]:
    """The open book (no samovar in it) and two more: Alpha and Beta, both about samovars."""
    return {
        "Home": shelf_book(tmp_path / "home", "Home", {"intro.md": "# Intro\n\nWelcome.\n"}),
        "Alpha": shelf_book(
            tmp_path / "alpha",
            "Alpha",
            {
                "boil.md": f"# Boiling\n\n{FILLER}\n\nSamovar, samovar: the samovar boils.\n",
                "tea.md": f"# Tea\n\n{FILLER} A samovar once. {FILLER}\n",
            },
        ),
        "Beta": shelf_book(
            tmp_path / "beta",
            "Beta",
            {
                "pots.md": f"# Pots\n\n{FILLER}\n\n{FILLER}\n\n## Samovars\n\n"
                + "The samovar sings.\n\n"
                + f"{FILLER}\n\n" * 40,
            },
        ),
    }


def rows(panel: SearchPanel) -> list[str]:
    """The list as the reader sees it: '== Book — n results' headers, then hit titles."""
    model = panel.results_view.model()
    shown = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        header = index.data(HEADER_ROLE)
        shown.append(f"== {header.text()}" if isinstance(header, BookHeader) else index.data())
    return shown


def groups(shown: list[str]) -> dict[str, list[str]]:
    """The rows by header (each hit row below a header)."""
    grouped: dict[str, list[str]] = {}
    assert shown and shown[0].startswith("== ")
    for row in shown:
        if row.startswith("== "):
            header = row[3:]
            grouped[header] = []
        else:
            grouped[header].append(row)
    return grouped


def test_all_books_finds_hits_in_two_books_grouped_and_opens_the_other_book_at_the_hit(
    qtbot: QtBot, make_services: MakeServices, shelf: dict[str, Path], tmp_path: Path
) -> None:
    with LibraryStore.open(tmp_path / "data") as library:
        for title in ("Alpha", "Beta"):
            library.add(FoundBook(shelf[title], title, "mdbook"))
    services = make_services()
    window = MainWindow(load_book(shelf["Home"]), services=services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()

    def recorded() -> bool:  # the open book joins the library after its first page
        with LibraryStore.open(tmp_path / "data") as library:
            return library.book(shelf["Home"]) is not None

    qtbot.waitUntil(recorded)
    window.show_search()
    panel = window.search_panel
    qtbot.waitUntil(panel.field.hasFocus)
    assert panel.field.placeholderText() == "Search this book"
    qtbot.keyClick(panel.field, Qt.Key.Key_Tab)  # the scope is next in the Tab chain
    qtbot.waitUntil(panel.scope.hasFocus)
    qtbot.keyClick(panel.scope, Qt.Key.Key_Down)
    assert panel.scope.currentText() == "All books"
    assert panel.field.placeholderText() == "Search all books"
    assert services.settings.get(SEARCH_SCOPE) == "all"

    qtbot.keyClicks(panel.field, "samovar")
    qtbot.waitUntil(lambda: "== Beta — 1 result" in rows(panel), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.library_note.isVisible(), timeout=WAIT_MS)
    assert groups(rows(panel)) == {
        "Alpha — 2 results": ["Boiling", "Tea"],
        "Beta — 1 result": ["Samovars"],
    }
    assert panel.status_label.text() == "3 results in 2 of 4 books"  # the guide, Home too
    assert panel.results_view.currentIndex().row() == 1  # the best hit, under its book

    beta_hit = panel.results_view.model().index(rows(panel).index("Samovars"), 0)
    rect = panel.results_view.visualRect(beta_hit)
    qtbot.mouseClick(panel.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.book().title == "Beta"
    assert window.viewer.current_chapter() == "pots.md"
    qtbot.waitUntil(lambda: text_at_top(window.viewer).startswith("Samovars"))
    marked = [s.cursor.selectedText().lower() for s in window.viewer.extraSelections()]
    assert marked and all(word.startswith("samovar") for word in marked)  # the words highlighted
    assert "Beta — 1 result" in groups(rows(panel))  # the list stays as it was

    window.close()


@pytest.fixture
def two_books(shelf: dict[str, Path]) -> list[LibraryBook]:
    return [LibraryBook(shelf[title], title, "mdbook", 0.0, None) for title in ("Alpha", "Beta")]


@pytest.fixture
def gated() -> Iterator[dict[str, threading.Event]]:
    """A gate per book title: its index is opened only once its gate is set."""
    gates = {"Alpha": threading.Event(), "Beta": threading.Event()}
    yield gates
    for gate in gates.values():
        gate.set()


def gated_open(gates: dict[str, threading.Event]):  # type: ignore[no-untyped-def]
    def open_index(book: Book, progress: Progress) -> SearchIndex:
        while not gates[book.title].wait(0.005):
            progress(0, 1)  # raises once the run is no longer wanted
        return IndexCache(None).open(book, progress)

    return open_index


def test_books_are_indexed_one_after_another_with_progress_and_hits_join_as_they_are_ready(
    qtbot: QtBot, two_books: list[LibraryBook], gated: dict[str, threading.Event]
) -> None:
    library = LibrarySearchRunner(None, lambda: two_books, open_index=gated_open(gated))
    panel = SearchPanel(None, library=library)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_all_books(True)
    qtbot.waitUntil(lambda: panel.library_note.text() == "Indexing 1 of 2 books…")
    assert panel.library_note.isVisible() and panel.progress_bar.isVisible()
    qtbot.keyClicks(panel.field, "samovar")  # typed while no book is ready: answered later
    gated["Alpha"].set()
    qtbot.waitUntil(lambda: panel.library_note.text() == "Indexing 2 of 2 books…")
    qtbot.waitUntil(lambda: rows(panel) == ["== Alpha — 2 results", "Boiling", "Tea"])
    assert panel.current_hit() is not None and panel.current_hit().title == "Boiling"  # type: ignore[union-attr]
    assert panel.status_label.text() == "2 results in 1 of 1 book"
    gated["Beta"].set()
    qtbot.waitUntil(lambda: "== Beta — 1 result" in rows(panel), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.library_note.isVisible())
    assert not panel.progress_bar.isVisible()
    assert panel.status_label.text() == "3 results in 2 of 2 books"
    panel.stop()


def test_a_missing_book_is_skipped_and_named_and_the_others_are_searched(
    qtbot: QtBot, two_books: list[LibraryBook], tmp_path: Path
) -> None:
    gone = LibraryBook(tmp_path / "unplugged" / "book", "Gone", "mdbook", 0.0, None, missing=True)
    library = LibrarySearchRunner(tmp_path / "cache", lambda: [gone, *two_books])
    panel = SearchPanel(tmp_path / "cache", library=library)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_all_books(True)
    panel.field.setText("samovar")
    qtbot.waitUntil(lambda: "== Beta — 1 result" in rows(panel), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.progress_bar.isVisible(), timeout=WAIT_MS)
    assert panel.library_note.isVisible()
    assert panel.library_note.text() == (
        f"Skipped: Gone is missing (nothing at {tmp_path / 'unplugged' / 'book'} now)"
    )
    assert panel.status_label.text() == "3 results in 2 of 2 books"
    panel.set_all_books(False)  # this book only: the library's note is not shown
    assert not panel.library_note.isVisible()
    panel.stop()


def test_a_hit_says_whether_the_reader_asked_for_a_new_tab(
    qtbot: QtBot, two_books: list[LibraryBook]
) -> None:
    library = LibrarySearchRunner(None, lambda: two_books)
    panel = SearchPanel(None, library=library, debounce_ms=0)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_all_books(True)
    panel.field.setText("samovar")
    qtbot.waitUntil(lambda: len(rows(panel)) == 5, timeout=WAIT_MS)
    opened: list[tuple[str, str, bool]] = []
    panel.library_hit_activated.connect(
        lambda found, new_tab: opened.append((found.book.title, found.hit.title, new_tab))
    )
    viewport = panel.results_view.viewport()
    model = panel.results_view.model()
    shown = rows(panel)

    def centre(title: str):  # type: ignore[no-untyped-def]
        return panel.results_view.visualRect(model.index(shown.index(title), 0)).center()

    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre("== Beta — 1 result"))
    assert opened == []  # a book's header opens nothing
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, ctrl, centre("Tea"))
    qtbot.mouseClick(viewport, Qt.MouseButton.MiddleButton, pos=centre("Samovars"))
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # not a double click
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre("Boiling"))
    panel.field.setFocus()
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)  # from Boiling down: Tea
    qtbot.keyClick(panel.field, Qt.Key.Key_Return, ctrl)
    assert opened == [
        ("Alpha", "Tea", True),
        ("Beta", "Samovars", True),
        ("Alpha", "Boiling", False),
        ("Alpha", "Tea", True),
    ]
    second = [r for r, text in enumerate(shown) if text.startswith("== ")][1]
    panel.results_view.setCurrentIndex(model.index(second - 1, 0))  # the first book's last hit
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)  # the next book's header is passed over
    assert panel.results_view.currentIndex().row() == second + 1
    qtbot.keyClick(panel.field, Qt.Key.Key_Up)
    assert panel.results_view.currentIndex().row() == second - 1
    panel.stop()


def test_the_scope_is_remembered(
    qtbot: QtBot, make_services: MakeServices, two_books: list[LibraryBook]
) -> None:
    settings = make_services().settings
    first = SearchPanel(None, library=LibrarySearchRunner(None, lambda: []), settings=settings)
    qtbot.addWidget(first)
    assert first.scope.currentText() == "This book"
    first.set_all_books(True)
    first.stop()
    again = SearchPanel(None, library=LibrarySearchRunner(None, lambda: []), settings=settings)
    qtbot.addWidget(again)
    assert again.scope.currentText() == "All books" and again.all_books()
    again.stop()


def test_a_book_added_to_the_library_is_searched_the_next_time_search_is_asked_for(
    qtbot: QtBot, two_books: list[LibraryBook]
) -> None:
    listed = two_books[:1]
    library = LibrarySearchRunner(None, lambda: list(listed))
    panel = SearchPanel(None, library=library, debounce_ms=0)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_all_books(True)
    panel.field.setText("samovar")
    qtbot.waitUntil(lambda: rows(panel) == ["== Alpha — 2 results", "Boiling", "Tea"])
    qtbot.waitUntil(lambda: not library.is_indexing())
    listed.append(two_books[1])  # Beta added (Book > Library…, or another window)
    panel.focus_search()  # Ctrl+K
    qtbot.waitUntil(lambda: "== Beta — 1 result" in rows(panel), timeout=WAIT_MS)
    assert panel.status_label.text() == "3 results in 2 of 2 books"
    panel.stop()


def test_the_grouped_model_passes_qt_model_tester(
    qtmodeltester,
    two_books: list[LibraryBook],  # type: ignore[no-untyped-def]
) -> None:
    from handbook.core.search.index import SearchHit
    from handbook.core.search.library import BookHit, LibraryResults
    from handbook.ui.search.panel import LibraryResultsModel

    model = LibraryResultsModel()
    qtmodeltester.check(model, force_py=True)
    alpha, beta = two_books
    hit = SearchHit("a.md#b", "a.md", "b", "B", "A › B", "x <b>y</b>", 2.0, ("y",))
    found = (BookHit(alpha, hit), BookHit(beta, hit), BookHit(alpha, hit))
    totals = ((str(alpha.location), 5), (str(beta.location), 1))
    model.set_results(LibraryResults("y", found, 6, 2, None, totals))
    qtmodeltester.check(model, force_py=True)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "Alpha — 5 results", "B", "B", "Beta — 1 result", "B"
    ]  # fmt: skip
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.index(4, 0).data(Qt.ItemDataRole.ToolTipRole) == "Beta › A › B"


def test_the_open_book_edited_on_disk_is_searched_anew_in_all_books(
    qtbot: QtBot, make_services: MakeServices, shelf: dict[str, Path], tmp_path: Path
) -> None:
    with LibraryStore.open(tmp_path / "data") as library:
        for title in ("Home", "Alpha"):
            library.add(FoundBook(shelf[title], title, "mdbook"))
    window = MainWindow(load_book(shelf["Home"]), services=make_services())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_search()
    panel = window.search_panel
    panel.set_all_books(True)
    qtbot.keyClicks(panel.field, "samovar")
    qtbot.waitUntil(lambda: "== Alpha — 2 results" in rows(panel), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.library_note.isVisible(), timeout=WAIT_MS)
    assert "Home — 1 result" not in groups(rows(panel))
    intro = shelf["Home"] / "src" / "intro.md"
    intro.write_text("# Intro\n\nWelcome. The samovar is on.\n", encoding="utf-8")
    qtbot.waitUntil(lambda: "Home — 1 result" in groups(rows(panel)), timeout=WAIT_MS)
    assert groups(rows(panel))["Alpha — 2 results"] == ["Boiling", "Tea"]
    window.close()
