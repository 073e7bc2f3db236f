"""Search across the library for the window (the search panel's "All books").

:meth:`LibrarySearchRunner.refresh` reads the library and opens the index of every book not
open yet, one after another, on a daemon ``threading.Thread`` of its own: the library read
(each location looked at on disk: a disconnected drive may be slow to answer), each book loaded,
its index read from the cache or built. Never on the UI thread. A missing book (its folder gone,
its drive not there) or one that cannot be opened is skipped, and :attr:`skipped` says which
and why. Each index is handed over to the UI thread as soon as it is ready, so that results
appear book by book: the latest query is asked again each time a book joins.

Queries run on a query thread (:class:`~handbook.ui.search.worker.QueryRunner`'s, as for
one book: a newer query interrupts an older one) over the open books as one :class:`_Shelf`,
ranked together by :func:`handbook.core.search.library.search_books`. As in
:mod:`handbook.ui.search.worker`, the threads touch no widget: they emit the signals of a
parentless delivery object, which Qt queues to the UI thread; a run that is no longer the
current one (the library read again, or :meth:`LibrarySearchRunner.stop`) is dropped and the
indexes it opened closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot

from handbook.core.book.model import Book
from handbook.core.library.store import LibraryBook, canonical
from handbook.core.search.index import IndexCache, SearchIndex, SearchOptions
from handbook.core.search.library import LibraryResults, search_books
from handbook.core.storage.pathtext import displayable
from handbook.ui.search.worker import (
    JOIN_SECONDS,
    Delivery,
    OpenIndex,
    QueryRunner,
    quiet_when_gone,
)

LIBRARY_LIMIT = 100  # hits shown across books, best first
ListBooks = Callable[[], Sequence[LibraryBook]]
LoadBook = Callable[[Path], Book]


class _Shelf:
    """The books whose indexes are open, searched as one (what the query thread asks). A new
    shelf is made each time a book joins or leaves; the indexes are shared between them."""

    def __init__(self, books: tuple[tuple[LibraryBook, SearchIndex], ...]) -> None:
        self.books = books
        self.closed = False
        self._cancelled = threading.Event()

    def search(self, text: str, options: SearchOptions) -> LibraryResults:
        self._cancelled.clear()
        return search_books(text, self.books, options.limit, cancelled=self._cancelled.is_set)

    def interrupt(self) -> None:
        self._cancelled.set()
        for _, index in self.books:
            index.interrupt()


class _Cancelled(Exception):
    """Raised inside an index build's progress callback once the run is no longer wanted."""


class _LibraryDelivery(Delivery):
    """What the library's thread emits (and the query thread: ``answered``, ``query_failed``)."""

    listed = Signal(int, object)  # (run, [LibraryBook]: the library as read)
    opening = Signal(int, int, int, str)  # (run, book number, books to open, its title)
    opened = Signal(int, object, object)  # (run, LibraryBook, SearchIndex)
    skipped = Signal(int, str)  # (run, which book and why)
    done = Signal(int)  # (run,)


