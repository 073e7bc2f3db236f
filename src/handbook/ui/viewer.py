"""The page: a QTextBrowser that owns its links and reads nothing from outside the book.

Links: a relative ``.md`` (or mdBook ``.html``) link, with or without ``#fragment``, and a bare
``#fragment`` become :attr:`Viewer.section_requested`; ``http``, ``https`` and ``mailto`` open in
the system browser; anything else is refused with a :attr:`Viewer.status_message`.

Resources: only images (PNG, JPEG, GIF, SVG) inside the book folder, symlinks resolved, are read
(``ui/book_images.py``: an SVG loses every reference to a file first, and a status message names
what it lost; an image too large or damaged is refused saying so), and the formulas the renderer
drew (``data:`` SVG of paths only, see :mod:`handbook.core.formula`).
Qt falls back to reading the file itself when a resource is refused the obvious ways (checked with
Qt 6.11/6.12): on None, QTextDocument reads it; on anything that is not a valid image, the image
handler calls ``QImage::load(src)``. So a refused image answers a small placeholder image, and any
other refused resource an empty QByteArray.
"""

from __future__ import annotations

import bisect
import functools
import html
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QMimeData,
    QPoint,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontMetricsF,
    QImage,
    QImageReader,
    QPainter,
    QResizeEvent,
    QShowEvent,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from handbook.core.details import fold, is_toggle
from handbook.core.formula import formula_svg, is_formula_image
from handbook.core.model import Book, RenderedChapter, section_id
from handbook.ui.book_images import read_book_image

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_FORMATS = frozenset({b"png", b"jpeg", b"jpg", b"gif", b"svg", b"svgz"})
IMAGE_SUFFIXES = frozenset({".png", ".jpeg", ".jpg", ".gif", ".svg", ".svgz"})
TOP_SECTION_DELAY_MS = 60  # scroll settles this long before the tree follows

UrlOpener = Callable[[QUrl], object]
OBJECT_REPLACEMENT = "\ufffc"  # what Qt's plain text holds for an image
COLUMN_CHARS = 80  # the reading column's width in average characters (mdBook: 750 px)
_IMG_ALT = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')


