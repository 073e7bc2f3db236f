"""A long code block or table is written as several tables that read as one (so that the page
can go into the viewer a part at a time): the same text in the same order, no line lost at a
cut, the table's head once, the same column widths on every part; short ones as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument

from handbook.core.book.load import load_book
from handbook.core.render.mdbook import parts
from handbook.core.render.mdbook.chapter import parse_chapter
from handbook.core.render.renderer import Renderer
from handbook.core.render.sanitize import sanitize
from handbook.core.render.theme import LIGHT

CODE_LINES = 3000
TABLE_ROWS = 1000


def code_chapter(lines: int) -> str:
    # blank lines where parts would start: a part must not start with one (HTML drops it)
    body = "\n".join(
        "" if i and i % 150 == 0 else f"let x{i} = {i}; // line {i}" for i in range(lines)
    )
    return f"# Code\n\n```rust\n{body}\n```\n\nAfter the code.\n"


def table_chapter(rows: int) -> str:
    lines = "\n".join(
        f"| cell {i} | {'a long description ' * (i % 4)}& more | {i} |" for i in range(rows)
    )
    return f"# Table\n\n| Name | Description | N |\n|---|:--|--:|\n{lines}\n\nAfter the table.\n"


def page(markdown: str) -> str:
    return parse_chapter(markdown, theme=LIGHT).html


def text(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def whole(markdown: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page as one table (parts as long as the block)."""
    with monkeypatch.context() as m:
        m.setattr(parts, "CODE_PART_LINES", 10**9)
        m.setattr(parts, "TABLE_PART_ROWS", 10**9)
        return page(markdown)


def test_a_long_code_block_is_several_tables_with_the_same_text(
    qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown = code_chapter(CODE_LINES)
    html = page(markdown)
    one = whole(markdown, monkeypatch)
    assert one.count('<table class="code"') == 1
    assert html.count('<table class="code"') >= CODE_LINES // parts.CODE_PART_LINES - 1
    assert text(html) == text(one)  # every line, blank ones too, in order
    assert "<pre>\n" not in html
    assert sanitize(html) == html  # as the sanitizer writes it: the page may skip it


def test_a_long_table_is_several_tables_with_one_head_and_the_same_widths(
    qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown = table_chapter(TABLE_ROWS)
    html = page(markdown)
    one = whole(markdown, monkeypatch)
    tables = html.count('<table class="grid"')
    assert tables == TABLE_ROWS // parts.TABLE_PART_ROWS
    assert html.count("<thead>") == 1 and html.count("<th ") + html.count("<th>") == 3
    # the same lines (Qt keeps an empty line between two tables in the plain text)
    assert [line for line in text(html).splitlines() if line] == [
        line for line in text(one).splitlines() if line
    ]
    # each part's first row (and the head) says the columns' widths, the same each time
    widths = re.findall(
        r'<tr><t[dh][^>]*width="(\d+)%"[^>]*>.*?width="(\d+)%".*?width="(\d+)%"', html
    )
    assert len(widths) == tables + 1 and len(set(widths)) == 1
    assert sum(int(w) for w in widths[0]) == 100
    assert int(widths[0][1]) > int(widths[0][0]) > 0  # the descriptions get the most room
    assert sanitize(html) == html


def test_short_blocks_are_written_as_before() -> None:
    code = page(code_chapter(200))
    table = page(table_chapter(70))
    assert code.count("<table") == 1 and 'style="margin' not in code
    assert table.count("<table") == 1 and "width=" not in table


def test_a_long_code_block_and_table_of_an_mkdocs_site_too(
    qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text(
        "site_name: S\nmarkdown_extensions: [tables, pymdownx.highlight, pymdownx.superfences]\n"
    )
    table = table_chapter(TABLE_ROWS).split("\n", 2)[2]
    (site / "docs" / "index.md").write_text(code_chapter(CODE_LINES) + "\n" + table)
    book = load_book(site)

    def render() -> str:
        return Renderer(book).render("index.md").html

    html = render()
    with monkeypatch.context() as m:
        m.setattr(parts, "CODE_PART_LINES", 10**9)
        m.setattr(parts, "TABLE_PART_ROWS", 10**9)
        one = render()
    assert one.count("<table") == 2
    assert html.count('<table class="code"') > 10 and html.count('<table class="grid"') == 20
    assert html.count("<thead>") == 1
    assert [line for line in text(html).splitlines() if line] == [
        line for line in text(one).splitlines() if line
    ]
