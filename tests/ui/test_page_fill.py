"""A long page goes into the viewer in slices: its first words at once, the window responsive
while the rest comes, and in the end the same page as one ``setHtml`` would give."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from handbook import cli
from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.reading.place import Place
from handbook.core.render.renderer import Renderer
from handbook.core.render.theme import DARK, LIGHT
from handbook.core.search.index import SearchHit
from handbook.ui.reader.page_fill import FILL_AT_ONCE, SCREENFUL_OVER, PageFill, split_page
from handbook.ui.window.main_window import MainWindow
from tests.conftest import RUST_BOOK, write_book
from tests.helpers.page_top import text_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

PARAGRAPH = "Words of a long chapter, with *emphasis*, `code` and a [link](small.md).\n\n"
FAR_DOWN = "## Far down\n\nThe far section, near the end of the included file.\n\n"
LAST_WORDS = "The last words are zanzibarite and quillwort."
BIG = f"# Big\n\n{PARAGRAPH * 6000}{FAR_DOWN}{PARAGRAPH * 40}{LAST_WORDS}\n"
# a chapter as long as the Rust book's longest (~40 KB of HTML): a screenful first, then the rest
MIDDLE = (
    "# Mid\n\nJump to [the far section](#far-down).\n\n"
    f"{PARAGRAPH * 300}## Far down\n\nThe far section holds the word quillwort.\n\n"
    f"{PARAGRAPH * 40}## Last\n\n{LAST_WORDS}\n"
)
CHAPTERS = {
    "small.md": "# Small\n\nA short chapter.\n",
    "tiny.md": "{{#include big.md}}\n",  # the attack: a few bytes that include a big file
    "mid.md": MIDDLE,
}
SUMMARY = "# Summary\n\n- [Small](small.md)\n- [Tiny](tiny.md)\n- [Mid](mid.md)\n"


@pytest.fixture
def book(tmp_path: Path) -> Book:
    root = write_book(tmp_path / "book", SUMMARY, CHAPTERS)
    (root / "src" / "big.md").write_text(BIG, encoding="utf-8")
    return load_book(root)


class Ticker(QObject):
    """A 10 ms timer counting its ticks: it fires only while the UI thread takes events."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @Slot()
    def tick(self) -> None:
        self.count += 1


def make_window(qtbot: QtBot, book: Book) -> MainWindow:
    window = MainWindow(book, open_external=lambda url: None)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    window.open_first_chapter()
    return window


def test_the_page_start_is_shown_at_once_and_the_window_keeps_taking_events(
    qtbot: QtBot, book: Book
) -> None:
    window = make_window(qtbot, book)
    viewer = window.viewer
    assert len(Renderer(book).render("tiny.md").html) > 2 * FILL_AT_ONCE  # filled in slices
    window.open_section("tiny.md")
    qtbot.waitUntil(lambda: window.rendering() is None, timeout=60_000)  # rendered off the UI

    # the first words are on the page while the rest is still to come
    assert viewer.filling()
    assert text_at_top(viewer).startswith("Big")
    assert "Words of a long chapter, with emphasis" in viewer.toPlainText()
    assert LAST_WORDS not in viewer.toPlainText()

    ticker = Ticker()
    with qtbot.waitSignal(viewer.page_filled, timeout=60_000):
        pass
    assert ticker.count > 3  # a timer fired again and again while the page was filled
    assert LAST_WORDS in viewer.toPlainText()
    assert viewer.toPlainText().count("Words of a long chapter") == 6040
    assert window.current_section() == "tiny.md"  # the reader was left at the top


def test_a_section_in_the_rest_of_the_page_is_shown_once_it_is_in(qtbot: QtBot, book: Book) -> None:
    window = make_window(qtbot, book)
    viewer = window.viewer
    window.open_section("tiny.md")
    qtbot.waitUntil(lambda: window.rendering() is None, timeout=60_000)
    assert viewer.filling()
    window.open_section("tiny.md#far-down")  # a link or the contents tree, before it is in
    qtbot.waitUntil(lambda: not viewer.filling(), timeout=60_000)
    assert text_at_top(viewer) == "Far down"
    assert window.current_section() == "tiny.md#far-down"
    assert "no longer" not in window.statusBar().currentMessage()


def test_a_section_missing_from_the_whole_page_is_said_once_it_is_in(
    qtbot: QtBot, book: Book
) -> None:
    window = make_window(qtbot, book)
    viewer = window.viewer
    window.open_section("tiny.md")
    qtbot.waitUntil(lambda: window.rendering() is None, timeout=60_000)
    window.open_section("tiny.md#nowhere")
    assert "No section" not in window.statusBar().currentMessage()  # perhaps still to come
    qtbot.waitUntil(lambda: not viewer.filling(), timeout=60_000)
    assert window.statusBar().currentMessage().startswith("No section #nowhere in tiny.md")


def test_a_search_for_the_last_words_finds_the_chapter_and_lights_them_on_the_page(
    qtbot: QtBot, book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["search", "zanzibarite", str(book.root)]) == 0
    assert "tiny.md" in capsys.readouterr().out  # the included text is searched too

    window = make_window(qtbot, book)
    window.open_section("tiny.md")
    qtbot.waitUntil(lambda: window.rendering() is None, timeout=60_000)
    assert window.highlighter.highlight_terms(["zanzibarite"]) == 0  # not in yet
    qtbot.waitUntil(lambda: not window.viewer.filling(), timeout=60_000)
    assert window.highlighter.search_count() == 1  # lit once it came


def test_the_chapter_is_not_ticked_read_at_the_end_of_what_is_in_so_far(
    qtbot: QtBot, book: Book
) -> None:
    window = make_window(qtbot, book)
    viewer = window.viewer
    window.open_section("tiny.md")
    qtbot.waitUntil(lambda: window.rendering() is None, timeout=60_000)
    assert viewer.filling()
    bar = viewer.verticalScrollBar()
    bar.setValue(bar.maximum())
    window.place_keeper.note_moved()
    assert "tiny.md" not in window.place_keeper.chapters_read()


# -- every page longer than a screenful: its first screen at once, then the rest ---------------


def test_a_long_chapter_shows_its_first_screen_at_once_then_the_rest(
    qtbot: QtBot, book: Book
) -> None:
    window = make_window(qtbot, book)
    viewer = window.viewer
    page = Renderer(book).render("mid.md").html
    assert SCREENFUL_OVER < len(page) < FILL_AT_ONCE
    window.open_section("mid.md")

    assert viewer.filling()  # the first screen is in, painted before the rest comes
    assert text_at_top(viewer).startswith("Mid")
    assert LAST_WORDS not in viewer.toPlainText()
    assert viewer.document().size().height() >= viewer.viewport().height()  # a screen full
    qtbot.waitUntil(lambda: not viewer.filling(), timeout=10_000)
    assert viewer.toPlainText().count("Words of a long chapter") == 340
    assert LAST_WORDS in viewer.toPlainText()
    assert text_at_top(viewer).startswith("Mid")  # the reader was left at the top
    whole = QTextDocument()
    whole.setHtml(page)
    assert viewer.toPlainText() == whole.toPlainText()


def test_a_section_below_the_first_screen_is_shown_at_once(qtbot: QtBot, book: Book) -> None:
    window = make_window(qtbot, book)
    window.open_section("mid.md#far-down")  # the contents tree, a link from another page
    assert text_at_top(window.viewer) == "Far down"
    assert window.current_section() == "mid.md#far-down"
    qtbot.waitUntil(lambda: not window.viewer.filling(), timeout=10_000)
    assert text_at_top(window.viewer) == "Far down"  # the rest came below it


