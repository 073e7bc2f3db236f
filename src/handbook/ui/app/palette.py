"""The window chrome's palette for a page theme, and the one start-up's first frame shows.

Apart from :mod:`handbook.ui.app.themes` (which follows the system's colour scheme, and whose
``Qt.ColorScheme`` takes a while to load) so that start-up can paint its first frame in the
right colours before that module is imported.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from handbook.core.render.theme import DARK, LIGHT, PageTheme


def apply_start_palette(app: QGuiApplication, mode: str) -> bool:
    """Colour start-up's first frame for theme ``mode`` ("light", "dark" or "system"; in
    "system", dark when the platform's own palette is). ``ThemeManager.apply`` follows.
    True when that is the dark theme."""
    if mode == "system":
        dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    else:
        dark = mode == "dark"
    app.setPalette(chrome_palette(DARK if dark else LIGHT))
    return dark


def _mix(a: str, b: str, share_of_b: float) -> QColor:
    ca, cb = QColor(a), QColor(b)
    keep = 1.0 - share_of_b
    return QColor(
        round(ca.red() * keep + cb.red() * share_of_b),
        round(ca.green() * keep + cb.green() * share_of_b),
        round(ca.blue() * keep + cb.blue() * share_of_b),
    )


def chrome_palette(theme: PageTheme) -> QPalette:
    """A palette for the window chrome that matches the page theme."""
    R, G = QPalette.ColorRole, QPalette.ColorGroup
    dark = theme is DARK or QColor(theme.background).lightness() < 128
    window = _mix(theme.background, "#ffffff" if dark else "#000000", 0.06)
    button = _mix(theme.background, "#ffffff" if dark else "#000000", 0.10)
    palette = QPalette()
    colours = {
        R.Window: window,
        R.WindowText: QColor(theme.text),
        R.Base: QColor(theme.background),
        R.AlternateBase: QColor(theme.code_background),
        R.Text: QColor(theme.text),
        R.Button: button,
        R.ButtonText: QColor(theme.text),
        R.BrightText: QColor("#ffffff" if not dark else "#000000"),
        R.ToolTipBase: QColor(theme.code_background),
        R.ToolTipText: QColor(theme.text),
        R.PlaceholderText: QColor(theme.muted),
        R.Link: QColor(theme.link),
        R.LinkVisited: QColor(theme.important),
        R.Highlight: QColor(theme.link),
        R.HighlightedText: QColor(theme.background),
        R.Accent: QColor(theme.link),
        R.Light: _mix(theme.background, "#ffffff", 0.5),
        R.Midlight: _mix(theme.background, theme.border, 0.5),
        R.Mid: QColor(theme.border),
        R.Dark: _mix(theme.border, "#000000", 0.3),
        R.Shadow: QColor("#000000"),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    muted = QColor(theme.muted)
    for role in (R.WindowText, R.Text, R.ButtonText):
        palette.setColor(G.Disabled, role, muted)
    palette.setColor(G.Disabled, R.Highlight, QColor(theme.border))
    return palette
