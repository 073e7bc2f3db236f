"""The library as a window of its own (Book > Library…): every book opened or added.

Title, layout, where it is and when it was last read; the bundled guide first; a book whose
folder has gone shown as missing (it cannot be opened, it can be removed). Open (or a double
click) asks the window to open the book (:attr:`LibraryDialog.open_requested`); Remove forgets
it (its files and bookmarks are kept); Add Books… adds a book folder, or every book found in a
folder of them, looked for on a worker thread (:mod:`handbook.ui.library.scan`) with its
progress and a Cancel. The books are rows of a model shown by one view (a thousand books are
a thousand rows, not a thousand widgets; only the rows on screen are drawn, the columns sized
from the first rows). Given the data folder and the guide: it holds no window.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from handbook.core.library.store import LibraryBook, LibraryStore, canonical
from handbook.core.storage.pathtext import displayable
from handbook.ui.library.scan import FolderScan

LAYOUTS = {"mdbook": "mdBook", "mkdocs": "MkDocs", "folder": "Folder", "file": "File"}
COLUMNS = ("Title", "Layout", "Location", "Last read")
BOOK_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's LibraryBook
SIZED_ROWS = 50  # rows measured to size the columns
AnyIndex = QModelIndex | QPersistentModelIndex


class LibraryModel(QAbstractTableModel):
    """The library's books, one row each, as listed (the guide first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._books: list[LibraryBook] = []

    def set_books(self, books: list[LibraryBook]) -> None:
        self.beginResetModel()
        self._books = books
        self.endResetModel()

    def book(self, row: int) -> LibraryBook | None:
        return self._books[row] if 0 <= row < len(self._books) else None

    def row_of(self, location: Path) -> int:
        key = canonical(location)
        return next((i for i, b in enumerate(self._books) if b.location == key), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._books)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        book = self.book(index.row()) if index.isValid() else None
        if book is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(book, index.column())
        if role == BOOK_ROLE:
            return book
        if book.missing and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(Qt.GlobalColor.gray)
        if book.missing and role == Qt.ItemDataRole.ToolTipRole:
            return f"Nothing is at {displayable(str(book.location))} now"
        return None


def _cell(book: LibraryBook, column: int) -> str:
    if column == 0:
        return f"{book.title} (missing)" if book.missing else book.title
    if column == 1:
        return LAYOUTS.get(book.format, book.format)
    if column == 2:
        return displayable(str(book.location))
    if book.bundled:
        return "bundled"
    if book.last_read:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(book.last_read))
    return "never"


