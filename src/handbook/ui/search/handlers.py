"""The window's search commands: the search dock (Ctrl+K, /), a hit opened and highlighted.

A book's index is built (on a worker thread, see :mod:`handbook.ui.search.worker`) as soon as
the book opens, so that it is usually ready by the first search; at start-up only once the
window is on screen and its first chapter has been asked for, so that neither waits on it.
The panel searches the active tab's book: tabs on the same book share its Book, so switching
between them indexes nothing again. Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QDockWidget

from handbook.core.book.model import Book

if TYPE_CHECKING:
    from handbook.core.search.index import SearchHit  # the index loads after the window shows
    from handbook.core.search.library import BookHit
    from handbook.ui.reader.tab import CurrentReader, Reader
    from handbook.ui.search.panel import SearchPanel
    from handbook.ui.window.actions import Actions


class SearchHandlers(QObject):
    def __init__(
        self,
        current: CurrentReader,
        new_tab: Callable[[], Reader],
        open_book_at: Callable[[Path, bool], bool],
        actions: Actions,
        dock: QDockWidget,
        panel: Callable[[], SearchPanel],
        after_expose: Callable[[Callable[[], object]], None],
        is_visible: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        """``new_tab``: a new tab on the active tab's book, made the active one; ``open_book_at``:
        (a book's path, in a new tab) opened, made the active tab's book; ``panel``: the
        search panel (built when first asked for); ``after_expose``: call back once the window
        is on screen; ``is_visible``: the window is (not closed)."""
        super().__init__(parent)
        self._current = current
        self._new_tab = new_tab
        self._open_book_at = open_book_at
        self._actions = actions
        self._dock = dock
        self._panel = panel
        self._after_expose = after_expose
        self._is_visible = is_visible
        self._search_book: Book | None = None  # the book the search panel was last given
        self._exposed = False  # the window has been on screen
        self._waiting = False  # for the window's first expose

    @Slot()
    def show_search(self) -> None:
        """Ctrl+K, Ctrl+Shift+F, / on the page: the search panel in front, its field focused."""
        self._dock.show()
        self._dock.raise_()
        self.give_search_the_book()
        self._panel().focus_search()

    def searched_book(self) -> Book | None:
        """The book the search panel was last given (whose index ``index_ready`` is about)."""
        return self._search_book

    def give_search_the_book(self) -> None:
        """Hand the active tab's book to the search panel, once per book."""
        book = self._current().book()
        if self._search_book is not book:
            self._search_book = book
            self._panel().set_book(book)

    def book_changed(self, book: Book, chapters: frozenset[str] | None) -> None:
        """The open book changed on disk: ``chapters`` changed (their index rows are made
        again), or, with None, its layout (every breadcrumb may differ: indexed anew). Nothing
        to do when the search has not been given the book yet: it will read the disk then."""
        if self._search_book is None:
            return
        self._search_book = book
        panel = self._panel()
        if chapters is None:
            panel.set_book(book)
        elif chapters:
            panel.runner.update_chapters(book, chapters)
        if chapters is None or chapters:
            panel.book_changed_on_disk(book)  # All books: its index there opened again

    def book_opened(self) -> None:
        """Start indexing the active tab's book: in the next turn of the event loop (after the first
        chapter is shown), or at start-up once the window is first on screen."""
        if self._exposed:
            QTimer.singleShot(0, self, self._index_in_background)
        elif not self._waiting:
            self._waiting = True
            self._after_expose(self._on_first_expose)  # start-up builds it on screen

    def _on_first_expose(self) -> None:
        self._exposed = True
        # Two turns: app.run's restore_place (also queued on first expose, after this) renders
        # the first chapter before the build starts competing with it for the GIL.
        QTimer.singleShot(0, self, self._after_first_chapter)

    def _after_first_chapter(self) -> None:
        QTimer.singleShot(0, self, self._index_in_background)

    def _index_in_background(self) -> None:
        if self._is_visible():  # not for a window closed meanwhile (its index would
            self.give_search_the_book()  # be built after closeEvent stopped the search)

    @Slot(object)
    def open_hit(self, hit: SearchHit, new_tab: bool = False) -> None:
        """Open ``hit``'s section, its words lit; in a new tab on the book if asked."""
        reader = self._new_tab() if new_tab else self._current()
        if reader.open_section(hit.id):
            reader.highlighter.highlight_terms(hit.terms)

    @Slot(object)
    def open_hit_in_new_tab(self, hit: SearchHit) -> None:
        self.open_hit(hit, new_tab=True)

    @Slot(object, bool)
    def open_library_hit(self, found: BookHit, new_tab: bool) -> None:
        """All books: the hit's book opened (unless it is the active tab's) at the hit's
        section, its terms highlighted; ``new_tab`` (Ctrl or the middle button): in a new tab."""
        from handbook.core.library.store import canonical

        other = canonical(self._current().book().location()) != canonical(found.book.location)
        if other and not self._open_book_at(found.book.location, new_tab):
            return
        self.open_hit(found.hit, new_tab=new_tab and not other)

    @Slot()
    def close_search(self) -> None:
        self._dock.hide()
        self._current().viewer.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(bool)
    def show_dock(self, show: bool) -> None:
        if show:
            self.show_search()
        else:
            self._dock.hide()

    @Slot(bool)
    def on_dock_visibility(self, _visible: bool) -> None:
        dock = self._dock
        self._actions.show_search.setChecked(not dock.isHidden())
        if not dock.isHidden():
            self.give_search_the_book()
