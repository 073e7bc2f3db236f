"""What the reader sees at the top of the page: the text of the first line in the viewport."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit


def text_at_top(page: QTextEdit, length: int = 40) -> str:
    """The text from the first character at the top of the viewport, ``length`` characters."""
    cursor = page.cursorForPosition(QPoint(0, 0))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()[:length]


def top_line_is_whole(page: QTextEdit) -> bool:
    """The first line at the top is not cut by the viewport's edge (scrolled to its top)."""
    cursor = page.cursorForPosition(QPoint(0, 0))
    return page.cursorRect(cursor).top() >= 0


def position_at_top(page: QTextEdit) -> int:
    """The document position of the first character at the top of the viewport."""
    return page.cursorForPosition(QPoint(0, 0)).position()


def first_line_span(page: QTextEdit) -> tuple[int, int]:
    """Document positions (start, end) of the first line of text at the top of the viewport."""
    cursor = page.cursorForPosition(QPoint(0, 0))
    block = cursor.block()
    layout = block.layout()
    line = layout.lineForTextPosition(cursor.positionInBlock())
    if not line.isValid():
        return cursor.position(), cursor.position() + 1
    start = block.position() + line.textStart()
    return start, start + max(line.textLength(), 1)


def is_on_first_line(page: QTextEdit, position: int) -> bool:
    """Whether the character at ``position`` is on the first line at the top of the page."""
    start, end = first_line_span(page)
    return start <= position < end
