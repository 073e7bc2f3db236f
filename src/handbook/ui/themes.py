"""Light, dark, or follow the system: the window chrome and the page switch together, live.

The chrome gets a ``QPalette``; the page is rendered by the core from a ``PageTheme``, so the
window listens to :attr:`ThemeManager.page_theme_changed` and re-renders the page (text, links,
code and its Pygments style, tables, alerts, search highlights all come from the PageTheme).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from handbook.core.theme import DARK, LIGHT, PageTheme
from handbook.ui.settings import THEME, THEME_CHOICES, Settings

MODES = THEME_CHOICES  # "light", "dark", "system"
MODE_LABELS = {"light": "&Light", "dark": "&Dark", "system": "Follow the &System"}


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


class ThemeManager(QObject):
    """Holds the chosen mode, applies the chrome palette, tells the window the page's theme.

    ``mode`` is "light", "dark" or "system"; in "system" the platform's colour scheme decides,
    and a change of it while the program runs is followed at once.
    """

    page_theme_changed = Signal(object)  # PageTheme
    mode_changed = Signal(str)

    def __init__(self, app: QGuiApplication, settings: Settings) -> None:
        super().__init__(app)
        self._app = app
        self._settings = settings
        self._hints = app.styleHints()
        self._mode = settings.get(THEME)
        self._theme = self._resolve()
        self._hints.colorSchemeChanged.connect(self._on_system_scheme_changed)

    # -- reading -------------------------------------------------------------------------------

    def mode(self) -> str:
        return self._mode

    def page_theme(self) -> PageTheme:
        return self._theme

    def system_scheme(self) -> Qt.ColorScheme:
        return self._hints.colorScheme()

    # -- changing ------------------------------------------------------------------------------

    def apply(self) -> None:
        """Apply the current mode to the application; call once at start, before ``show()``."""
        self._request_scheme()
        self._app.setPalette(chrome_palette(self._theme))

    @Slot(str)
    def set_mode(self, mode: str) -> None:
        """Switch to ``mode`` now and remember it (ValueError for an unknown mode)."""
        if mode not in MODES:
            raise ValueError(f"unknown theme mode {mode!r}; expected one of {MODES}")
        self._settings.set(THEME, mode)
        if mode == self._mode:
            return
        self._mode = mode
        self._request_scheme()
        self.mode_changed.emit(mode)
        self._update()

    @Slot(Qt.ColorScheme)
    def _on_system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._mode == "system":
            self._update()

    # -- inside --------------------------------------------------------------------------------

    def _resolve(self) -> PageTheme:
        if self._mode == "dark":
            return DARK
        if self._mode == "light":
            return LIGHT
        return DARK if self.system_scheme() == Qt.ColorScheme.Dark else LIGHT

    def _request_scheme(self) -> None:
        """Ask the platform for matching native parts (title bars, dialogs) where Qt can (6.8+)."""
        if not hasattr(self._hints, "setColorScheme"):
            return
        if self._mode == "system":
            # Following the system means asking for nothing.
            self._hints.unsetColorScheme()
            return
        wanted = Qt.ColorScheme.Dark if self._mode == "dark" else Qt.ColorScheme.Light
        # setColorScheme emits colorSchemeChanged; our handler ignores it outside "system".
        self._hints.setColorScheme(wanted)

    def _update(self) -> None:
        theme = self._resolve()
        self._app.setPalette(chrome_palette(theme))
        if theme != self._theme:
            self._theme = theme
            self.page_theme_changed.emit(theme)
