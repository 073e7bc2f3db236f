"""mdBook 0.5 as the oracle: handbook's page against ``mdbook build`` of the same book.

Chapter by chapter, on fixture books of our own and on a copy of the Rust book (its ``trpl-*``
preprocessors and extra CSS/JS taken out of the copy's book.toml): the text of mdBook's
``<main>`` equals ``handbook show``'s text once white space is normalized (include placeholders
and the Rust book's listing captions aside, see ``tests/helpers/mdbook.py``); every heading id
mdBook gives exists on handbook's page; every ``#fragment`` link into the book lands on an
anchor. And the search index holds exactly the page's words, for every chapter of the Rust book
and the guide.

What handbook does not match yet is marked xfail (strict) with the reason.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.core.book.load import load_book
from handbook.core.render.page_text import page_text
from handbook.core.render.renderer import Renderer
from handbook.core.search.index import default_read_source
from handbook.core.search.sections import chapter_trails, split_sections
from tests.conftest import GUIDE, RUST_BOOK
from tests.helpers import mdbook
from tests.helpers.oracle_books import CHAPTERS, write_fixture_book

pytestmark = pytest.mark.slow

# What handbook does not match yet, with the reason (the pipeline of issue 13 fixed the rest).
FIXTURE_TEXT_XFAIL: dict[str, str] = {}
FIXTURE_IDS_XFAIL: dict[str, str] = {}
FIXTURE_LINKS_XFAIL: dict[str, str] = {}
RUST_TEXT_XFAIL: dict[str, str] = {}
RUST_INDEX_XFAIL: dict[str, str] = {}
GUIDE_INDEX_XFAIL: dict[str, str] = {}
_SUMMARY_LINK = re.compile(r"\]\(([^)\s]+\.md)\)")


def summary_chapters(root: Path) -> list[str]:
    """Chapter files in SUMMARY.md order, read at collection time without loading the book."""
    summary = root / "src" / "SUMMARY.md"
    if not summary.is_file():
        return []
    return list(dict.fromkeys(_SUMMARY_LINK.findall(summary.read_text(encoding="utf-8"))))


def marked(chapters: list[str], xfails: dict[str, str]) -> list[object]:
    return [
        pytest.param(c, marks=pytest.mark.xfail(reason=xfails[c], strict=True))
        if c in xfails
        else c
        for c in chapters
    ]


class Rendered:
    """A book and handbook's page of each of its chapters."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.book = load_book(root)
        renderer = Renderer(self.book)
        self.pages = {c.path: renderer.render(c.path).html for c in self.book.chapters() if c.path}


class Built(Rendered):
    """A book, handbook's pages, and mdBook's build of it."""

    def __init__(self, root: Path, out: Path) -> None:
        super().__init__(root)
        self.out = mdbook.build(root, out)

    def mdbook_main(self, chapter: str) -> str:
        return mdbook.main_html(mdbook.html_page(self.out, chapter))


@pytest.fixture(scope="module")
def fixture_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("oracle")
    return Built(write_fixture_book(folder / "book"), folder / "out")


@pytest.fixture(scope="module")
def rust_copy(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if not (RUST_BOOK / "src" / "SUMMARY.md").is_file():
        pytest.skip(f"the Rust book is not at {RUST_BOOK} (../shared is absent)")
    folder = tmp_path_factory.mktemp("rust-oracle")
    root = folder / "rust-book"
    shutil.copytree(RUST_BOOK, root)
    toml = root / "book.toml"
    toml.write_text(without_extras(toml.read_text(encoding="utf-8")), encoding="utf-8")
    return Built(root, folder / "out")


def without_extras(toml: str) -> str:
    """book.toml less its ``[preprocessor.*]`` tables and extra CSS and JS."""
    kept: list[str] = []
    skipping = False
    for line in toml.splitlines():
        if line.startswith("["):
            skipping = line.startswith("[preprocessor")
        if not skipping and not line.startswith(("additional-css", "additional-js")):
            kept.append(line)
    return "\n".join(kept) + "\n"


def check_text(built: Built, chapter: str) -> None:
    expected = mdbook.mdbook_text(built.out, chapter)
    shown = mdbook.handbook_text(built.pages[chapter])
    assert expected, f"mdBook shows nothing for {chapter}"
    assert shown == expected, mdbook.difference(expected, shown)


def check_heading_ids(built: Built, chapter: str) -> None:
    ids = mdbook.heading_ids(built.mdbook_main(chapter))
    missing = [i for i in ids if i not in mdbook.anchors(built.pages[chapter])]
    assert not missing, f"mdBook's heading ids missing on handbook's page: {missing}"


def check_fragment_links(built: Built, chapter: str) -> None:
    broken = []
    for link in mdbook.fragment_links(built.pages[chapter]):
        path, _, fragment = link.partition("#")
        target = chapter
        if path:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(chapter), path))
            target = target[: -len(".html")] + ".md" if target.endswith(".html") else target
        if target not in built.pages:
            continue  # not a chapter of this book (the Rust book links to ../std/...)
        if fragment not in mdbook.anchors(built.pages[target]):
            broken.append(link)
    assert not broken, f"links that land on no anchor: {broken}"


