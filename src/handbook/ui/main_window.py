"""The main window: builds the panels, wires them in ``_connect_signals``, keeps the history.

Panels are built in ``_build_panels`` and know nothing of each other; everything between them
goes through ``_connect_signals``. New docks (search, bookmarks) and bars (find) are added at
the places marked "later" in both methods, and their actions in ``ui/actions.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QWindow
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QToolBar, QWidget

from handbook.core.history import History, HistoryEntry
from handbook.core.model import Book, BookError, RenderedChapter, split_section_id
from handbook.ui.actions import Actions
from handbook.ui.toc_model import TocModel
from handbook.ui.toc_panel import TocPanel
from handbook.ui.viewer import UrlOpener, Viewer

RenderChapter = Callable[[str], RenderedChapter]
RendererFactory = Callable[[Book], RenderChapter]
CHAPTER_CACHE_SIZE = 12  # rendered chapters kept: going back and forth re-renders nothing


def default_renderer(book: Book) -> RenderChapter:
    # Imported here, not at the top: markdown, pygments and nh3 load after the window shows.
    from handbook.core.render import Renderer

    return Renderer(book).render


class _FirstExpose(QObject):
    """Calls back once, when its window is first exposed (drawn on screen)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.callbacks: list[Callable[[], object]] = []
        window.winId()  # the native window exists from now on: its Expose event is the one
        handle = window.windowHandle()
        assert handle is not None
        handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        exposed = isinstance(watched, QWindow) and watched.isExposed()
        if event.type() == QEvent.Type.Expose and exposed:
            watched.removeEventFilter(self)
            for callback in self.callbacks:
                callback()
        return False


