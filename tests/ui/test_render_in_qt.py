"""The renderer's pages in a real QTextBrowser: what a reader sees, not only the HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QTextCursor, QTextDocument, QTextFrame, QTextTable
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import RenderedChapter
from handbook.core.render.renderer import Renderer
from handbook.core.render.theme import DARK, LIGHT, PageTheme
from tests.conftest import write_book

FEATURES = Path(__file__).resolve().parent.parent / "fixtures" / "render" / "features"


def show(qtbot: QtBot, page: RenderedChapter, base: Path | None = None) -> QTextBrowser:
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.resize(800, 600)
    if base is not None:
        browser.document().setBaseUrl(QUrl.fromLocalFile(str(base)))
    browser.setHtml(page.html)
    browser.show()
    return browser


def features(qtbot: QtBot, theme: PageTheme = LIGHT) -> QTextBrowser:
    book = load_book(FEATURES)
    return show(qtbot, Renderer(book, theme).render("features.md"), book.src / "features.md")


def cursor_on(browser: QTextBrowser, text: str) -> QTextCursor:
    cursor = browser.document().find(text)
    assert not cursor.isNull(), f"{text!r} is not on the page"
    return cursor


def char_format_at(browser: QTextBrowser, text: str):  # type: ignore[no-untyped-def]
    cursor = cursor_on(browser, text)
    cursor.setPosition(cursor.selectionStart() + 1)  # the format of the first character
    return cursor.charFormat()


def tables(frame: QTextFrame) -> Iterator[QTextTable]:
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from tables(child)


def anchor_names(document: QTextDocument) -> set[str]:
    names: set[str] = set()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            names.update(it.fragment().charFormat().anchorNames())
            it += 1
        block = block.next()
    return names


def test_code_keyword_is_coloured(qtbot: QtBot) -> None:
    browser = features(qtbot)
    keyword = char_format_at(browser, "struct").foreground().color()
    plain = char_format_at(browser, "Point {").foreground().color()
    assert keyword.isValid() and keyword != QColor(LIGHT.code_text)
    assert keyword != plain


def test_hidden_rust_lines_are_not_shown(qtbot: QtBot) -> None:
    text = features(qtbot).toPlainText()
    assert "#[derive(Debug)]" in text
    assert "use std::io" not in text and "hidden" not in text


def test_table_is_a_qt_table_with_borders(qtbot: QtBot) -> None:
    browser = features(qtbot)
    grid = [t for t in tables(browser.document().rootFrame()) if t.columns() == 2 and t.rows() == 3]
    assert grid, "the markdown table is not a QTextTable"
    assert grid[0].cellAt(0, 0).firstCursorPosition().block().text() == "Name"
    assert grid[0].cellAt(2, 1).firstCursorPosition().block().text() == "2"


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_alerts_are_boxes_with_a_bar_in_their_colour(qtbot: QtBot, theme: PageTheme) -> None:
    browser = features(qtbot, theme)
    bars = []
    for table in tables(browser.document().rootFrame()):
        if table.rows() == 1 and table.columns() == 2:
            bars.append(table.cellAt(0, 0).format().background().color().name())
            body = table.cellAt(0, 1).format().background().color()
            assert table.format().background().color().name() == theme.alert_background, body
    assert bars == [theme.note, theme.tip, theme.important, theme.warning, theme.caution]
    assert "⚠ Caution" in browser.toPlainText()


def test_heading_anchors_exist_and_scroll(qtbot: QtBot) -> None:
    browser = features(qtbot)
    browser.resize(500, 200)
    names = anchor_names(browser.document())
    assert {"feature-tour", "tables", "code", "alerts", "custom-id", "footnote-note"} <= names
    qtbot.waitExposed(browser)
    browser.scrollToAnchor("images")
    assert browser.verticalScrollBar().value() > 0


def test_strikethrough_task_list_and_definition(qtbot: QtBot) -> None:
    browser = features(qtbot)
    assert char_format_at(browser, "struck out").fontStrikeOut()
    text = browser.toPlainText()
    assert "☐ write the book" in text and "☑ read the book" in text
    assert "The definition of the term." in text


def test_nested_lists_are_indented_deeper(qtbot: QtBot) -> None:
    browser = features(qtbot)
    fruit = cursor_on(browser, "fruit").block().textList()
    apple = cursor_on(browser, "apple").block().textList()
    green = cursor_on(browser, "green").block().textList()
    assert fruit is not None and apple is not None and green is not None
    indents = [lst.format().indent() for lst in (fruit, apple, green)]
    assert indents[0] < indents[1] < indents[2]
    first = cursor_on(browser, "first").block().textList()
    assert first is not None and first.format().style().name.startswith("ListDecimal")


def test_images_relative_to_the_chapter_load(qtbot: QtBot) -> None:
    browser = features(qtbot)
    browser.document().size()  # lays the page out, loading its images
    document = browser.document()
    for name in ("img/square.png", "img/circle.svg"):
        image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert image is not None and not image.isNull(), name


def test_page_background_follows_the_theme(qtbot: QtBot) -> None:
    for theme in (LIGHT, DARK):
        browser = features(qtbot, theme)
        frame = browser.document().rootFrame().frameFormat()
        assert frame.background().color().name() == theme.background
        assert char_format_at(browser, "A paragraph").foreground().color().name() == theme.text


def test_missing_include_note_is_visible_and_styled(qtbot: QtBot, tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "b",
        "# Summary\n\n- [P](p.md)\n",
        {"p.md": "# P\n\n```rust\n{{#include ../listings/ch02/src/main.rs}}\n```\n"},
    )
    browser = show(qtbot, Renderer(load_book(root)).render("p.md"))
    note = "⚠ Included file not found: listings/ch02/src/main.rs"
    assert note in browser.toPlainText()
    assert char_format_at(browser, note).foreground().color().name() == LIGHT.caution


def test_error_page_says_what_is_wrong(qtbot: QtBot, tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "# Summary\n\n- [Gone](gone.md)\n", {})
    browser = show(qtbot, Renderer(load_book(root)).render("gone.md"))
    text = browser.toPlainText()
    assert "This chapter cannot be shown" in text and "gone.md" in text
