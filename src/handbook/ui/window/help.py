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
    from handbook.ui.window.shortcuts_dialog import ShortcutsDialog

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
    "An offline reader for markdown handbooks: contents, search, bookmarks, print and PDF, "
    "all without a network.\n\n"
    "It reads mdBook books (SUMMARY.md's tree), MkDocs sites (mkdocs.yml's nav; pages rendered "
    "with Python-Markdown and the site's allowed extensions, none of the site's code run), "
    "plain folders of markdown (the tree from the folders and files) and single .md files."
)
FORMAT_TEXT = {  # Book.format: what "This book" is, in the About box
    "mdbook": "an mdBook book: the tree from its SUMMARY.md",
    "mkdocs": "an MkDocs site: the tree from mkdocs.yml's nav, pages rendered by Python-Markdown",
    "folder": "a plain folder of markdown: the tree from its folders and files",
    "file": "a single markdown file (and the files beside it that it links to)",
}


def open_message(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def open_about(parent: QWidget, book_format: str | None = None) -> QMessageBox:
    text = f"handbook {__version__}\n\n{ABOUT_TEXT}"
    if book_format in FORMAT_TEXT:
        text += f"\n\nThis book is {FORMAT_TEXT[book_format]}."
    box = open_message(parent, "About handbook", text)
    box.setAccessibleName("About handbook")
    return box


def open_shortcuts(parent: QWidget, actions: Iterable[QAction]) -> ShortcutsDialog:
    from handbook.ui.window.shortcuts_dialog import ShortcutsDialog  # on first use, not at start

    dialog = ShortcutsDialog(actions, extra=SHORTCUT_EXTRAS, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