class Viewer(QTextBrowser):
    section_requested = Signal(str)  # a section id the reader asked for through a link
    status_message = Signal(str)  # a refused link or resource, for the status bar
    top_section_changed = Signal(str)  # the section whose heading is at the top of the page

    def __init__(
        self,
        book: Book,
        open_external: UrlOpener = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._open_external = open_external
        self._book = book
        self._root = book.root.resolve()
        self._path: str | None = None  # the chapter shown, relative to book.src
        self._rendered: RenderedChapter | None = None  # its page, every <details> unfolded
        self._unfolded: set[int] = set()  # the details the reader opened (or closed if open)
        self._column: int | None = COLUMN_CHARS  # None: the page fills the window's width
        self._alts: dict[str, str] = {}  # image src -> its alt text, for an image not shown
        self._anchor_positions: list[int] = []  # document positions of the heading anchors...
        self._anchor_names: list[str] = []  # ...and their names, in the same (document) order
        self._pinned: tuple[str, int] | None = None  # (section asked for, scroll it was shown at)
        self._pending_scroll: int | None = None
        self._last_top: str | None = None
        self._refused: set[str] = set()
        self._top_timer = QTimer(self)
        self._top_timer.setSingleShot(True)
        self._top_timer.setInterval(TOP_SECTION_DELAY_MS)
        self._connect_signals()

    def _connect_signals(self) -> None:
        # links
        self.anchorClicked.connect(self._on_anchor_clicked)
        # following the reader
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._top_timer.timeout.connect(self._emit_top_section)

    # -- what is shown ---------------------------------------------------------------------

    def set_book(self, book: Book) -> None:
        self._book = book
        self._root = book.root.resolve()
        self._path = None
        self._rendered = None
        self.clear()

    def follow_book(self, book: Book) -> None:
        """The same book anew (its layout changed on disk): links follow it, the page stays."""
        self._book = book
        self._root = book.root.resolve()

    def current_chapter(self) -> str | None:
        return self._path

    def show_chapter(
        self, rendered: RenderedChapter, anchor: str | None = None, scroll: int | None = None
    ) -> None:
        """Show a rendered chapter, at ``scroll`` if given, else at ``anchor``, else at its top."""
        self._path = rendered.path
        self._rendered = rendered
        self._unfolded = set()
        self._refused.clear()
        self._pinned = None
        self.document().setBaseUrl(QUrl.fromLocalFile(str(self._book.src / rendered.path)))
        base = self.document().baseUrl()
        self._alts = {
            base.resolved(QUrl(src)).toString(): alt for src, alt in _image_alts(rendered.html)
        }
        self._set_page(fold(rendered.html, self._unfolded))
        self._index_anchors(rendered)
        self.go_to(anchor, scroll)

    def toggle_details(self, number: int) -> None:
        """Fold or unfold the page's ``number``-th ``<details>``, the page staying in place."""
        if self._rendered is None:
            return
        scroll = self.scroll_position()
        self._unfolded ^= {number}
        self._set_page(fold(self._rendered.html, self._unfolded))
        self._index_anchors(self._rendered)
        self.set_scroll_position(scroll)
        self._select_link(f"#details-{number}")

    def _set_page(self, page: str) -> None:
        """``setHtml``, keeping the page's margin and reading column (Qt resets both)."""
        margin = self.document().documentMargin()
        self.setHtml(page)
        self.document().setDocumentMargin(margin)
        self.fit_column()

    # -- the reading column ------------------------------------------------------------------

    def set_column(self, chars: int | None) -> None:
        """Text in a centred column about ``chars`` characters wide; None: the whole width."""
        self._column = chars
        self.fit_column()

    def fit_column(self) -> None:
        """Side margins that centre a column of the set width (call after a margin change)."""
        document = self.document()
        margin = document.documentMargin()
        side = margin
        if self._column is not None:
            wanted = QFontMetricsF(document.defaultFont()).averageCharWidth() * self._column
            side = max(margin, (self.viewport().width() - wanted) / 2)
        frame = document.rootFrame()
        fmt = frame.frameFormat()
        if abs(fmt.leftMargin() - side) >= 1 or abs(fmt.rightMargin() - side) >= 1:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            frame.setFrameFormat(fmt)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_column()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # a zoom or a page font: other characters
            self.fit_column()

    def _select_link(self, href: str) -> None:
        """Put the keyboard's link cursor back on ``href`` (Enter folds it again)."""
        block = self.document().begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                if fragment.charFormat().anchorHref() == href:
                    cursor = self.textCursor()
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(
                        fragment.position() + fragment.length(), cursor.MoveMode.KeepAnchor
                    )
                    self.setTextCursor(cursor)
                    return
                fragments += 1
            block = block.next()

    def show_placeholder(self, path: str, html: str) -> None:
        """Stand in for chapter ``path`` with ``html`` while it renders (no anchors, at the top)."""
        self._path = path
        self._rendered = None
        self._alts = {}
        self._refused.clear()
        self._pinned = None
        self._set_page(html)
        self._anchor_positions, self._anchor_names = [], []
        self.go_to()

    def go_to(self, anchor: str | None = None, scroll: int | None = None) -> None:
        """Scroll within the chapter shown: to ``scroll`` if given, else to ``anchor``."""
        if scroll is not None:
            self.set_scroll_position(scroll)
        elif anchor:
            self.scrollToAnchor(anchor)
            self._pinned = (anchor, self.scroll_position())
        else:
            self.set_scroll_position(0)
        self._last_top = self.current_section()

    def current_section(self) -> str:
        """The section whose heading is at (or last above) the top of the page.

        At the very top of the page, that is the chapter itself (a bare chapter path).
        """
        if self._path is None:
            return ""
        if self._pinned is not None and self._pinned[1] == self.scroll_position():
            return section_id(self._path, self._pinned[0])
        if self.scroll_position() == 0:
            return self._path
        top = self.cursorForPosition(QPoint(0, 0)).position()
        at = bisect.bisect_right(self._anchor_positions, top) - 1
        return section_id(self._path, self._anchor_names[at] if at >= 0 else None)

    def scroll_position(self) -> int:
        return self.verticalScrollBar().value()

    def set_scroll_position(self, value: int) -> None:
        if not self.isVisible():
            self._pending_scroll = value  # the page has no height yet: scroll once shown
        self.verticalScrollBar().setValue(value)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending_scroll is not None:
            self.verticalScrollBar().setValue(self._pending_scroll)
            self._pending_scroll = None

    def _index_anchors(self, rendered: RenderedChapter) -> None:
        """Where each heading's anchor sits in the document, found once per page."""
        wanted = {h.anchor for h in rendered.headings}
        found: dict[str, int] = {}
        document = self.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                fragments = block.begin()
                while not fragments.atEnd():
                    fragment = fragments.fragment()
                    for name in fragment.charFormat().anchorNames():
                        if name in wanted:
                            found.setdefault(name, fragment.position())
                    fragments += 1
            block = block.next()
        ordered = sorted((position, name) for name, position in found.items())
        self._anchor_positions = [position for position, _ in ordered]
        self._anchor_names = [name for _, name in ordered]

    @Slot(int)
    def _on_scrolled(self, _value: int) -> None:
        self._top_timer.start()

    @Slot()
    def _emit_top_section(self) -> None:
        top = self.current_section()
        if top and top != self._last_top:
            self._last_top = top
            self.top_section_changed.emit(top)

    # -- links -----------------------------------------------------------------------------

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme in EXTERNAL_SCHEMES:
            self._open_external(url)
            self.status_message.emit(f"Opened in your browser: {url.toDisplayString()}")
        elif scheme or url.host():
            self.status_message.emit(
                f"Link not opened: {scheme or 'this kind of'} links are not followed "
                f"({_short(url.toDisplayString())})",
            )
        else:
            self._follow_book_link(url)

    def _follow_book_link(self, url: QUrl) -> None:
        decoded = QUrl.ComponentFormattingOption.FullyDecoded
        path, fragment = url.path(decoded), url.fragment(decoded) or None
        if self._path is None:
            return
        if not path:
            details = is_toggle(fragment)
            if details is not None:
                self.toggle_details(details)
            else:
                self.section_requested.emit(section_id(self._path, fragment))
            return
        base = "" if path.startswith("/") else posixpath.dirname(self._path)
        target = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        chapter = self._chapter_for(target)
        if chapter is not None:
            self.section_requested.emit(section_id(chapter, fragment))
        elif target == ".." or target.startswith("../") or not self._inside_book(target):
            self.status_message.emit(f"Link not opened: {path} is outside the book")
        else:
            self.status_message.emit(f"Link not opened: {path} is not a chapter of this book")

    def _chapter_for(self, target: str) -> str | None:
        """The chapter a link names: its ``.md`` file, or the ``.html`` page mdBook makes of it."""
        candidates = [target]
        stem, dot, suffix = target.rpartition(".")
        if dot and suffix == "html":
            candidates.append(f"{stem}.md")
            if posixpath.basename(stem) == "index":
                folder = posixpath.dirname(stem)
                candidates.append(posixpath.join(folder, "README.md"))
        return next((c for c in candidates if self._book.chapter(c) is not None), None)

    def _inside_book(self, target: str) -> bool:
        try:
            return (self._book.src / target).resolve().is_relative_to(self._root)
        except (OSError, RuntimeError):  # a symlink loop
            return False

    # -- copying ---------------------------------------------------------------------------

    def createMimeDataFromSelection(self) -> QMimeData:
        """A copied formula is its TeX (its image's alt text), not Qt's object character."""
        data = super().createMimeDataFromSelection()
        text = data.text()
        if OBJECT_REPLACEMENT in text:
            alts = iter(self._selected_image_alts())
            text = "".join(next(alts, "") if ch == OBJECT_REPLACEMENT else ch for ch in text)
            data.setText(text)
        return data

    def _selected_image_alts(self) -> list[str]:
        """The alt text of each image in the selection, in document order."""
        cursor = self.textCursor()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        alts: list[str] = []
        block = self.document().findBlock(start)
        while block.isValid() and block.position() < end:
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "")
                    first = max(start, fragment.position())
                    last = min(end, fragment.position() + fragment.length())
                    alts.extend([alt] * max(0, last - first))
                fragments += 1
            block = block.next()
        return alts

    # -- resources -------------------------------------------------------------------------

    def loadResource(self, type: int, name: QUrl | str) -> object:
        url = QUrl(name)
        if type == QTextDocument.ResourceType.ImageResource:
            text = name if isinstance(name, str) else name.toString()
            if is_formula_image(text):
                svg = formula_svg(text) or ""
                formula = self._image_from(QByteArray(svg.encode("utf-8")))
                if formula is not None:
                    return formula
            path = self._book_file(url)
            if path is None:
                self._refuse(url)
                return self._missing_image(text)  # a valid image: see the module docstring
            read = read_book_image(path, self._root, self._image_width(), self.devicePixelRatioF())
            if read.dropped:
                self._note_dropped(path, read.dropped)
            if read.image is None:
                self._refuse(QUrl(self._book_name(path)), read.problem)
                return self._missing_image(text)
            read.image.setDevicePixelRatio(self.devicePixelRatioF())
            return read.image
        self._refuse(url)
        return QByteArray()  # not None: see the module docstring

    def _book_file(self, url: QUrl) -> Path | None:
        """The file ``url`` names when it is inside the book (symlinks resolved), else None."""
        if url.scheme() not in ("", "file") or url.host():
            return None
        if url.isLocalFile():
            name = url.toLocalFile()
        elif self._path is not None:
            relative = url.path(QUrl.ComponentFormattingOption.FullyDecoded)
            name = str(self._book.src / posixpath.dirname(self._path) / relative)
        else:
            return None
        try:
            path = Path(name).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not path.is_relative_to(self._root) or not path.is_file():
            return None
        return path if path.suffix.lower() in IMAGE_SUFFIXES else None

    def _image_from(self, data: QByteArray) -> QImage | None:
        """An image's bytes decoded at the screen's pixel ratio, shrunk to the page's width."""
        buffer = QBuffer(data)
        reader = QImageReader(buffer)
        if bytes(reader.format().data()) not in IMAGE_FORMATS:
            return None
        size = reader.size()
        ratio = self.devicePixelRatioF()
        fit = self._image_width() * ratio
        if size.isValid() and size.width() > fit > 0:
            reader.setScaledSize(QSize(int(fit), round(size.height() * fit / size.width())))
        elif size.isValid():
            reader.setScaledSize(QSize(round(size.width() * ratio), round(size.height() * ratio)))
        image = reader.read()
        if image.isNull():
            return None
        image.setDevicePixelRatio(ratio)
        return image

    def _image_width(self) -> int:
        """Wide images are shrunk to the column, as mdBook's ``max-width: 100%`` does."""
        width = self.viewport().width() if self.isVisible() else 800
        fmt = self.document().rootFrame().frameFormat()
        sides = max(fmt.leftMargin() + fmt.rightMargin(), 2 * self.document().documentMargin())
        return max(240, int(width - sides) - 24)

    def _missing_image(self, src: str) -> QImage:
        """What stands in for an image not shown: its alt text in a frame, else an empty frame."""
        alt = self._alts.get(self.document().baseUrl().resolved(QUrl(src)).toString(), "")
        alt = alt.strip()
        if not alt:
            return _refused_image()
        font = self.document().defaultFont()
        return _alt_image(alt, font, self.devicePixelRatioF(), self._image_width() - 40)

    def _refuse(self, url: QUrl, problem: str = "") -> None:
        shown = url.toDisplayString()
        if shown in self._refused:
            return
        self._refused.add(shown)
        why = problem or "only images inside the book are"
        self.status_message.emit(f"Not shown: {_short(shown)} ({why})")

    def _note_dropped(self, path: Path, dropped: tuple[str, ...]) -> None:
        shown = self._book_name(path)
        if shown + "#dropped" in self._refused:
            return
        self._refused.add(shown + "#dropped")
        self.status_message.emit(
            f"In {_short(shown, 40)}, left out: {_short(', '.join(dropped))} "
            "(an SVG draws only files inside the book)"
        )

    def _book_name(self, path: Path) -> str:
        """An image file as the book names it: relative to ``src`` when it is in there."""
        for folder in (self._book.src, self._root):
            try:
                return path.relative_to(folder.resolve()).as_posix()
            except (ValueError, OSError, RuntimeError):
                continue
        return str(path)


