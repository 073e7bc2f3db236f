"""Places in the text: finding one again after edits, each book's last place on disk, and
bookmark stores of the version before places (schema 1) migrating."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from handbook.core.bookmarks.reanchor import draft_for, open_target
from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.reading.place import Place, find_in_section, quote_at
from handbook.core.reading.places import PlaceStore
from tests.conftest import REPO
from tests.helpers.bookmark_writer import sample_book

SCHEMA_1 = REPO / "tests" / "fixtures" / "places" / "bookmarks-schema1.sqlite"
BOOK = sample_book()
NEW_PLACE = Place("ownership.md#rules", 12, "Each value")
TEXT = "Rules\u2029Each value in Rust has an owner. There can only be one owner at a time."


def test_a_place_is_found_at_its_offset_while_its_text_is_there() -> None:
    at = TEXT.index("There can")
    place = Place("ownership.md#rules", at, quote_at(TEXT, at))
    assert find_in_section(TEXT, place) == at


def test_after_an_edit_above_it_the_quote_finds_the_place() -> None:
    at = TEXT.index("There can")
    place = Place("ownership.md#rules", at, quote_at(TEXT, at))
    edited = TEXT.replace("Each value", "A sentence added above. Each value")
    assert edited[find_in_section(edited, place) or 0 :].startswith("There can only")


def test_text_that_is_gone_is_not_found_and_a_place_without_quote_keeps_its_offset() -> None:
    place = Place("ownership.md#rules", 10, "Words no longer in the book")
    assert find_in_section(TEXT, place) is None
    assert find_in_section(TEXT, Place("ownership.md#rules", 12)) == 12
    assert find_in_section(TEXT, Place("ownership.md#rules", 10_000)) == len(TEXT)


def test_each_book_keeps_its_own_place(tmp_path: Path) -> None:
    with_clock = PlaceStore.open(tmp_path, clock=lambda: 5.0)
    with_clock.save("book-a", "/a", Place("a.md#x", 40, "text in a"), 3)
    with_clock.save("book-b", "/b", Place("b.md", 0, ""), 0)
    with_clock.save("book-a", "/a", Place("a2.md#y", 7, "later in a"), 4)
    with_clock.mark_read("book-a", ["a.md", "a2.md"])
    with_clock.close()
    again = PlaceStore.open(tmp_path)
    saved = again.last_place("book-a")
    assert saved is not None and saved.place == Place("a2.md#y", 7, "later in a")
    assert saved.chapter_index == 4
    assert again.last_place("book-b") is not None
    assert again.last_place("book-c") is None
    assert again.chapters_read("book-a") == {"a.md", "a2.md"}
    assert again.chapters_read("book-b") == frozenset()


def test_a_damaged_places_file_is_set_aside_and_a_new_one_started(tmp_path: Path) -> None:
    (tmp_path / "places.sqlite").write_bytes(b"not a database at all" * 100)
    store = PlaceStore.open(tmp_path)
    assert store.enabled and store.last_place("book-a") is None
    store.save("book-a", "/a", Place("a.md"), 0)
    assert list(tmp_path.glob("places.sqlite.corrupt-*"))


def test_a_folder_that_cannot_exist_turns_places_off(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    store = PlaceStore.open(tmp_path / "file" / "data")
    assert not store.enabled and store.disabled_reason
    store.save("book-a", "/a", Place("a.md"), 0)  # nothing saved, nothing raised
    assert store.last_place("book-a") is None


def test_a_bookmark_store_of_the_version_before_places_migrates(tmp_path: Path) -> None:
    """The fixture was written by the version before places (schema 1: a pixel scroll)."""
    shutil.copy(SCHEMA_1, tmp_path / "bookmarks.sqlite")
    with sqlite3.connect(tmp_path / "bookmarks.sqlite") as old:
        assert old.execute("PRAGMA user_version").fetchone() == (1,)
    with BookmarkStore.open(tmp_path) as store:
        marks = {b.title: b for b in store.bookmarks()}
        assert store.database is not None and store.database.user_version == 2
        assert {t: b.section_id for t, b in marks.items()} == {
            "Rules": "ownership.md#rules",
            "Start": "intro.md",
            "Panic": "errors.md#panic",
        }
        assert marks["Rules"].note == "read twice"
        assert [f.name for f in store.folders()] == ["Reading"]
        # an old pixel offset means nothing in another zoom: the bookmark opens at its heading
        assert open_target(marks["Rules"], BOOK) == Place("ownership.md#rules")
        added = store.add(draft_for(BOOK, "ownership.md#rules", place=NEW_PLACE))
    with BookmarkStore.open(tmp_path) as store:
        (again,) = [b for b in store.bookmarks() if b.id == added.id]
        assert again.place == NEW_PLACE
