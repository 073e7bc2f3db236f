"""Themes: light, dark and follow-the-system switch the chrome palette and the page theme live."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from handbook.core.theme import DARK, LIGHT
from handbook.ui import settings as s
from handbook.ui.themes import ThemeManager, chrome_palette


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
    from handbook.core.theme import contrast_ratio

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
