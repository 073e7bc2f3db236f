"""Helpers shared by the window-less commands (and start-up's refusal of a path: ui/app/run.py)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handbook.core.book.errors import BookError
from handbook.exits import EXIT_BAD_INPUT

if TYPE_CHECKING:
    from handbook.core.book.model import Book
    from handbook.core.search.index import SearchHit


def load_book_or_exit(path: str | None) -> Book | int:
    """The book at ``path`` (the bundled guide when None), or exit status 2 after one clear line."""
    from handbook.core.book.load import load_book
    from handbook.resources import guide_path

    try:
        return load_book(Path(path) if path else guide_path())
    except BookError as exc:
        return refuse_book(exc)


def open_book_or_exit(path: str) -> tuple[Book, str | None] | int:
    """The book at ``path`` and the section it names (``FILE#anchor``), or exit status 2."""
    from handbook.core.book.load import open_book

    try:
        return open_book(Path(path))
    except BookError as exc:
        return refuse_book(exc)


def refuse_book(exc: BookError) -> int:
    """Say on stderr, in one line, why the book cannot be opened; return exit status 2."""
    print(f"handbook: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT


def print_out(text: str) -> int:
    """Write a line to stdout; characters the console cannot show are replaced, and a closed
    pipe (``handbook toc | head``) stops quietly, as other tools do. Returns exit status 0."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "chapter": hit.chapter,
        "anchor": hit.anchor,
        "title": hit.title,
        "breadcrumb": hit.breadcrumb,
        "snippet": hit.snippet,
        "score": hit.score,
        "partial": hit.partial,
    }


def cache_folder() -> Path | None:
    """The user's cache folder, or None (search then works from memory)."""
    try:
        from handbook.paths import cache_dir

        return cache_dir()
    except Exception:  # no Qt, no home folder...: searching must still work
        return None


def bold_terminal() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def add_book_argument(parser: argparse.ArgumentParser) -> None:
    """The optional book argument the commands that read one book share."""
    parser.add_argument(
        "path",
        nargs="?",
        help="the book: a folder (mdBook, MkDocs or plain markdown), SUMMARY.md, mkdocs.yml, "
        "or a .md file (FILE#anchor); default: the guide",
    )