@functools.cache
def _refused_image() -> QImage:
    """What stands in for an image that is not shown: an empty grey frame."""
    image = QImage(16, 16, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setPen(QColor(128, 128, 128))
    painter.drawRect(0, 0, 15, 15)
    painter.end()
    return image


def _image_alts(page: str) -> list[tuple[str, str]]:
    """Each image's ``src`` and its ``alt`` text."""
    alts: list[tuple[str, str]] = []
    for tag in _IMG_ALT.findall(page):
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
        if attributes.get("alt") and "src" in attributes:
            alts.append((attributes["src"], attributes["alt"]))
    return alts


def _alt_image(alt: str, font: QFont, ratio: float, width_limit: int) -> QImage:
    """``alt`` in grey inside a thin grey frame: a missing image, as a browser shows it."""
    metrics = QFontMetricsF(font)
    text = metrics.elidedText(alt, Qt.TextElideMode.ElideRight, max(width_limit, 60))
    width = int(metrics.horizontalAdvance(text) + 16)
    height = int(metrics.height() + 10)
    image = QImage(round(width * ratio), round(height * ratio), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setPen(QColor(128, 128, 128))
    painter.setFont(font)
    painter.drawRect(0, 0, width - 1, height - 1)
    painter.drawText(8, int(5 + metrics.ascent()), text)
    painter.end()
    return image


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
