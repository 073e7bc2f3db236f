"""A chapter or the whole book on paper: one ``QTextDocument``, paginated and painted page by page.

No widgets here: this runs under a bare ``QGuiApplication`` (``handbook pdf``) as well as in the
window (print preview, export). What Qt 6.12 does for us, checked by reading the PDFs it writes:

- ``page-break-before: always`` on a block starts a new page (each chapter starts one).
- ``<a name>`` anchors become PDF named destinations, ``<a href="#name">`` links to them become
  clickable internal links (/Link with /Dest), ``http(s)`` links become /URI links.
- There is **no** API for a PDF outline (bookmarks) in ``QPdfWriter``/``QPainter``. So the book
  gets a printed table of contents with page numbers at the start, and ``core/paper/pdf_outline.py``
  appends an outline to the written file (an incremental update naming Qt's destinations).

The footer (page numbers) is drawn by us: the document is laid out with a page size a footer
shorter than the paper, then each page is painted with the footer under it.
"""

from __future__ import annotations

import errno
import shutil
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QLocale, QMarginsF, QRectF, QSizeF, Qt, QUrl
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
from handbook.core.book.model import Book
from handbook.core.paper.pdf_outline import add_outline
from handbook.core.paper.print_book import (
    CONTENTS_ANCHOR,
    IMAGE_SUFFIXES,
    RESOURCE_SCHEME,
    PrintBook,
    PrintedChapter,
    RenderChapter,
)
from handbook.core.render.formula import formula_svg, is_formula_image
from handbook.core.render.theme import PageTheme
from handbook.ui.reader.book_images import read_book_image

LAYOUT_DPI = 96  # the document is laid out as on a 96-dpi screen, then scaled to the device
FOOTER_HEIGHT = 40.0  # layout pixels under the text of each page
FOOTER_PIXELS = 12  # footer font size in layout pixels (9 pt)
MARGINS_MM = QMarginsF(18, 16, 18, 10)
SANE_PAGES = 5000  # over this, the reader is asked (window) or warned (handbook pdf)
DISK_FULL_BYTES = 1024 * 1024  # less free space than this after a failed write: the disk is full


class PrintDocument(QTextDocument):
    """A QTextDocument that reads only image files inside the book (see ui/reader/viewer.py)."""

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
        text = name if isinstance(name, str) else name.toString()
        if type == QTextDocument.ResourceType.ImageResource and is_formula_image(text):
            return _formula_image(formula_svg(text) or "")
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


@dataclass(frozen=True)
class PrintProgress:
    """Where a print job is: ``done`` of ``total`` steps (a chapter rendered, laid out, painted)."""

    done: int
    total: int
    stage: str  # "Rendering", "Laying out", "Writing"
    chapter: str  # the chapter's path ("" for the contents)


