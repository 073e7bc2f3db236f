"""The window's tabs and its session: a :class:`Tabs` controller owns the ``QTabWidget`` of
readers (its bar hidden with one tab), the :class:`~handbook.ui.reader.tab.Shelf` of their books,
each tab's :class:`~handbook.ui.live.handlers.LiveHandlers`, the closed tabs (Ctrl+Shift+T) and
the session (ui/window/session.py: its tabs restored at start as ``PendingTab``\\ s, written as
tabs open, close, move or are shown, and with each save of a place).

It is given what it uses (the shelf, the places store, the settings, a reader factory) and says
what the window follows through signals (``current_changed``, ``reader_added``,
``tabs_changed``...), which ``MainWindow._connect_signals`` connects; it never holds the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QTabWidget, QWidget

if TYPE_CHECKING:
    from handbook.core.book.model import Book
    from handbook.core.reading.place import Place
    from handbook.core.reading.places import PlaceStore, SessionTab
    from handbook.ui.app.settings import Settings
    from handbook.ui.live.handlers import LiveHandlers
    from handbook.ui.reader.tab import Reader, Shelf
    from handbook.ui.window.session import PendingTab

__all__ = ["CLOSED_TABS_KEPT", "ClosedTab", "Tabs", "chapter_of", "tab_text"]

CLOSED_TABS_KEPT = 20  # Ctrl+Shift+T goes back this many closed tabs
TAB_TEXT_CHARS = 28  # a tab's label, at most (its tool tip says it all)

ReaderFactory = Callable[["Book", QWidget], "Reader"]  # a tab's reader on a book, in a parent
LiveFactory = Callable[["Reader"], "LiveHandlers"]  # a tab's book followed on disk


class ClosedTab(NamedTuple):
    """A tab closed (Ctrl+W), for Ctrl+Shift+T: its book and the text at its top."""

    location: Path
    place: Place | None


class Tabs(QObject):
    """The tabs: each a :class:`~handbook.ui.reader.tab.Reader` (or, a session's tab not shown
    yet, a ``PendingTab``); the last tab stays (a window shows a book)."""

    current_changed = Signal(object)  # Reader: another tab shown (its page asked for already)
    reader_added = Signal(object)  # Reader: a new tab's (the window wires it)
    reader_closed = Signal(object)  # Reader: a tab closed (out of the tabs already)
    tabs_changed = Signal()  # tabs opened or closed, the closed tabs kept: the actions follow
    status = Signal(str, int)  # (message, timeout in ms) the session could not be read or saved

    def __init__(
        self,
        shelf: Shelf,
        places: PlaceStore,
        settings: Settings,
        make_reader: ReaderFactory,
        make_live: LiveFactory,
        parent: QWidget,
    ) -> None:
        """``parent``: the widget the tab widget is in (the window puts it in its middle)."""
        super().__init__(parent)
        self.shelf = shelf
        self._places = places
        self._settings = settings
        self._make_reader = make_reader
        self._make_live = make_live
        self.widget = tabs = QTabWidget(parent)
        tabs.setObjectName("tabs")
        tabs.setDocumentMode(True)
        tabs.setTabBarAutoHide(True)  # one tab: no tab bar, the window as it always was
        tabs.setTabsClosable(True)
        tabs.setMovable(True)
        tabs.setElideMode(Qt.TextElideMode.ElideRight)
        tabs.tabBar().setExpanding(False)
        self._lives: dict[Reader, LiveHandlers] = {}  # each tab's book followed on disk
        self._closed: list[ClosedTab] = []  # Ctrl+Shift+T reopens the last
        self._replacing = False  # tabs being inserted or replaced: no tab change to follow
        self._active: Reader | None = None  # the tab the window follows now
        self._session_failed = False  # said once until a save succeeds

    # -- what is there ---------------------------------------------------------------------

    def current(self) -> Reader:
        """The active tab's reader."""
        reader = self.widget.currentWidget()
        assert reader is not None
        return cast("Reader", reader)

    def readers(self) -> list[Reader]:
        """Every tab's reader, in tab order (a session's tab not shown yet has none)."""
        from handbook.ui.reader.tab import Reader

        widgets = (self.widget.widget(i) for i in range(self.widget.count()))
        return [w for w in widgets if isinstance(w, Reader)]

    def count(self) -> int:
        return self.widget.count()

    def can_reopen(self) -> bool:
        """A closed tab is there for Ctrl+Shift+T."""
        return bool(self._closed)

    def live(self, reader: Reader) -> LiveHandlers:
        """``reader``'s book followed on disk."""
        return self._lives[reader]

    def lives(self) -> Iterator[LiveHandlers]:
        return iter(self._lives.values())

    def peers_of(self, reader: Reader) -> list[LiveHandlers]:
        """The other tabs' handlers on ``reader``'s book (the book followed once for them)."""
        identity = reader.book().identity
        return [
            live
            for other, live in self._lives.items()
            if other is not reader and other.book().identity == identity
        ]

    # -- opening ---------------------------------------------------------------------------

    def add_first(self, book: Book) -> Reader:
        """The window's first tab, on ``book``, the active one (the window starts it)."""
        self._active = self._add_reader(book)
        return self._active

    def _add_reader(self, book: Book, at: int | None = None) -> Reader:
        """A tab on ``book`` (it opens nothing yet: see Reader.start / realize)."""
        shared = self.shelf.book_at(book.location())
        if shared is not None and shared.identity == book.identity:
            book = shared  # tabs on the same book share it
        reader = self._make_reader(book, self.widget)
        self._lives[reader] = self._make_live(reader)
        if self._active is not None:  # as wide as the others (the first: the window's menus)
            reader.viewer.set_column(self._active.viewer.column())
        index = self.widget.count() if at is None else at
        self.widget.insertTab(index, reader, tab_text(book.title))
        self.widget.setTabToolTip(index, book.title)
        self.reader_added.emit(reader)
        self.tabs_changed.emit()
        return reader

    def open_tab(self, book: Book, place: Place | None = None, *, show: bool = True) -> Reader:
        """A new tab on ``book`` after the active one, at ``place`` (else where the reader
        left the book), made the active tab unless ``show`` is False (then it renders when
        first shown)."""
        self.current().place_keeper.save_now()  # a tab on the same book starts where it is
        reader = self._add_reader(book, self.widget.currentIndex() + 1)
        reader.start(place)
        if show:
            self.widget.setCurrentWidget(reader)
        self.save()
        return reader

    def duplicate(self) -> Reader:
        """A new tab on the active tab's book at its place, made the active tab."""
        here = self.current()
        return self.open_tab(here.book(), here.here())

    def open_section_in_new_tab(self, section: str) -> bool:
        """A link, a tree entry, a search hit opened with the middle button or Ctrl."""
        from handbook.core.reading.place import Place

        here = self.current()
        if here.book().chapter(Place(section).chapter) is None:
            return here.open_section(section)  # says why in the status bar
        reader = self.open_tab(here.book(), Place(section))
        return reader.is_realized()

    def load_book(self, path: Path) -> Book | None:
        """The book at ``path`` (one a tab holds already is shared), else None: said."""
        found = self.book_for(path, shared=True)
        return None if found is None else found[0]

    def book_for(self, path: Path, shared: bool) -> tuple[Book, str | None] | None:
        """The book at ``path`` and, ``path`` a chapter's file, that chapter (one a tab holds
        already when ``shared``: no file read); None when it cannot be opened (said)."""
        from PySide6.QtWidgets import QMessageBox

        from handbook.core.book.load import open_book
        from handbook.core.book.model import BookError

        held = self.shelf.book_at(path) if shared else None
        if held is not None:
            return held, None
        try:
            return open_book(path)
        except BookError as exc:
            QMessageBox.warning(self.widget.window(), "Cannot open this book", str(exc))
            return None

    def show_book(self, book: Book) -> Book:
        """``book`` in the active tab (the Book a tab holds already, if one does: returned);
        the books no tab shows any more forgotten."""
        shared = self.shelf.book_at(book.location())
        if shared is not None and shared.identity == book.identity:
            book = shared
        self.current().set_book(book)
        self.shelf.keep_only(r.book() for r in self.readers())
        return book

    def follow_book(self, book: Book) -> Book:
        """``book`` read again after its files changed: every tab on it shares it. Returns the
        Book it replaces."""
        old = self.shelf.book_at(book.location()) or self.current().book()
        self.shelf.follow(book)
        for reader in self.readers():
            if reader.book().identity == book.identity:
                reader.follow_book(book)
        return old

    # -- the tab shown ---------------------------------------------------------------------

    @Slot(int)
    def on_current_index(self, index: int) -> None:
        """The tab widget shows another tab: a session's tab gets its reader, its page is
        rendered if it was not, and the window follows it (``current_changed``)."""
        from handbook.ui.window.session import PendingTab

        if index < 0 or self._replacing:
            return
        pending = self.widget.widget(index)
        if isinstance(pending, PendingTab):  # a session's tab, shown for the first time
            self._make_reader_for(pending, index)
        reader = self.current()
        if reader is self._active:
            return  # the same tab at another index (one inserted or closed before it)
        self._active = reader
        if not reader.is_realized():
            if reader.missing is None:
                self._lives[reader].book_opened(reader.book())
            reader.realize()
        self.current_changed.emit(reader)
        self.save()
        self.keep_last_book()

    def keep_last_book(self) -> None:
        """The active tab's book is the one start-up opens (its first frame): written now,
        as the session is, so that a start after a crash opens the tab shown."""
        from handbook.ui.app.settings import LAST_BOOK

        reader = self.current()
        location = str(reader.book().location())
        if reader.missing is None and self._settings.get(LAST_BOOK) != location:
            self._settings.set(LAST_BOOK, location)
            self._settings.sync()

    def _make_reader_for(self, pending: PendingTab, index: int) -> Reader:
        """The reader of a session's tab, made when it is first shown: its book read now (one
        a tab holds already is shared; one that cannot be read: the tab says why)."""
        from handbook.ui.window.session import load_tab_book

        book, missing = load_tab_book(pending.tab, self.shelf.book_at)
        self._replacing = True
        try:
            reader = self._add_reader(book, index)
            reader.missing = missing
            self.widget.removeTab(index + 1)
            pending.deleteLater()
            self.widget.setCurrentIndex(index)
        finally:
            self._replacing = False
        reader.start(pending.tab.place)
        return reader

    @Slot(int)
    def step(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next (previous) tab, round the end."""
        count = self.widget.count()
        if count > 1:
            self.widget.setCurrentIndex((self.widget.currentIndex() + step) % count)

    def set_title(self, reader: Reader, title: str) -> None:
        """``reader``'s tab says its chapter's title (shortened: tabs on one book differ by
        it), its tool tip ``title`` ("Chapter — Book")."""
        index = self.widget.indexOf(reader)
        if index >= 0:
            self.widget.setTabText(index, tab_text(reader.tab_title))
            self.widget.setTabToolTip(index, title)

    # -- closing ---------------------------------------------------------------------------

    @Slot()
    def close_current(self) -> None:
        """Ctrl+W: the active tab closed (the last one stays: a window shows a book)."""
        self.close_at(self.widget.currentIndex())

    @Slot(int)
    def close_at(self, index: int) -> None:
        from handbook.ui.window.session import PendingTab

        if self.widget.count() <= 1 or index < 0:
            return
        widget = self.widget.widget(index)
        if isinstance(widget, PendingTab):  # a session's tab never shown
            self._closed.append(ClosedTab(Path(widget.tab.book_path), widget.tab.place))
            self.widget.removeTab(index)
            widget.deleteLater()
        else:
            reader = cast("Reader", widget)
            reader.place_keeper.save_now()
            self._closed.append(ClosedTab(reader.book().location(), reader.here()))
            self._remove_reader(reader)
        del self._closed[:-CLOSED_TABS_KEPT]
        self.tabs_changed.emit()
        self.save()

    def close_reader(self, reader: Reader) -> bool:
        """A tab's "Close the Book" (its folder went away): the tab closed; the last one is
        not (False: the window closes)."""
        if self.widget.count() <= 1:
            return False
        self._remove_reader(reader)
        return True

    def _remove_reader(self, reader: Reader) -> None:
        reader.close_down()
        live = self._lives.pop(reader)
        live.watcher.stop()
        self.widget.removeTab(self.widget.indexOf(reader))
        reader.hide()
        reader.deleteLater()
        self.shelf.keep_only(r.book() for r in self.readers())
        self.reader_closed.emit(reader)
        self.tabs_changed.emit()

    @Slot()
    def reopen_closed(self) -> bool:
        """Ctrl+Shift+T: the tab closed last, again, at the text that was at its top."""
        while self._closed:
            closed = self._closed.pop()
            book = self.load_book(closed.location)
            if book is not None:
                self.open_tab(book, closed.place)
                return True
        self.tabs_changed.emit()
        return False

    # -- following the disk ----------------------------------------------------------------

    @Slot(bool)
    def set_following(self, follow: bool) -> None:
        """View > Follow Changes on Disk, for every tab shown so far."""
        for reader, live in self._lives.items():
            if reader.is_realized() and reader.missing is None:
                live.set_following(follow)

    def stop_watching(self) -> None:
        """Every tab's watcher stopped (its inotify instance given back now)."""
        for live in self._lives.values():
            live.watcher.stop()

    # -- the session -----------------------------------------------------------------------

    def restore_session(self) -> Place | None:
        """The last session's tabs around the active tab (on its book), each made when first
        shown (its book read then: ten tabs start as fast as one).

        Returns where the active tab was when another tab of the session is on its book (its
        book's last place may be the other tab's), else None."""
        from handbook.core.storage.sqlite import StorageError
        from handbook.ui.window.session import PendingTab, arrange

        try:
            saved = self._places.session()
        except StorageError as exc:
            self.status.emit(f"Your tabs could not be read: {exc}", 8000)
            return None
        before, after, place = arrange(saved, self.current().book())
        tabs = self.widget
        self._replacing = True
        try:
            for at, tab in enumerate(before):
                tabs.insertTab(at, PendingTab(tab, tabs), tab_text(chapter_of(tab.title)))
                tabs.setTabToolTip(at, tab.title)
            for tab in after:
                at = tabs.addTab(PendingTab(tab, tabs), tab_text(chapter_of(tab.title)))
                tabs.setTabToolTip(at, tab.title)
        finally:
            self._replacing = False
        self.tabs_changed.emit()
        return place

    def session_tabs(self) -> list[SessionTab]:
        """The tabs as the session keeps them: each book and the text at its top."""
        from dataclasses import replace  # here: not imported before start-up's first frame

        from handbook.core.reading.places import SessionTab
        from handbook.ui.window.session import PendingTab

        tabs: list[SessionTab] = []
        for index in range(self.widget.count()):
            widget = self.widget.widget(index)
            active = index == self.widget.currentIndex()
            if isinstance(widget, PendingTab):
                tabs.append(replace(widget.tab, active=active))
                continue
            reader = cast("Reader", widget)
            book = reader.book()
            title = self.widget.tabToolTip(index) or book.title
            location = str(book.location())
            tabs.append(SessionTab(location, book.identity, title, reader.here(), active))
        return tabs

    @Slot()
    def save(self) -> None:
        """The session written now (a tab opened, closed, moved or shown, a place saved): one
        transaction, so that a start after a crash shows the tabs as they were."""
        from handbook.core.storage.sqlite import StorageError

        try:
            self._places.save_session(self.session_tabs())
        except StorageError as exc:
            if not self._session_failed:
                self._session_failed = True
                self.status.emit(f"Your tabs could not be saved: {exc}", 8000)
            return
        self._session_failed = False


def chapter_of(title: str) -> str:
    """A session's tab's label: the chapter's title in its "Chapter — Book"."""
    return title.rpartition(" \u2014 ")[0] or title


def tab_text(title: str) -> str:
    """A tab's label: the page's title, shortened."""
    return title if len(title) <= TAB_TEXT_CHARS else title[: TAB_TEXT_CHARS - 1] + "\u2026"
