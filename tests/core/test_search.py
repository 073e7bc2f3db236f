"""Full-text search: what ranks first, what never breaks it, and a cache never trusted."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook import __version__
from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import (
    IndexCache,
    IndexOrigin,
    SearchIndex,
    SearchOptions,
    snippet_html,
    snippet_text,
)
from handbook.core.search.sections import Section
from tests.conftest import GUIDE, RUST_BOOK, write_book

ENTERED = SearchOptions(prefix_last=False)  # the last word as a whole word


def load(root: Path) -> Book:
    return load_book(root)


_OPENED: list[SearchIndex] = []


def open_index(root: Path, folder: Path | None = None) -> SearchIndex:
    """The book's index, closed when the test ends (as the app closes what it opens)."""
    index = IndexCache(folder).open(load(root))
    _OPENED.append(index)
    return index


@pytest.fixture(autouse=True)
def _close_opened_indexes() -> Iterator[None]:
    yield
    while _OPENED:
        _OPENED.pop().close()


@pytest.fixture(scope="module")
def guide_index() -> Iterator[SearchIndex]:
    with IndexCache(None).open(load(GUIDE)) as index:
        yield index


@pytest.fixture(scope="module")
def rust_index() -> Iterator[SearchIndex]:
    if not (RUST_BOOK / "src" / "SUMMARY.md").is_file():
        pytest.skip(f"the Rust book is not at {RUST_BOOK}")
    with IndexCache(None).open(load(RUST_BOOK)) as index:
        yield index


# --- what ranks first ------------------------------------------------------------------------

GUIDE_FIRST = [
    ("hair thinning", "hair-loss-reported.md#hair-thinning-and-hair-loss"),
    ("7-hydroxymitragynine", "alkaloids.md#7-hydroxymitragynine"),
    ("sleep", "reported-benefits.md#sleep"),
    ("meditation", "stress-reduction.md#meditation"),
]

RUST_FIRST = [
    ("borrow checker", "ch10-03-lifetime-syntax.md#the-borrow-checker"),
    ("lifetime elision", "ch10-03-lifetime-syntax.md#lifetime-elision"),
    ("Box<T>", "ch15-01-box.md#using-boxt-to-point-to-data-on-the-heap"),
    ("? operator", "ch09-02-recoverable-errors-with-result.md#the--operator-shortcut"),
    (
        "trait objects",
        "ch18-02-trait-objects.md#using-trait-objects-to-abstract-over-shared-behavior",
    ),
    ("ownership rules", "ch04-01-what-is-ownership.md#ownership-rules"),
    ("dangling references", "ch04-02-references-and-borrowing.md#dangling-references"),
    ("shadowing", "ch03-01-variables-and-mutability.md#shadowing"),
    ("RefCell", "ch15-05-interior-mutability.md#refcellt-and-the-interior-mutability-pattern"),
    ("Rc<T>", "ch15-04-rc.md#rct-the-reference-counted-smart-pointer"),
    ("closures", "ch13-01-closures.md#closures"),
    ("match", "ch06-02-match.md#the-match-control-flow-construct"),
    ("unsafe", "ch20-01-unsafe-rust.md#unsafe-rust"),
    ("hash map", "ch08-03-hash-maps.md#storing-keys-with-associated-values-in-hash-maps"),
]


@pytest.mark.parametrize(("query", "expected"), GUIDE_FIRST)
@pytest.mark.parametrize("typing", [False, True], ids=["entered", "typing"])
def test_guide_ranks_the_expected_section_first(
    guide_index: SearchIndex, query: str, expected: str, typing: bool
) -> None:
    hits = guide_index.search(query, SearchOptions(prefix_last=typing)).hits
    assert hits and hits[0].id == expected, [h.id for h in hits[:5]]


@pytest.mark.parametrize(("query", "expected"), RUST_FIRST)
@pytest.mark.parametrize("typing", [False, True], ids=["entered", "typing"])
def test_rust_book_ranks_the_expected_section_first(
    rust_index: SearchIndex, query: str, expected: str, typing: bool
) -> None:
    hits = rust_index.search(query, SearchOptions(prefix_last=typing)).hits
    assert hits and hits[0].id == expected, [h.id for h in hits[:5]]


