"""Bookmarks of every book, in one SQLite store in the user's data folder.

Qt-free: the window passes the data folder in. Every change is one transaction; environment
errors come out as :class:`~handbook.core.storage.sqlite.StorageError` with a message for the
user. At
open, a damaged database is moved aside and the newest good daily backup restored
(:attr:`BookmarkStore.recovery_message` says so); a folder that cannot be written leaves the store
disabled (:attr:`BookmarkStore.disabled_reason`) and the rest of the app running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from handbook.core.bookmarks.backups import (
    MAX_BACKUP_BYTES,
    TEMP_SUFFIX,
    Backups,
    fsync_folder,
    remove_orphan_temp_files,
)
from handbook.core.bookmarks.model import (
    AnchorChange,
    Bookmark,
    BookmarkDraft,
    BookmarkStatus,
    Folder,
    ImportResult,
    Placements,
    Snapshot,
)
from handbook.core.storage.pathtext import PREFIX as PATH_PREFIX
from handbook.core.storage.pathtext import displayable, path_from_text, path_to_text
from handbook.core.storage.safefile import SpecialFile, TooLarge, check_regular, read_regular
from handbook.core.storage.sqlite import (
    DEFAULT_BUSY_TIMEOUT_MS,
    Database,
    DatabaseCorrupt,
    ForeignDatabase,
    StorageError,
    StorageUnavailable,
    Store,
    Transaction,
    identify,
    move_aside,
    sentence,
)

log = logging.getLogger(__name__)

FILE_NAME = "bookmarks.sqlite"
BACKUP_FOLDER = "bookmark-backups"
WHAT = "The bookmark database"


class BookmarksDisabled(StorageError):
    """Bookmarking is off for this session (see :attr:`BookmarkStore.disabled_reason`)."""


# -- the store --------------------------------------------------------------------------------

_BOOKMARK_COLUMNS = (
    "id, book_identity, book_path, book_title, section_id, scroll, heading_text, breadcrumb, "
    "title, note, folder_id, position, created, chapter_index, prev_chapter, next_chapter, status, "
    "place_offset, place_quote"
)
_FOLDER_COLUMNS = "id, book_identity, name, parent_id, position, created"
_NEW_BOOKMARK_COLUMNS = _BOOKMARK_COLUMNS.removeprefix("id, ")
_INSERT_BOOKMARK = f"INSERT INTO bookmarks ({_BOOKMARK_COLUMNS}) VALUES ({', '.join('?' * 19)})"
_INSERT_NEW_BOOKMARK = (
    f"INSERT INTO bookmarks ({_NEW_BOOKMARK_COLUMNS}) VALUES ({', '.join('?' * 18)})"
)
_INSERT_FOLDER = f"INSERT INTO folders ({_FOLDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_NEW_FOLDER = (
    "INSERT INTO folders (book_identity, name, parent_id, position, created) VALUES (?, ?, ?, ?, ?)"
)


def _schema_1(tx: Transaction) -> None:
    tx.execute(
        """CREATE TABLE folders (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            book_identity TEXT NOT NULL,
            name TEXT NOT NULL,
            parent_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            created REAL NOT NULL)"""
    )
    tx.execute("CREATE INDEX folders_by_parent ON folders(book_identity, parent_id, position)")
    tx.execute(
        """CREATE TABLE bookmarks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            book_identity TEXT NOT NULL,
            book_path TEXT NOT NULL,
            book_title TEXT NOT NULL,
            section_id TEXT NOT NULL,
            scroll INTEGER,
            heading_text TEXT NOT NULL,
            breadcrumb TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            folder_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            created REAL NOT NULL,
            chapter_index INTEGER NOT NULL DEFAULT -1,
            prev_chapter TEXT NOT NULL DEFAULT '',
            next_chapter TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing')))"""
    )
    tx.execute("CREATE INDEX bookmarks_by_section ON bookmarks(book_identity, section_id)")
    tx.execute("CREATE INDEX bookmarks_by_folder ON bookmarks(book_identity, folder_id, position)")
    # A revision counted by triggers: the daily backup knows without exporting whether
    # anything changed. The database id tells a rebuilt database from the one it replaced.
    tx.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID")
    tx.execute(
        "INSERT INTO meta VALUES ('database_id', lower(hex(randomblob(6)))), ('revision', 0)"
    )
    for table in ("bookmarks", "folders"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            tx.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_counts AFTER {event} ON {table} "
                "BEGIN UPDATE meta SET value = value + 1 WHERE key = 'revision'; END"
            )


