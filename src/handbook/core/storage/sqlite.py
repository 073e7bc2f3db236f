"""A small SQLite wrapper: WAL, ``PRAGMA user_version`` migrations, one transaction per change.

Errors of the environment (busy or locked, disk full, read-only, damaged file, cannot open) are
raised as :class:`StorageError` subclasses with a message a user can read; they are shown, never a
crash. Programming errors (bad SQL, constraint violations) are left as they are. Only a damaged file
is :class:`DatabaseCorrupt`: busy, locked and full never are, so nothing moves a good file aside.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

R = TypeVar("R")
Params = Sequence[Any] | dict[str, Any]

DEFAULT_BUSY_TIMEOUT_MS = 5000

# Primary result codes (extended codes keep these in their low byte).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_NOMEM = 3, 5, 6, 7
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL = 8, 10, 11, 13
_SQLITE_CANTOPEN, _SQLITE_NOTADB = 14, 26


class StorageError(Exception):
    """The environment stopped a read or a write; ``str(exc)`` is a message for the user."""


class DatabaseBusy(StorageError):
    """Another program held the database for longer than the busy timeout."""


class DiskFull(StorageError):
    """No room left for the database (or its size limit reached)."""


class ReadOnlyStorage(StorageError):
    """The database or its folder cannot be written."""


class DatabaseCorrupt(StorageError):
    """The file is damaged or is not a database at all."""


class StorageUnavailable(StorageError):
    """The file cannot be opened or read (I/O error, missing folder, out of memory)."""


class ForeignDatabase(StorageError):
    """A database, but not ours: another program's file, or ours from no known version."""


_MESSAGES: tuple[tuple[tuple[str, ...], type[StorageError], str], ...] = (
    (
        ("database is locked", "database table is locked", "database is busy"),
        DatabaseBusy,
        "is in use by another program (still locked after waiting)",
    ),
    (("database or disk is full",), DiskFull, "could not be written: the disk is full"),
    (("readonly database", "read-only"), ReadOnlyStorage, "cannot be written (read-only)"),
    (
        ("malformed", "not a database", "file is encrypted"),
        DatabaseCorrupt,
        "is damaged",
    ),
    (
        ("unable to open", "disk i/o error", "out of memory", "access permission denied"),
        StorageUnavailable,
        "cannot be read or written",
    ),
)

_BY_CODE: dict[int, type[StorageError]] = {
    _SQLITE_BUSY: DatabaseBusy,
    _SQLITE_LOCKED: DatabaseBusy,
    _SQLITE_FULL: DiskFull,
    _SQLITE_READONLY: ReadOnlyStorage,
    _SQLITE_PERM: ReadOnlyStorage,
    _SQLITE_CORRUPT: DatabaseCorrupt,
    _SQLITE_NOTADB: DatabaseCorrupt,
    _SQLITE_IOERR: StorageUnavailable,
    _SQLITE_CANTOPEN: StorageUnavailable,
    _SQLITE_NOMEM: StorageUnavailable,
}


def classify(exc: sqlite3.Error, what: str = "The database") -> StorageError | None:
    """The environment error ``exc`` stands for, or None for a programming error."""
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorcode", None)  # Python >= 3.11
    kind = _BY_CODE.get(code & 0xFF) if isinstance(code, int) else None
    for needles, candidate, summary in _MESSAGES:
        if kind in (None, candidate) and any(n in text for n in needles):
            return candidate(f"{what} {summary} ({exc}).")
    if kind is not None:
        return kind(f"{what} cannot be used ({exc}).")
    return None


def raise_classified(exc: sqlite3.Error, what: str) -> None:
    """Raise the :class:`StorageError` for ``exc``; return if it is a programming error."""
    error = classify(exc, what)
    if error is not None:
        raise error from exc