class BookPrint(PrintBook):
    """The pages of some chapters of a book, painted on a PDF writer or a printer.

    Each chapter is laid out in a document of its own (every chapter starts a page anyway), so
    memory holds one chapter's layout at a time and time grows with the book, not its square.
    Twice: a first layout counts each chapter's pages and finds its anchors' pages (for the
    contents, the outline and the footer's "page / pages"); then each is laid out again and
    painted. :meth:`paint_steps` yields between two chapters, for progress and Cancel.
    """

    pages = 0  # after build(): how many
    chapters_printed: tuple[PrintedChapter, ...] = ()  # after build(): where chapters start
    _found: dict[str, int]  # anchor name -> its 1-based page, after build()

    def _layout(self, page: QSizeF, html: str) -> PrintDocument:
        document = PrintDocument(self.book.root, self.images, page.width() - 16, self.notes)
        document.setDefaultFont(_page_font())
        document.setHtml(html)
        document.setPageSize(page)
        return document

    def steps_total(self) -> int:
        return self.chapter_count() + 2 * (len(self.listings()) + self.contents_parts())

    def build_steps(self, page: QSizeF) -> Iterator[PrintProgress]:
        """Render, then lay out each chapter for pages of ``page`` layout pixels: the page
        count, where each anchor lands, the contents' page numbers."""
        total, done = self.steps_total(), 0
        for path in self.render_steps():
            done += 1
            yield PrintProgress(done, total, "Rendering", path)
        found: dict[str, int] = {}
        self.aliases = {}
        counted: dict[int, tuple[int, dict[str, int]]] = {}  # a chapter listed again: known
        pages = 0
        for index in self.listings():
            if index not in counted:
                document = self._layout(page, self.chapter_document(index))
                places, aliases = anchor_places(document)
                counted[index] = (document.pageCount(), places)
                for name, alias in aliases.items():
                    self.aliases.setdefault(name, alias)
                del document
            count, places = counted[index]
            for name, at in places.items():
                found.setdefault(name, pages + at)
            pages += count
            done += 1
            yield PrintProgress(done, total, "Laying out", self._path(index))
        before = 0
        if self.contents:  # placeholders as wide as the numbers: the same layout
            wide = {name: 10 ** len(str(pages + 9)) - 1 for name in found}
            for part in self.contents_documents(wide):
                before += self._layout(page, part).pageCount()
                done += 1
                yield PrintProgress(done, total, "Laying out", "")
            found = {name: at + before for name, at in found.items()}
            found[CONTENTS_ANCHOR] = 1
        self._found = found
        self.pages = before + pages
        self.chapters_printed = tuple(self.printed(found))

    def build(self, page: QSizeF) -> None:
        """:meth:`build_steps` to the end."""
        for _ in self.build_steps(page):
            pass

    def too_big(self) -> str | None:
        """After build: a warning when the PDF would be of an absurd size, else None."""
        if self.pages <= SANE_PAGES:
            return None
        index, repeats = Counter(self.listings()).most_common(1)[0]
        why = ""
        if repeats > 1:
            path = self._path(index)
            why = f"; {path} is listed {repeats:,} times in SUMMARY.md and printed each time"
        return f"the PDF would have {self.pages:,} pages{why}"

    def paint_steps(self, device: QPagedPaintDevice) -> Iterator[PrintProgress]:
        """Lay out and paint every page on ``device`` (a QPdfWriter or a QPrinter), yielding
        after each chapter; ``pages`` then says how many were painted."""
        yield from self.build_steps(page_body(device))
        yield from self.paint_built_steps(device)

    def paint_built_steps(self, device: QPagedPaintDevice) -> Iterator[PrintProgress]:
        """Paint on ``device`` once built for it (:meth:`build_steps` of ``page_body(device)``)."""
        body = page_body(device)
        done = self.chapter_count() + len(self.listings()) + self.contents_parts()
        total = self.steps_total()
        with PagePainter(device, body, self.theme, self._footer, self.pages) as painter:
            for part in self.contents_documents(self._found) if self.contents else []:
                painter.paint(self._layout(body, part))
                done += 1
                yield PrintProgress(done, total, "Writing", "")
            for index in self.listings():
                painter.paint(self._layout(body, self.chapter_document(index)))
                done += 1
                yield PrintProgress(done, total, "Writing", self._path(index))

    def paint(self, device: QPagedPaintDevice) -> int:
        """Paint every page on ``device``; the number of pages."""
        for _ in self.paint_steps(device):
            pass
        return self.pages

    def _footer(self, page: int, pages: int) -> str:
        return f"{page} / {pages}"

    def _path(self, index: int) -> str:
        return self._path_of[index]


def page_body(device: QPagedPaintDevice) -> QSizeF:
    """The text's room on each page of ``device``, in layout pixels (the footer under it)."""
    scale_x = device.logicalDpiX() / LAYOUT_DPI
    scale_y = device.logicalDpiY() / LAYOUT_DPI
    return QSizeF(device.width() / scale_x, device.height() / scale_y - FOOTER_HEIGHT)


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


class PagePainter:
    """Paints paginated documents one after another on one device, a footer under each page."""

    def __init__(
        self,
        device: QPagedPaintDevice,
        body: QSizeF,
        theme: PageTheme,
        footer: Callable[[int, int], str],
        pages: int,
    ) -> None:
        self.device, self.body, self.theme, self.footer = device, body, theme, footer
        self.pages = pages  # in all: for the footer
        self.painted = 0
        self.painter = QPainter()
        self.context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Text, QColor(theme.text))
        palette.setColor(QPalette.ColorRole.Link, QColor(theme.link))
        self.context.palette = palette
        self.footer_font = QFont()
        self.footer_font.setPixelSize(FOOTER_PIXELS)

    def __enter__(self) -> PagePainter:
        if not self.painter.begin(self.device):
            raise OSError("cannot write to the printer or file")
        return self

    def __exit__(self, *exc: object) -> None:
        self.painter.end()

    def paint(self, document: QTextDocument) -> None:
        """Every page of ``document`` (laid out with page size ``body``), after those painted."""
        scale_x = self.device.logicalDpiX() / LAYOUT_DPI
        scale_y = self.device.logicalDpiY() / LAYOUT_DPI
        painter, body = self.painter, self.body
        for page in range(document.pageCount()):
            if self.painted and not self.device.newPage():
                raise OSError(errno.EIO, "a page could not be written")
            painter.save()
            painter.scale(scale_x, scale_y)
            clip = QRectF(0, page * body.height(), body.width(), body.height())
            painter.save()
            painter.translate(0, -clip.top())
            painter.setClipRect(clip)
            self.context.clip = clip
            document.documentLayout().draw(painter, self.context)
            painter.restore()
            painter.setFont(self.footer_font)
            painter.setPen(QColor(self.theme.muted))
            where = QRectF(0, body.height(), body.width(), FOOTER_HEIGHT)
            self.painted += 1
            footer = self.footer(self.painted, self.pages)
            painter.drawText(where, Qt.AlignmentFlag.AlignCenter, footer)
            painter.restore()


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


