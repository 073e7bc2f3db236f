"""Reading progress in the status bar, unobtrusive: "Chapter 5 of 21 · 23%" (the active tab's)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QWidget

from handbook.core.book.model import Book
from handbook.core.reading.progress import ChapterSizes
from handbook.ui.reader.viewer import Viewer


class ReadingProgress(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reading_progress")
        self.setToolTip("The chapter's number in the book, and how far through the book you are")
        self._viewer: Viewer | None = None
        self._book: Book | None = None
        self._sizes = ChapterSizes((), ())

    def show_for(self, viewer: Viewer, book: Book) -> None:
        """The progress through ``book`` in ``viewer`` (the active tab's) from now on."""
        self._viewer = viewer
        if book is not self._book:
            self._book = book
            self._sizes = ChapterSizes.of(book)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._viewer is None:
            return
        path = self._viewer.current_chapter()
        bar = self._viewer.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0
        progress = self._sizes.progress(path, fraction) if path else None
        self.setText(progress.text() if progress is not None else "")
