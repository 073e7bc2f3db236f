"""``handbook search QUERY --all``: every book of the library searched at once.

Each book (the bundled guide and the library's books; a missing one skipped, said on stderr) is
searched as ``handbook search`` searches one, its index from the same cache. The hits are ranked
together (a section holding every word before a partial one, then by score) and grouped by
book, the books in the order of their best hit; each hit carries its book's title. ``--limit``
counts hits across all books. Exit status 0 with results, 1 with none.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from handbook.commands.common import bold_terminal, cache_folder, hit_json, print_out
from handbook.commands.library import open_store
from handbook.core.book.errors import BookError
from handbook.core.library.store import LibraryBook, guide_entry, library_books
from handbook.core.search.index import IndexCache, SearchIndex, snippet_text
from handbook.core.search.library import BookHit, LibraryResults, grouped, search_books
from handbook.core.storage.pathtext import displayable

BOLD, RESET = "\033[1m", "\033[0m"


def run(args: argparse.Namespace) -> int:
    if args.path:
        print("handbook search: error: give a book or --all, not both", file=sys.stderr)
        return 2
    results = search_library(args.query, args.limit)
    if args.json:
        print_out(json.dumps([hit_entry(h) for h in results.hits], indent=2, ensure_ascii=False))
    elif results.hits:
        print_out("\n".join(result_lines(results, bold=bold_terminal())))
    if not results.hits:
        print(
            f"handbook: no results for {args.query!r} in {results.books_searched} "
            f"book{'s' if results.books_searched != 1 else ''}",
            file=sys.stderr,
        )
        if results.suggestion:
            print(f"handbook: did you mean: {results.suggestion}", file=sys.stderr)
        return 1
    return 0


def library_to_search() -> list[LibraryBook]:
    """The guide and the library's books (only the guide when the library cannot be used)."""
    store = open_store()
    try:
        if store.disabled_reason:
            print(f"handbook: {store.disabled_reason}", file=sys.stderr)
            return [guide_entry()]
        return library_books(store)
    finally:
        store.close()


def search_library(query: str, limit: int) -> LibraryResults:
    """Every present book searched; the best ``limit`` hits of all (0: all of them)."""
    from handbook.core.book.load import load_book

    cache = IndexCache(cache_folder())
    opened: list[tuple[LibraryBook, SearchIndex]] = []
    try:
        for entry in library_to_search():
            if entry.missing:
                print(f"handbook: skipped (missing): {_where(entry)}", file=sys.stderr)
                continue
            try:
                book = load_book(entry.location)
            except BookError as exc:
                print(f"handbook: skipped: {exc}", file=sys.stderr)
                continue
            opened.append((entry, cache.open(book)))
        return search_books(query, opened, limit)
    finally:
        for _, index in opened:
            index.close()


def result_lines(results: LibraryResults, bold: bool = False) -> list[str]:
    """A count line; per book its title and place, then its hits: overall rank and title,
    the book's title and breadcrumb, section id, snippet."""
    shown = len(results.hits)
    books = len({str(h.book.location) for h in results.hits})
    count = f"{results.total} result{'s' if results.total != 1 else ''}"
    head = (
        f"{count} for {results.query!r} in {books} book{'s' if books != 1 else ''} "
        f"({results.books_searched} searched)"
    )
    if shown < results.total:
        head += f"; showing the best {shown}"
    lines = [head]
    before, after = (BOLD, RESET) if bold else ("**", "**")
    for book, hits in grouped(results.hits):
        lines += ["", f"== {_where(book)}"]
        for rank, hit in hits:
            mark = " (partial match)" if hit.partial else ""
            crumb = f"{book.title} › {hit.breadcrumb}" if hit.breadcrumb else book.title
            lines += ["", f"{rank}. {hit.title}{mark}", f"   {crumb}", f"   {hit.id}"]
            if hit.snippet:
                lines.append("   " + snippet_text(hit.snippet, before, after))
    return lines


def hit_entry(found: BookHit) -> dict[str, Any]:
    return {
        "book": found.book.title,
        "book_path": displayable(str(found.book.location)),
        **hit_json(found.hit),
    }


def _where(book: LibraryBook) -> str:
    return f"{book.title} — {displayable(str(book.location))}"
