"""A page put in the viewer's document a screenful first, the rest in slices between events:
the reader reads its start at once and the window stays responsive while the rest goes in.

``setHtml`` is most of what a click on a chapter costs: the Rust book's largest page (57 KB of
HTML) takes ~10 ms to parse and build, its first screen ~2 ms; the 7 MB page of 4.9 MB of prose
2-4 s. It cannot be parsed on another thread meanwhile: PySide keeps the GIL through
``QTextDocument.setHtml``, so the UI thread's Python (every slot, every paint override) would
wait for it just the same. So a page over :data:`SCREENFUL_OVER` characters is cut into parts
(:func:`split_page`): the first, of at least :data:`FIRST_SCREEN` characters and grown until it
fills the viewport (:meth:`PageFill.fill_viewport`), is set with ``setHtml``; the others are
appended at the end of the document at the next turn of the event loop, after the first paint (a
timer's turn comes after the posted paint): all of them for a page up to :data:`FILL_AT_ONCE`
characters, else as many as fit in :data:`SLICE_S`, one slice per turn. Each insertion lays
its own text out, so the finished page is laid out too.

A place below the first screen (a link's #fragment, a bookmark, the place restored, a search
hit) is shown where it is: a page up to :data:`FILL_AT_ONCE` characters gets its parts up to that
place at once (:meth:`PageFill.step`, ``Viewer.go_to``), before anything is painted; a longer one
shows the place once its part is in.

Cuts are made only where appending gives the document ``setHtml`` would give (checked block by
block and format by format on every chapter of the Rust book and MkDocs' docs, and on long code
blocks and tables): between two top-level ``<p>`` that start with text, and between two
top-level tables (a long code block or table is written as several: core/render/mdbook/parts.py).
Before a paragraph, a new block in a paragraph's format goes first, which the part's first
paragraph merges into; a table goes into the empty block Qt keeps after the one before. Each
part carries the page's head (its style sheet) and body tag. A page with no such place (one
huge list) is set whole, as before.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser

SCREENFUL_OVER = 16 * 1024  # characters of HTML: a longer page is shown a screenful first
FIRST_SCREEN = 2 * 1024  # the first part at least (grown until it fills the viewport)
FILL_AT_ONCE = 256 * 1024  # up to this, the parts up to a place below the first screen are
#                            put in at once (setHtml of more takes over ~70-100 ms)
PART = 16 * 1024  # what one insertion adds (~5-10 ms of parsing and layout)
ROW_WEIGHT = 400  # a table row costs as this many characters of prose more (a 1,000-row table
#                   of ~45 KB appended at once: ~90 ms of the UI thread)
LINE_WEIGHT = 60  # a line (a line of code: a block of its own) costs this many characters more
SLICE_S = 0.02  # appending stops for the next turn of the event loop after this long

_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*?)(/?)>", re.DOTALL)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


class PageParts:
    """A long page's body handed out part by part, cut as it is handed out: one pass over the
    page in all, a part's worth at a time (cutting the 7 MB page at once took ~0.4 s)."""

    def __init__(self, head: str, body: str, tail: str, size: int) -> None:
        self.head = head  # up to the <body> tag, included
        self.tail = tail  # from </body> on
        self._body = body
        self._size = size
        self._given = 0  # the body up to here is handed out
        self._scanned = 0  # the tags up to here are counted
        self._depth = 0
        self._after_paragraph = False  # the last top-level element was a <p> starting with text
        self._after_table = False  # the last top-level element was a table
        self._rows = 0  # table rows met since the part handed out (they weigh more)
        self.opens_table = False  # the part handed out last starts with a table
        self._first_cut = 0

    @classmethod
    def of(cls, page: str, first: int = FIRST_SCREEN, size: int = PART) -> PageParts | None:
        """``page`` ready to be handed out from a first part of about ``first`` characters;
        None when it cannot be cut there (no ``<body>``, or no place to cut after ``first``)."""
        body_tag = _BODY.search(page)
        body_end = page.rfind("</body>")
        if body_tag is None or body_end < body_tag.end():
            return None
        body = page[body_tag.end() : body_end]
        parts = cls(page[: body_tag.end()], body, page[body_end:], size)
        cut = parts._cut(first)
        if cut is None:
            return None
        parts._first_cut = cut
        return parts

    def first_page(self) -> str:
        """The page's first part as a whole page, for ``setHtml``."""
        # no white space after a cut, not even after </html>: Qt would end the part's last
        # paragraph with a space, which the page set whole does not have
        return self.head + self._hand_out(self._first_cut).rstrip() + self.tail.rstrip()

    def next_page(self, size: int | None = None) -> str | None:
        """The next part (of about ``size`` characters, else the parts' size) as a page of its
        own, for ``insertHtml`` at the end of the document (None: everything was handed out)."""
        if self._given >= len(self._body):
            return None
        cut = self._cut(self._size if size is None else size)
        part = self._hand_out(cut if cut is not None else len(self._body)).lstrip()
        self.opens_table = part.startswith("<table")
        if cut is None:  # the end of the page, as it is
            return self.head + part + self.tail
        return self.head + part.rstrip() + self.tail.rstrip()

    def done(self) -> bool:
        return self._given >= len(self._body)

    def _hand_out(self, end: int) -> str:
        part = self._body[self._given : end]
        self._given = end
        self._rows = 0
        return part

    def _cut(self, at_least: int) -> int | None:
        """The next place to cut, ``at_least`` characters after the part handed out: before a
        top-level ``<p>`` starting with text that follows one, or a table that follows one
        (None: there is none)."""
        body = self._body
        for m in _TAG.finditer(body, self._scanned):
            self._scanned = m.end()
            closing, tag, attributes, self_closing = m.groups()
            if tag is None:  # a comment
                continue
            if closing:
                self._depth -= 1
                continue
            cut = None
            if tag == "tr":
                self._rows += 1
            if self._depth == 0:
                paragraph = (
                    tag.lower() == "p"
                    and not attributes.strip()
                    and body[m.end() : m.end() + 1] not in ("<", "")
                )
                table = tag.lower() == "table"
                if (
                    (paragraph and self._after_paragraph) or (table and self._after_table)
                ) and m.start() - self._given + self._rows * ROW_WEIGHT >= at_least:
                    cut = m.start()
                self._after_paragraph, self._after_table = paragraph, table
            if tag.lower() not in _VOID and not self_closing:
                self._depth += 1
            if cut is not None:
                return cut
        self._scanned = len(body)
        return None