def _schema_2(tx: Transaction) -> None:
    """Places: a bookmark keeps where in its section it was made, in characters and a quote
    (core/reading/place.py); the pixel scroll of schema 1 is no longer read."""
    tx.execute("ALTER TABLE bookmarks ADD COLUMN place_offset INTEGER NOT NULL DEFAULT 0")
    tx.execute("ALTER TABLE bookmarks ADD COLUMN place_quote TEXT NOT NULL DEFAULT ''")


MIGRATIONS = (_schema_1, _schema_2)


_STATUS = {s.value: s for s in BookmarkStatus}
_BOOKMARK_FIELDS = tuple(f.name for f in fields(Bookmark))
# what every version of the store has (a store older than a migration lacks its columns)
_SCHEMA_1_FIELDS = set(_BOOKMARK_FIELDS) - {"place_offset", "place_quote"}
_new_bookmark = object.__new__


def _bookmark(row: Sequence[Any]) -> Bookmark:
    """A bookmark from a row of ``_BOOKMARK_COLUMNS``.

    Read 10,000 at a time: filling ``__dict__`` at once takes a third of the time of the
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` a field). The row holds every
    field, in order, and is checked by the schema, so nothing is skipped that ``__init__`` does.
    """
    bookmark: Bookmark = _new_bookmark(Bookmark)
    values = bookmark.__dict__
    values.update(zip(_BOOKMARK_FIELDS, row, strict=True))
    values["status"] = _STATUS[values["status"]]
    if row[2].startswith(PATH_PREFIX):  # a folder name that is not UTF-8 (core/storage/pathtext.py)
        values["book_path"] = path_from_text(row[2])
    return bookmark


def _folder(row: Sequence[Any]) -> Folder:
    return Folder(*row)


