"""One tab of the window: a book at a place.

A :class:`Reader` owns what one tab shows and remembers: its page (the viewer, the
:class:`~handbook.ui.reader.page_view.PageView` putting chapters in it, the highlighter, the
find bar built on first use), its zoom and page font, its history (Back / Forward), and the
place kept as the reader reads. It knows nothing of the window: what the window shows for the
active tab (its title, the status bar, the contents tree's selection) it learns from the
reader's signals, which ``MainWindow._connect_signals`` connects.

A reader made for a tab that is not shown yet (a session's other tabs) renders nothing until
:meth:`Reader.realize` (the window calls it when the tab is first shown), so that start-up with
ten tabs costs one page. Tabs on the same book share its :class:`~handbook.core.book.model.Book`
and its rendered chapters (:class:`Shelf`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from handbook.core.book.model import Book, RenderedChapter
from handbook.core.reading.history import History
from handbook.core.reading.place import Place
from handbook.core.render.theme import PageTheme
from handbook.ui.app.settings import LAST_BOOK, Settings, section_exists_in
from handbook.ui.reader.chapter_cache import ChapterCache, RendererFactory
from handbook.ui.reader.highlighter import PageHighlighter
from handbook.ui.reader.page_view import PageView
from handbook.ui.reader.place_keeper import PlaceKeeper
from handbook.ui.reader.viewer import UrlOpener, Viewer
from handbook.ui.reader.zoom import ZoomController
from handbook.ui.window.panels import Lazy, build_find_bar, build_viewer

if TYPE_CHECKING:
    from handbook.core.reading.places import PlaceStore
    from handbook.ui.reader.find_bar import FindBar

__all__ = ["CurrentReader", "Reader", "Shelf", "missing_page"]


class Shelf:
    """The books open in the window's tabs, each loaded once: its Book and its rendered chapters
    (renderer included), shared by every tab on it, keyed by the book's identity."""

    def __init__(self, make_renderer: RendererFactory) -> None:
        self.make_renderer = make_renderer
        self._books: dict[str, Book] = {}
        self._chapters: dict[str, ChapterCache] = {}

    def chapters(self, book: Book) -> ChapterCache:
        """The rendered chapters of ``book`` (made for the first tab on it)."""
        key = book.identity
        cache = self._chapters.get(key)
        if cache is None:
            cache = self._chapters[key] = ChapterCache(book, self.make_renderer)
        elif self._books.get(key) is not book:  # the book read again: its pages made anew
            cache.set_book(book)
        self._books[key] = book
        return cache

    def book_at(self, location: Path) -> Book | None:
        """The book a tab holds at ``location`` (its folder or file), if one does."""
        for book in self._books.values():
            if book.location() == location:
                return book
        return None

    def follow(self, book: Book) -> None:
        """``book`` was read again (its files changed): tabs on it share the new Book."""
        if book.identity in self._books:
            self._books[book.identity] = book

    def keep_only(self, books: Iterable[Book]) -> None:
        """Forget the books no tab shows any more (their pages go with them)."""
        kept = {book.identity for book in books}
        for key in set(self._books) - kept:
            self._books.pop(key, None)
            self._chapters.pop(key, None)

    def clear_pages(self) -> None:
        """Every book's rendered chapters forgotten (a new theme)."""
        for cache in self._chapters.values():
            cache.clear()