# --- fixture books of our own ------------------------------------------------------------------


@pytest.mark.parametrize("chapter", marked(list(CHAPTERS), FIXTURE_TEXT_XFAIL))
def test_fixture_text_is_mdbooks(fixture_book: Built, chapter: str) -> None:
    check_text(fixture_book, chapter)


@pytest.mark.parametrize("chapter", marked(list(CHAPTERS), FIXTURE_IDS_XFAIL))
def test_fixture_heading_ids_are_mdbooks(fixture_book: Built, chapter: str) -> None:
    check_heading_ids(fixture_book, chapter)


@pytest.mark.parametrize("chapter", marked(list(CHAPTERS), FIXTURE_LINKS_XFAIL))
def test_fixture_fragment_links_resolve(fixture_book: Built, chapter: str) -> None:
    check_fragment_links(fixture_book, chapter)


def test_handbook_show_prints_the_text_compared(
    fixture_book: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    """The comparisons read the page as ``handbook show`` does: the command's own output."""
    assert main(["show", str(fixture_book.root / "src" / "basics.md")]) == 0
    shown = capsys.readouterr().out
    assert mdbook.normalized(shown) == mdbook.mdbook_text(fixture_book.out, "basics.md")


# --- a copy of the Rust book -------------------------------------------------------------------

RUST_CHAPTERS = summary_chapters(RUST_BOOK)


@pytest.mark.parametrize("chapter", marked(RUST_CHAPTERS, RUST_TEXT_XFAIL))
def test_rust_book_text_is_mdbooks(rust_copy: Built, chapter: str) -> None:
    check_text(rust_copy, chapter)


@pytest.mark.parametrize("chapter", RUST_CHAPTERS)
def test_rust_book_heading_ids_are_mdbooks(rust_copy: Built, chapter: str) -> None:
    check_heading_ids(rust_copy, chapter)


@pytest.mark.parametrize("chapter", RUST_CHAPTERS)
def test_rust_book_fragment_links_resolve(rust_copy: Built, chapter: str) -> None:
    check_fragment_links(rust_copy, chapter)


# --- the search index holds the page's words ---------------------------------------------------


@pytest.fixture(scope="module")
def words() -> Iterator[sqlite3.Connection]:
    """FTS5's own tokenizer (the index's, without stemming) to list a text's words."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, row)")
    yield db
    db.close()


def word_set(db: sqlite3.Connection, text: str) -> set[str]:
    db.execute("DELETE FROM t")
    db.execute("INSERT INTO t(x) VALUES (?)", (text,))
    return {term for (term,) in db.execute("SELECT term FROM v")}


def check_index_words(db: sqlite3.Connection, rendered: Rendered, chapter: str) -> None:
    trail = dict(chapter_trails(rendered.book))[chapter]
    source = default_read_source(rendered.book, chapter)  # what the index reads: after includes
    sections = split_sections(chapter, source, trail, rendered.book.markdown)
    indexed = word_set(db, " ".join(f"{s.title} {s.body}" for s in sections))
    page = mdbook.without_notes(page_text(rendered.pages[chapter], list_markers=False))
    shown = word_set(db, page)
    assert not shown - indexed, f"shown but not found: {sorted(shown - indexed)[:20]}"
    assert not indexed - shown, f"found but not shown: {sorted(indexed - shown)[:20]}"


@pytest.fixture(scope="module")
def guide_pages() -> Rendered:
    return Rendered(GUIDE)


@pytest.mark.parametrize("chapter", marked(RUST_CHAPTERS, RUST_INDEX_XFAIL))
def test_rust_book_index_holds_the_pages_words(
    words: sqlite3.Connection, rust_copy: Built, chapter: str
) -> None:
    check_index_words(words, rust_copy, chapter)


@pytest.mark.parametrize(
    "chapter",
    marked(summary_chapters(GUIDE), GUIDE_INDEX_XFAIL),
)
def test_guide_index_holds_the_pages_words(
    words: sqlite3.Connection, guide_pages: Rendered, chapter: str
) -> None:
    check_index_words(words, guide_pages, chapter)