def page_weight(page: str) -> int:
    """What putting ``page`` in costs, in characters of prose: its length, each table row
    counted :data:`ROW_WEIGHT` characters more and each line :data:`LINE_WEIGHT` (the Rust
    book's pages weigh 104 KB at most)."""
    return len(page) + ROW_WEIGHT * page.count("<tr") + LINE_WEIGHT * page.count("\n")


def split_page(page: str, first: int = FIRST_SCREEN, size: int = PART) -> list[str] | None:
    """``page`` as :class:`PageFill` puts it in: its first part as a page, then each other
    part as a page of its own (None: it is set whole)."""
    parts = PageParts.of(page, first, size)
    if parts is None:
        return None
    pages = [parts.first_page()]
    while (following := parts.next_page()) is not None:
        pages.append(following)
    return pages


class PageFill(QObject):
    """Puts pages in ``browser``: short ones at once, longer ones a screenful first and the
    rest in slices between events."""

    grew = Signal(int)  # text was appended from this document position (after each slice)
    filled = Signal()  # the rest of a page is in (not emitted for a page set at once)

    def __init__(
        self,
        browser: QTextBrowser,
        at_once: int = FILL_AT_ONCE,
        first: int = FIRST_SCREEN,
        size: int = PART,
        screenful_over: int = SCREENFUL_OVER,
    ) -> None:
        super().__init__(browser)
        self._browser = browser
        self._at_once, self._first, self._size = at_once, first, size
        self._screenful_over = screenful_over
        self._parts: PageParts | None = None
        self._short = False  # the page is no longer than ``at_once``
        self._paragraph: tuple[QTextBlockFormat, QTextCharFormat] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._append_rest)

    def set_page(self, page: str, screenful: bool = True) -> None:
        """Show ``page``: all of it when short, else its start now and the rest soon.
        ``screenful``: False puts every page up to ``at_once`` characters in at once (a page
        shown again where it was, as a ``<details>`` folds)."""
        self.cancel()
        over = self._screenful_over if screenful else self._at_once
        weight = page_weight(page)
        parts = PageParts.of(page, self._first, self._size) if weight > over else None
        if parts is None:
            self._browser.setHtml(page)
            return
        self._browser.setHtml(parts.first_page())
        self._browser.document().setUndoRedoEnabled(False)
        self._parts = parts
        self._short = weight <= self._at_once
        self._paragraph = None
        self._timer.start()

    def fill_viewport(self) -> None:
        """Parts appended now until the page's start fills the browser's viewport (call once
        the page's margins and column are set: they decide its height)."""
        document = self._browser.document()
        wanted = self._browser.viewport().height()
        while self._parts is not None and document.size().height() < wanted:
            self._append(self._first)

    def active(self) -> bool:
        """True while part of the page is still to come."""
        return self._parts is not None

    def short(self) -> bool:
        """True when the page still to come is short enough to go in at once for a place in
        it (:meth:`step`); else the place is shown once its part is in."""
        return self._parts is not None and self._short

    def step(self) -> None:
        """Append the next part now."""
        self._append(self._size)

    def cancel(self) -> None:
        """Stop filling (another page is shown)."""
        self._parts = None
        self._timer.stop()

    def finish(self) -> None:
        """Append the rest of the page now."""
        while self._parts is not None:
            self._append_slice(budget_s=None)

    @Slot()
    def _append_rest(self) -> None:
        """The timer's turn, after the first paint: a short page's rest all at once (no longer
        than ``setHtml`` of the page would have held the UI thread), a long one's a slice."""
        self._append_slice(budget_s=None if self._short else SLICE_S)

    def _append(self, size: int) -> None:
        """One part of about ``size`` characters appended now (a slice of one part)."""
        self._append_slice(budget_s=0.0, size=size)

    def _append_slice(self, budget_s: float | None = SLICE_S, size: int | None = None) -> None:
        parts = self._parts
        if parts is None:
            return
        started = time.perf_counter()
        document = self._browser.document()
        start = document.characterCount() - 1
        block_format, char_format = self._paragraph_formats(parts)
        # textChanged once per slice would make the highlights and the find bar start again
        # each time: they hear of the page once, from ``filled``
        blocked = self._browser.blockSignals(True)
        try:
            while (page := parts.next_page(size)) is not None:
                cursor = QTextCursor(document)
                cursor.movePosition(QTextCursor.MoveOperation.End)
                if not parts.opens_table:  # a table goes into the block after the last one
                    cursor.insertBlock(block_format, char_format)
                cursor.insertHtml(page)
                if budget_s is not None and time.perf_counter() - started >= budget_s:
                    break
        finally:
            self._browser.blockSignals(blocked)
        done = parts.done()
        if done:
            self._parts = None
            self._timer.stop()
        self.grew.emit(start)
        if done:
            self.filled.emit()
        elif not self._timer.isActive():
            self._timer.start()

    def _paragraph_formats(self, parts: PageParts) -> tuple[QTextBlockFormat, QTextCharFormat]:
        """The block and character formats a top-level ``<p>`` of this page gets."""
        if self._paragraph is None:
            probe = QTextDocument()
            probe.setHtml(parts.head + "<p>x</p>" + parts.tail)
            block = probe.begin()
            self._paragraph = (block.blockFormat(), block.charFormat())
        return self._paragraph
