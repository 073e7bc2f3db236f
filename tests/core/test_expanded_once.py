"""A chapter is read and its includes expanded once per state of its files: the book's load,
the page and the search index share it, and a saved chapter or included file (or an include
that appears) is read again. The files are dated an hour back, as a book on disk is (a file
written a moment ago is read again every time: its next save may keep the same mtime)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from handbook.core.book import files as files_module
from handbook.core.book.load import load_book, reload_chapters
from handbook.core.render.renderer import Renderer
from handbook.core.search.index import SearchIndex, default_read_source, read_sources
from handbook.core.search.sections import book_sections
from tests.conftest import write_book

HOUR = 3600 * 10**9


def age(path: Path, hours: float = 1.0) -> None:
    """Date ``path`` ``hours`` back (each call a different time: a save in the past)."""
    age.calls = getattr(age, "calls", 0) + 1
    when = time.time_ns() - int(hours * HOUR) - age.calls * 10**6
    os.utime(path, ns=(when, when))


def book_with_include(tmp_path: Path) -> Path:
    root = write_book(
        tmp_path / "book",
        "# Summary\n\n- [One](one.md)\n",
        {
            "one.md": "# One\n\n{{#include part.md}}\n\nTail words.\n",
            "part.md": "## Alpha\n\nfirst\n",
        },
    )
    for path in (root / "src").iterdir():
        age(path)
    return root


def page_text(root: Path) -> str:
    book = load_book(root)
    return Renderer(book).render("one.md").html


def test_the_load_the_page_and_the_index_read_each_chapter_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = book_with_include(tmp_path)
    reads: list[str] = []
    original = files_module.ChapterReader.read

    def counting(self: files_module.ChapterReader, path: str) -> str:
        reads.append(path)
        return original(self, path)

    monkeypatch.setattr(files_module.ChapterReader, "read", counting)
    book = load_book(root)
    page = Renderer(book).render("one.md")
    sections = list(book_sections(book, read_sources(book, default_read_source)))
    assert reads == ["one.md"]
    assert "first" in page.html
    assert [h.anchor for h in book.toc[0].headings] == ["one", "alpha"]
    with SearchIndex.build(sections) as index:
        assert [hit.anchor for hit in index.search("first").hits] == ["alpha"]


def test_an_included_file_saved_again_is_read_again(tmp_path: Path) -> None:
    root = book_with_include(tmp_path)
    assert "first" in page_text(root)
    part = root / "src" / "part.md"
    part.write_text("## Alpha\n\nfresh\n", encoding="utf-8")  # the same size
    age(part, 0.5)
    page = page_text(root)
    assert "fresh" in page and "first" not in page


def test_an_include_that_appears_is_followed(tmp_path: Path) -> None:
    root = book_with_include(tmp_path)
    part = root / "src" / "part.md"
    part.unlink()
    age(part.parent)  # the folder, changed by the unlink, dated back too
    assert "Included file not found" in page_text(root)
    part.write_text("## Beta\n\nnow here\n", encoding="utf-8")
    age(part, 0.5)
    age(part.parent, 0.5)
    book = load_book(root)
    assert [h.title for h in book.toc[0].headings] == ["One", "Beta"]
    assert "now here" in Renderer(book).render("one.md").html


def test_a_chapter_saved_again_gives_its_new_headings_page_and_words(tmp_path: Path) -> None:
    root = book_with_include(tmp_path)
    book = load_book(root)
    assert "Tail words" in Renderer(book).render("one.md").html
    one = root / "src" / "one.md"
    one.write_text("# Uno\n\n{{#include part.md}}\n\nTail verbs.\n", encoding="utf-8")
    age(one, 0.5)
    book = reload_chapters(book, ["one.md"])
    assert [h.title for h in book.toc[0].headings] == ["Uno", "Alpha"]
    assert "Tail verbs" in Renderer(book).render("one.md").html
    sources = read_sources(book, default_read_source)
    assert "Tail verbs" in sources["one.md"]