class BookmarkStore(Store):
    """All bookmarks and folders; use :meth:`open`, which never raises for the environment."""

    def __init__(
        self,
        database: Database | None,
        backups: Backups,
        *,
        disabled_reason: str | None = None,
        recovery_message: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            database,
            disabled_reason=disabled_reason,
            recovery_message=recovery_message,
            clock=clock,
        )
        self.backups = backups
        self.backup_error: str | None = None  # why the last backup could not be written
        self._notices: list[str] = []  # what happened to the file while open, for the reader
        self._busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS
        self._file_id: FileId = _file_id(database.path) if database is not None else (None, None)
        # its own file's path (a database being restored under a temp name has its own)
        self._path = database.path if database is not None else backups.folder.parent / FILE_NAME

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        clock: Callable[[], float] = time.time,
    ) -> BookmarkStore:
        """The store in ``data_dir``; never raises for the environment: a store that cannot be
        used is disabled, with :attr:`disabled_reason` saying why."""
        path = data_dir / FILE_NAME
        backups = Backups(data_dir / BACKUP_FOLDER)
        reason = _prepare_folders(data_dir, backups)
        if reason is not None:
            return cls(None, backups, disabled_reason=reason, clock=clock)
        backups.remove_orphans()
        try:
            database, recovery = _open_database(path, backups, busy_timeout_ms, clock)
        except (StorageError, OSError, SpecialFile) as exc:
            reason = f"Bookmarks are turned off: {sentence(exc)}"
            return cls(None, backups, disabled_reason=reason, clock=clock)
        store = cls(database, backups, recovery_message=recovery, clock=clock)
        store._busy_timeout_ms = busy_timeout_ms
        store.backup_if_changed()
        return store

    def close(self) -> None:
        if self.database is not None:
            self.backup_if_changed()
        super().close()

    @property
    def path(self) -> Path:
        return self._path

    def _db(self) -> Database:
        if self.database is None:
            raise BookmarksDisabled(self.disabled_reason or "Bookmarks are turned off.")
        return self.database

    @contextlib.contextmanager
    def _write(self) -> Iterator[Transaction]:
        """One write transaction, to the file that is at :attr:`path` now.

        The file is looked at before the write (a file deleted or replaced under the open
        store would swallow it) and again after the commit, so that nothing is acknowledged
        that went to a file no longer there.
        """
        self._follow_file()
        with self._db().transaction() as tx:
            yield tx
        self._follow_file()

    def take_notices(self) -> list[str]:
        """What happened to the file while it was open (said once), for the reader."""
        notices, self._notices = self._notices, []
        return notices

    def _follow_file(self) -> None:
        """Write what this store holds to a new file when its own was deleted; merge it into
        the file that replaced its own. The reader is told (:meth:`take_notices`)."""
        database = self.database
        if database is None:
            return
        try:
            now = _file_id(self.path)
        except OSError:
            return  # cannot tell; SQLite will say what is wrong
        if now == self._file_id:
            return
        main = now[0]
        if main is None or main == self._file_id[0]:
            # deleted, or its journal deleted (the commits in it would never reach the file)
            try:
                self.database = _rewrite(database, self.path, self._busy_timeout_ms)
            except OSError as exc:
                raise StorageUnavailable(
                    f"{WHAT} was deleted while handbook was running and could not be written "
                    f"again ({sentence(exc)}) Nothing more is saved until it can be."
                ) from exc
            self._file_id = _file_id(self.path)
            count = _count(self.database)
            what = self.path if main is None else f"{self.path}-wal (its journal)"
            self._notices.append(
                f"The bookmark file {what} was deleted while handbook was running; "
                f"it was written again with your {_bookmarks_phrase(count)}."
            )
        else:
            held = self.snapshot()
            database.close()
            self.database = None
            try:
                self.database, recovery = _open_database(
                    self.path, self.backups, self._busy_timeout_ms, self._clock
                )
            except (StorageError, OSError, SpecialFile) as exc:
                self.disabled_reason = f"Bookmarks are turned off: {sentence(exc)}"
                raise BookmarksDisabled(self.disabled_reason) from exc
            self._file_id = _file_id(self.path)
            result = self.merge(held)
            note = f" {recovery}" if recovery else ""
            self._notices.append(
                f"The bookmark file {self.path} was replaced by another file while handbook "
                f"was running;{note} {_bookmarks_phrase(result.added)} of this window "
                "were added to it."
            )

    # -- reading ---------------------------------------------------------------------------

    def bookmarks(self, book_identity: str | None = None) -> list[Bookmark]:
        """Bookmarks (of one book, or all), ordered by book, folder and position."""
        if self.database is None:
            return []
        where, params = ("WHERE book_identity = ?", (book_identity,)) if book_identity else ("", ())
        rows = self.database.execute(
            f"SELECT {_BOOKMARK_COLUMNS} FROM bookmarks {where} "
            "ORDER BY book_identity, folder_id, position, id",
            params,
        )
        return [_bookmark(row) for row in rows]

    def folders(self, book_identity: str | None = None) -> list[Folder]:
        if self.database is None:
            return []
        where, params = ("WHERE book_identity = ?", (book_identity,)) if book_identity else ("", ())
        rows = self.database.execute(
            f"SELECT {_FOLDER_COLUMNS} FROM folders {where} "
            "ORDER BY book_identity, parent_id, position, id",
            params,
        )
        return [_folder(row) for row in rows]

    def bookmark(self, bookmark_id: int) -> Bookmark | None:
        rows = self._db().execute(
            f"SELECT {_BOOKMARK_COLUMNS} FROM bookmarks WHERE id = ?", (bookmark_id,)
        )
        return _bookmark(rows[0]) if rows else None

    def is_bookmarked(self, book_identity: str, section_id: str) -> bool:
        if self.database is None:
            return False
        rows = self.database.execute(
            "SELECT 1 FROM bookmarks WHERE book_identity = ? AND section_id = ? LIMIT 1",
            (book_identity, section_id),
        )
        return bool(rows)

    def snapshot(self) -> Snapshot:
        return Snapshot(tuple(self.folders()), tuple(self.bookmarks()))

    # -- bookmarks -------------------------------------------------------------------------

    def add(
        self,
        draft: BookmarkDraft,
        *,
        title: str | None = None,
        note: str = "",
        folder_id: int | None = None,
    ) -> Bookmark:
        """Save a new bookmark at the end of its folder (or of its book's top level)."""
        created = float(int(self._clock()))  # whole seconds: exports keep them exactly
        with self._write() as tx:
            if folder_id is not None:
                self._check_folder(tx, folder_id, draft.book_identity)
            position = self._next_position(tx, "bookmarks", draft.book_identity, folder_id)
            values = _storable(
                draft.book_identity,
                draft.book_path,
                draft.book_title,
                draft.section_id,
                draft.scroll,
                draft.heading_text,
                draft.breadcrumb,
                title if title is not None else draft.heading_text,
                note,
                folder_id,
                position,
                created,
                draft.chapter_index,
                draft.prev_chapter,
                draft.next_chapter,
                BookmarkStatus.OK.value,
                draft.place_offset,
                draft.place_quote,
            )
            cursor = tx.execute(_INSERT_NEW_BOOKMARK, values)
        return _bookmark((cursor.lastrowid, *values))

    def update(
        self, bookmark_id: int, *, title: str | None = None, note: str | None = None
    ) -> Bookmark:
        """Rename a bookmark or change its note; returns it as saved."""
        changes = {k: v for k, v in (("title", title), ("note", note)) if v is not None}
        with self._write() as tx:
            for column, value in changes.items():
                tx.execute(f"UPDATE bookmarks SET {column} = ? WHERE id = ?", (value, bookmark_id))
            rows = tx.execute(
                f"SELECT {_BOOKMARK_COLUMNS} FROM bookmarks WHERE id = ?", (bookmark_id,)
            ).fetchall()
        if not rows:
            raise KeyError(f"no bookmark {bookmark_id}")
        return _bookmark(rows[0])

    def remove(self, bookmark_ids: Iterable[int]) -> Snapshot:
        """Delete bookmarks; returns them, for :meth:`restore` (undo)."""
        ids = list(bookmark_ids)
        with self._write() as tx:
            removed = self._select_bookmarks(tx, ids)
            tx.executemany("DELETE FROM bookmarks WHERE id = ?", [(i,) for i in ids])
        return Snapshot((), tuple(removed))

    def restore(self, snapshot: Snapshot) -> None:
        """Put back what :meth:`remove` or :meth:`remove_folder` returned, with the same ids."""
        with self._write() as tx:
            tx.executemany(_INSERT_FOLDER, [_folder_values(f) for f in snapshot.folders])
            tx.executemany(_INSERT_BOOKMARK, [_bookmark_values(b) for b in snapshot.bookmarks])

    def move_bookmarks(self, bookmark_ids: Sequence[int], folder_id: int | None, row: int) -> None:
        """Move bookmarks (in the order given) into ``folder_id`` before its ``row``-th bookmark.

        ``row`` counts the folder's bookmarks as they are now, moved ones included; -1 or a
        row past the end appends. All the bookmarks must belong to the folder's book.
        """
        if not bookmark_ids:
            return
        with self._write() as tx:
            moving = self._select_bookmarks(tx, bookmark_ids)
            books = {b.book_identity for b in moving}
            if len(books) != 1 or len(moving) != len(set(bookmark_ids)):
                raise ValueError("bookmarks to move must exist and belong to one book")
            book = books.pop()
            if folder_id is not None:
                self._check_folder(tx, folder_id, book)
            siblings = [
                r[0]
                for r in tx.execute(
                    "SELECT id FROM bookmarks WHERE book_identity = ? AND folder_id IS ? "
                    "ORDER BY position, id",
                    (book, folder_id),
                )
            ]
            order = _insert(siblings, list(dict.fromkeys(bookmark_ids)), row)
            tx.executemany(
                "UPDATE bookmarks SET folder_id = ?, position = ? WHERE id = ?",
                [(folder_id, position, i) for position, i in enumerate(order)],
            )

    def apply(self, changes: Iterable[AnchorChange]) -> None:
        """Record where re-anchoring put bookmarks (see
        :func:`handbook.core.bookmarks.reanchor.reanchor`)."""
        with self._write() as tx:
            for change in changes:
                tx.execute(
                    "UPDATE bookmarks SET section_id = ?, status = ? WHERE id = ?",
                    (change.section_id, change.status.value, change.bookmark_id),
                )
                new = change.draft
                if new is None:
                    continue
                tx.execute(
                    "UPDATE bookmarks SET scroll = NULL, place_offset = 0, place_quote = '', "
                    "heading_text = ?, breadcrumb = ?, "
                    "chapter_index = ?, prev_chapter = ?, next_chapter = ? WHERE id = ?",
                    (
                        new.heading_text,
                        new.breadcrumb,
                        new.chapter_index,
                        new.prev_chapter,
                        new.next_chapter,
                        change.bookmark_id,
                    ),
                )

    # -- folders ---------------------------------------------------------------------------

    def create_folder(self, book_identity: str, name: str, parent_id: int | None = None) -> Folder:
        created = float(int(self._clock()))  # whole seconds: exports keep them exactly
        with self._write() as tx:
            if parent_id is not None:
                self._check_folder(tx, parent_id, book_identity)
            position = self._next_position(tx, "folders", book_identity, parent_id)
            values = (book_identity, name, parent_id, position, created)
            cursor = tx.execute(_INSERT_NEW_FOLDER, values)
        return Folder(int(cursor.lastrowid or 0), *values)

    def rename_folder(self, folder_id: int, name: str) -> Folder:
        with self._write() as tx:
            tx.execute("UPDATE folders SET name = ? WHERE id = ?", (name, folder_id))
            rows = tx.execute(
                f"SELECT {_FOLDER_COLUMNS} FROM folders WHERE id = ?", (folder_id,)
            ).fetchall()
        if not rows:
            raise KeyError(f"no folder {folder_id}")
        return _folder(rows[0])

    def move_folder(self, folder_id: int, parent_id: int | None, row: int) -> None:
        """Move a folder under ``parent_id`` (None: the book's top level) before its ``row``-th."""
        with self._write() as tx:
            rows = tx.execute(
                "SELECT book_identity FROM folders WHERE id = ?", (folder_id,)
            ).fetchall()
            if not rows:
                raise KeyError(f"no folder {folder_id}")
            book = rows[0][0]
            if parent_id is not None:
                self._check_folder(tx, parent_id, book)
                if folder_id in self._ancestry(tx, parent_id):
                    raise ValueError("a folder cannot go inside itself")
            siblings = [
                r[0]
                for r in tx.execute(
                    "SELECT id FROM folders WHERE book_identity = ? AND parent_id IS ? "
                    "ORDER BY position, id",
                    (book, parent_id),
                )
            ]
            order = _insert(siblings, [folder_id], row)
            tx.executemany(
                "UPDATE folders SET parent_id = ?, position = ? WHERE id = ?",
                [(parent_id, position, i) for position, i in enumerate(order)],
            )

    def remove_folder(self, folder_id: int) -> Snapshot:
        """Delete a folder with its subfolders and their bookmarks; returns them for undo."""
        with self._write() as tx:
            ids = self._descendants(tx, folder_id)
            marks = ", ".join("?" * len(ids))
            folders = [
                _folder(r)
                for r in tx.execute(
                    f"SELECT {_FOLDER_COLUMNS} FROM folders WHERE id IN ({marks})", ids
                )
            ]
            bookmarks = [
                _bookmark(r)
                for r in tx.execute(
                    f"SELECT {_BOOKMARK_COLUMNS} FROM bookmarks WHERE folder_id IN ({marks})", ids
                )
            ]
            tx.execute("DELETE FROM folders WHERE id = ?", (folder_id,))  # cascades
        by_depth = sorted(folders, key=lambda f: ids.index(f.id))  # parents before children
        return Snapshot(tuple(by_depth), tuple(bookmarks))

    def placements(self, book_identity: str) -> Placements:
        """Where each folder and bookmark of a book sits: taken before a move, to undo it."""
        db = self._db()
        folders = db.execute(
            "SELECT id, parent_id, position FROM folders WHERE book_identity = ?", (book_identity,)
        )
        bookmarks = db.execute(
            "SELECT id, folder_id, position FROM bookmarks WHERE book_identity = ?",
            (book_identity,),
        )
        return Placements(tuple(map(tuple, folders)), tuple(map(tuple, bookmarks)))

    def set_placements(self, placements: Placements) -> None:
        with self._write() as tx:
            tx.executemany(
                "UPDATE folders SET parent_id = ?, position = ? WHERE id = ?",
                [(parent, position, i) for i, parent, position in placements.folders],
            )
            tx.executemany(
                "UPDATE bookmarks SET folder_id = ?, position = ? WHERE id = ?",
                [(folder, position, i) for i, folder, position in placements.bookmarks],
            )

    # -- import, export, backups -----------------------------------------------------------

    def merge(self, snapshot: Snapshot) -> ImportResult:
        """Add what ``snapshot`` holds that is not here yet, in one transaction.

        A bookmark is already here when one with the same book, section and title is; a
        folder when one of the same name sits in the same place. Ids in ``snapshot`` are its own.
        """
        added = skipped = folders_added = 0
        with self._write() as tx:
            folder_map: dict[int, int] = {}
            for folder in _parents_first(snapshot.folders):
                parent = folder_map.get(folder.parent_id) if folder.parent_id is not None else None
                found = tx.execute(
                    "SELECT id FROM folders "
                    "WHERE book_identity = ? AND parent_id IS ? AND name = ?",
                    (folder.book_identity, parent, folder.name),
                ).fetchall()
                if found:
                    folder_map[folder.id] = found[0][0]
                    continue
                position = self._next_position(tx, "folders", folder.book_identity, parent)
                cursor = tx.execute(
                    _INSERT_NEW_FOLDER,
                    (folder.book_identity, folder.name, parent, position, folder.created),
                )
                folder_map[folder.id] = int(cursor.lastrowid or 0)
                folders_added += 1
            for bookmark in sorted(snapshot.bookmarks, key=lambda b: (b.position, b.id)):
                exists = tx.execute(
                    "SELECT 1 FROM bookmarks WHERE book_identity = ? AND section_id = ? "
                    "AND title = ? LIMIT 1",
                    (bookmark.book_identity, bookmark.section_id, bookmark.title),
                ).fetchall()
                if exists:
                    skipped += 1
                    continue
                folder_id = folder_map.get(bookmark.folder_id) if bookmark.folder_id else None
                position = self._next_position(tx, "bookmarks", bookmark.book_identity, folder_id)
                values = _bookmark_values(replace(bookmark, folder_id=folder_id, position=position))
                tx.execute(_INSERT_NEW_BOOKMARK, values[1:])
                added += 1
        return ImportResult(added, skipped, folders_added)

    def backup_if_changed(self) -> Path | None:
        """Today's backup (a JSON export), written when something changed since the newest one.

        Never raises: a backup that cannot be written must not stop reading or bookmarking;
        :attr:`backup_error` says why it was not written, for the window to show.
        """
        if self.database is None:
            return None
        try:
            meta = dict(self.database.execute("SELECT key, value FROM meta"))
            if meta["revision"] == 0 and not self.backups.files():
                return None  # nothing saved yet
            version = f"{meta['database_id']}r{meta['revision']}"
            day = time.strftime("%Y-%m-%d", time.localtime(self._clock()))
            count = _count(self.database)
            written = self.backups.write_if_changed(day, version, self._backup_json, count)
        except (StorageError, OSError, KeyError, ValueError) as exc:
            self.backup_error = (
                f"The bookmarks' backup could not be written in {self.backups.folder}: "
                f"{sentence(exc)}"
            )
            log.warning("bookmark backup not written: %s", exc)
            return None
        self.backup_error = None
        return written

    def _backup_json(self) -> bytes:
        # imported only when a backup is written (not at every start): it costs ~5 ms with
        # defusedxml, and it imports this module's data classes
        from handbook.core.bookmarks import exchange as bookmark_io

        return bookmark_io.to_json(self.snapshot()).encode("utf-8")

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _next_position(tx: Transaction, table: str, book: str, container: int | None) -> int:
        column = "folder_id" if table == "bookmarks" else "parent_id"
        row = tx.execute(
            f"SELECT COALESCE(MAX(position) + 1, 0) FROM {table} "
            f"WHERE book_identity = ? AND {column} IS ?",
            (book, container),
        ).fetchone()
        return int(row[0])

    @staticmethod
    def _check_folder(tx: Transaction, folder_id: int, book_identity: str) -> None:
        rows = tx.execute("SELECT book_identity FROM folders WHERE id = ?", (folder_id,)).fetchall()
        if not rows:
            raise KeyError(f"no folder {folder_id}")
        if rows[0][0] != book_identity:
            raise ValueError("a folder holds bookmarks of its own book only")

    @staticmethod
    def _select_bookmarks(tx: Transaction, ids: Sequence[int]) -> list[Bookmark]:
        found: dict[int, Bookmark] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = tx.execute(
                f"SELECT {_BOOKMARK_COLUMNS} FROM bookmarks "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row[0], _bookmark(row)) for row in rows)
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    @staticmethod
    def _ancestry(tx: Transaction, folder_id: int) -> list[int]:
        rows = tx.execute(
            "WITH RECURSIVE up(id, parent_id) AS ("
            " SELECT id, parent_id FROM folders WHERE id = ?"
            " UNION SELECT f.id, f.parent_id FROM folders f JOIN up ON f.id = up.parent_id)"
            " SELECT id FROM up",
            (folder_id,),
        ).fetchall()
        return [r[0] for r in rows]

    @staticmethod
    def _descendants(tx: Transaction, folder_id: int) -> list[int]:
        rows = tx.execute(
            "WITH RECURSIVE down(id, depth) AS ("
            " SELECT id, 0 FROM folders WHERE id = ?"
            " UNION SELECT f.id, down.depth + 1 FROM folders f JOIN down ON f.parent_id = down.id)"
            " SELECT id FROM down ORDER BY depth",
            (folder_id,),
        ).fetchall()
        return [r[0] for r in rows]


