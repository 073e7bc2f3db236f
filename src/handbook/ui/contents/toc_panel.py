"""The contents dock: the book's section tree.

It says which section the reader picked (:attr:`TocPanel.section_activated`) and follows the
reader when told to (:meth:`TocPanel.select_section`, which emits nothing). Other panels add
entries to its context menu through :attr:`TocPanel.context_menu_requested`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QMenu,
    QTreeView,
    QWidget,
)

from handbook.ui.contents.toc_model import TocModel, TocModels

if TYPE_CHECKING:
    from handbook.core.book.model import Book

ACTIVATING_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class TocPanel(QDockWidget):
    section_activated = Signal(str)  # the reader clicked a section, or pressed Enter on it
    section_in_new_tab = Signal(str)  # ... with the middle button or Ctrl: for a new tab
    link_activated = Signal(QUrl)  # ... an external link listed in the tree (MkDocs' nav)
    # (section id, menu) before the context menu opens: add actions to the menu to offer them
    context_menu_requested = Signal(str, QMenu)

    def __init__(self, model: TocModel, parent: QWidget | None = None) -> None:
        super().__init__("Contents", parent)
        self.setObjectName("contents_dock")  # the key saveState() / restoreState() use
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._model = model
        self._books = TocModels(parent or self)  # one model a book, shared by its tabs
        self._unfolded: list[QPersistentModelIndex] = []  # rows unfolded to follow the reader
        self.tree = QTreeView(self)
        self.tree.setObjectName("contents_tree")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setModel(model)
        self.tree.setAccessibleName("Contents")
        self.setWidget(self.tree)
        self._connect_signals()

    def _connect_signals(self) -> None:
        # choosing a section
        self.tree.clicked.connect(self._on_clicked)
        self.tree.installEventFilter(self)
        self.tree.viewport().installEventFilter(self)  # the middle button
        # context menu
        self.tree.customContextMenuRequested.connect(self._on_context_menu)

    def model(self) -> TocModel:
        return self._model

    def add_book(self, book: Book, model: TocModel) -> None:
        """``model`` is ``book``'s tree (the one the panel was made with)."""
        self._books.add(book, model)

    def show_book(self, book: Book, chapters_read: frozenset[str], section: str) -> None:
        """``book``'s tree (its model made the first time, then kept), its chapters read
        marked, ``section`` selected."""
        model = self._books.for_book(book)
        if self._model is not model:
            self.set_model(model)
        model.set_read(chapters_read)
        self.select_section(section)

    def follow_book(self, book: Book, toc_changed: bool) -> None:
        """``book`` read again: its tree made anew if it changed (the open rows and the
        selection kept when it is the one shown)."""
        replaced = self._books.follow(book, toc_changed)
        if replaced is not None:
            old, new = replaced
            if self._model is old:
                self.replace_model(new)
            old.deleteLater()

    def keep_books(self, identities: set[str]) -> None:
        """The trees of other books forgotten (no tab shows them)."""
        self._books.keep_only(identities)

    def set_model(self, model: TocModel) -> None:
        """Show another book's tree (the old model is the caller's to delete)."""
        self._model = model
        self._unfolded = []
        self.tree.setModel(model)

    def replace_model(self, model: TocModel) -> None:
        """The same book's tree anew (its layout changed): rows that were open stay open and
        the selected row stays selected, where they still exist (the old model is the
        caller's to delete)."""
        opened = {self._row_key(index) for index in self._rows() if self.tree.isExpanded(index)}
        current = self.tree.currentIndex()
        selected = self._row_key(current) if current.isValid() else None
        self.set_model(model)
        for index in self._rows():
            key = self._row_key(index)
            if key in opened:
                self.tree.expand(index)
            if key == selected:
                flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
                self.tree.selectionModel().setCurrentIndex(index, flags)

    def _rows(self, parent: QModelIndex | None = None) -> list[QModelIndex]:
        """Every row of the tree, parents before their children."""
        if parent is None:
            parent = QModelIndex()
        rows: list[QModelIndex] = []
        for row in range(self._model.rowCount(parent)):
            index = self._model.index(row, 0, parent)
            rows.append(index)
            if self._model.rowCount(index):
                rows.extend(self._rows(index))
        return rows

    def _row_key(self, index: QModelIndex) -> str:
        """A row by its section id; a part (no section) by its title."""
        section = self._model.section_at(index)
        return section if section is not None else f"\0{index.data()}"

    def select_section(self, section: str) -> None:
        """Select the row of ``section`` (or of its chapter) and unfold its parents, silently.

        Rows unfolded only to follow the reader fold again once the reader has moved on, so the
        tree does not keep every chapter passed through open; rows the reader opened stay open.
        """
        index = self._model.index_for_section(section)
        if not index.isValid() or index == self.tree.currentIndex():
            return
        parents: list[QPersistentModelIndex] = []
        parent = index.parent()
        while parent.isValid():
            parents.append(QPersistentModelIndex(parent))
            parent = parent.parent()
        for opened in self._unfolded:
            if opened.isValid() and opened not in parents:
                self.tree.collapse(opened)
        kept = [opened for opened in self._unfolded if opened in parents]
        self._unfolded = kept + [p for p in parents if not self.tree.isExpanded(p)]
        for parent_index in reversed(parents):
            self.tree.expand(parent_index)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.tree.selectionModel().setCurrentIndex(index, flags)
        self.tree.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def current_section(self) -> str | None:
        return self._model.section_at(self.tree.currentIndex())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.tree
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in ACTIVATING_KEYS
        ):
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            self._activate(self.tree.currentIndex(), new_tab=bool(ctrl))
            return True
        if (
            watched is self.tree.viewport()
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.MiddleButton
        ):
            self._activate(self.tree.indexAt(event.position().toPoint()), new_tab=True)
            return True
        return super().eventFilter(watched, event)

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        ctrl = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier
        self._activate(index, new_tab=bool(ctrl))

    def _activate(self, index: QModelIndex, new_tab: bool = False) -> None:
        if not index.isValid() or not index.flags() & Qt.ItemFlag.ItemIsSelectable:
            return
        section = self._model.section_at(index)
        url = self._model.url_at(index)
        if section and new_tab:
            self.section_in_new_tab.emit(section)
        elif section:
            self.section_activated.emit(section)
        elif url:
            self.link_activated.emit(QUrl(url))

    def context_menu_at(self, position: QPoint) -> QMenu | None:
        """The menu for the row at ``position`` (tree viewport coordinates), if it offers any."""
        section = self._model.section_at(self.tree.indexAt(position))
        if not section:
            return None
        menu = QMenu(self)
        self.context_menu_requested.emit(section, menu)
        if menu.isEmpty():
            menu.deleteLater()
            return None
        return menu

    @Slot(QPoint)
    def _on_context_menu(self, position: QPoint) -> None:
        menu = self.context_menu_at(position)
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(position))
            menu.deleteLater()
