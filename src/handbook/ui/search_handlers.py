"""The window's search commands: the search dock (Ctrl+K, /), a hit opened and highlighted.

The index is built the first time the reader searches a book, not at start. Slots only:
``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from handbook.core.model import Book
from handbook.core.search import SearchHit

if TYPE_CHECKING:
    from handbook.ui.main_window import MainWindow


class SearchHandlers(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._search_book: Book | None = None  # the book the search panel was last given

    @Slot()
    def show_search(self) -> None:
        """Ctrl+K, Ctrl+Shift+F, / on the page: the search panel in front, its field focused."""
        w = self._window
        w.search_dock.show()
        w.search_dock.raise_()
        self.give_search_the_book()
        w.search_panel.focus_search()

    def give_search_the_book(self) -> None:
        """Hand the open book to the search panel, once per book."""
        book = self._window.book()
        if self._search_book is not book:
            self._search_book = book
            self._window.search_panel.set_book(book)

    def book_opened(self) -> None:
        if self._window.search_dock.isVisible():
            self.give_search_the_book()

    @Slot(SearchHit)
    def open_hit(self, hit: SearchHit) -> None:
        w = self._window
        if w.open_section(hit.id):
            w.highlighter.highlight_terms(hit.terms)

    @Slot()
    def close_search(self) -> None:
        self._window.search_dock.hide()
        self._window.focus_page()

    @Slot(bool)
    def show_dock(self, show: bool) -> None:
        if show:
            self.show_search()
        else:
            self._window.search_dock.hide()

    @Slot(bool)
    def on_dock_visibility(self, _visible: bool) -> None:
        dock = self._window.search_dock
        self._window.action_set.show_search.setChecked(not dock.isHidden())
        if not dock.isHidden():
            self.give_search_the_book()