def _storable(*values: Any) -> tuple[Any, ...]:
    """A bookmark's column values (from ``book_identity`` on) as SQLite can hold them: the
    book's path kept exactly (:func:`path_to_text`), other text shown as it can be."""
    return tuple(
        path_to_text(v) if i == 1 else displayable(v) if isinstance(v, str) else v
        for i, v in enumerate(values)
    )


def _bookmark_values(b: Bookmark) -> tuple[Any, ...]:
    return (b.id, *_storable(*_bookmark_values_as_is(b)[1:]))


def _bookmark_values_as_is(b: Bookmark) -> tuple[Any, ...]:
    return (
        b.id,
        b.book_identity,
        b.book_path,
        b.book_title,
        b.section_id,
        b.scroll,
        b.heading_text,
        b.breadcrumb,
        b.title,
        b.note,
        b.folder_id,
        b.position,
        b.created,
        b.chapter_index,
        b.prev_chapter,
        b.next_chapter,
        b.status.value,
        b.place_offset,
        b.place_quote,
    )


def _folder_values(f: Folder) -> tuple[Any, ...]:
    return (f.id, f.book_identity, f.name, f.parent_id, f.position, f.created)


def _insert(siblings: list[int], moving: list[int], row: int) -> list[int]:
    """``siblings`` with ``moving`` taken out and put back before the ``row``-th sibling."""
    if row < 0 or row > len(siblings):
        row = len(siblings)
    taken = set(moving)
    before = sum(1 for i in siblings[:row] if i not in taken)
    rest = [i for i in siblings if i not in taken]
    return rest[:before] + moving + rest[before:]


