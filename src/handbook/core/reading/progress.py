"""How far through the book the reader is: the chapter's number of the book's, and the share
of the book's text before the top of the page (chapters weighed by their size, as Calibre's
viewer and Foliate weigh them), for the status bar."""

from __future__ import annotations

import os
from dataclasses import dataclass

from handbook.core.book.model import Book


@dataclass(frozen=True)
class Progress:
    chapter_number: int  # 1-based, in reading order
    chapter_count: int
    percent: int  # 0..100 of the book's text before the top of the page

    def text(self) -> str:
        return f"Chapter {self.chapter_number} of {self.chapter_count} · {self.percent}%"


@dataclass(frozen=True)
class ChapterSizes:
    """Each chapter's size in reading order (its source file's bytes; at least 1)."""

    paths: tuple[str, ...]
    sizes: tuple[int, ...]

    @classmethod
    def of(cls, book: Book) -> ChapterSizes:
        paths = tuple(c.path for c in book.chapters() if c.path)
        return cls(paths, tuple(_size(book, p) for p in paths))

    def progress(self, chapter: str, fraction: float) -> Progress | None:
        """Where the reader is with ``fraction`` (0..1) of ``chapter`` above the page's top."""
        if chapter not in self.paths:
            return None
        at = self.paths.index(chapter)
        total = sum(self.sizes)
        before = sum(self.sizes[:at]) + self.sizes[at] * min(max(fraction, 0.0), 1.0)
        return Progress(at + 1, len(self.paths), int(100 * before / total) if total else 0)


def _size(book: Book, path: str) -> int:
    try:
        return max(os.stat(book.src / path).st_size, 1)
    except (OSError, ValueError):
        return 1
