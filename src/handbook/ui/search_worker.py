"""Search off the UI thread: building a book's index and answering queries on a thread of its own.

The window never waits on search. Requests are handed over under a lock and the thread works on
the newest: a query overtaken by another keystroke is never run, a book replaced before its index
is built stops building. Answers come back as signals, queued to the UI thread by Qt.

A plain Python thread (not a QThread) does the work, so that a window or a test closed while an
index is still building cannot abort the process ("QThread destroyed while running"); SQLite
releases the GIL while it works, so the UI thread keeps running meanwhile.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from handbook.core.model import Book
from handbook.core.search import DEFAULT_LIMIT, IndexCache, SearchIndex, SearchResults
from handbook.core.sections import Progress

OpenIndex = Callable[[Book, Progress], SearchIndex]


@dataclass(frozen=True)
class _Query:
    request: int
    text: str
    typing: bool
    limit: int


class _Superseded(Exception):
    """Another book was asked for while this one was being indexed."""


class SearchRunner(QObject):
    progress = Signal(int, int)  # (chapters indexed, chapters in all) while an index is built
    index_ready = Signal(int)  # sections in the index; queries are answered from now on
    failed = Signal(str)  # the index could not be opened or a query failed: what to tell
    results_ready = Signal(int, SearchResults)  # (request number from search(), results)

    def __init__(
        self,
        cache_folder: Path | None,
        parent: QObject | None = None,
        open_index: OpenIndex | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_index = open_index or IndexCache(cache_folder).open
        self._wake = threading.Condition()
        self._book: Book | None = None  # a book waiting to be indexed
        self._book_number = 0
        self._query: _Query | None = None  # the newest query not yet run
        self._request = 0
        self._stopped = False
        self._ready = False
        self._thread: threading.Thread | None = None
        self._index: SearchIndex | None = None  # touched by the worker thread only
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # -- the UI thread's side --------------------------------------------------------------

    def open_book(self, book: Book) -> None:
        """Index ``book`` (from the cache when valid); pending queries are dropped."""
        with self._wake:
            self._book, self._query = book, None
            self._book_number += 1
            self._ready = False
            self._wake.notify()
        self._start()

    def search(self, text: str, *, typing: bool = True, limit: int = DEFAULT_LIMIT) -> int:
        """Ask for ``text``'s results; returns the request number results_ready will carry."""
        with self._wake:
            self._request += 1
            self._query = _Query(self._request, text, typing, limit)
            self._wake.notify()
            return self._request

    def is_ready(self) -> bool:
        with self._wake:
            return self._ready

    @Slot()
    def stop(self) -> None:
        """Let the thread end after its current job (the UI does not wait for it)."""
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="handbook-search", daemon=True)
            self._thread.start()

    # -- the worker thread -----------------------------------------------------------------

    def _run(self) -> None:
        try:
            while (job := self._next_job()) is not None:
                if isinstance(job, _Query):
                    self._answer(job)
                else:
                    self._build(*job)
        except RuntimeError:  # the QObject was deleted (window closed): nobody is listening
            pass
        finally:
            if self._index is not None:
                self._index.close()

    def _next_job(self) -> tuple[Book, int] | _Query | None:
        with self._wake:
            while not self._stopped:
                if self._book is not None:
                    book, self._book = self._book, None
                    return book, self._book_number
                if self._query is not None and self._index is not None and self._ready:
                    query, self._query = self._query, None
                    return query
                self._wake.wait()
        return None

    def _build(self, book: Book, number: int) -> None:
        def progress(done: int, total: int) -> None:
            if self._superseded(number):
                raise _Superseded
            self.progress.emit(done, total)

        try:
            index = self._open_index(book, progress)
        except _Superseded:
            return
        except Exception as exc:  # a book we cannot index must not take the window down
            self.failed.emit(f"Search is not available for this book: {exc}")
            return
        if self._superseded(number):
            index.close()
            return
        if self._index is not None:
            self._index.close()
        self._index = index
        with self._wake:
            self._ready = True
        self.index_ready.emit(index.section_count)

    def _answer(self, query: _Query) -> None:
        assert self._index is not None
        try:
            results = self._index.search(query.text, typing=query.typing, limit=query.limit)
        except Exception as exc:  # a failed query is reported, never fatal
            self.failed.emit(f"Search failed: {exc}")
            results = SearchResults(query.text, (), 0)
        self.results_ready.emit(query.request, results)

    def _superseded(self, number: int) -> bool:
        with self._wake:
            return self._stopped or number != self._book_number


def wait_until_stopped(runner: SearchRunner, timeout: float = 5.0) -> None:
    """For tests and tools: stop ``runner`` and wait for its thread to end."""
    runner.stop()
    thread = runner._thread
    if thread is not None:
        with contextlib.suppress(RuntimeError):
            thread.join(timeout)
