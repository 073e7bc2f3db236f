"""``handbook pdf OUT.pdf [PATH] [--chapter CHAPTER-PATH]``: a book or one chapter as a PDF file.

No window is opened: on Linux Qt runs on its ``offscreen`` platform unless ``QT_QPA_PLATFORM``
says otherwise, so this works over SSH and in CI with no display. The whole book gets a table of
contents with page numbers and an outline (bookmarks); every chapter starts on a new page; the
pages are numbered; links inside the book stay clickable. Print colours (the light theme).

On a terminal, progress is shown on stderr (one line, rewritten). The pages go to ``OUT.pdf.part``,
which replaces ``OUT.pdf`` once complete; Ctrl+C, SIGTERM or SIGHUP remove it (a SIGKILL leaves
it, and the next export to ``OUT.pdf`` replaces it). A book whose PDF would pass 5,000 pages (a
chapter listed thousands of times) is written with a warning.

Exit status: 0 written; 2 a bad book path, an unknown chapter or an output folder that does not
exist (one line on stderr); 1 the file could not be written (a full disk says so) or Qt could not
start; 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import posixpath
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from handbook.commands.common import add_book_argument, load_book_or_exit
from handbook.core.book.model import Book
from handbook.exits import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from handbook.ui.paper.pdf_export import PrintProgress

CHAPTERS_LISTED = 12  # how many chapter paths an "unknown chapter" message suggests
EXIT_INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl+C


class TerminalProgress:
    """One line on a terminal, rewritten in place: "Writing the PDF: 120 / 2000 (ch07.md)"."""

    def __init__(self, stream: TextIO, every_s: float = 0.1) -> None:
        self._stream = stream
        self._every_s = every_s
        self._last = 0.0
        self._shown = False

    def __call__(self, step: PrintProgress) -> None:
        now = time.monotonic()
        if now - self._last < self._every_s and step.done < step.total:
            return
        self._last = now
        line = f"{step.stage}: {step.done} / {step.total}"
        if step.chapter:
            line += f" ({step.chapter})"
        width = shutil.get_terminal_size((80, 20)).columns - 1
        self._stream.write("\r" + line[:width].ljust(width))
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            width = shutil.get_terminal_size((80, 20)).columns - 1
            self._stream.write("\r" + " " * width + "\r")
            self._stream.flush()
            self._shown = False


@contextlib.contextmanager
def _interrupted_as_keyboard_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP end the export as Ctrl+C does: through ``finally`` (the .part file
    removed), not at once."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    try:
        previous = {s: signal.signal(s, interrupt) for s in wanted}
    except ValueError:  # not the main thread: leave the signals alone
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "out", metavar="OUT.pdf", help="the PDF file to write (before or after the book)"
    )
    add_book_argument(parser)
    parser.add_argument(
        "--chapter",
        metavar="CHAPTER-PATH",
        help="write only this chapter: its path as in SUMMARY.md, e.g. ch01-00-intro.md",
    )
    parser.add_argument(
        "--page-size",
        choices=("a4", "letter"),
        help="paper size (default: the one of your locale)",
    )


def _book_first(out: str, path: str | None) -> bool:
    """The book given before the PDF: the second path names a PDF, the first exists and not."""
    if path is None or not path.lower().endswith(".pdf") or out.lower().endswith(".pdf"):
        return False
    return Path(out.partition("#")[0]).exists()


def find_chapter(book: Book, wanted: str) -> str | None:
    """The chapter path ``wanted`` names: as in SUMMARY.md, or with ``src/`` or ``./`` before it."""
    name = posixpath.normpath(wanted.replace("\\", "/")).lstrip("/")
    for candidate in (name, name.removeprefix("src/")):
        if book.chapter(candidate) is not None:
            return candidate
    return None


def _unknown_chapter(book: Book, wanted: str) -> str:
    paths = [node.path for node in book.chapters() if node.path]
    listed = ", ".join(paths[:CHAPTERS_LISTED]) + (", …" if len(paths) > CHAPTERS_LISTED else "")
    return (
        f"handbook: no chapter {wanted!r} in {book.summary_path}; "
        f"give a chapter's path as SUMMARY.md has it ({listed})"
    )


def run(args: argparse.Namespace) -> int:
    if _book_first(args.out, args.path):  # paths in any order: `pdf BOOK OUT.pdf` as well
        args.out, args.path = args.path, args.out
    out = Path(args.out)
    if out.suffix.lower() != ".pdf" and not out.is_dir():
        out = out.with_name(out.name + ".pdf")
        print(f"handbook: writing {out} (a PDF file's name ends in .pdf)", file=sys.stderr)
    if out.is_dir():
        print(f"handbook: {out} is a folder; give the PDF file to write", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not out.parent.resolve().is_dir():
        print(f"handbook: the folder {out.parent} does not exist", file=sys.stderr)
        return EXIT_BAD_INPUT
    book = load_book_or_exit(args.path)
    if isinstance(book, int):
        return EXIT_BAD_INPUT
    chapters: list[str] | None = None
    if args.chapter:
        chapter = find_chapter(book, args.chapter)
        if chapter is None:
            print(_unknown_chapter(book, args.chapter), file=sys.stderr)
            return EXIT_BAD_INPUT
        chapters = [chapter]
    if not book.chapters():
        print(f"handbook: {book.summary_path} lists no chapter to print", file=sys.stderr)
        return EXIT_BAD_INPUT
    return _write(book, out, chapters, args.page_size)


def _write(book: Book, out: Path, chapters: list[str] | None, page_size: str | None) -> int:
    if sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from handbook.ui.app.syslibs import ensure_qt_libraries

    if not ensure_qt_libraries():
        return EXIT_FAILURE
    from PySide6.QtGui import QGuiApplication, QPageSize

    from handbook.core.render.theme import LIGHT
    from handbook.ui.paper.pdf_export import export_pdf
    from handbook.ui.reader.chapter_cache import default_renderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0] or "handbook"])
    size = None
    if page_size is not None:
        size_id = QPageSize.PageSizeId.A4 if page_size == "a4" else QPageSize.PageSizeId.Letter
        size = QPageSize(size_id)
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    try:
        with _interrupted_as_keyboard_interrupt():  # the .part file is removed on the way out
            result = export_pdf(
                book,
                default_renderer(book, LIGHT),
                out,
                chapters,
                page_size=size,
                progress=progress,
            )
    except OSError as exc:
        if progress is not None:
            progress.clear()
        print(f"handbook: could not write {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print(f"handbook: interrupted; {out} not written", file=sys.stderr)
        return EXIT_INTERRUPTED
    if progress is not None:
        progress.clear()
    for note in result.notes:
        print(f"handbook: warning: {note}", file=sys.stderr)
    print(f"{out}: {_count(result.pages, 'page')}, {_count(len(result.chapters), 'chapter')}")
    return EXIT_OK


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"
