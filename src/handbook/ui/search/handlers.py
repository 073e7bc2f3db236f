"""The window's search commands: the search dock (Ctrl+K, /), a hit opened and highlighted.

A book's index is built (on a worker thread, see :mod:`handbook.ui.search.worker`) as soon as
the book opens, so that it is usually ready by the first search; at start-up only once the
window is on screen and its first chapter has been asked for, so that neither waits on it.
Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot

from handbook.core.book.model import Book

if TYPE_CHECKING:
    from handbook.core.search.index import SearchHit  # the index loads after the window shows
    from handbook.core.search.library import BookHit
    from handbook.ui.window.main_window import MainWindow


class SearchHandlers(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._search_book: Book | None = None  # the book the search panel was last given
        self._exposed = False  # the window has been on screen
        self._waiting = False  # for the window's first expose

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

    def book_changed(self, book: Book, chapters: frozenset[str] | None) -> None:
        """The open book changed on disk: ``chapters`` changed (their index rows are made
        again), or, with None, its layout (every breadcrumb may differ: indexed anew). Nothing
        to do when the search has not been given the book yet: it will read the disk then."""
        if self._search_book is None:
            return
        self._search_book = book
        panel = self._window.search_panel
        if chapters is None:
            panel.set_book(book)
        elif chapters:
            panel.runner.update_chapters(book, chapters)
        if chapters is None or chapters:
            panel.book_changed_on_disk(book)  # All books: its index there opened again

    def book_opened(self) -> None:
        """Start indexing the open book: in the next turn of the event loop (after the first
        chapter is shown), or at start-up once the window is first on screen."""
        if self._exposed:
            QTimer.singleShot(0, self, self._index_in_background)
        elif not self._waiting:
            self._waiting = True
            self._window.after_expose(self._on_first_expose)  # start-up builds it on screen

    def _on_first_expose(self) -> None:
        self._exposed = True
        # Two turns: app.run's restore_place (also queued on first expose, after this) renders
        # the first chapter before the build starts competing with it for the GIL.
        QTimer.singleShot(0, self, self._after_first_chapter)

    def _after_first_chapter(self) -> None:
        QTimer.singleShot(0, self, self._index_in_background)

    def _index_in_background(self) -> None:
        if self._window.isVisible():  # not for a window closed meanwhile (its index would
            self.give_search_the_book()  # be built after closeEvent stopped the search)

    @Slot(object)
    def open_hit(self, hit: SearchHit) -> None:
        w = self._window
        if w.open_section(hit.id):
            w.highlighter.highlight_terms(hit.terms)

    @Slot(object, bool)
    def open_library_hit(self, found: BookHit, new_tab: bool) -> None:
        """All books: the hit's book opened (unless it is the open one) at the hit's section,
        its terms highlighted. ``new_tab``: a modifier was held; this window has no tabs yet,
        so the book opens here all the same."""
        from handbook.core.library.store import canonical

        w = self._window
        other = canonical(w.book().location()) != canonical(found.book.location)
        if other and not w.open_book_at(found.book.location):
            return
        self.open_hit(found.hit)

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
