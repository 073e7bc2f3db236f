"""Plain folders of markdown, single files, and a path straight at a chapter (PATH#anchor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.commands.toc import toc_lines
from handbook.core.book.files import read_chapter_source
from handbook.core.book.load import load_book, open_book
from handbook.core.book.locate import check_book_path, locate
from handbook.core.book.model import BookError
from handbook.ui.reader.chapter_cache import default_renderer
from tests.conftest import write_book


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


NOTES = {
    "README.md": "# My Notes\n\nSee [alpha](1-alpha.md) and [two](2-basics/index.md#two).\n",
    "1-alpha.md": "# Alpha\n\n## Sub heading\n",
    "10-zeta.md": "no heading here\n",
    "9-nine.md": "## Nine\n",
    "2-basics/index.md": "# Basics\n",
    "2-basics/10-c.md": "# Ten\n",
    "2-basics/3-c.md": "# Three\n",
    "10-advanced/x.md": "# Advanced X\n",
    "empty-folder/notes.txt": "not markdown\n",
    ".hidden/h.md": "# Hidden\n",
    "node_modules/pkg/readme.md": "# A package\n",
    "build/out.md": "# Built\n",
    "drafts/keep.md": "# Kept\n",
    "drafts/secret.md": "# Secret\n",
    ".gitignore": "build/\n",
    "drafts/.gitignore": "secret.md\n",
}


def test_a_folder_tree_from_its_folders_and_files(tmp_path: Path) -> None:
    book = load_book(write(tmp_path / "notes", NOTES))
    assert book.format == "folder"
    assert book.title == "My Notes"
    lines = toc_lines(book.toc)
    # numbers sorted as numbers, README first, titles from first headings, else the file name
    assert lines[:6] == ["My Notes", "Alpha", "Basics", "  Three", "  Ten", "Nine"]
    assert lines.index("10 advanced") < lines.index("10 zeta")
    assert "  Kept" in lines
    # hidden folders, node_modules, .gitignore'd files (a sub-folder's .gitignore too) skipped
    for gone in ("Hidden", "A package", "Built", "  Secret", "Secret"):
        assert gone not in lines


def test_a_folder_page_reads_and_renders(tmp_path: Path) -> None:
    book = load_book(write(tmp_path / "notes", NOTES))
    assert read_chapter_source(book, "1-alpha.md").startswith("# Alpha")
    page = default_renderer(book)("1-alpha.md")
    assert "Sub heading" in page.html
    assert [h.title for h in page.headings] == ["Alpha", "Sub heading"]


def test_a_folder_without_markdown_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "f", {"a.txt": "x", "b/c.py": "print()"})
    with pytest.raises(BookError, match="no markdown"):
        check_book_path(tmp_path / "f")
    with pytest.raises(BookError, match="no markdown"):
        load_book(tmp_path / "f")


def test_a_page_of_a_folder_nothing_read_outside(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"secret.md": "# Secret outside\n"})
    notes = write(tmp_path / "notes", {"README.md": "# N\n"})
    (notes / "link.md").symlink_to(outside / "secret.md")
    book = load_book(notes)
    assert "Secret outside" not in str(book.toc)
    page = default_renderer(book)("link.md")
    assert "Secret outside" not in page.html
    assert "outside the book" in page.html


def test_a_single_file_is_a_book_with_its_linked_siblings(tmp_path: Path) -> None:
    write(tmp_path / "d", {"notes.md": "# Notes\n\n## One\n\n[more](more.md), [x](../x.md)\n"})
    write(tmp_path / "d", {"more.md": "# More\n", "other.md": "# Other\n"})
    write(tmp_path, {"x.md": "# X\n"})
    book, start = open_book(tmp_path / "d" / "notes.md")
    assert book.format == "file"
    assert book.title == "Notes"
    lines = toc_lines(book.toc, with_headings=True)
    assert lines == ["Notes", "  # Notes", "  ## One", "More", "  # More"]
    assert start == "notes.md"
    assert "More" in default_renderer(book)("more.md").html


def test_a_file_at_an_anchor(tmp_path: Path) -> None:
    write(tmp_path, {"notes.md": "# Notes\n\n## The Part\n"})
    _book, start = open_book(f"{tmp_path / 'notes.md'}#the-part")
    assert start == "notes.md#the-part"
    assert locate(f"{tmp_path / 'notes.md'}#the-part").anchor == "the-part"


def test_a_chapter_of_an_mdbook_book_opens_that_book_there(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "b",
        "# Summary\n\n- [One](one.md)\n- [Two](sub/two.md)\n",
        {"one.md": "# One\n", "sub/two.md": "# Two\n\n## Deep part\n", "loose.md": "# Loose\n"},
    )
    book, start = open_book(f"{root / 'src' / 'sub' / 'two.md'}#deep-part")
    assert book.format == "mdbook"
    assert book.root == root.resolve()
    assert start == "sub/two.md#deep-part"
    # a markdown file beside the book, not one of its chapters: opened on its own
    book, start = open_book(root / "src" / "loose.md")
    assert (book.format, start) == ("file", "loose.md")


def test_a_book_folder_at_an_anchor(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "- [One](one.md)\n", {"one.md": "# One\n\n## Here\n"})
    assert open_book(f"{root}#here")[1] == "one.md#here"


def test_an_mdbook_book_is_still_mdbook(rust_book: Path) -> None:
    assert load_book(rust_book).format == "mdbook"
    book, start = open_book(rust_book / "src" / "ch04-01-what-is-ownership.md")
    assert book.format == "mdbook"
    assert start == "ch04-01-what-is-ownership.md"


def test_not_a_book(tmp_path: Path) -> None:
    write(tmp_path, {"a.txt": "x"})
    with pytest.raises(BookError, match="not a book"):
        check_book_path(tmp_path / "a.txt")
    with pytest.raises(BookError, match="no such file or folder"):
        check_book_path(tmp_path / "missing.md#x")


def test_a_big_folder_lists_first_headings_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past EAGER_PAGES pages the tree is made from each page's first heading alone (found in
    its first bytes, code fences skipped); the page itself still shows all its headings."""
    from handbook.core.book import folder

    monkeypatch.setattr(folder, "EAGER_PAGES", 2)
    pages = {
        "a.md": "```\n# not a heading\n```\n\n# Real *title* {#custom}\n\n## Second\n",
        "b.md": "No heading at all\n",
        "c.md": "~~~~\n# fenced\n~~~~\n## Level two first\n",
    }
    book = load_book(write(tmp_path / "big", pages))
    assert toc_lines(book.toc, with_headings=True) == [
        "Real title",
        "  # Real title",
        "B",
        "Level two first",
        "  ## Level two first",
    ]
    assert book.chapters()[0].headings[0].anchor == "custom"
    page = default_renderer(book)("a.md")
    assert [h.title for h in page.headings] == ["Real title", "Second"]


@pytest.mark.parametrize("opened", ["notes", "notes/page.md"])
def test_a_plain_page_shows_an_include_line_as_text(tmp_path: Path, opened: str) -> None:
    """GitHub shows ``{{#include}}`` as written (it is mdBook's, and a plain folder is no mdBook
    book): the page and its search text have the line, not the file it names."""
    from handbook.core.render.page_text import page_text
    from handbook.core.search.index import default_read_source

    write(
        tmp_path / "notes",
        {"page.md": "# Page\n\n{{#include part.txt}}\n", "part.txt": "PARTWORD\n"},
    )
    book, _ = open_book(tmp_path / opened)
    text = page_text(default_renderer(book)("page.md").html)
    assert "{{#include part.txt}}" in text
    assert "PARTWORD" not in text
    assert "PARTWORD" not in default_read_source(book, "page.md")
