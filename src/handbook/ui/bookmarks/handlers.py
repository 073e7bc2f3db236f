"""The window's bookmark commands: Ctrl+D, the star, the menus' "Bookmark This Section",
the bookmarks dock, and opening a bookmark (in its own book if that is another one).

Slots only: ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMenu

from handbook.core.bookmarks.model import Bookmark

if TYPE_CHECKING:
    from handbook.ui.window.main_window import MainWindow


BOOKMARKS_DOCK_WIDTH = 340  # titles, breadcrumbs and the start of notes fit
BOOKMARKS_DOCK_MIN_WIDTH = 200
BOOKMARK_FILES = "Bookmarks (*.xbel *.json);;XBEL (*.xbel);;JSON (*.json)"


class BookmarkHandlers(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    @Slot()
    def bookmark_this_section(self) -> None:
        """Ctrl+D: bookmark the section read; when it already is, show its bookmark."""
        w = self._window
        section = w.current_section()
        if not section:
            return
        existing = w.bookmarks.bookmarks_at(w.book().identity, section)
        if existing:
            self.show_dock(True)
            w.bookmarks_panel.reveal(existing[0].id)
            w.show_status("This section is already bookmarked")
            return
        if w.bookmarks.add_bookmark(w.book(), section, place=w.viewer.place()) is not None:
            w.show_status("Bookmarked")

    @Slot(str)
    def show_notice(self, text: str) -> None:
        """The bookmark file went away under the window and was written again: say so."""
        self._window.show_status(text, timeout_ms=0)
        self._window.inform("Bookmarks", text)

    @Slot()
    def toggle_bookmark(self) -> None:
        w = self._window
        section = w.current_section()
        if section:
            w.bookmarks.toggle_bookmark(w.book(), section, place=w.viewer.place())
        self.update_star()

    @Slot()
    def update_star(self) -> None:
        w = self._window
        a = w.action_set
        enabled = w.bookmarks.enabled
        reason = w.bookmarks.disabled_reason or ""
        for action in (a.add_bookmark, a.toggle_bookmark):
            action.setEnabled(enabled)
            if not enabled:
                action.setToolTip(reason)
        section = w.viewer.current_section()
        a.toggle_bookmark.setChecked(
            bool(section) and w.bookmarks.is_bookmarked(w.book().identity, section)
        )

    @Slot(object)
    def open_bookmark(self, bookmark: Bookmark) -> None:
        """Open a bookmark, in its own book if that is another one."""
        w = self._window
        other_book = bookmark.book_identity != w.book().identity
        if other_book and not w.open_book_at(Path(bookmark.book_path)):
            return
        place = w.bookmarks.open_target(bookmark.id, w.book())
        if place is not None:
            w.open_place(place)
            w.focus_page()

    @Slot(str, QMenu)
    def offer_bookmark(self, section: str, menu: QMenu) -> None:
        """The contents tree's menu on ``section``: "Bookmark This Section"."""
        w = self._window
        action = menu.addAction("&Bookmark This Section")
        action.setEnabled(w.bookmarks.enabled)
        action.triggered.connect(lambda: w.bookmarks.add_bookmark(w.book(), section))

    def page_context_menu(self, position: QPoint) -> QMenu:
        """The page's menu: Qt's (copy, select all, links) and "Bookmark This Section"."""
        w = self._window
        menu = w.viewer.createStandardContextMenu(position)
        menu.addSeparator()
        menu.addAction(w.action_set.add_bookmark)
        menu.addAction(w.action_set.find)
        return menu

    @Slot(QPoint)
    def show_page_context_menu(self, position: QPoint) -> None:
        menu = self.page_context_menu(position)
        menu.exec(self._window.viewer.viewport().mapToGlobal(position))
        menu.deleteLater()

    @Slot()
    def import_bookmarks(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Import Bookmarks", "", BOOKMARK_FILES)
        if path:
            self.import_from(Path(path))

    @Slot()
    def export_bookmarks(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Export Bookmarks", "bookmarks.xbel", BOOKMARK_FILES
        )
        if path:
            self.export_to(Path(path))

    def import_from(self, path: Path) -> None:
        message = self._window.bookmarks.import_file(path)
        if message:
            self._window.show_status(message)

    def export_to(self, path: Path) -> None:
        message = self._window.bookmarks.export_file(path)
        if message:
            self._window.show_status(message)

    @Slot(bool)
    def show_dock(self, show: bool) -> None:
        w = self._window
        w.bookmarks_dock.setVisible(show)
        if show:
            w.bookmarks_dock.raise_()
            if w.bookmarks_dock.width() < BOOKMARKS_DOCK_MIN_WIDTH:  # first shown: Qt's sliver
                w.resizeDocks([w.bookmarks_dock], [BOOKMARKS_DOCK_WIDTH], Qt.Orientation.Horizontal)
            w.bookmarks_panel.focus_list()

    @Slot(bool)
    def on_dock_visibility(self, _visible: bool) -> None:
        w = self._window
        w.action_set.show_bookmarks.setChecked(not w.bookmarks_dock.isHidden())
