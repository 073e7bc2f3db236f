"""The Help menu's windows and the window's messages: none of them modal, so nothing waits.

A modal ``QMessageBox.exec()`` would stop the tests (and the reader's typing) until closed;
these open with ``open()`` and delete themselves when closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from handbook import __version__

if TYPE_CHECKING:
    from handbook.ui.shortcuts_dialog import ShortcutsDialog

# keys that are not actions: shown in the shortcuts dialog after them
SHORTCUT_EXTRAS = (
    ("Search from the page", "/"),
    ("Keyboard shortcuts from the page", "?"),
    ("Clear the search highlights (on the page)", "Esc"),
    ("Zoom with the mouse wheel", "Ctrl+Wheel"),
    ("Open the selected section, result or bookmark", "Enter"),
    ("Rename the selected bookmark", "F2"),
    ("Find: next / previous match (in the find field)", "Enter / Shift+Enter"),
    ("Close the find bar or the search panel (in its field)", "Esc"),
)

ABOUT_TEXT = (
    "An offline reader for books in mdBook's layout: contents, search, bookmarks, "
    "print and PDF, all without a network."
)


def open_message(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def open_about(parent: QWidget) -> QMessageBox:
    box = open_message(parent, "About handbook", f"handbook {__version__}\n\n{ABOUT_TEXT}")
    box.setAccessibleName("About handbook")
    return box


def open_shortcuts(parent: QWidget, actions: Iterable[QAction]) -> ShortcutsDialog:
    from handbook.ui.shortcuts_dialog import ShortcutsDialog  # on first use, not at start

    dialog = ShortcutsDialog(actions, extra=SHORTCUT_EXTRAS, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
