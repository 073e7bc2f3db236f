"""A long code block or table is written as several tables that read as one, so that the page
goes into the viewer a part at a time: the same text in the same order, no line lost at a cut,
the table's head once, the same column widths on every part, short ones as before; the page
filled in parts is the page set whole, its start shown while the window keeps taking events."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.render.mdbook import parts
from handbook.core.render.mdbook.chapter import parse_chapter
from handbook.core.render.renderer import Renderer
from handbook.core.render.sanitize import sanitize
from handbook.core.render.theme import DARK, LIGHT, PageTheme
from handbook.ui.reader.page_fill import split_page
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

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


def lines(html: str) -> list[str]:
    """The page's lines of text (Qt keeps an empty line between two tables in the plain
    text: the empty lines are left out)."""
    return [line for line in text(html).splitlines() if line]


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
    # every line, blank ones too, in order (Qt keeps an empty line between two tables)
    parts_of_it = html.count('<table class="code"')
    assert lines(html) == lines(one)
    assert text(html).count("\n") - text(one).count("\n") == parts_of_it - 1
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
    assert lines(html) == lines(one)
    # each part's first row (and the head) says the columns' widths, the same each time
    widths = re.findall(
        r'<tr><t[dh][^>]*width="(\d+)%"[^>]*>.*?width="(\d+)%".*?width="(\d+)%"', html
    )
    assert len(widths) == tables + 1 and len(set(widths)) == 1
    assert sum(int(w) for w in widths[0]) == 100
    assert int(widths[0][1]) > int(widths[0][0]) > 0  # the descriptions get the most room
    assert sanitize(html) == html


def test_short_blocks_are_written_as_before() -> None:
    code = page(code_chapter(parts.CODE_PART_LINES * 3 // 2))
    table = page(table_chapter(parts.TABLE_PART_ROWS * 3 // 2))
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
    assert (
        html.count('<table class="code"') > 10
        and html.count('<table class="grid"') == TABLE_ROWS // parts.TABLE_PART_ROWS
    )
    assert html.count("<thead>") == 1
    assert lines(html) == lines(one)


def _tables(document: QTextDocument) -> list[tuple[int, int, float, float]]:
    """Each top-level table's rows, columns and margins."""
    from PySide6.QtGui import QTextTable

    return [
        (f.rows(), f.columns(), f.format().topMargin(), f.format().bottomMargin())
        for f in document.rootFrame().childFrames()
        if isinstance(f, QTextTable)
    ]


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_a_page_of_long_blocks_filled_in_parts_is_the_page_set_at_once(
    qtbot: QtBot, tmp_path: Path, theme: PageTheme
) -> None:
    """Cut between the tables a long code block and a long table are written as, the page put
    in part by part is the page set whole: the same blocks, formats and tables."""
    from tests.ui.test_page_fill import _shape, filled_and_whole

    markdown = code_chapter(CODE_LINES) + "\n" + table_chapter(TABLE_ROWS).split("\n", 2)[2]
    root = write_book(tmp_path / "book", "# Summary\n\n- [Long](long.md)\n", {"long.md": markdown})
    page = Renderer(load_book(root), theme).render("long.md").html
    pages = split_page(page, first=1500, size=1500)
    assert pages is not None and len(pages) > 30  # cut between the tables
    browser, whole = filled_and_whole(qtbot, page)
    assert browser.toPlainText() == whole.toPlainText()
    assert _shape(browser.document()) == _shape(whole)
    assert _tables(browser.document()) == _tables(whole)
    assert len(_tables(whole)) > 30


def test_a_long_table_opens_a_screenful_first_and_the_window_keeps_taking_events(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from tests.helpers.page_top import text_at_top
    from tests.ui.test_page_fill import Ticker

    chapters = {"small.md": "# Small\n\nA short chapter.\n", "table.md": table_chapter(3000)}
    summary = "# Summary\n\n- [Small](small.md)\n- [Table](table.md)\n"
    window = MainWindow(load_book(write_book(tmp_path / "book", summary, chapters)))
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    window.open_first_chapter()
    window.open_section("table.md")
    qtbot.waitUntil(lambda: window.rendering() is None, timeout=60_000)
    viewer = window.viewer

    # the table's start is on the page while its end is still to come
    assert viewer.filling()
    assert text_at_top(viewer).startswith("Table")
    assert "cell 10" in viewer.toPlainText() and "cell 2999" not in viewer.toPlainText()
    ticker = Ticker()
    with qtbot.waitSignal(viewer.page_filled, timeout=60_000):
        pass
    assert ticker.count > 3  # a timer fired again and again while the table went in
    assert "cell 2999" in viewer.toPlainText()
