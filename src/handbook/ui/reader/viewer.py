"""The page: a QTextBrowser that owns its links and reads nothing from outside the book.

Links: a relative ``.md`` (or mdBook ``.html``) link, with or without ``#fragment``, and a bare
``#fragment`` become :attr:`Viewer.section_requested`; ``http``, ``https`` and ``mailto`` open in
the system browser; anything else is refused with a :attr:`Viewer.status_message`.

Resources: only images (PNG, JPEG, GIF, SVG) inside the book folder, symlinks resolved, are read
(``ui/reader/book_images.py``: an SVG loses every reference to a file first, and a status message
names
what it lost; an image too large or damaged is refused saying so), and the formulas the renderer
drew (``data:`` SVG of paths only, see :mod:`handbook.core.render.formula`).
Qt falls back to reading the file itself when a resource is refused the obvious ways (checked with
Qt 6.11/6.12): on None, QTextDocument reads it; on anything that is not a valid image, the image
handler calls ``QImage::load(src)``. So a refused image answers a small placeholder image, and any
other refused resource an empty QByteArray.
"""

from __future__ import annotations

import bisect
import functools
import html
import math
import os
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
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
    QTextTable,
)
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget

from handbook.core.book.model import Book, RenderedChapter, section_id
from handbook.core.reading.place import Place, find_in_section, quote_at
from handbook.core.render.details import fold, is_toggle
from handbook.core.render.formula import formula_svg, is_formula_image
from handbook.ui.reader.book_images import read_book_image
from handbook.ui.reader.page_fill import PageFill

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_FORMATS = frozenset({b"png", b"jpeg", b"jpg", b"gif", b"svg", b"svgz"})
IMAGE_SUFFIXES = frozenset({".png", ".jpeg", ".jpg", ".gif", ".svg", ".svgz"})
TOP_SECTION_DELAY_MS = 60  # scroll settles this long before the tree follows

