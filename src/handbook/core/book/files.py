"""A book's files read with care: chapters confined to the book, bounded and decoded.

Files are read only inside the book: a chapter path must stay in the ``src`` folder as written
(no ``../``, no absolute path) and, with symlinks resolved, inside the book's root folder.
Folders, FIFOs and devices are refused before reading (a FIFO would block), as are files over
:data:`MAX_FILE_BYTES`. Also the book's identity (a hash of its folder's real path) and a
folder's or file's title. Every layout's loader (load, folder, mkdocs) and the renderer use it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from handbook.core.book.errors import BookError
from handbook.core.book.includes import NOTE_WORD, Expanded
from handbook.core.book.locate import (
    MDBOOK,
    SUMMARY,
    real_path,
    reason,
)
from handbook.core.book.model import (
    Book,
    BookProblem,
    Heading,
    MarkdownOptions,
    NodeKind,
    TocNode,
)

MAX_FILE_BYTES = 20 * 1024 * 1024


class _Unreadable(Exception):
    """Why a file cannot be used; ``line`` is a line *in that file* (for bad bytes)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def book_title_from(toc: tuple[TocNode, ...], where: Path) -> str:
    """A folder's or file's title: its own page's first level-1 heading, else its name."""
    first = toc[0] if toc else None
    if first is not None and first.path and "/" not in first.path:
        own = first.path.lower().rsplit(".", 1)[0] in ("index", "readme") or where.is_file()
        heading = next((h for h in first.headings if h.level == 1), None)
        if own and heading is not None:
            return heading.title
    return where.name or str(where)


def folder_identity(where: Path) -> str:
    return _identity(where)


def read_chapter_source(book: Book, path: str) -> str:
    """The markdown of chapter ``path`` (relative to ``book.src``): UTF-8, BOM removed, ``\\n``.

    Raises :class:`BookError` with "file:line: message" (the SUMMARY.md line when the chapter
    is listed there, the chapter's own line for bad bytes). Never reads outside the book.
    """
    return chapter_source_reader(book)(path)


def chapter_source_reader(book: Book) -> Callable[[str], str]:
    """:func:`read_chapter_source` for many chapters of ``book`` in a row: the book's folder
    and SUMMARY.md are resolved once, not once per chapter (a 5,000-chapter book's index)."""
    summary = book.summary_path if book.format == MDBOOK else book.root  # no chapter is SUMMARY
    reader = _ChapterReader(book.root, book.src, summary)

    def read(path: str) -> str:
        try:
            return reader.read(path)
        except _Unreadable as exc:
            raise _book_error(book, reader, path, exc) from None

    return read


def chapter_expander(book: Book) -> Callable[[str], Expanded]:
    """For an mdBook book, each chapter after its includes, notes as markers (see
    :meth:`ChapterReader.expanded`); raises :class:`BookError` as :func:`read_chapter_source`.
    """
    reader = _ChapterReader(book.root, book.src, book.summary_path)

    def expanded(path: str) -> Expanded:
        try:
            return reader.expanded(path)
        except _Unreadable as exc:
            raise _book_error(book, reader, path, exc) from None

    return expanded


def _book_error(book: Book, reader: _ChapterReader, path: str, exc: _Unreadable) -> BookError:
    """Why chapter ``path`` cannot be read, at its SUMMARY.md line when it is listed there."""
    node = book.chapter(path)
    problem = reader.problem(path, node.line if node else None, exc)
    return BookError(problem.message, problem.file, problem.line)


def book_identity(book: Book) -> str:
    """A stable id for bookmarks and caches: a hash of the book folder's real path.

    It deliberately ignores the book's content and title, so that editing a chapter or renaming
    the book keeps its bookmarks; moving the folder gives a new identity.
    """
    return _identity(book.root)


def _identity(root: Path) -> str:
    real = os.path.normcase(os.path.realpath(root))
    return _sha256_hex(real.encode("utf-8", "surrogatepass"))[:16]


