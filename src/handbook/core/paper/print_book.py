"""A book's chapters as HTML documents for paper (Qt-free; painted by ui/paper/pdf_export.py).

Each chapter's rendered page is taken apart (its ``<style>`` and ``<body>``), its anchors get a
per-chapter prefix, links between the chapters printed are pointed at those anchors, links to
chapters left out become plain text, and images are kept only when they are files inside the
book. A table of contents with page numbers opens the document when more than one chapter is
printed: the numbers come from a first layout of each chapter (``ui/pdf_export.BookPrint``).
"""

from __future__ import annotations

import html
import posixpath
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from handbook.core.book.model import Book, NodeKind, RenderedChapter, TocNode
from handbook.core.paper.pdf_outline import OutlineEntry
from handbook.core.render.formula import is_formula_image
from handbook.core.render.theme import LIGHT, PageTheme

RenderChapter = Callable[[str], RenderedChapter]

IMAGE_SUFFIXES = frozenset({".png", ".jpeg", ".jpg", ".gif", ".svg", ".svgz"})
RESOURCE_SCHEME = "handbook-print"  # images are named handbook-print:<index into images>
CONTENTS_ANCHOR = "contents"
CONTENTS_ROWS = 30  # contents rows to a page (a document of its own): fewer than a page holds