# --- what a hit holds ------------------------------------------------------------------------


def test_a_hit_has_its_place_in_the_book_and_a_highlighted_snippet(
    guide_index: SearchIndex,
) -> None:
    results = guide_index.search("meditation")
    hit = results.hits[0]
    assert (hit.chapter, hit.anchor, hit.title) == (
        "stress-reduction.md",
        "meditation",
        "Meditation",
    )
    assert hit.breadcrumb.endswith("Stress reduction › Meditation")
    assert "<b>Meditation</b>" in hit.snippet
    assert hit.score > 0
    assert hit.terms == ("meditation",)
    assert results.total == len(results.hits) >= 2
    assert [h.score for h in results.hits] == sorted((h.score for h in results.hits), reverse=True)


def test_the_total_counts_every_match_beyond_the_limit(guide_index: SearchIndex) -> None:
    results = guide_index.search("hair", SearchOptions(limit=3))
    assert len(results.hits) == 3 and results.total > 3


def test_stemming_diacritics_and_prefixes(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "book",
        "# S\n\n- [One](one.md)\n- [Two](two.md)\n",
        {
            "one.md": "# One\n\nMy back pain at the café.\n",
            "two.md": "# Two\n\nBorrowing rules, and the <script>alert(1)</script> tag.\n",
        },
    )
    index = open_index(root)
    assert [h.id for h in index.search("pains").hits] == ["one.md#one"]
    assert [h.id for h in index.search("cafe").hits] == ["one.md#one"]
    assert [h.id for h in index.search("borrowi").hits] == ["two.md#two"]
    assert index.search("borrowi", ENTERED).hits == ()
    assert [h.id for h in index.search("rules -pain").hits] == ["two.md#two"]
    assert {h.id for h in index.search("café OR rules").hits} == {"one.md#one", "two.md#two"}
    assert [h.id for h in index.search('"back pain"').hits] == ["one.md#one"]
    assert index.search('"pain back"').hits == ()


def test_snippets_are_escaped_html_with_only_our_bold_tags() -> None:
    index = SearchIndex.build(
        [Section("a.md", "x", "Tags", "Tags", "use <script>alert('x')</script> & <b>bold</b>", 1)]
    )
    _OPENED.append(index)
    [hit] = index.search("script").hits
    assert "<script>" not in hit.snippet and "&lt;<b>script</b>&gt;" in hit.snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in hit.snippet
    assert snippet_text(hit.snippet, "**", "**").startswith("use <**script**>alert")


def test_snippet_html_turns_fts_marks_into_bold() -> None:
    assert snippet_html("a \ue000b<c\ue001  &\n d") == "a <b>b&lt;c</b> &amp; d"
    assert snippet_html(None) == ""
    assert snippet_html("\ue000borrow\ue001 \ue000checker\ue001") == "<b>borrow checker</b>"


def test_no_hits_suggests_a_word_of_the_book(guide_index: SearchIndex) -> None:
    results = guide_index.search("meditaton")
    assert results.total == 0
    assert results.suggestion == "meditation"
    assert guide_index.search(results.suggestion).total > 0
    assert guide_index.search("zzzzqqqq").suggestion is None


def test_suggestion_keeps_the_rest_of_the_query(rust_index: SearchIndex) -> None:
    assert rust_index.search('ownershp "the stack"').suggestion == 'ownership "the stack"'


# --- hostile text ----------------------------------------------------------------------------

HOSTILE = [
    "C++",
    "don't",
    "multi-agent",
    "38.101",
    "a:b",
    "*",
    "NEAR(",
    "AND",
    "OR",
    "NOT x",
    '"x',
    '"',
    "",
    " ",
    "x\x00y",
    "\x00",
    "kratom " * 1500,
    "k" * 10_000,
    "🙂🧑‍💻",
    "中文",
    "++",
    "-",
    "?",
    "\ue000",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:10]))
