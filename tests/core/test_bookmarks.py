"""The bookmark store: what is saved is what comes back, in order, in folders, across books."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.core.bookmarks.model import BookmarkStatus
from handbook.core.bookmarks.reanchor import draft_for
from handbook.core.bookmarks.store import BACKUP_FOLDER, FILE_NAME, BookmarksDisabled, BookmarkStore
from handbook.core.reading.place import Place
from tests.helpers.bookmark_writer import sample_book

BOOK = sample_book()
OTHER = sample_book(Path("/books/other"), identity="other-id", title="Other Book")


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BookmarkStore]:
    with BookmarkStore.open(tmp_path / "data") as opened:
        yield opened


def test_a_bookmark_keeps_everything_needed_to_reopen_it(tmp_path: Path) -> None:
    clock = Clock()
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        added = store.add(
            draft_for(BOOK, "ownership.md#rules", place=Place("ownership.md#rules", 420)),
            note="read twice",
        )
    with BookmarkStore.open(tmp_path) as store:
        (saved,) = store.bookmarks()
    assert saved == added
    assert saved.book_identity == "sample-id"
    assert saved.book_path == "/books/sample"
    assert saved.book_title == "Sample Book"
    assert saved.section_id == "ownership.md#rules"
    assert saved.place_offset == 420
    assert saved.heading_text == "Rules"
    assert saved.title == "Rules"
    assert saved.breadcrumb == "Introduction › Ownership"
    assert saved.note == "read twice"
    assert saved.created == clock.now
    assert (saved.chapter_index, saved.prev_chapter, saved.next_chapter) == (
        1,
        "intro.md",
        "errors.md",
    )
    assert saved.status is BookmarkStatus.OK and not saved.missing


def test_the_breadcrumb_names_chapters_and_parent_headings(store: BookmarkStore) -> None:
    assert draft_for(BOOK, "intro.md#on-linux").breadcrumb == "Introduction › Installation"
    assert draft_for(BOOK, "intro.md").breadcrumb == ""
    assert draft_for(BOOK, "intro.md").heading_text == "Introduction"
    assert draft_for(BOOK, "ownership.md").breadcrumb == "Introduction"


def test_bookmarks_keep_their_order_and_can_be_reordered(store: BookmarkStore) -> None:
    ids = [store.add(draft_for(BOOK, "intro.md"), title=f"b{i}").id for i in range(4)]
    assert [b.title for b in store.bookmarks()] == ["b0", "b1", "b2", "b3"]
    store.move_bookmarks([ids[3]], None, 0)
    assert [b.title for b in store.bookmarks()] == ["b3", "b0", "b1", "b2"]
    store.move_bookmarks([ids[3], ids[0]], None, 4)  # Qt's drop row: after the last
    assert [b.title for b in store.bookmarks()] == ["b1", "b2", "b3", "b0"]
    store.move_bookmarks([ids[2]], None, 2)  # onto itself: no change
    assert [b.title for b in store.bookmarks()] == ["b1", "b2", "b3", "b0"]


def test_folders_are_created_renamed_nested_and_bookmarks_moved_in(store: BookmarkStore) -> None:
    first = store.add(draft_for(BOOK, "intro.md"), title="first")
    second = store.add(draft_for(BOOK, "errors.md"), title="second")
    reading = store.create_folder(BOOK.identity, "To read")
    later = store.create_folder(BOOK.identity, "Later", parent_id=reading.id)
    store.move_bookmarks([second.id], later.id, -1)
    renamed = store.rename_folder(reading.id, "Reading list")
    assert renamed.name == "Reading list"
    assert [(f.name, f.parent_id) for f in store.folders()] == [
        ("Reading list", None),
        ("Later", reading.id),
    ]
    placed = {b.title: b.folder_id for b in store.bookmarks()}
    assert placed == {"first": None, "second": later.id}
    store.move_folder(later.id, None, 0)
    assert [f.name for f in store.folders() if f.parent_id is None] == ["Later", "Reading list"]
    with pytest.raises(ValueError):
        store.move_folder(reading.id, reading.id, 0)
    store.move_folder(reading.id, later.id, -1)
    with pytest.raises(ValueError, match="inside itself"):
        store.move_folder(later.id, reading.id, -1)
    assert first.folder_id is None


def test_folders_belong_to_one_book(store: BookmarkStore) -> None:
    folder = store.create_folder(BOOK.identity, "Mine")
    other = store.add(draft_for(OTHER, "intro.md"))
    with pytest.raises(ValueError):
        store.move_bookmarks([other.id], folder.id, -1)
    with pytest.raises(ValueError):
        store.add(draft_for(OTHER, "errors.md"), folder_id=folder.id)


def test_rename_and_note_are_saved(store: BookmarkStore) -> None:
    bookmark = store.add(draft_for(BOOK, "intro.md"))
    store.update(bookmark.id, title="Start here")
    updated = store.update(bookmark.id, note="line one\nline two")
    assert (updated.title, updated.note) == ("Start here", "line one\nline two")
    assert store.bookmarks() == [updated]


def test_removed_bookmarks_and_folders_come_back_as_they_were(store: BookmarkStore) -> None:
    kept = store.add(draft_for(BOOK, "intro.md"), title="kept")
    gone = store.add(draft_for(BOOK, "errors.md"), title="gone")
    folder = store.create_folder(BOOK.identity, "Folder")
    sub = store.create_folder(BOOK.identity, "Sub", parent_id=folder.id)
    inside = store.add(draft_for(BOOK, "ownership.md"), title="inside", folder_id=sub.id)
    before = store.snapshot()

    removed = store.remove([gone.id])
    assert [b.title for b in store.bookmarks()] == ["kept", "inside"]
    removed_folder = store.remove_folder(folder.id)
    assert [f.name for f in removed_folder.folders] == ["Folder", "Sub"]
    assert [b.title for b in removed_folder.bookmarks] == ["inside"]
    assert store.folders() == [] and [b.id for b in store.bookmarks()] == [kept.id]

    store.restore(removed_folder)
    store.restore(removed)
    assert store.snapshot() == before
    assert store.bookmark(inside.id) == inside


def test_ids_are_never_reused(store: BookmarkStore) -> None:
    last = store.add(draft_for(BOOK, "intro.md"))
    store.remove([last.id])
    assert store.add(draft_for(BOOK, "intro.md")).id > last.id


def test_is_bookmarked_answers_per_book_and_section(store: BookmarkStore) -> None:
    store.add(draft_for(BOOK, "ownership.md#rules"))
    assert store.is_bookmarked(BOOK.identity, "ownership.md#rules")
    assert not store.is_bookmarked(BOOK.identity, "ownership.md")
    assert not store.is_bookmarked(OTHER.identity, "ownership.md#rules")


def test_one_store_holds_every_book(store: BookmarkStore) -> None:
    store.add(draft_for(BOOK, "intro.md"))
    store.add(draft_for(OTHER, "intro.md"))
    assert {b.book_title for b in store.bookmarks()} == {"Sample Book", "Other Book"}
    assert [b.book_identity for b in store.bookmarks(OTHER.identity)] == ["other-id"]


def test_merge_skips_what_is_already_there(store: BookmarkStore, tmp_path: Path) -> None:
    store.add(draft_for(BOOK, "intro.md"), title="same")
    folder = store.create_folder(BOOK.identity, "Folder")
    store.add(draft_for(BOOK, "errors.md"), title="in folder", folder_id=folder.id)
    with BookmarkStore.open(tmp_path / "elsewhere") as other:
        other.add(draft_for(BOOK, "intro.md"), title="same")
        other.add(draft_for(BOOK, "intro.md"), title="same section, other title")
        theirs = other.create_folder(BOOK.identity, "Folder")
        other.add(draft_for(BOOK, "ownership.md"), title="new in folder", folder_id=theirs.id)
        incoming = other.snapshot()
    result = store.merge(incoming)
    assert (result.added, result.skipped, result.folders_added) == (2, 1, 0)
    again = store.merge(incoming)
    assert (again.added, again.skipped) == (0, 3)
    (only_folder,) = store.folders()
    in_folder = [b.title for b in store.bookmarks() if b.folder_id == only_folder.id]
    assert in_folder == ["in folder", "new in folder"]


def test_a_daily_backup_is_written_when_something_changed(tmp_path: Path) -> None:
    clock = Clock()
    backups = tmp_path / BACKUP_FOLDER
    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert store.backup_if_changed() is None  # nothing to back up yet
        store.add(draft_for(BOOK, "intro.md"), title="one")
    (first,) = backups.glob("*.json")
    assert [b["title"] for b in json.loads(first.read_text())["bookmarks"]] == ["one"]

    with BookmarkStore.open(tmp_path, clock=clock) as store:
        assert store.backup_if_changed() is None  # unchanged: no new file
        store.add(draft_for(BOOK, "errors.md"), title="two")
    (same_day,) = backups.glob("*.json")  # one a day: today's file replaced
    assert len(json.loads(same_day.read_text())["bookmarks"]) == 2

    for day in range(1, 18):
        clock.now += 86_400
        with BookmarkStore.open(tmp_path, clock=clock) as store:
            store.add(draft_for(BOOK, "intro.md"), title=f"day {day}")
    names = sorted(p.name for p in backups.glob("*.json"))
    assert len(names) == 15  # generations, as Firefox keeps
    assert names[-1].startswith("bookmarks-" + time.strftime("%Y-%m-%d", time.localtime(clock.now)))


def test_orphan_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    backups = tmp_path / BACKUP_FOLDER
    backups.mkdir(parents=True)
    orphan = backups / ".bookmarks-2026-01-01-abc.json.x1y2.tmp"
    orphan.write_text("half a backup")
    old = time.time() - 120
    os.utime(orphan, (old, old))
    restoring = tmp_path / ".bookmarks.sqlite.ab12cd.tmp-wal"  # a killed restore's log
    restoring.write_text("log")
    os.utime(restoring, (old, old))
    # another process's write in progress, a moment old: left alone
    in_progress = backups / ".bookmarks-2026-01-02-abc.json.z9y8.tmp"
    in_progress.write_text("being written")
    with BookmarkStore.open(tmp_path):
        pass
    assert not orphan.exists() and not restoring.exists()
    assert in_progress.read_text() == "being written"


def test_a_data_folder_under_a_file_disables_bookmarks(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with BookmarkStore.open(blocker / "handbook") as store:
        assert not store.enabled
        assert store.disabled_reason is not None
        assert "cannot be written" in store.disabled_reason
        assert str(blocker / "handbook") in store.disabled_reason
        assert store.bookmarks() == [] and not store.is_bookmarked("x", "y")
        with pytest.raises(BookmarksDisabled, match="cannot be written"):
            store.add(draft_for(BOOK, "intro.md"))


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders"
)
def test_a_read_only_data_folder_disables_bookmarks(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with BookmarkStore.open(folder) as store:
            assert store.disabled_reason is not None
            assert "cannot be written" in store.disabled_reason
    finally:
        folder.chmod(0o755)


def test_the_database_file_sits_in_the_data_folder(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        store.add(draft_for(BOOK, "intro.md"))
        assert store.path == tmp_path / FILE_NAME
    assert (tmp_path / FILE_NAME).is_file()