class Reader(QWidget):
    """One book at one place: the page area of a tab (the find bar, a notice, the page)."""

    status = Signal(str, int)  # (message, timeout in ms; 0: until replaced) for the status bar
    title_changed = Signal(str)  # "Chapter — Book" (mdBook's {{#title}} when the page has one)
    section_shown = Signal(str)  # the section now at the top (the contents tree selects it)
    navigated = Signal()  # the history or the chapter changed: Back, Forward... may change
    book_changed = Signal(object)  # Book: another book opened in this tab

    def __init__(
        self,
        book: Book,
        shelf: Shelf,
        settings: Settings,
        places: PlaceStore,
        page_theme: PageTheme,
        open_external: UrlOpener,
        on_find_bar: Callable[[FindBar], None],
        parent: QWidget | None = None,
    ) -> None:

        super().__init__(parent)
        self.setObjectName("page_area")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._book = book
        self._shelf = shelf
        self._settings = settings
        self.title = book.title
        self.tab_title = book.title  # the tab's label: the chapter's title (the book's at first)
        self.history = History()
        self.viewer: Viewer = build_viewer(book, open_external, self)
        layout.addWidget(self.viewer, 1)
        self.highlighter = PageHighlighter(self.viewer, page_theme)
        self.zoom = ZoomController(self.viewer, settings)
        self.page = PageView(
            book, self.viewer, shelf.make_renderer, self._emit_status, self, shelf.chapters(book)
        )
        self.place_keeper = PlaceKeeper(self.viewer, places, self)
        self.finder: Lazy[FindBar] = Lazy(
            lambda: build_find_bar(self.viewer, self.highlighter, self), on_find_bar
        )  # built on first use (Ctrl+F, F3), then connected by ``on_find_bar``
        self._pending: Place | None = None  # where to open once realized (None: restore)
        self.missing: str | None = None  # why the book cannot be read (a session's tab)
        self._realized = False
        # keys that belong to the page only (typing "/" in a field must stay a "/")
        page_only = Qt.ShortcutContext.WidgetShortcut
        self.search_key = QShortcut(QKeySequence("/"), self.viewer, context=page_only)
        self.shortcuts_key = QShortcut(QKeySequence("?"), self.viewer, context=page_only)
        self.clear_key = QShortcut(QKeySequence("Esc"), self.viewer, context=page_only)
        self.viewer.section_requested.connect(self.open_section)
        self.page.background_shown.connect(self._on_background_shown)
        self.page.place_missing.connect(self._on_place_missing)
        # a long page is filled in slices: a place in its rest is shown once it is in
        self.viewer.place_not_found.connect(self._on_place_missing)
        self.viewer.page_filled.connect(self.highlighter.relight)
        self.place_keeper.error.connect(self._emit_status)

    @Slot(str)
    def _emit_status(self, message: str, timeout_ms: int = 8000) -> None:
        self.status.emit(message, timeout_ms)

    # -- the book ------------------------------------------------------------------------------

    def book(self) -> Book:
        return self._book

    def is_realized(self) -> bool:
        """Its page has been asked for (the tab was shown at least once)."""
        return self._realized

    def start(self, place: Place | None = None) -> None:
        """Follow the book (place kept, zoom); ``place`` (else where the reader left the book)
        is opened once the tab is first shown (:meth:`realize`)."""
        book = self._book
        self.place_keeper.set_book(book)
        with QSignalBlocker(self.zoom):  # a book's zoom is no news in the status bar
            self.zoom.set_book(book.identity)
        self._pending = place

    def realize(self) -> None:
        """The tab is shown: its page is rendered now, if it was not yet."""
        if self._realized:
            return
        self._realized = True
        place, self._pending = self._pending, None
        if self.missing is not None:
            location = str(self._book.location())
            self.viewer.setHtml(missing_page(self._book.title, location, self.missing))
            self._emit_status(f"This tab's book cannot be opened: {self.missing}", 0)
            return
        if place is None or not self.open_place(place):
            self.restore_place()

    def set_book(self, book: Book) -> None:
        """Show another book in this tab (its history starts anew)."""
        self.place_keeper.save_now()  # the place in the book being left
        self._book = book
        self.title = self.tab_title = book.title
        self.page.set_book(book, self._shelf.chapters(book))
        self.history.clear()
        self.viewer.set_book(book)
        self.start()
        self._realized = False
        self.book_changed.emit(book)
        self.title_changed.emit(self.title)

    def follow_book(self, book: Book) -> None:
        """The book read again after its files changed on disk: the page and the history stay."""
        self._book = book
        self.page.set_book_layout(book)
        self.viewer.follow_book(book)
        self.navigated.emit()

    def restore_place(self) -> None:
        """Continue where the reader left off in this book; else open its first chapter.

        In a book changed since, the place's text if it is still there, else the nearest
        section (the status bar says so)."""
        self._realized = True
        saved = self.place_keeper.last_place(self._book)
        if saved is not None:
            place = saved.place
            if self._book.chapter(place.chapter) is None:  # the chapter is gone
                chapters = [c.path for c in self._book.chapters() if c.path]
                if chapters:
                    at = min(max(saved.chapter_index, 0), len(chapters) - 1)
                    self.open_place(Place(chapters[at]))
                    self._on_place_missing(place)
                    return
            elif self.open_place(place):
                return
        elif self._settings.get(LAST_BOOK) == str(self._book.location()):  # an older version
            section = self._settings.last_section(section_exists_in(self._book.chapter))
            if section and self.open_section(section):
                return
        self.open_first_chapter()

    def open_first_chapter(self) -> None:
        chapters = self._book.chapters()
        if chapters and chapters[0].path:
            self.open_section(chapters[0].path)

    # -- sections ------------------------------------------------------------------------------

    @Slot(str)
    def open_section(self, section: str) -> bool:
        """Show ``section`` (a section id) at its heading; recorded in the history."""
        return self.open_place(Place(section))

    def open_place(self, place: Place) -> bool:
        """Show ``place``'s text at the top of the page; recorded in the history."""
        self._realized = True
        leaving = self.here()
        if not self.show_place(place):
            return False
        self.history.visit(place, leaving)
        self.navigated.emit()
        return True

    def current_section(self) -> str:
        return self.viewer.current_section()

    def here(self) -> Place | None:
        """Where the reader is: the text at the top of the page (a pending place before the
        tab was first shown)."""
        if self.viewer.current_chapter() is None:
            return self._pending
        return self.viewer.place()

    def show_place(self, place: Place) -> bool:
        """Show ``place`` without recording it in the history (Back and Forward do)."""
        path, section = place.chapter, place.section
        node = self._book.chapter(path)
        if node is None:
            self._emit_status(f"No such section in this book: {section}")
            return False
        if path == self.page.rendering():
            self.page.move_pending(place)
        elif path == self.viewer.current_chapter():
            if not self.viewer.go_to(place):
                self._on_place_missing(place)
        else:
            rendered = self.page.display(path, place)
            title = rendered.title if rendered is not None and rendered.title else node.title
            self._set_title(title)  # {{#title}} as mdBook
            if node.problem:
                self._emit_status(f"This chapter cannot be shown: {node.problem}", 0)
            elif rendered is not None:
                self._show_notes(rendered)
        self.section_shown.emit(self.viewer.current_section())
        self.place_keeper.note_moved()
        return True

    def _set_title(self, chapter_title: str) -> None:
        """The window's title "Chapter — Book"; the tab's, the chapter's alone."""
        self.tab_title = chapter_title
        self.title = f"{chapter_title} — {self._book.title}"
        self.title_changed.emit(self.title)

    # -- Back, Forward, the neighbouring chapters ------------------------------------------------

    def go_back(self) -> None:
        entry = self.history.back(self.here())
        if entry is not None:
            self.show_place(entry)
        self.navigated.emit()

    def go_forward(self) -> None:
        entry = self.history.forward(self.here())
        if entry is not None:
            self.show_place(entry)
        self.navigated.emit()

    def neighbour(self, step: int) -> str | None:
        """The chapter ``step`` chapters away from the one shown, if there is one."""
        paths = [c.path for c in self._book.chapters()]
        current = self.viewer.current_chapter()
        if current not in paths:
            return None
        at = paths.index(current) + step
        return paths[at] if 0 <= at < len(paths) else None

    def open_neighbour(self, step: int) -> None:
        target = self.neighbour(step)
        if target is not None:
            self.open_section(target)

    # -- the page ------------------------------------------------------------------------------

    @Slot(object)
    def _on_background_shown(self, rendered: RenderedChapter) -> None:
        self._emit_status("", 1)  # the "Rendering..." message goes
        if rendered.title:
            self._set_title(rendered.title)
        self._show_notes(rendered)
        self.section_shown.emit(self.viewer.current_section())

    @Slot(object)
    def _on_place_missing(self, place: Place) -> None:
        shown = self.viewer.current_section()
        node = self._book.chapter(place.chapter)
        anchors = {h.anchor for h in node.headings} if node is not None else set()
        if not place.quote and place.anchor is not None and place.anchor not in anchors:
            self._emit_status(  # FILE#anchor or a link: never a place the reader was at
                f"No section #{place.anchor} in {place.chapter}: showing the nearest section", 0
            )
            return
        what = "section" if place.anchor is not None and shown != place.section else "text"
        self._emit_status(
            f"The {what} you were at is no longer in this chapter: showing the nearest section", 0
        )

    def _show_notes(self, rendered: RenderedChapter) -> None:
        if rendered.notes:
            self._emit_status("; ".join(rendered.notes), 0)

    def rendering(self) -> str | None:
        """The chapter being rendered off the UI thread (a placeholder shown meanwhile)."""
        return self.page.rendering()

    def reshow(self) -> None:
        """Render the chapter shown again (a new theme), with the same text at the top."""
        section = self.current_section()
        self.page.reshow()
        if self.viewer.current_chapter() is not None:
            self.section_shown.emit(section)

    def refresh(self) -> RenderedChapter | None:
        """The chapter shown rendered again from disk, at the same text, its search terms lit
        again."""
        terms = self.highlighter.search_terms()
        rendered = self.page.refresh()
        if terms:
            self.highlighter.highlight_terms(terms)
        if rendered is not None:
            self.section_shown.emit(self.viewer.current_section())
        return rendered

    def close_down(self) -> None:
        """The tab is closed: its place saved, its renders off the UI thread dropped."""
        self.place_keeper.save_now()
        self.page.background.cancel()
        self.page.ahead.cancel()

    def add_notice(self, notice: QWidget) -> None:
        """A bar above the page (the live notice)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, notice)


CurrentReader = Callable[[], Reader]  # the active tab's reader
Readers = Callable[[], list[Reader]]  # every tab's reader, in tab order


def missing_page(tab_title: str, location: str, reason: str) -> str:
    """What a tab whose book cannot be read shows instead of a page."""
    import html

    return (
        f"<h2>{html.escape(tab_title)}</h2>"
        f"<p>This book cannot be opened: {html.escape(reason)}</p>"
        f"<p>It was at <b>{html.escape(location)}</b>. If it is on a drive that is not "
        "connected, connect it and reopen the book (Book &gt; Library…); or close this tab "
        "(Ctrl+W).</p>"
    )
