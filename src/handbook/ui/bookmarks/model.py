"""The bookmarks tree, the flat list of filter results, and how each row is drawn.

The tree is a ``QStandardItemModel`` on purpose: with 10,000 bookmarks, a view laying out a
Python ``QAbstractItemModel`` calls back into Python for every row, while here the layout stays
in C++ and Python only draws the rows on screen. Filtering does not go through a
``QSortFilterProxyModel`` either (about 1 µs a row inside the proxy, over 16 ms a keystroke at
10,000): the words are looked for in Python, in case-folded text kept per bookmark, and the
matches are shown as a flat list (:class:`FilterResults`, a ``QStringListModel`` of row keys).

Each row carries a key (``ITEM_KEY_ROLE``: ``k`` + book identity, ``f`` + folder id, ``b`` +
bookmark id); the bookmarks themselves stay in
:class:`~handbook.ui.bookmarks.controller.BookmarkController`. Edits and drops are not applied
here: the delegate asks for a rename (:attr:`BookmarkDelegate.rename_requested`), the model for
a move (:attr:`BookmarkTreeModel.move_requested`), the controller saves, and the rows change
only once the store has taken the change, so the panel always shows what is on disk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QHelpEvent,
    QIcon,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from handbook.core.bookmarks.model import Bookmark, Folder
from handbook.ui.bookmarks.rows import BOOK, BOOKMARK, FOLDER, MoveRequest, RowKey

ITEM_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_KEY_ROLE = int(ITEM_KEY_ROLE)  # an int converts faster than the enum, 10,000 times
MIME_TYPE = "application/x-handbook-bookmark-rows"
NOTE_PREVIEW = 80  # characters of a note shown under its bookmark

AnyIndex = QModelIndex | QPersistentModelIndex

_BOOK_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
_BOOKMARK_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsEditable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)
_RESULT_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsEditable
    | Qt.ItemFlag.ItemNeverHasChildren
)
_FOLDER_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsEditable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemIsDropEnabled
)


def row_key(index: AnyIndex) -> RowKey | None:
    return RowKey.parse(index.data(ITEM_KEY_ROLE)) if index.isValid() else None


def haystack(bookmark: Bookmark) -> str:
    """What the filter looks in: title, breadcrumb and note, case-folded."""
    return f"{bookmark.title}\n{bookmark.breadcrumb}\n{bookmark.note}".casefold()


class BookmarkTreeModel(QStandardItemModel):
    """Rows for books (top level), folders and bookmarks, rebuilt or patched by the panel."""

    move_requested = Signal(object)  # MoveRequest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: dict[str, QStandardItem] = {}
        # What the filter looks in: book identity -> bookmark key -> case-folded text; the
        # books in the tree's order (a dict keeps the order it was filled in).
        self._haystacks: dict[str, dict[str, str]] = {}

    # -- building ---------------------------------------------------------------------------

    def populate(
        self,
        books: Sequence[tuple[str, str]],
        folders: Iterable[Folder],
        bookmarks: Iterable[Bookmark],
    ) -> None:
        """Rebuild every row: ``books`` is ``(identity, title)`` in the order to show them.

        The rows are built apart from the model and put in at once: one reset, one insertion.
        """
        self._items = {}
        self._haystacks = {identity: {} for identity, _ in books}
        book_items = [
            self._new_item(RowKey(BOOK, identity), title, _BOOK_FLAGS) for identity, title in books
        ]
        self._add_folders(folders)
        children: dict[str, list[QStandardItem]] = {}
        for bookmark in bookmarks:
            item = self._bookmark_item(bookmark)
            children.setdefault(self._container_key(bookmark), []).append(item)
        for key, items in children.items():
            container = self._items.get(key)
            if container is not None:
                container.appendRows(items)
        self.clear()
        self.invisibleRootItem().appendRows(book_items)

    def _add_folders(self, folders: Iterable[Folder]) -> None:
        pending = sorted(folders, key=lambda f: (f.position, f.id))
        while pending:  # parents before children, whatever the order given
            waiting = []
            for folder in pending:
                parent_key = (
                    f"{FOLDER}{folder.parent_id}"
                    if folder.parent_id is not None
                    else f"{BOOK}{folder.book_identity}"
                )
                parent = self._items.get(parent_key)
                if parent is None:
                    waiting.append(folder)
                    continue
                item = self._new_item(RowKey(FOLDER, str(folder.id)), folder.name, _FOLDER_FLAGS)
                parent.appendRow(item)
            if len(waiting) == len(pending):
                break  # a folder of a book not shown, or of a missing parent: leave it out
            pending = waiting

    def _new_item(self, key: RowKey, text: str, flags: Qt.ItemFlag) -> QStandardItem:
        item = QStandardItem(text)
        item.setData(str(key), ITEM_KEY_ROLE)
        item.setFlags(flags)
        self._items[str(key)] = item
        return item

    def _bookmark_item(self, bookmark: Bookmark) -> QStandardItem:
        """A bookmark's row: the hot path of :meth:`populate`, 10,000 times; keep it lean.

        Not a drop target, so that a drop over a bookmark goes above or below it. (Not
        ``clone()`` of a prototype, though faster: shiboken may hand back the stale wrapper
        of a deleted item at the same address, and the next call on it crashes.)
        """
        key = f"{BOOKMARK}{bookmark.id}"
        item = QStandardItem(bookmark.title)
        item.setFlags(_BOOKMARK_FLAGS)
        item.setData(key, _KEY_ROLE)
        self._haystacks.setdefault(bookmark.book_identity, {})[key] = haystack(bookmark)
        self._items[key] = item
        return item

    @staticmethod
    def _container_key(bookmark: Bookmark) -> str:
        if bookmark.folder_id is not None:
            return f"{FOLDER}{bookmark.folder_id}"
        return f"{BOOK}{bookmark.book_identity}"

    # -- patching ---------------------------------------------------------------------------

    def add_bookmark(self, bookmark: Bookmark, book_title: str, book_first: bool) -> None:
        """Show a new bookmark at the end of its folder.

        Its book's row is made if needed: first if ``book_first`` (the open book), else last.
        """
        book_key = f"{BOOK}{bookmark.book_identity}"
        if book_key not in self._items:
            key = RowKey(BOOK, bookmark.book_identity)
            book = self._new_item(key, book_title, _BOOK_FLAGS)
            self.insertRow(0 if book_first else self.rowCount(), book)
        container = self._items.get(self._container_key(bookmark)) or self._items[book_key]
        container.appendRow(self._bookmark_item(bookmark))

    def update_bookmark(self, bookmark: Bookmark) -> None:
        item = self._items.get(f"{BOOKMARK}{bookmark.id}")
        if item is not None:
            item.setText(bookmark.title)
            book = self._haystacks.setdefault(bookmark.book_identity, {})
            book[f"{BOOKMARK}{bookmark.id}"] = haystack(bookmark)

    def remove_bookmarks(self, ids: Iterable[int]) -> None:
        for bookmark_id in ids:
            item = self._items.pop(f"{BOOKMARK}{bookmark_id}", None)
            for book in self._haystacks.values():
                book.pop(f"{BOOKMARK}{bookmark_id}", None)
            if item is None:
                continue
            parent = item.parent()
            parent.removeRow(item.row())
            key = RowKey.parse(parent.data(ITEM_KEY_ROLE))
            if key is not None and key.kind == BOOK and parent.rowCount() == 0:
                del self._items[str(key)]  # a book with nothing left goes too
                self.removeRow(parent.row())

    def item_of(self, key: RowKey) -> QStandardItem | None:
        return self._items.get(str(key))

    def index_of(self, key: RowKey) -> QModelIndex:
        item = self._items.get(str(key))
        return item.index() if item is not None else QModelIndex()

    def row_keys(self) -> list[str]:
        return list(self._items)

    def title_of(self, key: str) -> str:
        item = self._items.get(key)
        return item.text() if item is not None else ""

    def matching(self, text: str) -> list[str]:
        """Keys of the bookmarks whose title, breadcrumb or note hold every word of ``text``.

        In the tree's order of books, and within a book in the order they were listed.
        """
        words = text.casefold().split()
        if len(words) == 1:  # the usual case, twice as fast without all()
            word = words[0]
            return [
                k for book in self._haystacks.values() for k, hay in book.items() if word in hay
            ]
        return [
            key
            for book in self._haystacks.values()
            for key, hay in book.items()
            if all(word in hay for word in words)
        ]

    # -- editing and dropping ---------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        keys = [str(k) for k in (row_key(i) for i in indexes) if k and k.kind != BOOK]
        data = QMimeData()
        data.setData(MIME_TYPE, json.dumps(list(dict.fromkeys(keys))).encode("utf-8"))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        return self._move_for(data, row, parent) is not None

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        """Ask for the move; False, so that the view removes nothing itself."""
        request = self._move_for(data, row, parent)
        if request is not None and action == Qt.DropAction.MoveAction:
            self.move_requested.emit(request)
        return False

    def _move_for(self, data: QMimeData, row: int, parent: AnyIndex) -> MoveRequest | None:
        rows = _decode(data)
        target = row_key(parent)
        if not rows or target is None:
            return None
        if target.kind == BOOKMARK:  # dropped on a bookmark: just before it
            row, parent = parent.row(), parent.parent()
            target = row_key(parent)
            if target is None:
                return None
        container = self.itemFromIndex(self._plain(parent))
        if container is None:
            return None
        book = self._book_of(container)
        kinds = {r.kind for r in rows}
        if len(kinds) != 1 or any(self._book_of_key(r) != book for r in rows):
            return None  # one kind at a time, and a bookmark stays with its book
        folder_id = target.id if target.kind == FOLDER else None
        if FOLDER in kinds and folder_id is not None and self._inside(folder_id, rows):
            return None
        subfolders = 0  # a container lists its folders first, then its bookmarks
        while subfolders < container.rowCount() and str(
            container.child(subfolders).data(ITEM_KEY_ROLE)
        ).startswith(FOLDER):
            subfolders += 1
        if row >= 0:
            row = max(row - subfolders, 0) if BOOKMARK in kinds else min(row, subfolders)
        return MoveRequest(tuple(rows), book, folder_id, row)

    def _plain(self, index: AnyIndex) -> QModelIndex:
        if isinstance(index, QModelIndex):
            return index
        return self.index(index.row(), index.column(), index.parent())

    def _book_of(self, item: QStandardItem) -> str:
        while item.parent() is not None:
            item = item.parent()
        key = RowKey.parse(item.data(ITEM_KEY_ROLE))
        return key.key if key else ""

    def _book_of_key(self, key: RowKey) -> str | None:
        item = self._items.get(str(key))
        return self._book_of(item) if item is not None else None

    def _inside(self, folder_id: int, moving: Sequence[RowKey]) -> bool:
        """Is folder ``folder_id`` one of ``moving`` or inside one of them?"""
        item = self._items.get(f"{FOLDER}{folder_id}")
        ids = {str(k) for k in moving}
        while item is not None:
            if item.data(ITEM_KEY_ROLE) in ids:
                return True
            item = item.parent()
        return False


def _decode(data: QMimeData) -> list[RowKey]:
    if not data.hasFormat(MIME_TYPE):
        return []
    try:
        keys = json.loads(bytes(data.data(MIME_TYPE).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(keys, list):
        return []
    return [k for k in (RowKey.parse(text) for text in keys) if k is not None]


class FilterResults(QStringListModel):
    """The bookmarks the filter found, as a flat list of row keys (see the module's doc)."""

    def __init__(self, titles: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._titles = titles

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        key = super().data(index, Qt.ItemDataRole.DisplayRole)
        if role == ITEM_KEY_ROLE:
            return key
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._titles(key)  # what a screen reader says, and what renaming starts from
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _RESULT_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


class BookmarkDelegate(QStyledItemDelegate):
    """Two lines a row: the title (and date), then the breadcrumb and the start of the note.

    In the flat list of filter results (``flat``), the second line starts with the book.
    """

    rename_requested = Signal(object, str)  # RowKey, new name

    def __init__(
        self, lookup: RowLookup, parent: QWidget | None = None, flat: bool = False
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._flat = flat

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        height = QFontMetrics(option.font).lineSpacing()
        return QSize(200, 2 * height + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        key = row_key(index)
        if key is None:
            return
        self.initStyleOption(option, index)
        lines = self._lookup.row_text(key, with_book=self._flat)
        option.text = ""
        if key.kind != BOOK:  # room for an icon on every row, so that titles line up
            option.icon = self._lookup.row_icon(key)
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, widget)
        self._draw_lines(painter, option, text_rect, lines)

    def _draw_lines(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, lines: RowText
    ) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line = metrics.lineSpacing()
        top = rect.top() + (rect.height() - 2 * line) // 2
        painter.save()
        first = QRect(rect.left(), top, rect.width(), line)
        date_width = metrics.horizontalAdvance(lines.date) + 8 if lines.date else 0
        if lines.emphasis:
            font.setBold(True)
            painter.setFont(font)
        painter.setPen(palette.color(role))
        title_rect = first.adjusted(0, 0, -date_width, 0)
        title = QFontMetrics(font).elidedText(
            lines.title, Qt.TextElideMode.ElideRight, title_rect.width()
        )
        painter.drawText(
            title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title
        )
        painter.setFont(option.font)
        if not selected:
            painter.setPen(
                palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
            )
        if lines.date:
            painter.drawText(
                first, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, lines.date
            )
        second = QRect(rect.left(), top + line, rect.width(), line)
        detail = metrics.elidedText(lines.detail, Qt.TextElideMode.ElideRight, second.width())
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)
        painter.restore()

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        key = row_key(index)
        if isinstance(editor, QLineEdit) and key is not None:
            editor.setText(self._lookup.row_text(key).title)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        """Ask for the rename; the row changes once it is saved."""
        key = row_key(index)
        if isinstance(editor, QLineEdit) and key is not None and key.kind != BOOK:
            name = editor.text().strip()
            if name and name != self._lookup.row_text(key).title:
                self.rename_requested.emit(key, name)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        """Rename on the title's line, not over the whole row."""
        super().updateEditorGeometry(editor, option, index)
        rect = editor.geometry()
        rect.setHeight(min(rect.height(), editor.sizeHint().height()))
        editor.setGeometry(rect)

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        key = row_key(index)
        if key is None or event is None:
            return super().helpEvent(event, view, option, index)
        QToolTip.showText(event.globalPos(), self._lookup.row_tooltip(key), view)
        return True


@dataclass(frozen=True)
class RowText:
    title: str
    detail: str  # the second line
    date: str = ""
    emphasis: bool = False


class RowLookup(Protocol):
    """What the delegate needs to draw a row (the panel answers)."""

    def row_text(self, key: RowKey, with_book: bool = False) -> RowText: ...

    def row_icon(self, key: RowKey) -> QIcon: ...

    def row_tooltip(self, key: RowKey) -> str: ...


def short_date(seconds: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(seconds)) if seconds > 0 else ""


def note_preview(note: str) -> str:
    first = " ".join(note.split())
    return first if len(first) <= NOTE_PREVIEW else first[: NOTE_PREVIEW - 1] + "…"