class ExportCancelled(Exception):
    """The reader stopped the export (nothing was written)."""


Confirm = Callable[[str], bool]  # a warning -> whether to go on


class PdfExport:
    """A PDF written one chapter at a time: iterate :meth:`steps` (progress; stop any time by
    closing it), then read :attr:`result`.

    The pages go to ``OUT.part`` beside ``OUT``, which replaces ``OUT`` only when complete: an
    export stopped, failed or interrupted removes it (one killed outright leaves it, and the
    next export to ``OUT`` replaces it).
    """

    def __init__(
        self,
        book: Book,
        render: RenderChapter,
        out: Path,
        chapters: Sequence[str] | None = None,
        *,
        page_size: QPageSize | None = None,
        confirm: Confirm | None = None,
    ) -> None:
        self.job = BookPrint(book, render, chapters)
        self.out = out
        self.partial = partial_path(out)
        self.page_size = page_size
        self.confirm = confirm
        self.result: PdfResult | None = None

    def steps(self) -> Generator[PrintProgress, None, None]:
        job = self.job
        try:
            writer = pdf_writer(self.partial, job.title(), self.page_size)
            yield from job.build_steps(page_body(writer))
            warning = job.too_big()
            if warning is not None:
                if self.confirm is not None and not self.confirm(warning):
                    raise ExportCancelled(warning)
                job.notes.append(warning)  # handbook pdf prints it as a warning
            try:
                yield from job.paint_built_steps(writer)
            except OSError as exc:
                raise _explained(exc, self.out) from None
            del writer  # closes the file
            _check_complete(self.partial, self.out)
            outlined = add_outline(self.partial, job.outline())  # after paint: aliases known
            self.partial.replace(self.out)
        except OSError as exc:
            raise _explained(exc, self.out) from None
        finally:
            self.partial.unlink(missing_ok=True)
        self.result = PdfResult(
            self.out, job.pages, job.chapters_printed, outlined, tuple(job.notes)
        )


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".part")


def _check_complete(partial: Path, out: Path) -> None:
    """Qt reports no write error: a file cut short (a full disk) shows at its end."""
    with partial.open("rb") as file:
        file.seek(max(0, partial.stat().st_size - 64))
        if b"%%EOF" not in file.read():
            raise OSError(errno.EIO, f"the PDF was cut short: {out}")


def _explained(exc: OSError, out: Path) -> OSError:
    """``exc``, or "the disk is full" when that is why (Qt says only that a write failed)."""
    if exc.errno == errno.ENOSPC or _disk_full(out.parent):
        return OSError(errno.ENOSPC, f"the disk is full ({out.parent})")
    return exc


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < DISK_FULL_BYTES
    except OSError:
        return False


def export_pdf(
    book: Book,
    render: RenderChapter,
    out: Path,
    chapters: Sequence[str] | None = None,
    *,
    page_size: QPageSize | None = None,
    progress: Callable[[PrintProgress], object] | None = None,
) -> PdfResult:
    """Write ``chapters`` (default: the whole book) to ``out``; OSError when it cannot."""
    export = PdfExport(book, render, out, chapters, page_size=page_size)
    for step in export.steps():
        if progress is not None:
            progress(step)
    assert export.result is not None
    return export.result


def _formula_image(svg: str, scale: int = 4) -> object:
    """A drawn formula at ``scale`` times its size (sharp on paper), laid out at its own size."""
    data = QByteArray(svg.encode("utf-8"))
    buffer = QBuffer(data)  # kept alive while the reader reads it
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size * scale)
    image = reader.read()
    if image.isNull():
        return QByteArray()
    image.setDevicePixelRatio(scale)
    return image
