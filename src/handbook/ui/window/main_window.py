"""The main window: builds the panels, wires them in ``_connect_signals``, keeps the history.

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
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMainWindow, QWidget

from handbook.ui.app.first_expose import FirstExpose

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint, QUrl
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QMenu, QMessageBox

    from handbook.core.book.model import Book, RenderedChapter
    from handbook.core.reading.place import Place
    from handbook.ui.app.services import Services
    from handbook.ui.app.settings import Settings
    from handbook.ui.app.start_page import StartPage
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
    from handbook.ui.reader.viewer import UrlOpener, Viewer
    from handbook.ui.reader.zoom import ZoomController
    from handbook.ui.search.handlers import SearchHandlers
    from handbook.ui.search.panel import SearchPanel
    from handbook.ui.window.actions import Actions
    from handbook.ui.window.book_handlers import BookHandlers
    from handbook.ui.window.menus import Menus
    from handbook.ui.window.panels import Lazy, LazyDock

__all__ = ["MainWindow"]

LIBRARY_RECORD_DELAY_MS = 300  # an opened book is listed in the library after its first page


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
        """Build the panels, menus and actions for ``book`` and wire them (once)."""
        from handbook.ui.app.services import open_services
        from handbook.ui.app.settings import restore_window
        from handbook.ui.bookmarks.handlers import BookmarkHandlers
        from handbook.ui.reader.navigation_handlers import NavigationHandlers
        from handbook.ui.reader.page_handlers import PageHandlers
        from handbook.ui.reader.page_view import PageView
        from handbook.ui.reader.place_keeper import PlaceKeeper
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
        self._book = book
        self.action_set: Actions = Actions(self)
        self.book_handlers: BookHandlers = BookHandlers(self)
        self.navigation: NavigationHandlers = NavigationHandlers(self)
        self.bookmark_handlers: BookmarkHandlers = BookmarkHandlers(self)
        self.search_handlers: SearchHandlers = SearchHandlers(self)
        self.page_handlers: PageHandlers = PageHandlers(self)
        self._build_panels(open_external, services.cache_dir)
        self.page: PageView = PageView(
            book, self.viewer, make_renderer or self._themed_renderer, self.show_status, self
        )
        self.place_keeper: PlaceKeeper = PlaceKeeper(self.viewer, services.places, self)
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

    def _build_panels(self, open_external: UrlOpener, cache_dir: Path | None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence, QShortcut

        from handbook.ui.live.handlers import LiveHandlers
        from handbook.ui.reader.highlighter import PageHighlighter
        from handbook.ui.reader.progress import ReadingProgress
        from handbook.ui.reader.zoom import ZoomController
        from handbook.ui.window.panels import (
            Lazy,
            LazyDock,
            build_bookmarks_panel,
            build_docks,
            build_find_bar,
            build_navigation_bar,
            build_page_area,
            build_search_panel,
            build_toc_panel,
            build_viewer,
        )

        self.viewer: Viewer = build_viewer(self._book, open_external, self)
        self.highlighter: PageHighlighter = PageHighlighter(self.viewer, self.themes.page_theme())
        page = build_page_area(self.viewer, self)
        self.setCentralWidget(page)
        self.live: LiveHandlers = LiveHandlers(self, page)  # the book follows its files
        self.zoom: ZoomController = ZoomController(self.viewer, self.settings)
        self.toc_panel: TocPanel = build_toc_panel(self._book, self)
        self.search_dock, self.bookmarks_dock = build_docks(self, self.toc_panel)
        self._find_bar: Lazy[FindBar] = Lazy(
            lambda: build_find_bar(self.viewer, self.highlighter, page), self._connect_find_bar
        )
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
        self.progress: ReadingProgress = ReadingProgress(self.viewer, self)
        self.statusBar().addPermanentWidget(self.progress)

        # keys that belong to the page only (typing "/" in a field must stay a "/")
        page_only = Qt.ShortcutContext.WidgetShortcut
        self.search_key = QShortcut(QKeySequence("/"), self.viewer, context=page_only)
        self.shortcuts_key = QShortcut(QKeySequence("?"), self.viewer, context=page_only)
        self.clear_key = QShortcut(QKeySequence("Esc"), self.viewer, context=page_only)

    @property
    def find_bar(self) -> FindBar:
        """Built the first time it is asked for (Ctrl+F, F3), as are the two panels below."""
        return self._find_bar.get()

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

    def _connect_signals(self) -> None:
        a = self.action_set
        marks, search, pages = self.bookmark_handlers, self.search_handlers, self.page_handlers
        # navigation: actions
        a.back.triggered.connect(self.navigation.go_back)
        a.forward.triggered.connect(self.navigation.go_forward)
        a.previous_chapter.triggered.connect(self.navigation.previous_chapter)
        a.next_chapter.triggered.connect(self.navigation.next_chapter)
        # navigation: the contents tree and the page's links open sections
        self.toc_panel.section_activated.connect(self.open_section)
        self.toc_panel.link_activated.connect(self.viewer.anchorClicked)  # as a link on the page
        self.viewer.section_requested.connect(self.open_section)
        # a big chapter rendered off the UI thread is shown
        self.page.background_shown.connect(self._on_background_shown)
        self.page.place_missing.connect(self._on_place_missing)
        # a long page is filled in slices: a place in its rest is shown once it is in
        self.viewer.place_not_found.connect(self._on_place_missing)
        self.viewer.page_filled.connect(self.highlighter.relight)
        self.viewer.page_filled.connect(self.progress.refresh)
        # the tree follows the reader
        self.viewer.top_section_changed.connect(self.toc_panel.select_section)
        # the reader's place, saved as they read
        self.place_keeper.error.connect(self.show_status)
        self.place_keeper.chapters_read_changed.connect(self._show_chapters_read)
        self.place_keeper.saved.connect(self._on_place_saved)  # the page for the next start too
        # reading progress follows the page
        self.viewer.verticalScrollBar().valueChanged.connect(self.progress.refresh)
        # status bar
        self.viewer.status_message.connect(self.show_status)
        self.viewer.highlighted.connect(self._on_link_hovered)
        # book
        a.open_book.triggered.connect(self.book_handlers.choose_book)
        a.open_file.triggered.connect(self.book_handlers.choose_file)
        a.library.triggered.connect(self.book_handlers.show_library)
        self.menus.recent.triggered.connect(self.book_handlers.open_recent)
        a.quit.triggered.connect(self.close)
        # printing and PDF
        a.print.triggered.connect(pages.print_chapter)
        a.export_chapter_pdf.triggered.connect(pages.export_chapter_pdf)
        a.export_book_pdf.triggered.connect(pages.export_book_pdf)
        # the page's text
        a.copy.triggered.connect(self.viewer.copy)
        a.select_all.triggered.connect(self.viewer.selectAll)
        self.viewer.customContextMenuRequested.connect(marks.show_page_context_menu)
        # find in page (the find bar's own signals: _connect_find_bar)
        a.find.triggered.connect(lambda: self.find_bar.open_bar())
        a.find_next.triggered.connect(lambda: self.find_bar.find_next())
        a.find_previous.triggered.connect(lambda: self.find_bar.find_previous())
        # search the book (the panel's own signals: _connect_search_panel)
        a.search.triggered.connect(self.show_search)
        self.search_key.activated.connect(self.show_search)
        a.show_search.toggled.connect(search.show_dock)
        self.search_dock.visibilityChanged.connect(self._search_panel.on_visibility)
        self.search_dock.visibilityChanged.connect(search.on_dock_visibility)
        a.clear_highlights.triggered.connect(self.highlighter.clear)
        self.clear_key.activated.connect(self.highlighter.clear)
        # bookmarks
        a.add_bookmark.triggered.connect(marks.bookmark_this_section)
        a.toggle_bookmark.triggered.connect(marks.toggle_bookmark)
        a.show_bookmarks.toggled.connect(marks.show_dock)
        a.import_bookmarks.triggered.connect(marks.import_bookmarks)
        a.export_bookmarks.triggered.connect(marks.export_bookmarks)
        self.bookmarks_dock.visibilityChanged.connect(self._bookmarks_panel.on_visibility)
        self.bookmarks_dock.visibilityChanged.connect(marks.on_dock_visibility)
        self.bookmarks.changed.connect(marks.update_star)
        self.viewer.top_section_changed.connect(marks.update_star)
        self.bookmarks.error.connect(self.show_status)
        self.bookmarks.notice.connect(marks.show_notice)
        self.toc_panel.context_menu_requested.connect(marks.offer_bookmark)
        # zoom and page font
        a.zoom_in.triggered.connect(self.zoom.zoom_in)
        a.zoom_out.triggered.connect(self.zoom.zoom_out)
        a.reset_zoom.triggered.connect(self.zoom.reset_zoom)
        a.page_font.triggered.connect(pages.choose_page_font)
        a.reset_page_font.triggered.connect(self.zoom.reset_page_font)
        a.wide_page.toggled.connect(pages.set_wide_page)
        self.zoom.zoom_changed.connect(pages.on_zoom_changed)
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
        # the book follows its files on disk
        self.live.watcher.changed.connect(self.live.on_disk_changed)
        self.page.chapter_shown.connect(self.live.on_chapter_shown)
        a.follow_disk.toggled.connect(self.live.set_following)
        # help
        a.show_shortcuts.triggered.connect(self.show_shortcuts)
        self.shortcuts_key.activated.connect(self.show_shortcuts)
        a.about.triggered.connect(self.show_about)

    # the panels built on first use, connected once each, when built

    def _connect_find_bar(self, find_bar: FindBar) -> None:
        find_bar.closed.connect(self.focus_page)
        self.viewer.page_filled.connect(find_bar.find_again)  # the rest of a long page came
        self._set_tab_order()

    def _connect_search_panel(self, panel: SearchPanel) -> None:
        panel.hit_activated.connect(self.search_handlers.open_hit)
        panel.library_hit_activated.connect(self.search_handlers.open_library_hit)
        panel.close_requested.connect(self.search_handlers.close_search)
        self._set_tab_order()

    def _connect_bookmarks_panel(self, panel: BookmarksPanel) -> None:
        panel.bookmark_activated.connect(self.bookmark_handlers.open_bookmark)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Tab: tree, page, find bar, search, bookmarks (those built so far)."""
        from handbook.ui.window.focus import set_tab_order

        bar, search = self._find_bar.built(), self._search_panel.built()
        marks = self._bookmarks_panel.built()
        tree, page = self.toc_panel.tree, self.viewer
        search_chain = search.focus_chain() if search else []
        marks_chain = [marks.filter_edit, marks.tree] if marks else []
        set_tab_order([tree, page, bar and bar.field, *search_chain, *marks_chain])

    # -- the book --------------------------------------------------------------------------

    def book(self) -> Book:
        return self._book

    def open_book(self, book: Book) -> None:
        """Show another book, at the place the reader left it (else its first chapter)."""
        from handbook.ui.contents.toc_model import TocModel

        self.place_keeper.save_now()  # the place in the book being left
        old_model = self.toc_panel.model()
        self._book = book
        self.page.set_book(book)
        self.navigation.history.clear()
        self.toc_panel.set_model(TocModel(book, self))
        old_model.deleteLater()
        self.viewer.set_book(book)
        self._book_opened()
        self._show_book_state()
        self.restore_place()

    def _book_opened(self) -> None:
        """What follows the open book: bookmarks, zoom, search, the recent books."""
        from PySide6.QtCore import QSignalBlocker

        book = self._book
        self.place_keeper.set_book(book)
        self.progress.set_book(book)
        self.bookmarks.set_book(book)
        with QSignalBlocker(self.zoom):  # a book's zoom is no news in the status bar
            self.zoom.set_book(book.identity)
        self.search_handlers.book_opened()
        self.settings.add_recent_book(str(book.location()))
        self.book_handlers.fill_recent_books()
        self.bookmark_handlers.update_star()
        self.live.book_opened(book)
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

    def follow_book(self, book: Book) -> None:
        """The open book read again after its files changed on disk: the contents tree (its
        open rows and selection kept), the page's links, the bookmarks (re-anchored) and the
        actions follow; the page and the history stay."""
        from handbook.ui.contents.toc_model import TocModel

        old, self._book = self._book, book
        self.page.set_book_layout(book)
        self.viewer.follow_book(book)
        if book.toc != old.toc:
            old_model = self.toc_panel.model()
            self.toc_panel.replace_model(TocModel(book, self))
            old_model.deleteLater()
        self.bookmarks.set_book(book)
        self.navigation.update_actions()
        self.bookmark_handlers.update_star()

    def restore_place(self) -> None:
        """Continue where the reader left off in this book; else open its first chapter.

        In a book changed since, the place's text if it is still there, else the nearest
        section (the status bar says so)."""
        from handbook.core.reading.place import Place
        from handbook.ui.app.settings import LAST_BOOK, section_exists_in

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
        elif self.settings.get(LAST_BOOK) == str(self._book.location()):  # an older version
            section = self.settings.last_section(section_exists_in(self._book.chapter))
            if section and self.open_section(section):
                return
        self.open_first_chapter()

    def closeEvent(self, event: QCloseEvent) -> None:
        from handbook.ui.app.settings import LAST_BOOK, LAST_SECTION, save_window

        if not self._built:  # closed while the start-up frame was shown
            super().closeEvent(event)
            return
        search_panel = self._search_panel.built()
        if search_panel is not None:
            search_panel.stop()  # its indexes closed, builds still running told to stop
        self.live.watcher.stop()  # its inotify instance given back now
        save_window(self, self.settings)
        self.place_keeper.save_now()
        self._keep_start_page()
        self.settings.set(LAST_BOOK, str(self._book.location()))
        if self.viewer.current_chapter() is not None:
            self.settings.set(LAST_SECTION, self.current_section())
        if self._owns_services:
            self.services.close()
        elif not self.settings.sync():
            self.show_status("Your settings could not be saved")
        super().closeEvent(event)

    @Slot()
    def save_session(self) -> None:
        """The place, the window's geometry and docks and the settings, written now (a
        session ending, the application quitting)."""
        from handbook.ui.app.settings import LAST_BOOK, save_window

        if not self._built:
            return
        self.place_keeper.save_now()
        self._keep_start_page()
        save_window(self, self.settings)
        self.settings.set(LAST_BOOK, str(self._book.location()))
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
        book, source = self._book, str(self._book.src / chapter)
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
        chapters = self._book.chapters()
        if chapters and chapters[0].path:
            self.open_section(chapters[0].path)

    def _show_book_state(self) -> None:
        self.setWindowTitle(self._book.title)
        self.action_set.show_contents.setChecked(True)
        self.navigation.update_actions()
        problems = self._book.problems
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.show_status(f"This book has problems: {problems[0]}{more}", timeout_ms=0)

    def open_book_at(self, path: Path) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from handbook.core.book.load import open_book
        from handbook.core.book.model import BookError

        try:
            book, start = open_book(path)  # a chapter's file: its book, at that page
        except BookError as exc:
            QMessageBox.warning(self, "Cannot open this book", str(exc))
            return False
        self.open_book(book)
        if start:
            self.open_section(start)
        return True

    # -- sections --------------------------------------------------------------------------

    @Slot(str)
    def open_section(self, section: str) -> bool:
        """Show ``section`` (a section id) at its heading; recorded in the history."""
        from handbook.core.reading.place import Place

        return self.open_place(Place(section))

    def open_place(self, place: Place) -> bool:
        """Show ``place``'s text at the top of the page; recorded in the history."""
        leaving = self.navigation.here()
        if not self.show_place(place):
            return False
        self.navigation.history.visit(place, leaving)
        self.navigation.update_actions()
        return True

    def current_section(self) -> str:
        return self.viewer.current_section()

    def show_place(self, place: Place) -> bool:
        """Show ``place`` without recording it in the history (Back and Forward do)."""
        path, section = place.chapter, place.section
        node = self._book.chapter(path)
        if node is None:
            self.show_status(f"No such section in this book: {section}")
            return False
        if path == self.page.rendering():
            self.page.move_pending(place)
        elif path == self.viewer.current_chapter():
            if not self.viewer.go_to(place):
                self._on_place_missing(place)
        else:
            rendered = self.page.display(path, place)
            title = rendered.title if rendered is not None and rendered.title else node.title
            self.setWindowTitle(f"{title} — {self._book.title}")  # {{#title}} as mdBook
            if node.problem:
                self.show_status(f"This chapter cannot be shown: {node.problem}", timeout_ms=0)
            elif rendered is not None:
                self._show_notes(rendered)
        self.toc_panel.select_section(self.viewer.current_section())
        self.place_keeper.note_moved()
        self.progress.refresh()
        return True

    @Slot(object)
    def _on_background_shown(self, rendered: RenderedChapter) -> None:
        self.progress.refresh()
        self.statusBar().clearMessage()
        if rendered.title:
            self.setWindowTitle(f"{rendered.title} — {self._book.title}")
        self._show_notes(rendered)
        self.toc_panel.select_section(self.viewer.current_section())

    @Slot()
    def _show_chapters_read(self) -> None:
        self.toc_panel.model().set_read(self.place_keeper.chapters_read())

    @Slot(object)
    def _on_place_missing(self, place: Place) -> None:
        shown = self.viewer.current_section()
        node = self._book.chapter(place.chapter)
        anchors = {h.anchor for h in node.headings} if node is not None else set()
        if not place.quote and place.anchor is not None and place.anchor not in anchors:
            self.show_status(  # FILE#anchor or a link: never a place the reader was at
                f"No section #{place.anchor} in {place.chapter}: showing the nearest section",
                timeout_ms=0,
            )
            return
        what = "section" if place.anchor is not None and shown != place.section else "text"
        self.show_status(
            f"The {what} you were at is no longer in this chapter: showing the nearest section",
            timeout_ms=0,
        )

    def _show_notes(self, rendered: RenderedChapter) -> None:
        if rendered.notes:
            self.show_status("; ".join(rendered.notes), timeout_ms=0)

    def rendering(self) -> str | None:
        """The chapter being rendered off the UI thread (a placeholder shown meanwhile)."""
        return self.page.rendering()

    def reshow(self) -> None:
        """Render the chapter shown again (a new theme), with the same text at the top."""
        section = self.current_section()
        self.page.reshow()
        if self.viewer.current_chapter() is not None:
            self.toc_panel.select_section(section)

    def clear_chapter_cache(self) -> None:
        """Forget rendered chapters (the next ones are rendered afresh, e.g. in a new theme)."""
        self.page.clear()

    def _themed_renderer(self, book: Book) -> RenderChapter:
        from handbook.ui.reader.chapter_cache import default_renderer

        return default_renderer(book, self.themes.page_theme())

    # -- status bar ------------------------------------------------------------------------

    @Slot(str)
    def show_status(self, message: str, timeout_ms: int = 8000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

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

        self._dialog = open_about(self, self._book.format)
