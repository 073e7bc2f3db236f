"""The walk over a chapter's pulldown-cmark events (see :mod:`handbook.core.render.mdbook.chapter`).

A :class:`Walker` meets each event once. A start tag's handler (``s_*``) writes the element's
opening markup and returns what closes it (markup, or a function that finishes the element:
a heading's id and section, a code block's colours, a footnote kept for the end). Words go to
the current section (``say``) unless a raw HTML element hides them; raw HTML goes through
:class:`~handbook.core.render.mdbook.raw_html.RawHtml`, which keeps its open elements, closed again
when the markdown block around them ends, as a browser closes them.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from handbook.core.book.headings import slugify, unique_anchor
from handbook.core.book.model import Heading, MarkdownOptions
from handbook.core.render.mdbook.code import fence, highlight, visible_code
from handbook.core.render.mdbook.parts import code_tables, grid_tables, long_table
from handbook.core.render.mdbook.raw_html import RawHtml
from handbook.core.render.theme import PageTheme

# A paragraph's text longer than this is shown as paragraphs of about PIECE characters, cut at
# a space: Qt lays out one block of 1 MB for a second on the UI thread, pieces in a tenth.
LONG_TEXT = 16_384
PIECE = 4_096
MAX_NESTING = 48  # quotes and lists deeper than this are shown flat (Qt lays out each level)
_LEVEL = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H5": 5, "H6": 6}
_ALERT_TITLES = {  # words, not emoji: a desktop's fonts may lack the emoji
    "Note": "Note",
    "Tip": "Tip",
    "Important": "Important",
    "Warning": "⚠ Warning",
    "Caution": "⚠ Caution",
}
_ALIGN = {"Left": "left", "Center": "center", "Right": "right"}
_TITLED = frozenset({"Heading", "DefinitionListTitle", "FootnoteDefinition"})
_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.\-]*\s*:|.*&")  # a scheme, or an entity in a URL
_CONTAINERS = frozenset({"BlockQuote", "List", "Item"})
_BLOCKS = frozenset(
    {"Paragraph", "Heading", "BlockQuote", "CodeBlock", "List", "Item", "TableCell", "TableRow",
     "TableHead", "Table", "DefinitionListTitle", "DefinitionListDefinition", "HtmlBlock",
     "FootnoteDefinition"}
)  # fmt: skip


Close = Callable[[], None] | str  # what ends an element: markup, or a function


@dataclass(frozen=True)
class SectionText:
    """The words of one section: before the first heading (``heading`` None) or under one."""

    heading: Heading | None
    text: str


@dataclass(frozen=True)
class ParsedChapter:
    html: str  # the page's body, not yet sanitized ("" when only the text was asked for)
    headings: tuple[Heading, ...]
    sections: tuple[SectionText, ...]
    # What of the page came from the chapter as markup: its raw HTML, and its links and images
    # with a URL scheme, as tags. Only there can the sanitizer find something to remove.
    untrusted: str = ""
    # Whether the sanitizer may change the page: raw HTML other than comments and plain
    # phrasing elements written as the sanitizer writes them (see ``Walker._plain_markup``),
    # a link or image whose URL is not plainly kept (see ``plain_url``), a link inside a link,
    # a code block starting with a blank line (the parser drops a newline after <pre>), a CR
    # or NUL. Else the page is what the walker wrote, in the sanitizer's own serialization:
    # sanitizing it changes nothing (tests/core/test_sanitize_shortcut.py checks it on every
    # chapter of the corpora and on hostile raw HTML).
    needs_sanitizer: bool = True


@dataclass
class _Section:
    heading: Heading | None
    words: list[str] = field(default_factory=list)


@dataclass
class _Footnote:
    html: list[str]
    words: list[str]


# An open markdown element: (what closes it, the raw HTML depth at its start, whether it is
# shown, its kind). A tuple: one is made for every element of a chapter.
_Frame = tuple[Close, int, bool, str]
_ALT: _Frame = ("", 0, False, "alt")  # an element inside an image (only its text counts)


class Walker:
    def __init__(self, text: str, options: MarkdownOptions, theme: PageTheme | None) -> None:
        self.source = text.encode("utf-8", "surrogatepass")
        self.last_line = (0, 1)  # (byte offset, its line)
        self.untrusted: list[str] = []  # see ParsedChapter.untrusted
        self.needs_sanitizer = False  # see ParsedChapter.needs_sanitizer
        self.links = 0  # links open
        self.options = options
        self.theme = theme
        self.write_html = theme is not None
        self.hidelines = dict(options.hidelines)
        self.out: list[str] = []
        self.body = self.out
        self.sections: list[_Section] = [_Section(None)]
        self.words = self.sections[0].words
        self.headings: list[Heading] = []
        self.used: set[str] = set()
        self.frames: list[_Frame] = []
        self.nesting = 0
        self.raw = RawHtml(self._raw_markup, self._raw_words)
        # footnotes: name -> (number, references); definitions, first definition kept
        self.numbers: dict[str, list[int]] = {}
        self.cited_in: dict[str, int] = {}
        self.footnotes: dict[str, _Footnote] = {}
        self.in_footnote: str | None = None
        # inline captures (a heading's or a term's text, an image's alt text)
        self.capture: list[str] | None = None
        self.alt: list[str] | None = None
        self.table_align: tuple[str, ...] = ()
        self.cell = 0
        self.in_head = False
        self.code: tuple[str | None, list[str]] | None = None
        self.table_rows: list[int] | None = None  # where each row of the table starts in out

    # --- output ------------------------------------------------------------------------------

    @property
    def hidden(self) -> bool:
        return self.raw.hidden > 0

    def emit(self, markup: str) -> None:
        if self.write_html and not self.raw.hidden:
            self.out.append(markup)

    def say(self, text: str) -> None:
        """Words the reader sees (not in a hidden element, a script...)."""
        raw = self.raw
        if not raw.hidden and not raw.unindexed:
            self.words.append(text)
            if self.capture is not None:
                self.capture.append(text)

    def _raw_markup(self, markup: str) -> None:
        if self.write_html:
            self.out.append(markup)
            if not self.needs_sanitizer and not self._plain_markup(markup):
                self.needs_sanitizer = True

    def _plain_markup(self, markup: str) -> bool:
        """Whether raw HTML written as ``markup`` is surely as the sanitizer writes it: text
        (escaped already) without a no-break space; the end tag of a plain element; the start
        tag of a plain element, in a paragraph (not an HTML block, which may hold markdown
        blocks), in the sanitizer's serialization (lower case, attributes it keeps as they
        are, double-quoted, one space apart, no character it escapes), a link in no link."""
        if not markup.startswith("<"):
            return "\xa0" not in markup
        if markup.startswith("</"):
            return markup[2:-1] in _PLAIN_ELEMENTS
        m = _PLAIN_START.fullmatch(markup)
        if m is None or (self.frames and self.frames[-1][3] == "HtmlBlock") or not self.frames:
            return False
        tag = m.group(1)
        if tag not in _PLAIN_ELEMENTS:
            return tag == "br" and markup == "<br>"
        names = _PLAIN_ATTRIBUTE.findall(m.group(2))
        if len(set(names)) != len(names):
            return False
        if tag != "a":
            return all(name in _PLAIN_ATTRIBUTES for name in names)
        if self.links or self.raw.inside("a"):  # a link in a link: the parser closes the outer
            return False
        for name, value in _PLAIN_VALUE.findall(m.group(2)):
            if name == "href" and not plain_url(value):
                return False
        return all(name in _PLAIN_ATTRIBUTES or name in ("name", "href") for name in names)

    def raw_piece(self, value: str) -> None:
        """A piece of raw HTML: its elements followed, its shown markup written."""
        raw = self.raw
        raw.feed(value)
        if self.frames and raw.depth < self.frames[-1][1]:
            # it closed an element opened outside the markdown element it is in: misnested
            self.needs_sanitizer = True

    def _raw_words(self, text: str) -> None:
        self.words.append(text)
        if self.capture is not None and text != "\n":
            self.capture.append(text)

    # --- the walk ----------------------------------------------------------------------------

    def walk(self, events: Iterable[tuple[Any, Any]]) -> None:
        # The loop meets every event of the chapter: the common cases (text, a soft break,
        # inline code, outside images, code blocks and hidden elements) are handled inline.
        raw = self.raw
        write_html = self.write_html
        for event, span in events:
            if type(event) is str:
                if event == "SoftBreak" and self.alt is None:
                    if not raw.hidden:
                        if write_html:
                            self.out.append("\n")
                        if not raw.unindexed:
                            self.words.append(" ")
                            if self.capture is not None:
                                self.capture.append(" ")
                else:
                    self.simple(event)
                continue
            ((kind, value),) = event.items()
            if kind == "Text":
                if self.alt is None and self.code is None and not raw.hidden:
                    if write_html:
                        if len(value) > LONG_TEXT:
                            self.text(value)  # cut into pieces in a paragraph
                            continue
                        self.out.append(_escape(value))
                    if not raw.unindexed:
                        self.words.append(value)
                        if self.capture is not None:
                            self.capture.append(value)
                else:
                    self.text(value)
            elif kind == "Start":
                self.start(value, span)
            elif kind == "End":
                self.end()
            elif kind == "Code":
                if self.alt is not None:
                    self.alt.append(value)
                    continue
                if not raw.hidden:
                    if write_html:
                        self.out.append(f"<code>{_escape(value)}</code>")
                    if not raw.unindexed:
                        self.words.append(value)
                        if self.capture is not None:
                            self.capture.append(value)
            elif kind in ("Html", "InlineHtml"):
                self.untrusted.append(value)
                if self.alt is None:
                    self.raw_piece(value)
            elif kind == "FootnoteReference":
                self.footnote_reference(value)
            elif kind == "TaskListMarker":
                self.emit("☑ " if value else "☐ ")
            elif kind in ("InlineMath", "DisplayMath"):  # drawn by core/render/formula.py
                kind_class = "math display" if kind == "DisplayMath" else "math"
                self.emit(f'<code class="{kind_class}">{_escape(value)}</code>')
                self.say(value)
        self.raw.close()
        self.raw.close_to(0)

    def walk_headings(self, events: Iterable[tuple[Any, Any]], watch_html: bool) -> None:
        """Only what headings and their ids need: headings, terms (their ids count), footnote
        definitions (their headings are not the page's), images (their text is no title's);
        raw HTML only inside those, or everywhere when the chapter may hide an element."""
        open_: list[tuple[int, Close]] = []
        images = 0
        raw = self.raw
        capture = None  # self.capture, read again after each title's start and end
        for event, span in events:
            if type(event) is str:
                if capture is not None and not images:
                    capture.append(" ")
                continue
            ((kind, value),) = event.items()
            if kind == "Text" or kind == "Code":
                if capture is not None and not images and not raw.hidden:
                    capture.append(value)
            elif kind == "Start" or kind == "End":
                name = value if type(value) is str else next(iter(value))
                if name == "Image":
                    images += 1 if kind == "Start" else -1
                elif name in _TITLED:
                    if kind == "Start":
                        payload = None if type(value) is str else value[name]
                        open_.append((raw.depth, _STARTS[name](self, payload, span)))
                    else:
                        depth, close = open_.pop()
                        raw.close_to(depth)
                        if callable(close):
                            close()
                    capture = self.capture
            elif (kind == "InlineHtml" or kind == "Html") and (watch_html or capture is not None):
                raw.feed(value)
        raw.close()
        raw.close_to(0)

    def simple(self, event: str) -> None:
        if self.alt is not None:
            self.alt.append(" ")
        elif event == "SoftBreak":
            self.emit("\n")
            self.say(" ")
        elif event == "HardBreak":
            self.emit("<br>\n")
            self.say("\n")
        elif event == "Rule":
            self.emit("<hr>\n")

    def text(self, value: str) -> None:
        if self.alt is not None:
            self.alt.append(value)
        elif self.code is not None:
            self.code[1].append(value)
        elif not self.raw.hidden:
            if self.write_html:
                if len(value) > LONG_TEXT and self.frames and self.frames[-1][3] == "Paragraph":
                    self.out.append(_cut(_escape(value)))
                else:
                    self.out.append(_escape(value))
            if not self.raw.unindexed:
                self.words.append(value)
                if self.capture is not None:
                    self.capture.append(value)

    def start(self, tag: Any, span: Any) -> None:
        if self.alt is not None:  # inside an image: only its text counts (the alt text)
            self.frames.append(_ALT)
            return
        if type(tag) is str:
            name, value = tag, None
        else:
            ((name, value),) = tag.items()
        shown = not self.raw.hidden
        depth = self.raw.depth
        close: Close = ""
        if name in _CONTAINERS:
            self.nesting += 1
            if self.nesting > MAX_NESTING:
                shown = False
        handler = _STARTS.get(name)
        if handler is not None and (shown or name in _ALWAYS):
            close = handler(self, value, span)
        self.frames.append((close, depth, shown, name))

    def end(self) -> None:
        close, raw_depth, shown, kind = self.frames.pop()
        if kind == "alt":
            return
        raw = self.raw
        if kind != "HtmlBlock" and raw.depth > raw_depth:
            raw.close_to(raw_depth)
        if kind in _CONTAINERS:
            self.nesting -= 1
        if isinstance(close, str):
            if shown and close and self.write_html and not raw.hidden:
                self.out.append(close)
        else:
            close()
        if kind in _BLOCKS and not raw.hidden and not raw.unindexed:
            self.words.append("\n")
            if self.capture is not None:
                self.capture.append("\n")

    # --- elements ------------------------------------------------------------------------------

    def s_paragraph(self, value: Any, span: Any) -> Close:
        self.emit("<p>")
        return "</p>\n"

    def s_heading(self, value: Any, span: Any) -> Close:
        level = _LEVEL[value["level"]]
        explicit = value.get("id")
        classes = " ".join(value.get("classes") or ())
        outer, self.out = self.out, []
        outer_words, self.words = self.words, []  # its words are its title, not section text
        self.capture = []
        line = self.line_of(span["start"])

        def close() -> None:
            inner = "".join(self.out)
            self.out = outer
            title = " ".join("".join(self.capture or ()).split())
            self.capture = None
            if explicit:
                anchor = explicit
                self.used.add(anchor)
            else:
                anchor = unique_anchor(slugify(title), self.used)
            heading = Heading(level, title, anchor, line)
            attrs = f' class="{_attr(classes)}"' if classes else ""
            self.emit(
                f'<h{level} id="{_attr(anchor)}"{attrs}>'
                f'<a name="{_attr(anchor)}"></a>{inner}</h{level}>\n'
            )
            if self.in_footnote is None and not self.hidden:
                self.headings.append(heading)
                self.sections.append(_Section(heading))
                self.words = self.sections[-1].words
            else:
                self.words = outer_words

        return close

    def s_blockquote(self, value: Any, span: Any) -> Close:
        if value is None:
            self.emit("<blockquote>\n")
            return "</blockquote>\n"
        title = _ALERT_TITLES[value]
        self.say(title + "\n")
        if self.theme is None:
            return ""
        kind = value.lower()
        accent: str = getattr(self.theme, kind)
        self.emit(
            f'<table class="alert alert-{kind}" width="100%" cellspacing="0" cellpadding="0"'
            f' border="0" bgcolor="{self.theme.alert_background}"><tbody><tr>'
            f'<td bgcolor="{accent}" class="alert-bar" width="4"></td>'
            '<td class="alert-body" style="padding: 8px">'
            f'<p class="alert-title"><span style="color: {accent}; font-weight: bold">'
            f"{_escape(title)}</span></p>\n"
        )
        return "</td></tr></tbody></table>\n"

    def s_codeblock(self, value: Any, span: Any) -> Close:
        info = value.get("Fenced") if isinstance(value, dict) else None
        self.code = (info, [])

        def close() -> None:
            assert self.code is not None
            info, pieces = self.code
            self.code = None
            spec = fence(info, self.hidelines)
            code = visible_code("".join(pieces), spec)
            if self.write_html and not self.hidden and self.theme is not None:
                body = highlight(code, spec.language, self.theme.pygments_style)
                self.emit(code_tables(body.rstrip("\n"), self.theme.code_background))
            self.say(code)

        return close

    def s_list(self, value: Any, span: Any) -> Close:
        if value is None:
            self.emit("<ul>\n")
            return "</ul>\n"
        self.emit("<ol>\n" if value == 1 else f'<ol start="{int(value)}">\n')
        return "</ol>\n"

    def s_item(self, value: Any, span: Any) -> Close:
        self.emit("<li>")
        return "</li>\n"

    def s_table(self, value: Any, span: Any) -> Close:
        self.table_align = tuple(value)
        out, start = self.out, len(self.out)
        opening = '<table class="grid" cellspacing="0">\n'
        self.emit(opening)
        if not self.write_html or self.raw.hidden:
            return "</tbody></table>\n"
        rows = self.table_rows = []

        def close() -> None:  # a long table: written as several (core/render/mdbook/parts.py)
            self.table_rows = None
            if not long_table(len(rows)) or self.raw.hidden:
                self.emit("</tbody></table>\n")
                return
            body = [out[a] if b - a == 1 else "".join(out[a:b]) for a, b in _spans(rows, out)]
            head = "".join(out[start + 1 : rows[0]]).removesuffix("<tbody>\n")
            out[start:] = [grid_tables(opening, head, body)]

        return close

    def s_table_head(self, value: Any, span: Any) -> Close:
        self.in_head, self.cell = True, 0
        self.emit("<thead><tr>")

        def close() -> None:
            self.in_head = False
            self.emit("</tr></thead>\n<tbody>\n")

        return close

    def s_table_row(self, value: Any, span: Any) -> Close:
        self.cell = 0
        if self.table_rows is not None:
            self.table_rows.append(len(self.out))
        self.emit("<tr>")
        return "</tr>\n"

    def s_table_cell(self, value: Any, span: Any) -> Close:
        tag = "th" if self.in_head else "td"
        align = _ALIGN.get(self.table_align[self.cell] if self.cell < len(self.table_align) else "")
        self.cell += 1
        self.emit(f'<{tag} align="{align}">' if align else f"<{tag}>")
        return f"</{tag}>"

    def s_emphasis(self, value: Any, span: Any) -> Close:
        self.emit("<em>")
        return "</em>"

    def s_strong(self, value: Any, span: Any) -> Close:
        self.emit("<strong>")
        return "</strong>"

    def s_strikethrough(self, value: Any, span: Any) -> Close:
        self.emit("<del>")
        return "</del>"

    def s_superscript(self, value: Any, span: Any) -> Close:
        self.emit("<sup>")
        return "</sup>"

    def s_subscript(self, value: Any, span: Any) -> Close:
        self.emit("<sub>")
        return "</sub>"

    def s_link(self, value: Any, span: Any) -> Close:
        dest = value["dest_url"]
        if _SCHEME.match(dest):
            self.untrusted.append(f'<a href="{html.escape(dest)}">')
        if value["link_type"] == "Email":
            dest = "mailto:" + dest
        if not plain_url(dest) or self.raw.inside("a"):  # a link in a raw <a>
            self.needs_sanitizer = True
        self.links += 1
        title = value.get("title")
        attrs = f' title="{_attr(title)}"' if title else ""
        self.emit(f'<a href="{_attr(dest)}"{attrs}>')

        def close() -> None:
            self.links -= 1
            self.emit("</a>")

        return close

    def s_image(self, value: Any, span: Any) -> Close:
        self.alt = []
        if _SCHEME.match(value["dest_url"]):
            self.untrusted.append(f'<img src="{html.escape(value["dest_url"])}">')
        if not plain_url(value["dest_url"]):
            self.needs_sanitizer = True

        def close() -> None:
            alt = "".join(self.alt or ())
            self.alt = None
            title = value.get("title")
            attrs = f' title="{_attr(title)}"' if title else ""
            src = _attr(value["dest_url"])
            self.emit(f'<img alt="{_attr(alt)}" src="{src}"{attrs}>')

        return close

    def s_definition_list(self, value: Any, span: Any) -> Close:
        self.emit("<dl>\n")
        return "</dl>\n"

    def s_definition_title(self, value: Any, span: Any) -> Close:
        outer, self.out = self.out, []
        self.capture = []

        def close() -> None:
            inner = "".join(self.out)
            self.out = outer
            title = " ".join("".join(self.capture or ()).split())
            self.capture = None
            anchor = _attr(unique_anchor(slugify(title), self.used))
            self.emit(f'<dt id="{anchor}"><a name="{anchor}"></a><b>{inner}</b></dt>\n')

        return close

    def s_definition(self, value: Any, span: Any) -> Close:
        self.emit("<dd>")
        return "</dd>\n"

    def s_html_block(self, value: Any, span: Any) -> Close:
        return ""

    def s_footnote_definition(self, value: Any, span: Any) -> Close:
        name = value
        note = _Footnote([], [])
        outer_out, outer_words, outer_capture = self.out, self.words, self.capture
        self.out, self.words, self.capture = note.html, note.words, None
        self.in_footnote = name

        def close() -> None:
            self.out, self.words, self.capture = outer_out, outer_words, outer_capture
            self.in_footnote = None
            self.footnotes.setdefault(name, note)  # as mdBook: the first definition wins

        return close

    def footnote_reference(self, name: str) -> None:
        entry = self.numbers.get(name)
        if entry is None:
            entry = self.numbers[name] = [len(self.numbers) + 1, 0]
            self.cited_in[name] = len(self.sections) - 1
        entry[1] += 1
        number, count = entry
        ident = _attr(name)
        if self.links or self.raw.inside("a"):  # a link in a link: the parser closes the outer
            self.needs_sanitizer = True
        self.emit(
            f'<sup class="footnote-reference" id="fr-{ident}-{count}">'
            f'<a href="#footnote-{ident}">{number}</a></sup>'
        )
        if not self.hidden:  # a word of the section, never of a heading's title
            self.words.append(f" {number} ")

    # --- the result ----------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        """The 1-based line of a byte offset (headings come in order: count from the last)."""
        last_offset, last_line = self.last_line
        if offset < last_offset:
            last_offset, last_line = 0, 1
        line = last_line + self.source.count(b"\n", last_offset, offset)
        self.last_line = (offset, line)
        return line

    def result(self) -> ParsedChapter:
        notes = [
            (self.numbers[n][0], n, note) for n, note in self.footnotes.items() if n in self.numbers
        ]
        notes.sort(key=lambda item: item[0])
        if notes and self.write_html:
            self.out.append('<hr>\n<ol class="footnote-definition">\n')
            for _, name, note in notes:
                self.out.append(self._footnote_html(name, note))
            self.out.append("</ol>\n")
        for _, name, note in notes:
            self.sections[self.cited_in[name]].words.extend(("\n", *note.words, "\n"))
        sections = [SectionText(s.heading, _plain(s.words)) for s in self.sections]
        if not sections[0].text and len(sections) > 1:
            sections.pop(0)
        page = "".join(self.body)
        needs = self.needs_sanitizer or _reparsed(page)
        return ParsedChapter(
            page, tuple(self.headings), tuple(sections), "\n".join(self.untrusted), needs
        )

    def _footnote_html(self, name: str, note: _Footnote) -> str:
        ident = _attr(name)
        count = self.numbers[name][1]
        links = "".join(
            f' <a href="#fr-{ident}-{i}">↩{i if i > 1 else ""}</a>' for i in range(1, count + 1)
        )
        body = "".join(note.html).rstrip("\n")
        if body.endswith("</p>"):
            body = body[: -len("</p>")] + links + "</p>"
        else:
            body += links
        return f'<li id="footnote-{ident}">{body}</li>\n'


def _escape(text: str) -> str:
    """Text escaped as the sanitizer's serializer does (``&``, ``<``, ``>``, no-break spaces),
    without the replacements a plain word does not need."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\xa0" in text:
        text = text.replace("\xa0", "&nbsp;")
    return text


