"""Search work for the window, in slices of a few milliseconds between the UI's own events.

Opening a book's index is a generator (:meth:`IndexCache.open_steps`) advanced for at most
``SLICE_MS`` per turn of the event loop by a zero-interval timer, which Qt runs only once pending
input has been handled. Queries (about a millisecond or two on the Rust book) run in the next
turn after they are asked for; only the newest is run. The interface is the one a worker thread
would have: requests in, answers out as signals.

Why not a worker thread: measured on the Rust book (benchmarks/bench_search.py), a plain Python
thread building the index while the UI thread runs its event loop finishes in 0.7-0.9 s instead
of 0.3-0.4 s in slices (most of the build is Python, markdown to plain text, so the two threads
trade the GIL), for a longest UI stall of 10-15 ms against 20-25 ms here; both far under the
50 ms a reader notices. Slices need no locks, hand no Qt object across threads, and tests see
events in a fixed order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from handbook.core.model import Book
from handbook.core.search import DEFAULT_LIMIT, IndexCache, SearchIndex, SearchResults

SLICE_MS = 8  # work done per turn of the event loop, at most (plus one step)
IndexSteps = Generator[tuple[int, int], None, SearchIndex]
OpenSteps = Callable[[Book], IndexSteps]


@dataclass(frozen=True)
class _Query:
    request: int
    text: str
    typing: bool
    limit: int


class SearchRunner(QObject):
    progress = Signal(int, int)  # (steps done, steps in all) while an index is opened or built
    index_ready = Signal(int)  # sections in the index; queries are answered from now on
    failed = Signal(str)  # the index could not be opened or a query failed: what to tell
    results_ready = Signal(int, SearchResults)  # (request number from search(), results)

    def __init__(
        self,
        cache_folder: Path | None,
        parent: QObject | None = None,
        open_steps: OpenSteps | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_steps = open_steps or IndexCache(cache_folder).open_steps
        self._steps: IndexSteps | None = None
        self._index: SearchIndex | None = None
        self._query: _Query | None = None
        self._request = 0
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._work)

    def open_book(self, book: Book) -> None:
        """Open ``book``'s index (from the cache when valid, else built); pending queries are
        dropped and the previous index closed."""
        if self._index is not None:
            self._index.close()
            self._index = None
        self._query = None
        self._steps = self._open_steps(book)
        self._timer.start()

    def search(self, text: str, *, typing: bool = True, limit: int = DEFAULT_LIMIT) -> int:
        """Ask for ``text``'s results; returns the request number results_ready will carry."""
        self._request += 1
        self._query = _Query(self._request, text, typing, limit)
        self._timer.start()
        return self._request

    def is_ready(self) -> bool:
        return self._index is not None

    def index(self) -> SearchIndex | None:
        """The open index (for tools that query it directly), or None while it is opened."""
        return self._index

    @Slot()
    def stop(self) -> None:
        """Drop all pending work and close the index."""
        self._timer.stop()
        self._steps, self._query = None, None
        if self._index is not None:
            self._index.close()
            self._index = None

    @Slot()
    def _work(self) -> None:
        if self._steps is not None:
            self._advance(self._steps)
        elif self._query is not None and self._index is not None:
            query, self._query = self._query, None
            self._answer(self._index, query)
        if self._steps is None and (self._query is None or self._index is None):
            self._timer.stop()

    def _advance(self, steps: IndexSteps) -> None:
        deadline = time.perf_counter() + SLICE_MS / 1000
        done = total = 0
        try:
            while time.perf_counter() < deadline:
                done, total = next(steps)
        except StopIteration as finished:
            self._steps = None
            self._index = finished.value
            self.index_ready.emit(finished.value.section_count)
            return
        except Exception as exc:  # a book we cannot index must not take the window down
            self._steps = None
            self.failed.emit(f"Search is not available for this book: {exc}")
            return
        self.progress.emit(done, total)

    def _answer(self, index: SearchIndex, query: _Query) -> None:
        try:
            results = index.search(query.text, typing=query.typing, limit=query.limit)
        except Exception as exc:  # a failed query is reported, never fatal
            self.failed.emit(f"Search failed: {exc}")
            results = SearchResults(query.text, (), 0)
        self.results_ready.emit(query.request, results)
