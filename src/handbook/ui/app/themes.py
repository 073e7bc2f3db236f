"""Light, dark, or follow the system: the window chrome and the page switch together, live.

The chrome gets a ``QPalette``; the page is rendered by the core from a ``PageTheme``, so the
window listens to :attr:`ThemeManager.page_theme_changed` and re-renders the page (text, links,
code and its Pygments style, tables, alerts, search highlights all come from the PageTheme).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication

from handbook.core.render.theme import DARK, LIGHT, PageTheme
from handbook.ui.app.palette import chrome_palette
from handbook.ui.app.settings import THEME, THEME_CHOICES, Settings

__all__ = ["MODES", "MODE_LABELS", "ThemeManager", "chrome_palette"]

MODES = THEME_CHOICES  # "light", "dark", "system"
MODE_LABELS = {"light": "&Light", "dark": "&Dark", "system": "Follow the &System"}


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