def _attr(value: str) -> str:
    """An attribute's value escaped as the sanitizer's serializer does."""
    return _escape(value).replace('"', "&quot;")


def _reparsed(page: str) -> bool:
    """Whether ``page`` holds what the sanitizer's HTML parser changes: a newline right after
    <pre>, a CR, a NUL (three plain searches: ten times faster than one regex over a page)."""
    return "<pre>\n" in page or "\r" in page or "\x00" in page


_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# http(s) URLs whose host any URL parser takes: letters, digits, dots and hyphens, its last
# label not a number (no IPv4 address to check), a port of at most 4 digits
_PLAIN_WEB = re.compile(
    r"https?://(?:[A-Za-z0-9\-]+\.)*[A-Za-z][A-Za-z0-9\-]*\.?(?::[0-9]{1,4})?(?:[/?#].*)?",
    re.IGNORECASE | re.DOTALL,
)
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")
# Raw HTML elements that the sanitizer's parser keeps where they are (phrasing elements with no
# rule of their own: no implied end, no block, no foster parenting), and the attributes it keeps
# as written on them (``href`` and ``name`` on ``a`` too, a link's URL plainly kept).
_PLAIN_ELEMENTS = frozenset(
    {"a", "abbr", "b", "big", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "q", "s",
     "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var"}
)  # fmt: skip
_PLAIN_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir"})
_PLAIN_START = re.compile(r'<([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*="[^"&<>\xa0]*")*)>')
_PLAIN_ATTRIBUTE = re.compile(r" ([a-z][a-z0-9-]*)=")
_PLAIN_VALUE = re.compile(r' ([a-z][a-z0-9-]*)="([^"]*)"')


