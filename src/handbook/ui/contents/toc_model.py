"""The section tree: parts, chapters and each chapter's headings, as a Qt item model.

The tree is built once from ``Book.toc`` into plain :class:`TocItem` objects; the model only
answers Qt's questions about them. Section ids (``chapter-path#anchor``) are exposed under
:data:`SECTION_ID_ROLE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    Qt,
)
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from handbook.core.book.model import Book, Heading, NodeKind, TocNode, section_id

SECTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # str: the section id, or None (parts, drafts...)
READ_ROLE = Qt.ItemDataRole.UserRole + 2  # bool: a chapter whose end the reader has seen
SEPARATOR_TEXT = "―" * 12

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class TocItem:
    """One row of the tree: a part, a chapter, a separator or a heading of a chapter."""

    kind: NodeKind | None  # None for a heading
    text: str
    section: str | None = None
    node: TocNode | None = None
    heading: Heading | None = None
    parent: TocItem | None = None
    children: list[TocItem] = field(default_factory=list)
    row: int = 0

    def add(self, child: TocItem) -> TocItem:
        child.parent, child.row = self, len(self.children)
        self.children.append(child)
        return child


def chapter_text(node: TocNode) -> str:
    """What the tree shows for a chapter: mdBook's number, then the title ("4.2. Borrowing")."""
    return f"{node.number} {node.title}" if node.number else node.title


def _tree_headings(headings: tuple[Heading, ...]) -> tuple[Heading, ...]:
    """The headings worth a row: the chapter's own title heading is left out."""
    if not headings:
        return headings
    top = min(h.level for h in headings)
    first = headings[0]
    if first.level == top and sum(h.level == top for h in headings) == 1:
        return headings[1:]
    return headings


def _add_headings(chapter: TocItem, path: str, headings: tuple[Heading, ...]) -> None:
    """Nest headings under the chapter by level (an h3 goes under the h2 before it)."""
    stack: list[tuple[int, TocItem]] = []
    for heading in _tree_headings(headings):
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        parent = stack[-1][1] if stack else chapter
        item = parent.add(
            TocItem(None, heading.title, section_id(path, heading.anchor), heading=heading)
        )
        stack.append((heading.level, item))


def _add_node(parent: TocItem, node: TocNode) -> None:
    if node.kind is NodeKind.SEPARATOR:
        parent.add(TocItem(node.kind, SEPARATOR_TEXT, node=node))
        return
    text = chapter_text(node) if node.kind is NodeKind.CHAPTER else node.title
    section = node.path if node.kind is NodeKind.CHAPTER and not node.draft else None
    item = parent.add(TocItem(node.kind, text, section, node=node))
    if section is not None and node.problem is None:
        _add_headings(item, section, node.headings)
    for child in node.children:
        _add_node(item, child)


def build_tree(book: Book) -> TocItem:
    root = TocItem(None, book.title)
    for node in book.toc:
        _add_node(root, node)
    return root


