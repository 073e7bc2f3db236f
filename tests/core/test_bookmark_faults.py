"""Faults, each a test: killed writers, damaged files, locks, a full disk, a folder we cannot write.

See ../shared/RELIABILITY.md (items 1-8 and 17): SQLite commits survive a killed process; damage
is moved aside and the newest good backup restored; busy, locked and full are never damage.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from handbook.core.bookmarks import backups as backups_module
from handbook.core.bookmarks.backups import remove_orphan_temp_files
from handbook.core.bookmarks.reanchor import draft_for
from handbook.core.bookmarks.store import BACKUP_FOLDER, FILE_NAME, BookmarksDisabled, BookmarkStore
from handbook.core.storage.sqlite import DatabaseBusy, DiskFull
from tests.helpers import bookmark_writer
from tests.helpers.bookmark_writer import sample_book

BOOK = sample_book()
WRITER = Path(bookmark_writer.__file__)
DAY = 86_400


def _writer(*args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(bookmark_writer.SRC), str(WRITER.parents[2])]),
    }
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _output_after_kill(writer: subprocess.Popen[str]) -> str:
    """What the killed ``writer`` printed that was not read yet.

    Read through ``writer.stdout`` itself: a ``readline()`` may have fetched more lines than it
    returned into the stream's buffer, and ``communicate()`` reads the pipe beneath the buffer,
    so those lines (often the last ones reported, when this process was slow to read on a loaded
    machine) would be lost.
    """
    assert writer.stdout is not None
    rest = writer.stdout.read()  # to EOF: the writer is dead
    writer.communicate()  # its stderr, and its exit status
    return rest


def _reported(output: str) -> list[int]:
    """Ids the writer printed in whole lines (a line cut by the kill was never acknowledged)."""
    lines = output.split("\n")[:-1]
    return [int(line) for line in lines if line.strip().isdigit()]


def _ids_on_disk(path: Path) -> set[int]:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        return {row[0] for row in connection.execute("SELECT id FROM bookmarks")}
    finally:
        connection.close()


# -- (a) SIGKILL of a writer ------------------------------------------------------------------


@pytest.mark.slow
def test_every_acknowledged_bookmark_survives_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    acknowledged: set[int] = set()
    kills = 0
    while kills < 60:
        writer = _writer("add", str(tmp_path))
        assert writer.stdout is not None
        if rng.random() < 0.15:
            time.sleep(rng.uniform(0, 0.08))  # sometimes while it opens, migrates or backs up
        else:
            first = writer.stdout.readline()  # it is adding now
            assert first.strip().isdigit(), writer.stderr.read() if writer.stderr else first
            acknowledged.add(int(first))
            time.sleep(rng.uniform(0, 0.02))
        writer.send_signal(signal.SIGKILL)
        output = _output_after_kill(writer)
        assert writer.returncode == -signal.SIGKILL
        acknowledged.update(_reported(output))
        kills += 1
        if (tmp_path / FILE_NAME).exists():
            assert acknowledged <= _ids_on_disk(tmp_path / FILE_NAME)
    assert len(acknowledged) > 500  # the kills did land among writes
    assert not list(tmp_path.glob("*.corrupt-*"))
    with BookmarkStore.open(tmp_path) as store:
        assert store.recovery_message is None
        assert acknowledged <= {b.id for b in store.bookmarks()}


def test_sigkill_during_a_backup_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    rng = random.Random(7)
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "backup.json"
    target.write_text(json.dumps({"generation": 0}))
    on_disk = 0
    for _ in range(15):
        writer = _writer("backup", str(target))
        assert writer.stdout is not None
        acknowledged = [int(writer.stdout.readline())]
        time.sleep(rng.uniform(0, 0.02))
        writer.send_signal(signal.SIGKILL)
        output = _output_after_kill(writer)
        acknowledged += _reported(output)
        generation = json.loads(target.read_text())["generation"]  # whole, never half
        # the last one it reported, or the next one, renamed just before the kill
        assert generation in (acknowledged[-1], acknowledged[-1] + 1)
        assert generation > on_disk
        on_disk = generation
        remove_orphan_temp_files(folder, older_than=-1)
        assert [p.name for p in folder.iterdir()] == ["backup.json"]


# -- (b) a damaged database -------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _two_days_of_bookmarks(folder: Path, clock: Clock, extra: int = 0) -> None:
    with BookmarkStore.open(folder, clock=clock) as store:
        store.add(draft_for(BOOK, "intro.md"), title="day one")
    clock.now += DAY
    with BookmarkStore.open(folder, clock=clock) as store:
        store.add(draft_for(BOOK, "errors.md"), title="day two")
        for n in range(extra):
            store.add(draft_for(BOOK, "ownership.md"), title=f"more {n}", note="n" * 200)
    clock.now += DAY


def _overwrite_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:100] = b"\x00" * 100
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _truncate_to_nothing(path: Path) -> None:
    path.write_bytes(b"")


def _flip_bytes_mid_file(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    middle = (len(data) // page_size // 2) * page_size  # a b-tree page's header
    for i in range(middle, middle + 16):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage", [_overwrite_header, _truncate, _truncate_to_nothing, _flip_bytes_mid_file]
)
def test_a_damaged_database_is_set_aside_and_the_newest_backup_restored(
    tmp_path: Path, damage: object
) -> None:
    clock = Clock()
    _two_days_of_bookmarks(tmp_path, clock, extra=150)
    path = tmp_path / FILE_NAME
    damage(path)  # type: ignore[operator]
    damaged = path.read_bytes()

    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert store.enabled
        titles = {b.title for b in store.bookmarks()}
        message = store.recovery_message
    assert {"day one", "day two", "more 149"} <= titles and len(titles) == 152
    # (with the -wal and -shm files the read-only look at it left, when there are any)
    (aside,) = (p for p in tmp_path.glob(f"{FILE_NAME}.corrupt-*") if p.name[-1].isdigit())
    assert aside.read_bytes() == damaged  # kept as it was, for the curious
    assert message is not None
    assert "could not be read" in message
    assert aside.name in message
    assert "152 bookmarks were restored from the backup of" in message
    assert message.count("\n") == 0  # one clear message

    with BookmarkStore.open(tmp_path, clock=clock) as store:  # and it stays fixed
        assert store.recovery_message is None
        assert len(store.bookmarks()) == 152


def test_a_damaged_newest_backup_is_passed_over_for_an_older_good_one(tmp_path: Path) -> None:
    clock = Clock()
    _two_days_of_bookmarks(tmp_path, clock)
    newest = sorted((tmp_path / BACKUP_FOLDER).glob("*.json"))[-1]
    newest.write_text('{"format": "handbook-bookmarks", "version": 1, "bookmarks": [')
    _overwrite_header(tmp_path / FILE_NAME)
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert [b.title for b in store.bookmarks()] == ["day one"]
        assert store.recovery_message is not None
        assert "1 bookmark was restored" in store.recovery_message


def test_damage_without_any_backup_starts_empty_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database at all" * 200)
    with BookmarkStore.open(tmp_path) as store:
        assert store.enabled and store.bookmarks() == []
        assert store.recovery_message is not None
        assert "No backup could be restored" in store.recovery_message


# -- (c) locked by another instance -----------------------------------------------------------


def _hold_lock(path: Path, seconds: float) -> threading.Thread:
    holding = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            holding.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")
        finally:
            other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait()
    return thread


def test_a_locked_database_is_waited_for(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path, busy_timeout_ms=5000) as store:
        store.add(draft_for(BOOK, "intro.md"))
        holder = _hold_lock(store.path, 0.4)
        added = store.add(draft_for(BOOK, "errors.md"))
        holder.join()
        assert added in store.bookmarks()


def test_a_lock_held_too_long_is_an_error_not_damage(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path, busy_timeout_ms=150) as store:
        store.add(draft_for(BOOK, "intro.md"))
        before = store.snapshot()
        holder = _hold_lock(store.path, 0.6)
        with pytest.raises(DatabaseBusy, match="in use by another program"):
            store.add(draft_for(BOOK, "errors.md"))
        holder.join()
        assert store.snapshot() == before
    with BookmarkStore.open(tmp_path) as store:
        assert store.recovery_message is None and len(store.bookmarks()) == 1
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_database_locked_at_start_is_opened_once_free(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        store.add(draft_for(BOOK, "intro.md"))
    holder = _hold_lock(tmp_path / FILE_NAME, 0.3)
    with BookmarkStore.open(tmp_path) as store:
        assert store.enabled and store.recovery_message is None
        store.add(draft_for(BOOK, "errors.md"))
    holder.join()


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    BookmarkStore.open(tmp_path).close()  # created once, as the app would have
    writers = [_writer("add", str(tmp_path), "150") for _ in range(2)]
    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (_, errors) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, errors
    reported = [_reported(out) for out, _ in outputs]
    assert [len(r) for r in reported] == [150, 150]
    assert set(reported[0]).isdisjoint(reported[1])
    assert _ids_on_disk(tmp_path / FILE_NAME) == set(reported[0]) | set(reported[1])


# -- (d) a full disk --------------------------------------------------------------------------


def test_a_full_disk_is_a_clear_error_and_what_was_saved_stays(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        assert store.database is not None
        pages = store.database.execute("PRAGMA page_count")[0][0]
        store.database.execute(f"PRAGMA max_page_count = {pages + 3}")
        saved = []
        with pytest.raises(DiskFull, match="disk is full"):
            for _ in range(1000):
                saved.append(store.add(draft_for(BOOK, "intro.md"), note="x" * 2000).id)
        assert saved and [b.id for b in store.bookmarks()] == saved
    with BookmarkStore.open(tmp_path) as store:
        assert store.recovery_message is None
        assert [b.id for b in store.bookmarks()] == saved
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_full_disk_during_a_backup_keeps_the_old_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        store.add(draft_for(BOOK, "intro.md"))
    (old,) = (tmp_path / BACKUP_FOLDER).glob("*.json")
    before = old.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    clock.now += DAY
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        store.add(draft_for(BOOK, "errors.md"))
        monkeypatch.setattr(backups_module.os, "fsync", no_space)
        assert store.backup_if_changed() is None  # logged, not raised
        monkeypatch.undo()
    assert old.read_bytes() == before
    assert not list((tmp_path / BACKUP_FOLDER).glob(".*.tmp"))


# -- (e) a data folder that cannot be written -------------------------------------------------


def test_a_data_folder_that_cannot_exist_turns_bookmarking_off_visibly(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    with BookmarkStore.open(blocker / "handbook") as store:
        assert store.disabled_reason is not None
        assert store.disabled_reason.startswith("Bookmarks are turned off: the folder ")
        with pytest.raises(BookmarksDisabled):
            store.add(draft_for(BOOK, "intro.md"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_folder_turns_bookmarking_off(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        store.add(draft_for(BOOK, "intro.md"))
    tmp_path.chmod(0o555)
    try:
        with BookmarkStore.open(tmp_path) as store:
            assert store.disabled_reason is not None
    finally:
        tmp_path.chmod(0o755)


# -- (f) the file deleted or replaced, between runs or under the open store -------------------


def _delete_store(folder: Path) -> None:
    for name in (FILE_NAME, f"{FILE_NAME}-wal", f"{FILE_NAME}-shm"):
        (folder / name).unlink(missing_ok=True)


def _backup_counts(folder: Path) -> list[int]:
    """How many bookmarks each backup holds, newest first."""
    paths = sorted((folder / BACKUP_FOLDER).glob("*.json"), key=os.path.getmtime, reverse=True)
    return [len(json.loads(p.read_text())["bookmarks"]) for p in paths]


def test_a_missing_store_is_restored_from_the_newest_backup_with_bookmarks(
    tmp_path: Path,
) -> None:
    clock = Clock()
    _two_days_of_bookmarks(tmp_path, clock)
    _delete_store(tmp_path)
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert sorted(b.title for b in store.bookmarks()) == ["day one", "day two"]
        message = store.recovery_message
    assert message is not None
    assert "was missing" in message and "2 bookmarks were restored from the backup of" in message
    assert max(_backup_counts(tmp_path)) == 2
    with BookmarkStore.open(tmp_path, clock=clock) as store:  # and it stays fixed
        assert store.recovery_message is None and len(store.bookmarks()) == 2


def test_an_empty_store_never_replaces_a_backup_with_bookmarks(tmp_path: Path) -> None:
    clock = Clock()
    _two_days_of_bookmarks(tmp_path, clock)
    clock.now -= DAY  # the same day as the last backup: it would be replaced
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        store.remove([b.id for b in store.bookmarks()])
    assert 2 in _backup_counts(tmp_path)  # the generation before is kept
    assert _backup_counts(tmp_path)[0] == 0
    _delete_store(tmp_path)  # and lost: the newest backup that has bookmarks comes back
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert len(store.bookmarks()) == 2


def _ids_and_titles_on_disk(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        return sorted(row[0] for row in connection.execute("SELECT title FROM bookmarks"))
    finally:
        connection.close()


def test_a_store_deleted_while_open_writes_a_new_file_with_everything(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        store.add(draft_for(BOOK, "intro.md"), title="one")
        store.add(draft_for(BOOK, "errors.md"), title="two")
        _delete_store(tmp_path)
        store.add(draft_for(BOOK, "ownership.md"), title="three")
        (notice,) = store.take_notices()
        assert "was deleted while handbook was running" in notice and "your 2 bookmarks" in notice
        # on disk now, not only at close
        assert _ids_and_titles_on_disk(tmp_path / FILE_NAME) == ["one", "three", "two"]
        store.add(draft_for(BOOK, "ownership.md#rules"), title="four")
        assert store.take_notices() == []
    with BookmarkStore.open(tmp_path) as store:
        assert store.recovery_message is None
        assert sorted(b.title for b in store.bookmarks()) == ["four", "one", "three", "two"]


def test_a_store_replaced_while_open_is_merged_into_the_new_file(tmp_path: Path) -> None:
    other = tmp_path / "other"
    with BookmarkStore.open(other) as store:
        store.add(draft_for(BOOK, "errors.md#panic"), title="from the other file")
    with BookmarkStore.open(tmp_path) as store:
        store.add(draft_for(BOOK, "intro.md"), title="mine")
        _delete_store(tmp_path)
        os.replace(other / FILE_NAME, tmp_path / FILE_NAME)
        store.add(draft_for(BOOK, "errors.md"), title="after")
        (notice,) = store.take_notices()
        assert "was replaced by another file" in notice
        assert _ids_and_titles_on_disk(tmp_path / FILE_NAME) == [
            "after",
            "from the other file",
            "mine",
        ]


@pytest.mark.slow
def test_acknowledged_bookmarks_survive_the_file_deleted_then_a_sigkill(tmp_path: Path) -> None:
    """The store deleted under a writer, then the writer killed: nothing it acknowledged is
    lost (what it held is written to a new file before it acknowledges anything more)."""
    rng = random.Random(20261204)
    acknowledged: set[int] = set()
    noticed = 0
    for _ in range(20):
        writer = _writer("add", str(tmp_path))
        assert writer.stdout is not None
        first = writer.stdout.readline()
        assert first.strip().isdigit(), writer.stderr.read() if writer.stderr else first
        acknowledged.add(int(first))
        time.sleep(rng.uniform(0, 0.02))
        _delete_store(tmp_path)
        seen = ""
        while not seen.startswith("# "):  # until it noticed (and wrote a new file)
            seen = writer.stdout.readline()
            assert seen, writer.stderr.read() if writer.stderr else "the writer stopped"
            if seen.strip().isdigit():
                acknowledged.add(int(seen))
        assert "was deleted while handbook was running" in seen
        noticed += 1
        time.sleep(rng.uniform(0, 0.02))
        writer.send_signal(signal.SIGKILL)
        output = _output_after_kill(writer)
        acknowledged.update(_reported(output))
        assert acknowledged <= _ids_on_disk(tmp_path / FILE_NAME)
    assert noticed == 20
    with BookmarkStore.open(tmp_path) as store:
        assert store.recovery_message is None
        assert acknowledged <= {b.id for b in store.bookmarks()}


# -- (g) a file that is not ours, or not a file ------------------------------------------------


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


def _to_dev_null(path: Path) -> None:
    path.symlink_to("/dev/null")


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("kept")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_loop, "is a symbolic link that loops, not a file"),
        (_to_dev_null, "is a symbolic link to /dev/null, which is a device, not a file"),
        (_folder, "is a folder, not a file"),
        (_fifo, "is a named pipe (FIFO), not a file"),
    ],
    ids=["symlink-loop", "symlink-to-dev-null", "folder", "fifo"],
)
def test_a_store_that_is_no_file_is_left_alone_and_bookmarks_are_off(
    tmp_path: Path, make: object, said: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / FILE_NAME
    make(path)  # type: ignore[operator]
    before = (os.lstat(path).st_mode, os.readlink(path) if path.is_symlink() else None)
    with BookmarkStore.open(folder) as store:
        assert not store.enabled
        assert store.disabled_reason == f"Bookmarks are turned off: {path} {said}."
        assert store.bookmarks() == []
        with pytest.raises(BookmarksDisabled):
            store.add(draft_for(BOOK, "intro.md"))
    assert (os.lstat(path).st_mode, os.readlink(path) if path.is_symlink() else None) == before
    assert sorted(p.name for p in folder.iterdir()) == [BACKUP_FOLDER, FILE_NAME]


def _sqlite_file(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def _other_program_with_a_bookmarks_table(path: Path) -> None:
    _sqlite_file(
        path,
        "CREATE TABLE bookmarks (url TEXT, title TEXT)",
        "INSERT INTO bookmarks VALUES ('https://example.org', 'theirs')",
    )


def _schema_1_with_other_tables(path: Path) -> None:
    _sqlite_file(path, "CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 1")


def _a_later_schema_of_another_program(path: Path) -> None:
    _sqlite_file(path, "CREATE TABLE things (x)", "PRAGMA user_version = 9")


def _a_search_cache(path: Path) -> None:
    from handbook.core.search.index import IndexCache
    from tests.conftest import write_book

    book_root = write_book(path.parent / "book", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n"})
    from handbook.core.book.load import load_book

    IndexCache(path.parent / "cache").open(load_book(book_root)).close()
    (cached,) = (path.parent / "cache").rglob("*.sqlite3")
    path.write_bytes(cached.read_bytes())


@pytest.mark.parametrize(
    "make",
    [
        _other_program_with_a_bookmarks_table,
        _schema_1_with_other_tables,
        _a_later_schema_of_another_program,
        _a_search_cache,
    ],
)
def test_another_programs_database_is_set_aside_untouched(tmp_path: Path, make: object) -> None:
    clock = Clock()
    _two_days_of_bookmarks(tmp_path, clock)
    path = tmp_path / FILE_NAME
    _delete_store(tmp_path)
    make(path)  # type: ignore[operator]
    original = path.read_bytes()
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert store.enabled
        assert sorted(b.title for b in store.bookmarks()) == ["day one", "day two"]
        message = store.recovery_message
    assert message is not None
    assert f"{path} is not a handbook bookmark database" in message
    assert "newer version" not in message
    (aside,) = tmp_path.glob(f"{FILE_NAME}.foreign-*")
    assert aside.read_bytes() == original  # not a byte changed (not even the journal mode)
    assert aside.name in message and "2 bookmarks were restored" in message


def test_our_database_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        store.add(draft_for(BOOK, "intro.md"))
    path = tmp_path / FILE_NAME
    _sqlite_file(path, "PRAGMA user_version = 7")
    original = path.read_bytes()
    with BookmarkStore.open(tmp_path) as store:
        assert store.disabled_reason is not None
        assert "written by a newer version of handbook" in store.disabled_reason
    assert path.read_bytes() == original


# -- (h) what the messages say ----------------------------------------------------------------


def test_a_file_named_like_the_backup_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / BACKUP_FOLDER
    blocker.write_text("a file where the backups' folder should be")
    with BookmarkStore.open(tmp_path) as store:
        assert store.disabled_reason == (
            f"Bookmarks are turned off: {blocker} is a file, where handbook keeps the backups "
            "of your bookmarks in a folder. Move it away to turn bookmarks on."
        )
    assert blocker.read_text() == "a file where the backups' folder should be"


def test_a_book_folder_whose_name_is_not_utf8_keeps_its_bookmarks(tmp_path: Path) -> None:
    from handbook.core.book.load import load_book
    from tests.conftest import write_book

    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9 book"))
    write_book(root, "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n\nWords.\n"})
    book = load_book(root)
    data = tmp_path / "data"
    with BookmarkStore.open(data) as store:
        added = store.add(draft_for(book, "a.md"))
        assert added.book_path == str(root)
    with BookmarkStore.open(data) as store:
        (again,) = store.bookmarks()
        assert Path(again.book_path) == root and Path(again.book_path).is_dir()
        assert again.book_title == "caf\ufffd book"  # shown as it can be
        assert store.backup_error is None
    _delete_store(data)  # and its backup gives it back exactly
    with BookmarkStore.open(data) as store:
        (restored,) = store.bookmarks()
        assert Path(restored.book_path) == root


def test_the_whole_data_folder_deleted_while_open_is_made_again(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    with BookmarkStore.open(data) as store:
        store.add(draft_for(BOOK, "intro.md"), title="one")
        shutil.rmtree(data)
        store.add(draft_for(BOOK, "errors.md"), title="two")
        assert len(store.take_notices()) == 1
        assert _ids_and_titles_on_disk(data / FILE_NAME) == ["one", "two"]
    assert list((data / BACKUP_FOLDER).glob("*.json"))  # and its backup at close


def test_a_store_that_cannot_be_written_again_says_so_and_acknowledges_nothing(
    tmp_path: Path,
) -> None:
    import shutil

    from handbook.core.storage.sqlite import StorageError

    data = tmp_path / "data"
    with BookmarkStore.open(data) as store:
        store.add(draft_for(BOOK, "intro.md"), title="one")
        shutil.rmtree(data)
        data.write_text("a file where the data folder was")
        with pytest.raises(StorageError, match="could not be written again"):
            store.add(draft_for(BOOK, "errors.md"), title="two")


def _start_and_add(folder: str, title: str, start: float, out: object) -> None:
    """A process starting at ``start`` (the file missing, backups there) and adding one bookmark."""
    while time.time() < start:
        pass
    with BookmarkStore.open(Path(folder)) as store:
        if store.database is None:
            out.put(f"disabled: {store.disabled_reason}")  # type: ignore[attr-defined]
            return
        store.add(draft_for(BOOK, "errors.md"), title=title)
        out.put(f"added {title}")  # type: ignore[attr-defined]


def test_processes_starting_together_on_a_missing_store_lose_nothing(tmp_path: Path) -> None:
    """Several processes start at one moment with the bookmark file deleted and backups there:
    each restores the backup; none may move another's new file aside as "cut short" (its
    bookmarks would then go to a file nobody reads). Every bookmark added is in the one file."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for round_ in range(6):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        clock = Clock()
        _two_days_of_bookmarks(folder, clock)
        _delete_store(folder)
        out = context.Queue()
        start = time.time() + 0.3
        workers = [
            context.Process(target=_start_and_add, args=(str(folder), f"p{n}", start, out))
            for n in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        said = sorted(out.get(timeout=5) for _ in workers)
        assert said == [f"added p{n}" for n in range(4)], said
        titles = _ids_and_titles_on_disk(folder / FILE_NAME)
        assert {f"p{n}" for n in range(4)} <= set(titles), (round_, titles)
        assert {"day one", "day two"} <= set(titles)
        aside = [p.name for p in folder.iterdir() if "corrupt" in p.name or "foreign" in p.name]
        assert aside == []
