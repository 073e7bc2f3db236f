"""What the reader sees at the top of the page: the text of the first line in the viewport."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit


def _cursor_at_top(page: QTextEdit) -> QTextCursor:
    """The first character at the top of the viewport, as the reader sees it painted: Qt's hit
    test reads only what is laid out so far (a new page is laid out lazily, and a point past
    that answers its end), so the layout is finished first."""
    page.document().documentLayout().documentSize()
    return page.cursorForPosition(QPoint(0, 0))


def text_at_top(page: QTextEdit, length: int = 40) -> str:
    """The text from the first character at the top of the viewport, ``length`` characters."""
    cursor = _cursor_at_top(page)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()[:length]


def top_line_is_whole(page: QTextEdit) -> bool:
    """The first line at the top is not cut by the viewport's edge (scrolled to its top)."""
    cursor = _cursor_at_top(page)
    return page.cursorRect(cursor).top() >= 0


def position_at_top(page: QTextEdit) -> int:
    """The document position of the first character at the top of the viewport."""
    return _cursor_at_top(page).position()


def first_line_span(page: QTextEdit) -> tuple[int, int]:
    """Document positions (start, end) of the first line of text at the top of the viewport."""
    cursor = _cursor_at_top(page)
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
