"""Where the reader is on the page, as text: the line at the top of the view and how far into it.

A chapter rendered again (its file changed on disk) is shown at the same text, not at the same
pixel: lines added above the reader's place push the text down, and a pixel offset would show
other words. The place is the text of the block (paragraph, heading, code line) at the top of
the view, which of the blocks with that text it is, and how many pixels of it are scrolled off;
a few blocks above it stand in when the top one itself was edited away.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextBlock
from PySide6.QtWidgets import QTextBrowser

FALLBACK_BLOCKS = 8  # blocks above the top one tried when it is gone from the new page


class _Line(NamedTuple):
    text: str
    occurrence: int  # how many blocks before it hold the same text
    offset: int  # scroll position minus the block's top, in pixels


class PagePlace(NamedTuple):
    lines: tuple[_Line, ...]  # the top block first, then the ones above it
    scroll: int


def place_at_top(browser: QTextBrowser) -> PagePlace:
    """The text at the top of ``browser``'s view."""
    scroll = browser.verticalScrollBar().value()
    block = browser.cursorForPosition(QPoint(0, 0)).block()
    lines: list[_Line] = []
    while block.isValid() and len(lines) <= FALLBACK_BLOCKS:
        text = block.text()
        if text.strip():
            lines.append(_Line(text, _occurrence(block, text), scroll - _top(browser, block)))
        block = block.previous()
    return PagePlace(tuple(lines), scroll)


def restore_place(browser: QTextBrowser, place: PagePlace) -> None:
    """Scroll ``browser`` so that the text of ``place`` is at the top again (the same pixel
    position when none of its lines is on the new page)."""
    wanted = {line.text for line in place.lines}
    found: dict[str, list[QTextBlock]] = {}
    block = browser.document().begin()
    while block.isValid():
        text = block.text()
        if text in wanted:
            found.setdefault(text, []).append(block)
        block = block.next()
    bar = browser.verticalScrollBar()
    for line in place.lines:
        blocks = found.get(line.text)
        if blocks:
            match = blocks[min(line.occurrence, len(blocks) - 1)]
            bar.setValue(_top(browser, match) + line.offset)
            return
    bar.setValue(place.scroll)


def _top(browser: QTextBrowser, block: QTextBlock) -> int:
    layout = browser.document().documentLayout()
    return round(layout.blockBoundingRect(block).top())


def _occurrence(block: QTextBlock, text: str) -> int:
    count = 0
    before = block.previous()
    while before.isValid():
        if before.text() == text:
            count += 1
        before = before.previous()
    return count
