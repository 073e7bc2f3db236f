"""A chapter or the whole book on paper: one ``QTextDocument``, paginated and painted page by page.

No widgets here: this runs under a bare ``QGuiApplication`` (``handbook pdf``) as well as in the
window (print preview, export). What Qt 6.12 does for us, checked by reading the PDFs it writes:

- ``page-break-before: always`` on a block starts a new page (each chapter starts one).
- ``<a name>`` anchors become PDF named destinations, ``<a href="#name">`` links to them become
  clickable internal links (/Link with /Dest), ``http(s)`` links become /URI links.
- There is **no** API for a PDF outline (bookmarks) in ``QPdfWriter``/``QPainter``. So the book
  gets a printed table of contents with page numbers at the start, and ``core/pdf_outline.py``
  appends an outline to the written file (an incremental update naming Qt's destinations).

The footer (page numbers) is drawn by us: the document is laid out with a page size a footer
shorter than the paper, then each page is painted with the footer under it.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QMarginsF, QRectF, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QImageReader,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QTextDocument,
)

from handbook import __version__
from handbook.core.model import Book, NodeKind, RenderedChapter, TocNode
from handbook.core.pdf_outline import OutlineEntry, add_outline
from handbook.core.theme import LIGHT, PageTheme

RenderChapter = Callable[[str], RenderedChapter]

LAYOUT_DPI = 96  # the document is laid out as on a 96-dpi screen, then scaled to the device
FOOTER_HEIGHT = 40.0  # layout pixels under the text of each page
FOOTER_PIXELS = 12  # footer font size in layout pixels (9 pt)
MARGINS_MM = QMarginsF(18, 16, 18, 10)
IMAGE_FORMATS = frozenset({b"png", b"jpeg", b"jpg", b"gif", b"svg", b"svgz"})
IMAGE_SUFFIXES = frozenset({".png", ".jpeg", ".jpg", ".gif", ".svg", ".svgz"})
MAX_IMAGE_BYTES = 20 * 1024 * 1024
RESOURCE_SCHEME = "handbook-print"
CONTENTS_ANCHOR = "contents"

_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_ATTR = re.compile(r"""(\s)(name|id|href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.IGNORECASE | re.DOTALL)
_TEXT_BEFORE = re.compile(r"[^\s]")
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


# -- the document ----------------------------------------------------------------------------------


class PrintDocument(QTextDocument):
    """A QTextDocument that reads only image files inside the book (see ui/viewer.py)."""

    def __init__(self, root: Path, images: list[Path], max_image_width: float) -> None:
        if QGuiApplication.instance() is None:  # Qt aborts the process on a paint device then
            raise RuntimeError("printing needs a QGuiApplication")
        super().__init__()
        self._root = root.resolve()
        self._images = images
        self.max_image_width = max_image_width
        self._layout_device = QImage(1, 1, QImage.Format.Format_RGB32)
        dots_per_metre = round(LAYOUT_DPI / 0.0254)
        self._layout_device.setDotsPerMeterX(dots_per_metre)
        self._layout_device.setDotsPerMeterY(dots_per_metre)
        self.documentLayout().setPaintDevice(self._layout_device)

    def loadResource(self, type: int, name: QUrl | str) -> object:
        url = QUrl(name)
        if type == QTextDocument.ResourceType.ImageResource and url.scheme() == RESOURCE_SCHEME:
            try:
                path = self._images[int(url.path())]
            except (ValueError, IndexError):
                return QByteArray()
            image = self._read_image(path)
            if image is not None:
                return image
        return QByteArray()  # never None: Qt would then read the file itself

    def _read_image(self, path: Path) -> QImage | None:
        try:
            real = path.resolve(strict=True)
            if not real.is_relative_to(self._root) or real.suffix.lower() not in IMAGE_SUFFIXES:
                return None
            if real.stat().st_size > MAX_IMAGE_BYTES:
                return None
            data = QByteArray(real.read_bytes())
        except (OSError, RuntimeError):
            return None
        buffer = QBuffer(data)  # kept in a name: the reader does not own it
        reader = QImageReader(buffer)
        if bytes(reader.format().data()).lower() not in IMAGE_FORMATS:
            return None
        size = reader.size()
        fit = self.max_image_width
        if size.isValid() and size.width() > fit > 0:
            reader.setScaledSize(QSize(int(fit), round(size.height() * fit / size.width())))
        image = reader.read()
        return None if image.isNull() else image


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
        return _ATTR.sub(self._attribute, tag)

    def _img(self, tag: str) -> str:
        """The image when it is a file inside the book; else its alt text (Qt would draw a
        broken-image icon for one it cannot load)."""
        attributes = {
            m.group(2).lower(): html.unescape(m.group(3) if m.group(3) is not None else m.group(4))
            for m in _ATTR.finditer(tag)
        }
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


