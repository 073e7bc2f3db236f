"""The window's commands on the page's look and its copies on paper: zoom and font, themes,
printing and PDF export (paper is white: the light theme, whatever the window shows).

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from handbook.core.render.theme import LIGHT, PageTheme
from handbook.ui.app.settings import WIDE_PAGE
from handbook.ui.reader.chapter_cache import RenderChapter, default_renderer
from handbook.ui.reader.viewer import COLUMN_CHARS
from handbook.ui.window.menus import star_icon

if TYPE_CHECKING:
    from handbook.ui.paper.pdf_export import PdfResult
    from handbook.ui.window.main_window import MainWindow


class PageHandlers(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    # -- zoom and themes -------------------------------------------------------------------

    @Slot(int)
    def on_zoom_changed(self, percent: int) -> None:
        self._window.show_status(f"Zoom {percent}%", timeout_ms=3000)

    @Slot()
    def choose_page_font(self) -> None:
        self._window.zoom.choose_font(self._window)

    @Slot(bool)
    def set_wide_page(self, wide: bool) -> None:
        """The page's text across the window, or in a column (remembered)."""
        self._window.settings.set(WIDE_PAGE, wide)
        self.show_wide_page(wide)

    def show_wide_page(self, wide: bool) -> None:
        self._window.action_set.wide_page.setChecked(wide)
        self._window.viewer.set_column(None if wide else COLUMN_CHARS)

    @Slot(str)
    def on_theme_mode_changed(self, mode: str) -> None:
        self._window.action_set.themes()[mode].setChecked(True)

    @Slot(object)
    def on_page_theme_changed(self, theme: PageTheme) -> None:
        w = self._window
        w.highlighter.set_theme(theme)
        w.action_set.toggle_bookmark.setIcon(star_icon(w.palette()))
        w.reshow()

    # -- printing and PDF ------------------------------------------------------------------

    def _paper_renderer(self) -> RenderChapter:
        return default_renderer(self._window.book(), LIGHT)

    def _current_chapters(self) -> list[str] | None:
        chapter = self._window.viewer.current_chapter()
        return [chapter] if chapter else None

    @Slot()
    def print_chapter(self) -> None:
        from handbook.ui.paper import print_support

        chapters = self._current_chapters()
        if chapters is not None:
            w = self._window
            print_support.print_with_preview(w, w.book(), self._paper_renderer(), chapters)

    @Slot()
    def export_chapter_pdf(self) -> None:
        chapters = self._current_chapters()
        if chapters is not None:
            self._export_pdf(chapters)

    @Slot()
    def export_book_pdf(self) -> None:
        self._export_pdf(None)

    def _export_pdf(self, chapters: list[str] | None) -> None:
        from handbook.ui.paper import print_support

        w = self._window
        run = print_support.export_pdf_interactively(w, w.book(), self._paper_renderer(), chapters)
        if run is not None:
            run.finished.connect(self._on_pdf_written)

    @Slot(object)
    def _on_pdf_written(self, result: PdfResult) -> None:
        self._window.show_status(f"Saved {result.path}")
