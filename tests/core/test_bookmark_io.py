"""Export and import: XBEL and JSON both ways; bad files are refused and change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.core.bookmarks import exchange as bookmark_io
from handbook.core.bookmarks.exchange import ImportFormatError, parse_href, read_file, write_file
from handbook.core.bookmarks.model import BookmarkStatus, Snapshot
from handbook.core.bookmarks.reanchor import draft_for
from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.reading.place import Place
from tests.helpers.bookmark_writer import sample_book

BOOK = sample_book(identity="c0ffee/é #1")  # an identity that needs quoting in a URL
OTHER = sample_book(Path("/books/other"), identity="other-id", title="Other Book")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BookmarkStore]:
    with BookmarkStore.open(tmp_path / "data") as opened:
        folder = opened.create_folder(BOOK.identity, "Reading")
        sub = opened.create_folder(BOOK.identity, "Deeper", parent_id=folder.id)
        opened.add(
            draft_for(BOOK, "intro.md#on-linux", place=Place("intro.md#on-linux", 12, "x")),
            note="first\n<b>&amp;</b>",
        )
        opened.add(draft_for(BOOK, "ownership.md#rules"), title="Rules", folder_id=folder.id)
        opened.add(draft_for(BOOK, "errors.md"), folder_id=sub.id)
        opened.add(draft_for(OTHER, "errors.md#panic"), title="Don't panic")
        lost = opened.add(draft_for(OTHER, "intro.md"))
        opened.database.execute(  # type: ignore[union-attr]
            "UPDATE bookmarks SET status = 'missing' WHERE id = ?", (lost.id,)
        )
        yield opened


def _shape(snapshot: Snapshot) -> list[tuple[object, ...]]:
    """What a user sees of a snapshot, leaving out ids (which are local to each file or store)."""
    folders = {f.id: f.name for f in snapshot.folders}
    return sorted(
        (
            b.book_identity,
            b.book_path,
            b.book_title,
            b.section_id,
            b.scroll,
            b.heading_text,
            b.breadcrumb,
            b.title,
            b.note,
            folders.get(b.folder_id) if b.folder_id else None,
            b.created,
            b.chapter_index,
            b.prev_chapter,
            b.next_chapter,
            b.status,
        )
        for b in snapshot.bookmarks
    )


@pytest.mark.parametrize("suffix", [".json", ".xbel"])
def test_export_then_import_into_an_empty_store_gives_the_same(
    store: BookmarkStore, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"out{suffix}"
    write_file(target, store.snapshot())
    with BookmarkStore.open(tmp_path / "fresh") as fresh:
        result = fresh.merge(read_file(target))
        assert (result.added, result.skipped, result.folders_added) == (5, 0, 2)
        assert _shape(fresh.snapshot()) == _shape(store.snapshot())
        assert [(f.name, f.parent_id is None) for f in fresh.folders()] == [
            ("Reading", True),
            ("Deeper", False),
        ]
        again = fresh.merge(read_file(target))
        assert (again.added, again.skipped, again.folders_added) == (0, 5, 0)


def test_xbel_is_plain_xbel_with_our_fields_in_metadata(store: BookmarkStore) -> None:
    text = bookmark_io.to_xbel(store.snapshot())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xbel>\n<xbel')
    assert "<title>Sample Book</title>" in text and "<title>Other Book</title>" in text
    assert 'href="handbook://c0ffee%2F%C3%A9%20%231/intro.md#on-linux"' in text
    assert "<desc>first\n&lt;b&gt;&amp;amp;&lt;/b&gt;</desc>" in text
    assert '<metadata owner="handbook">' in text


def test_hrefs_round_trip() -> None:
    href = bookmark_io.href_for("id/with space", "dir/ch 1.md#a-b")
    assert parse_href(href) == ("id/with space", "dir/ch 1.md#a-b")
    assert parse_href("handbook://x/intro.md") == ("x", "intro.md")
    assert parse_href("https://example.org/") is None
    assert parse_href("handbook://x/") is None


def test_a_browser_xbel_with_a_handbook_link_imports_it_and_skips_the_web() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE xbel PUBLIC "+//IDN python.org//DTD XML Bookmark Exchange Language 1.0//EN//XML"
  "http://www.python.org/topics/xml/dtds/xbel-1.0.dtd">
<xbel version="1.0">
  <folder><title>Web</title>
    <bookmark href="https://example.org/"><title>Example</title></bookmark>
    <folder><title>Docs</title>
      <bookmark href="handbook://book-1/ch1.md#start"><title>Start</title><desc>n</desc></bookmark>
    </folder>
  </folder>
</xbel>"""
    snapshot = bookmark_io.parse_xbel(data)
    (bookmark,) = snapshot.bookmarks
    assert (bookmark.book_identity, bookmark.section_id, bookmark.title, bookmark.note) == (
        "book-1",
        "ch1.md#start",
        "Start",
        "n",
    )
    assert [f.name for f in snapshot.folders] == ["Web", "Docs"]
    assert bookmark.folder_id == snapshot.folders[1].id