def _split(document_html: str) -> tuple[str, str, str]:
    """(style blocks, body attributes, body content) of a full HTML document."""
    styles = "".join(_STYLE.findall(document_html))
    body = _BODY.search(document_html)
    if body is None:
        return styles, "", _STYLE.sub("", document_html)
    return styles, body.group(1), body.group(2)


class BookPrint:
    """The pages of some chapters of a book, ready to paint on a PDF writer or a printer."""

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
        paths = [e.node.path for e in self._entries if e.node.path]
        if chapters is not None and not paths:
            raise ValueError("none of the chapters asked for is in the book")
        self.contents = len(paths) > 1 if contents is None else contents
        self._index = {path: n for n, path in enumerate(paths)}
        self._chapters_html: list[tuple[int, str]] = []  # (chapter index, body html)
        self._headings: dict[int, list[tuple[str, int, str]]] = {}  # index -> (title, level, name)
        self._images: list[Path] = []  # what the print document may read, by index
        self.notes: list[str] = []
        self._styles, self._body_attributes = "", ""
        raw = [(self._index[path], path, self._render(path, render)) for path in paths]
        # Qt makes a PDF destination of only the first of two anchors at one spot, so a chapter
        # that opens with a heading is entered at that heading's anchor, not at one of our own.
        self._start = {index: _leading_anchor(body) for index, _, body in raw}
        starts = {
            index: chapter_anchor(index, name) if name is not None else chapter_anchor(index)
            for index, name in self._start.items()
        }
        for index, path, body in raw:
            rewrite = _Rewriter(index, path, self._index, starts, self.book)
            self._chapters_html.append((index, rewrite(body, self._images)))
            self.notes.extend(rewrite.notes)
        self.pages = 0
        self.printed: list[PrintedChapter] = []

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
        self.notes.extend(f"{path}: {note}" for note in rendered.notes)
        self._headings[index] = [
            (h.title, h.level, chapter_anchor(index, h.anchor)) for h in rendered.headings
        ]
        return body

    def start_anchor(self, index: int) -> str:
        """The destination where chapter ``index`` begins."""
        name = self._start.get(index)
        return chapter_anchor(index) if name is None else chapter_anchor(index, name)

    # -- assembling ------------------------------------------------------------------------------

    def _contents_html(self, pages: dict[str, int]) -> str:
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
        authors = ", ".join(self.book.authors)
        byline = f'<p style="color: {t.muted}">{html.escape(authors)}</p>' if authors else ""
        return (
            f'<h1><a name="{CONTENTS_ANCHOR}"></a>{html.escape(self.book.title)}</h1>{byline}'
            '<h2>Contents</h2><table width="100%" cellspacing="0" cellpadding="3">'
            + "".join(rows)
            + "</table>"
        )

    def _html(self, pages: dict[str, int]) -> str:
        parts = [f"<html><head>{self._styles}</head><body{self._body_attributes}>"]
        if self.contents:
            parts.append(self._contents_html(pages))
        for n, (index, body) in enumerate(self._chapters_html):
            brk = ' style="page-break-before: always"' if self.contents or n else ""
            own = "" if self._start.get(index) else f'<a name="{chapter_anchor(index)}"></a>'
            parts.append(f"<div{brk}>{own}{body}</div>")
        parts.append("</body></html>")
        return "".join(parts)

    def _layout(self, page: QSizeF, pages: dict[str, int]) -> PrintDocument:
        document = PrintDocument(self.book.root, self._images, page.width() - 16)
        document.setDefaultFont(_page_font())
        document.setHtml(self._html(pages))
        document.setPageSize(page)
        return document

    def build(self, page: QSizeF) -> PrintDocument:
        """The laid-out document for pages of ``page`` layout pixels, contents page numbered."""
        pages: dict[str, int] = {}
        document = self._layout(page, pages)
        found = anchor_pages(document)
        for _ in range(3):  # page numbers start as placeholders; they settle in a pass or two
            if not self.contents or found == pages:
                break
            pages = found
            document = self._layout(page, pages)
            found = anchor_pages(document)
        self.pages = document.pageCount()
        self.printed = [
            PrintedChapter(
                e.node.path,
                e.node.title,
                e.level,
                found.get(self.start_anchor(self._index[e.node.path]), 0),
            )
            for e in self._entries
            if e.node.path is not None
        ]
        return document

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
        return entries

    # -- painting --------------------------------------------------------------------------------

    def paint(self, device: QPagedPaintDevice) -> int:
        """Paint every page on ``device`` (a QPdfWriter or a QPrinter); the number of pages."""
        scale_x = device.logicalDpiX() / LAYOUT_DPI
        scale_y = device.logicalDpiY() / LAYOUT_DPI
        width, height = device.width() / scale_x, device.height() / scale_y
        body = QSizeF(width, height - FOOTER_HEIGHT)
        document = self.build(body)
        return paint_pages(document, device, body, self.theme, self._footer)

    def _footer(self, page: int, pages: int) -> str:
        return f"{page} / {pages}"


