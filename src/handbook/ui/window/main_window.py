"""The main window, a thin shell: the tabs, the docks, the menus, and the one place where
signals are wired (``_connect_signals``; each tab's reader in ``_connect_reader``).

Each tab is a :class:`~handbook.ui.reader.tab.Reader`: one book at one place, with its own page,
history, find bar and zoom. The docks (contents, search, bookmarks), the status bar, the title and
the actions follow the active tab; ``window.viewer``, ``window.page``, ``window.open_section``...
are the active tab's. Tabs on the same book share its Book, its rendered chapters
(:class:`~handbook.ui.reader.tab.Shelf`), its contents tree and its search index. Keys: Ctrl+T
a new tab (the Library, the current book chosen: Enter opens a copy of this tab), Ctrl+W closes
one (the last tab stays, as in Qt Assistant and Zeal), Ctrl+Tab / Ctrl+Shift+Tab between them,
Ctrl+Shift+T reopens the last closed at its place.

Panels are built by ``ui/window/panels.py`` and know nothing of each other; everything between them
goes through ``_connect_signals``. The find bar, the search panel and the bookmarks panel are
built on first use (:class:`~handbook.ui.window.panels.Lazy`, to keep start-up short): each is
connected, once built, by its ``_connect_find_bar`` / ``_connect_search_panel`` /
``_connect_bookmarks_panel``, next to ``_connect_signals``. Actions are declared in
``ui/window/actions.py`` and placed in menus by ``ui/window/menus.py``. Settings, themes,
bookmarks and the
cache folder come in as :class:`~handbook.ui.app.services.Services` (``ui/app/run.py`` opens them).

Start-up comes in two steps (``ui/app/run.py``): :meth:`MainWindow.show_opening` puts the frame on
screen, then :meth:`MainWindow.build` builds the rest. So that the frame appears first, this
module imports at its top only what the frame needs; the modules of the panels, actions and
handlers are imported where they are used (mostly in ``build``), not at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMainWindow, QWidget

from handbook.ui.app.first_expose import FirstExpose

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint, QUrl
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QDockWidget, QMenu, QMessageBox

    from handbook.core.book.model import Book
    from handbook.core.reading.place import Place
    from handbook.core.reading.places import SessionTab
    from handbook.ui.app.services import Services
    from handbook.ui.app.settings import Settings
    from handbook.ui.app.start_page import StartPage
    from handbook.ui.app.themes import ThemeManager
    from handbook.ui.bookmarks.controller import BookmarkController
    from handbook.ui.bookmarks.handlers import BookmarkHandlers
    from handbook.ui.bookmarks.panel import BookmarksPanel
    from handbook.ui.contents.toc_model import TocModel
    from handbook.ui.contents.toc_panel import TocPanel
    from handbook.ui.live.handlers import LiveHandlers
    from handbook.ui.reader.chapter_cache import RenderChapter, RendererFactory
    from handbook.ui.reader.find_bar import FindBar
    from handbook.ui.reader.highlighter import PageHighlighter
    from handbook.ui.reader.navigation_handlers import NavigationHandlers
    from handbook.ui.reader.page_handlers import PageHandlers
    from handbook.ui.reader.page_view import PageView
    from handbook.ui.reader.place_keeper import PlaceKeeper
    from handbook.ui.reader.progress import ReadingProgress
    from handbook.ui.reader.tab import Reader
    from handbook.ui.reader.viewer import UrlOpener, Viewer
    from handbook.ui.reader.zoom import ZoomController
    from handbook.ui.search.handlers import SearchHandlers
    from handbook.ui.search.panel import SearchPanel
    from handbook.ui.window.actions import Actions
    from handbook.ui.window.book_handlers import BookHandlers
    from handbook.ui.window.menus import Menus
    from handbook.ui.window.panels import LazyDock
    from handbook.ui.window.session import PendingTab

__all__ = ["MainWindow"]

LIBRARY_RECORD_DELAY_MS = 300  # an opened book is listed in the library after its first page
CLOSED_TABS_KEPT = 20  # Ctrl+Shift+T goes back this many closed tabs
TAB_TEXT_CHARS = 28  # a tab's label, at most (its tool tip says it all)


class ClosedTab(NamedTuple):
    """A tab closed (Ctrl+W), for Ctrl+Shift+T: its book and the text at its top."""

    location: Path
    place: Place | None


class MainWindow(QMainWindow):
    def __init__(
        self,
        book: Book | None = None,
        make_renderer: RendererFactory | None = None,
        open_external: UrlOpener = QDesktopServices.openUrl,
        parent: QWidget | None = None,
        *,
        services: Services | None = None,
    ) -> None:
        """The window on ``book``, built now; without a book, an empty frame until
        :meth:`build` (start-up shows that first: see :meth:`show_opening`).

        ``make_renderer`` defaults to the core's renderer in the current page theme;
        without ``services`` the window opens the user's own (and closes them with itself)."""
        super().__init__(parent)
        self.setObjectName("main_window")
        self._first_expose: FirstExpose | None = None
        self._dialog: QWidget | None = None  # the last non-modal dialog shown (tests look)
        self._built = False
        self._start_page_html: str | None = None  # the page last kept for the next start...
        self._start_page_sha: dict[str, str] = {}  # ...and its chapter file's SHA-256
        if book is not None:
            self.build(book, services, make_renderer, open_external)

    # -- construction ----------------------------------------------------------------------

    def show_opening(
        self, settings: Settings, what: str, start_page: StartPage | None = None
    ) -> None:
        """The frame start-up shows before :meth:`build`: the window's saved size and place
        and the page read last (``start_page``, ui/app/start_page.py), else an "Opening ..." page.
        Only what this needs is imported before it is on screen; the panels, the actions and
        the book's modules load in :meth:`build`."""
        from PySide6.QtWidgets import QTextBrowser

        from handbook.ui.app.settings import restore_geometry

        if start_page is not None:
            from handbook.ui.app.start_page import StartPageView

            self.setCentralWidget(StartPageView(start_page, self))
        else:
            opening = QTextBrowser(self)  # no title yet: the window shows the application's name
            opening.setObjectName("opening_page")
            opening.setHtml(f"<p style='margin: 2em; font-size: large;'>Opening {what}\u2026</p>")
            self.setCentralWidget(opening)
        restore_geometry(self, settings)

    def build(
        self,
        book: Book,
        services: Services | None = None,
        make_renderer: RendererFactory | None = None,
        open_external: UrlOpener = QDesktopServices.openUrl,
    ) -> None:
        """Build the panels, menus and actions, a tab on ``book``, and wire them (once)."""
        from handbook.ui.app.services import open_services
        from handbook.ui.app.settings import restore_window
        from handbook.ui.bookmarks.handlers import BookmarkHandlers
        from handbook.ui.reader.navigation_handlers import NavigationHandlers
        from handbook.ui.reader.page_handlers import PageHandlers
        from handbook.ui.reader.tab import Shelf
        from handbook.ui.search.handlers import SearchHandlers
        from handbook.ui.window.actions import Actions
        from handbook.ui.window.book_handlers import BookHandlers

        assert not self._built, "MainWindow.build() is called once"
        self._owns_services = services is None
        if services is None:
            from PySide6.QtWidgets import QApplication

            app = QApplication.instance()
            assert isinstance(app, QApplication)
            services = open_services(app)
        self.services = services
        self.settings: Settings = services.settings
        self.themes: ThemeManager = services.themes
        self.bookmarks: BookmarkController = services.bookmarks
        self._open_external = open_external
        self.shelf = Shelf(make_renderer or self._themed_renderer)
        self._lives: dict[Reader, LiveHandlers] = {}  # each tab's book followed on disk
        self._tocs: dict[str, tuple[Book, TocModel]] = {}  # each book's tree, by identity
        self._closed: list[ClosedTab] = []  # Ctrl+Shift+T reopens the last
        self._wired = False  # _connect_signals has run (each new tab is connected then)
        self._replacing = False  # tabs being inserted or replaced: no tab change to follow
        self._active: Reader | None = None  # the tab the window follows now
        self._session_failed = False  # said once until a save succeeds
        self._bookmarks_book: Book | None = None  # the book the bookmarks were last given
        self.action_set: Actions = Actions(self)
        a = self.action_set
        self._build_panels(book, services.cache_dir)
        self.navigation: NavigationHandlers = NavigationHandlers(self.current, a, self)
        self.book_handlers: BookHandlers = BookHandlers(
            self.book, self.open_book_at, self.settings, services.data_dir, self._recent, self
        )
        self.bookmark_handlers: BookmarkHandlers = BookmarkHandlers(
            self.current,
            self.bookmarks,
            a,
            self.bookmarks_dock,
            lambda: self.bookmarks_panel,
            self.show_status,
            self.inform,
            self.open_book_at,
            self._resize_dock,
            self,
        )
        self.search_handlers: SearchHandlers = SearchHandlers(
            self.current,
            self.duplicate_tab,
            self.open_book_at,
            a,
            self.search_dock,
            lambda: self.search_panel,
            self.after_expose,
            self.isVisible,
            self,
        )
        self.page_handlers: PageHandlers = PageHandlers(
            self.current, self.readers, a, self.settings, self.show_status, self
        )
        self._active = self._add_reader(book)
        self._build_menus()
        self._connect_signals()
        if self.isVisible():  # start-up's frame is on screen: see _restore_docks
            self.setUpdatesEnabled(False)
            QTimer.singleShot(0, self._restore_docks)
        else:
            restore_window(self, self.settings)
        self._built = True
        self._book_opened()
        self._show_book_state()

    @Slot()
    def _restore_docks(self) -> None:
        """The docks' saved layout (else their default sizes), when they were added to a window
        already on screen: that waits for the layout pass after ``build``, which would size them
        anew, then lays the window out at once, and the window is not painted until then (it
        would show the docks too wide)."""
        from handbook.ui.app.settings import restore_docks
        from handbook.ui.window.panels import size_docks

        if not restore_docks(self, self.settings):
            size_docks(self, self.toc_panel)
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the docks' new sizes, now: not at the next layout pass
        self.setUpdatesEnabled(True)
        # Painted now, not on the update that re-enabling asks for: on Wayland (Qt 6.11) that
        # one was lost about every other start under load, and the window stayed on "Opening
        # the book..." (tests/reliability/scripts/wayland_check.sh shows it).
        self.repaint()

    def _build_panels(self, book: Book, cache_dir: Path | None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QTabWidget

        from handbook.ui.reader.progress import ReadingProgress
        from handbook.ui.window.panels import (
            LazyDock,
            build_bookmarks_panel,
            build_docks,
            build_navigation_bar,
            build_search_panel,
            build_toc_panel,
        )

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)  # one tab: no tab bar, the window as it always was
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.tabBar().setExpanding(False)
        self.setCentralWidget(self.tabs)
        self.toc_panel: TocPanel = build_toc_panel(book, self)
        self._tocs[book.identity] = (book, self.toc_panel.model())
        self.search_dock, self.bookmarks_dock = build_docks(self, self.toc_panel)
        self._search_panel: LazyDock[SearchPanel] = LazyDock(
            self.search_dock,
            lambda: build_search_panel(cache_dir, self, self.settings, self.services.data_dir),
            self._connect_search_panel,
            self.after_expose,
        )
        self._bookmarks_panel: LazyDock[BookmarksPanel] = LazyDock(
            self.bookmarks_dock,
            lambda: build_bookmarks_panel(self.bookmarks, self),
            self._connect_bookmarks_panel,
            self.after_expose,
        )
        self.navigation_bar = build_navigation_bar(self)
        self.statusBar().setObjectName("status_bar")
        self.progress: ReadingProgress = ReadingProgress(self)
        self.statusBar().addPermanentWidget(self.progress)

    @property
    def find_bar(self) -> FindBar:
        """The active tab's, built the first time it is asked for (Ctrl+F, F3), as are the two
        panels below."""
        return self.current().finder.get()

    @property
    def search_panel(self) -> SearchPanel:
        return self._search_panel.get()

    @property
    def bookmarks_panel(self) -> BookmarksPanel:
        return self._bookmarks_panel.get()

    def _build_menus(self) -> None:
        from handbook.ui.app.settings import WIDE_PAGE
        from handbook.ui.window.menus import build_menus, fill_toolbar, star_icon

        a = self.action_set
        self.menus: Menus = build_menus(self.menuBar(), a)
        fill_toolbar(self.navigation_bar, a)
        a.toggle_bookmark.setIcon(star_icon(self.palette()))
        a.theme_group.setExclusive(True)
        a.themes()[self.themes.mode()].setChecked(True)
        self.page_handlers.show_wide_page(self.settings.get(WIDE_PAGE))
        self.book_handlers.fill_recent_books()

    def _recent(self) -> QMenu:
        return self.menus.recent

    def _resize_dock(self, dock: QDockWidget, width: int) -> None:
        from PySide6.QtCore import Qt

        self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def _connect_signals(self) -> None:
        a = self.action_set
        marks, search, pages = self.bookmark_handlers, self.search_handlers, self.page_handlers
        nav = self.navigation
        # navigation: actions (the active tab's)
        a.back.triggered.connect(nav.go_back)
        a.forward.triggered.connect(nav.go_forward)
        a.previous_chapter.triggered.connect(nav.previous_chapter)
        a.next_chapter.triggered.connect(nav.next_chapter)
        nav.actions_updated.connect(marks.update_star)
        # navigation: the contents tree opens sections (in a new tab with the middle button)
        self.toc_panel.section_activated.connect(self.open_section)
        self.toc_panel.section_in_new_tab.connect(self.open_section_in_new_tab)
        self.toc_panel.link_activated.connect(lambda url: self.viewer.anchorClicked.emit(url))
        # tabs
        a.new_tab.triggered.connect(self._new_tab_from_library)
        a.close_tab.triggered.connect(self.close_current_tab)
        a.next_tab.triggered.connect(functools.partial(self.step_tab, +1))
        a.previous_tab.triggered.connect(functools.partial(self.step_tab, -1))
        a.reopen_tab.triggered.connect(self.reopen_closed_tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.tabCloseRequested.connect(self._close_tab_at)
        self.tabs.tabBar().tabMoved.connect(lambda _from, _to: self.save_tabs())
        # book
        a.open_book.triggered.connect(self.book_handlers.choose_book)
        a.open_file.triggered.connect(self.book_handlers.choose_file)
        a.library.triggered.connect(self.book_handlers.show_library)
        self.book_handlers.open_in_new_tab.connect(self._open_book_in_new_tab)
        self.menus.recent.triggered.connect(self.book_handlers.open_recent)
        a.quit.triggered.connect(self.close)
        # printing and PDF
        a.print.triggered.connect(pages.print_chapter)
        a.export_chapter_pdf.triggered.connect(pages.export_chapter_pdf)
        a.export_book_pdf.triggered.connect(pages.export_book_pdf)
        # the page's text
        a.copy.triggered.connect(lambda: self.viewer.copy())
        a.select_all.triggered.connect(lambda: self.viewer.selectAll())
        # find in page (the find bar's own signals: _connect_find_bar)
        a.find.triggered.connect(lambda: self.find_bar.open_bar())
        a.find_next.triggered.connect(lambda: self.find_bar.find_next())
        a.find_previous.triggered.connect(lambda: self.find_bar.find_previous())
        # search the book (the panel's own signals: _connect_search_panel)
        a.search.triggered.connect(self.show_search)
        a.show_search.toggled.connect(search.show_dock)
        self.search_dock.visibilityChanged.connect(self._search_panel.on_visibility)
        self.search_dock.visibilityChanged.connect(search.on_dock_visibility)
        a.clear_highlights.triggered.connect(lambda: self.highlighter.clear())
        # bookmarks
        a.add_bookmark.triggered.connect(marks.bookmark_this_section)
        a.toggle_bookmark.triggered.connect(marks.toggle_bookmark)
        a.show_bookmarks.toggled.connect(marks.show_dock)
        a.import_bookmarks.triggered.connect(marks.import_bookmarks)
        a.export_bookmarks.triggered.connect(marks.export_bookmarks)
        self.bookmarks_dock.visibilityChanged.connect(self._bookmarks_panel.on_visibility)
        self.bookmarks_dock.visibilityChanged.connect(marks.on_dock_visibility)
        self.bookmarks.changed.connect(marks.update_star)
        self.bookmarks.error.connect(self.show_status)
        self.bookmarks.notice.connect(marks.show_notice)
        self.toc_panel.context_menu_requested.connect(marks.offer_bookmark)
        # zoom and page font (the active tab's)
        a.zoom_in.triggered.connect(lambda: self.zoom.zoom_in())
        a.zoom_out.triggered.connect(lambda: self.zoom.zoom_out())
        a.reset_zoom.triggered.connect(lambda: self.zoom.reset_zoom())
        a.page_font.triggered.connect(pages.choose_page_font)
        a.reset_page_font.triggered.connect(lambda: self.zoom.reset_page_font())
        a.wide_page.toggled.connect(pages.set_wide_page)
        # themes
        for mode, action in a.themes().items():
            action.triggered.connect(functools.partial(self.themes.set_mode, mode))
        self.themes.mode_changed.connect(pages.on_theme_mode_changed)
        self.themes.page_theme_changed.connect(pages.on_page_theme_changed)
        # panels shown or hidden, and the keyboard focus between them
        a.show_contents.toggled.connect(self._show_contents)
        self.toc_panel.visibilityChanged.connect(self._on_contents_visibility)
        a.next_pane.triggered.connect(functools.partial(self.cycle_focus, +1))
        a.previous_pane.triggered.connect(functools.partial(self.cycle_focus, -1))
        self._set_tab_order()
        # the book follows its files on disk (each tab's: _connect_reader)
        a.follow_disk.toggled.connect(self._set_following)
        # help
        a.show_shortcuts.triggered.connect(self.show_shortcuts)
        a.about.triggered.connect(self.show_about)
        # each tab's reader: _connect_reader, as each tab is made
        self._wired = True
        for reader in self.readers():
            self._connect_reader(reader)

    def _connect_reader(self, reader: Reader) -> None:
        """A tab's reader, wired to the window: what it says reaches the status bar, the title,
        the tree and the actions while it is the active tab."""
        if not self._wired:
            return  # the first tab, made in build: connected with the rest in _connect_signals
        marks, live, viewer = self.bookmark_handlers, self._lives[reader], reader.viewer
        when_current = functools.partial(self._when_current, reader)
        # what the reader says, for the window while it is the tab shown
        reader.status.connect(when_current(self.show_status))
        reader.title_changed.connect(functools.partial(self._on_reader_title, reader))
        reader.section_shown.connect(when_current(self._on_section_shown))
        reader.navigated.connect(when_current(self.navigation.update_actions))
        viewer.top_section_changed.connect(when_current(self.toc_panel.select_section))
        viewer.top_section_changed.connect(when_current(lambda _section: marks.update_star()))
        bar = viewer.verticalScrollBar()
        bar.valueChanged.connect(when_current(lambda _value: self.progress.refresh()))
        viewer.page_filled.connect(when_current(self.progress.refresh))  # a long page, in slices
        viewer.status_message.connect(when_current(self.show_status))
        viewer.new_tab_requested.connect(self.open_section_in_new_tab)
        viewer.highlighted.connect(when_current(self._on_link_hovered))
        viewer.customContextMenuRequested.connect(when_current(marks.show_page_context_menu))
        reader.zoom.zoom_changed.connect(when_current(self.page_handlers.on_zoom_changed))
        # the reader's place, saved as they read
        reader.place_keeper.chapters_read_changed.connect(when_current(self._show_chapters_read))
        reader.place_keeper.saved.connect(when_current(self._on_place_saved))
        reader.place_keeper.saved.connect(lambda _place: self.save_tabs())  # the session too
        # keys of the page
        reader.search_key.activated.connect(self.show_search)
        reader.shortcuts_key.activated.connect(self.show_shortcuts)
        reader.clear_key.activated.connect(reader.highlighter.clear)
        # the book followed on disk
        live.watcher.changed.connect(live.on_disk_changed)
        reader.page.chapter_shown.connect(live.on_chapter_shown)
        live.book_reloaded.connect(self.follow_book)
        live.close_requested.connect(functools.partial(self._close_reader, reader))

    def _when_current(self, reader: Reader, slot: Callable[..., object]) -> Callable[..., None]:
        """``slot``, called only while ``reader``'s tab is the one shown."""

        def call(*args: object) -> None:
            if self.current() is reader:
                slot(*args)

        return call

    # the panels built on first use, connected once each, when built

    def _connect_find_bar(self, find_bar: FindBar) -> None:
        find_bar.closed.connect(self.focus_page)
        self.viewer.page_filled.connect(find_bar.find_again)  # the rest of a long page came
        self._set_tab_order()

    def _connect_search_panel(self, panel: SearchPanel) -> None:
        panel.hit_activated.connect(self.search_handlers.open_hit)
        panel.hit_in_new_tab.connect(self.search_handlers.open_hit_in_new_tab)
        panel.library_hit_activated.connect(self.search_handlers.open_library_hit)
        panel.close_requested.connect(self.search_handlers.close_search)
        self._set_tab_order()

    def _connect_bookmarks_panel(self, panel: BookmarksPanel) -> None:
        panel.bookmark_activated.connect(self.bookmark_handlers.open_bookmark)
        panel.bookmark_in_new_tab.connect(self.bookmark_handlers.open_bookmark_in_new_tab)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Tab: tree, page, find bar, search, bookmarks (those built so far)."""
        from handbook.ui.window.focus import set_tab_order

        reader = self.current()
        bar, search = reader.finder.built(), self._search_panel.built()
        marks = self._bookmarks_panel.built()
        tree, page = self.toc_panel.tree, reader.viewer
        search_chain = search.focus_chain() if search else []
        marks_chain = [marks.filter_edit, marks.tree] if marks else []
        set_tab_order([tree, page, bar and bar.field, *search_chain, *marks_chain])

    # -- the tabs --------------------------------------------------------------------------

    def current(self) -> Reader:
        """The active tab's reader."""
        reader = self.tabs.currentWidget()
        assert reader is not None
        return cast("Reader", reader)

    def readers(self) -> list[Reader]:
        """Every tab's reader, in tab order (a session's tab not shown yet has none)."""
        from handbook.ui.reader.tab import Reader

        widgets = (self.tabs.widget(i) for i in range(self.tabs.count()))
        return [w for w in widgets if isinstance(w, Reader)]

    def _add_reader(self, book: Book, at: int | None = None) -> Reader:
        """A tab on ``book`` (it opens nothing yet: see Reader.start / realize)."""
        from handbook.ui.live.handlers import LiveHandlers
        from handbook.ui.reader.tab import Reader

        shared = self.shelf.book_at(book.location())
        if shared is not None and shared.identity == book.identity:
            book = shared  # tabs on the same book share it
        reader = Reader(
            book,
            self.shelf,
            self.settings,
            self.services.places,
            self.themes.page_theme(),
            self._open_external,
            self._connect_find_bar,
            self.tabs,
        )
        self._lives[reader] = LiveHandlers(reader, self.settings, self.action_set.follow_disk)
        if self._active is not None:  # as wide as the others (the first: _build_menus)
            reader.viewer.set_column(self._active.viewer.column())
        index = self.tabs.count() if at is None else at
        self.tabs.insertTab(index, reader, _tab_text(book.title))
        self.tabs.setTabToolTip(index, book.title)
        self._connect_reader(reader)
        self._update_tab_actions()
        return reader

    def open_tab(self, book: Book, place: Place | None = None, *, show: bool = True) -> Reader:
        """A new tab on ``book`` after the active one, at ``place`` (else where the reader
        left the book), made the active tab unless ``show`` is False (then it renders when
        first shown)."""
        self.current().place_keeper.save_now()  # a tab on the same book starts where it is
        reader = self._add_reader(book, self.tabs.currentIndex() + 1)
        reader.start(place)
        if show:
            self.tabs.setCurrentWidget(reader)
        self.save_tabs()
        return reader

    def duplicate_tab(self) -> Reader:
        """A new tab on the active tab's book at its place, made the active tab."""
        here = self.current()
        return self.open_tab(here.book(), here.here())

    @Slot(str)
    def open_section_in_new_tab(self, section: str) -> bool:
        """A link, a tree entry, a search hit opened with the middle button or Ctrl."""
        from handbook.core.reading.place import Place

        here = self.current()
        if here.book().chapter(Place(section).chapter) is None:
            return self.open_section(section)  # says why in the status bar
        reader = self.open_tab(here.book(), Place(section))
        return reader.is_realized()

    @Slot()
    def _new_tab_from_library(self) -> None:
        """Ctrl+T: the Library, the active tab's book listed (now, not after its first page)
        and chosen in it."""
        self._record_in_library(self.book())
        self.book_handlers.show_library_for_new_tab()

    @Slot(str)
    def _open_book_in_new_tab(self, location: str) -> None:
        self.open_book_at(Path(location), new_tab=True)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        from handbook.ui.window.session import PendingTab

        if index < 0 or not self._built or self._replacing:
            return
        pending = self.tabs.widget(index)
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
        self._show_reader(reader)
        self.save_tabs()
        self._keep_last_book()

    def _keep_last_book(self) -> None:
        """The active tab's book is the one start-up opens (its first frame): written now,
        as the session is, so that a start after a crash opens the tab shown."""
        from handbook.ui.app.settings import LAST_BOOK

        location = str(self.book().location())
        if self.current().missing is None and self.settings.get(LAST_BOOK) != location:
            self.settings.set(LAST_BOOK, location)
            self.settings.sync()

    def _make_reader_for(self, pending: PendingTab, index: int) -> Reader:
        """The reader of a session's tab, made when it is first shown: its book read now (one
        a tab holds already is shared; one that cannot be read: the tab says why)."""
        from handbook.ui.window.session import load_tab_book

        book, missing = load_tab_book(pending.tab, self.shelf.book_at)
        self._replacing = True
        try:
            reader = self._add_reader(book, index)
            reader.missing = missing
            self.tabs.removeTab(index + 1)
            pending.deleteLater()
            self.tabs.setCurrentIndex(index)
        finally:
            self._replacing = False
        reader.start(pending.tab.place)
        return reader

    def restore_session(self) -> Place | None:
        """The last session's tabs around this window's tab (the active one, on its book),
        each made when first shown (its book read then: ten tabs start as fast as one).

        Returns where the active tab was when another tab of the session is on its book (its
        book's last place may be the other tab's), else None."""
        from handbook.core.storage.sqlite import StorageError
        from handbook.ui.window.session import PendingTab, arrange

        try:
            saved = self.services.places.session()
        except StorageError as exc:
            self.show_status(f"Your tabs could not be read: {exc}")
            return None
        before, after, place = arrange(saved, self.book())
        self._replacing = True
        try:
            for at, tab in enumerate(before):
                self.tabs.insertTab(at, PendingTab(tab, self.tabs), _tab_text(tab.title))
                self.tabs.setTabToolTip(at, tab.title)
            for tab in after:
                at = self.tabs.addTab(PendingTab(tab, self.tabs), _tab_text(tab.title))
                self.tabs.setTabToolTip(at, tab.title)
        finally:
            self._replacing = False
        self._update_tab_actions()
        return place

    def session_tabs(self) -> list[SessionTab]:
        """The tabs as the session keeps them: each book and the text at its top."""
        from dataclasses import replace  # here: not imported before start-up's first frame

        from handbook.core.reading.places import SessionTab
        from handbook.ui.window.session import PendingTab

        tabs: list[SessionTab] = []
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            active = index == self.tabs.currentIndex()
            if isinstance(widget, PendingTab):
                tabs.append(replace(widget.tab, active=active))
                continue
            reader = cast("Reader", widget)
            book = reader.book()
            title = self.tabs.tabToolTip(index) or book.title
            location = str(book.location())
            tabs.append(SessionTab(location, book.identity, title, reader.here(), active))
        return tabs

    @Slot()
    def save_tabs(self) -> None:
        """The session written now (a tab opened, closed, moved or shown, a place saved): one
        transaction, so that a start after a crash shows the tabs as they were."""
        from handbook.core.storage.sqlite import StorageError

        if not self._built:
            return
        try:
            self.services.places.save_session(self.session_tabs())
        except StorageError as exc:
            if not self._session_failed:
                self._session_failed = True
                self.show_status(f"Your tabs could not be saved: {exc}")
            return
        self._session_failed = False

    def _show_reader(self, reader: Reader) -> None:
        """The window follows the active tab: its tree, title, progress, bookmarks, search."""
        model = self._toc_for(reader.book())
        if self.toc_panel.model() is not model:
            self.toc_panel.set_model(model)
        self.toc_panel.model().set_read(reader.place_keeper.chapters_read())
        self.toc_panel.select_section(reader.current_section())
        self.progress.show_for(reader.viewer, reader.book())
        self.setWindowTitle(reader.title)
        if self._bookmarks_book is not reader.book():  # its bookmarks first, re-anchored
            self._bookmarks_book = reader.book()
            self.bookmarks.set_book(reader.book())
        self.navigation.update_actions()
        self.book_handlers.fill_recent_books()
        if not self.search_dock.isHidden():
            self.search_handlers.give_search_the_book()
        self._set_tab_order()
        self._update_tab_actions()

    def _toc_for(self, book: Book) -> TocModel:
        """``book``'s contents tree model (one per book, shared by its tabs)."""
        from handbook.ui.contents.toc_model import TocModel

        kept = self._tocs.get(book.identity)
        if kept is not None and kept[0] is book:
            return kept[1]
        model = TocModel(book, self)
        self._tocs[book.identity] = (book, model)
        return model

    @Slot(int)
    def step_tab(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next (previous) tab, round the end."""
        count = self.tabs.count()
        if count > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    @Slot()
    def close_current_tab(self) -> None:
        """Ctrl+W: the active tab closed (the last one stays: a window shows a book)."""
        self._close_tab_at(self.tabs.currentIndex())

    @Slot(int)
    def _close_tab_at(self, index: int) -> None:
        from handbook.ui.window.session import PendingTab

        if self.tabs.count() <= 1 or index < 0:
            return
        widget = self.tabs.widget(index)
        if isinstance(widget, PendingTab):  # a session's tab never shown
            self._closed.append(ClosedTab(Path(widget.tab.book_path), widget.tab.place))
            self.tabs.removeTab(index)
            widget.deleteLater()
        else:
            reader = cast("Reader", widget)
            reader.place_keeper.save_now()
            self._closed.append(ClosedTab(reader.book().location(), reader.here()))
            self._remove_reader(reader)
        del self._closed[:-CLOSED_TABS_KEPT]
        self._update_tab_actions()
        self.save_tabs()

    def _close_reader(self, reader: Reader) -> None:
        """A tab's "Close the Book" (its folder went away): the tab closed; the last, the
        window."""
        if self.tabs.count() <= 1:
            self.close()
        else:
            self._remove_reader(reader)

    def _remove_reader(self, reader: Reader) -> None:
        reader.close_down()
        live = self._lives.pop(reader)
        live.watcher.stop()
        self.tabs.removeTab(self.tabs.indexOf(reader))
        reader.hide()
        reader.deleteLater()
        self.shelf.keep_only(r.book() for r in self.readers())
        kept = {r.book().identity for r in self.readers()}
        for identity in [i for i in self._tocs if i not in kept]:
            del self._tocs[identity]  # its model goes with the window (a child)
        self._update_tab_actions()

    @Slot()
    def reopen_closed_tab(self) -> bool:
        """Ctrl+Shift+T: the tab closed last, again, at the text that was at its top."""
        while self._closed:
            closed = self._closed.pop()
            book = self._load_book(closed.location)
            if book is not None:
                self.open_tab(book, closed.place)
                return True
        self._update_tab_actions()
        return False

    def _update_tab_actions(self) -> None:
        a = self.action_set
        a.close_tab.setEnabled(self.tabs.count() > 1)
        a.next_tab.setEnabled(self.tabs.count() > 1)
        a.previous_tab.setEnabled(self.tabs.count() > 1)
        a.reopen_tab.setEnabled(bool(self._closed))

    def _on_reader_title(self, reader: Reader, title: str) -> None:
        index = self.tabs.indexOf(reader)
        if index >= 0:
            self.tabs.setTabText(index, _tab_text(title))
            self.tabs.setTabToolTip(index, title)
        if self.current() is reader:
            self.setWindowTitle(title)

    def _on_section_shown(self, section: str) -> None:
        self.toc_panel.select_section(section)
        self.progress.refresh()

    # -- the active tab, as the window's (tests and start-up use these) ----------------------

    @property
    def viewer(self) -> Viewer:
        return self.current().viewer

    @property
    def page(self) -> PageView:
        return self.current().page

    @property
    def highlighter(self) -> PageHighlighter:
        return self.current().highlighter

    @property
    def zoom(self) -> ZoomController:
        return self.current().zoom

    @property
    def place_keeper(self) -> PlaceKeeper:
        return self.current().place_keeper

    @property
    def live(self) -> LiveHandlers:
        return self._lives[self.current()]

    # -- the book --------------------------------------------------------------------------

    def book(self) -> Book:
        """The active tab's book."""
        return self.current().book()

    def open_book(self, book: Book) -> None:
        """Show another book in the active tab, at the place the reader left it (else its
        first chapter)."""
        shared = self.shelf.book_at(book.location())
        if shared is not None and shared.identity == book.identity:
            book = shared
        reader = self.current()
        reader.set_book(book)
        self.shelf.keep_only(r.book() for r in self.readers())
        self._book_opened()
        self._show_book_state()
        self.restore_place()
        self.save_tabs()
        self._keep_last_book()

    def _book_opened(self) -> None:
        """What follows the active tab's book: bookmarks, zoom, search, the recent books."""
        reader = self.current()
        book = reader.book()
        reader.start()
        self._show_reader(reader)
        self.search_handlers.book_opened()
        self.settings.add_recent_book(str(book.location()))
        self.book_handlers.fill_recent_books()
        self._lives[reader].book_opened(book)
        # once the first page is up: the library's write costs 2-6 ms
        QTimer.singleShot(LIBRARY_RECORD_DELAY_MS, self, lambda: self._record_in_library(book))

    def _record_in_library(self, book: Book) -> None:
        """The open book listed in the library, read now (a library that cannot be used, or
        was started again, is said in the status bar)."""
        from handbook import paths
        from handbook.core.library.store import record_read

        note = record_read(self.services.data_dir or paths.data_dir(), book)
        if note:
            self.statusBar().showMessage(note, 15000)

    @Slot(object, object)
    def follow_book(self, book: Book, chapters: frozenset[str] | None = None) -> None:
        """A book read again after its files changed on disk: each tab on it, the contents
        tree (its open rows and selection kept), the bookmarks (re-anchored), the search and
        the actions follow; the pages and the histories stay."""
        from handbook.ui.contents.toc_model import TocModel

        old = self.shelf.book_at(book.location()) or self.book()
        self.shelf.follow(book)
        for reader in self.readers():
            if reader.book().identity == book.identity:
                reader.follow_book(book)
        kept = self._tocs.get(book.identity)
        if kept is not None:
            model = kept[1]
            if book.toc != old.toc:
                model = TocModel(book, self)
                if self.toc_panel.model() is kept[1]:
                    self.toc_panel.replace_model(model)
                kept[1].deleteLater()
            self._tocs[book.identity] = (book, model)
        if self.book() is book:
            self._bookmarks_book = book
            self.bookmarks.set_book(book)
        self.navigation.update_actions()
        self.search_handlers.book_changed(book, chapters)

    def restore_place(self) -> None:
        """Continue where the reader left off in the active tab's book; else open its first
        chapter."""
        self.current().restore_place()

    def closeEvent(self, event: QCloseEvent) -> None:
        from handbook.ui.app.settings import LAST_BOOK, LAST_SECTION, save_window

        if not self._built:  # closed while the start-up frame was shown
            super().closeEvent(event)
            return
        search_panel = self._search_panel.built()
        if search_panel is not None:
            search_panel.stop()  # its indexes closed, builds still running told to stop
        for live in self._lives.values():
            live.watcher.stop()  # its inotify instance given back now
        save_window(self, self.settings)
        for reader in self.readers():
            reader.place_keeper.save_now()
        self.save_tabs()
        self._keep_start_page()
        self.settings.set(LAST_BOOK, str(self.book().location()))
        if self.viewer.current_chapter() is not None:
            self.settings.set(LAST_SECTION, self.current_section())
        if self._owns_services:
            self.services.close()
        elif not self.settings.sync():
            self.show_status("Your settings could not be saved")
        super().closeEvent(event)

    @Slot()
    def save_session(self) -> None:
        """The places, the window's geometry and docks and the settings, written now (a
        session ending, the application quitting)."""
        from handbook.ui.app.settings import LAST_BOOK, save_window

        if not self._built:
            return
        for reader in self.readers():
            reader.place_keeper.save_now()
        self.save_tabs()
        self._keep_start_page()
        save_window(self, self.settings)
        self.settings.set(LAST_BOOK, str(self.book().location()))
        self.settings.sync()

    @Slot(object)
    def _on_place_saved(self, _place: object) -> None:
        """Kept with each save of the place (a timer's slot, not the paint path), so that a
        start after a crash still shows the reader's page."""
        self._keep_start_page()

    def _keep_start_page(self) -> None:
        """The page on screen, for the next start's first frame (ui/app/start_page.py)."""
        import os

        from handbook.core.render.theme import DARK
        from handbook.ui.app import start_page
        from handbook.ui.app.settings import BOOK_FONT_FAMILY, BOOK_FONT_SIZE, BOOK_ZOOM, THEME

        chapter, html = self.viewer.current_chapter(), self.viewer.page_html()
        cache_dir = self.services.cache_dir
        if chapter is None or html is None or cache_dir is None or self.rendering():
            return
        book, source = self.book(), str(self.book().src / chapter)
        src = os.path.realpath(book.src)
        if os.path.commonpath([os.path.realpath(source), src]) != src:
            return  # a chapter leaving the book (a symlink out): its file is not read
        sha = self._start_page_sha.get(source) if self._start_page_html == html else None
        if sha is None:  # the chapter's file read and hashed once for a page, not at each save
            sha = start_page.source_sha256(source)
            self._start_page_html, self._start_page_sha = html, {}
            if sha is not None:
                self._start_page_sha[source] = sha
        if sha is None:
            return
        identity = book.identity
        page = start_page.StartPage(
            book=str(book.location()),
            identity=identity,
            chapter=chapter,
            source=source,
            source_sha256=sha,
            theme=self.settings.get(THEME),
            dark=self.themes.page_theme() is DARK,
            zoom=self.settings.get(BOOK_ZOOM, book=identity),
            family=self.settings.get(BOOK_FONT_FAMILY, book=identity),
            size=self.settings.get(BOOK_FONT_SIZE, book=identity),
            font=self.zoom.page_font().toString(),
            margin=self.viewer.document().documentMargin(),
            column=self.viewer.column() or 0,
            position=self.viewer.top_position(),
            html=html,
        )
        start_page.write(cache_dir, page)

    def show_start_messages(self) -> None:
        """Tell the reader, once, about anything found wrong at start (call after show())."""
        store = self.bookmarks.store
        found = (store.recovery_message or self.bookmarks.load_error, store.backup_error)
        message = " ".join(m for m in found if m)
        if self.settings.problem:
            message = f"{self.settings.problem} {message}".strip()
        if message:
            self.show_status(message, timeout_ms=0)
            self.inform("Bookmarks" if not self.settings.problem else "Handbook", message)

    def inform(self, title: str, text: str) -> QMessageBox:
        """A non-modal message box (tests find it in ``_dialog``; nothing waits for it)."""
        from handbook.ui.window.help import open_message

        self._dialog = box = open_message(self, title, text)
        return box

    def when_exposed(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the window is first on screen (before it is, not at all).

        Start-up renders the first chapter then, so the reader sees a window without waiting
        for the markdown stack to load.
        """
        if self._first_expose is None:
            self._first_expose = FirstExpose(self)
        self._first_expose.callbacks.append(callback)

    def after_expose(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` now if the window is on screen, else once it is."""
        handle = self.windowHandle()
        if handle is not None and handle.isExposed():
            callback()
        else:
            self.when_exposed(callback)

    def open_first_chapter(self) -> None:
        self.current().open_first_chapter()

    def _show_book_state(self) -> None:
        book = self.book()
        self.setWindowTitle(self.current().title)
        self.action_set.show_contents.setChecked(True)
        self.navigation.update_actions()
        problems = book.problems
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.show_status(f"This book has problems: {problems[0]}{more}", timeout_ms=0)

    def _load_book(self, path: Path) -> Book | None:
        """The book at ``path`` (one a tab holds already is shared), else None: said."""
        from PySide6.QtWidgets import QMessageBox

        from handbook.core.book.load import open_book
        from handbook.core.book.model import BookError

        shared = self.shelf.book_at(path)
        if shared is not None:
            return shared
        try:
            book, _start = open_book(path)
        except BookError as exc:
            QMessageBox.warning(self, "Cannot open this book", str(exc))
            return None
        return book

    def open_book_at(self, path: Path, new_tab: bool = False) -> bool:
        """Open the book at ``path`` (a chapter's file: its book, at that page) in the active
        tab, or in a new one."""
        from PySide6.QtWidgets import QMessageBox

        from handbook.core.book.load import open_book
        from handbook.core.book.model import BookError

        shared = self.shelf.book_at(path) if new_tab or self.tabs.count() > 1 else None
        start: str | None = None
        if shared is not None:  # a tab holds it: shared (one tab: read again, as it was)
            book = shared
        else:
            try:
                book, start = open_book(path)  # a chapter's file: its book, at that page
            except BookError as exc:
                QMessageBox.warning(self, "Cannot open this book", str(exc))
                return False
        if new_tab:
            from handbook.core.reading.place import Place

            self.open_tab(book, Place(start) if start else None)
            self.settings.add_recent_book(str(book.location()))
            QTimer.singleShot(LIBRARY_RECORD_DELAY_MS, self, lambda: self._record_in_library(book))
            return True
        self.open_book(book)
        if start:
            self.open_section(start)
        return True

    # -- sections (the active tab's) ---------------------------------------------------------

    @Slot(str)
    def open_section(self, section: str) -> bool:
        """Show ``section`` (a section id) at its heading; recorded in the history."""
        return self.current().open_section(section)

    def open_place(self, place: Place) -> bool:
        """Show ``place``'s text at the top of the page; recorded in the history."""
        return self.current().open_place(place)

    def current_section(self) -> str:
        return self.current().current_section()

    def show_place(self, place: Place) -> bool:
        """Show ``place`` without recording it in the history (Back and Forward do)."""
        return self.current().show_place(place)

    @Slot()
    def _show_chapters_read(self) -> None:
        self.toc_panel.model().set_read(self.place_keeper.chapters_read())

    def rendering(self) -> str | None:
        """The chapter being rendered off the UI thread (a placeholder shown meanwhile)."""
        return self.current().rendering()

    def reshow(self) -> None:
        """Render the chapter shown again (a new theme), with the same text at the top."""
        self.current().reshow()

    def clear_chapter_cache(self) -> None:
        """Forget rendered chapters (the next ones are rendered afresh, e.g. in a new theme)."""
        self.shelf.clear_pages()

    def _themed_renderer(self, book: Book) -> RenderChapter:
        from handbook.ui.reader.chapter_cache import default_renderer

        return default_renderer(book, self.themes.page_theme())

    # -- status bar ------------------------------------------------------------------------

    @Slot(str)
    def show_status(self, message: str, timeout_ms: int = 8000) -> None:
        if message:
            self.statusBar().showMessage(message, timeout_ms)
        else:
            self.statusBar().clearMessage()

    @Slot("QUrl")  # by name: QUrl's class (and its enums) is not loaded before the frame shows
    def _on_link_hovered(self, url: QUrl) -> None:
        if url.isEmpty():
            self.statusBar().clearMessage()
        else:
            self.statusBar().showMessage(url.toDisplayString())

    @Slot(bool)
    def _on_contents_visibility(self, _visible: bool) -> None:
        # hidden behind another tabbed dock, or with the window minimized, it is still open
        self.action_set.show_contents.setChecked(not self.toc_panel.isHidden())

    @Slot(bool)
    def _show_contents(self, show: bool) -> None:
        self.toc_panel.setVisible(show)
        if show:
            self.toc_panel.raise_()  # to the front of its tab group

    @Slot(bool)
    def _set_following(self, follow: bool) -> None:
        """View > Follow Changes on Disk, for every tab shown so far."""
        for reader, live in self._lives.items():
            if reader.is_realized() and reader.missing is None:
                live.set_following(follow)

    @Slot()
    def show_search(self) -> None:
        self.search_handlers.show_search()

    def page_context_menu(self, position: QPoint) -> QMenu:
        return self.bookmark_handlers.page_context_menu(position)

    @Slot()
    def focus_page(self) -> None:
        from PySide6.QtCore import Qt

        self.viewer.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- keyboard and help -----------------------------------------------------------------

    def _panes(self) -> list[QWidget]:
        """The panes F6 moves between, in the order Tab goes: tree, page, search, bookmarks."""
        search, marks = self._search_panel.built(), self._bookmarks_panel.built()
        panes = [self.toc_panel.tree, self.viewer, search and search.field, marks and marks.tree]
        return [p for p in panes if p is not None]  # one not built yet is not shown either

    @Slot()
    def cycle_focus(self, step: int) -> None:
        """F6 / Shift+F6: the next (previous) visible pane gets the keyboard focus."""
        from handbook.ui.window.focus import focus_next_pane

        focus_next_pane(self._panes(), step)

    @Slot()
    def show_shortcuts(self) -> None:
        from handbook.ui.window.help import open_shortcuts

        panel = self.bookmarks_panel
        more = [panel.undo_action, panel.redo_action, panel.delete_action]
        self._dialog = open_shortcuts(self, [*self.action_set.all(), *more])

    @Slot()
    def show_about(self) -> None:
        from handbook.ui.window.help import open_about

        self._dialog = open_about(self, self.book().format)


def _tab_text(title: str) -> str:
    """A tab's label: the page's title, shortened."""
    return title if len(title) <= TAB_TEXT_CHARS else title[: TAB_TEXT_CHARS - 1] + "\u2026"
