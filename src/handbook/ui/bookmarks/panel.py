"""The bookmarks panel, shown in a dock (Ctrl+B).

:class:`BookmarksPanel` shows the bookmarks of every book (the open one first), each under its
book: rename with F2 or a double-click, notes, Delete (with Undo), folders, drag and drop, a
filter (its matches in a flat list, each with its book). A click or Enter on a bookmark emits
:attr:`BookmarksPanel.bookmark_activated`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QStyle,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from handbook.core.bookmarks.model import Bookmark, Folder
from handbook.ui.bookmarks.controller import BookmarkController
from handbook.ui.bookmarks.model import (
    BookmarkDelegate,
    BookmarkTreeModel,
    FilterResults,
    RowText,
    note_preview,
    row_key,
    short_date,
)
from handbook.ui.bookmarks.rows import BOOK, BOOKMARK, FOLDER, MoveRequest, RowKey

UNDO_BAR_MS = 10_000  # how long "Bookmark deleted — Undo" stays
ACTIVATING_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class NoteDialog(QDialog):
    """A bookmark's note, several lines long."""

    def __init__(self, title: str, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Note — {title}")
        self.editor = QPlainTextEdit(note, self)
        self.editor.setAccessibleName("Note")
        self.editor.setTabChangesFocus(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        self.resize(420, 260)

    def text(self) -> str:
        return self.editor.toPlainText()


class MessageBar(QFrame):
    """One line above the list: an error, a notice, or "Bookmark deleted — Undo"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookmarks_message")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon = QLabel(self)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.undo_button = QToolButton(self)
        self.undo_button.setText("Undo")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def show_message(self, text: str, icon: QStyle.StandardPixmap, undo: bool = False) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.label.setText(text)
        self.undo_button.setVisible(undo)
        self.show()


class BookmarksPanel(QWidget):
    """The list of bookmarks of every book; goes in a dock (Ctrl+B)."""

    bookmark_activated = Signal(object)  # Bookmark: open its book, section and scroll position
    bookmark_in_new_tab = Signal(object)  # ... with the middle button: in a new tab

    def __init__(self, controller: BookmarkController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookmarks_panel")
        self.controller = controller
        self.model = BookmarkTreeModel(self)
        self.results = FilterResults(self.model.title_of, self)
        self._collapsed: set[str] = set()
        self._restoring = False
        self._found: list[str] = []  # the keys in self.results
        self._build()
        self._build_actions()
        self._connect_signals()
        self._show_state()
        self._rebuild()

    # -- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        self.disabled_notice = QLabel(self)
        self.disabled_notice.setObjectName("bookmarks_disabled")
        self.disabled_notice.setWordWrap(True)
        self.disabled_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.disabled_notice.hide()
        self.message_bar = MessageBar(self)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(UNDO_BAR_MS)
        self.empty_hint = QLabel(
            "No bookmarks yet.\nCtrl+D bookmarks the section you are reading.", self
        )
        self.empty_hint.setObjectName("bookmarks_empty")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("bookmarks_filter")
        self.filter_edit.setPlaceholderText("Filter bookmarks")
        self.filter_edit.setAccessibleName("Filter bookmarks")
        self.filter_edit.setClearButtonEnabled(True)
        self.tree = QTreeView(self)
        self.tree.setObjectName("bookmarks_tree")
        self.tree.setAccessibleName("Bookmarks")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAnimated(False)
        self.tree.setExpandsOnDoubleClick(False)  # a double-click renames
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDropIndicatorShown(True)
        self.tree.setModel(self.model)
        self.results_view = QListView(self)
        self.results_view.setObjectName("bookmarks_results")
        self.results_view.setAccessibleName("Bookmarks found")
        self.results_view.setUniformItemSizes(True)
        small = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.results_view.setIconSize(QSize(small, small))  # as in the tree
        self.results_view.setModel(self.results)
        self.results_view.hide()
        for view, flat in ((self.tree, False), (self.results_view, True)):
            view.setItemDelegate(BookmarkDelegate(self, view, flat=flat))
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setEditTriggers(
                QAbstractItemView.EditTrigger.EditKeyPressed
                | QAbstractItemView.EditTrigger.DoubleClicked
            )
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.disabled_notice)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.results_view, 1)
        layout.addWidget(self.empty_hint, 1)

    def _build_actions(self) -> None:
        within = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.undo_action = self.controller.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.controller.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(within)
            self.addAction(action)
        self.delete_action = QAction("&Delete", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.rename_action = QAction("&Rename", self)
        self.note_action = QAction("Edit &Note…", self)
        self.move_action = QAction("&Move to Folder…", self)
        self.new_folder_action = QAction("New &Folder…", self)
        self.open_action = QAction("&Open", self)

    def _views(self) -> tuple[QAbstractItemView, QAbstractItemView]:
        return self.tree, self.results_view

    def _connect_signals(self) -> None:
        c = self.controller
        # the controller's changes reach the rows (then the filter results, then the hint)
        c.reset.connect(self._rebuild)
        c.bookmark_added.connect(self._on_added)
        c.bookmark_changed.connect(self.model.update_bookmark)
        c.bookmarks_removed.connect(self.model.remove_bookmarks)
        for changed in (c.bookmark_changed, c.bookmarks_removed):
            changed.connect(self._refilter)
            changed.connect(self._show_empty_hint)
        c.error.connect(self.show_error)
        c.removed.connect(self._offer_undo)
        # the rows' requests reach the controller (a move once the drag has ended)
        self.model.move_requested.connect(c.move, Qt.ConnectionType.QueuedConnection)
        # filtering, expanding
        self.filter_edit.textChanged.connect(self.set_filter)
        self.tree.collapsed.connect(self._on_collapsed)
        self.tree.expanded.connect(self._on_expanded)
        # opening, renaming, the context menu, Delete: the same in both views
        for view in self._views():
            delegate = view.itemDelegate()
            assert isinstance(delegate, BookmarkDelegate)
            delegate.rename_requested.connect(c.rename)
            view.clicked.connect(self._on_clicked)
            view.installEventFilter(self)
            view.viewport().installEventFilter(self)  # the middle button
            view.customContextMenuRequested.connect(self._on_context_menu)
            view.addAction(self.delete_action)
        # actions
        self.delete_action.triggered.connect(self.delete_selected)
        self.rename_action.triggered.connect(self.rename_current)
        self.note_action.triggered.connect(self.edit_note)
        self.move_action.triggered.connect(self.move_selected_to_folder)
        self.new_folder_action.triggered.connect(self.new_folder)
        self.open_action.triggered.connect(lambda: self._activate(self.view().currentIndex()))
        # the message bar
        self.message_bar.undo_button.clicked.connect(self._undo_from_bar)
        self._message_timer.timeout.connect(self._hide_undo_bar)

    def _show_state(self) -> None:
        reason = self.controller.disabled_reason
        self.disabled_notice.setVisible(bool(reason))
        self.disabled_notice.setText(reason or "")
        if reason:
            self.filter_edit.setEnabled(False)
            self.tree.setEnabled(False)
        message = self.controller.store.recovery_message
        if message:
            self.message_bar.show_message(message, QStyle.StandardPixmap.SP_MessageBoxInformation)
        if self.controller.load_error:
            self.show_error(self.controller.load_error)

    # -- what the delegate shows ------------------------------------------------------------

    def row_text(self, key: RowKey, with_book: bool = False) -> RowText:
        if key.kind == BOOKMARK:
            bookmark = self.controller.bookmark(key.id)
            if bookmark is None:
                return RowText("", "")
            parts = [self.model.title_of(f"{BOOK}{bookmark.book_identity}")] if with_book else []
            if bookmark.missing:
                parts.append("Section not found")
            parts += [p for p in (bookmark.breadcrumb, note_preview(bookmark.note)) if p]
            return RowText(bookmark.title, " · ".join(parts), short_date(bookmark.created))
        item = self.model.item_of(key)
        title = item.text() if item is not None else ""
        if key.kind == FOLDER:
            count = item.rowCount() if item is not None else 0
            return RowText(title, f"{count} item{'s' if count != 1 else ''}")
        book = self.controller.current_book
        here = book is not None and book.identity == key.key
        return RowText(title, "This book" if here else "Another book", emphasis=True)

    def row_icon(self, key: RowKey) -> QIcon:
        style = self.style()
        if key.kind == FOLDER:
            return style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        if key.kind == BOOKMARK:
            bookmark = self.controller.bookmark(key.id)
            if bookmark is not None and bookmark.missing:
                return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return QIcon()

    def row_tooltip(self, key: RowKey) -> str:
        bookmark = self.controller.bookmark(key.id) if key.kind == BOOKMARK else None
        if bookmark is None:
            return self.row_text(key).title
        lines = [bookmark.title]
        if bookmark.breadcrumb:
            lines.append(bookmark.breadcrumb)
        if bookmark.missing:
            lines.append("Section not found: opens at the nearest chapter.")
        if bookmark.note:
            lines += ["", bookmark.note[:600]]
        return "\n".join(lines)

    # -- rows -------------------------------------------------------------------------------

    @Slot()
    def _rebuild(self) -> None:
        self.model.populate(
            self.controller.books(), self.controller.folders(), self.controller.bookmarks()
        )
        self._expand()
        self._refilter()
        self._show_empty_hint()

    @Slot(object)
    def _on_added(self, bookmark: Bookmark) -> None:
        book = self.controller.current_book
        here = book is not None and book.identity == bookmark.book_identity
        title = book.title if book is not None and here else bookmark.book_title
        self.model.add_bookmark(bookmark, title, book_first=here)
        self._expand_to(self.model.index_of(RowKey(BOOKMARK, str(bookmark.id))))
        self._refilter()
        self._show_empty_hint()

    def focus_list(self) -> None:
        """Keyboard focus where the reader works: the list shown, or the filter when empty."""
        for widget in (self.tree, self.results_view, self.filter_edit):
            if not widget.isHidden():
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return

    @Slot()
    def _show_empty_hint(self) -> None:
        """Instead of an empty list, a word on how to add a bookmark."""
        empty = self.controller.enabled and self.model.rowCount() == 0
        filtering = self.filtering()
        self.empty_hint.setVisible(empty)
        self.tree.setVisible(not empty and not filtering)
        self.results_view.setVisible(not empty and filtering)

    def _expand(self) -> None:
        """Unfold every book and folder but those the reader folded."""
        self._restoring = True
        try:
            for key in self.model.row_keys():
                if key[0] in (BOOK, FOLDER) and key not in self._collapsed:
                    row = RowKey.parse(key)
                    if row is not None:
                        self.tree.setExpanded(self.model.index_of(row), True)
        finally:
            self._restoring = False

    def _expand_to(self, index: QModelIndex) -> None:
        self._restoring = True
        try:
            parent = index.parent()
            while parent.isValid():
                self.tree.expand(parent)
                parent = parent.parent()
        finally:
            self._restoring = False

    @Slot(QModelIndex)
    def _on_collapsed(self, index: QModelIndex) -> None:
        key = row_key(index)
        if key is not None and not self._restoring:
            self._collapsed.add(str(key))

    @Slot(QModelIndex)
    def _on_expanded(self, index: QModelIndex) -> None:
        key = row_key(index)
        if key is not None and not self._restoring:
            self._collapsed.discard(str(key))

    # -- filtering --------------------------------------------------------------------------

    def filtering(self) -> bool:
        return bool(self.filter_edit.text().split())

    @Slot(str)
    def set_filter(self, text: str) -> None:
        """Show only the bookmarks whose title, breadcrumb or note hold every word of ``text``."""
        if self.filter_edit.text() != text:
            self.filter_edit.setText(text)  # comes back here through textChanged
            return
        self._refilter()
        self._show_empty_hint()

    @Slot()
    def _refilter(self) -> None:
        keys = self.model.matching(self.filter_edit.text()) if self.filtering() else []
        if keys != self._found:
            self._found = keys
            self.results.setStringList(keys)

    def view(self) -> QAbstractItemView:
        """The view shown: the tree, or the filter's results."""
        return self.results_view if self.filtering() else self.tree

    def visible_rows(self) -> list[tuple[int, str]]:
        """``(depth, title)`` of each row shown, top to bottom (for tests and a11y checks)."""
        if self.filtering():
            return [
                (0, str(self.results.index(n, 0).data())) for n in range(self.results.rowCount())
            ]
        rows: list[tuple[int, str]] = []

        def walk(parent: QModelIndex, depth: int) -> None:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                rows.append((depth, str(index.data())))
                if self.tree.isExpanded(index):
                    walk(index, depth + 1)

        walk(QModelIndex(), 0)
        return rows

    def selected_keys(self) -> list[RowKey]:
        view = self.view()
        indexes = sorted(
            view.selectionModel().selectedRows(), key=lambda i: view.visualRect(i).top()
        )
        return [k for k in (row_key(i) for i in indexes) if k is not None]

    def index_of(self, key: RowKey) -> QModelIndex:
        """The row of ``key`` in the view shown (invalid if not shown)."""
        if self.filtering():
            text = str(key)
            found = text in self._found
            return self.results.index(self._found.index(text), 0) if found else QModelIndex()
        return self.model.index_of(key)

    def reveal(self, bookmark_id: int) -> None:
        """Show a bookmark: the filter cleared, its folders unfolded, it selected and in view."""
        self.filter_edit.clear()
        index = self.model.index_of(RowKey(BOOKMARK, str(bookmark_id)))
        if index.isValid():
            self._expand_to(index)
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    # -- opening ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched in self._views()
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in ACTIVATING_KEYS
            and isinstance(watched, QAbstractItemView)
            and watched.state() != QAbstractItemView.State.EditingState
        ):
            self._activate(watched.currentIndex())
            return True
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.MiddleButton
        ):
            view = next((v for v in self._views() if v.viewport() is watched), None)
            if view is not None:
                self._activate(view.indexAt(event.position().toPoint()), new_tab=True)
                return True
        return super().eventFilter(watched, event)

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        if QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier:
            self._activate(index)

    def _activate(self, index: QModelIndex, new_tab: bool = False) -> None:
        key = row_key(index)
        if key is None or key.kind != BOOKMARK:
            return
        bookmark = self.controller.bookmark(key.id)
        if bookmark is not None and new_tab:
            self.bookmark_in_new_tab.emit(bookmark)
        elif bookmark is not None:
            self.bookmark_activated.emit(bookmark)

    # -- editing ----------------------------------------------------------------------------

    @Slot()
    def delete_selected(self) -> None:
        keys = self.selected_keys()
        bookmarks = [k.id for k in keys if k.kind == BOOKMARK]
        if bookmarks:
            self.controller.remove(bookmarks)
        for key in keys:
            if key.kind == FOLDER:
                self.controller.remove_folder(key.id)

    @Slot()
    def rename_current(self) -> None:
        index = self.view().currentIndex()
        if index.isValid():
            self.view().edit(index)

    @Slot()
    def edit_note(self) -> None:
        key = row_key(self.view().currentIndex())
        bookmark = self.controller.bookmark(key.id) if key and key.kind == BOOKMARK else None
        if bookmark is None:
            return
        dialog = NoteDialog(bookmark.title, bookmark.note, self)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.controller.set_note(bookmark.id, dialog.text())
        finally:
            dialog.deleteLater()

    @Slot()
    def new_folder(self) -> None:
        """Ask for a name; the folder goes inside the folder (or book) of the current row."""
        key = row_key(self.view().currentIndex())
        book, parent = self._container_of(key)
        if book is None:
            return
        name, ok = QInputDialog.getText(self, "New Folder", "Folder name:")
        if ok and name.strip():
            self.controller.create_folder(book, name.strip(), parent)

    @Slot()
    def move_selected_to_folder(self) -> None:
        keys = [k for k in self.selected_keys() if k.kind in (BOOKMARK, FOLDER)]
        if not keys:
            return
        kind = keys[0].kind
        keys = [k for k in keys if k.kind == kind]
        book, _ = self._container_of(keys[0])
        if book is None:
            return
        choices = self._folder_choices(book, exclude={k.id for k in keys if k.kind == FOLDER})
        labels = [label for label, _ in choices]
        label, ok = QInputDialog.getItem(self, "Move to Folder", "Folder:", labels, 0, False)
        if ok and label in labels:
            folder_id = choices[labels.index(label)][1]
            self.controller.move(MoveRequest(tuple(keys), book, folder_id, -1))

    def _folder_choices(self, book: str, exclude: set[int]) -> list[tuple[str, int | None]]:
        """``(label, folder id)``: the book's top level, then its folders as paths."""
        folders = [f for f in self.controller.folders() if f.book_identity == book]
        by_id = {f.id: f for f in folders}
        choices: list[tuple[str, int | None]] = [("(top level)", None)]

        def path(folder: Folder) -> list[Folder] | None:
            trail = [folder]
            while trail[-1].parent_id is not None:
                parent = by_id.get(trail[-1].parent_id)
                if parent is None:
                    return None
                trail.append(parent)
            return None if any(f.id in exclude for f in trail) else list(reversed(trail))

        for folder in folders:
            trail = path(folder)
            if trail is not None:
                choices.append((" › ".join(f.name for f in trail), folder.id))
        return [choices[0], *sorted(choices[1:], key=lambda c: c[0].casefold())]

    def _container_of(self, key: RowKey | None) -> tuple[str | None, int | None]:
        """The book and folder a new folder would go in, for the row ``key``."""
        if key is None:
            book = self.controller.current_book
            return (book.identity if book else None), None
        if key.kind == BOOK:
            return key.key, None
        if key.kind == FOLDER:
            folder = self.controller.folder(key.id)
            return (folder.book_identity, folder.id) if folder else (None, None)
        bookmark = self.controller.bookmark(key.id)
        return (bookmark.book_identity, bookmark.folder_id) if bookmark else (None, None)

    @Slot(QPoint)
    def _on_context_menu(self, position: QPoint) -> None:
        if not self.controller.enabled:
            return
        view = self.view()
        index = view.indexAt(position)
        if index.isValid() and not view.selectionModel().isSelected(index):
            view.setCurrentIndex(index)
        menu = self.context_menu(row_key(index))
        if not menu.isEmpty():
            menu.exec(view.viewport().mapToGlobal(position))
        menu.deleteLater()

    def context_menu(self, key: RowKey | None) -> QMenu:
        menu = QMenu(self)
        if key is not None and key.kind == BOOKMARK:
            menu.addActions([self.open_action, self.rename_action, self.note_action])
            menu.addSeparator()
            menu.addActions([self.move_action, self.new_folder_action])
            menu.addSeparator()
            menu.addAction(self.delete_action)
        elif key is not None and key.kind == FOLDER:
            menu.addActions([self.rename_action, self.new_folder_action, self.move_action])
            menu.addSeparator()
            menu.addAction(self.delete_action)
        elif self._container_of(key)[0] is not None:
            menu.addAction(self.new_folder_action)
        return menu

    # -- messages ---------------------------------------------------------------------------

    @Slot(str)
    def show_error(self, message: str) -> None:
        self._message_timer.stop()
        self.message_bar.show_message(message, QStyle.StandardPixmap.SP_MessageBoxCritical)

    @Slot(str)
    def _offer_undo(self, text: str) -> None:
        self.message_bar.show_message(
            f"{text}.", QStyle.StandardPixmap.SP_MessageBoxInformation, undo=True
        )
        self._message_timer.start()

    @Slot()
    def _undo_from_bar(self) -> None:
        self.controller.undo_stack.undo()
        self._hide_undo_bar()

    @Slot()
    def _hide_undo_bar(self) -> None:
        if self.message_bar.undo_button.isVisible():
            self.message_bar.hide()
