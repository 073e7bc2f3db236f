"""How fast the bookmarks panel is with 10,000 bookmarks; prints a table, asserts nothing.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=src .venv/bin/python benchmarks/bench_bookmarks.py

Measured, each the median of several runs, painting included (``repaint()``):

- load: read every bookmark from the database into the controller (at start-up: the star
  button needs it before any panel is shown);
- open: build the panel over the loaded controller, fill it, show it;
- keystroke: one more (or one fewer) letter in the filter box;
- add: one bookmark saved (a committed transaction) and shown.

Targets at 10,000 bookmarks: open <= 100 ms, keystroke <= 16 ms, add <= 10 ms. Beside them: the
same panel with 100 bookmarks, and a naive panel at 10,000 (a QStandardItemModel with a column
per field under a QSortFilterProxyModel filtering in Python), which is what the real one avoids.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QTreeView, QVBoxLayout, QWidget  # noqa: E402
from tests.helpers.bookmark_writer import sample_book  # noqa: E402

from handbook.core.bookmarks.model import Folder, Snapshot  # noqa: E402
from handbook.core.bookmarks.reanchor import draft_for  # noqa: E402
from handbook.core.bookmarks.store import BookmarkStore  # noqa: E402
from handbook.core.reading.place import Place  # noqa: E402
from handbook.ui.bookmarks.controller import BookmarkController  # noqa: E402
from handbook.ui.bookmarks.panel import BookmarksPanel  # noqa: E402

BOOKS = [
    sample_book(Path(f"/books/{n}"), identity=f"book-{n}", title=f"Book {n}") for n in range(5)
]
_WORD_LIST = (
    "ownership borrowing lifetimes traits generics closures iterators errors panic result option "
    "vectors strings hash maps modules crates testing threads channels mutex smart pointers box "
    "pattern matching enums structs macros unsafe async await cargo workspace documentation"
)
WORDS = _WORD_LIST.split()
TYPED = "ownership"  # typed one letter at a time, then erased


def _fill(folder: Path, count: int, rng: random.Random) -> None:
    sections = ["intro.md#on-linux", "ownership.md#rules", "errors.md#panic", "intro.md"]
    folders = [
        Folder(n + 1, BOOKS[n % len(BOOKS)].identity, f"Folder {n}", None, n, 0.0)
        for n in range(50)
    ]
    bookmarks = []
    for n in range(count):
        book = BOOKS[n % len(BOOKS)]
        section = sections[n % len(sections)]
        draft = draft_for(book, section, place=Place(section, n))
        title = " ".join(rng.sample(WORDS, 3)).capitalize() + f" {n}"
        note = " ".join(rng.choices(WORDS, k=rng.randrange(0, 40)))
        in_folder = (
            folders[n % 50]
            if n % 3 == 0 and folders[n % 50].book_identity == book.identity
            else None
        )
        bookmarks.append(
            _bookmark(n + 1, draft, title, note, in_folder.id if in_folder else None, n)
        )
    with BookmarkStore.open(folder) as store:
        store.merge(Snapshot(tuple(folders), tuple(bookmarks)))


def _bookmark(
    bookmark_id: int, draft: object, title: str, note: str, folder_id: int | None, position: int
) -> object:
    from handbook.core.bookmarks.model import Bookmark

    fields = dict(vars(draft))
    return Bookmark(
        id=bookmark_id,
        title=title,
        note=note,
        folder_id=folder_id,
        position=position,
        created=1_700_000_000.0 + position,
        **fields,
    )


class Measured:
    def __init__(self) -> None:
        self.load: list[float] = []
        self.open: list[float] = []
        self.keystroke: list[float] = []
        self.add: list[float] = []
        self.slowest_keystroke = ""


def _keystrokes() -> list[str]:
    """The filter's text after each key: typed one letter at a time, then erased."""
    typed = [TYPED[: n + 1] for n in range(len(TYPED))]
    return typed + [TYPED[:n] for n in range(len(TYPED) - 1, -1, -1)]


def measure_panel(app: QApplication, folder: Path, runs: int = 5) -> Measured:
    result = Measured()
    for _ in range(runs):
        with BookmarkStore.open(folder) as store:
            _measure_panel_once(app, store, result)
    return result