_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_ATTR = re.compile(r"""(\s)(name|id|href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.IGNORECASE | re.DOTALL)
_TEXT_BEFORE = re.compile(r"[^\s]")
_ID_HOLDER = re.compile(r"<(li|p|div|span|sup|sub|dt|dd|td|th|blockquote|em|strong|b|i)\b", re.I)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_LOCAL_HREF = re.compile(r'href="#([^"]*)"')
_BODY = re.compile(r"<body([^>]*)>(.*)</body>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class PrintedChapter:
    path: str
    title: str
    level: int
    first_page: int  # 1-based, in the final document


def safe_name(text: str) -> str:
    """An ASCII anchor name: PDF destination names and URL fragments then read the same."""
    return "".join(
        c if c.isascii() and (c.isalnum() or c in "-_") else f"_{ord(c):x}_" for c in text
    )


def chapter_anchor(index: int, anchor: str | None = None) -> str:
    return f"c{index}" if anchor is None else f"c{index}-{safe_name(anchor)}"


# -- which chapters, in what order ---------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    node: TocNode
    level: int


def _entries(book: Book, only: Sequence[str] | None) -> list[_Entry]:
    """Chapters with a file (and part titles), in reading order, with their depth."""
    wanted = set(only) if only is not None else None
    found: list[_Entry] = []

    def walk(nodes: Sequence[TocNode], level: int) -> None:
        for node in nodes:
            if (node.kind is NodeKind.PART and wanted is None) or (
                node.kind is NodeKind.CHAPTER
                and node.path
                and not node.draft
                and (wanted is None or node.path in wanted)
            ):
                found.append(_Entry(node, level))
            walk(node.children, level + 1 if node.kind is NodeKind.CHAPTER else level)

    walk(book.toc, 0)
    if only is not None:  # the order asked for, when it is a subset
        order = {path: n for n, path in enumerate(only)}
        found.sort(key=lambda e: order.get(e.node.path or "", 0))
    return found


class _Rewriter:
    """Rewrites one chapter's anchors, links and images for the combined document."""

    def __init__(
        self, index: int, path: str, chapters: dict[str, int], starts: dict[int, str], book: Book
    ) -> None:
        self.index, self.path, self.chapters, self.book = index, path, chapters, book
        self.starts = starts  # where each chapter begins (an anchor name in the document)
        self.images: list[Path] = []
        self.notes: list[str] = []

    def __call__(self, body: str, images: list[Path]) -> str:
        self.images = images
        return _TAG.sub(self._tag, body)

    def _tag(self, match: re.Match[str]) -> str:
        tag = match.group(0)
        if re.match(r"<img\b", tag, re.IGNORECASE):
            return self._img(tag)
        rewritten = _ATTR.sub(self._attribute, tag)
        holder = _ID_HOLDER.match(tag)
        element_id = _ID.search(tag)
        if holder and element_id:
            # Qt makes anchors only of <a name>/<a id>: a footnote's <li id> or a <sup id> gets
            # an <a name> just inside it. It holds a zero-width space: Qt's PDF engine makes no
            # destination of a name whose first character is a link's (footnote references).
            name = chapter_anchor(
                self.index, html.unescape(element_id.group(1) or element_id.group(2))
            )
            return f'{_ID.sub("", rewritten)}<a name="{name}">&#8203;</a>'
        return rewritten

    def _img(self, tag: str) -> str:
        """The image when it is a file inside the book; else its alt text (Qt would draw a
        broken-image icon for one it cannot load)."""
        attributes = {
            m.group(2).lower(): html.unescape(m.group(3) if m.group(3) is not None else m.group(4))
            for m in _ATTR.finditer(tag)
        }
        if is_formula_image(attributes.get("src", "")):
            return tag  # a formula the renderer drew: the print document draws it too
        alt = re.search(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag, re.IGNORECASE)
        path = self._image_path(attributes.get("src", ""))
        if path is None:
            self.notes.append(f"{self.path}: image not printed: {attributes.get('src', '')}")
            text = (
                html.unescape(next((g for g in alt.groups() if g is not None), "")) if alt else ""
            )
            return f"<i>[{html.escape(text)}]</i>" if text else ""
        self.images.append(path)
        source = f"{RESOURCE_SCHEME}:{len(self.images) - 1}"
        return _ATTR.sub(lambda m: self._attribute(m, source), tag)

    def _attribute(self, match: re.Match[str], source: str = "") -> str:
        space, name = match.group(1), match.group(2).lower()
        value = html.unescape(match.group(3) if match.group(3) is not None else match.group(4))
        if name in ("name", "id"):
            return f'{space}{name}="{chapter_anchor(self.index, value)}"'
        if name == "src":
            return f'{space}src="{source}"' if source else ""
        target = self._link(value)
        return f'{space}href="{html.escape(target, quote=True)}"' if target else ""

    def _link(self, href: str) -> str | None:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            return href
        if parts.scheme or parts.netloc:
            return None
        fragment = unquote(parts.fragment) or None
        if not parts.path:
            return "#" + chapter_anchor(self.index, fragment)
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(self.path), unquote(parts.path))
        )
        for candidate in (target, re.sub(r"\.html?$", ".md", target)):
            if candidate in self.chapters:
                index = self.chapters[candidate]
                if fragment is None:
                    return "#" + self.starts[index]
                return "#" + chapter_anchor(index, fragment)
        return None  # a chapter not in this PDF: plain text rather than a dead link

    def _image_path(self, src: str) -> Path | None:
        """The image file ``src`` names, if it is one inside the book."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return None
        relative = posixpath.join(posixpath.dirname(self.path), unquote(parts.path))
        try:
            path = (self.book.src / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        inside = path.is_relative_to(self.book.root.resolve()) and path.is_file()
        return path if inside and path.suffix.lower() in IMAGE_SUFFIXES else None


def _leading_anchor(body: str) -> str | None:
    """The anchor name a chapter's body opens with (before any text), if it has one."""
    last = 0
    for tag in _TAG.finditer(body):
        if _TEXT_BEFORE.search(body, last, tag.start()):
            return None
        last = tag.end()
        for attribute in _ATTR.finditer(tag.group(0)):
            if attribute.group(2).lower() in ("name", "id"):
                value = attribute.group(3) if attribute.group(3) is not None else attribute.group(4)
                return html.unescape(value)
    return None


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 1)


def _unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def _split(document_html: str) -> tuple[str, str, str]:
    """(style blocks, body attributes, body content) of a full HTML document."""
    styles = "".join(_STYLE.findall(document_html))
    body = _BODY.search(document_html)
    if body is None:
        return styles, "", _STYLE.sub("", document_html)
    return styles, body.group(1), body.group(2)