UrlOpener = Callable[[QUrl], object]
OBJECT_REPLACEMENT = "\ufffc"  # what Qt's plain text holds for an image
COLUMN_CHARS = 80  # the reading column's width in average characters (mdBook: 750 px)
_IMG_ALT = re.compile(r"<img\b[^>]*>")
_IMG = re.compile(r"<img\b", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')


# an image format's mark: its width was given here, to fit the column (not by the page)
_FITTED = int(QTextFormat.Property.UserProperty) + 1


class Viewer(QTextBrowser):
    section_requested = Signal(str)  # a section id the reader asked for through a link
    new_tab_requested = Signal(str)  # ... with the middle button or Ctrl: for a new tab
    status_message = Signal(str)  # a refused link or resource, for the status bar
    top_section_changed = Signal(str)  # the section whose heading is at the top of the page
    page_filled = Signal()  # the rest of a long page is in (ui/reader/page_fill.py)
    place_not_found = Signal(object)  # Place: a place waited for until the page was filled

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
        self._anchors_found: dict[str, int] = {}  # the same, found so far on a page being filled
        self._fill = PageFill(self)  # a long page goes in in slices between events
        self._images = False  # the page shown has an image (its images are fitted)
        self._fitted_width = -1  # the column width the page's images were fitted to
        self._waiting: Place | None = None  # a place not on the part of the page filled yet
        self._when_filled: list[Callable[[], None]] = []
        # the place last shown and the scroll it was shown at: while the reader has not
        # scrolled since, a new layout (width, font) shows that place again
        self._held: tuple[Place, int] | None = None
        self._raw_text: tuple[tuple[int, int], str] | None = None  # the text by position
        self._last_top: str | None = None
        self._refused: set[str] = set()
        self._new_tab = False  # the link being followed was asked for in a new tab
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
        # a long page filled in slices
        self._fill.grew.connect(self._on_page_grew)
        self._fill.filled.connect(self._on_page_filled)

    # -- what is shown ---------------------------------------------------------------------

    def set_book(self, book: Book) -> None:
        self._book = book
        self._root = book.root.resolve()
        self._path = None
        self._rendered = None
        self._held, self._raw_text = None, None
        self._fill.cancel()
        self.clear()

    def follow_book(self, book: Book) -> None:
        """The same book anew (its layout changed on disk): links follow it, the page stays."""
        self._book = book
        self._root = book.root.resolve()

    def current_chapter(self) -> str | None:
        return self._path

    def show_chapter(self, rendered: RenderedChapter, place: Place | None = None) -> bool:
        """Show a rendered chapter, at ``place`` if given (see :meth:`go_to`), else at its top."""
        self._path = rendered.path
        self._rendered = rendered
        self._unfolded = set()
        self._refused.clear()
        self._held, self._raw_text = None, None
        self.document().setBaseUrl(QUrl.fromLocalFile(str(self._book.src / rendered.path)))
        base = self.document().baseUrl()
        self._alts = {
            base.resolved(QUrl(src)).toString(): alt for src, alt in _image_alts(rendered.html)
        }
        self._set_page(fold(rendered.html, self._unfolded))
        self._index_anchors(rendered)
        return self.go_to(place)

    def toggle_details(self, number: int) -> None:
        """Fold or unfold the page's ``number``-th ``<details>``, the page staying in place."""
        if self._rendered is None:
            return
        scroll = self.scroll_position()
        self._unfolded ^= {number}
        self._set_page(fold(self._rendered.html, self._unfolded), screenful=False)
        self._index_anchors(self._rendered)

        def keep_in_place() -> None:
            self.set_scroll_position(scroll)
            self._select_link(f"#details-{number}")

        self._after_filled(keep_in_place)

    def _set_page(self, page: str, screenful: bool = True) -> None:
        """``setHtml`` (a long page: a screenful, the rest in slices; ``screenful`` False: only
        a very long one), keeping the page's margin and reading column (Qt resets both)."""
        margin = self.document().documentMargin()
        self._waiting = None
        self._when_filled.clear()
        self._images = _IMG.search(page) is not None
        self._fill.set_page(page, screenful)
        self.document().setDocumentMargin(margin)
        self.fit_column()
        self._fill.fill_viewport()
        self._fitted_width = -1
        self._fit_images()

    def filling(self) -> bool:
        """True while the rest of a long page is still going in (the reader can read its start)."""
        return self._fill.active()

    def page_complete(self) -> bool:
        """True when the chapter's whole page is in: not a placeholder, nor still filling."""
        return self._rendered is not None and not self._fill.active()

    def finish_filling(self) -> None:
        """Put the rest of a long page in now."""
        self._fill.finish()

    def _after_filled(self, then: Callable[[], None]) -> None:
        if self._fill.active():
            self._when_filled.append(then)
        else:
            then()

    @Slot(int)
    def _on_page_grew(self, start: int) -> None:
        if self._rendered is not None:
            self._index_anchors(self._rendered, start)
        waiting = self._waiting
        if waiting is None:
            return
        if self._held is not None and self._held[1] != self.scroll_position():
            self._waiting = None  # the reader moved meanwhile: leave them there
            return
        position, found = self._position_of(waiting)
        if found:
            self._waiting = None
            self._hold(waiting, position)

    @Slot()
    def _on_page_filled(self) -> None:
        waiting, self._waiting = self._waiting, None
        then, self._when_filled = self._when_filled, []
        for action in then:
            action()
        self._fitted_width = -1
        self._fit_images()
        if waiting is not None and not self.go_to(waiting):
            self.place_not_found.emit(waiting)
        self.page_filled.emit()

    # -- the reading column ------------------------------------------------------------------

    def set_column(self, chars: int | None) -> None:
        """Text in a centred column about ``chars`` characters wide; None: the whole width."""
        self._column = chars
        self.fit_column()

    def column(self) -> int | None:
        return self._column

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
        self._held, self._raw_text = None, None
        self._set_page(html)
        self._anchor_positions, self._anchor_names = [], []
        self.go_to()

    def go_to(self, place: Place | None = None) -> bool:
        """Put ``place``'s text at the top of the page (None: the chapter's top).

        False when the place's text is no longer there: its section's heading is shown (its
        chapter's top if the section is gone too)."""
        self._waiting = None
        if place is None or self._path is None:
            self._hold(Place(self._path or ""), 0)
            return True
        while self._fill.short() and not self._can_show(place):
            self._fill.step()  # the page's parts up to the place, before it is painted
        position, found = self._position_of(place)
        self._hold(place, position)
        if not found and self._fill.active():
            self._waiting = place  # perhaps in what is still to come: shown once it is in
            return True
        return found

    def _can_show(self, place: Place) -> bool:
        """Whether the part of the page in holds ``place`` and a screen below it (its
        section's end, for a place inside a section: the text there is in)."""
        anchor, positions = place.anchor, self._anchor_positions
        if anchor is not None and anchor not in self._anchor_names:
            return False
        start = positions[self._anchor_names.index(anchor)] if anchor is not None else 0
        if place.offset or place.quote:
            later = [p for p in positions if p > start]
            if not later:
                return False  # the section may go on in what is still to come
            start = later[0]
        document = self.document()
        block = document.findBlock(start)
        top = document.documentLayout().blockBoundingRect(block).top()
        return document.size().height() - top >= self.viewport().height()

    def page_html(self) -> str | None:
        """The page's HTML as shown (its details folded as they are); None: no chapter page."""
        if self._rendered is None:
            return None
        return fold(self._rendered.html, self._unfolded)

    def top_position(self) -> int:
        """The document position of the place at the top of the page."""
        return self._position_of(self.place())[0]

    def place(self) -> Place:
        """Where the reader is: the first character at the top of the page, as a place."""
        if self._path is None:
            return Place("")
        if self._held is not None and self._held[1] == self.scroll_position():
            return self._held[0]
        if self.scroll_position() == 0:
            return Place(self._path)
        top = self.position_at_top()
        at = bisect.bisect_right(self._anchor_positions, top) - 1
        start = self._anchor_positions[at] if at >= 0 else 0
        section = section_id(self._path, self._anchor_names[at] if at >= 0 else None)
        text = self._text()
        return Place(section, top - start, quote_at(text, top))

    def position_at_top(self) -> int:
        """The document position of the first character at the top of the viewport.

        Qt lays a new page out lazily, and its hit test reads only what is laid out so far (a
        point past it answers the end of that, even after a paint): the layout is finished
        first (nothing to do once it is)."""
        self.document().documentLayout().documentSize()
        return self.cursorForPosition(QPoint(0, 0)).position()

    def _position_of(self, place: Place) -> tuple[int, bool]:
        """The document position of ``place``, and whether its text was found there."""
        anchor = place.anchor
        if anchor is None:
            start, found = 0, True
        elif anchor in self._anchor_names:
            start, found = self._anchor_positions[self._anchor_names.index(anchor)], True
        else:
            return 0, False
        later = [p for p in self._anchor_positions if p > start]
        text = self._text()
        end = later[0] if later else len(text)
        offset = find_in_section(text[start:end], place)
        if offset is None:
            return start, False
        return start + offset, found

    def _text(self) -> str:
        """The document's text, one character a document position (toRawText keeps the
        block and frame separators that positions count)."""
        document = self.document()
        key = (document.revision(), document.characterCount())
        if self._raw_text is None or self._raw_text[0] != key:
            self._raw_text = (key, document.toRawText())
        return self._raw_text[1]

    def _hold(self, place: Place, position: int) -> None:
        """Scroll ``position``'s line to the top of the page, and hold ``place`` there."""
        if position <= 0:
            value = 0
        else:
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(position, max(self.document().characterCount() - 1, 0)))
            # one pixel into the line: its top is fractional, and the pixel row above it would
            # be the previous line's (the first character seen would be the one before)
            value = self.scroll_position() + self.cursorRect(cursor).top() + 1
        bar = self.verticalScrollBar()
        if value > bar.maximum():
            # Qt lays a new page out in steps, and sets the scroll range as they come: lay it
            # all out now and set the range the last step would set, so that the place is not
            # cut short at the range of the first steps
            height = self.document().documentLayout().documentSize().height()
            bar.setRange(0, max(bar.maximum(), math.ceil(height) - self.viewport().height()))
        bar.setValue(value)
        self._held = (place, self.scroll_position())
        self._last_top = self.current_section()

    def current_section(self) -> str:
        """The section whose heading is at (or last above) the top of the page.

        At the very top of the page, that is the chapter itself (a bare chapter path).
        """
        if self._path is None:
            return ""
        if self._held is not None and self._held[1] == self.scroll_position():
            return self._held[0].section or self._path
        if self.scroll_position() == 0:
            return self._path
        top = self.position_at_top()
        at = bisect.bisect_right(self._anchor_positions, top) - 1
        return section_id(self._path, self._anchor_names[at] if at >= 0 else None)

    def scroll_position(self) -> int:
        return self.verticalScrollBar().value()

    def set_scroll_position(self, value: int) -> None:
        self.verticalScrollBar().setValue(value)

    # A new layout (another width, font or zoom) keeps the same text at the top of the page:
    # the place is taken from the old layout, just before the new one is made, and shown again.

    def resizeEvent(self, event: QResizeEvent) -> None:
        place = self.place()
        super().resizeEvent(event)
        self.fit_column()
        self._fit_images()
        self._show_again(place)

    def showEvent(self, event: QShowEvent) -> None:
        place = self.place()
        super().showEvent(event)
        self._show_again(place)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() != QEvent.Type.FontChange:
            super().changeEvent(event)
            return
        place = self.place()
        super().changeEvent(event)
        self.fit_column()  # a zoom or a page font: other characters, another column
        self._show_again(place)

    def _show_again(self, place: Place) -> None:
        if self._path is not None and place.section:
            self.go_to(place)

    def _index_anchors(self, rendered: RenderedChapter, start: int = 0) -> None:
        """Where each heading's anchor sits in the document, found once per page (a page being
        filled: in each part as it comes, from document position ``start``)."""
        wanted = {h.anchor for h in rendered.headings}
        if start == 0:
            self._anchors_found = {}
        found = self._anchors_found
        document = self.document()
        block = document.findBlock(start) if start else document.begin()
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

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A link clicked with the middle button is followed in a new tab."""
        if event.button() == Qt.MouseButton.MiddleButton:
            href = self.anchorAt(event.position().toPoint())
            if href:
                self._new_tab = True
                try:
                    self._on_anchor_clicked(QUrl(href))
                finally:
                    self._new_tab = False
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def _request(self, section: str) -> None:
        """Open ``section``: here, or in a new tab (middle button, Ctrl+click)."""
        ctrl = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier
        if self._new_tab or ctrl:
            self.new_tab_requested.emit(section)
        else:
            self.section_requested.emit(section)

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
                self._request(section_id(self._path, fragment))
            return
        base = "" if path.startswith("/") else posixpath.dirname(self._path)
        target = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        chapter = self._chapter_for(target)
        if chapter is not None:
            self._request(section_id(chapter, fragment))
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
                self._refuse(url, self._not_found_in_book(url))
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

    def _not_found_in_book(self, url: QUrl) -> str:
        """Why an image inside the book is not shown when its file is not there ("" for the
        rest): the path is judged by its text alone, nothing outside the book is looked at."""
        if url.scheme() not in ("", "file") or url.host():
            return ""
        if url.isLocalFile():
            name = os.path.normpath(url.toLocalFile())
        elif self._path is not None:
            relative = url.path(QUrl.ComponentFormattingOption.FullyDecoded)
            name = os.path.normpath(self._book.src / posixpath.dirname(self._path) / relative)
        else:
            return ""
        if not Path(name).is_relative_to(self._root) or os.path.lexists(name):
            return ""
        return "no such file in the book"

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

    def _fit_images(self) -> None:
        """Images at most the column's width, as mdBook's ``max-width: 100%`` makes them, and
        in a table's cell at most its share of the column: a wide one (the Rust book's Ferris,
        1,259 px) took the whole column and squeezed the cell beside it to a letter a line.
        Fitted when a page is shown and again when the column's width changes: a window made
        narrower shrinks them (it kept them at the old width, behind a sideways scroll bar),
        a wider one gives them back up to the size they were read at. An image the page gives
        a width of its own is left as it is."""
        if not self._images:
            return  # a page without images (most of them: the walk below takes ~1 ms a page)
        fit = self._image_width()
        if fit == self._fitted_width:
            return
        self._fitted_width = fit
        document = self.document()
        tables = [
            (f.firstPosition(), f.lastPosition(), max(48.0, fit / max(1, f.columns()) - 12))
            for f in document.rootFrame().childFrames()
            if isinstance(f, QTextTable)
        ]
        changes: list[tuple[int, int, QTextImageFormat]] = []
        table = 0  # the first table not yet passed (blocks and tables come in page order)
        block = document.begin()
        while block.isValid():
            position = block.position()
            while table < len(tables) and tables[table][1] < position:
                table += 1
            inside = table < len(tables) and tables[table][0] <= position
            limit = tables[table][2] if inside else float(fit)
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                it += 1
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    if self._fitted_image(image, limit):
                        changes.append((fragment.position(), fragment.length(), image))
            block = block.next()
        if not changes:
            return
        cursor = QTextCursor(document)
        blocked = self.blockSignals(True)  # the same text: nothing to find or light again
        undo = document.isUndoRedoEnabled()
        document.setUndoRedoEnabled(False)
        try:
            for start, length, image in changes:
                cursor.setPosition(start)
                cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(image)
        finally:
            document.setUndoRedoEnabled(undo)
            self.blockSignals(blocked)

    def _fitted_image(self, image: QTextImageFormat, limit: float) -> bool:
        """``image`` given the size it takes in a place at most ``limit`` wide; False when it
        has it already (or a width the page gave it)."""
        if image.width() > 0 and not image.property(_FITTED):
            return False  # the page's own width
        found = self.document().resource(
            QTextDocument.ResourceType.ImageResource, QUrl(image.name())
        )
        if not isinstance(found, QImage) or found.isNull():
            return False
        ratio = found.devicePixelRatio()
        width, height = found.width() / ratio, found.height() / ratio
        wanted = min(width, limit)
        if abs(image.width() - wanted) < 0.5 or (image.width() <= 0 and width <= limit):
            return False
        image.setWidth(wanted)
        image.setHeight(height * wanted / width)
        image.setProperty(_FITTED, True)
        return True

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