def _measure_panel_once(app: QApplication, store: BookmarkStore, result: Measured) -> None:
    start = time.perf_counter()
    controller = BookmarkController(store)
    controller.set_book(BOOKS[0])
    result.load.append(_since(start))

    start = time.perf_counter()
    panel = BookmarksPanel(controller)
    panel.resize(420, 800)
    panel.show()
    panel.repaint()
    result.open.append(_since(start))
    app.processEvents()

    for text in _keystrokes():
        start = time.perf_counter()
        panel.filter_edit.setText(text)
        panel.repaint()
        result.keystroke.append(_since(start))
        if result.keystroke[-1] == max(result.keystroke):
            result.slowest_keystroke = repr(text)

    for n in range(10):
        start = time.perf_counter()
        controller.add_bookmark(
            BOOKS[0], "errors.md#panic", f"Added {n}", place=Place("errors.md#panic", n)
        )
        panel.repaint()
        result.add.append(_since(start))
    panel.close()
    panel.deleteLater()
    app.processEvents()


def _since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


class NaiveFilter(QSortFilterProxyModel):
    """The obvious way: a Python filterAcceptsRow reading every column of every row."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        source = self.sourceModel()
        if source.hasChildren(source.index(row, 0, parent)):
            return True
        if not self.text:
            return True
        values = (source.index(row, c, parent).data() for c in range(3))
        return any(self.text in str(v).casefold() for v in values)

    def set_text(self, text: str) -> None:
        self.text = text
        self.invalidate()


def measure_naive(app: QApplication, folder: Path, runs: int = 3) -> Measured:
    result = Measured()
    for _ in range(runs):
        with BookmarkStore.open(folder) as store:
            _measure_naive_once(app, store, result)
    return result


def _measure_naive_once(app: QApplication, store: BookmarkStore, result: Measured) -> None:
    start = time.perf_counter()
    bookmarks = store.bookmarks()
    result.load.append(_since(start))

    start = time.perf_counter()
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["Title", "Where", "Note", "Date"])
    books: dict[str, QStandardItem] = {}
    for b in bookmarks:
        book = books.get(b.book_identity)
        if book is None:
            book = books[b.book_identity] = QStandardItem(b.book_title)
            model.appendRow(book)
        day = time.strftime("%Y-%m-%d", time.localtime(b.created))
        book.appendRow([QStandardItem(t) for t in (b.title, b.breadcrumb, b.note[:80], day)])
    proxy = NaiveFilter()
    proxy.setSourceModel(model)
    widget = QWidget()
    edit = QLineEdit(widget)
    tree = QTreeView(widget)
    tree.setModel(proxy)
    tree.expandAll()
    layout = QVBoxLayout(widget)
    layout.addWidget(edit)
    layout.addWidget(tree)
    widget.resize(420, 800)
    widget.show()
    widget.repaint()
    result.open.append(_since(start))

    for text in _keystrokes():
        start = time.perf_counter()
        edit.setText(text)
        proxy.set_text(text)
        tree.expandAll()
        widget.repaint()
        result.keystroke.append(_since(start))

    for n in range(10):
        start = time.perf_counter()
        bookmark = store.add(
            draft_for(BOOKS[0], "errors.md#panic", place=Place("errors.md#panic", n))
        )
        books[bookmark.book_identity].appendRow([QStandardItem(bookmark.title)])
        widget.repaint()
        result.add.append(_since(start))
    widget.close()
    widget.deleteLater()
    app.processEvents()


def main() -> None:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as temp:
        small, large = Path(temp) / "small", Path(temp) / "large"
        started = time.perf_counter()
        _fill(small, 100, rng)
        _fill(large, 10_000, rng)
        print(f"(filled the stores in {time.perf_counter() - started:.1f} s)")
        measure_panel(app, small, runs=1)  # warm-up: fonts, styles, first-use costs
        results = {
            "panel, 100": measure_panel(app, small),
            "panel, 10,000": measure_panel(app, large),
            "naive, 10,000": measure_naive(app, large),
        }
    targets = {"load": "", "open": "<= 100", "keystroke": "<= 16", "add": "<= 10"}
    names = list(results)
    print()
    print(f"{'median ms':<14}" + "".join(f"{n:>16}" for n in names) + f"{'target (10,000)':>18}")
    for what, target in targets.items():
        cells = "".join(f"{statistics.median(getattr(results[n], what)):>16.1f}" for n in names)
        print(f"{what:<14}{cells}{target:>18}")
    worst = results["panel, 10,000"]
    print()
    print(
        f"panel, 10,000, slowest: load {max(worst.load):.1f} ms, open {max(worst.open):.1f} ms, "
        f"keystroke {max(worst.keystroke):.1f} ms (to {worst.slowest_keystroke}), "
        f"add {max(worst.add):.1f} ms"
    )


if __name__ == "__main__":
    main()