def _parents_first(folders: Sequence[Folder]) -> list[Folder]:
    by_id = {f.id: f for f in folders}
    ordered: list[Folder] = []
    seen: set[int] = set()

    def visit(folder: Folder, depth: int) -> None:
        if folder.id in seen or depth > len(folders):
            return
        parent = by_id.get(folder.parent_id) if folder.parent_id is not None else None
        if parent is not None:
            visit(parent, depth + 1)
        seen.add(folder.id)
        ordered.append(folder)

    for folder in sorted(folders, key=lambda f: (f.position, f.id)):
        visit(folder, 0)
    return ordered


_PROBE_PREFIX = ".write-test-"


def _probe_writable(folder: Path) -> None:
    """Raise OSError unless a file can be created in ``folder`` (root ignores 0555, so try).

    A probe left by a killed process is removed by the next one.
    """
    for orphan in folder.glob(f"{_PROBE_PREFIX}*"):
        with contextlib.suppress(OSError):
            orphan.unlink()
    fd, name = tempfile.mkstemp(prefix=_PROBE_PREFIX, dir=folder)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def _prepare_folders(data_dir: Path, backups: Backups) -> str | None:
    """Make the data and backup folders; why bookmarks must be off, or None."""
    folder = backups.folder
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            try:
                check_regular(folder)
                what = "a file"
            except SpecialFile as exc:
                what = str(exc).removeprefix(f"{folder} is ").removesuffix(", not a file")
            return (
                f"Bookmarks are turned off: {folder} is {what}, where handbook keeps the "
                "backups of your bookmarks in a folder. Move it away to turn bookmarks on."
            )
        folder.mkdir(exist_ok=True)
        _probe_writable(data_dir)
    except OSError as exc:
        return (
            f"Bookmarks are turned off: the folder {data_dir} cannot be written "
            f"({exc.strerror or exc})."
        )
    remove_orphan_temp_files(data_dir, f".{FILE_NAME}.")
    return None


