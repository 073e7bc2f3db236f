"""Page zoom and page font, remembered per book.

The zoom is applied as the page's font (family, and size x zoom): the widget font of the
``QTextEdit``, which the document takes as its default font and keeps across ``setHtml``
(checked with Qt 6.12). A new ``QTextDocument`` set with ``setDocument`` does not inherit it:
call :meth:`ZoomController.apply` after that. Ctrl+wheel on the page goes through here too,
so the zoom steps and the remembered value stay one and the same.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QFont, QWheelEvent
from PySide6.QtWidgets import QFontDialog, QTextEdit, QWidget

from handbook.ui.app.settings import (
    BOOK_FONT_FAMILY,
    BOOK_FONT_SIZE,
    BOOK_ZOOM,
    FONT_SIZE_MAX,
    FONT_SIZE_MIN,
    Settings,
)

ZOOM_STEPS = (30, 50, 67, 75, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300, 400)
DEFAULT_ZOOM = BOOK_ZOOM.default
WHEEL_NOTCH = 120  # angleDelta of one wheel notch (1/8 degree units)
# The page's text at 100 %: at least this size, as mdBook's 16 px body text (12 pt at 96 dpi),
# even where the desktop's font is smaller (9 or 10 pt is common, and tiring to read at length).
READING_POINT_SIZE = 12.0


class ZoomController(QObject):
    """Zoom in/out/reset and the page font of one page widget, stored per book."""

    zoom_changed = Signal(int)  # percent, for the status bar

    def __init__(self, page: QTextEdit, settings: Settings) -> None:
        super().__init__(page)
        self._page = page
        self._settings = settings
        self._base_font = QFont(page.font())  # the application's font: what 100 % means
        self._book: str | None = None
        self._zoom = DEFAULT_ZOOM
        self._family = ""
        self._size = 0.0
        self._wheel_rest = 0
        page.viewport().installEventFilter(self)

    # -- state ---------------------------------------------------------------------------------

    def zoom(self) -> int:
        return self._zoom

    def page_font(self) -> QFont:
        """The font the page is shown in, zoom included."""
        font = QFont(self._base_font)
        if self._family:
            font.setFamily(self._family)
        size = self._size or max(self._base_font.pointSizeF(), READING_POINT_SIZE)
        font.setPointSizeF(max(1.0, size * self._zoom / 100))
        return font

    def set_book(self, identity: str) -> None:
        """Load (and apply) the zoom and font remembered for the book ``identity``."""
        self._book = identity
        self._zoom = self._settings.get(BOOK_ZOOM, book=identity)
        self._family = self._settings.get(BOOK_FONT_FAMILY, book=identity)
        self._size = self._settings.get(BOOK_FONT_SIZE, book=identity)
        self.apply()
        self.zoom_changed.emit(self._zoom)

    @Slot()
    def apply(self) -> None:
        """Show the page at the current zoom; call again after ``setDocument``."""
        font = self.page_font()
        self._page.setFont(font)
        self._page.document().setDefaultFont(font)

    # -- zoom ----------------------------------------------------------------------------------

    @Slot()
    def zoom_in(self) -> None:
        at = bisect.bisect_right(ZOOM_STEPS, self._zoom)
        self.set_zoom(ZOOM_STEPS[min(at, len(ZOOM_STEPS) - 1)])

    @Slot()
    def zoom_out(self) -> None:
        at = bisect.bisect_left(ZOOM_STEPS, self._zoom) - 1
        self.set_zoom(ZOOM_STEPS[max(at, 0)])

    @Slot()
    def reset_zoom(self) -> None:
        self.set_zoom(DEFAULT_ZOOM)

    def set_zoom(self, percent: int) -> None:
        percent = min(max(percent, ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        if percent == self._zoom:
            return
        self._zoom = percent
        if self._book is not None:
            self._settings.set(BOOK_ZOOM, percent, book=self._book)
        self.apply()
        self.zoom_changed.emit(percent)

    # -- font ----------------------------------------------------------------------------------

    def set_page_font(self, family: str, size: float) -> None:
        """Use ``family`` ("" for the default) at ``size`` points (0 for the default)."""
        size = 0.0 if size <= 0 else min(max(size, FONT_SIZE_MIN), FONT_SIZE_MAX)
        self._family, self._size = family, size
        if self._book is not None:
            self._settings.set(BOOK_FONT_FAMILY, family, book=self._book)
            self._settings.set(BOOK_FONT_SIZE, size, book=self._book)
        self.apply()

    @Slot()
    def reset_page_font(self) -> None:
        self.set_page_font("", 0.0)

    @Slot()
    def choose_font(self, parent: QWidget | None = None) -> bool:
        """Ask for the page font with a QFontDialog; False when the reader cancelled."""
        current = QFont(self._base_font)
        if self._family:
            current.setFamily(self._family)
        current.setPointSizeF(self._size or max(self._base_font.pointSizeF(), 1.0))
        ok, font = QFontDialog.getFont(current, parent or self._page, "Page Font")
        if not ok:
            return False
        self.set_page_font(font.family(), font.pointSizeF())
        return True

    # -- Ctrl+wheel ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(event, QWheelEvent)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._wheel(event.angleDelta().y())
            event.accept()
            return True  # QTextEdit's own Ctrl+wheel zoom would bypass the steps
        return super().eventFilter(watched, event)

    def _wheel(self, delta: int) -> None:
        self._wheel_rest += delta  # touchpads send small deltas: a step per notch's worth
        while self._wheel_rest >= WHEEL_NOTCH:
            self._wheel_rest -= WHEEL_NOTCH
            self.zoom_in()
        while self._wheel_rest <= -WHEEL_NOTCH:
            self._wheel_rest += WHEEL_NOTCH
            self.zoom_out()
