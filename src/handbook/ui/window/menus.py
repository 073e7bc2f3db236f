"""The window's menu bar and tool bar, laid out from :class:`handbook.ui.window.actions.Actions`.

Every action is in a menu (so it can be reached with Alt and the mnemonics), the ones used
most also in the tool bar. The window connects them; this module only places them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPixmap
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar

from handbook.ui.window.actions import Actions


@dataclass(frozen=True)
class Menus:
    book: QMenu
    recent: QMenu  # "Recent Books", filled by the window
    edit: QMenu
    view: QMenu
    theme: QMenu
    go: QMenu
    bookmarks: QMenu
    help: QMenu


def build_menus(bar: QMenuBar, a: Actions) -> Menus:
    book = bar.addMenu("&Book")
    book.addAction(a.open_book)
    book.addAction(a.open_file)
    book.addAction(a.library)
    recent = book.addMenu("&Recent Books")
    recent.setObjectName("recent_books_menu")
    book.addSeparator()
    book.addActions([a.new_tab, a.close_tab, a.reopen_tab])
    book.addSeparator()
    book.addActions([a.print, a.export_chapter_pdf, a.export_book_pdf])
    book.addSeparator()
    book.addAction(a.quit)

    edit = bar.addMenu("&Edit")
    edit.addActions([a.copy, a.select_all])
    edit.addSeparator()
    edit.addActions([a.find, a.find_next, a.find_previous])
    edit.addSeparator()
    edit.addActions([a.search, a.clear_highlights])

    view = bar.addMenu("&View")
    view.addActions([a.show_contents, a.show_search, a.show_bookmarks])
    view.addSeparator()
    view.addActions([a.zoom_in, a.zoom_out, a.reset_zoom])
    view.addSeparator()
    view.addActions([a.page_font, a.reset_page_font, a.wide_page])
    theme = view.addMenu("&Theme")
    theme.addActions(list(a.themes().values()))
    view.addSeparator()
    view.addAction(a.follow_disk)
    view.addSeparator()
    view.addActions([a.next_pane, a.previous_pane])

    go = bar.addMenu("&Go")
    go.addActions([a.back, a.forward])
    go.addSeparator()
    go.addActions([a.previous_chapter, a.next_chapter])
    go.addSeparator()
    go.addActions([a.next_tab, a.previous_tab])

    bookmarks = bar.addMenu("Book&marks")
    bookmarks.addActions([a.add_bookmark, a.toggle_bookmark, a.show_bookmarks])
    bookmarks.addSeparator()
    bookmarks.addActions([a.import_bookmarks, a.export_bookmarks])

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([a.show_shortcuts, a.about])
    return Menus(book, recent, edit, view, theme, go, bookmarks, help_menu)


def fill_toolbar(bar: QToolBar, a: Actions) -> None:
    bar.addActions([a.back, a.forward, a.previous_chapter, a.next_chapter])
    bar.addSeparator()
    bar.addActions([a.toggle_bookmark, a.search])
    for action in bar.actions():
        button = bar.widgetForAction(action)
        if button is not None:
            button.setAccessibleName(action.iconText())
            button.setAccessibleDescription(action.statusTip())


def fill_recent_books(menu: QMenu, paths: list[str]) -> None:
    """One entry per book folder, its path in the action's data; numbered for the keyboard."""
    menu.clear()
    for number, path in enumerate(paths, start=1):
        name = Path(path).name or path
        action = menu.addAction(f"&{number} {name}" if number < 10 else name)
        action.setData(path)
        action.setStatusTip(path)
    menu.setEnabled(bool(paths))


def star_icon(palette: QPalette, size: int = 32) -> QIcon:
    """An outlined star (off) and a filled one (on), for the checkable bookmark button."""
    icon = QIcon()
    outline = palette.color(QPalette.ColorRole.WindowText)
    for state, fill in ((QIcon.State.Off, None), (QIcon.State.On, QColor("#e8a317"))):
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(fill.darker(130) if fill else outline)
        if fill is not None:
            painter.setBrush(fill)
        painter.drawPath(_star_path(size))
        painter.end()
        icon.addPixmap(pixmap, QIcon.Mode.Normal, state)
    return icon


def _star_path(size: int) -> QPainterPath:
    centre, outer, inner = size / 2, size * 0.46, size * 0.19
    path = QPainterPath()
    for point in range(10):
        radius = outer if point % 2 == 0 else inner
        angle = -math.pi / 2 + point * math.pi / 5
        at = QPointF(centre + radius * math.cos(angle), centre + 2 + radius * math.sin(angle))
        if point == 0:
            path.moveTo(at)
        else:
            path.lineTo(at)
    path.closeSubpath()
    return path
