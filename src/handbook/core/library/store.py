"""The library: every book the reader has opened or added, in one SQLite store.

Qt-free: the caller passes the data folder in. The store is kept as the bookmarks are (WAL,
one transaction per change, ``busy_timeout`` so that two processes adding at once lose
nothing). A book is keyed by where it is (its folder, or a single file's path, symlinks
resolved): adding it twice keeps one entry. A book whose folder has gone is listed as missing,
never dropped; removing one forgets the entry only (its files and bookmarks are not touched).
A damaged library file, another program's, or one written by a newer handbook is moved aside
untouched and a new one started (:attr:`LibraryStore.recovery_message` says so, once).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from handbook.core.storage.pathtext import path_from_text, path_to_text
from handbook.core.storage.safefile import SpecialFile, check_regular
from handbook.core.storage.sqlite import (
    DEFAULT_BUSY_TIMEOUT_MS,
    Database,
    DatabaseCorrupt,
    ForeignDatabase,
    StorageError,
    Store,
    Transaction,
    identify,
    move_aside,
    sentence,
)

if TYPE_CHECKING:
    from handbook.core.book.model import Book

FILE_NAME = "library.sqlite"
WHAT = "The library file"
_MAX_SCAN_DEPTH = 3  # folders below an added folder looked into for books
_MAX_SCAN_ENTRIES = 20_000


@dataclass(frozen=True)
class LibraryBook:
    """One book of the library, as listed."""

    location: Path  # what opens it again (Book.location(): the folder, a single file's path)
    title: str
    format: str  # "mdbook", "mkdocs", "folder", "file"
    added: float  # seconds since the epoch
    last_read: float | None  # None: added, never opened in the window
    missing: bool = False  # nothing at its location now (a removed folder, a drive not there)
    bundled: bool = False  # the bundled guide: always listed, never removed


@dataclass(frozen=True)
class FoundBook:
    """A book found by :func:`find_books`: what to record for it."""

    location: Path
    title: str
    format: str


class LibraryDisabled(StorageError):
    """The library cannot be used this session (see :attr:`LibraryStore.disabled_reason`)."""


def _schema_1(tx: Transaction) -> None:
    # IF NOT EXISTS: two processes creating the file at once both run this step
    tx.execute(
        """CREATE TABLE IF NOT EXISTS books (
            location TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            format TEXT NOT NULL,
            added REAL NOT NULL,
            last_read REAL)"""
    )


MIGRATIONS = (_schema_1,)
_COLUMNS = {"location", "title", "format", "added", "last_read"}


def canonical(location: Path) -> Path:
    """The key of a book's location: absolute, symlinks resolved where they can be."""
    try:
        return Path(os.path.realpath(location))
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(location))