def _open_database(
    path: Path, backups: Backups, busy_timeout_ms: int, clock: Callable[[], float]
) -> tuple[Database, str | None]:
    """The database at ``path``, and what to tell the reader about it (or None).

    A path that is no regular file (a FIFO, a folder, a symlink loop or to a device) raises
    :class:`SpecialFile` and is left alone. A damaged database, or another program's, is moved
    aside untouched and a new one filled from the newest backup that holds bookmarks; so is a
    missing one when there are backups.
    """
    if check_regular(path):
        if path.stat().st_size == 0 and backups.files():
            # SQLite takes an empty file for a new database: with backups about, it was one
            # that got cut short.
            damage = DatabaseCorrupt(f"{WHAT} is empty (the file was cut short).")
            return _start_over(path, backups, damage, busy_timeout_ms, clock)
        try:
            _identify(path, busy_timeout_ms)
            return Database(path, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms), None
        except (DatabaseCorrupt, ForeignDatabase) as exc:
            return _start_over(path, backups, exc, busy_timeout_ms, clock)
    if not backups.files():
        return Database(path, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms), None
    database, restored = _new_database(path, backups, busy_timeout_ms, clock)
    if restored is None:
        return database, None
    return database, f"Your bookmark file {path} was missing; {restored}"


