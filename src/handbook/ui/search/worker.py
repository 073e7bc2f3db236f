"""Search work for the window: the index built on a worker thread, queries on another one.

Opening a book's index (:meth:`IndexCache.open`: read the chapters, then load the cache file or
build the index and save it) runs on a daemon ``threading.Thread`` that touches no widget: it
only emits the signals of a small parentless :class:`Delivery` object, which Qt queues to the
UI thread. The finished :class:`SearchIndex` is handed over in that signal; from then on only
the UI thread uses it (its SQLite connection is opened with ``check_same_thread=False`` and
guarded by a lock, so the hand-over is safe). Every build carries a number: progress, results
and failures of a build that is no longer the current one (another book was opened, or
:meth:`SearchRunner.stop` was called) are dropped, and its index closed. A superseded build is
also told to stop, at its next step (one chapter at most).

Queries run on a query thread of their own (:class:`QueryThread`, run for a runner by its
:class:`QueryRunner` base, which the library's runner shares), never on the UI thread: a
keystroke only hands the text over. Only the newest query matters: one asked for while another
runs interrupts it (:meth:`SearchIndex.interrupt`, which stops SQLite at once) and replaces any
still waiting; its results come back through the same queued signals. A query asked for before
the index is ready waits for it. The UI thread's share of a keystroke is the hand-over and,
later, showing one page of results.

Measured on the Rust book (benchmarks/bench_search.py): the build takes about 300 ms on the
thread (260 ms if it blocked the UI thread instead), and the UI thread's longest stall
meanwhile is about 10 ms (Python's GIL switch interval), far under the 50 ms a reader notices.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from handbook.core.book.model import Book
from handbook.core.search.index import (
    DEFAULT_OPTIONS,
    IndexCache,
    SearchCancelled,
    SearchIndex,
    SearchOptions,
    SearchResults,
)
from handbook.core.search.sections import Progress

OpenIndex = Callable[[Book, Progress], SearchIndex]  # IndexCache.open


class Searchable(Protocol):
    """What the query thread asks: one book's index, or the library's (see
    :mod:`handbook.ui.search.library_worker`)."""

    closed: bool

    def search(self, text: str, options: SearchOptions) -> object: ...

    def interrupt(self) -> None: ...


JOIN_SECONDS = 2.0  # how long stop() waits for a cancelled build to notice (one step, usually)


P = ParamSpec("P")


def quiet_when_gone(target: Callable[P, None]) -> Callable[P, None]:
    """A worker thread's function that ends quietly once its delivery object (its first
    argument) is gone: a process that quits without stopping the runner (a script, a test)
    has Qt delete it, and the thread's next emit raised "Signal source has been deleted"."""

    @functools.wraps(target)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            target(*args, **kwargs)
        except RuntimeError:
            if shiboken6.isValid(args[0]):
                raise

    return run


@dataclass(frozen=True)
class Query:
    request: int
    text: str
    options: SearchOptions


class _Cancelled(Exception):
    """Raised inside a build's progress callback once the build is no longer wanted."""


class Delivery(QObject):
    """What a build thread emits; Qt queues each emission to the UI thread.

    Parentless and held by every build thread as well as by the runner, so it outlives both.
    """

    progress = Signal(int, int, int)  # (build, steps done, steps in all)
    finished = Signal(int, object)  # (build, SearchIndex)
    failed = Signal(int, str)  # (build, message)
    answered = Signal(int, object, object)  # (request, its results, the Searchable asked)
    query_failed = Signal(int, str)  # (request, message)


class QueryThread:
    """Runs the newest query asked for on a thread of its own; an older one still running is
    interrupted. Touches no Qt object but ``delivery``'s signals."""

    def __init__(self, delivery: Delivery) -> None:
        self._delivery = delivery
        self._wake = threading.Condition()
        self._pending: tuple[Searchable, Query] | None = None
        self._running: Searchable | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="search-queries", daemon=True)
        self._thread.start()

    def ask(self, index: Searchable, query: Query) -> None:
        with self._wake:
            self._pending = (index, query)
            if self._running is not None:
                self._running.interrupt()
            self._wake.notify()

    def drop(self) -> None:
        """Forget the waiting query and interrupt the running one."""
        with self._wake:
            self._pending = None
            if self._running is not None:
                self._running.interrupt()

    def stop(self, timeout: float) -> None:
        with self._wake:
            self._stopped = True
            self._pending = None
            if self._running is not None:
                self._running.interrupt()
            self._wake.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._stopped:
                    self._wake.wait()
                if self._stopped or self._pending is None:
                    return
                (index, query), self._pending = self._pending, None
                self._running = index
            try:
                results = index.search(query.text, query.options)
            except (SearchCancelled, sqlite3.OperationalError) as exc:
                if isinstance(exc, sqlite3.OperationalError) and not _interrupted(exc):
                    self._failed(query, exc)
                    continue
                with self._wake:  # interrupted by a newer query; or by a late interrupt
                    self._running = None  # meant for an older one: then ask again
                    if self._pending is None and not self._stopped and not index.closed:
                        self._pending = (index, query)
                continue
            except Exception as exc:  # a failed query is reported, never fatal
                self._failed(query, exc)
                continue
            with self._wake:
                self._running = None
            self._delivery.answered.emit(query.request, results, index)

    def _failed(self, query: Query, exc: Exception) -> None:
        with self._wake:
            self._running = None
        self._delivery.query_failed.emit(query.request, f"Search failed: {exc}")