class MainWindow(QMainWindow):
    def __init__(
        self,
        book: Book,
        make_renderer: RendererFactory = default_renderer,
        open_external: UrlOpener = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self._book = book
        self._make_renderer = make_renderer
        self._render_uncached: RenderChapter | None = None
        self._render = functools.lru_cache(maxsize=CHAPTER_CACHE_SIZE)(self._render_chapter)
        self._history = History()
        self._first_expose: _FirstExpose | None = None
        self.action_set = Actions(self)
        self._build_panels(open_external)
        self._build_menus()
        self._connect_signals()
        self._show_book_state()

    # -- construction ----------------------------------------------------------------------

    def _build_panels(self, open_external: UrlOpener) -> None:
        self.viewer = Viewer(self._book, open_external, self)
        self.viewer.setObjectName("viewer")
        self.setCentralWidget(self.viewer)

        self.toc_panel = TocPanel(TocModel(self._book, self), self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.toc_panel)
        self.resizeDocks([self.toc_panel], [320], Qt.Orientation.Horizontal)
        # later: the search dock (tabified with the contents), the bookmarks dock,
        # and the find bar (above the viewer) are built here.

        self.navigation_bar = QToolBar("Navigation", self)
        self.navigation_bar.setObjectName("navigation_toolbar")
        self.navigation_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.navigation_bar)
        self.statusBar().setObjectName("status_bar")
        self.resize(1100, 760)

    def _build_menus(self) -> None:
        a = self.action_set
        self.navigation_bar.addActions([a.back, a.forward, a.previous_chapter, a.next_chapter])
        menus = self.menuBar()
        book_menu = menus.addMenu("&Book")
        book_menu.addActions([a.open_book])
        book_menu.addSeparator()
        book_menu.addActions([a.quit])
        # later: an Edit menu (find, copy), a Bookmarks menu.
        go_menu = menus.addMenu("&Go")
        go_menu.addActions([a.back, a.forward])
        go_menu.addSeparator()
        go_menu.addActions([a.previous_chapter, a.next_chapter])
        view_menu = menus.addMenu("&View")
        view_menu.addActions([a.show_contents])
        # later: zoom and theme actions in the View menu.

    def _connect_signals(self) -> None:
        a = self.action_set
        # navigation: actions
        a.back.triggered.connect(self.go_back)
        a.forward.triggered.connect(self.go_forward)
        a.previous_chapter.triggered.connect(self.previous_chapter)
        a.next_chapter.triggered.connect(self.next_chapter)
        # navigation: the contents tree and the page's links open sections
        self.toc_panel.section_activated.connect(self.open_section)
        self.viewer.section_requested.connect(self.open_section)
        # the tree follows the reader
        self.viewer.top_section_changed.connect(self.toc_panel.select_section)
        # status bar
        self.viewer.status_message.connect(self.show_status)
        self.viewer.highlighted.connect(self._on_link_hovered)
        # book
        a.open_book.triggered.connect(self._choose_book)
        a.quit.triggered.connect(self.close)
        # panels shown or hidden
        a.show_contents.toggled.connect(self._show_contents)
        self.toc_panel.visibilityChanged.connect(self._on_contents_visibility)
        # later: search results and bookmarks open sections through open_section; the
        # bookmarks panel adds "Bookmark this section" via toc_panel.context_menu_requested.

    # -- the book --------------------------------------------------------------------------

    def book(self) -> Book:
        return self._book

    def open_book(self, book: Book) -> None:
        """Show another book, at its first chapter."""
        old_model = self.toc_panel.model()
        self._book = book
        self._render_uncached = None
        self.clear_chapter_cache()
        self._history.clear()
        self.toc_panel.set_model(TocModel(book, self))
        old_model.deleteLater()
        self.viewer.set_book(book)
        self._show_book_state()
        self.open_first_chapter()

    def when_exposed(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the window is first on screen (before it is, not at all).

        Start-up renders the first chapter then, so the reader sees a window without waiting
        for the markdown stack to load.
        """
        if self._first_expose is None:
            self._first_expose = _FirstExpose(self)
        self._first_expose.callbacks.append(callback)

    def open_first_chapter(self) -> None:
        chapters = self._book.chapters()
        if chapters and chapters[0].path:
            self.open_section(chapters[0].path)

    def _show_book_state(self) -> None:
        self.setWindowTitle(self._book.title)
        self.action_set.show_contents.setChecked(True)
        self._update_actions()
        problems = self._book.problems
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.show_status(f"This book has problems: {problems[0]}{more}", timeout_ms=0)

    @Slot()
    def _choose_book(self) -> None:
        start = str(self._book.root.parent)
        folder = QFileDialog.getExistingDirectory(self, "Open Book", start)
        if folder:
            self.open_book_at(Path(folder))

    def open_book_at(self, path: Path) -> bool:
        from handbook.core.book import load_book

        try:
            book = load_book(path)
        except BookError as exc:
            QMessageBox.warning(self, "Cannot open this book", str(exc))
            return False
        self.open_book(book)
        return True

    # -- sections --------------------------------------------------------------------------

    @Slot(str)
    def open_section(self, section: str, scroll: int | None = None) -> bool:
        """Show ``section`` (a section id), at ``scroll`` if given; recorded in the history."""
        leaving = self._here()
        if not self._show(section, scroll):
            return False
        self._history.visit(HistoryEntry(section, scroll), leaving)
        self._update_actions()
        return True

    def current_section(self) -> str:
        return self.viewer.current_section()

    @Slot()
    def go_back(self) -> None:
        entry = self._history.back(self._here())
        if entry is not None:
            self._show(entry.section, entry.scroll)
        self._update_actions()

    @Slot()
    def go_forward(self) -> None:
        entry = self._history.forward(self._here())
        if entry is not None:
            self._show(entry.section, entry.scroll)
        self._update_actions()

    @Slot()
    def previous_chapter(self) -> None:
        self._open_neighbour(-1)

    @Slot()
    def next_chapter(self) -> None:
        self._open_neighbour(+1)

    def _neighbour(self, step: int) -> str | None:
        paths = [c.path for c in self._book.chapters()]
        current = self.viewer.current_chapter()
        if current not in paths:
            return None
        at = paths.index(current) + step
        return paths[at] if 0 <= at < len(paths) else None

    def _open_neighbour(self, step: int) -> None:
        target = self._neighbour(step)
        if target is not None:
            self.open_section(target)

    def _here(self) -> HistoryEntry | None:
        if self.viewer.current_chapter() is None:
            return None
        return HistoryEntry(self.viewer.current_section(), self.viewer.scroll_position())

    def _show(self, section: str, scroll: int | None) -> bool:
        path, anchor = split_section_id(section)
        node = self._book.chapter(path)
        if node is None:
            self.show_status(f"No such section in this book: {section}")
            return False
        if path == self.viewer.current_chapter():
            self.viewer.go_to(anchor, scroll)
        else:
            rendered = self._render(path)
            self.viewer.show_chapter(rendered, anchor, scroll)
            self.setWindowTitle(f"{node.title} — {self._book.title}")
            if node.problem:
                self.show_status(f"This chapter cannot be shown: {node.problem}", timeout_ms=0)
            elif rendered.notes:
                self.show_status("; ".join(rendered.notes), timeout_ms=0)
        self.toc_panel.select_section(self.viewer.current_section())
        return True

    def clear_chapter_cache(self) -> None:
        """Forget rendered chapters (the next ones are rendered afresh, e.g. in a new theme)."""
        self._render.cache_clear()

    def _render_chapter(self, path: str) -> RenderedChapter:
        if self._render_uncached is None:
            self._render_uncached = self._make_renderer(self._book)
        return self._render_uncached(path)

    def _update_actions(self) -> None:
        self.action_set.back.setEnabled(self._history.can_go_back())
        self.action_set.forward.setEnabled(self._history.can_go_forward())
        self.action_set.previous_chapter.setEnabled(self._neighbour(-1) is not None)
        self.action_set.next_chapter.setEnabled(self._neighbour(+1) is not None)

    # -- status bar ------------------------------------------------------------------------

    @Slot(str)
    def show_status(self, message: str, timeout_ms: int = 8000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    @Slot(QUrl)
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
