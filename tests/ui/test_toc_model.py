from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.contents.toc_model import SECTION_ID_ROLE, SEPARATOR_TEXT, TocModel
from tests.conftest import write_book

SUMMARY = """# Summary

[Preface](preface.md)

# Part one

- [Basics](basics.md)
  - [Details](details.md)
- [Later](later.md)
- [Not written yet]()

---

[Missing](missing.md)
"""

CHAPTERS = {
    "preface.md": "# Preface\n\nWhy.\n",
    "basics.md": "# Basics\n\nIntro.\n\n## First steps\n\ntext\n\n### Tiny step\n\nx\n"
    "\n## Second steps\n",
    "details.md": "# Details\n\n## Fine print\n",
    "later.md": "# Later\n\ntext\n\n# Also later\n\nmore\n",
}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


def rows(model: TocModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def find(model: TocModel, text: str, parent: QModelIndex | None = None) -> QModelIndex:
    parent = parent or QModelIndex()
    for r in range(model.rowCount(parent)):
        index = model.index(r, 0, parent)
        if index.data() == text:
            return index
        found = find(model, text, index)
        if found.isValid():
            return found
    return QModelIndex()


def test_model_passes_qt_model_tester(qtmodeltester, book: Book) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(TocModel(book), force_py=True)


def test_rust_book_model_passes_qt_model_tester(qtmodeltester, rust_book: Path) -> None:  # type: ignore[no-untyped-def]
    model = TocModel(load_book(rust_book))
    qtmodeltester.check(model, force_py=True)
    borrowing = find(model, "4.2. References and Borrowing")
    assert borrowing.isValid()
    assert borrowing.data(SECTION_ID_ROLE) == "ch04-02-references-and-borrowing.md"
    assert model.rowCount(borrowing) > 0  # its headings


def test_chapters_show_their_mdbook_number_and_headings_nest_by_level(book: Book) -> None:
    model = TocModel(book)
    basics = find(model, "1. Basics")
    assert basics.isValid()
    # the chapter's own "# Basics" heading is left out; h3 sits under its h2; sub-chapters follow
    assert rows(model, basics) == ["First steps", "Second steps", "1.1. Details"]
    first_steps = find(model, "First steps", basics)
    assert rows(model, first_steps) == ["Tiny step"]
    assert first_steps.data(SECTION_ID_ROLE) == "basics.md#first-steps"


def test_two_top_headings_are_both_kept(book: Book) -> None:
    model = TocModel(book)
    assert rows(model, find(model, "2. Later")) == ["Later", "Also later"]


def test_parts_drafts_separators_and_problems(qapp: object, book: Book) -> None:
    model = TocModel(book)
    part = find(model, "Part one")
    assert part.isValid()
    assert not part.flags() & Qt.ItemFlag.ItemIsSelectable
    assert part.data(SECTION_ID_ROLE) is None

    draft = find(model, "3. Not written yet")
    assert draft.isValid()
    assert not draft.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "draft" in draft.data(Qt.ItemDataRole.ToolTipRole)

    separator = find(model, SEPARATOR_TEXT)
    assert separator.isValid()
    assert not separator.flags() & Qt.ItemFlag.ItemIsSelectable

    missing = find(model, "Missing")
    assert missing.isValid()
    assert missing.flags() & Qt.ItemFlag.ItemIsSelectable  # it opens, on an error page
    assert not missing.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "missing.md" in missing.data(Qt.ItemDataRole.ToolTipRole)


def test_index_for_section_finds_headings_chapters_and_falls_back(book: Book) -> None:
    model = TocModel(book)
    tiny = model.index_for_section("basics.md#tiny-step")
    assert tiny.data() == "Tiny step"
    assert tiny.parent().data() == "First steps"
    assert model.index_for_section("details.md").data() == "1.1. Details"
    # the title heading has no row of its own: its chapter stands for it
    assert model.index_for_section("basics.md#basics").data() == "1. Basics"
    assert not model.index_for_section("nowhere.md").isValid()
