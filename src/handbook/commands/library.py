"""``handbook library``: the books the reader has opened or added, without a window.

``handbook library [--json]`` lists them (the bundled guide always first; a book whose folder
has gone marked missing); ``handbook library add PATH`` adds a book, or every book found in a
folder holding several; ``handbook library remove PATH`` forgets one (its files and bookmarks
are not touched). Exit status 0 when done, 1 when the library cannot be used or the book to
remove is not in it, 2 for a path that is no book (one line on stderr, as the other commands).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from handbook.commands.common import print_out
from handbook.core.book.errors import BookError
from handbook.core.library.store import (
    LibraryBook,
    LibraryStore,
    canonical,
    find_books,
    guide_entry,
    library_books,
)
from handbook.core.storage.pathtext import displayable
from handbook.core.storage.sqlite import StorageError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
LAYOUTS = {"mdbook": "mdBook", "mkdocs": "MkDocs", "folder": "folder", "file": "file"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="list as JSON: [{title, format, location, last_read, missing, bundled}]",
    )
    actions = parser.add_subparsers(dest="action", metavar="{add,remove}")
    add = actions.add_parser(
        "add",
        help="add a book, or every book in a folder holding several",
        description="add a book (a folder or a file), or every book in a folder holding several",
    )
    add.add_argument("path", help="a book, or a folder of books")
    remove = actions.add_parser(
        "remove",
        help="forget a book (its files and bookmarks are kept)",
        description="forget a book (its files and bookmarks are kept)",
    )
    remove.add_argument("path", help="the book's folder or file, as listed")


def run(args: argparse.Namespace, data_dir: Path | None = None) -> int:
    store = open_store(data_dir)
    try:
        if store.disabled_reason:
            return _fail(f"handbook: {store.disabled_reason}")
        if args.action == "add":
            return _add(store, Path(args.path))
        if args.action == "remove":
            return _remove(store, Path(args.path))
        return _list(library_books(store), as_json=args.json)
    except StorageError as exc:
        return _fail(f"handbook: {exc}")
    finally:
        store.close()


def open_store(data_dir: Path | None = None) -> LibraryStore:
    """The user's library (its recovery message said on stderr)."""
    if data_dir is None:
        from handbook.paths import data_dir as user_data_dir

        data_dir = user_data_dir()
    store = LibraryStore.open(data_dir)
    if store.recovery_message:
        print(f"handbook: {store.recovery_message}", file=sys.stderr)
    return store


def _list(books: list[LibraryBook], as_json: bool) -> int:
    if as_json:
        return print_out(json.dumps([book_json(b) for b in books], indent=2, ensure_ascii=False))
    width = max(len(LAYOUTS.get(b.format, b.format)) for b in books)
    lines = [f"{len(books)} book{'s' if len(books) != 1 else ''} in the library"]
    for book in books:
        layout = LAYOUTS.get(book.format, book.format).ljust(width)
        mark = "  [missing]" if book.missing else "  [bundled]" if book.bundled else ""
        lines.append(f"{book.title}{mark}")
        lines.append(f"   {layout}  {displayable(str(book.location))}")
        lines.append(f"   last read: {_day(book.last_read)}")
    return print_out("\n".join(lines))


def book_json(book: LibraryBook) -> dict[str, Any]:
    return {
        "title": book.title,
        "format": book.format,
        "location": displayable(str(book.location)),
        "last_read": book.last_read,
        "missing": book.missing,
        "bundled": book.bundled,
    }


def _add(store: LibraryStore, path: Path) -> int:
    skipped: list[str] = []
    try:
        found = find_books(path, skipped)
    except BookError as exc:
        return _fail(f"handbook: {exc}", EXIT_BAD_INPUT)
    for why in skipped:
        print(f"handbook: skipped: {why}", file=sys.stderr)
    lines = []
    for book in found:
        new = store.add(book)
        state = "added" if new else "already in the library"
        where = displayable(str(book.location))
        lines.append(f"{state}: {book.title} ({LAYOUTS.get(book.format, book.format)}) — {where}")
    return print_out("\n".join(lines))


def _remove(store: LibraryStore, path: Path) -> int:
    if canonical(path) == guide_entry().location:
        return _fail("handbook: the bundled guide is always in the library; it cannot be removed")
    book = store.book(path)
    if book is None or not store.remove(path):
        return _fail(f"handbook: {path} is not in the library ('handbook library' lists it)")
    return print_out(
        f"removed from the library: {book.title} — {displayable(str(book.location))} "
        "(its files and bookmarks are kept)"
    )


def _day(when: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when)) if when else "never"


def _fail(message: str, status: int = EXIT_FAILURE) -> int:
    print(message, file=sys.stderr)
    return status