class LibraryStore(Store):
    """The library file in the user's data folder (see :meth:`open`)."""

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        clock: Callable[[], float] = time.time,
    ) -> LibraryStore:
        """The library in ``data_dir``; never raises for the environment: a library that
        cannot be used is disabled, with :attr:`disabled_reason` saying why."""
        path = data_dir / FILE_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            database, recovery = _open_database(path, busy_timeout_ms, clock)
        except (StorageError, OSError, SpecialFile) as exc:
            return cls(None, disabled_reason=f"The library is turned off: {sentence(exc)}")
        return cls(database, recovery_message=recovery, clock=clock)

    def _db(self) -> Database:
        if self.database is None:
            raise LibraryDisabled(self.disabled_reason or "The library is turned off.")
        return self.database

    # -- reading ---------------------------------------------------------------------------

    def books(self) -> list[LibraryBook]:
        """Every book, the one read last first (then those never read, by title)."""
        rows = self._db().execute(
            "SELECT location, title, format, added, last_read FROM books "
            "ORDER BY last_read IS NULL, last_read DESC, title COLLATE NOCASE, location"
        )
        books = []
        for location, title, fmt, added, last_read in rows:
            where = Path(path_from_text(str(location)))
            books.append(
                LibraryBook(
                    where,
                    str(title),
                    str(fmt),
                    float(added),
                    None if last_read is None else float(last_read),
                    missing=not os.path.exists(where),
                )
            )
        return books

    def book(self, location: Path) -> LibraryBook | None:
        key = canonical(location)
        return next((b for b in self.books() if b.location == key), None)

    # -- changing --------------------------------------------------------------------------

    def add(self, found: FoundBook, *, read: bool = False) -> bool:
        """Record a book (its title and layout refreshed if it is there already); True when it
        is new. ``read``: it was opened in the window now (its "last read" time)."""
        key = path_to_text(str(canonical(found.location)))
        now = self._clock()
        with self._db().transaction() as tx:
            known = tx.execute("SELECT 1 FROM books WHERE location = ?", (key,)).fetchone()
            tx.execute(
                "INSERT INTO books (location, title, format, added, last_read) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(location) DO UPDATE SET "
                "title = excluded.title, format = excluded.format, "
                "last_read = coalesce(excluded.last_read, books.last_read)",
                (key, found.title, found.format, now, now if read else None),
            )
        return known is None

    def add_many(self, found: Iterable[FoundBook]) -> int:
        """Record books found in a folder, in one transaction (all or none); how many are new.
        A book already listed keeps its entry (its title and layout refreshed)."""
        rows = [
            (path_to_text(str(canonical(book.location))), book.title, book.format) for book in found
        ]
        now = self._clock()
        with self._db().transaction() as tx:
            before = tx.execute("SELECT count(*) FROM books").fetchone()[0]
            for key, title, fmt in rows:
                tx.execute(
                    "INSERT INTO books (location, title, format, added) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(location) DO UPDATE SET title = excluded.title, "
                    "format = excluded.format",
                    (key, title, fmt, now),
                )
            after = tx.execute("SELECT count(*) FROM books").fetchone()[0]
        return int(after) - int(before)

    def remove(self, location: Path) -> bool:
        """Forget the book at ``location`` (nothing on disk is touched); False if not listed."""
        keys = {path_to_text(str(canonical(location))), path_to_text(os.path.abspath(location))}
        with self._db().transaction() as tx:
            removed = 0
            for key in keys:
                removed += tx.execute("DELETE FROM books WHERE location = ?", (key,)).rowcount
        return removed > 0


def record_read(data_dir: Path, book: Book) -> str | None:
    """Record ``book`` as read now; what to tell the
    reader (the library started again, or turned off), or None. Never raises for the
    environment: the window goes on without the library."""
    with LibraryStore.open(data_dir) as store:
        if store.disabled_reason:
            return store.disabled_reason
        try:
            store.add(_found(book), read=True)
        except StorageError as exc:
            return f"The book could not be listed in the library: {exc}"
        return store.recovery_message


# -- finding books in a folder ----------------------------------------------------------------


ScanProgress = Callable[[int, int], None]  # (done, in all; 0: not known yet): may raise to stop


def find_books(
    path: Path, skipped: list[str] | None = None, progress: ScanProgress | None = None
) -> list[FoundBook]:
    """The book at ``path``, or the books in the folder ``path`` (each one found inside it).

    A folder that is itself an mdBook book or an MkDocs site is one book; a folder holding such
    books (up to three levels down) is a shelf of them; else a folder of markdown is one book.
    Raises :class:`~handbook.core.book.errors.BookError` when nothing is found; a book among others
    that cannot be opened is left out, why added to ``skipped``. ``progress`` is told (books
    found, 0) while the folders are looked through, then (books read, books found); an
    exception it raises stops the scan (a caller's cancel).
    """
    from handbook.core.book.errors import BookError
    from handbook.core.book.load import load_book
    from handbook.core.book.locate import FOLDER, locate

    where = locate(path)
    if where.layout != FOLDER:
        return [_found(load_book(where.path))]
    shelf = _book_folders(where.path, progress)
    if not shelf:
        return [_found(load_book(where.path))]
    found = []
    for done, folder in enumerate(shelf):
        if progress is not None:
            progress(done, len(shelf))
        try:
            found.append(_found(load_book(folder)))
        except BookError as exc:  # a broken book among good ones: the others are still added
            if skipped is not None:
                skipped.append(str(exc))
    if not found:
        raise BookError("no book here could be opened", path)
    return found


def _found(book: Book) -> FoundBook:
    return FoundBook(canonical(book.location()), book.title, book.format)


