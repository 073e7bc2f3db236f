"""``handbook bookmarks``: list, export or import the bookmarks of every book, without a window.

``handbook bookmarks [--json]`` lists them (``--json`` prints the export format);
``handbook bookmarks export FILE [--format xbel|json]`` writes them all;
``handbook bookmarks import FILE [--format xbel|json]`` adds those not already there (same book,
section and title). The format comes from the file's extension unless given. A file that cannot
be read, is malformed or foreign changes nothing: one line on stderr, exit status 1; a bad
command line is exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from handbook.commands.common import print_out as print_text
from handbook.core.bookmarks import exchange as bookmark_io
from handbook.core.bookmarks.model import Bookmark, Folder
from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.storage.sqlite import StorageError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="list as JSON (the format 'export' writes)"
    )
    actions = parser.add_subparsers(dest="action", metavar="{export,import}")
    for name, text in (
        ("export", "write every bookmark to FILE"),
        ("import", "add the bookmarks in FILE that are not here yet"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("file", help="an .xbel or .json file")
        action.add_argument(
            "--format",
            choices=bookmark_io.FORMATS,
            help="the file's format (default: from its extension)",
        )


def run(args: argparse.Namespace, data_dir: Path | None = None) -> int:
    fmt = ""
    if args.action in ("export", "import"):
        try:
            fmt = bookmark_io.format_for(Path(args.file), args.format)
        except ValueError as exc:
            return _fail(f"handbook bookmarks {args.action}: error: {exc}", EXIT_USAGE)
    if data_dir is None:
        from handbook.paths import data_dir as user_data_dir

        data_dir = user_data_dir()
    store = BookmarkStore.open(data_dir)
    try:
        if store.recovery_message:
            print(f"handbook: {store.recovery_message}", file=sys.stderr)
        if store.disabled_reason:
            return _fail(f"handbook: {store.disabled_reason}")
        if args.action == "export":
            return _export(store, Path(args.file), fmt)
        if args.action == "import":
            return _import(store, Path(args.file), fmt)
        return _list(store, as_json=args.json)
    except StorageError as exc:
        return _fail(f"handbook: {exc}")
    finally:
        store.close()


def _list(store: BookmarkStore, as_json: bool) -> int:
    snapshot = store.snapshot()
    if as_json:
        return print_text(bookmark_io.to_json(snapshot).rstrip("\n"))
    if not snapshot.bookmarks and not snapshot.folders:
        return print_text("No bookmarks yet.")
    return print_text("\n".join(listing(snapshot.folders, snapshot.bookmarks)))


def listing(folders: tuple[Folder, ...], bookmarks: tuple[Bookmark, ...]) -> Iterator[str]:
    """Books, then their folders (ending in '/') and bookmarks, two spaces of indent a level."""
    books: dict[str, tuple[str, str]] = {}
    for bookmark in bookmarks:
        books.setdefault(bookmark.book_identity, (bookmark.book_title, bookmark.book_path))
    for folder in folders:
        books.setdefault(folder.book_identity, ("(a book with no bookmarks)", ""))
    for identity, (title, path) in books.items():
        yield f"{title} — {path}" if path else title
        yield from _container(identity, None, folders, bookmarks, depth=1)


def _container(
    book: str,
    folder_id: int | None,
    folders: tuple[Folder, ...],
    bookmarks: tuple[Bookmark, ...],
    depth: int,
) -> Iterator[str]:
    indent = "  " * depth
    for folder in folders:
        if folder.book_identity == book and folder.parent_id == folder_id:
            yield f"{indent}{folder.name}/"
            yield from _container(book, folder.id, folders, bookmarks, depth + 1)
    for b in bookmarks:
        if b.book_identity == book and b.folder_id == folder_id:
            day = time.strftime("%Y-%m-%d", time.localtime(b.created)) if b.created else ""
            lost = "  [section not found]" if b.missing else ""
            yield f"{indent}{b.title}  ({b.section_id})  {day}{lost}".rstrip()
            note = b.note.strip().splitlines()[0] if b.note.strip() else ""
            if note:
                yield f"{indent}  note: {note}"


def _export(store: BookmarkStore, path: Path, fmt: str) -> int:
    snapshot = store.snapshot()
    try:
        bookmark_io.write_file(path, snapshot, fmt)
    except OSError as exc:
        return _fail(f"handbook: cannot write {path}: {exc.strerror or exc}")
    return print_text(bookmark_io.describe_export(len(snapshot.bookmarks), path))


def _import(store: BookmarkStore, path: Path, fmt: str) -> int:
    try:
        snapshot = bookmark_io.read_file(path, fmt)
    except OSError as exc:
        return _fail(f"handbook: cannot read {path}: {exc.strerror or exc}")
    except bookmark_io.ImportFormatError as exc:
        return _fail(f"handbook: cannot import {exc}; nothing was changed")
    result = store.merge(snapshot)
    return print_text(
        bookmark_io.describe_import(result.added, result.skipped, result.folders_added, path)
    )


def _fail(message: str, status: int = EXIT_FAILURE) -> int:
    print(message, file=sys.stderr)
    return status
