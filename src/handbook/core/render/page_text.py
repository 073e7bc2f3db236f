"""A page's HTML as the plain text a reader sees: for ``handbook show`` and for comparisons.

Paragraphs, headings, list items, table rows and code blocks each start a line, with a blank
line between blocks; inside a block, runs of white space are one space, except in ``<pre>``,
whose lines stay as they are. List items carry their marker as the page shows it (``•``, or
their number, counted from an ``<ol start>``), table cells are separated by `` | ``, and a
formula is its TeX (its image's ``alt``), and a footnote's number (``<sup
class="footnote-reference">``, mdBook's markup) is a word of its own, as a superscript reads
apart from the word it follows (``tables¹`` is "tables 1", as the search index holds it).
Nothing the reader does not see is kept: no ``<head>``, style, script or comment, and no
element of a class in ``hidden_classes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from handbook.core.render.formula import DATA_URL_PREFIX

BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl",
        "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
INVISIBLE = frozenset({"head", "script", "style", "template", "title", "noscript", "svg"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})  # fmt: skip
_SPACE = re.compile(r"[ \t\r\n\f]+")


def page_text(page_html: str, hidden_classes: Iterable[str] = (), list_markers: bool = True) -> str:
    """The text of ``page_html`` as a reader sees it (see the module docstring); without
    ``list_markers``, list items are not marked (the words of the page, for its index)."""
    parser = _TextParser(frozenset(hidden_classes), list_markers)
    parser.feed(page_html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self, hidden_classes: frozenset[str], list_markers: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._hidden_classes = hidden_classes
        self._list_markers = list_markers
        self._blocks: list[str] = []
        self._line: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hides its content)
        self._hidden = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # [next number] for <ol>, [] for <ul>
        self._cells = 0  # cells so far in the table row
        self._cell_waits = False  # a cell began after one with text: " | " before its text
        self._marker_waits = False  # the line holds a list marker and nothing yet
        self._sups: list[bool] = []  # for each open <sup>: is it a footnote's number

    # -- structure ---------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        hides = tag in INVISIBLE or bool(
            self._hidden_classes.intersection((attributes.get("class") or "").split())
        )
        if tag not in VOID:
            self._open.append((tag, hides))
            self._hidden += hides
        if self._hidden or hides:
            return
        if tag in BLOCKS and not self._marker_only():
            self._end_block()
        if tag == "pre":
            self._pre += 1
        elif tag == "br":
            self._line.append("\n")
        elif tag == "ul":
            self._lists.append([])
        elif tag == "ol":
            self._lists.append([_number(attributes.get("start"), 1)])
        elif tag == "li":
            marker = self._marker(attributes)
            self._line[:] = [marker] if self._list_markers else []
            self._marker_waits = self._list_markers
        elif tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            self._cell_waits = self._cells > 0 and bool("".join(self._line).strip())
            self._cells += 1
        elif tag == "img":
            self._image(attributes)
        elif tag == "sup":
            footnote = "footnote-reference" in (attributes.get("class") or "").split()
            self._sups.append(footnote)
            if footnote:
                self._line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _ in self._open):
            return
        while self._open:
            open_tag, hides = self._open.pop()
            self._hidden -= hides
            if not self._hidden and not hides:
                self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag in BLOCKS:
            self._end_block()
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "sup" and self._sups and self._sups.pop():
            self._line.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden and data:
            if self._cell_waits and data.strip():
                self._line.append(" | ")  # between two cells that hold text
                self._cell_waits = False
            self._line.append(data if self._pre else _SPACE.sub(" ", data))

    # -- pieces ------------------------------------------------------------------------------

    def _marker(self, attributes: dict[str, str | None]) -> str:
        if not self._lists or not self._lists[-1]:
            return "• "
        counter = self._lists[-1]
        counter[0] = _number(attributes.get("value"), counter[0])
        number = counter[0]
        counter[0] += 1
        return f"{number}. "

    def _image(self, attributes: dict[str, str | None]) -> None:
        """A formula reads as its TeX; a picture has no text (its alt shows when it is missing)."""
        if (attributes.get("src") or "").startswith(DATA_URL_PREFIX):
            self._line.append(attributes.get("alt") or "")

    def _marker_only(self) -> bool:
        """A list item's marker waits for the item's first paragraph, on the same line."""
        return self._marker_waits and not "".join(self._line[1:]).strip()

    def _end_block(self) -> None:
        text = "".join(self._line)
        self._line.clear()
        self._marker_waits = self._cell_waits = False
        if self._pre:
            text = text.strip("\n")
        else:
            text = "\n".join(" ".join(part.split()) for part in text.split("\n")).strip()
        if text.strip():
            self._blocks.append(text)

    def text(self) -> str:
        self._end_block()
        return "\n\n".join(self._blocks)


def _number(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
