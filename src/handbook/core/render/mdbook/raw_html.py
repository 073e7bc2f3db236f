"""The raw HTML of a chapter, followed piece by piece between the markdown events.

CommonMark passes raw HTML through in pieces (an HTML block, an inline tag), and markdown may
sit between an opening tag and its closing one. :class:`RawHtml` keeps the open elements, so
that the chapter's walker knows when it is inside an element a reader never sees: one
mdBook's style sheet hides (``class="hidden"``), one with a ``hidden`` attribute or
``display: none``. Those are left off the page and out of the search index, with everything
in them. A script or a style stays on the page for the sanitizer to remove (and announce),
but its text is never a word of the index; comments are dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from handbook.core.render.sanitize import DROPPED_WITH_CONTENT

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
# Tags after which the words on either side are apart ("<td>a</td><td>b</td>": "a b").
BLOCK = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
     "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
     "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr",
     "ul"}
)  # fmt: skip
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
# The pieces most raw HTML comes in (a comment, a closing tag, an opening tag with quoted
# attributes free of entities), then blanks: read without HTMLParser's general scan, to the
# same calls. Anything else goes through HTMLParser.
_BLANK = "[ \t\n\r\f]"
_SIMPLE_PIECE = re.compile(
    rf"""(?:<!--[^-]*(?:-[^-]+)*-->
        |</([a-zA-Z][a-zA-Z0-9]*){_BLANK}*>
        |<([a-zA-Z][a-zA-Z0-9]*)((?:{_BLANK}+[a-zA-Z][a-zA-Z0-9-]*="[^"&<>]*")*){_BLANK}*>
        )({_BLANK}*)""",
    re.VERBOSE,
)
_SIMPLE_ATTRIBUTE = re.compile(r'([a-zA-Z][a-zA-Z0-9-]*)="([^"]*)"')

Sink = Callable[[str], None]


def hides(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Whether an element is never shown (mdBook's ``.hidden``, ``hidden``, ``display: none``)."""
    for name, value in attrs:
        if name == "hidden":
            return True
        if name == "class" and value and "hidden" in value.split():
            return True
        if name == "style" and value and _DISPLAY_NONE.search(value):
            return True
    return False


class RawHtml(HTMLParser):
    """Raw HTML fed piece by piece; writes what is shown to ``markup`` and its words to
    ``words``. ``hidden`` / ``unindexed`` say whether markdown met now is inside an element
    that hides it / whose text is not indexed."""

    def __init__(self, markup: Sink, words: Sink) -> None:
        super().__init__(convert_charrefs=True)
        self._markup = markup
        self._words = words
        self._open: list[tuple[str, int]] = []  # tag, kind (0 shown, 1 hidden, 2 unindexed)
        self.hidden = 0
        self.unindexed = 0

    @property
    def depth(self) -> int:
        return len(self._open)

    def inside(self, tag: str) -> bool:
        """Whether an element ``tag`` is open."""
        return any(open_tag == tag for open_tag, _ in self._open)

    def feed(self, data: str) -> None:
        m = None if self.rawdata or self.cdata_elem is not None else _SIMPLE_PIECE.fullmatch(data)
        if m is None:
            super().feed(data)
            return
        end, start, attributes, blanks = m.groups()
        if end is not None:
            self.handle_endtag(end.lower())
        elif start is not None:
            tag = start.lower()
            if tag in self.CDATA_CONTENT_ELEMENTS:  # <script>, <style>: HTMLParser's own mode
                super().feed(data)
                return
            attrs: list[tuple[str, str | None]] = [
                (name.lower(), value) for name, value in _SIMPLE_ATTRIBUTE.findall(attributes)
            ]
            self._start(tag, attrs, data[: m.start(4)])
        if blanks:
            self.handle_data(blanks)

    def close_to(self, depth: int) -> None:
        """Close the elements opened since ``depth`` (a markdown block ended around them)."""
        while len(self._open) > depth:
            self._pop()

    # --- HTMLParser ----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self._start_text(tag))

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], text: str) -> None:
        if tag in VOID:
            self._void(tag, attrs, text)
            return
        kind = 1 if hides(tag, attrs) else 2 if tag in DROPPED_WITH_CONTENT else 0
        if not self.hidden and kind != 1:
            self._markup(text)
        self._open.append((tag, kind))
        self.hidden += kind == 1
        self.unindexed += kind == 2
        if tag in BLOCK:
            self._words("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._void(tag, attrs, self._start_text(tag))

    def _void(self, tag: str, attrs: list[tuple[str, str | None]], text: str) -> None:
        if not self.hidden and not hides(tag, attrs):
            self._markup(text)
        if tag in BLOCK:
            self._words("\n")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                while len(self._open) > i:
                    self._pop()
                return
        if tag in BLOCK:
            self._words("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self._markup(html.escape(data, quote=False))
        if not self.unindexed:
            self._words(data)

    def handle_comment(self, data: str) -> None:
        return  # never shown

    def handle_decl(self, decl: str) -> None:
        return

    def unknown_decl(self, data: str) -> None:
        return

    def handle_pi(self, data: str) -> None:
        return

    # --- helpers ---------------------------------------------------------------------------------

    def _start_text(self, tag: str) -> str:
        return self.get_starttag_text() or f"<{tag}>"  # <details>: core/render/details.py folds it

    def _pop(self) -> None:
        tag, kind = self._open.pop()
        self.hidden -= kind == 1
        self.unindexed -= kind == 2
        if not self.hidden and kind != 1:
            self._markup(f"</{tag}>")
        if tag in BLOCK:
            self._words("\n")