class LibrarySearchRunner(QueryRunner):
    progress = Signal(int, int, str)  # (the book being opened: its number, books to open, title)
    book_ready = Signal(int)  # books searchable now (their results included from now on)
    skipped = Signal(str)  # a book left out of the search: which and why
    done = Signal(int)  # every book has been looked at: books searchable
    failed = Signal(str)  # the library could not be read, or a query failed
    results_ready = Signal(int, object)  # (request number from search(), LibraryResults)

    def __init__(
        self,
        cache_folder: Path | None,
        list_books: ListBooks,
        parent: QObject | None = None,
        *,
        open_index: OpenIndex | None = None,
        load: LoadBook | None = None,
    ) -> None:
        delivery = _LibraryDelivery()
        super().__init__(delivery, parent)
        self._open_index = open_index or IndexCache(cache_folder).open
        self._list_books = list_books
        self._load = load
        self._shelf = _Shelf(())
        self._stale: set[str] = set()  # open books changed on disk since: opened again
        self._runs = 0
        self._run: tuple[int, threading.Event, threading.Thread] | None = None
        queued = Qt.ConnectionType.QueuedConnection
        delivery.listed.connect(self._on_listed, queued)
        delivery.opening.connect(self._on_opening, queued)
        delivery.opened.connect(self._on_opened, queued)
        delivery.skipped.connect(self._on_skipped, queued)
        delivery.done.connect(self._on_done, queued)
        delivery.failed.connect(self._on_failed, queued)
        self._library_delivery = delivery

    # -- what the panel calls ----------------------------------------------------------------

    def refresh(self) -> None:
        """Read the library again (on the worker thread) and open the books not open yet; a
        book no longer in the library is dropped. A run still going is told to stop."""
        self._cancel_run()
        self._runs += 1
        cancel = threading.Event()
        known = frozenset(str(book.location) for book, _ in self._shelf.books) - self._stale
        thread = threading.Thread(
            target=_open_library,
            args=(self._library_delivery, self._list_books, self._open_index, self._load, known),
            kwargs={"number": self._runs, "cancel": cancel},
            name=f"library-indexes-{self._runs}",
            daemon=True,  # never keeps the process alive; stop() joins it on quit
        )
        self._run = (self._runs, cancel, thread)
        thread.start()

    def stale(self, location: Path) -> None:
        """The book at ``location`` changed on disk: :meth:`refresh` opens its index again
        (the old one answers until the new one is ready)."""
        self._stale.add(str(canonical(location)))

    def search(self, text: str, limit: int = LIBRARY_LIMIT) -> int:
        """Ask for ``text``'s best ``limit`` hits across the open books; returns the request
        number :attr:`results_ready` will carry (again each time a book joins)."""
        request = self._new_query(text, SearchOptions(limit=limit))
        self._ask()
        return request

    def forget_query(self) -> None:
        """No query is wanted any more (the field was cleared, or the scope changed)."""
        self._query = None
        self._drop_queries()

    def books(self) -> list[LibraryBook]:
        """The books searched now (their indexes open)."""
        return [book for book, _ in self._shelf.books]

    def is_indexing(self) -> bool:
        return self._run is not None

    @Slot()
    def stop(self) -> None:
        """Drop all pending work and close every index; a run still going is told to stop and
        waited for (at most ``JOIN_SECONDS``). Called on quit."""
        self._query = None
        run = self._cancel_run()
        if run is not None and run[2] is not threading.current_thread():
            run[2].join(JOIN_SECONDS)
        self._stop_queries()
        shelf, self._shelf = self._shelf, _Shelf(())
        shelf.closed = True
        for _, index in shelf.books:
            index.close()

    # -- inside the UI thread ------------------------------------------------------------------

    def _ask(self) -> None:
        if self._query is not None:
            self._queries.ask(self._shelf, self._query)

    def _cancel_run(self) -> tuple[int, threading.Event, threading.Thread] | None:
        run, self._run = self._run, None
        if run is not None:
            run[1].set()
        return run

    def _is_current(self, number: int) -> bool:
        return self._run is not None and self._run[0] == number

    def _replace_shelf(self, books: tuple[tuple[LibraryBook, SearchIndex], ...]) -> None:
        self._shelf = _Shelf(books)
        self._ask()

    @Slot(int, object)
    def _on_listed(self, number: int, listed: list[LibraryBook]) -> None:
        if not self._is_current(number):
            return
        present = {str(book.location) for book in listed if not book.missing}
        kept = tuple(e for e in self._shelf.books if str(e[0].location) in present)
        if len(kept) < len(self._shelf.books):
            gone = [index for book, index in self._shelf.books if (book, index) not in kept]
            self._drop_queries()  # a running query stops before its index closes
            for index in gone:
                index.close()
            self._replace_shelf(kept)

    @Slot(int, int, int, str)
    def _on_opening(self, number: int, done: int, total: int, title: str) -> None:
        if self._is_current(number):
            self.progress.emit(done, total, title)

    @Slot(int, object, object)
    def _on_opened(self, number: int, book: LibraryBook, index: SearchIndex) -> None:
        if not self._is_current(number):
            index.close()  # a run replaced meanwhile, or stopped
            return
        key = str(book.location)
        self._stale.discard(key)
        old = [i for b, i in self._shelf.books if str(b.location) == key]
        if old:
            self._drop_queries()  # a running query stops before the old index closes
        kept = tuple(e for e in self._shelf.books if str(e[0].location) != key)
        self._replace_shelf((*kept, (book, index)))
        for stale in old:
            stale.close()
        self.book_ready.emit(len(self._shelf.books))

    @Slot(int, str)
    def _on_skipped(self, number: int, message: str) -> None:
        if self._is_current(number):
            self.skipped.emit(message)

    @Slot(int)
    def _on_done(self, number: int) -> None:
        if self._is_current(number):
            self._run = None
            self.done.emit(len(self._shelf.books))

    @Slot(int, str)
    def _on_failed(self, number: int, message: str) -> None:
        if self._is_current(number):
            self._run = None
            self.failed.emit(f"The library could not be read: {message}")

    @Slot(int, object, object)
    def _on_answered(self, request: int, results: LibraryResults, shelf: _Shelf) -> None:
        if shelf is self._shelf and self._query is not None and self._query.request == request:
            self.results_ready.emit(request, results)

    @Slot(int, str)
    def _on_query_failed(self, request: int, message: str) -> None:
        if self._query is not None and self._query.request == request:
            self.failed.emit(message)


@quiet_when_gone
def _open_library(
    delivery: _LibraryDelivery,
    list_books: ListBooks,
    open_index: OpenIndex,
    load: LoadBook | None,
    known: frozenset[str],
    *,
    number: int,
    cancel: threading.Event,
) -> None:
    """The worker thread: read the library, then open each book's index not open yet (in
    ``known``), one after another. Touches no Qt object but ``delivery``'s signals."""
    if load is None:
        from handbook.core.book.load import load_book

        load = load_book

    def progress(_done: int, _total: int) -> None:
        if cancel.is_set():
            raise _Cancelled

    try:
        books = list(list_books())
    except Exception as exc:  # the window goes on: this book's search still works
        delivery.failed.emit(number, str(exc))
        return
    delivery.listed.emit(number, books)
    for book in books:
        if book.missing:
            where = displayable(str(book.location))
            delivery.skipped.emit(number, f"{book.title} is missing (nothing at {where} now)")
    todo = [b for b in books if not b.missing and str(b.location) not in known]
    for done, entry in enumerate(todo, start=1):
        if cancel.is_set():
            return
        delivery.opening.emit(number, done, len(todo), entry.title)
        try:
            index = open_index(load(entry.location), progress)
        except _Cancelled:
            return
        except Exception as exc:  # a book we cannot index is left out, and said so
            delivery.skipped.emit(number, f"{entry.title} could not be searched: {exc}")
            continue
        if cancel.is_set():
            index.close()
            return
        delivery.opened.emit(number, entry, index)
    delivery.done.emit(number)


def read_library(data_dir: Path) -> list[LibraryBook]:
    """The bundled guide and the library's books (only the guide when the library cannot be
    used): what "All books" searches. Reads the disk: call it on a worker thread."""
    from handbook.core.library.store import LibraryStore, guide_entry, library_books

    with LibraryStore.open(data_dir) as store:
        if store.disabled_reason:
            return [guide_entry()]
        return library_books(store)
