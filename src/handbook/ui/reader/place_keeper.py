"""The reader's place, saved as they read: a second after they stop moving, at most two
seconds after they started, and at once when the window closes or the session ends.

The place is read from the page (:meth:`Viewer.place`) only when it is saved, in a timer's
slot, never while the page paints. The chapters whose end the reader has seen are kept as read.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from handbook.core.book.model import Book
from handbook.core.reading.place import Place
from handbook.core.reading.places import PlaceStore, SavedPlace
from handbook.core.storage.sqlite import StorageError
from handbook.ui.reader.viewer import Viewer

SAVE_DELAY_MS = 1000  # after the reader stops moving
SAVE_AT_MOST_MS = 2000  # after their first move, even if they never stop
END_SLACK_PX = 4  # the page scrolled this close to its end shows the chapter's end


class PlaceKeeper(QObject):
    saved = Signal(object)  # Place: written to disk (committed)
    error = Signal(str)  # a save failed: for the status bar (once until one succeeds)
    chapters_read_changed = Signal()

    def __init__(self, viewer: Viewer, store: PlaceStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._viewer = viewer
        self._store = store
        self._book: Book | None = None
        self._paths: list[str] = []
        self._last_saved: Place | None = None
        self._first_move = 0.0  # monotonic time of the first move not saved yet (0: none)
        self._read: set[str] = set()
        self._unsaved_read: set[str] = set()
        self._failed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        viewer.verticalScrollBar().valueChanged.connect(self.note_moved)

    # -- the book ----------------------------------------------------------------------------

    def set_book(self, book: Book) -> None:
        """Follow ``book`` from now on (what was pending for the last one is saved first)."""
        if self._book is not None:
            self.save_now()
        self._book = book
        self._paths = [c.path for c in book.chapters() if c.path]
        self._last_saved = None
        self._read = set(self._store.chapters_read(book.identity))
        self._unsaved_read.clear()
        self.chapters_read_changed.emit()

    def last_place(self, book: Book) -> SavedPlace | None:
        return self._store.last_place(book.identity)

    def chapters_read(self) -> frozenset[str]:
        return frozenset(self._read)

    # -- moves -------------------------------------------------------------------------------

    @Slot()
    def note_moved(self) -> None:
        """The reader moved (scrolled, opened a place): save soon."""
        self._note_end_seen()
        now = time.monotonic()
        if not self._first_move:
            self._first_move = now
        if (now - self._first_move) * 1000 >= SAVE_AT_MOST_MS - SAVE_DELAY_MS:
            self._timer.start(0)  # moving for a while: save at the next turn of the loop
        else:
            self._timer.start(SAVE_DELAY_MS)

    def _note_end_seen(self) -> None:
        path = self._viewer.current_chapter()
        if path is None or path in self._read or self._book is None:
            return
        if not self._viewer.page_complete():
            return  # a placeholder while it renders, or the start of a long page: not its end
        bar = self._viewer.verticalScrollBar()
        if bar.value() < bar.maximum() - END_SLACK_PX or not self._viewer.isVisible():
            return  # above the end, or not on screen yet
        # at the end of the scroll range: is it this page's? (asked only here: the page's
        # height lays all of it out, which a page just shown at its top does not need yet)
        page = self._viewer.document().size().height()
        if page <= bar.maximum() + bar.pageStep() + END_SLACK_PX:
            self._read.add(path)
            self._unsaved_read.add(path)
            self.chapters_read_changed.emit()

    @Slot()
    def save_now(self) -> None:
        """Write the place (and the chapters read) if they changed since the last write."""
        self._timer.stop()
        self._first_move = 0.0
        book = self._book
        if book is None or self._viewer.current_chapter() is None:
            return
        place = self._viewer.place()
        if not place.section or (place == self._last_saved and not self._unsaved_read):
            return
        index = self._paths.index(place.chapter) if place.chapter in self._paths else -1
        try:
            self._store.save(book.identity, str(book.root), place, index)
            if self._unsaved_read:
                self._store.mark_read(book.identity, sorted(self._unsaved_read))
                self._unsaved_read.clear()
        except StorageError as exc:
            if not self._failed:
                self._failed = True
                self.error.emit(f"Your place could not be saved: {exc}")
            return
        self._failed = False
        self._last_saved = place
        self.saved.emit(place)