def plain_url(url: str) -> bool:
    """Whether the sanitizer keeps ``url`` as it is, surely: relative (no scheme), or http(s)
    with a plain host, or mailto; without spaces or control characters, which a URL parser
    removes or trims. (Another URL may be kept too: the sanitizer then decides.)"""
    if _SPACE_OR_CONTROL.search(url):
        return False
    if _URL_SCHEME.match(url) is None:
        return True
    if url[:7].lower() == "mailto:":
        return True
    return _PLAIN_WEB.fullmatch(url) is not None


def _spans(starts: list[int], out: list[str]) -> list[tuple[int, int]]:
    """Where each row is in ``out``: from its start to the next one's (the last: to the end)."""
    return list(itertools.pairwise([*starts, len(out)]))


def _cut(text: str) -> str:
    pieces: list[str] = []
    start = 0
    while len(text) - start > PIECE:
        space = text.find(" ", start + PIECE)
        if space < 0:
            break
        pieces.append(text[start:space])
        start = space + 1
    pieces.append(text[start:])
    return "</p>\n<p>".join(pieces)


def _plain(words: list[str]) -> str:
    lines = "".join(words).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line and not line.isspace())


_STARTS: dict[str, Callable[[Walker, Any, Any], Close]] = {
    "Paragraph": Walker.s_paragraph,
    "Heading": Walker.s_heading,
    "BlockQuote": Walker.s_blockquote,
    "CodeBlock": Walker.s_codeblock,
    "List": Walker.s_list,
    "Item": Walker.s_item,
    "Table": Walker.s_table,
    "TableHead": Walker.s_table_head,
    "TableRow": Walker.s_table_row,
    "TableCell": Walker.s_table_cell,
    "Emphasis": Walker.s_emphasis,
    "Strong": Walker.s_strong,
    "Strikethrough": Walker.s_strikethrough,
    "Superscript": Walker.s_superscript,
    "Subscript": Walker.s_subscript,
    "Link": Walker.s_link,
    "Image": Walker.s_image,
    "DefinitionList": Walker.s_definition_list,
    "DefinitionListTitle": Walker.s_definition_title,
    "DefinitionListDefinition": Walker.s_definition,
    "HtmlBlock": Walker.s_html_block,
    "FootnoteDefinition": Walker.s_footnote_definition,
}
# elements whose start sets state the end needs, even when nothing of them is shown
_ALWAYS = frozenset(
    {"Heading", "CodeBlock", "Image", "DefinitionListTitle", "FootnoteDefinition", "TableHead"}
)
