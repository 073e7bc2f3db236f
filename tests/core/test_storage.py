"""The SQLite wrapper: pragmas, migrations, transactions, and which errors are the environment's."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from handbook.core.storage.sqlite import (
    Database,
    DatabaseBusy,
    DatabaseCorrupt,
    DiskFull,
    ReadOnlyStorage,
    StorageError,
    Transaction,
    classify,
    identify,
    move_aside,
)


def _create_items(tx: Transaction) -> None:
    tx.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")


def _add_colour(tx: Transaction) -> None:
    tx.execute("ALTER TABLE items ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'")


MIGRATIONS = (_create_items, _add_colour)


def test_opening_sets_wal_normal_sync_and_busy_timeout(tmp_path: Path) -> None:
    with Database(tmp_path / "x.sqlite", MIGRATIONS, busy_timeout_ms=1234) as db:
        assert db.execute("PRAGMA journal_mode")[0][0] == "wal"
        assert db.execute("PRAGMA synchronous")[0][0] == 1  # NORMAL
        assert db.execute("PRAGMA busy_timeout")[0][0] == 1234
        assert db.execute("PRAGMA foreign_keys")[0][0] == 1


def test_migrations_run_once_each_in_order(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with Database(path, MIGRATIONS[:1]) as db:
        assert db.user_version == 1
        with db.transaction() as tx:
            tx.execute("INSERT INTO items (name) VALUES ('kept')")
    with Database(path, MIGRATIONS) as db:
        assert db.user_version == 2
        assert db.execute("SELECT name, colour FROM items") == [("kept", "red")]
    with Database(path, MIGRATIONS) as db:  # nothing left to run
        assert db.user_version == 2


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    def broken(tx: Transaction) -> None:
        tx.execute("CREATE TABLE half (x)")
        tx.execute("THIS IS NOT SQL")

    path = tmp_path / "x.sqlite"
    with pytest.raises(sqlite3.OperationalError):  # a programming error stays one
        Database(path, (_create_items, broken))
    with Database(path, (_create_items,)) as db:
        assert db.user_version == 1
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half'") == []


def test_a_schema_from_a_newer_version_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    Database(path, MIGRATIONS).close()
    with pytest.raises(ReadOnlyStorage, match="newer version"):
        Database(path, MIGRATIONS[:1])


def test_a_transaction_commits_all_or_nothing(tmp_path: Path) -> None:
    with Database(tmp_path / "x.sqlite", MIGRATIONS) as db:
        with db.transaction() as tx:
            tx.executemany("INSERT INTO items (name) VALUES (?)", [("a",), ("b",)])
        with pytest.raises(RuntimeError), db.transaction() as tx:
            tx.execute("INSERT INTO items (name) VALUES ('c')")
            raise RuntimeError("stop half-way")
        with pytest.raises(sqlite3.IntegrityError), db.transaction() as tx:
            tx.execute("INSERT INTO items (name) VALUES ('d')")
            tx.execute("INSERT INTO items (name) VALUES (NULL)")
        assert [r[0] for r in db.execute("SELECT name FROM items ORDER BY id")] == ["a", "b"]
        assert not db.connection.in_transaction


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("database is locked", DatabaseBusy),
        ("database or disk is full", DiskFull),
        ("attempt to write a readonly database", ReadOnlyStorage),
        ("database disk image is malformed", DatabaseCorrupt),
        ("file is not a database", DatabaseCorrupt),
    ],
)
def test_environment_errors_are_told_apart(message: str, kind: type[StorageError]) -> None:
    error = classify(sqlite3.OperationalError(message), "The thing")
    assert type(error) is kind
    assert str(error).startswith("The thing ")


def test_programming_errors_are_not_environment_errors() -> None:
    assert classify(sqlite3.OperationalError('near "SELEKT": syntax error')) is None
    assert classify(sqlite3.OperationalError("no such table: nothing")) is None


def test_a_writer_waits_for_a_lock_to_be_released(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with Database(path, MIGRATIONS, busy_timeout_ms=5000) as db:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            other.execute("BEGIN EXCLUSIVE")
            other.execute("INSERT INTO items (name) VALUES ('theirs')")
            timer = threading.Timer(0.3, other.execute, ("COMMIT",))
            timer.start()
            started = time.monotonic()
            with db.transaction() as tx:
                tx.execute("INSERT INTO items (name) VALUES ('ours')")
            timer.join()
            assert time.monotonic() - started >= 0.25
        finally:
            other.close()
        assert sorted(r[0] for r in db.execute("SELECT name FROM items")) == ["ours", "theirs"]


def test_a_file_another_process_migrates_meanwhile_is_read_as_one_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """identify() reads the tables, then the version: another process's first migration
    committed between the two made a new file look like another program's (no tables, schema
    1), and the library moved it aside with that process's first book."""
    path = tmp_path / "x.sqlite"
    maker = sqlite3.connect(path, isolation_level=None)  # the other process, making the file
    maker.execute("PRAGMA journal_mode = WAL")
    version_read = Database.user_version

    def migrated_meanwhile(db: Database) -> int:
        if db.read_only and not maker.execute("PRAGMA user_version").fetchone()[0]:
            maker.execute("BEGIN IMMEDIATE")
            maker.execute("CREATE TABLE items (id INTEGER PRIMARY KEY)")
            maker.execute("PRAGMA user_version = 1")
            maker.execute("COMMIT")
        return int(version_read.fget(db))

    monkeypatch.setattr(Database, "user_version", property(migrated_meanwhile))
    seen: list[tuple[set[str], int]] = []

    def ours(probe: Database, tables: set[str], version: int) -> bool:
        seen.append((tables, version))
        return tables == {"items"} and version == 1

    try:
        identify(path, 1000, what="The file", not_ours="ours", ours=ours)  # raises if not ours
    finally:
        maker.close()
    assert seen == []  # read before the migration: an empty database, ours to fill


def test_a_lock_held_too_long_is_busy_not_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with Database(path, MIGRATIONS, busy_timeout_ms=100) as db:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            with pytest.raises(DatabaseBusy, match="in use by another program"), db.transaction():
                pass
            other.execute("ROLLBACK")
        finally:
            other.close()
        db.quick_check()  # the file is fine


def test_a_full_database_raises_disk_full(tmp_path: Path) -> None:
    with Database(tmp_path / "x.sqlite", MIGRATIONS) as db:
        pages = db.execute("PRAGMA page_count")[0][0]
        db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(DiskFull, match="disk is full"), db.transaction() as tx:
            tx.executemany("INSERT INTO items (name) VALUES (?)", [("x" * 1000,)] * 100)
        assert db.execute("SELECT count(*) FROM items") == [(0,)]
        assert not db.connection.in_transaction


def test_damage_shows_as_corrupt_at_open(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    Database(path, MIGRATIONS).close()
    data = bytearray(path.read_bytes())
    data[:16] = b"not a database!!"
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt):
        Database(path, MIGRATIONS)


def test_move_aside_keeps_the_file_and_its_companions(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    path.write_bytes(b"damaged")
    (tmp_path / "x.sqlite-wal").write_bytes(b"wal")
    moved = move_aside(path, "corrupt", now=0)
    assert not path.exists() and not (tmp_path / "x.sqlite-wal").exists()
    assert moved.name.startswith("x.sqlite.corrupt-")
    assert moved.read_bytes() == b"damaged"
    assert moved.with_name(moved.name + "-wal").read_bytes() == b"wal"
    path.write_bytes(b"again")
    assert move_aside(path, "corrupt", now=0) != moved  # the same second: not overwritten