def _book_folders(folder: Path, progress: ScanProgress | None = None) -> list[Path]:
    """mdBook books and MkDocs sites below ``folder`` (not inside each other), sorted."""
    from handbook.core.book.locate import MKDOCS_CONFIGS, _is_mdbook

    found: list[Path] = []
    seen = 0
    if progress is None:
        progress = _no_progress

    def walk(where: Path, depth: int) -> Iterator[Path]:
        nonlocal seen
        try:
            entries = sorted(os.scandir(where), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            seen += 1
            if seen > _MAX_SCAN_ENTRIES:
                return
            if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            child = Path(entry.path)
            if _is_mdbook(child) or any((child / c).is_file() for c in MKDOCS_CONFIGS):
                yield child
            elif depth < _MAX_SCAN_DEPTH:
                yield from walk(child, depth + 1)

    for book in walk(folder, 1):
        found.append(book)
        progress(len(found), 0)
    return found


def _no_progress(_done: int, _total: int) -> None:
    return


# -- opening the file -------------------------------------------------------------------------


def _open_database(
    path: Path, busy_timeout_ms: int, clock: Callable[[], float]
) -> tuple[Database, str | None]:
    """The library at ``path``, and what to tell the reader about it (or None).

    A path that is no regular file raises :class:`SpecialFile` and is left alone; a damaged
    file, another program's, or one from a newer handbook is moved aside and a new one made.
    """
    if check_regular(path) and path.stat().st_size > 0:
        try:
            _identify(path, busy_timeout_ms)
        except (DatabaseCorrupt, ForeignDatabase) as exc:
            label = "newer" if isinstance(exc, _NewerLibrary) else "corrupt"
            if isinstance(exc, ForeignDatabase) and not isinstance(exc, _NewerLibrary):
                label = "foreign"
            aside = move_aside(path, label, clock())
            database = Database(path, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms)
            found = _refill_from_bookmarks(database, path.parent, clock())
            again = (
                f"with the {found} book{'s' if found != 1 else ''} of your bookmarks"
                if found
                else "(books you open are listed again)"
            )
            return database, (
                f"Your library could not be read: {sentence(exc)} It was kept, untouched, as "
                f"{aside.name} in {aside.parent}; a new library was started {again}."
            )
    return Database(path, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms), None


def _refill_from_bookmarks(database: Database, data_dir: Path, now: float) -> int:
    """The books the bookmarks name (read only, if the bookmark file can be read) put in a
    new library; how many. Their layout is found from their path (no file read)."""
    from handbook.core.book.errors import BookError
    from handbook.core.book.locate import locate

    bookmarks = data_dir / "bookmarks.sqlite"  # core/bookmarks/store.py's FILE_NAME
    try:
        if not check_regular(bookmarks):
            return 0
        probe = Database(bookmarks, read_only=True, check=False)
        try:
            rows = probe.execute("SELECT book_path, max(book_title) FROM bookmarks GROUP BY 1")
        finally:
            probe.close()
    except (StorageError, OSError, SpecialFile, sqlite3.Error):
        return 0
    with database.transaction() as tx:
        for location, title in rows:
            where = canonical(Path(path_from_text(str(location))))
            try:
                layout = locate(where).layout
            except BookError:  # gone, or no book now: listed (as missing) all the same
                layout = "unknown"
            tx.execute(
                "INSERT OR IGNORE INTO books (location, title, format, added) VALUES (?, ?, ?, ?)",
                (path_to_text(str(where)), str(title), layout, now),
            )
    return len(rows)


class _NewerLibrary(ForeignDatabase):
    pass


def _identify(path: Path, busy_timeout_ms: int) -> None:
    """Raise unless ``path`` is a library this handbook can use, or an empty database."""

    def newer(version: int) -> StorageError | None:
        if version <= len(MIGRATIONS):
            return None
        return _NewerLibrary(
            f"{path} was written by a newer version of handbook (schema {version}, this "
            f"one knows {len(MIGRATIONS)})."
        )

    def ours(probe: Database, tables: set[str], version: int) -> bool:
        if version == 0 or "books" not in tables:
            return False
        return {str(row[1]) for row in probe.execute("PRAGMA table_info(books)")} >= _COLUMNS

    identify(
        path, busy_timeout_ms, what=WHAT, not_ours="a handbook library", ours=ours, newer=newer
    )


def guide_entry() -> LibraryBook:
    """The bundled guide as the library lists it (always there, first)."""
    from handbook.core.book.load import load_book
    from handbook.resources import guide_path

    guide = load_book(guide_path())
    return LibraryBook(
        canonical(guide.location()), guide.title, guide.format, 0.0, None, bundled=True
    )


def library_books(store: LibraryStore) -> list[LibraryBook]:
    """The bundled guide, then the library's books (the guide listed once)."""
    guide = guide_entry()
    return [guide, *(b for b in store.books() if b.location != guide.location)]
