"""The window's book commands: Open Book…, the Recent Books menu.

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from handbook.ui.window.menus import fill_recent_books

MARKDOWN_FILES = "Markdown (*.md *.markdown mkdocs.yml mkdocs.yaml);;All files (*)"

if TYPE_CHECKING:
    from handbook.ui.library.dialog import LibraryDialog
    from handbook.ui.window.main_window import MainWindow


class BookHandlers(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.library: LibraryDialog | None = None

    @Slot()
    def choose_book(self) -> None:
        w = self._window
        folder = QFileDialog.getExistingDirectory(w, "Open Book", str(w.book().root.parent))
        if folder:
            w.open_book_at(Path(folder))

    @Slot()
    def choose_file(self) -> None:
        """Book > Open File…: a single .md file, a chapter of a book, or a site's mkdocs.yml."""
        w = self._window
        path, _ = QFileDialog.getOpenFileName(w, "Open File", str(w.book().root), MARKDOWN_FILES)
        if path:
            w.open_book_at(Path(path))

    @Slot()
    def show_library(self) -> None:
        """Book > Library…: the dialog, built on first use, read again each time it is shown."""
        from handbook import paths
        from handbook.core.library.store import guide_entry
        from handbook.ui.library.dialog import LibraryDialog

        w = self._window
        if self.library is None:
            data_dir = w.services.data_dir or paths.data_dir()
            self.library = LibraryDialog(data_dir, guide_entry(), w)
            self.library.open_requested.connect(self.open_from_library)
        else:
            self.library.refresh()
        self.library.select(w.book().location())
        self.library.show()

    @Slot(str)
    def open_from_library(self, location: str) -> None:
        if self._window.open_book_at(Path(location)) and self.library is not None:
            self.library.close()

    @Slot(QAction)
    def open_recent(self, action: QAction) -> None:
        path = action.data()
        if isinstance(path, str) and path:
            self._window.open_book_at(Path(path))

    def fill_recent_books(self) -> None:
        """The Recent Books menu: the books read before, but not the open one."""
        w = self._window
        current = str(w.book().location())
        others = [p for p in w.settings.existing_recent_books() if p != current]
        fill_recent_books(w.menus.recent, others)