def _new_database(
    path: Path, backups: Backups, busy_timeout_ms: int, clock: Callable[[], float]
) -> tuple[Database, str | None]:
    """A new database at ``path`` filled from the newest backup that holds bookmarks, and what
    was restored (None: nothing).

    It is made under a temp name and linked into place only when whole, so that another
    process starting at the same moment finds no file or a whole one, never a new, still
    empty one that it would take for a file cut short and move aside (with everything this
    process then writes). When another process's file got there first, that one is opened.
    """
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        made = Database(temp, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms)
        try:
            restored = _fill_from_backups(made, backups, clock)
        finally:
            made.close()  # the last connection: its write-ahead log is checkpointed and gone
        with open(temp, "rb+") as file:
            os.fsync(file.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            restored = None  # another process restored it first: its file is the one
        else:
            fsync_folder(path.parent)
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                temp.with_name(temp.name + suffix).unlink()
    return Database(path, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms), restored


def _identify(path: Path, busy_timeout_ms: int) -> None:
    """Raise :class:`ForeignDatabase` unless ``path`` is our bookmark database or an empty one."""

    def ours(probe: Database, tables: set[str], version: int) -> bool:
        if version == 0 or not {"bookmarks", "folders", "meta"} <= tables:
            return False
        columns = {str(row[1]) for row in probe.execute("PRAGMA table_info(bookmarks)")}
        keys = {str(row[0]) for row in probe.execute("SELECT key FROM meta")}
        return columns >= _SCHEMA_1_FIELDS and {"database_id", "revision"} <= keys

    identify(path, busy_timeout_ms, what=WHAT, not_ours="a handbook bookmark database", ours=ours)


def _start_over(
    path: Path,
    backups: Backups,
    problem: StorageError,
    busy_timeout_ms: int,
    clock: Callable[[], float],
) -> tuple[Database, str]:
    """Move a damaged or foreign database aside and fill a new one from the newest backup."""
    foreign = isinstance(problem, ForeignDatabase)
    aside = move_aside(path, "foreign" if foreign else "corrupt", clock())
    database, restored = _new_database(path, backups, busy_timeout_ms, clock)
    if foreign:
        message = f"{problem} It was kept, untouched, as {aside.name} in {aside.parent}."
    else:
        message = (
            f"Your bookmarks could not be read: {problem} "
            f"The damaged file was kept as {aside.name} in {aside.parent}."
        )
    if restored is None:
        restored = "No backup could be restored, so the bookmark list starts empty."
    return database, f"{message} {restored}"


def _fill_from_backups(
    database: Database, backups: Backups, clock: Callable[[], float]
) -> str | None:
    """Merge the newest backup that holds bookmarks into ``database``; what was restored."""
    from handbook.core.bookmarks import (
        exchange as bookmark_io,  # it imports this module's data classes
    )

    for backup in backups.files():
        try:
            text = read_regular(backup, MAX_BACKUP_BYTES).decode("utf-8")
            snapshot = bookmark_io.parse_json(text)
        except (OSError, SpecialFile, TooLarge, UnicodeDecodeError, ValueError) as exc:
            log.warning("backup %s not usable: %s", backup, exc)
            continue
        if not snapshot.bookmarks and not snapshot.folders:
            continue  # an empty backup restores nothing: an older one may
        try:
            result = BookmarkStore(database, backups, clock=clock).merge(snapshot)
        except BaseException:
            database.close()
            raise
        day = backups.day_of(backup)
        count = "1 bookmark was" if result.added == 1 else f"{result.added} bookmarks were"
        return f"{count} restored from the backup of {day}."
    return None


def _rewrite(old: Database, path: Path, busy_timeout_ms: int) -> Database:
    """Write what ``old`` holds (its own file deleted under it) to a new file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)  # the whole data folder may have gone
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        target = sqlite3.connect(temp)
        try:
            old.run(lambda: old.connection.backup(target))
        finally:
            target.close()
        with open(temp, "rb+") as file:
            os.fsync(file.fileno())
        old.close()
        for suffix in ("-wal", "-shm"):  # left by the deleted file: never to be applied here
            with contextlib.suppress(FileNotFoundError):
                path.with_name(path.name + suffix).unlink()
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_folder(path.parent)
    return Database(path, MIGRATIONS, what=WHAT, busy_timeout_ms=busy_timeout_ms)


FileId = tuple[tuple[int, int] | None, tuple[int, int] | None]


def _file_id(path: Path) -> FileId:
    """(device, inode) of the database and of its write-ahead log (None: no file)."""

    def one(file: Path) -> tuple[int, int] | None:
        try:
            info = os.stat(file)
        except (FileNotFoundError, NotADirectoryError):  # gone, or its folder gone
            return None
        return info.st_dev, info.st_ino

    return one(path), one(path.with_name(path.name + "-wal"))


def _count(database: Database) -> int:
    rows = database.execute(
        "SELECT (SELECT count(*) FROM bookmarks) + (SELECT count(*) FROM folders)"
    )
    return int(rows[0][0])


def _bookmarks_phrase(count: int) -> str:
    return "1 bookmark" if count == 1 else f"{count} bookmarks"
