"""Where a path's book is: its folder, holding book.toml, src/SUMMARY.md or SUMMARY.md.

Reads no file, and imports nothing of the book's parsers: start-up checks the path given on the
command line with :func:`check_book_path` before it loads Qt, and :func:`handbook.core.book.
load_book` goes on from :func:`find_book`.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from handbook.core.errors import BookError

SUMMARY = "SUMMARY.md"
CONFIG = "book.toml"


def check_book_path(path: Path | str) -> None:
    """Raise the :class:`BookError` :func:`~handbook.core.book.load_book` would when ``path``
    is no book at all (nothing there, no SUMMARY.md or book.toml). A book that passes may still
    fail to load (an unreadable SUMMARY.md, no chapter in it)."""
    find_book(Path(path))


def find_book(path: Path) -> tuple[Path, str]:
    """(folder, what it holds: :data:`CONFIG`, "src" (src/SUMMARY.md) or :data:`SUMMARY`)."""
    where = real_path(path)
    if where.is_file():
        if where.name == CONFIG:
            return where.parent, CONFIG
        if where.name.lower() != SUMMARY.lower():
            raise BookError("not a book: give the book's folder or its SUMMARY.md", path)
        return where.parent, SUMMARY
    if not where.is_dir():
        why = "no such file or folder" if not os.path.lexists(path) else "not a folder"
        raise BookError(why, path)
    if (where / CONFIG).is_file():
        return where, CONFIG
    if (where / "src" / SUMMARY).is_file():
        return where, "src"
    if (where / SUMMARY).is_file():
        return where, SUMMARY
    raise BookError(f"not a book: no {SUMMARY} here or in its src folder", path)


def real_path(path: Path) -> Path:
    """``path`` with symlinks resolved; a symlink loop is a :class:`BookError`, not a hang."""
    try:
        return path.resolve(strict=True)  # not strict, Python 3.13 returns a loop unresolved
    except (FileNotFoundError, NotADirectoryError):  # nothing there (a dangling link, a file
        return path.resolve()  # taken for a folder): the caller says so
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop before Python 3.13
        raise BookError(f"cannot be opened: {reason(exc)}", path) from None


def reason(exc: BaseException) -> str:
    """A short, human reason for a failed open."""
    if isinstance(exc, FileNotFoundError):
        return "not found"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    if (isinstance(exc, OSError) and exc.errno == errno.ELOOP) or isinstance(exc, RuntimeError):
        return "is a symlink loop"
    if isinstance(exc, ValueError):
        return "is not a valid file name"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot be read: {exc.strerror.lower()}"
    return f"cannot be read: {exc}"