class Transaction:
    """``with db.transaction() as tx: tx.execute(...)``: all of it is committed, or none of it.

    ``BEGIN IMMEDIATE`` takes the write lock at once, so a second writer waits in the busy
    handler instead of failing half-way (a deferred transaction in WAL mode cannot wait).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn = db.connection

    def __enter__(self) -> Transaction:
        self._db.run(lambda: self._conn.execute("BEGIN IMMEDIATE"))
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self._db.run(lambda: self._conn.execute("COMMIT"))
                return
            except BaseException:
                self._rollback()
                raise
        self._rollback()

    def _rollback(self) -> None:
        # SQLite may have rolled back already (e.g. after SQLITE_FULL): nothing left to undo.
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self._db.run(lambda: self._conn.execute(sql, params))

    def executemany(self, sql: str, rows: Sequence[Params]) -> sqlite3.Cursor:
        return self._db.run(lambda: self._conn.executemany(sql, rows))


Migration = Callable[[Transaction], None]


class Database:
    """One SQLite file: WAL, ``synchronous=NORMAL``, a busy timeout, migrations, checks.

    ``migrations[i]`` brings the schema from version ``i`` to ``i + 1``; the version lives in
    ``PRAGMA user_version`` and each step runs in its own transaction.
    """

    def __init__(
        self,
        path: Path,
        migrations: Sequence[Migration] = (),
        *,
        what: str = "The database",
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        read_only: bool = False,
        check: bool = True,
    ) -> None:
        self.path = path
        self.what = what
        self.read_only = read_only
        uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rwc'}"
        try:
            self.connection = sqlite3.connect(
                uri, uri=True, isolation_level=None, timeout=busy_timeout_ms / 1000
            )
        except sqlite3.Error as exc:
            raise_classified(exc, what)
            raise
        try:
            self._configure(busy_timeout_ms)
            if check:
                self.quick_check()
            if not read_only:
                self._migrate(migrations)
        except BaseException:
            self.close()
            raise

    def _configure(self, busy_timeout_ms: int) -> None:
        self.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not self.read_only:
            mode = self._wal_mode(busy_timeout_ms)
            if str(mode).lower() != "wal":
                raise StorageUnavailable(f"{self.what} cannot use write-ahead logging ({mode}).")
            self.execute("PRAGMA synchronous = NORMAL")
        self.execute("PRAGMA foreign_keys = ON")

    def _wal_mode(self, busy_timeout_ms: int) -> object:
        """``PRAGMA journal_mode = WAL``, waited for: SQLite answers "locked" at once, without
        its busy handler, while another process is making the same new file WAL."""
        deadline = time.monotonic() + busy_timeout_ms / 1000
        while True:
            try:
                return self.execute("PRAGMA journal_mode = WAL")[0][0]
            except DatabaseBusy:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        version = self.user_version
        if version > len(migrations):
            raise ReadOnlyStorage(
                f"{self.what} was written by a newer version of handbook "
                f"(schema {version}, this one knows {len(migrations)})."
            )
        for target in range(version + 1, len(migrations) + 1):
            with self.transaction() as tx:
                # Another process may have migrated the file since it was read: once the
                # write lock is held, the version read again decides.
                if int(tx.execute("PRAGMA user_version").fetchone()[0]) >= target:
                    continue
                migrations[target - 1](tx)
                tx.execute(f"PRAGMA user_version = {target}")

    # -- running statements ----------------------------------------------------------------

    def run(self, call: Callable[[], R]) -> R:
        """Run ``call``, turning errors of the environment into :class:`StorageError`."""
        try:
            return call()
        except sqlite3.Error as exc:
            raise_classified(exc, self.what)
            raise

    def execute(self, sql: str, params: Params = ()) -> list[Any]:
        """One statement outside any explicit transaction; its rows."""
        # fetchall() inside run(): reading the rows is where a bad file (/dev/null) fails
        return self.run(lambda: self.connection.execute(sql, params).fetchall())

    def transaction(self) -> Transaction:
        return Transaction(self)

    @property
    def user_version(self) -> int:
        return int(self.execute("PRAGMA user_version")[0][0])

    def quick_check(self) -> None:
        """Raise :class:`DatabaseCorrupt` unless ``PRAGMA quick_check`` says ok.

        Damage in the middle of the file may show nowhere else; a truncated file can make the
        check itself raise, which is damage too.
        """
        try:
            rows = self.connection.execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as exc:
            error = classify(exc, self.what)
            if error is None:
                raise
            raise error from exc
        problems = [str(row[0]) for row in rows if row[0] != "ok"]
        if problems:
            raise DatabaseCorrupt(f"{self.what} is damaged ({'; '.join(problems[:3])}).")

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def move_aside(path: Path, label: str = "corrupt", now: float | None = None) -> Path:
    """Rename a damaged ``path`` (and its -wal/-shm files) to ``<name>.<label>-<timestamp>``.

    The file is kept, not deleted: it may still hold something a user wants to recover.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(target.with_name(target.name + suffix))
    return target


S = TypeVar("S", bound="Store")


class Store:
    """One store of ours in one SQLite file (bookmarks, library, places): the open database, or
    ``None`` and why (:attr:`disabled_reason`: the app runs without it), and what was done to the
    file when it was opened (:attr:`recovery_message`), for the reader. Subclasses add their
    tables' methods and an ``open`` class method that never raises for the environment."""

    def __init__(
        self,
        database: Database | None,
        *,
        disabled_reason: str | None = None,
        recovery_message: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.disabled_reason = disabled_reason
        self.recovery_message = recovery_message
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.database is not None

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def identify(
    path: Path,
    busy_timeout_ms: int,
    *,
    what: str,
    not_ours: str,
    ours: Callable[[Database, set[str], int], bool],
    newer: Callable[[int], StorageError | None] = lambda _version: None,
) -> None:
    """Raise :class:`ForeignDatabase` unless ``path`` is an empty database or one ``ours``
    accepts (given the probe, its tables and its ``user_version``); ``newer`` may name a
    version too new for this handbook first. ``not_ours`` completes "PATH is not ...".

    Read through a read-only connection: nothing (not even the journal mode) is changed in a
    file that turns out not to be ours. Read in one transaction: another process may be making
    the file meanwhile, and its first migration (tables and version in one commit) committed
    between a read of the tables and one of the version made a new file look like another
    program's (no tables, schema 1): it was moved aside with the other process's first write.
    """
    probe = Database(path, what=what, busy_timeout_ms=busy_timeout_ms, read_only=True, check=False)
    try:
        probe.execute("BEGIN")  # one snapshot for every read below; close() ends it
        tables = {
            str(row[0])
            for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        version = probe.user_version
        if not tables and version == 0:
            return  # an empty database: ours to fill
        too_new = newer(version)
        if too_new is not None:
            raise too_new
        if ours(probe, tables, version):
            return
    except sqlite3.Error as exc:  # not classified: a table or column is not what we made
        raise ForeignDatabase(f"{path} is not {not_ours} ({exc}).") from exc
    finally:
        probe.close()
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise ForeignDatabase(
        f"{path} is not {not_ours} (another program's? its tables: {shown or 'none'}; "
        f"schema {version})."
    )


def sentence(exc: BaseException) -> str:
    """An exception as one sentence for the reader."""
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    else:
        text = str(exc)
    return text if text.endswith((".", "!", "?")) else text + "."
