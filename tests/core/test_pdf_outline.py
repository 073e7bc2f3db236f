"""The PDF outline appended to Qt's files: structure, and files it must leave alone."""

from __future__ import annotations

from pathlib import Path

import pypdf

from handbook.core.paper.pdf_outline import (
    OutlineEntry,
    _tree,
    add_outline,
    outline_objects,
    pdf_text,
)


def test_nesting_follows_levels() -> None:
    levels = [0, 1, 2, 1, 0, 2, 0]
    entries = [OutlineEntry(str(n), level, f"d{n}") for n, level in enumerate(levels)]
    assert _tree(entries) == [None, 0, 1, 0, None, 4, None]


def test_objects_link_siblings_and_children() -> None:
    entries = [OutlineEntry("A", 0, "a"), OutlineEntry("A1", 1, "a1"), OutlineEntry("B", 0, "b")]
    objects = dict(outline_objects(entries, 10))
    assert objects[10] == b"<< /Type /Outlines /First 11 0 R /Last 13 0 R /Count 2 >>"
    assert b"/Next 13 0 R" in objects[11]
    assert b"/First 12 0 R /Last 12 0 R /Count -1" in objects[11]
    assert b"/Parent 11 0 R" in objects[12]
    assert b"/Prev 11 0 R" in objects[13]
    assert pdf_text("A1") in objects[12]


def test_text_is_utf16_with_a_byte_order_mark() -> None:
    assert pdf_text("é") == b"<FEFF00E9>"


def test_files_it_does_not_understand_are_left_alone(tmp_path: Path) -> None:
    entry = [OutlineEntry("A", 0, "a")]
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"not a pdf at all")
    assert not add_outline(garbage, entry)
    assert garbage.read_bytes() == b"not a pdf at all"

    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    # a catalog that has an outline already (and nested dictionaries)
    writer.add_outline_item(title="already", page_number=0)
    made = tmp_path / "made.pdf"
    with made.open("wb") as out:
        writer.write(out)
    before = made.read_bytes()
    assert not add_outline(made, entry)
    assert made.read_bytes() == before
    assert not add_outline(made, [])