def _interrupted(exc: sqlite3.OperationalError) -> bool:
    """SQLite stopped by an interrupt (ours: :meth:`QueryThread.ask` and the like) that the
    index did not turn into :class:`SearchCancelled`: a query cancelled, not failed. (An index
    clears its cancelled flag as each of its calls starts, and a library search makes several
    on each book: an interrupt landing between the flag and SQLite's stop came out as "Search
    failed: interrupted", the newer query never answered.)"""
    return str(exc) == "interrupted"


class QueryRunner(QObject):
    """The query side of a runner (one book's, :class:`SearchRunner`; the library's,
    :class:`~handbook.ui.search.library_worker.LibrarySearchRunner`): the newest query asked
    for, run on the query thread (started on first use, again after :meth:`stop`), its answer
    or failure delivered to the UI thread's ``_on_answered`` / ``_on_query_failed``."""

    def __init__(self, delivery: Delivery, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._delivery = delivery
        self._query: Query | None = None  # the newest query, until answered
        self._request = 0  # request numbers handed out
        self._queries_thread: QueryThread | None = None
        queued = Qt.ConnectionType.QueuedConnection
        delivery.answered.connect(self._on_answered, queued)
        delivery.query_failed.connect(self._on_query_failed, queued)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def _new_query(self, text: str, options: SearchOptions) -> int:
        """``text`` is the newest query; its request number."""
        self._request += 1
        self._query = Query(self._request, text, options)
        return self._request

    @property
    def _queries(self) -> QueryThread:
        """The query thread, started on first use (and again after :meth:`stop`)."""
        if self._queries_thread is None:
            self._queries_thread = QueryThread(self._delivery)
        return self._queries_thread

    def _drop_queries(self) -> None:
        """The waiting query forgotten, the running one interrupted (before its index closes)."""
        if self._queries_thread is not None:
            self._queries_thread.drop()

    def _stop_queries(self) -> None:
        queries, self._queries_thread = self._queries_thread, None
        if queries is not None:
            queries.stop(JOIN_SECONDS)

    @Slot()
    def stop(self) -> None:
        self._query = None
        self._stop_queries()

    def _on_answered(self, request: int, results: Any, asked: Any) -> None:
        """``request``'s ``results``, from the ``asked`` index (or shelf of them)."""
        raise NotImplementedError

    def _on_query_failed(self, request: int, message: str) -> None:
        raise NotImplementedError


@dataclass
class _Build:
    number: int
    cancel: threading.Event
    thread: threading.Thread


class SearchRunner(QueryRunner):
    progress = Signal(int, int)  # (steps done, steps in all) while an index is opened or built
    index_ready = Signal(int)  # sections in the index; queries are answered from now on
    failed = Signal(str)  # the index could not be opened or a query failed: what to tell
    results_ready = Signal(int, SearchResults)  # (request number from search(), results)

    def __init__(
        self,
        cache_folder: Path | None,
        parent: QObject | None = None,
        open_index: OpenIndex | None = None,
    ) -> None:
        super().__init__(Delivery(), parent)
        self._open_index = open_index or IndexCache(cache_folder).open
        self._cache_folder = cache_folder
        self._build: _Build | None = None
        self._builds = 0  # numbers handed out; the current build has the last one
        self._index: SearchIndex | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self._delivery.progress.connect(self._on_progress, queued)
        self._delivery.finished.connect(self._on_finished, queued)
        self._delivery.failed.connect(self._on_failed, queued)

    def open_book(self, book: Book) -> None:
        """Open ``book``'s index on a worker thread (from the cache when valid, else built);
        pending queries are dropped, the previous index closed and any build still running
        for another book told to stop (its result is discarded)."""
        self._drop_build()
        self._close_index()
        self._query = None
        self._builds += 1
        cancel = threading.Event()
        thread = threading.Thread(
            target=_run_build,
            args=(self._delivery, self._open_index, book, self._builds, cancel),
            name=f"search-index-{self._builds}",
            daemon=True,  # never keeps the process alive; stop() joins it on quit
        )
        self._build = _Build(self._builds, cancel, thread)
        thread.start()

    def update_chapters(self, book: Book, chapters: frozenset[str]) -> None:
        """These chapters of ``book`` changed on disk: index them again on a worker thread, the
        rest kept (the index's cache saved anew); ``index_ready`` follows, and queries are
        answered from the index as it was meanwhile. While a build runs, or when most of the
        book changed, the index is opened anew instead (it reads what is on disk)."""
        index = self._index
        if index is None or self._build is not None or 2 * len(chapters) > len(book.chapters()):
            if index is not None or self._build is not None:
                self.open_book(book)
            return
        self._builds += 1
        cancel = threading.Event()
        update = functools.partial(IndexCache(self._cache_folder).update, index, book, chapters)
        thread = threading.Thread(
            target=_run_update,
            args=(self._delivery, update, index, self._builds, cancel),
            name=f"search-update-{self._builds}",
            daemon=True,
        )
        self._build = _Build(self._builds, cancel, thread)
        thread.start()

    def search(self, text: str, options: SearchOptions = DEFAULT_OPTIONS) -> int:
        """Ask for ``text``'s results; returns the request number results_ready will carry.
        Runs on the query thread, interrupting an older query; before the index is ready the
        query waits for it (only the newest)."""
        request = self._new_query(text, options)
        if self._index is not None and self._query is not None:
            self._queries.ask(self._index, self._query)
        return request

    def is_ready(self) -> bool:
        return self._index is not None

    def is_building(self) -> bool:
        return self._build is not None

    def index(self) -> SearchIndex | None:
        """The open index (for tools that query it directly), or None while it is opened."""
        return self._index

    @Slot()
    def stop(self) -> None:
        """Drop all pending work and close the index; a running build is told to stop and
        waited for (at most ``JOIN_SECONDS``). Called on quit."""
        self._query = None
        build = self._drop_build()
        if build is not None and build.thread is not threading.current_thread():
            build.thread.join(JOIN_SECONDS)
        self._close_index()
        self._stop_queries()

    # -- inside the UI thread ----------------------------------------------------------------

    def _drop_build(self) -> _Build | None:
        build, self._build = self._build, None
        if build is not None:
            build.cancel.set()
        return build

    def _close_index(self) -> None:
        if self._index is not None:
            self._drop_queries()
            self._index.close()
            self._index = None

    def _is_current(self, number: int) -> bool:
        return self._build is not None and self._build.number == number

    @Slot(int, int, int)
    def _on_progress(self, number: int, done: int, total: int) -> None:
        if self._is_current(number):
            self.progress.emit(done, total)

    @Slot(int, object)
    def _on_finished(self, number: int, index: SearchIndex) -> None:
        if not self._is_current(number):
            index.close()  # a stale book's index, or one built after stop()
            return
        self._build = None
        self._index = index
        self.index_ready.emit(index.section_count)
        if self._query is not None:
            self._queries.ask(index, self._query)

    @Slot(int, str)
    def _on_failed(self, number: int, message: str) -> None:
        if self._is_current(number):
            self._build = None
            self.failed.emit(f"Search is not available for this book: {message}")

    @Slot(int, object, object)
    def _on_answered(self, request: int, results: SearchResults, index: SearchIndex) -> None:
        if index is not self._index:
            return  # a query of a book closed since
        if self._query is not None and self._query.request == request:
            self._query = None
        self.results_ready.emit(request, results)

    @Slot(int, str)
    def _on_query_failed(self, request: int, message: str) -> None:
        if self._query is not None and self._query.request == request:
            self._query = None
            self.failed.emit(message)
            self.results_ready.emit(request, SearchResults("", (), 0))


@quiet_when_gone
def _run_build(
    delivery: Delivery, open_index: OpenIndex, book: Book, number: int, cancel: threading.Event
) -> None:
    """The worker thread: open the index, report progress (once per percent) and the result.
    Touches no Qt object but ``delivery``'s signals."""
    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        if cancel.is_set():
            raise _Cancelled
        percent = 100 * done // max(total, 1)
        if percent != shown:
            shown = percent
            delivery.progress.emit(number, done, total)

    try:
        index = open_index(book, progress)
    except _Cancelled:
        return
    except Exception as exc:  # a book we cannot index must not take the window down
        if not cancel.is_set():
            delivery.failed.emit(number, str(exc))
        return
    if cancel.is_set():
        index.close()
        return
    delivery.finished.emit(number, index)


@quiet_when_gone
def _run_update(
    delivery: Delivery,
    update: Callable[[], None],
    index: SearchIndex,
    number: int,
    cancel: threading.Event,
) -> None:
    """The worker thread: update ``index`` in place (one transaction: all or nothing), then
    hand it back as a build's result. Touches no Qt object but ``delivery``'s signals."""
    try:
        update()
    except Exception as exc:  # the index is as it was; the window is told
        if not cancel.is_set():
            delivery.failed.emit(number, f"it could not follow the change on disk: {exc}")
        return
    if not cancel.is_set():
        delivery.finished.emit(number, index)
