"""Highlights in the page: a search's terms, and find-in-page matches, as extra selections.

:class:`PageHighlighter` owns the browser's extra selections, in two layers painted in order:
the terms of the search a page was opened from, then the find bar's matches with its current
match on top. Either layer is set or cleared without touching the other. A new page (the
browser's text changed) drops both, since their positions belong to the old one.

Matching works on the document's plain text (one character per document position, except that
Qt counts a character outside the BMP as two), case-insensitive and blind to diacritics, like
the search index: "cafe" lights "Café".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit

from handbook.core.render.theme import LIGHT, PageTheme
from handbook.core.search.matching import fold, stem, terms_pattern

__all__ = [
    "PageHighlighter",
    "Span",
    "find_spans",
    "fold",
    "literal_pattern",
    "stem",
    "terms_pattern",
]

MAX_SELECTIONS = 5000  # painting more extra selections than this makes scrolling crawl

Span = tuple[int, int]  # [start, end) in document positions


class PageHighlighter(QObject):
    """The page's extra selections: search terms, find matches and the current find match."""

    changed = Signal()  # after any layer changed (tests, and a find bar keeping its count)

    def __init__(self, browser: QTextBrowser, theme: PageTheme = LIGHT) -> None:
        super().__init__(browser)
        self._browser = browser
        self._theme = theme
        self._search: list[Span] = []
        self._terms: tuple[str, ...] = ()  # what ``_search`` lights, to light it on a new page
        self._find: list[Span] = []
        self._current: int | None = None
        browser.textChanged.connect(self._on_page_changed)

    # -- search terms ----------------------------------------------------------------------

    def highlight_terms(self, terms: Sequence[str]) -> int:
        """Highlight every occurrence of ``terms`` (words match by stem, phrases in order);
        returns how many were found."""
        pattern = terms_pattern(terms)
        self._terms = tuple(terms) if pattern is not None else ()
        self._search = [] if pattern is None else find_spans(self.page_text(), pattern)
        self._apply()
        return len(self._search)

    @Slot()
    def relight(self) -> None:
        """Light the search's terms again: the rest of a long page came in."""
        if self._terms:
            self.highlight_terms(self._terms)

    def clear(self) -> None:
        """Remove the search terms' highlights (find matches stay)."""
        self._search, self._terms = [], ()
        self._apply()

    def search_count(self) -> int:
        return len(self._search)

    def search_terms(self) -> tuple[str, ...]:
        """The terms lit on this page (a page shown again after its file changed lights them
        again)."""
        return self._terms

    # -- find in page ----------------------------------------------------------------------

    def set_find_matches(self, spans: Sequence[Span], current: int | None) -> None:
        """Show the find bar's ``spans``, ``spans[current]`` in the current-match colour."""
        self._find = list(spans)
        self._current = current if current is not None and 0 <= current < len(spans) else None
        self._apply()

    def clear_find(self) -> None:
        self._find, self._current = [], None
        self._apply()

    # -- colours and text ------------------------------------------------------------------

    def set_theme(self, theme: PageTheme) -> None:
        self._theme = theme
        self._apply()

    def page_text(self) -> str:
        return self._browser.document().toPlainText()

    @Slot()
    def _on_page_changed(self) -> None:
        self._terms = ()
        if self._search or self._find:
            self._search, self._find, self._current = [], [], None
            self._apply()

    def _apply(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        search = self._format(self._theme.search_highlight)
        for spans, fmt in ((self._search, search), (self._find, search)):
            for start, end in spans[:MAX_SELECTIONS]:
                selections.append(self._selection(start, end, fmt))
        if self._current is not None:
            start, end = self._find[self._current]
            selections.append(self._selection(start, end, self._format(self._theme.find_current)))
        self._browser.setExtraSelections(selections)
        self.changed.emit()

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        cursor = QTextCursor(self._browser.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor  # type: ignore[attr-defined]
        selection.format = fmt  # type: ignore[attr-defined]
        return selection

    def _format(self, background: str) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(background))
        fmt.setForeground(QColor(self._theme.text))
        return fmt


# --- matching, on plain text --------------------------------------------------------------------


def literal_pattern(needle: str, match_case: bool) -> re.Pattern[str] | None:
    """Find in page: ``needle`` as written (case and diacritics ignored unless ``match_case``)."""
    if not needle:
        return None
    if match_case:
        return re.compile(re.escape(needle))
    return re.compile(re.escape(fold(needle)), re.IGNORECASE)


def find_spans(text: str, pattern: re.Pattern[str], match_case: bool = False) -> list[Span]:
    """Every match of ``pattern`` in the page's plain ``text``, as document positions."""
    haystack = text if match_case else fold(text)
    spans = [(m.start(), m.end()) for m in pattern.finditer(haystack) if m.end() > m.start()]
    return _document_positions(text, spans)


def _document_positions(text: str, spans: list[Span]) -> list[Span]:
    """Python indexes -> Qt positions, which count a character beyond U+FFFF as two."""
    if not spans or len(text.encode("utf-16-le")) == 2 * len(text):
        return spans
    offsets = [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]
    return [(offsets[start], offsets[end]) for start, end in spans]
