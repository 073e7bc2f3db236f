"""The keyboard shortcuts: every action of the window with its keys, searchable.

The window passes its actions (``Actions.all()``); the dialog reads their text and shortcuts
when it is built, so what it lists is what the menus do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

NATIVE = QKeySequence.SequenceFormat.NativeText


def plain_label(text: str) -> str:
    """A menu label without its mnemonic ``&`` (``&&`` is a literal ampersand) or trailing …"""
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "&":
            char = next(chars, "")
        out.append(char)
    return "".join(out).rstrip("…").rstrip(".").strip()


def shortcut_text(action: QAction) -> str:
    keys = [k.toString(NATIVE) for k in action.shortcuts() if not k.isEmpty()]
    return ", ".join(dict.fromkeys(keys))


class ShortcutsDialog(QDialog):
    """Lists ``actions`` (and ``extra`` (label, keys) rows, e.g. Ctrl+wheel) with a filter."""

    def __init__(
        self,
        actions: Iterable[QAction],
        extra: Sequence[tuple[str, str]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.setAccessibleDescription("Every command of the window and the keys that run it")
        self.resize(520, 560)

        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcuts_filter")
        self.filter.setPlaceholderText("Search commands or keys")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Search shortcuts")
        self.filter.setAccessibleDescription("Shows only the commands whose name or keys match")
        label = QLabel("&Search:", self)
        label.setBuddy(self.filter)

        self.table = QTreeWidget(self)
        self.table.setObjectName("shortcuts_table")
        self.table.setColumnCount(2)
        self.table.setHeaderLabels(["Command", "Shortcut"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAccessibleName("Commands and their shortcuts")
        self.table.setAccessibleDescription("Two columns: the command, and its keyboard keys")
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)

        self.empty = QLabel("No command matches.", self)
        self.empty.setAccessibleName("No command matches")
        self.empty.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)

        self._fill(actions, extra)
        self.filter.textChanged.connect(self.set_filter)
        self.filter.setFocus()

    def _fill(self, actions: Iterable[QAction], extra: Sequence[tuple[str, str]]) -> None:
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for action in actions:
            if action.isSeparator() or not action.text():
                continue
            label = plain_label(action.text())
            if label in seen:
                continue
            seen.add(label)
            rows.append((label, shortcut_text(action), action.statusTip() or action.toolTip()))
        rows.extend((label, keys, "") for label, keys in extra)
        for label, keys, tip in rows:
            item = QTreeWidgetItem([label, keys])
            item.setToolTip(0, tip)
            item.setData(1, Qt.ItemDataRole.AccessibleTextRole, keys or "no shortcut")
            self.table.addTopLevelItem(item)

    @Slot(str)
    def set_filter(self, text: str) -> None:
        words = text.casefold().split()
        shown = 0
        for item in self._items():
            haystack = f"{item.text(0)} {item.text(1)} {item.toolTip(0)}".casefold()
            hidden = not all(word in haystack for word in words)
            item.setHidden(hidden)
            shown += not hidden
        self.empty.setVisible(shown == 0)

    def rows(self, visible_only: bool = True) -> list[tuple[str, str]]:
        """(command, keys) as listed."""
        found = []
        for item in self._items():
            if not (visible_only and item.isHidden()):
                found.append((item.text(0), item.text(1)))
        return found

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.table.topLevelItem(row) for row in range(self.table.topLevelItemCount()))
        return [item for item in items if item is not None]