class LibraryDialog(QDialog):
    open_requested = Signal(str)  # the book's location

    def __init__(self, data_dir: Path, guide: LibraryBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("library_dialog")
        self.setWindowTitle("Library")
        self._data_dir = data_dir
        self._guide = guide
        self.note = QLabel()
        self.note.setObjectName("library_note")
        self.note.setWordWrap(True)
        self.model = LibraryModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("library_books")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)  # rows laid out without measuring each
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setResizeContentsPrecision(SIZED_ROWS)
        self.scan = FolderScan(data_dir, self)
        self.scan_label = QLabel()
        self.scan_label.setObjectName("library_scan")
        self.scan_bar = QProgressBar()
        self.scan_bar.setObjectName("library_scan_progress")
        self.scan_bar.setTextVisible(False)
        self.scan_bar.setAccessibleName("Looking for books")
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("library_scan_cancel")
        scanning = QHBoxLayout()
        scanning.addWidget(self.scan_label, 1)
        scanning.addWidget(self.scan_bar, 1)
        scanning.addWidget(self.cancel_button)
        self._scan_row = QWidget()
        self._scan_row.setLayout(scanning)
        self._scan_row.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.add_button = QPushButton("&Add Books…")
        self.add_button.setToolTip("A book's folder, or a folder holding several books")
        self.open_button = QPushButton("&Open")
        self.remove_button = QPushButton("&Remove from Library")
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self._scan_row)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.close)
        self.add_button.clicked.connect(self.choose_and_add)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.cancel_button.clicked.connect(self.scan.cancel)
        self.scan.progress.connect(self._on_scan_progress)
        self.scan.finished.connect(self._on_scan_finished)
        self.scan.failed.connect(self._on_scan_failed)
        self.scan.cancelled.connect(self._on_scan_cancelled)
        self.tree.activated.connect(lambda index: self.open_selected())
        self.tree.selectionModel().currentChanged.connect(
            lambda current, previous: self._update_buttons()
        )
        self.resize(760, 420)
        self.refresh()

    def refresh(self) -> None:
        """The books as stored now (the library read again)."""
        with LibraryStore.open(self._data_dir) as store:
            reason = store.disabled_reason or store.recovery_message
            books = [self._guide] if store.disabled_reason else store.books()
        self._show(books, reason)

    def _show(self, books: list[LibraryBook], reason: str | None = None) -> None:
        books = [self._guide, *(b for b in books if b.location != self._guide.location)]
        self.note.setText(reason or f"{len(books):,} books")
        self.model.set_books(books)
        for column in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(column)  # from the first SIZED_ROWS rows
        if books:
            self.tree.setCurrentIndex(self.model.index(0, 0))
        self._update_buttons()

    def titles(self) -> list[str]:
        """The Title column, top to bottom (what the reader sees)."""
        return [str(self.model.index(row, 0).data()) for row in range(self.model.rowCount())]

    def select(self, location: Path) -> None:
        row = self.model.row_of(location)
        if row >= 0:
            index = self.model.index(row, 0)
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def _selected(self) -> LibraryBook | None:
        return self.model.book(self.tree.currentIndex().row())

    def _update_buttons(self) -> None:
        book = self._selected()
        self.open_button.setEnabled(book is not None and not book.missing)
        self.remove_button.setEnabled(book is not None and not book.bundled)

    @Slot()
    def open_selected(self) -> None:
        book = self._selected()
        if book is not None and not book.missing:
            self.open_requested.emit(str(book.location))

    @Slot()
    def remove_selected(self) -> None:
        book = self._selected()
        if book is None or book.bundled:
            return
        with LibraryStore.open(self._data_dir) as store:
            if store.disabled_reason is None:
                store.remove(book.location)
        self.refresh()
        self.note.setText(f"Removed {book.title} (its files and bookmarks are kept).")

    # -- adding books ------------------------------------------------------------------------

    @Slot()
    def choose_and_add(self) -> None:
        """Add Books…: a folder chosen, then looked through for books (see :meth:`add_path`)."""
        folder = QFileDialog.getExistingDirectory(self, "Add a Book or a Folder of Books")
        if folder:
            self.add_path(Path(folder))

    def add_path(self, path: Path) -> None:
        """Add the book at ``path``, or every book in the folder ``path``: looked for on a
        worker thread, its progress shown, Cancel stopping it (then nothing is added)."""
        self.add_button.setEnabled(False)
        self.scan_bar.setRange(0, 0)
        self.scan_label.setText(f"Looking for books in {displayable(str(path))}…")
        self._scan_row.show()
        self.cancel_button.setFocus()
        self.scan.start(path)

    @Slot(int, int)
    def _on_scan_progress(self, done: int, total: int) -> None:
        if total:
            self.scan_bar.setRange(0, total)
            self.scan_bar.setValue(done)
            self.scan_label.setText(f"Reading {done + 1:,} of {total:,} books…")
        else:
            self.scan_label.setText(f"Looking for books… {done:,} found")

    def _scan_over(self, message: str, books: list[LibraryBook] | None = None) -> None:
        self._scan_row.hide()
        self.add_button.setEnabled(True)
        if books is None:
            self.refresh()
        else:
            self._show(books)  # read by the scan's thread
        self.note.setText(message)

    @Slot(int, int, object, object)
    def _on_scan_finished(
        self, found: int, new: int, skipped: list[str], books: list[LibraryBook]
    ) -> None:
        known = found - new
        message = f"Added {new:,} book{'s' if new != 1 else ''}"
        if known:
            message += f" ({known:,} already in the library)"
        message += "."
        if skipped:
            message += f" {len(skipped):,} could not be opened: {skipped[0]}"
            message += " (and more)" if len(skipped) > 1 else ""
        self._scan_over(message, books)

    @Slot(str)
    def _on_scan_failed(self, message: str) -> None:
        self._scan_over(f"Nothing was added: {message}")

    @Slot()
    def _on_scan_cancelled(self) -> None:
        self._scan_over("Adding was cancelled: nothing was added.")

    def hideEvent(self, event: QHideEvent) -> None:
        """Closed (Close, Esc, the window's close) while adding: the adding is cancelled (not
        when the window system hides it: the main window minimised)."""
        if self.scan.is_running() and not event.spontaneous():
            self.scan.stop()
            self._scan_over("Adding was cancelled: nothing was added.")
        super().hideEvent(event)
