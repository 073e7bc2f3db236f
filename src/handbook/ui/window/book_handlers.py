"""The window's book commands: Open Book…, the Library (also for a new tab, Ctrl+T), the Recent
Books menu.

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from handbook.ui.window.menus import fill_recent_books

LIBRARY_RECORD_DELAY_MS = 300  # an opened book is listed in the library after its first page
MARKDOWN_FILES = "Markdown (*.md *.markdown mkdocs.yml mkdocs.yaml);;All files (*)"

if TYPE_CHECKING:
    from handbook.core.book.model import Book
    from handbook.ui.app.settings import Settings
    from handbook.ui.library.dialog import LibraryDialog


class BookHandlers(QObject):
    open_in_new_tab = Signal(str)  # a book's location chosen in the Library for a new tab
    status = Signal(str, int)  # (message, timeout in ms) for the status bar

    def __init__(
        self,
        book: Callable[[], Book],
        open_book_at: Callable[[Path], bool],
        settings: Settings,
        data_dir: Path | None,
        recent_menu: Callable[[], QMenu],
        parent: QWidget,
    ) -> None:
        """``book``: the active tab's; ``open_book_at``: open a book (or a chapter's file) in
        the active tab; ``data_dir``: the library's folder (None: the user's); ``parent``: the
        window's widget, for the dialogs."""
        super().__init__(parent)
        self._book = book
        self._open_book_at = open_book_at
        self._settings = settings
        self._data_dir = data_dir
        self._recent_menu = recent_menu
        self._parent = parent
        self.library: LibraryDialog | None = None
        self._for_new_tab = False  # the Library was opened by Ctrl+T

    @Slot()
    def choose_book(self) -> None:
        start = str(self._book().root.parent)
        folder = QFileDialog.getExistingDirectory(self._parent, "Open Book", start)
        if folder:
            self._open_book_at(Path(folder))

    @Slot()
    def choose_file(self) -> None:
        """Book > Open File…: a single .md file, a chapter of a book, or a site's mkdocs.yml."""
        start = str(self._book().root)
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open File", start, MARKDOWN_FILES)
        if path:
            self._open_book_at(Path(path))

    def record_later(self, book: Book) -> None:
        """``book`` listed in the library once its first page is up (the write costs 2-6 ms)."""
        QTimer.singleShot(LIBRARY_RECORD_DELAY_MS, self, lambda: self.record_in_library(book))

    def record_in_library(self, book: Book) -> None:
        """The open book listed in the library, read now (a library that cannot be used, or
        was started again, is said in the status bar)."""
        from handbook import paths
        from handbook.core.library.store import record_read

        note = record_read(self._data_dir or paths.data_dir(), book)
        if note:
            self.status.emit(note, 15000)

    @Slot()
    def new_tab_from_library(self) -> None:
        """Ctrl+T: the Library, the active tab's book listed (now, not after its first page)
        and chosen in it."""
        self.record_in_library(self._book())
        self.show_library_for_new_tab()

    @Slot()
    def show_library_for_new_tab(self) -> None:
        """Ctrl+T: the Library, a book chosen opening in a new tab (the current book selected:
        Enter opens a second tab on it, at this tab's place)."""
        self.show_library(new_tab=True)

    @Slot()
    def show_library(self, new_tab: bool = False) -> None:
        """Book > Library…: the dialog, built on first use, read again each time it is shown."""
        from handbook import paths
        from handbook.core.library.store import guide_entry
        from handbook.ui.library.dialog import LibraryDialog

        if self.library is None:
            data_dir = self._data_dir or paths.data_dir()
            self.library = LibraryDialog(data_dir, guide_entry(), self._parent)
            self.library.open_requested.connect(self.open_from_library)
        else:
            self.library.refresh()
        self._for_new_tab = new_tab
        self.library.setWindowTitle("Open in a New Tab" if new_tab else "Library")
        self.library.select(self._book().location())
        self.library.show()

    @Slot(str)
    def open_from_library(self, location: str) -> None:
        if self._for_new_tab:
            self.open_in_new_tab.emit(location)
            if self.library is not None:
                self.library.close()
        elif self._open_book_at(Path(location)) and self.library is not None:
            self.library.close()

    @Slot(QAction)
    def open_recent(self, action: QAction) -> None:
        path = action.data()
        if isinstance(path, str) and path:
            self._open_book_at(Path(path))

    def fill_recent_books(self) -> None:
        """The Recent Books menu: the books read before, but not the open one."""
        current = str(self._book().location())
        others = [p for p in self._settings.existing_recent_books() if p != current]
        fill_recent_books(self._recent_menu(), others)