class TocModel(QAbstractItemModel):
    """Read-only tree model over a book's table of contents and headings."""

    def __init__(self, book: Book, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = build_tree(book)
        self._by_section: dict[str, TocItem] = {}
        self._index_sections(self._root)
        self._warning_icon: QIcon | None = None
        self._read_icon: QIcon | None = None
        self._read: frozenset[str] = frozenset()

    def set_read(self, chapters: frozenset[str]) -> None:
        """Mark ``chapters`` (paths) as read: a check mark beside each, "read" in its tip."""
        changed = self._read ^ chapters
        self._read = chapters
        for path in changed:
            item = self._by_section.get(path)
            if item is not None:
                index = self.createIndex(item.row, 0, item)
                self.dataChanged.emit(index, index)

    def _index_sections(self, item: TocItem) -> None:
        for child in item.children:
            if child.section is not None:
                self._by_section.setdefault(child.section, child)
            self._index_sections(child)

    # -- looking up sections ---------------------------------------------------------------

    def index_for_section(self, section: str) -> QModelIndex:
        """The row showing ``section``; its chapter when the heading has no row; else invalid."""
        item = self._by_section.get(section) or self._by_section.get(section.partition("#")[0])
        return self.createIndex(item.row, 0, item) if item is not None else QModelIndex()

    def section_at(self, index: AnyIndex) -> str | None:
        item = self._item(index)
        return item.section if item is not self._root else None

    def url_at(self, index: AnyIndex) -> str | None:
        """The web address of an external link listed in the tree (an MkDocs nav entry)."""
        node = self._item(index).node
        return node.url if node is not None else None

    # -- QAbstractItemModel ----------------------------------------------------------------

    def _item(self, index: AnyIndex) -> TocItem:
        if not index.isValid():
            return self._root
        item = index.internalPointer()
        assert isinstance(item, TocItem)
        return item

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        item = self._item(parent)
        if column != 0 or not 0 <= row < len(item.children):
            return QModelIndex()
        return self.createIndex(row, 0, item.children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        up = self._item(index).parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        item = self._item(index)
        if item.node is not None and item.node.draft:
            return Qt.ItemFlag.NoItemFlags  # a draft: listed, not readable yet
        if item.section is None and not (item.node is not None and item.node.url):
            return Qt.ItemFlag.ItemIsEnabled  # a part title or a separator: not selectable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self._item(index)
        node = item.node
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return item.text
        if role == SECTION_ID_ROLE:
            return item.section
        read = item.section is not None and item.kind is not None and item.section in self._read
        if role == READ_ROLE:
            return read
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tool_tip(item)
            return f"{tip} (read)" if read and tip else tip
        if role == Qt.ItemDataRole.DecorationRole and node is not None and node.problem:
            return self._warning()
        if role == Qt.ItemDataRole.DecorationRole and read:
            return self._read_mark()
        if role == Qt.ItemDataRole.FontRole and item.kind is NodeKind.PART:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and item.kind is NodeKind.SEPARATOR:
            return QApplication.palette().color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Contents" if section == 0 else None
        return None

    # -- presentation ----------------------------------------------------------------------

    def _tool_tip(self, item: TocItem) -> str | None:
        node = item.node
        if item.kind is NodeKind.SEPARATOR:
            return None
        if node is None:
            return item.text
        if node.draft:
            return f"{node.title}: a draft, not written yet"
        if node.problem:
            return f"This chapter cannot be shown: {node.problem}"
        return item.text  # the whole title, when the tree is too narrow for it

    def _read_mark(self) -> QIcon:
        """A small check mark in the text's colour, dimmed: unobtrusive."""
        if self._read_icon is None:
            pixmap = QPixmap(12, 12)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            colour = QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
            painter.setPen(QPen(colour, 1.6))
            painter.drawPolyline([QPointF(2, 6.5), QPointF(5, 9.5), QPointF(10, 2.5)])
            painter.end()
            self._read_icon = QIcon(pixmap)
        return self._read_icon

    def _warning(self) -> QIcon:
        if self._warning_icon is None:
            style = QApplication.style()
            pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning
            self._warning_icon = style.standardIcon(pixmap) if style is not None else QIcon()
        return self._warning_icon


class TocModels:
    """Each book's tree model, one a book (its tabs share it), keyed by the book's identity;
    the models are children of ``parent``."""

    def __init__(self, parent: QObject) -> None:
        self._parent = parent
        self._models: dict[str, tuple[Book, TocModel]] = {}

    def add(self, book: Book, model: TocModel) -> None:
        self._models[book.identity] = (book, model)

    def for_book(self, book: Book) -> TocModel:
        """``book``'s model, made the first time it is asked for (again for a Book read anew)."""
        kept = self._models.get(book.identity)
        if kept is not None and kept[0] is book:
            return kept[1]
        model = TocModel(book, self._parent)
        self._models[book.identity] = (book, model)
        return model

    def follow(self, book: Book, toc_changed: bool) -> tuple[TocModel, TocModel] | None:
        """``book`` read again: its model is kept (its open rows), or, its tree changed, made
        anew; returns (the old model, the new one) then, else None."""
        kept = self._models.get(book.identity)
        if kept is None:
            return None
        model = TocModel(book, self._parent) if toc_changed else kept[1]
        self._models[book.identity] = (book, model)
        return (kept[1], model) if toc_changed else None

    def keep_only(self, identities: set[str]) -> None:
        """The models of other books forgotten (each goes with its parent)."""
        for identity in [i for i in self._models if i not in identities]:
            del self._models[identity]
