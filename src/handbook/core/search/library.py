"""A query across the library's books, ranked together: ``handbook search --all`` and the
search panel's "All books" scope both call :func:`search_books`.

Each book's open index ranks its best sections without making their snippets
(:meth:`SearchIndex.rank`); the pages are merged (a section holding every word before a partial
one, then by score), the best ``limit`` kept, and only those made hits (title, breadcrumb,
snippet: :meth:`SearchIndex.hits`). Making the snippets of every book's page, to throw most
away, was half the time of a query over ten books. Given an executor, the books are asked on
its threads (SQLite lets go of the GIL while it runs a statement); on this project's loaded
2-core machines that gained nothing (benchmarks/bench_library.py), so the window asks the books
one after another on its query thread. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TypeVar

from handbook.core.library.store import LibraryBook
from handbook.core.search.index import (
    RankedPage,
    SearchCancelled,
    SearchHit,
    SearchIndex,
    SearchOptions,
)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BookHit:
    book: LibraryBook
    hit: SearchHit


@dataclass(frozen=True)
class LibraryResults:
    query: str
    hits: tuple[BookHit, ...]  # best first, across books
    total: int  # matching sections in all books
    books_searched: int
    suggestion: str | None = None  # "did you mean", when no book had a hit
    book_totals: tuple[tuple[str, int], ...] = ()  # (book's location, its matching sections)
    partial: bool = False  # no section of any book holds every word

    def book_total(self, book: LibraryBook) -> int:
        """How many sections of ``book`` match (of which some may be in :attr:`hits`)."""
        return dict(self.book_totals).get(str(book.location), 0)


def search_books(
    query: str,
    books: Sequence[tuple[LibraryBook, SearchIndex]],
    limit: int,
    *,
    executor: Executor | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> LibraryResults:
    """``query`` in each book's open index; the best ``limit`` hits of all (0: every one).

    Raises :class:`SearchCancelled` when an index was interrupted, or ``cancelled()`` says so
    between the two steps."""
    options = SearchOptions(limit=limit)
    pages = _each(executor, lambda entry: entry[1].rank(query, options), books, cancelled)
    rows = [
        (page.partial, -score, n, score, row)
        for n, page in enumerate(pages)
        for score, row in page.rows
    ]
    rows.sort()
    kept = rows[:limit] if limit > 0 else rows
    wanted: dict[int, list[tuple[float, int]]] = {}
    for *_, n, score, row in kept:
        wanted.setdefault(n, []).append((score, row))

    def made(n: int) -> tuple[int, tuple[SearchHit, ...]]:
        return n, books[n][1].hits(pages[n], wanted[n])

    by_book = {
        n: iter(made_hits)
        for n, made_hits in _each(executor, made, list(wanted), cancelled)
        if len(made_hits) == len(wanted[n])  # else a row went meanwhile: the book left out
    }
    found = tuple(BookHit(books[n][0], next(by_book[n])) for *_, n, _, _ in kept if n in by_book)
    totals = tuple(
        (str(book.location), page.total) for (book, _), page in zip(books, pages, strict=True)
    )
    suggestion = None if found else _suggestion(query, books)
    return LibraryResults(
        query,
        found,
        sum(page.total for page in pages),
        len(books),
        suggestion,
        tuple(t for t in totals if t[1]),
        bool(found) and all(h.hit.partial for h in found),
    )


def grouped(hits: Sequence[BookHit]) -> list[tuple[LibraryBook, list[tuple[int, SearchHit]]]]:
    """The hits by book (books in the order of their best hit), each with its overall rank
    (1 for the best)."""
    groups: dict[str, tuple[LibraryBook, list[tuple[int, SearchHit]]]] = {}
    for rank, found in enumerate(hits, start=1):
        key = str(found.book.location)
        groups.setdefault(key, (found.book, []))[1].append((rank, found.hit))
    return list(groups.values())


def _suggestion(query: str, books: Sequence[tuple[LibraryBook, SearchIndex]]) -> str | None:
    for _, index in books:
        suggestion = index.suggest(query)
        if suggestion:
            return suggestion
    return None


def _each(
    executor: Executor | None,
    call: Callable[[T], R],
    items: Sequence[T],
    cancelled: Callable[[], bool],
) -> list[R]:
    def checked(item: T) -> R:
        if cancelled():  # between two books' statements (an interrupt stops one inside)
            raise SearchCancelled
        return call(item)

    if executor is None or len(items) < 2:
        return [checked(item) for item in items]
    return list(executor.map(checked, items))


__all__ = ["BookHit", "LibraryResults", "RankedPage", "grouped", "search_books"]
