"""A query across books (core.search.library): ranked together, only the best made hits."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from handbook.core.book.load import load_book
from handbook.core.library.store import LibraryBook
from handbook.core.search.index import IndexCache, SearchIndex, SearchOptions
from handbook.core.search.library import grouped, search_books
from tests.conftest import write_book

Opened = list[tuple[LibraryBook, SearchIndex]]


def book(root: Path, title: str, chapters: dict[str, str]) -> tuple[LibraryBook, SearchIndex]:
    summary = "# Summary\n\n" + "".join(f"- [{n}]({n})\n" for n in chapters)
    loaded = load_book(write_book(root, summary, chapters, toml=f'[book]\ntitle = "{title}"\n'))
    entry = LibraryBook(loaded.location(), title, "mdbook", 0.0, None)
    return entry, IndexCache(None).open(loaded)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Opened]:
    opened = [
        book(
            tmp_path / "alpha",
            "Alpha",
            {"a.md": "# Kettles\n\nKettle kettle kettle.\n", "b.md": "# Tea\n\nA kettle.\n"},
        ),
        book(tmp_path / "beta", "Beta", {"c.md": "# Pots\n\nKettle and kettle.\n"}),
        book(tmp_path / "gamma", "Gamma", {"d.md": "# Cups\n\nNothing boils here.\n"}),
    ]
    yield opened
    for _, index in opened:
        index.close()


def test_the_best_hits_of_every_book_come_first_whichever_book_holds_them(
    books: Opened,
) -> None:
    results = search_books("kettle", books, 10)
    everything = sorted(
        (-hit.score, entry.title, hit.id)
        for entry, index in books
        for hit in index.search("kettle", SearchOptions(limit=0)).hits
    )
    assert [(h.book.title, h.hit.id) for h in results.hits] == [(t, i) for _, t, i in everything]
    assert results.total == 3 and results.books_searched == 3
    assert results.book_total(books[0][0]) == 2 and results.book_total(books[2][0]) == 0
    assert "<b>" in results.hits[0].hit.snippet
    grouping = [(b.title, [rank for rank, _ in hits]) for b, hits in grouped(results.hits)]
    assert {title for title, _ in grouping} == {"Alpha", "Beta"}
    assert sorted(r for _, ranks in grouping for r in ranks) == [1, 2, 3]


def test_a_limit_keeps_the_best_across_books_and_threads_give_the_same(books: Opened) -> None:
    best = search_books("kettle", books, 0).hits[:2]
    assert search_books("kettle", books, 2).hits == best
    with ThreadPoolExecutor(2) as pool:
        assert search_books("kettle", books, 2, executor=pool).hits == best


def test_no_hit_anywhere_suggests_a_word_of_some_book(books: Opened) -> None:
    results = search_books("kettel", books, 10)
    assert results.hits == () and results.total == 0
    assert results.suggestion == "kettle"
