"""``handbook show PATH [--html]``: one chapter as the reader sees it, without a window.

PATH is a chapter's file inside a book (``book/src/ch04-01.md``), optionally ``FILE#anchor``; its
book is found as the window finds it (:func:`handbook.core.book.load.open_book`): an mdBook book
or an
MkDocs site above it that lists it, else the file on its own.
Plain text by default (:mod:`handbook.core.render.page_text`), for a terminal or a pipe; the page's
HTML, as the window is given it, with ``--html``. What the page notes (an include refused, a
formula not drawn) also goes to stderr as a warning. A path that is not a chapter of a book is
one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from handbook.commands.common import print_out
from handbook.core.book.errors import BookError
from handbook.core.book.model import Book
from handbook.exits import EXIT_BAD_INPUT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a chapter's file inside a book, e.g. book/src/intro.md")
    parser.add_argument("--html", action="store_true", help="print the page's HTML, not its text")


def run(args: argparse.Namespace) -> int:
    try:
        book, chapter = find_chapter(Path(args.path))
    except BookError as exc:
        print(f"handbook: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from handbook.core.render.page_text import page_text
    from handbook.ui.reader.chapter_cache import (
        default_renderer,  # MkDocs pages are rendered their way
    )

    rendered = default_renderer(book)(chapter)
    for note in rendered.notes:
        print(f"handbook: warning: {note}", file=sys.stderr)
    return print_out(rendered.html if args.html else page_text(rendered.html))


def find_chapter(path: Path) -> tuple[Book, str]:
    """The book ``path`` is a chapter of, and its path relative to the book's ``src``."""
    from handbook.core.book.load import open_book
    from handbook.core.book.locate import real_path, split_anchor
    from handbook.core.book.model import split_section_id

    where = real_path(split_anchor(path)[0])
    if not where.is_file():
        why = "no such file" if not where.exists() else "not a file: give a chapter's .md file"
        raise BookError(why, path)
    book, section = open_book(path)
    if section is None:
        raise BookError(f"not a chapter of the book at {book.root}", path)
    return book, split_section_id(section)[0]
