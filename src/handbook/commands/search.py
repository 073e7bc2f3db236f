"""``handbook search QUERY [PATH] [--limit N] [--json]``: a book's full text, without a window.

The same search as the window's (:meth:`SearchIndex.search` with the same
:class:`SearchOptions`: the last word is a prefix there too), so both list the same sections
in the same order. Ranked results, each with its breadcrumb, section id and a snippet whose
matches are bold on a terminal (``**word**`` when the output goes elsewhere or ``NO_COLOR`` is
set); ``--limit 0`` lists them all. Where no section holds every word, the sections holding the
most are listed, marked "partial". Exit status 0 with results, 1 with none (after a "did you
mean" line when the book has a close word), 2 for a path that is not a book. The index is
cached in the user's cache folder, or kept in memory.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from handbook.commands.common import (
    add_book_argument,
    bold_terminal,
    cache_folder,
    hit_json,
    load_book_or_exit,
    print_out,
)
from handbook.core.search.index import (
    IndexCache,
    SearchOptions,
    SearchResults,
    snippet_text,
)

DEFAULT_LIMIT = 10
BOLD, RESET = "\033[1m", "\033[0m"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "A query that starts with '-' goes after '--': search -- --dest-dir PATH"
    plain_error = parser.error

    def error(message: str) -> NoReturn:
        if "unrecognized arguments: -" in message:
            message += " (a query that starts with '-' goes after '--': handbook search -- --x)"
        plain_error(message)

    parser.error = error  # type: ignore[method-assign]
    parser.add_argument(
        "query",
        help='words (all must match; the last one as a prefix), "an exact phrase", -excluded, '
        "a OR b; everything else (C++, --dest-dir, Box<T>) is searched as written",
    )
    add_book_argument(parser)
    parser.add_argument(
        "--limit",
        type=_count,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N results (default {DEFAULT_LIMIT}; 0: all of them)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of {id, chapter, anchor, title, breadcrumb, snippet, score, "
        "partial}; the snippet is HTML: escaped text with the matches in <b>",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="search every book of the library (see 'handbook library'): hits ranked "
        "together, grouped by book, each with its book's title (and book, book_path in JSON)",
    )


def run(args: argparse.Namespace) -> int:
    if getattr(args, "all", False):
        from handbook.commands import search_all

        return search_all.run(args)
    book = load_book_or_exit(args.path)
    if isinstance(book, int):
        return book
    index = IndexCache(cache_folder()).open(book)
    try:
        results = index.search(args.query, SearchOptions(limit=args.limit))
    finally:
        index.close()
    if args.json:
        print_out(json.dumps([hit_json(hit) for hit in results.hits], indent=2, ensure_ascii=False))
    elif results.hits:
        print_out("\n".join(result_lines(results, bold=bold_terminal())))
    if not results.hits:
        print(f"handbook: no results for {args.query!r}", file=sys.stderr)
        if results.suggestion:
            print(f"handbook: did you mean: {results.suggestion}", file=sys.stderr)
        return 1
    return 0


def result_lines(results: SearchResults, bold: bool = False) -> list[str]:
    """A count line, then per hit: rank and title, breadcrumb, section id, snippet."""
    shown = len(results.hits)
    count = f"{results.total} result{'s' if results.total != 1 else ''}"
    head = f"{count} for {results.query!r}"
    if results.partial:
        head = f"No section has every word of {results.query!r}; {count} with some of them"
    if shown < results.total:
        head += f" (showing the best {shown})"
    lines = [head]
    before, after = (BOLD, RESET) if bold else ("**", "**")
    for rank, hit in enumerate(results.hits, start=1):
        mark = " (partial match)" if hit.partial else ""
        lines += ["", f"{rank}. {hit.title}{mark}", f"   {hit.breadcrumb}", f"   {hit.id}"]
        if hit.snippet:
            lines.append("   " + snippet_text(hit.snippet, before, after))
    return lines


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (all) or more")
    return value
