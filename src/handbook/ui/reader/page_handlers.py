"""The window's commands on the page's look and its copies on paper: zoom and font, themes,
printing and PDF export (paper is white: the light theme, whatever the window shows). Zoom,
font, print and PDF act on the active tab; the theme and the wide page on every tab.

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
    from PySide6.QtWidgets import QWidget

    from handbook.ui.app.settings import Settings
    from handbook.ui.paper.pdf_export import PdfResult
    from handbook.ui.reader.page_view import ShowStatus
    from handbook.ui.reader.tab import CurrentReader, Readers
    from handbook.ui.window.actions import Actions


class PageHandlers(QObject):
    def __init__(
        self,
        current: CurrentReader,
        readers: Readers,
        actions: Actions,
        settings: Settings,
        show_status: ShowStatus,
        parent: QWidget,
    ) -> None:
        """``parent``: the window's widget, for dialogs (font, print, PDF) and its palette."""
        super().__init__(parent)
        self._current = current
        self._readers = readers
        self._actions = actions
        self._settings = settings
        self._show_status = show_status
        self._parent = parent

    # -- zoom and themes -------------------------------------------------------------------

    @Slot(int)
    def on_zoom_changed(self, percent: int) -> None:
        self._show_status(f"Zoom {percent}%", 3000)

    @Slot()
    def choose_page_font(self) -> None:
        self._current().zoom.choose_font(self._parent)

    @Slot(bool)
    def set_wide_page(self, wide: bool) -> None:
        """The page's text across the window, or in a column (remembered)."""
        self._settings.set(WIDE_PAGE, wide)
        self.show_wide_page(wide)

    def show_wide_page(self, wide: bool) -> None:
        self._actions.wide_page.setChecked(wide)
        for reader in self._readers():
            reader.viewer.set_column(None if wide else COLUMN_CHARS)

    @Slot(str)
    def on_theme_mode_changed(self, mode: str) -> None:
        self._actions.themes()[mode].setChecked(True)

    @Slot(object)
    def on_page_theme_changed(self, theme: PageTheme) -> None:
        self._actions.toggle_bookmark.setIcon(star_icon(self._parent.palette()))
        current = self._current()
        for reader in [current, *(r for r in self._readers() if r is not current)]:
            reader.highlighter.set_theme(theme)
            reader.reshow()  # the active tab first: the reader sees it at once

    # -- printing and PDF ------------------------------------------------------------------

    def _paper_renderer(self) -> RenderChapter:
        return default_renderer(self._current().book(), LIGHT)

    def _current_chapters(self) -> list[str] | None:
        chapter = self._current().viewer.current_chapter()
        return [chapter] if chapter else None

    @Slot()
    def print_chapter(self) -> None:
        from handbook.ui.paper import print_support

        chapters = self._current_chapters()
        if chapters is not None:
            book, renderer = self._current().book(), self._paper_renderer()
            print_support.print_with_preview(self._parent, book, renderer, chapters)

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

        book, renderer = self._current().book(), self._paper_renderer()
        run = print_support.export_pdf_interactively(self._parent, book, renderer, chapters)
        if run is not None:
            run.finished.connect(self._on_pdf_written)

    @Slot(object)
    def _on_pdf_written(self, result: PdfResult) -> None:
        self._show_status(f"Saved {result.path}", 8000)
