"""The window's bookmark commands: Ctrl+D, the star, the menus' "Bookmark This Section",
the bookmarks dock, and opening a bookmark (in its own book if that is another one; in a new
tab when asked). They act on the active tab's reader.

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QMessageBox, QWidget

from handbook.core.bookmarks.model import Bookmark

if TYPE_CHECKING:
    from handbook.ui.bookmarks.controller import BookmarkController
    from handbook.ui.bookmarks.panel import BookmarksPanel
    from handbook.ui.reader.page_view import ShowStatus
    from handbook.ui.reader.tab import CurrentReader
    from handbook.ui.window.actions import Actions

OpenBookAt = Callable[[Path, bool], bool]  # (a book's path, in a new tab): opened?


BOOKMARKS_DOCK_WIDTH = 340  # titles, breadcrumbs and the start of notes fit
BOOKMARKS_DOCK_MIN_WIDTH = 200
BOOKMARK_FILES = "Bookmarks (*.xbel *.json);;XBEL (*.xbel);;JSON (*.json)"


class BookmarkHandlers(QObject):
    def __init__(
        self,
        current: CurrentReader,
        bookmarks: BookmarkController,
        actions: Actions,
        dock: QDockWidget,
        panel: Callable[[], BookmarksPanel],
        show_status: ShowStatus,
        inform: Callable[[str, str], QMessageBox],
        open_book_at: OpenBookAt,
        resize_dock: Callable[[QDockWidget, int], None],
        parent: QWidget,
    ) -> None:
        """``panel``: the bookmarks panel (built when first asked for); ``parent``: the window's
        widget, for the file dialogs."""
        super().__init__(parent)
        self._current = current
        self._bookmarks = bookmarks
        self._actions = actions
        self._dock = dock
        self._panel = panel
        self._show_status = show_status
        self._inform = inform
        self._open_book_at = open_book_at
        self._resize_dock = resize_dock
        self._parent = parent

    @Slot()
    def bookmark_this_section(self) -> None:
        """Ctrl+D: bookmark the section read; when it already is, show its bookmark."""
        reader, marks = self._current(), self._bookmarks
        section = reader.current_section()
        if not section:
            return
        existing = marks.bookmarks_at(reader.book().identity, section)
        if existing:
            self.show_dock(True)
            self._panel().reveal(existing[0].id)
            self._show_status("This section is already bookmarked", 8000)
            return
        if marks.add_bookmark(reader.book(), section, place=reader.viewer.place()) is not None:
            self._show_status("Bookmarked", 8000)

    @Slot(str)
    def show_notice(self, text: str) -> None:
        """The bookmark file went away under the window and was written again: say so."""
        self._show_status(text, 0)
        self._inform("Bookmarks", text)

    @Slot()
    def toggle_bookmark(self) -> None:
        reader = self._current()
        section = reader.current_section()
        if section:
            self._bookmarks.toggle_bookmark(reader.book(), section, place=reader.viewer.place())
        self.update_star()

    @Slot()
    def update_star(self) -> None:
        a, marks, reader = self._actions, self._bookmarks, self._current()
        enabled = marks.enabled
        reason = marks.disabled_reason or ""
        for action in (a.add_bookmark, a.toggle_bookmark):
            action.setEnabled(enabled)
            if not enabled:
                action.setToolTip(reason)
        section = reader.viewer.current_section()
        a.toggle_bookmark.setChecked(
            bool(section) and marks.is_bookmarked(reader.book().identity, section)
        )

    @Slot(object)
    def open_bookmark(self, bookmark: Bookmark, new_tab: bool = False) -> None:
        """Open a bookmark, in its own book if that is another one; in a new tab if asked."""
        reader = self._current()
        other_book = bookmark.book_identity != reader.book().identity
        path = Path(bookmark.book_path) if other_book else reader.book().location()
        if (other_book or new_tab) and not self._open_book_at(path, new_tab):
            return
        reader = self._current()
        place = self._bookmarks.open_target(bookmark.id, reader.book())
        if place is not None:
            reader.open_place(place)
            reader.viewer.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(object)
    def open_bookmark_in_new_tab(self, bookmark: Bookmark) -> None:
        self.open_bookmark(bookmark, new_tab=True)

    @Slot(str, QMenu)
    def offer_bookmark(self, section: str, menu: QMenu) -> None:
        """The contents tree's menu on ``section``: "Bookmark This Section"."""
        marks, book = self._bookmarks, self._current().book()
        action = menu.addAction("&Bookmark This Section")
        action.setEnabled(marks.enabled)
        action.triggered.connect(lambda: marks.add_bookmark(book, section))

    def page_context_menu(self, position: QPoint) -> QMenu:
        """The page's menu: Qt's (copy, select all, links) and "Bookmark This Section"."""
        menu = self._current().viewer.createStandardContextMenu(position)
        menu.addSeparator()
        menu.addAction(self._actions.add_bookmark)
        menu.addAction(self._actions.find)
        return menu

    @Slot(QPoint)
    def show_page_context_menu(self, position: QPoint) -> None:
        menu = self.page_context_menu(position)
        menu.exec(self._current().viewer.viewport().mapToGlobal(position))
        menu.deleteLater()

    @Slot()
    def import_bookmarks(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._parent, "Import Bookmarks", "", BOOKMARK_FILES)
        if path:
            self.import_from(Path(path))

    @Slot()
    def export_bookmarks(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self._parent, "Export Bookmarks", "bookmarks.xbel", BOOKMARK_FILES
        )
        if path:
            self.export_to(Path(path))

    def import_from(self, path: Path) -> None:
        message = self._bookmarks.import_file(path)
        if message:
            self._show_status(message, 8000)

    def export_to(self, path: Path) -> None:
        message = self._bookmarks.export_file(path)
        if message:
            self._show_status(message, 8000)

    @Slot(bool)
    def show_dock(self, show: bool) -> None:
        dock = self._dock
        dock.setVisible(show)
        if show:
            dock.raise_()
            if dock.width() < BOOKMARKS_DOCK_MIN_WIDTH:  # first shown: Qt's sliver
                self._resize_dock(dock, BOOKMARKS_DOCK_WIDTH)
            self._panel().focus_list()

    @Slot(bool)
    def on_dock_visibility(self, _visible: bool) -> None:
        self._actions.show_bookmarks.setChecked(not self._dock.isHidden())
