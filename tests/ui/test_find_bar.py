"""Find in page and search highlights, as the reader sees them in the page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTextBrowser, QWidget
from pytestqt.qtbot import QtBot

from handbook.core.render.theme import DARK, LIGHT
from handbook.ui.reader.find_bar import FindBar
from handbook.ui.reader.highlighter import PageHighlighter, find_spans, terms_pattern

# The offscreen platform warns on every shown top-level widget; nothing to do with finding.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

# "pain" 12 times: 3 of them as "Pain", one inside "painful", one inside "Painkillers".
PAGE = """
<h1>Pain</h1>
<p>Chronic pain is pain that lasts. Pain at night; pain by day.</p>
<table><tr><td>pain</td><td>sleep</td></tr><tr><td>Café</td><td>pains</td></tr></table>
<p>It can be painful. Painkillers help some pain; other pain stays.</p>
<p>🙂 pain after an emoji, and again.</p>
"""


@pytest.fixture
def holder(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def page(holder: QWidget) -> QTextBrowser:
    browser = QTextBrowser(holder)
    browser.setHtml(PAGE)
    return browser


@pytest.fixture
def window(holder: QWidget, page: QTextBrowser) -> tuple[FindBar, PageHighlighter]:
    highlighter = PageHighlighter(page)
    bar = FindBar(page, highlighter, holder)
    holder.show()
    return bar, highlighter


def selected_texts(page: QTextBrowser) -> list[str]:
    return [s.cursor.selectedText() for s in page.extraSelections()]


def backgrounds(page: QTextBrowser) -> list[str]:
    return [s.format.background().color().name() for s in page.extraSelections()]


# --- find in page ----------------------------------------------------------------------------


def test_typing_finds_every_match_and_counts(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "pain")
    assert bar.count_label.text() == "1 of 12"
    texts = selected_texts(page)
    assert len(texts) == 13  # 12 matches + the current one drawn on top
    assert {t.lower() for t in texts} == {"pain"}
    assert backgrounds(page)[-1] == QColor(LIGHT.find_current).name()
    assert set(backgrounds(page)[:-1]) == {QColor(LIGHT.search_highlight).name()}


def test_f3_enter_and_shift_move_between_matches_and_wrap(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter]
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "pain")
    qtbot.keyClick(bar.field, Qt.Key.Key_F3)
    assert bar.count_label.text() == "2 of 12"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count_label.text() == "3 of 12"
    qtbot.keyClick(bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "1 of 12"
    qtbot.keyClick(bar.field, Qt.Key.Key_Enter, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "12 of 12"
    bar.find_next()
    assert bar.count_label.text() == "1 of 12"


def test_match_case_changes_the_count(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter]
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "Pain")
    assert bar.count_label.text() == "1 of 12"
    bar.match_case.setChecked(True)
    assert bar.count_label.text() == "1 of 3"
    bar.match_case.setChecked(False)
    assert bar.match_count() == 12


def test_no_match_and_empty_field(qtbot: QtBot, window: tuple[FindBar, PageHighlighter]) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "zebra")
    assert bar.count_label.text() == "No matches"
    bar.field.clear()
    assert bar.count_label.text() == "" and bar.match_count() == 0


def test_escape_closes_the_bar_and_clears_its_highlights(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "sleep")
    assert len(page.extraSelections()) == 2
    with qtbot.waitSignal(bar.closed):
        qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert page.extraSelections() == []


def test_reopening_finds_the_text_again(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter]
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "sleep")
    bar.close_bar()
    bar.open_bar()
    assert bar.count_label.text() == "1 of 1"
    assert bar.field.selectedText() == "sleep"


def test_diacritics_are_ignored_unless_matching_case(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "cafe")
    assert bar.match_count() == 1
    assert selected_texts(page)[0] == "Café"
    bar.match_case.setChecked(True)
    assert bar.match_count() == 0


def test_a_new_page_is_searched_again(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    bar, _ = window
    bar.open_bar()
    qtbot.keyClicks(bar.field, "pain")
    page.setHtml("<p>One pain only.</p>")
    qtbot.waitUntil(lambda: bar.count_label.text() == "1 of 1")
    assert selected_texts(page) == ["pain", "pain"]


def test_the_current_match_is_scrolled_into_view(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    bar, _ = window
    page.setHtml("<p>top</p>" + "<p>filler</p>" * 300 + "<p>needle</p>")
    page.resize(300, 200)
    bar.open_bar()
    qtbot.keyClicks(bar.field, "needle")
    assert page.verticalScrollBar().value() > 0
    selections = page.extraSelections()
    assert page.viewport().rect().contains(page.cursorRect(selections[-1].cursor))


# --- search highlights -----------------------------------------------------------------------


def test_search_terms_are_highlighted_by_stem_and_cleared(
    window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    _, highlighter = window
    assert highlighter.highlight_terms(["pains"]) == 12
    assert set(backgrounds(page)) == {QColor(LIGHT.search_highlight).name()}
    assert "painful" in selected_texts(page) and "Painkillers" in selected_texts(page)
    highlighter.clear()
    assert page.extraSelections() == []


def test_search_and_find_highlights_share_the_page(
    qtbot: QtBot, window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    bar, highlighter = window
    assert highlighter.highlight_terms(["sleep"]) == 1
    bar.open_bar()
    bar.field.setText("café")  # QTest cannot type "é"
    assert selected_texts(page) == ["sleep", "Café", "Café"]
    highlighter.clear()
    assert selected_texts(page) == ["Café", "Café"]
    highlighter.highlight_terms(["sleep"])
    bar.close_bar()
    assert selected_texts(page) == ["sleep"]


def test_positions_hold_after_emoji_and_in_tables(
    window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    _, highlighter = window
    highlighter.highlight_terms(["again"])
    assert selected_texts(page) == ["again"]
    highlighter.highlight_terms(["sleep"])
    assert selected_texts(page) == ["sleep"]


def test_phrases_and_code_terms(qtbot: QtBot, page: QTextBrowser) -> None:
    page.setHtml("<p>Use Box&lt;T&gt; here; a box, boxes; the borrow checker checks.</p>")
    highlighter = PageHighlighter(page)
    assert highlighter.highlight_terms(["Box<T>"]) == 1
    assert selected_texts(page) == ["Box<T>"]  # the whole token, as written
    highlighter.highlight_terms(["borrow checker"])
    assert selected_texts(page) == ["borrow checker"]
    highlighter.highlight_terms(["box"])
    assert selected_texts(page) == ["Box", "box", "boxes"]


def test_a_new_page_drops_old_highlights(
    window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    _, highlighter = window
    highlighter.highlight_terms(["pain"])
    page.setHtml("<p>pain</p>")
    assert page.extraSelections() == [] and highlighter.search_count() == 0


def test_theme_colours_follow_the_theme(
    window: tuple[FindBar, PageHighlighter], page: QTextBrowser
) -> None:
    _, highlighter = window
    highlighter.highlight_terms(["sleep"])
    highlighter.set_theme(DARK)
    assert backgrounds(page) == [QColor(DARK.search_highlight).name()]


def test_matching_helpers() -> None:
    pattern = terms_pattern(["pains", "C++", "++"])
    assert pattern is not None
    text = "pain, C++ and c; painful"
    assert [text[a:b] for a, b in find_spans(text, pattern)] == ["pain", "C++", "c", "painful"]
    assert terms_pattern(["", " "]) is None
