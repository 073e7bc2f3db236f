"""Books added to the library from a folder, looked for on a worker thread (never the UI's).

A folder may hold a thousand books: looking through it and reading each book's title takes
seconds, so :meth:`FolderScan.start` runs :func:`~handbook.core.library.store.find_books` on a
daemon ``threading.Thread`` that touches no widget (it emits the signals of a parentless
delivery object, which Qt queues to the UI thread), then records every book found in one
transaction (all or none) and reads the library back for the dialog. :meth:`FolderScan.cancel`
stops it at its next book: nothing is added then. A scan no longer the current one is dropped.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot

from handbook.core.library.store import LibraryBook, LibraryStore, find_books

JOIN_SECONDS = 2.0


class _Cancelled(Exception):
    pass


class _Delivery(QObject):
    progress = Signal(int, int, int)  # (scan, done, in all; 0: still looking)
    finished = Signal(int, int, int, object, object)  # (scan, found, new, [why skipped], books)
    failed = Signal(int, str)  # (scan, message)
    cancelled = Signal(int)  # (scan,)


class FolderScan(QObject):
    progress = Signal(int, int)  # (done, in all): (found so far, 0) while looking
    # (books found, new ones, [why a book was skipped], [LibraryBook]: the library now)
    finished = Signal(int, int, object, object)
    failed = Signal(str)  # nothing was added: why
    cancelled = Signal()  # nothing was added

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._scans = 0
        self._running: tuple[int, threading.Event, threading.Thread] | None = None
        self._delivery = _Delivery()
        queued = Qt.ConnectionType.QueuedConnection
        self._delivery.progress.connect(self._on_progress, queued)
        self._delivery.finished.connect(self._on_finished, queued)
        self._delivery.failed.connect(self._on_failed, queued)
        self._delivery.cancelled.connect(self._on_cancelled, queued)

    def start(self, path: Path) -> None:
        """Look for books at ``path`` and add them (a scan still running is cancelled)."""
        self.cancel()
        self._scans += 1
        cancel = threading.Event()
        thread = threading.Thread(
            target=_scan,
            args=(self._delivery, path, self._data_dir, self._scans, cancel),
            name=f"library-scan-{self._scans}",
            daemon=True,
        )
        self._running = (self._scans, cancel, thread)
        thread.start()

    def is_running(self) -> bool:
        return self._running is not None

    @Slot()
    def cancel(self) -> None:
        """Stop the scan at its next book; nothing it found is added. ``cancelled`` follows."""
        if self._running is not None:
            self._running[1].set()

    def stop(self) -> None:
        """Cancel and wait for the thread (at most ``JOIN_SECONDS``): the dialog is going."""
        running, self._running = self._running, None
        if running is not None:
            running[1].set()
            running[2].join(JOIN_SECONDS)

    def _current(self, number: int) -> bool:
        return self._running is not None and self._running[0] == number

    @Slot(int, int, int)
    def _on_progress(self, number: int, done: int, total: int) -> None:
        if self._current(number):
            self.progress.emit(done, total)

    @Slot(int, int, int, object, object)
    def _on_finished(
        self, number: int, found: int, new: int, skipped: list[str], books: list[LibraryBook]
    ) -> None:
        if self._current(number):
            self._running = None
            self.finished.emit(found, new, skipped, books)

    @Slot(int, str)
    def _on_failed(self, number: int, message: str) -> None:
        if self._current(number):
            self._running = None
            self.failed.emit(message)

    @Slot(int)
    def _on_cancelled(self, number: int) -> None:
        if self._current(number):
            self._running = None
            self.cancelled.emit()


def _scan(
    delivery: _Delivery, path: Path, data_dir: Path, number: int, cancel: threading.Event
) -> None:
    """The worker thread. Touches no Qt object but ``delivery``'s signals."""
    from handbook.core.book.errors import BookError
    from handbook.core.storage.sqlite import StorageError

    def progress(done: int, total: int) -> None:
        if cancel.is_set():
            raise _Cancelled
        delivery.progress.emit(number, done, total)

    skipped: list[str] = []
    try:
        found = find_books(path, skipped, progress)
        if cancel.is_set():
            raise _Cancelled
        with LibraryStore.open(data_dir) as store:
            if store.disabled_reason:
                delivery.failed.emit(number, store.disabled_reason)
                return
            new = store.add_many(found)
            books = store.books()  # read here too: a thousand locations looked at on disk
    except _Cancelled:
        delivery.cancelled.emit(number)
        return
    except (BookError, StorageError, OSError) as exc:
        delivery.failed.emit(number, str(exc))
        return
    delivery.finished.emit(number, len(found), new, skipped, books)
