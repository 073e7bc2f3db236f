"""The error a book that cannot be opened at all raises (apart, so that start-up's quick check
of a book's path, :mod:`handbook.core.book.locate`, imports nothing else)."""

from __future__ import annotations

from pathlib import Path


class BookError(Exception):
    """A book that cannot be opened at all; the message names the file (and line)."""

    def __init__(self, message: str, file: Path | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = message
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(where + message)