def test_a_link_into_the_rest_of_a_page_being_filled_lands_on_its_heading(
    qtbot: QtBot, book: Book
) -> None:
    window = make_window(qtbot, book)
    viewer = window.viewer
    window.open_section("mid.md")
    assert viewer.filling()
    cursor = viewer.document().find("the far section")  # a click on the link, as a reader's
    end = viewer.cursorRect(cursor)
    cursor.setPosition(cursor.selectionStart())
    start = viewer.cursorRect(cursor)
    where = QPoint((start.left() + end.right()) // 2, end.center().y())
    qtbot.mouseClick(viewer.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert text_at_top(viewer) == "Far down"
    assert window.current_section() == "mid.md#far-down"
    qtbot.waitUntil(lambda: not viewer.filling(), timeout=10_000)
    assert text_at_top(viewer) == "Far down"


def test_every_section_of_a_page_being_filled_is_shown_at_the_top(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Whatever part of the page a heading falls in, and however near that part's end: the
    page below it is in too, so that it can be scrolled to the top."""
    words = "Words of a section, with *emphasis* and `code`, one after another. " * 3
    chapter = "# Many\n\n" + "".join(
        f"## Section {n}\n\n{words}\n\n{words}\n\n" for n in range(120)
    )
    root = write_book(
        tmp_path / "many",
        "# Summary\n\n- [Small](small.md)\n- [Many](many.md)\n",
        {"small.md": "# Small\n\nShort.\n", "many.md": chapter},
    )
    window = make_window(qtbot, load_book(root))
    missed, filling = [], 0
    for n in range(115):
        window.open_section("small.md")
        window.open_section(f"many.md#section-{n}")
        filling += window.viewer.filling()
        if text_at_top(window.viewer) != f"Section {n}":
            missed.append(n)
    assert filling > 50  # most of them shown before the rest of the page was in
    assert missed == []


def test_a_place_inside_a_section_below_the_first_screen_is_shown_at_once(
    qtbot: QtBot, book: Book
) -> None:
    """A bookmark, the place restored, Back: a section, characters into it and its quote."""
    window = make_window(qtbot, book)
    quote = "The far section holds the word quillwort"
    window.open_place(Place("mid.md#far-down", 1, quote))
    assert text_at_top(window.viewer) == quote
    assert window.viewer.place() == Place("mid.md#far-down", 1, quote)
    qtbot.waitUntil(lambda: not window.viewer.filling(), timeout=10_000)
    assert text_at_top(window.viewer) == quote


def test_a_search_hit_below_the_first_screen_is_shown_lit(qtbot: QtBot, book: Book) -> None:
    window = make_window(qtbot, book)
    hit = SearchHit("mid.md#far-down", "mid.md", "far-down", "Far down", "Mid", "", 1.0)
    window.search_handlers.open_hit(replace(hit, terms=("quillwort",)))
    assert text_at_top(window.viewer) == "Far down"
    lit = [s.cursor.selectedText() for s in window.viewer.extraSelections()]
    assert lit == ["quillwort"]


def test_find_in_page_finds_in_the_rest_once_it_is_in(qtbot: QtBot, book: Book) -> None:
    window = make_window(qtbot, book)
    bar = window.find_bar
    bar.open_bar()
    bar.field.setText("zanzibarite")
    window.open_section("mid.md")
    assert window.viewer.filling()
    qtbot.waitUntil(lambda: bar.match_count() == 1, timeout=10_000)
    assert bar.count_label.text() == "1 of 1"
    assert LAST_WORDS in text_of_viewport(window)  # the match brought into view


def text_of_viewport(window: MainWindow) -> str:
    viewer = window.viewer
    start = viewer.cursorForPosition(QPoint(0, 0)).position()
    end = viewer.cursorForPosition(QPoint(0, viewer.viewport().height() - 1)).position()
    cursor = QTextCursor(viewer.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n")


def test_a_details_folded_in_a_long_page_keeps_the_reader_in_place(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Folding redraws the page whole at once (no flash of its top while the rest comes)."""
    chapter = (
        "# Folds\n\n" + PARAGRAPH * 200 + "<details>\n<summary>More</summary>\n\nInside.\n\n"
        "</details>\n\n" + PARAGRAPH * 100
    )
    root = write_book(
        tmp_path / "folds", "# Summary\n\n- [Folds](folds.md)\n", {"folds.md": chapter}
    )
    window = make_window(qtbot, load_book(root))
    viewer = window.viewer
    qtbot.waitUntil(lambda: not viewer.filling(), timeout=10_000)
    summary = viewer.document().find("More").block()
    where = viewer.document().documentLayout().blockBoundingRect(summary).top()
    viewer.set_scroll_position(round(where) - 100)  # the summary in view, as the reader clicks it
    top = text_at_top(viewer)
    scroll = viewer.scroll_position()
    viewer.toggle_details(0)
    assert not viewer.filling()
    assert viewer.scroll_position() == scroll
    assert text_at_top(viewer) == top


def _shape(document: QTextDocument) -> list[tuple[object, ...]]:
    """Each block's format and text, and each run of characters' format: what is drawn."""
    shape: list[tuple[object, ...]] = []
    block = document.begin()
    while block.isValid():
        fmt = block.blockFormat()
        shape.append(
            (
                block.text().rstrip(),
                fmt.headingLevel(),
                fmt.topMargin(),
                fmt.bottomMargin(),
                fmt.leftMargin(),
                fmt.indent(),
                fmt.nonBreakableLines(),
                fmt.background().color().name(),
                block.textList() is not None and block.textList().format().style(),
            )
        )
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            char = fragment.charFormat()
            if fragment.text().strip():  # a page's trailing space: none of what is drawn
                shape.append(
                    (
                        fragment.text().rstrip(),
                        char.foreground().color().name(),
                        char.background().color().name(),
                        char.fontWeight(),
                        char.fontItalic(),
                        tuple(char.fontFamilies() or ()),
                        char.fontPointSize(),
                        char.anchorHref(),
                        tuple(char.anchorNames()),
                        char.isImageFormat(),
                    )
                )
            fragments += 1
        block = block.next()
    return shape


def filled_and_whole(
    qtbot: QtBot, page: str, size: int = 1500
) -> tuple[QTextBrowser, QTextDocument]:
    """A browser given ``page`` part by part (parts of about ``size`` characters), and the
    same page set whole."""
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    fill = PageFill(browser, at_once=0, first=size, size=size)
    fill.set_page(page)
    fill.finish()
    whole = QTextDocument()
    whole.setHtml(page)
    return browser, whole


@pytest.mark.skipif(not RUST_BOOK.is_dir(), reason="the Rust book is in ../shared")
def test_a_page_filled_in_parts_is_the_page_set_at_once(qtbot: QtBot) -> None:
    """Every chapter of the Rust book cut into parts of ~1,500 characters, in both themes."""
    rust = load_book(RUST_BOOK)
    renderers = (Renderer(rust, LIGHT), Renderer(rust, DARK))
    cut = 0
    for number, chapter in enumerate(n.path for n in rust.chapters() if n.path):
        page = renderers[number % 2].render(chapter).html
        parts = split_page(page, first=1500, size=1500)
        if parts is None:
            continue
        cut += len(parts) - 1
        browser, whole = filled_and_whole(qtbot, page)
        assert browser.toPlainText() == whole.toPlainText(), chapter
        assert _shape(browser.document()) == _shape(whole), chapter
    assert cut > 500  # headings, lists, code, tables and quotes met cuts on every side