BAD_FILES = {
    "not json": ("json", b"{not json", "not valid JSON"),
    "json of another program": ("json", b'{"roots": {}}', "not a handbook bookmarks file"),
    "a list": ("json", b"[1, 2]", "not a handbook bookmarks file"),
    "newer version": (
        "json",
        b'{"format": "handbook-bookmarks", "version": 99}',
        "newer handbook",
    ),
    "bookmarks not a list": (
        "json",
        b'{"format": "handbook-bookmarks", "version": 1, "bookmarks": {}}',
        '"bookmarks" must be a list',
    ),
    "a title that is a number": (
        "json",
        b'{"format": "handbook-bookmarks", "version": 1, "bookmarks": '
        b'[{"book_identity": "b", "section_id": "a.md", "title": 5}]}',
        'bookmarks[0]: "title" must be text',
    ),
    "a bad date": (
        "json",
        b'{"format": "handbook-bookmarks", "version": 1, "bookmarks": '
        b'[{"book_identity": "b", "section_id": "a.md", "title": "t", "created": "soon"}]}',
        '"created" must be a date',
    ),
    "an unknown folder": (
        "json",
        b'{"format": "handbook-bookmarks", "version": 1, "bookmarks": '
        b'[{"book_identity": "b", "section_id": "a.md", "title": "t", "folder_id": 7}]}',
        "unknown folder",
    ),
    "a folder inside itself": (
        "json",
        b'{"format": "handbook-bookmarks", "version": 1, "folders": ['
        b'{"id": 1, "book_identity": "b", "name": "x", "parent_id": 2},'
        b'{"id": 2, "book_identity": "b", "name": "y", "parent_id": 1}]}',
        "inside itself",
    ),
    "not xml": ("xbel", b"<xbel><folder>", "not well-formed XML"),
    "html": ("xbel", b"<html><body>hi</body></html>", "not an XBEL file"),
    "only web links": (
        "xbel",
        b'<xbel version="1.0"><bookmark href="http://a/"><title>a</title></bookmark></xbel>',
        "no handbook bookmarks (1 links",
    ),
    "billion laughs": (
        "xbel",
        b'<?xml version="1.0"?><!DOCTYPE xbel [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<xbel><bookmark href='handbook://b/a.md'><title>&c;</title></bookmark></xbel>",
        "entities",
    ),
    "external entity": (
        "xbel",
        b'<?xml version="1.0"?><!DOCTYPE xbel [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<xbel><bookmark href='handbook://b/a.md'><title>&x;</title></bookmark></xbel>",
        "entities",
    ),
    "a bad scroll in metadata": (
        "xbel",
        b"<xbel><bookmark href='handbook://b/a.md'><title>t</title><info>"
        b"<metadata owner='handbook'><scroll>far</scroll></metadata></info></bookmark></xbel>",
        "<scroll> must be a whole number",
    ),
    "folders nested too deep": (
        "xbel",
        b"<xbel>" + b"<folder><title>f</title>" * 100 + b"</folder>" * 100 + b"</xbel>",
        "nested more than",
    ),
    "not utf-8": ("json", b"\xff\xfe{", "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_a_clear_reason_and_nothing_changes(
    store: BookmarkStore, tmp_path: Path, case: str
) -> None:
    fmt, data, reason = BAD_FILES[case]
    bad = tmp_path / f"bad.{fmt}"
    bad.write_bytes(data)
    before = store.snapshot()
    with pytest.raises(ImportFormatError) as error:
        store.merge(read_file(bad))
    assert reason in str(error.value)
    assert str(error.value).startswith(f"bad.{fmt}: ")
    assert store.snapshot() == before


def test_the_format_comes_from_the_extension_or_is_given(tmp_path: Path) -> None:
    assert bookmark_io.format_for(tmp_path / "a.XBEL") == "xbel"
    assert bookmark_io.format_for(tmp_path / "a.txt", "json") == "json"
    with pytest.raises(ValueError, match="--format"):
        bookmark_io.format_for(tmp_path / "a.txt")


def test_a_json_export_is_readable_and_complete(store: BookmarkStore) -> None:
    document = json.loads(bookmark_io.to_json(store.snapshot()))
    assert document["format"] == "handbook-bookmarks" and document["version"] == 1
    first = document["bookmarks"][0]
    assert set(first) >= {"book_identity", "section_id", "title", "note", "scroll", "created"}
    assert first["created"].endswith("Z")
    statuses = {b["status"] for b in document["bookmarks"]}
    assert statuses == {BookmarkStatus.OK.value, BookmarkStatus.MISSING.value}


def test_a_minimal_json_bookmark_gets_defaults() -> None:
    snapshot = bookmark_io.parse_json(
        '{"format": "handbook-bookmarks", "version": 1, "bookmarks": '
        '[{"book_identity": "b", "section_id": "a.md#x", "title": "T"}]}'
    )
    (bookmark,) = snapshot.bookmarks
    assert (bookmark.heading_text, bookmark.scroll, bookmark.chapter_index) == ("T", None, -1)