def anchor_pages(document: QTextDocument) -> dict[str, int]:
    """The 1-based page of every anchor name in a paginated document."""
    layout = document.documentLayout()
    height = document.pageSize().height()
    found: dict[str, int] = {}
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            names = fragment.charFormat().anchorNames() if fragment.isValid() else []
            if names:
                top = layout.blockBoundingRect(block).top()
                line = block.layout().lineForTextPosition(fragment.position() - block.position())
                if line.isValid():
                    top += line.y()
                for name in names:
                    found.setdefault(name, int(top // height) + 1)
            it += 1
        block = block.next()
    return found


def _page_font() -> QFont:
    font = QFont()
    font.setPointSizeF(11)
    return font


def paint_pages(
    document: QTextDocument,
    device: QPagedPaintDevice,
    body: QSizeF,
    theme: PageTheme,
    footer: Callable[[int, int], str],
) -> int:
    """Paint a paginated ``document`` (page size ``body``) on ``device``, a footer under each."""
    pages = document.pageCount()
    scale_x = device.logicalDpiX() / LAYOUT_DPI
    scale_y = device.logicalDpiY() / LAYOUT_DPI
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot write to the printer or file")
    try:
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Text, QColor(theme.text))
        palette.setColor(QPalette.ColorRole.Link, QColor(theme.link))
        context.palette = palette
        footer_font = QFont()
        footer_font.setPixelSize(FOOTER_PIXELS)
        for page in range(pages):
            if page and not device.newPage():
                raise OSError("cannot start a new page")
            painter.save()
            painter.scale(scale_x, scale_y)
            clip = QRectF(0, page * body.height(), body.width(), body.height())
            painter.save()
            painter.translate(0, -clip.top())
            painter.setClipRect(clip)
            context.clip = clip
            document.documentLayout().draw(painter, context)
            painter.restore()
            painter.setFont(footer_font)
            painter.setPen(QColor(theme.muted))
            where = QRectF(0, body.height(), body.width(), FOOTER_HEIGHT)
            painter.drawText(where, Qt.AlignmentFlag.AlignCenter, footer(page + 1, pages))
            painter.restore()
    finally:
        painter.end()
    return pages


# -- the PDF file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    chapters: tuple[PrintedChapter, ...]
    outline: bool  # whether the outline (bookmarks) could be added
    notes: tuple[str, ...]


def default_page_size() -> QPageSize:
    from PySide6.QtCore import QLocale

    letter = {QLocale.Country.UnitedStates, QLocale.Country.Canada, QLocale.Country.Mexico}
    if QLocale().territory() in letter:
        return QPageSize(QPageSize.PageSizeId.Letter)
    return QPageSize(QPageSize.PageSizeId.A4)


def pdf_writer(path: Path, title: str, page_size: QPageSize | None = None) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            page_size or default_page_size(),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(600)
    writer.setTitle(title)
    writer.setCreator(f"handbook {__version__}")
    return writer


def export_pdf(
    book: Book,
    render: RenderChapter,
    out: Path,
    chapters: Sequence[str] | None = None,
    *,
    page_size: QPageSize | None = None,
) -> PdfResult:
    """Write ``chapters`` (default: the whole book) to ``out``; OSError when it cannot."""
    job = BookPrint(book, render, chapters)
    title = book.title
    if chapters is not None and len(job.printed or chapters) == 1:
        node = book.chapter(chapters[0])
        title = f"{node.title} — {book.title}" if node else title
    partial = out.with_name(out.name + ".part")
    writer = pdf_writer(partial, title, page_size)
    try:
        pages = job.paint(writer)
        del writer  # closes the file
        outlined = add_outline(partial, job.outline())
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return PdfResult(out, pages, tuple(job.printed), outlined, tuple(job.notes))