@pytest.mark.parametrize("typing", [False, True], ids=["entered", "typing"])
def test_hostile_text_never_raises(guide_index: SearchIndex, text: str, typing: bool) -> None:
    results = guide_index.search(text, SearchOptions(prefix_last=typing))
    assert results.total >= len(results.hits)


@settings(
    max_examples=300,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=300), typing=st.booleans())
def test_any_text_as_a_query_never_raises(
    guide_index: SearchIndex, text: str, typing: bool
) -> None:
    results = guide_index.search(text, SearchOptions(prefix_last=typing))
    assert results.total >= len(results.hits)
    assert all("<script" not in hit.snippet for hit in results.hits)


# --- the cache -------------------------------------------------------------------------------


@pytest.fixture
def book_root(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "book",
        "# S\n\n- [One](one.md)\n",
        {"one.md": "# One\n\nMeditation and sleep.\n"},
    )


def cache_file(folder: Path, root: Path) -> Path:
    path = IndexCache(folder).path_for(load(root))
    assert path is not None
    return path


def test_second_open_uses_the_cache(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    first = open_index(book_root, folder)
    assert first.origin is IndexOrigin.BUILT and first.discarded is None
    second = open_index(book_root, folder)
    assert second.origin is IndexOrigin.CACHE
    assert [h.id for h in second.search("sleep").hits] == ["one.md#one"]
    path = cache_file(folder, book_root)
    assert path.parent == folder / "search"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_changed_book_is_rebuilt(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    (book_root / "src" / "one.md").write_text("# One\n\nYoga now.\n", encoding="utf-8")
    index = open_index(book_root, folder)
    assert index.origin is IndexOrigin.BUILT
    assert index.discarded is not None and index.discarded.startswith("stale")
    assert index.search("sleep").hits == () and index.search("yoga").hits
    assert open_index(book_root, folder).origin is IndexOrigin.CACHE


def test_a_changed_summary_is_rebuilt(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    (book_root / "src" / "SUMMARY.md").write_text("# S\n\n- [Renamed](one.md)\n", "utf-8")
    index = open_index(book_root, folder)
    assert index.origin is IndexOrigin.BUILT
    assert index.search("sleep").hits[0].breadcrumb.startswith("Renamed")


def damage_garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"not a database!!"
    path.write_bytes(bytes(data))


def damage_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 4096, 16):  # a page's worth: some
        data[offset] ^= 0x5A  # bytes a page leaves unused are no corruption
    path.write_bytes(bytes(data))


def damage_last_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(len(data) - 3000, len(data), 7):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def damage_empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    "damage",
    [
        damage_garbage,
        damage_truncate,
        damage_header,
        damage_middle,
        damage_last_pages,
        damage_empty,
    ],
)
def test_a_corrupt_cache_is_discarded_and_rebuilt(
    tmp_path: Path, book_root: Path, damage: object
) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    path = cache_file(folder, book_root)
    assert callable(damage)
    damage(path)
    index = open_index(book_root, folder)
    assert index.origin is IndexOrigin.BUILT, index.discarded
    assert [h.id for h in index.search("meditation").hits] == ["one.md#one"]
    assert open_index(book_root, folder).origin is IndexOrigin.CACHE


def test_another_sqlite_file_is_foreign(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    path = cache_file(folder, book_root)
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta(key TEXT, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('content_key', 'x')")
    db.commit()
    db.close()
    index = open_index(book_root, folder)
    assert index.origin is IndexOrigin.BUILT
    assert index.discarded is not None and index.discarded.startswith("foreign")


def test_a_cache_from_another_app_version_is_rebuilt(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    path = cache_file(folder, book_root)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'app_version'")
    db.commit()
    db.close()
    index = open_index(book_root, folder)
    assert index.origin is IndexOrigin.BUILT
    assert index.discarded == "foreign: made by handbook 0.0.1"
    assert __version__ != "0.0.1"


def test_one_byte_changed_anywhere_in_the_cache_is_caught(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    path = cache_file(folder, book_root)
    saved = path.read_bytes()
    for offset in (20, 61, 100, len(saved) // 3, len(saved) - 1):  # header to the last byte
        data = bytearray(saved)
        data[offset] ^= 0x01  # one bit: unused bytes of a page and the digest's own included
        path.write_bytes(bytes(data))
        index = open_index(book_root, folder)
        assert index.origin is IndexOrigin.BUILT, offset
        assert index.discarded is not None and index.discarded.startswith(("corrupt", "foreign"))
        assert [h.id for h in index.search("meditation").hits] == ["one.md#one"]
        assert path.read_bytes() == saved  # the same book saves the same bytes


def test_a_cache_edited_behind_our_back_fails_its_checksum(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    path = cache_file(folder, book_root)
    db = sqlite3.connect(path)
    db.execute("UPDATE fts_content SET c2 = 'tampered' WHERE 1")
    db.commit()
    db.close()
    index = open_index(book_root, folder)
    assert index.discarded == "corrupt: checksum mismatch"
    assert index.search("meditation").hits


def test_an_unreadable_cache_entry_is_replaced(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    cache_file(folder, book_root).mkdir(parents=True)  # a folder where the file should be
    index = open_index(book_root, folder)
    assert index.discarded is not None and index.search("sleep").hits
    assert index.origin is IndexOrigin.MEMORY  # a folder cannot be replaced by a file


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_cache_folder_means_an_index_in_memory(
    tmp_path: Path, book_root: Path
) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    folder.chmod(0)
    try:
        index = open_index(book_root, folder)
    finally:
        folder.chmod(0o700)
    assert index.origin is IndexOrigin.MEMORY and index.search("sleep").hits


def test_no_writable_cache_folder_means_an_index_in_memory(tmp_path: Path, book_root: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    index = open_index(book_root, blocker / "cache")
    assert index.origin is IndexOrigin.MEMORY
    assert [h.id for h in index.search("sleep").hits] == ["one.md#one"]
    assert open_index(book_root, None).origin is IndexOrigin.MEMORY
    assert open_index(book_root, Path("relative")).origin is IndexOrigin.MEMORY
    assert not Path("relative").exists()


def test_the_cache_holds_only_the_book(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    open_index(book_root, folder)
    db = sqlite3.connect(cache_file(folder, book_root))
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert {"meta", "fts", "words"} <= tables
    known = ("meta", "fts", "section", "words", "sqlite_")
    assert not {t for t in tables if not t.startswith(known)}


def test_old_temp_files_are_cleaned_and_new_ones_left(tmp_path: Path, book_root: Path) -> None:
    folder = tmp_path / "cache"
    path = cache_file(folder, book_root)
    path.parent.mkdir(parents=True)
    old = path.with_name(path.name + ".old.tmp")
    young = path.with_name(path.name + ".young.tmp")
    for temp in (old, young):
        temp.write_bytes(b"half a file")
    os.utime(old, (0, 0))
    open_index(book_root, folder)
    assert not old.exists() and young.exists()


def test_opening_in_steps_reports_progress_and_ends_with_the_index(
    tmp_path: Path, book_root: Path
) -> None:
    cache = IndexCache(tmp_path / "cache")
    steps = cache.open_steps(load(book_root))
    seen: list[tuple[int, int]] = []
    while True:
        try:
            seen.append(next(steps))
        except StopIteration as finished:
            index = finished.value
            _OPENED.append(index)
            break
    assert seen and all(0 < done <= total for done, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert index.origin is IndexOrigin.BUILT and index.search("sleep").hits
    calls: list[tuple[int, int]] = []
    again = cache.open(load(book_root), lambda done, total: calls.append((done, total)))
    _OPENED.append(again)
    assert again.origin is IndexOrigin.CACHE
    assert len(calls) < len(seen)  # a valid cache skips splitting and indexing


def test_a_build_stopped_midway_closes_its_database(
    tmp_path: Path, book_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handbook.core.search import index as search

    builders: list[search.IndexBuilder] = []

    class Recorded(search.IndexBuilder):
        def __init__(self, content_key: str = "") -> None:
            super().__init__(content_key)
            builders.append(self)

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if builders:  # the build has begun: the reader opened another book meanwhile
            raise Cancelled  # what the window's search worker does then

    monkeypatch.setattr(search, "IndexBuilder", Recorded)
    with pytest.raises(Cancelled):
        IndexCache(tmp_path / "cache").open(load(book_root), progress)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        builders[0].add([])


# --- a chapter changed on disk: the index updated for it alone ---------------------------------


def _rows(index: SearchIndex) -> dict[int, tuple[str, str]]:
    with index._lock:
        rows = index._db.execute(
            "SELECT f.rowid, s.chapter, f.body FROM fts f JOIN section s ON s.rowid = f.rowid"
        ).fetchall()
    return {rowid: (chapter, body) for rowid, chapter, body in rows}


def _three_chapters(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "book",
        "# Summary\n\n- [Alpha](alpha.md)\n- [Beta](beta.md)\n- [Gamma](gamma.md)\n",
        {
            "alpha.md": "# Alpha\n\nAardvarks graze here.\n",
            "beta.md": "# Beta\n\nBadgers dig here.\n\n## Setts\n\nUnderground burrows.\n",
            "gamma.md": "# Gamma\n\nGazelles run here.\n",
        },
    )


def test_updating_one_chapter_replaces_its_rows_and_leaves_the_others(tmp_path: Path) -> None:
    root = _three_chapters(tmp_path)
    cache = IndexCache(tmp_path / "cache")
    book = load(root)
    index = cache.open(book)
    _OPENED.append(index)
    before = _rows(index)
    (root / "src" / "beta.md").write_text("# Beta\n\nWolverines moved in.\n", encoding="utf-8")

    cache.update(index, book, ["beta.md"])

    after = _rows(index)
    others = {rowid: row for rowid, row in before.items() if row[0] != "beta.md"}
    assert {rowid: row for rowid, row in after.items() if row[0] != "beta.md"} == others
    assert [hit.id for hit in index.search("wolverines").hits] == ["beta.md#beta"]
    assert index.search("badgers").hits == ()
    assert index.search("burrows").hits == ()
    assert index.search("wolverin").total == 1  # prefixes: the new words
    assert index.suggest("badgerz") is None  # "did you mean": the old words are gone
    assert index.section_count == 3


def test_an_updated_index_is_the_cache_the_next_opening_uses(tmp_path: Path) -> None:
    root = _three_chapters(tmp_path)
    folder = tmp_path / "cache"
    cache = IndexCache(folder)
    book = load(root)
    index = cache.open(book)
    _OPENED.append(index)
    (root / "src" / "gamma.md").write_text("# Gamma\n\nOkapis hide here.\n", encoding="utf-8")
    cache.update(index, book, ["gamma.md"])

    reopened = open_index(root, folder)

    assert reopened.origin is IndexOrigin.CACHE and reopened.discarded is None
    assert [hit.id for hit in reopened.search("okapis").hits] == ["gamma.md#gamma"]
    assert reopened.search("gazelles").hits == ()


def test_a_chapter_gone_from_the_disk_leaves_the_index(tmp_path: Path) -> None:
    root = _three_chapters(tmp_path)
    cache = IndexCache(None)
    book = load(root)
    index = cache.open(book)
    _OPENED.append(index)
    (root / "src" / "alpha.md").unlink()

    cache.update(index, book, ["alpha.md"])

    assert index.search("aardvarks").hits == ()
    assert [hit.id for hit in index.search("gazelles").hits] == ["gamma.md#gamma"]


def test_an_interrupt_between_queries_leaves_the_next_ones_answered(tmp_path: Path) -> None:
    # A newer keystroke interrupts every index of the library, idle ones too: the next
    # query on each is answered (SQLite refused every statement of a connection holding
    # uncommitted FTS5 rows once interrupted, its commit included).
    cached = open_index(GUIDE, tmp_path)
    for index in (open_index(GUIDE), cached, open_index(GUIDE, tmp_path)):
        index.interrupt()
        assert index.search("hair").total > 0
        index.interrupt()
        assert index.search("hair loss").total > 0
