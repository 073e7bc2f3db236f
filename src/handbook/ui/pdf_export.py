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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QLocale, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QTextDocument,
)

from handbook import __version__
from handbook.core.model import Book
from handbook.core.pdf_outline import add_outline
from handbook.core.print_book import (
    IMAGE_SUFFIXES,
    RESOURCE_SCHEME,
    PrintBook,
    PrintedChapter,
    RenderChapter,
)
from handbook.core.theme import PageTheme
from handbook.ui.book_images import read_book_image

LAYOUT_DPI = 96  # the document is laid out as on a 96-dpi screen, then scaled to the device
FOOTER_HEIGHT = 40.0  # layout pixels under the text of each page
FOOTER_PIXELS = 12  # footer font size in layout pixels (9 pt)
MARGINS_MM = QMarginsF(18, 16, 18, 10)


class PrintDocument(QTextDocument):
    """A QTextDocument that reads only image files inside the book (see ui/viewer.py)."""

    def __init__(
        self, root: Path, images: list[Path], max_image_width: float, notes: list[str]
    ) -> None:
        if QGuiApplication.instance() is None:  # Qt aborts the process on a paint device then
            raise RuntimeError("printing needs a QGuiApplication")
        super().__init__()
        self._root = root.resolve()
        self._images = images
        self.max_image_width = max_image_width
        self.notes = notes  # images not printed, SVG references left out (the job's notes)
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
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self._root) or real.suffix.lower() not in IMAGE_SUFFIXES:
            return None
        read = read_book_image(real, self._root, self.max_image_width)
        shown = self._show(real)
        if read.dropped:
            self._note(f"{shown}: left out of the SVG: {', '.join(read.dropped)}")
        if read.image is None:
            self._note(f"image not printed: {shown}: {read.problem}")
        return read.image

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def _show(self, path: Path) -> str:
        return path.relative_to(self._root).as_posix()


class BookPrint(PrintBook):
    """The pages of some chapters of a book, ready to paint on a PDF writer or a printer."""

    pages = 0  # after build(): how many
    chapters_printed: tuple[PrintedChapter, ...] = ()  # after build(): where chapters start

    def _layout(self, page: QSizeF, pages: dict[str, int]) -> PrintDocument:
        document = PrintDocument(self.book.root, self.images, page.width() - 16, self.notes)
        document.setDefaultFont(_page_font())
        document.setHtml(self.html(pages))
        document.setPageSize(page)
        return document

    def build(self, page: QSizeF) -> PrintDocument:
        """The laid-out document for pages of ``page`` layout pixels, contents page numbered."""
        pages: dict[str, int] = {}
        self.aliases = {}
        document = self._layout(page, pages)
        found, aliases = anchor_places(document)
        # Page numbers start as placeholders, links as written; both settle in a pass or two
        # (neither changes the layout: same text, same digits' room).
        for _ in range(3):
            if (not self.contents or found == pages) and aliases == self.aliases:
                break
            pages, self.aliases = (found if self.contents else pages), aliases
            document = self._layout(page, pages)
            found, aliases = anchor_places(document)
        self.pages = document.pageCount()
        self.chapters_printed = tuple(self.printed(found))
        return document

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


def anchor_places(document: QTextDocument) -> tuple[dict[str, int], dict[str, str]]:
    """The 1-based page of every anchor name in a paginated document, and the aliases.

    Where several names sit on one spot (the Rust book puts ``<a id="old-name">`` just before a
    heading's own anchor) Qt's PDF engine makes a destination of the first name only: the
    others are aliases of it, and links to them must name it instead.
    """
    layout = document.documentLayout()
    height = document.pageSize().height()
    found: dict[str, int] = {}
    aliases: dict[str, str] = {}
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
                    if name != names[0]:
                        aliases.setdefault(name, names[0])
            it += 1
        block = block.next()
    return found, aliases


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
    title = job.title()
    partial = out.with_name(out.name + ".part")
    writer = pdf_writer(partial, title, page_size)
    try:
        pages = job.paint(writer)
        del writer  # closes the file
        outlined = add_outline(partial, job.outline())  # after paint(): aliases known
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return PdfResult(out, pages, job.chapters_printed, outlined, tuple(job.notes))