def _sha256_hex(data: bytes) -> str:
    """SHA-256 from CPython's built-in module: hashlib would load OpenSSL (~2 ms at start-up)."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:  # pragma: no cover - a Python built without them
            from hashlib import sha256
    digest: str = sha256(data).hexdigest()
    return digest


class ChapterReader:
    """Reads chapters confined to the book, turning every failure into a problem."""

    def __init__(
        self,
        root: Path,
        src: Path,
        summary_path: Path,
        markdown: MarkdownOptions = MarkdownOptions(),  # noqa: B008  (frozen)
        inside: frozenset[str] = frozenset(),
    ) -> None:
        self.root = real_path(root)
        self.markdown = markdown
        self.src = src
        self.summary_path = summary_path
        self.summary_real = os.path.realpath(summary_path)
        self.problems: list[BookProblem] = []
        self.inside = inside  # paths found inside the book with no symlink on the way

    def load(self, node: TocNode) -> TocNode:
        """``node`` and its children with headings read, or with the problem that stopped it."""
        children = tuple(self.load(child) for child in node.children)
        if node.kind is not NodeKind.CHAPTER or node.path is None:
            return replace(node, children=children) if children else node
        try:
            headings = self.chapter_headings(node.path)
        except _Unreadable as exc:
            problem = self.problem(node.path, node.line, exc)
            self.problems.append(problem)
            return replace(node, children=children, problem=str(problem))
        return replace(node, children=children, headings=headings)

    def read(self, path: str) -> str:
        return _decode(_read_file(self.file(path)))

    def expanded(self, path: str) -> Expanded:
        """The chapter after its includes, notes as markers (see
        :func:`~handbook.core.book.includes.expanded_chapter`): read and expanded once per
        state of its files, for the book's load, the page and the search index alike."""
        from handbook.core.book.includes import expanded_chapter

        return expanded_chapter(
            self.src / path,
            self.root,
            lambda: self.read(path),
            (self.summary_real,),
            root_real=True,
        )

    def chapter_headings(self, path: str) -> tuple[Heading, ...]:
        """The headings of chapter ``path`` (see :meth:`headings`), read with care."""
        try:
            expanded = self.expanded(path)
        except _Unreadable:
            raise
        except Exception:  # a chapter's content never stops the book opening; its page says why
            return ()
        headings = self._parsed_headings(expanded.text)
        if expanded.notes and any(NOTE_WORD in h.title for h in headings):
            # the tree shows a note in a heading as its text, not as its marker
            return self.headings(path, self.read(path))
        return headings

    def headings(self, path: str, source: str) -> tuple[Heading, ...]:
        """The chapter's headings as the page shows them: after its includes, as mdBook
        numbers them (headings in quotes and lists too)."""
        from handbook.core.book.includes import expand_includes

        try:
            if "{{" in source:  # without "{{", no link to follow (nor folders to resolve)
                source = expand_includes(source, self.src / path, self.root).text
        except Exception:  # a chapter's content never stops the book opening; its page says why
            return ()
        return self._parsed_headings(source)

    def _parsed_headings(self, source: str) -> tuple[Heading, ...]:
        from handbook.core.render.mdbook.chapter import parse_chapter

        try:
            return parse_chapter(source, self.markdown, headings_only=True).headings
        except Exception:  # a chapter's content never stops the book opening; its page says why
            return ()

    def file(self, path: str) -> Path:
        """The chapter's file, refused when it leads out of the book or back to SUMMARY.md."""
        if path in self.inside:
            return self.src / path
        parts = re.split(r"[\\/]", path)
        if path.startswith(("/", "\\")) or ".." in parts or re.match(r"[A-Za-z]:", path):
            raise _Unreadable("is outside the book's src folder; it is not opened")
        file = self.src / path
        try:
            real = os.path.realpath(file)
        except (OSError, ValueError) as exc:
            raise _Unreadable(reason(exc)) from None
        if not Path(real).is_relative_to(self.root):
            raise _Unreadable(f"leads outside the book (to {real}); it is not opened")
        if real == self.summary_real:
            raise _Unreadable(f"is {SUMMARY} itself, not a chapter")
        return file

    def problem(self, path: str, line: int | None, exc: _Unreadable) -> BookProblem:
        """Bad bytes name the chapter's own line; the rest, the SUMMARY.md line listing it."""
        if exc.line is not None:
            return BookProblem(self.src / path, exc.line, exc.message)
        if line:
            return BookProblem(self.summary_path, line, f"chapter '{path}' {exc.message}")
        return BookProblem(self.src / path, None, exc.message)


_ChapterReader = ChapterReader


def _read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, else :class:`_Unreadable`.

    Opened non-blocking and checked with ``fstat`` before reading, so a FIFO or a device named
    as a chapter is refused instead of hanging the reader.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        raise _Unreadable(reason(exc)) from None
    try:
        _check_regular(os.fstat(fd))
        data = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _Unreadable(reason(exc)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable(_too_big(len(data)))
    return data


def _check_regular(info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise _Unreadable("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable("is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise _Unreadable(_too_big(info.st_size))


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(limit - size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_big(size: int) -> str:
    return f"is {size / 2**20:.1f} MB; files over {MAX_FILE_BYTES // 2**20} MB are not opened"


def _decode(data: bytes) -> str:
    """UTF-8 text with a BOM removed and line ends made ``\\n``; bad bytes name their line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise _Unreadable(message, line) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
