"""The library as a window of its own (Book > Library…): every book opened or added.

Title, layout, where it is and when it was last read; the bundled guide first; a book whose
folder has gone shown as missing (it cannot be opened, it can be removed). Open (or a double
click) asks the window to open the book (:attr:`LibraryDialog.open_requested`); Remove forgets
it (its files and bookmarks are kept). Given the data folder and the guide: it holds no window.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from handbook.core.library.store import LibraryBook, LibraryStore, canonical
from handbook.core.storage.pathtext import displayable

LAYOUTS = {"mdbook": "mdBook", "mkdocs": "MkDocs", "folder": "Folder", "file": "File"}
COLUMNS = ("Title", "Layout", "Location", "Last read")
_PATH_ROLE = Qt.ItemDataRole.UserRole


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
        self.tree = QTreeWidget()
        self.tree.setObjectName("library_books")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("&Open")
        self.remove_button = QPushButton("&Remove from Library")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.close)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.tree.itemActivated.connect(lambda item, column: self.open_selected())
        self.tree.currentItemChanged.connect(lambda current, previous: self._update_buttons())
        self.resize(760, 420)
        self.refresh()

    def refresh(self) -> None:
        """The books as stored now (the library read again)."""
        with LibraryStore.open(self._data_dir) as store:
            reason = store.disabled_reason or store.recovery_message
            books = [self._guide] if store.disabled_reason else store.books()
        books = [self._guide, *(b for b in books if b.location != self._guide.location)]
        self.note.setText(reason or f"{len(books)} books")
        self.tree.clear()
        for book in books:
            self.tree.addTopLevelItem(_row(book))
        for column in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(column)
        rows = self._items()
        if rows:
            self.tree.setCurrentItem(rows[0])
        self._update_buttons()

    def _items(self) -> list[QTreeWidgetItem]:
        found = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in found if item is not None]

    def titles(self) -> list[str]:
        """The Title column, top to bottom (what the reader sees)."""
        return [item.text(0) for item in self._items()]

    def select(self, location: Path) -> None:
        for item in self._items():
            if item.data(0, _PATH_ROLE) == str(canonical(location)):
                self.tree.setCurrentItem(item)

    def _selected(self) -> tuple[QTreeWidgetItem | None, LibraryBook | None]:
        item = self.tree.currentItem()
        book = item.data(0, Qt.ItemDataRole.UserRole + 1) if item else None
        return item, book if isinstance(book, LibraryBook) else None

    def _update_buttons(self) -> None:
        _, book = self._selected()
        self.open_button.setEnabled(book is not None and not book.missing)
        self.remove_button.setEnabled(book is not None and not book.bundled)

    @Slot()
    def open_selected(self) -> None:
        _, book = self._selected()
        if book is not None and not book.missing:
            self.open_requested.emit(str(book.location))

    @Slot()
    def remove_selected(self) -> None:
        _, book = self._selected()
        if book is None or book.bundled:
            return
        with LibraryStore.open(self._data_dir) as store:
            if store.disabled_reason is None:
                store.remove(book.location)
        self.refresh()
        self.note.setText(f"Removed {book.title} (its files and bookmarks are kept).")


def _row(book: LibraryBook) -> QTreeWidgetItem:
    title = f"{book.title} (missing)" if book.missing else book.title
    last = time.strftime("%Y-%m-%d %H:%M", time.localtime(book.last_read)) if book.last_read else ""
    item = QTreeWidgetItem(
        [
            title,
            LAYOUTS.get(book.format, book.format),
            displayable(str(book.location)),
            "bundled" if book.bundled else last or "never",
        ]
    )
    item.setData(0, _PATH_ROLE, str(book.location))
    item.setData(0, Qt.ItemDataRole.UserRole + 1, book)
    if book.missing:
        item.setToolTip(0, f"Nothing is at {displayable(str(book.location))} now")
        for column in range(len(COLUMNS)):
            item.setForeground(column, QBrush(Qt.GlobalColor.gray))
    return item
