"""The window's panels, built here: the page, the contents, and the three built on first use.

The find bar, the search panel and the bookmarks panel cost start-up time (their modules pull
the search index, the bookmark model, sqlite3) and are not seen at start, so each is a
:class:`Lazy`: built, with its module imported, the first time it is asked for (its action or
shortcut, or its dock shown). Their docks exist from the start, empty, so that
``restoreState`` finds them; a dock restored visible gets its panel once the window is on
screen. ``MainWindow`` connects a panel in its ``_connect_<panel>`` method once it is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QVBoxLayout, QWidget

from handbook.core.book.model import Book
from handbook.ui.contents.toc_model import TocModel
from handbook.ui.contents.toc_panel import TocPanel
from handbook.ui.reader.highlighter import PageHighlighter
from handbook.ui.reader.viewer import UrlOpener, Viewer

if TYPE_CHECKING:
    from handbook.ui.app.settings import Settings
    from handbook.ui.bookmarks.controller import BookmarkController
    from handbook.ui.bookmarks.panel import BookmarksPanel
    from handbook.ui.reader.find_bar import FindBar
    from handbook.ui.search.panel import SearchPanel

PAGE_MARGIN = 24  # pixels around the page's text
CONTENTS_WIDTH = 320  # the contents dock, until the reader resizes it

W = TypeVar("W", bound=QWidget)


class Lazy(Generic[W]):
    """A widget built by ``build`` the first time :meth:`get` is called, then given to
    ``then`` (which connects it)."""

    def __init__(self, build: Callable[[], W], then: Callable[[W], None]) -> None:
        self._build = build
        self._then = then
        self._widget: W | None = None

    def get(self) -> W:
        if self._widget is None:
            self._widget = self._build()
            self._then(self._widget)
        return self._widget

    def built(self) -> W | None:
        return self._widget


class LazyDock(Lazy[W]):
    """A :class:`Lazy` panel shown in ``dock``; built when the dock is first shown, or, while
    the window is not yet on screen (``restoreState``), through ``defer`` once it is."""

    def __init__(
        self,
        dock: QDockWidget,
        build: Callable[[], W],
        then: Callable[[W], None],
        defer: Callable[[Callable[[], object]], None],
    ) -> None:
        super().__init__(lambda: self._placed(build()), then)
        self.dock = dock
        self._defer = defer

    def _placed(self, widget: W) -> W:
        self.dock.setWidget(widget)
        return widget

    def on_visibility(self, visible: bool) -> None:
        """The dock's ``visibilityChanged``: its panel is built once it shows."""
        if visible and self.built() is None:
            self._defer(self.get)


def build_viewer(book: Book, open_external: UrlOpener, parent: QWidget) -> Viewer:
    viewer = Viewer(book, open_external, parent)
    viewer.setObjectName("viewer")
    viewer.setAccessibleName("Page")
    viewer.setAccessibleDescription(
        "The section you are reading. / searches the book, ? lists the keyboard shortcuts"
    )
    viewer.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    viewer.document().setDocumentMargin(PAGE_MARGIN)
    return viewer


def build_page_area(viewer: Viewer, parent: QWidget) -> QWidget:
    """The page; the find bar goes above it when first used (:func:`build_find_bar`)."""
    page = QWidget(parent)
    page.setObjectName("page_area")
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(viewer, 1)
    return page


def build_find_bar(viewer: Viewer, highlighter: PageHighlighter, page: QWidget) -> FindBar:
    from handbook.ui.reader.find_bar import FindBar

    find_bar = FindBar(viewer, highlighter, page)
    find_bar.setAccessibleName("Find in page")
    find_bar.field.setAccessibleDescription("Type to find in the page; Enter: next match")
    layout = page.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.insertWidget(0, find_bar)
    return find_bar


def build_toc_panel(book: Book, parent: QWidget) -> TocPanel:
    toc_panel = TocPanel(TocModel(book, parent), parent)
    toc_panel.add_book(book, toc_panel.model())
    toc_panel.tree.setAccessibleDescription(
        "The book's chapters and sections; Enter opens the one selected"
    )
    return toc_panel


def build_search_panel(
    cache_dir: Path | None,
    parent: QWidget,
    settings: Settings | None = None,
    data_dir: Path | None = None,
) -> SearchPanel:
    """The search panel; with ``settings``, its scope ("This book" / "All books": the library
    in ``data_dir``, else the user's) is offered and remembered."""
    from handbook.ui.search.panel import SearchPanel

    library = None
    if settings is not None:
        import functools

        from handbook import paths
        from handbook.ui.search.library_worker import LibrarySearchRunner, read_library

        where = data_dir or paths.data_dir()
        library = LibrarySearchRunner(cache_dir, functools.partial(read_library, where))
    panel = SearchPanel(cache_dir, parent, library=library, settings=settings)
    panel.field.setAccessibleDescription(
        "Type words to search every chapter; Down moves to the results, Enter opens one"
    )
    panel.results_view.setAccessibleDescription(
        "The sections that match, best first; Enter opens one"
    )
    return panel


def build_bookmarks_panel(bookmarks: BookmarkController, parent: QWidget) -> BookmarksPanel:
    from handbook.ui.bookmarks.panel import BookmarksPanel

    panel = BookmarksPanel(bookmarks, parent)
    panel.tree.setAccessibleDescription(
        "Your bookmarks, by book; Enter opens one, F2 renames, Delete removes"
    )
    return panel


def make_dock(title: str, name: str, window: QMainWindow) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # the key saveState() / restoreState() use
    dock.setAllowedAreas(
        Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
    )
    return dock


def build_docks(window: QMainWindow, toc_panel: TocPanel) -> tuple[QDockWidget, QDockWidget]:
    """Contents and search on the left (tabbed), bookmarks on the right; (search, bookmarks),
    both hidden and empty until first shown."""
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, toc_panel)
    search_dock = make_dock("Search", "search_dock", window)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, search_dock)
    window.tabifyDockWidget(toc_panel, search_dock)
    search_dock.hide()
    bookmarks_dock = make_dock("Bookmarks", "bookmarks_dock", window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, bookmarks_dock)
    bookmarks_dock.hide()
    toc_panel.raise_()
    size_docks(window, toc_panel)
    return search_dock, bookmarks_dock


def size_docks(window: QMainWindow, toc_panel: TocPanel) -> None:
    """The docks' default size: the contents a readable width, the page the rest."""
    window.resizeDocks([toc_panel], [CONTENTS_WIDTH], Qt.Orientation.Horizontal)


def build_navigation_bar(window: QMainWindow) -> QToolBar:
    bar = QToolBar("Navigation", window)
    bar.setObjectName("navigation_toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar
