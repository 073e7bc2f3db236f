"""Themes: light, dark and follow-the-system switch the chrome palette and the page theme live."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication

from handbook.core.render.theme import DARK, LIGHT
from handbook.ui.app import settings as s
from handbook.ui.app.themes import ThemeManager, chrome_palette


@pytest.fixture
def settings(tmp_path: Path) -> s.Settings:
    return s.open_settings(tmp_path / "handbook.ini")


@pytest.fixture
def manager(qapp: QApplication, settings: s.Settings):  # type: ignore[no-untyped-def]
    original = qapp.palette()
    hints = qapp.styleHints()
    yield lambda: ThemeManager(qapp, settings)
    hints.unsetColorScheme()
    qapp.setPalette(original)


def window_colour(app: QApplication) -> QColor:
    return app.palette().color(QPalette.ColorRole.Base)


def test_explicit_modes_set_page_theme_and_palette(qapp, qtbot, manager, settings) -> None:  # type: ignore[no-untyped-def]
    themes = manager()
    themes.set_mode("light")
    themes.apply()
    assert themes.page_theme() is LIGHT
    assert window_colour(qapp) == QColor(LIGHT.background)

    with qtbot.wait_signal(themes.page_theme_changed) as changed:
        themes.set_mode("dark")
    assert changed.args == [DARK]
    assert themes.page_theme() is DARK
    assert window_colour(qapp) == QColor(DARK.background)
    assert qapp.palette().color(QPalette.ColorRole.Text) == QColor(DARK.text)
    assert settings.get(s.THEME) == "dark"


def test_the_mode_is_remembered(qapp, manager, settings) -> None:  # type: ignore[no-untyped-def]
    manager().set_mode("dark")
    settings.sync()
    again = manager()
    assert again.mode() == "dark"
    assert again.page_theme() is DARK


def test_no_signal_when_the_page_theme_stays(qtbot, manager) -> None:  # type: ignore[no-untyped-def]
    themes = manager()
    themes.set_mode("light")
    with qtbot.assert_not_emitted(themes.page_theme_changed):
        themes.set_mode("light")


def test_unknown_mode_is_refused(manager) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        manager().set_mode("sepia")


def test_follow_the_system_switches_live(qtbot, manager, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    themes = manager()
    scheme = {"now": Qt.ColorScheme.Light}
    monkeypatch.setattr(themes, "system_scheme", lambda: scheme["now"])
    themes.set_mode("dark")
    themes.set_mode("system")
    assert themes.page_theme() is LIGHT

    scheme["now"] = Qt.ColorScheme.Dark  # the desktop switches to dark
    with qtbot.wait_signal(themes.page_theme_changed) as changed:
        themes._hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert changed.args == [DARK]

    themes.set_mode("light")  # an explicit choice wins over the system
    scheme["now"] = Qt.ColorScheme.Dark
    with qtbot.assert_not_emitted(themes.page_theme_changed):
        themes._hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert themes.page_theme() is LIGHT


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_chrome_palette_text_is_legible(theme) -> None:  # type: ignore[no-untyped-def]
    from handbook.core.render.theme import contrast_ratio

    palette = chrome_palette(theme)
    R = QPalette.ColorRole
    for fg, bg in (
        (R.WindowText, R.Window),
        (R.Text, R.Base),
        (R.ButtonText, R.Button),
        (R.HighlightedText, R.Highlight),
        (R.ToolTipText, R.ToolTipBase),
    ):
        ratio = contrast_ratio(palette.color(fg).name(), palette.color(bg).name())
        assert ratio >= 4.5, (fg, bg, ratio)


# -- the page follows: a chapter rendered with each theme, sampled in a QTextBrowser -----------

CHAPTER = """# Colours

Plain words here, and [a link](other.md).

```rust
let answer = 42;
```
"""


def rendered_page(qtbot, tmp_path: Path, theme):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QTextBrowser

    from handbook.core.book.load import load_book
    from handbook.core.render import renderer as render
    from tests.conftest import write_book

    root = write_book(
        tmp_path / "book",
        "# Summary\n\n- [Colours](colours.md)\n- [Other](other.md)\n",
        {"colours.md": CHAPTER, "other.md": "# Other\n"},
    )
    book = load_book(root)
    browser = QTextBrowser()
    qtbot.add_widget(browser)
    browser.setHtml(render.Renderer(book, theme=theme).render("colours.md").html)
    return book, browser, render.Renderer


def fragment_format(browser, text: str):  # type: ignore[no-untyped-def]
    """The char format of the fragment holding ``text``, and its block."""
    document = browser.document()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if text in fragment.text():
                return fragment.charFormat(), block
            it += 1
        block = block.next()
    raise AssertionError(f"{text!r} is not on the page")


def page_background(browser) -> QColor:  # type: ignore[no-untyped-def]
    return browser.document().rootFrame().frameFormat().background().color()


def text_colour(browser, text: str) -> QColor:  # type: ignore[no-untyped-def]
    char_format, _ = fragment_format(browser, text)
    return char_format.foreground().color()


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_the_page_is_drawn_in_the_theme_colours(qtbot, tmp_path, theme) -> None:  # type: ignore[no-untyped-def]
    _, browser, _ = rendered_page(qtbot, tmp_path, theme)
    assert page_background(browser) == QColor(theme.background)
    assert text_colour(browser, "Plain words") == QColor(theme.text)
    assert text_colour(browser, "a link") == QColor(theme.link)
    _, block = fragment_format(browser, "answer")
    table = QTextCursor(block).currentTable()  # a code block is a one-cell table
    assert table is not None
    assert table.format().background().color() == QColor(theme.code_background)


def test_switching_the_theme_recolours_the_page(qtbot, tmp_path, manager) -> None:  # type: ignore[no-untyped-def]
    book, browser, renderer = rendered_page(qtbot, tmp_path, LIGHT)
    themes = manager()
    themes.set_mode("light")
    # the window's wiring: a new page theme re-renders the page shown
    themes.page_theme_changed.connect(
        lambda theme: browser.setHtml(renderer(book, theme=theme).render("colours.md").html)
    )
    themes.set_mode("dark")
    assert page_background(browser) == QColor(DARK.background)
    assert text_colour(browser, "Plain words") == QColor(DARK.text)
    themes.set_mode("light")
    assert page_background(browser) == QColor(LIGHT.background)