class PrintBook:
    """Some chapters of a book (default: all) as HTML documents for paper: a contents page and
    one document per chapter listed (a chapter listed twice is printed twice).

    Anchors are prefixed per chapter (``c3-intro``) so names from different chapters cannot
    clash, links between the chapters printed become links to those names, and images are
    collected by index (only files inside the book). Chapters are rendered one at a time
    (:meth:`render_steps`), so that the caller can show progress and stop between two.
    """

    def __init__(
        self,
        book: Book,
        render: RenderChapter,
        chapters: Sequence[str] | None = None,
        *,
        contents: bool | None = None,
        theme: PageTheme = LIGHT,
    ) -> None:
        self.book = book
        self.theme = theme
        self._entries = _entries(book, chapters)
        self._listed = [e.node.path for e in self._entries if e.node.path]  # once per listing
        if chapters is not None and not self._listed:
            raise ValueError("none of the chapters asked for is in the book")
        self.contents = len(self._listed) > 1 if contents is None else contents
        self._index: dict[str, int] = {}
        for path in self._listed:
            self._index.setdefault(path, len(self._index))
        self._render_chapter = render
        # chapter index -> its rendered, then rewritten body; compressed: a 5,000-chapter book's
        # HTML is held while its pages are painted a chapter at a time
        self._raw: dict[int, bytes] = {}
        self._chapters_html: dict[int, bytes] = {}
        self._headings: dict[int, list[tuple[str, int, str]]] = {}  # index -> (title, level, name)
        self._start: dict[int, str | None] = {}
        self._starts: dict[int, str] = {}  # chapter index -> its start anchor, once all rendered
        self._path_of = {index: path for path, index in self._index.items()}
        self.images: list[Path] = []  # what the print document may read, by index
        self.notes: list[str] = []
        # name -> the name Qt keeps for that spot (set by the layout; see ui/paper/pdf_export.py)
        self.aliases: dict[str, str] = {}
        self._styles, self._body_attributes = "", ""

    def chapter_count(self) -> int:
        """How many different chapters are printed (a chapter listed twice counts once)."""
        return len(self._index)

    def listings(self) -> list[int]:
        """The chapter index of each chapter printed, in print order (repeats included)."""
        return [self._index[path] for path in self._listed]

    def render_steps(self) -> Iterator[str]:
        """Render the chapters one by one (yielding each path), then rewrite their links
        (once: a print preview lays the pages out again for each page setup)."""
        if self._starts:
            yield from self._index
            return
        for path, index in self._index.items():
            body = self._render(path, self._render_chapter)
            # Qt makes a PDF destination of only the first of two anchors at one spot, so a
            # chapter that opens with a heading is entered at that heading's anchor.
            self._start[index] = _leading_anchor(body)
            self._raw[index] = _pack(body)
            yield path
        self._starts = {index: self.start_anchor(index) for index in self._raw}

    def _rewritten(self, index: int) -> str:
        """Chapter ``index``'s body, its anchors and links rewritten (once, when first asked)."""
        if index not in self._chapters_html:
            path = self._path_of[index]
            rewrite = _Rewriter(index, path, self._index, self._starts, self.book)
            body = rewrite(_unpack(self._raw.pop(index)), self.images)
            self._chapters_html[index] = _pack(body)
            self.notes.extend(rewrite.notes)
            return body
        return _unpack(self._chapters_html[index])

    def render_all(self) -> None:
        for _ in self.render_steps():
            pass

    def _render(self, path: str, render: RenderChapter) -> str:
        """The body of one chapter's page; its headings and notes are kept aside."""
        index = self._index[path]
        try:
            rendered = render(path)
        except Exception as exc:  # one broken chapter must not lose the whole book
            self.notes.append(f"{path}: not printed ({exc})")
            return f"<p>This chapter could not be shown: {html.escape(str(exc))}</p>"
        styles, attributes, body = _split(rendered.html)
        if not self._styles:
            self._styles, self._body_attributes = styles, attributes
        self.notes.extend(rendered.notes)  # they name their file and line already
        self._headings[index] = [
            (h.title, h.level, chapter_anchor(index, h.anchor)) for h in rendered.headings
        ]
        return body

    def start_anchor(self, index: int) -> str:
        """The destination where chapter ``index`` begins."""
        name = self._start.get(index)
        return chapter_anchor(index) if name is None else chapter_anchor(index, name)

    # -- assembling ------------------------------------------------------------------------------

    def _contents_rows(self, pages: dict[str, int]) -> list[str]:
        t = self.theme
        rows = []
        for entry in self._entries:
            node = entry.node
            indent = 1.4 * entry.level
            if node.kind is NodeKind.PART:
                rows.append(
                    f'<tr><td colspan="2" style="padding-top: 10px"><b>'
                    f"{html.escape(node.title)}</b></td></tr>"
                )
                continue
            assert node.path is not None
            name = self.start_anchor(self._index[node.path])
            number = f"{html.escape(node.number)} " if node.number else ""
            page = pages.get(name, 0)
            rows.append(
                f'<tr><td style="padding-left: {indent:.1f}em">{number}'
                f'<a href="#{name}" style="color: {t.text}; text-decoration: none">'
                f"{html.escape(node.title)}</a></td>"
                f'<td align="right" style="color: {t.muted}">{page or "000"}</td></tr>'
            )
        return rows

    def contents_parts(self) -> int:
        """How many documents the contents is printed as (see :meth:`contents_documents`)."""
        return 1 + max(0, len(self._entries) - 1) // CONTENTS_ROWS if self.contents else 0

    def contents_documents(self, pages: dict[str, int]) -> list[str]:
        """The contents, ``CONTENTS_ROWS`` rows to a document (laying out a table of 5,000 rows
        at once froze the window for seconds); ``pages`` gives the page numbers by anchor."""
        t = self.theme
        rows = self._contents_rows(pages)
        authors = ", ".join(self.book.authors)
        byline = f'<p style="color: {t.muted}">{html.escape(authors)}</p>' if authors else ""
        table = '<table width="100%" cellspacing="0" cellpadding="3">'
        head = (
            f'<h1><a name="{CONTENTS_ANCHOR}"></a>{html.escape(self.book.title)}</h1>{byline}'
            "<h2>Contents</h2>"
        )
        parts = []
        for n in range(self.contents_parts()):
            chunk = "".join(rows[n * CONTENTS_ROWS : (n + 1) * CONTENTS_ROWS])
            parts.append(self._document(f"{head if n == 0 else ''}{table}{chunk}</table>"))
        return parts

    def _document(self, body: str) -> str:
        head = f"<html><head>{self._styles}</head><body{self._body_attributes}>"
        return _LOCAL_HREF.sub(self._unalias, f"{head}{body}</body></html>")

    def chapter_document(self, index: int) -> str:
        """Chapter ``index`` as a document of its own (after :meth:`render_steps`)."""
        own = "" if self._start.get(index) else f'<a name="{chapter_anchor(index)}"></a>'
        return self._document(f"{own}{self._rewritten(index)}")

    def _unalias(self, match: re.Match[str]) -> str:
        return f'href="#{self.aliases.get(match.group(1), match.group(1))}"'

    def outline(self, max_heading_level: int = 3) -> list[OutlineEntry]:
        """Bookmarks: each chapter, and beneath it its headings down to ``max_heading_level``."""
        entries: list[OutlineEntry] = []
        if self.contents:
            entries.append(OutlineEntry("Contents", 0, CONTENTS_ANCHOR))
        for entry in self._entries:
            node = entry.node
            if node.kind is NodeKind.PART or node.path is None:
                continue
            index = self._index[node.path]
            title = f"{node.number} {node.title}" if node.number else node.title
            entries.append(OutlineEntry(title, entry.level, self.start_anchor(index)))
            for n, (text, level, name) in enumerate(self._headings.get(index, [])):
                if (n == 0 and level == 1) or level > max_heading_level:
                    continue  # the chapter's own title is the chapter's bookmark
                entries.append(OutlineEntry(text, entry.level + max(1, level - 1), name))
        return [
            replace(e, destination=self.aliases.get(e.destination, e.destination)) for e in entries
        ]

    # -- painting --------------------------------------------------------------------------------

    def printed(self, pages: dict[str, int]) -> list[PrintedChapter]:
        """The chapters printed, with their first pages (``pages`` by anchor name)."""
        return [
            PrintedChapter(
                e.node.path,
                e.node.title,
                e.level,
                pages.get(self.start_anchor(self._index[e.node.path]), 0),
            )
            for e in self._entries
            if e.node.path is not None
        ]

    def title(self) -> str:
        """The document's title: the book's, or "Chapter — Book" for a single chapter."""
        if len(self._index) == 1 and not self.contents:
            node = self.book.chapter(next(iter(self._index)))
            if node is not None:
                return f"{node.title} — {self.book.title}"
        return self.book.title
