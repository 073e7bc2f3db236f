"""The main window, a thin shell: the tabs, the docks, the menus, and the one place where
signals are wired (``_connect_signals``; each tab's reader in ``_connect_reader``).

The tabs and the session are a :class:`~handbook.ui.window.tabs.Tabs` controller's (each tab a
:class:`~handbook.ui.reader.tab.Reader`: one book at one place, with its own page, history, find
bar and zoom); the docks (contents, search, bookmarks), the status bar, the title and the
actions follow the active tab; ``window.viewer``, ``window.page``, ``window.open_section``... are
the active tab's. Controllers and panels are given what they use and know nothing of each other
nor of the window: everything between them goes through ``_connect_signals``. The find bar, the
search panel and the bookmarks panel are built on first use
(:class:`~handbook.ui.window.panels.Lazy`, to keep start-up short), each connected once built by
its ``_connect_find_bar`` / ``_connect_search_panel`` / ``_connect_bookmarks_panel``. Actions
are declared in ``ui/window/actions.py`` and placed in menus by ``ui/window/menus.py``;
settings, themes, bookmarks and the cache folder come in as
:class:`~handbook.ui.app.services.Services` (``ui/app/run.py`` opens them).

Start-up comes in two steps (``ui/app/run.py``): :meth:`MainWindow.show_opening` puts the frame on
screen, then :meth:`MainWindow.build` builds the rest. So that the frame appears first, this
module imports at its top only what the frame needs; the modules of the panels, actions and
handlers are imported where they are used (mostly in ``build``), not at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMainWindow, QWidget

from handbook.ui.app.first_expose import FirstExpose

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint, QUrl
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QDockWidget, QMenu, QMessageBox, QTabWidget

    from handbook.core.book.model import Book
    from handbook.core.reading.place import Place
    from handbook.ui.app.services import Services
    from handbook.ui.app.settings import Settings
    from handbook.ui.app.start_page import StartPage
    from handbook.ui.app.start_page_keeper import StartPageKeeper
    from handbook.ui.app.themes import ThemeManager
    from handbook.ui.bookmarks.controller import BookmarkController
    from handbook.ui.bookmarks.handlers import BookmarkHandlers
    from handbook.ui.bookmarks.panel import BookmarksPanel
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
    from handbook.ui.reader.tab import Reader, Shelf
    from handbook.ui.reader.viewer import UrlOpener, Viewer
    from handbook.ui.reader.zoom import ZoomController
    from handbook.ui.search.handlers import SearchHandlers
    from handbook.ui.search.panel import SearchPanel
    from handbook.ui.window.actions import Actions
    from handbook.ui.window.book_handlers import BookHandlers
    from handbook.ui.window.menus import Menus
    from handbook.ui.window.panels import LazyDock
    from handbook.ui.window.tabs import Tabs

__all__ = ["MainWindow"]


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
        from handbook.ui.app.start_page_keeper import StartPageKeeper
        from handbook.ui.bookmarks.handlers import BookmarkHandlers
        from handbook.ui.reader.navigation_handlers import NavigationHandlers
        from handbook.ui.reader.page_handlers import PageHandlers
        from handbook.ui.reader.tab import Shelf
        from handbook.ui.search.handlers import SearchHandlers
        from handbook.ui.window.actions import Actions
        from handbook.ui.window.book_handlers import BookHandlers
        from handbook.ui.window.tabs import Tabs

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
        self.shelf: Shelf = Shelf(make_renderer or self._themed_renderer)
        self.start_page: StartPageKeeper = StartPageKeeper(
            services.cache_dir, self.settings, self.themes
        )
        self._bookmarks_book: Book | None = None  # the book the bookmarks were last given
        self.action_set: Actions = Actions(self)
        a = self.action_set
        self.tab_set: Tabs = Tabs(
            self.shelf, services.places, self.settings, self._make_reader, self._make_live, self
        )
        self.tabs: QTabWidget = self.tab_set.widget
        self.setCentralWidget(self.tabs)
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
            self.tab_set.duplicate,
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
        self.tab_set.add_first(book)
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

    def _make_reader(self, book: Book, parent: QWidget) -> Reader:
        """A tab's reader on ``book`` (the tabs' factory)."""
        from handbook.ui.reader.tab import Reader

        return Reader(
            book,
            self.shelf,
            self.settings,
            self.services.places,
            self.themes.page_theme(),
            self._open_external,
            self._connect_find_bar,
            parent,
        )

    def _make_live(self, reader: Reader) -> LiveHandlers:
        from handbook.ui.live.handlers import LiveHandlers

        return LiveHandlers(
            reader,
            self.settings,
            self.action_set.follow_disk,
            peers=lambda: self.tab_set.peers_of(reader),
        )

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
        from handbook.ui.reader.progress import ReadingProgress
        from handbook.ui.window.panels import (
            LazyDock,
            build_bookmarks_panel,
            build_docks,
            build_navigation_bar,
            build_search_panel,
            build_toc_panel,
        )

        self.toc_panel: TocPanel = build_toc_panel(book, self)
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
        nav, tabs = self.navigation, self.tab_set
        # navigation: actions (the active tab's)
        a.back.triggered.connect(nav.go_back)
        a.forward.triggered.connect(nav.go_forward)
        a.previous_chapter.triggered.connect(nav.previous_chapter)
        a.next_chapter.triggered.connect(nav.next_chapter)
        nav.actions_updated.connect(marks.update_star)
        # navigation: the contents tree opens sections (in a new tab with the middle button)
        self.toc_panel.section_activated.connect(self.open_section)
        self.toc_panel.section_in_new_tab.connect(tabs.open_section_in_new_tab)
        self.toc_panel.link_activated.connect(lambda url: self.viewer.anchorClicked.emit(url))
        # tabs (each new tab's reader: _connect_reader)
        a.new_tab.triggered.connect(self.book_handlers.new_tab_from_library)
        a.close_tab.triggered.connect(tabs.close_current)
        a.next_tab.triggered.connect(functools.partial(tabs.step, +1))
        a.previous_tab.triggered.connect(functools.partial(tabs.step, -1))
        a.reopen_tab.triggered.connect(tabs.reopen_closed)
        self.tabs.currentChanged.connect(tabs.on_current_index)
        self.tabs.tabCloseRequested.connect(tabs.close_at)
        self.tabs.tabBar().tabMoved.connect(lambda _from, _to: tabs.save())
        tabs.current_changed.connect(self._show_reader)
        tabs.reader_added.connect(self._connect_reader)
        tabs.reader_closed.connect(self._on_reader_closed)
        tabs.tabs_changed.connect(self._update_tab_actions)
        tabs.status.connect(self.show_status)
        # book
        a.open_book.triggered.connect(self.book_handlers.choose_book)
        a.open_file.triggered.connect(self.book_handlers.choose_file)
        a.library.triggered.connect(self.book_handlers.show_library)
        self.book_handlers.open_in_new_tab.connect(self._open_book_in_new_tab)
        self.book_handlers.status.connect(self.show_status)
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
        a.follow_disk.toggled.connect(tabs.set_following)
        # help
        a.show_shortcuts.triggered.connect(self.show_shortcuts)
        a.about.triggered.connect(self.show_about)
        # each tab's reader: _connect_reader, as each tab is made (tabs.reader_added)
        for reader in self.readers():
            self._connect_reader(reader)

    def _connect_reader(self, reader: Reader) -> None:
        """A tab's reader, wired to the window: what it says reaches the status bar, the title,
        the tree and the actions while it is the active tab."""
        marks, viewer = self.bookmark_handlers, reader.viewer
        live = self.tab_set.live(reader)
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
        viewer.new_tab_requested.connect(self.tab_set.open_section_in_new_tab)
        viewer.highlighted.connect(when_current(self._on_link_hovered))
        viewer.customContextMenuRequested.connect(when_current(marks.show_page_context_menu))
        reader.zoom.zoom_changed.connect(when_current(self.page_handlers.on_zoom_changed))
        # the reader's place, saved as they read: the page for the next start, the session
        reader.place_keeper.chapters_read_changed.connect(when_current(self._show_chapters_read))
        reader.place_keeper.saved.connect(when_current(lambda _place: self.start_page.keep(reader)))
        reader.place_keeper.saved.connect(lambda _place: self.save_tabs())
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
        panel.runner.index_ready.connect(self._on_index_ready)
        self._set_tab_order()

    def _on_index_ready(self, _sections: int) -> None:
        """The searched book is indexed: the tabs on it render the rest of it ahead."""
        book = self.search_handlers.searched_book()
        for reader in self.readers():
            if book is not None and reader.book().identity == book.identity:
                reader.page.book_indexed()

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

    # -- the tabs (ui/window/tabs.py's) ------------------------------------------------------

    def current(self) -> Reader:
        """The active tab's reader."""
        return self.tab_set.current()

    def readers(self) -> list[Reader]:
        """Every tab's reader, in tab order (a session's tab not shown yet has none)."""
        return self.tab_set.readers()

    def open_tab(self, book: Book, place: Place | None = None, *, show: bool = True) -> Reader:
        return self.tab_set.open_tab(book, place, show=show)

    @Slot(str)
    def open_section_in_new_tab(self, section: str) -> bool:
        return self.tab_set.open_section_in_new_tab(section)

    def step_tab(self, step: int) -> None:
        self.tab_set.step(step)

    def close_current_tab(self) -> None:
        self.tab_set.close_current()

    def restore_session(self) -> Place | None:
        """The last session's tabs around the active one (see Tabs.restore_session)."""
        return self.tab_set.restore_session()

    @Slot()
    def save_tabs(self) -> None:
        """The session written now (Tabs.save)."""
        if self._built:
            self.tab_set.save()

    @Slot(str)
    def _open_book_in_new_tab(self, location: str) -> None:
        self.open_book_at(Path(location), new_tab=True)

    @Slot(object)
    def _show_reader(self, reader: Reader) -> None:
        """The window follows the active tab: its tree, title, progress, bookmarks, search."""
        chapters_read = reader.place_keeper.chapters_read()
        self.toc_panel.show_book(reader.book(), chapters_read, reader.current_section())
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

    @Slot(object)
    def _on_reader_closed(self, _reader: Reader) -> None:
        self.toc_panel.keep_books({r.book().identity for r in self.readers()})

    def _close_reader(self, reader: Reader) -> None:
        """A tab's "Close the Book" (its folder went away): every tab on the book closed; the
        last, the window."""
        identity = reader.book().identity
        for tab in [r for r in self.readers() if r.book().identity == identity]:
            if not self.tab_set.close_reader(tab):
                self.close()
                return

    @Slot()
    def _update_tab_actions(self) -> None:
        a, several = self.action_set, self.tab_set.count() > 1
        a.close_tab.setEnabled(several)
        a.next_tab.setEnabled(several)
        a.previous_tab.setEnabled(several)
        a.reopen_tab.setEnabled(self.tab_set.can_reopen())

    def _on_reader_title(self, reader: Reader, title: str) -> None:
        self.tab_set.set_title(reader, title)
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
        return self.tab_set.live(self.current())

    # -- the book --------------------------------------------------------------------------

    def book(self) -> Book:
        """The active tab's book."""
        return self.current().book()

    def open_book(self, book: Book) -> None:
        """Show another book in the active tab, at the place the reader left it (else its
        first chapter)."""
        self.tab_set.show_book(book)
        self._book_opened()
        self._show_book_state()
        self.restore_place()
        self.save_tabs()
        self.tab_set.keep_last_book()

    def _book_opened(self) -> None:
        """What follows the active tab's book: bookmarks, zoom, search, the recent books."""
        reader = self.current()
        book = reader.book()
        reader.start()
        self._show_reader(reader)
        self.search_handlers.book_opened()
        self.settings.add_recent_book(str(book.location()))
        self.book_handlers.fill_recent_books()
        self.tab_set.live(reader).book_opened(book)
        self.book_handlers.record_later(book)

    @Slot(object, object)
    def follow_book(self, book: Book, chapters: frozenset[str] | None = None) -> None:
        """A book read again after its files changed on disk: each tab on it, the contents
        tree (its open rows and selection kept), the bookmarks (re-anchored), the search and
        the actions follow; the pages and the histories stay."""
        old = self.tab_set.follow_book(book)
        self.toc_panel.follow_book(book, book.toc != old.toc)
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
        self.tab_set.stop_watching()  # their inotify instances given back now
        save_window(self, self.settings)
        for reader in self.readers():
            reader.place_keeper.save_now()
        self.save_tabs()
        self.start_page.keep(self.current())
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
        self.start_page.keep(self.current())
        save_window(self, self.settings)
        self.settings.set(LAST_BOOK, str(self.book().location()))
        self.settings.sync()

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

    def open_book_at(self, path: Path, new_tab: bool = False) -> bool:
        """Open the book at ``path`` (a chapter's file: its book, at that page) in the active
        tab, or in a new one."""
        found = self.tab_set.book_for(path, shared=new_tab or self.tab_set.count() > 1)
        if found is None:
            return False  # said
        book, start = found  # a tab holds it: shared (one tab: read again, as it was)
        if new_tab:
            from handbook.core.reading.place import Place

            self.open_tab(book, Place(start) if start else None)
            self.settings.add_recent_book(str(book.location()))
            self.book_handlers.record_later(book)
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
