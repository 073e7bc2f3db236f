"""Where a path's book is, and in which layout (:func:`locate`).

The layouts: mdBook's (a folder holding book.toml, src/SUMMARY.md or SUMMARY.md), an MkDocs
site (mkdocs.yml or mkdocs.yaml), a plain folder of markdown, a single markdown file. A
markdown file inside an mdBook book or an MkDocs site is that book, opened at that page;
``PATH#anchor`` names a section of it.

Reads no file, and imports nothing of the book's parsers: start-up checks the path given on the
command line with :func:`check_book_path` before it loads Qt, and :func:`handbook.core.book.load.
load_book` goes on from :func:`locate`.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import NamedTuple

from handbook.core.book.errors import BookError

SUMMARY = "SUMMARY.md"
CONFIG = "book.toml"
MKDOCS_CONFIGS = ("mkdocs.yml", "mkdocs.yaml")
MARKDOWN_SUFFIXES = (".md", ".markdown")
# the layouts (Book.format)
MDBOOK, MKDOCS, FOLDER, FILE = "mdbook", "mkdocs", "folder", "file"
NO_MARKDOWN = f"not a book: no markdown (.md) file here, no {SUMMARY} and no mkdocs.yml"
_MAX_PARENTS = 12  # folders looked at above a markdown file for the book holding it
_MAX_SCAN = 5_000  # entries looked at for a markdown file before a folder is said to hold none


class Location(NamedTuple):
    """Where a book is: its ``layout``, the ``path`` its loader takes, the page asked for."""

    layout: str  # MDBOOK, MKDOCS, FOLDER or FILE
    path: Path  # mdBook: what find_book takes; MkDocs: mkdocs.yml; a folder; a file
    page: Path | None = None  # a markdown file named on the command line, inside the book
    anchor: str | None = None  # the section asked for (PATH#anchor)


def check_book_path(path: Path | str) -> None:
    """Raise the :class:`BookError` :func:`~handbook.core.book.load.load_book` would when ``path``
    is no book at all (nothing there, no markdown in it). A book that passes may still
    fail to load (an unreadable SUMMARY.md, no chapter in it)."""
    locate(path)


def split_anchor(path: Path | str) -> tuple[Path, str | None]:
    """``PATH#anchor`` as (PATH, anchor); a path whose name holds a ``#`` is taken as it is."""
    text = os.fspath(path)
    if "#" not in text or os.path.lexists(text):
        return Path(text), None
    base, _, anchor = text.rpartition("#")
    if not base:
        return Path(text), None
    return Path(base), (anchor or None)


def locate(path: Path | str) -> Location:
    """The book at ``path`` and its layout; :class:`BookError` when there is none."""
    given, anchor = split_anchor(path)
    where = real_path(given)
    if where.is_file():
        name = where.name.lower()
        if name in MKDOCS_CONFIGS:
            return Location(MKDOCS, where, None, anchor)
        if name in (CONFIG.lower(), SUMMARY.lower()):
            return Location(MDBOOK, where, None, anchor)
        if not name.endswith(MARKDOWN_SUFFIXES):
            raise BookError(
                "not a book: give a markdown file, a folder, SUMMARY.md or mkdocs.yml", given
            )
        holder = _book_holding(where)
        return (
            holder._replace(page=where, anchor=anchor)
            if holder
            else Location(FILE, where, where, anchor)
        )
    if not where.is_dir():
        why = "no such file or folder" if not os.path.lexists(given) else "not a folder"
        raise BookError(why, given)
    for config in MKDOCS_CONFIGS:
        if (where / config).is_file() and not _is_mdbook(where):
            return Location(MKDOCS, where / config, None, anchor)
    if _is_mdbook(where):
        return Location(MDBOOK, where, None, anchor)
    if not _holds_markdown(where):
        raise BookError(NO_MARKDOWN, given)
    return Location(FOLDER, where, None, anchor)


def _is_mdbook(folder: Path) -> bool:
    return any((folder / name).is_file() for name in (CONFIG, f"src/{SUMMARY}", SUMMARY))


def _book_holding(file: Path) -> Location | None:
    """The mdBook book or MkDocs site a markdown file is a page of (its folders looked up)."""
    folder = file.parent
    for _ in range(_MAX_PARENTS):
        if (folder / CONFIG).is_file() or (folder / SUMMARY).is_file():
            book = (
                folder.parent if folder.name == "src" and (folder / SUMMARY).is_file() else folder
            )
            return Location(MDBOOK, book)
        if (folder / "src" / SUMMARY).is_file() and file.is_relative_to(folder / "src"):
            return Location(MDBOOK, folder)
        for config in MKDOCS_CONFIGS:
            if (folder / config).is_file():
                return Location(MKDOCS, folder / config)
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


def _holds_markdown(folder: Path) -> bool:
    """Whether a markdown file is found within the first entries of ``folder``'s tree."""
    seen = 0
    pending = [folder]
    while pending and seen < _MAX_SCAN:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if entry.name.startswith(".") or entry.name == "node_modules":
                        continue
                    if entry.name.lower().endswith(MARKDOWN_SUFFIXES) and entry.is_file():
                        return True
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
        except OSError:
            continue
    return seen >= _MAX_SCAN


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
