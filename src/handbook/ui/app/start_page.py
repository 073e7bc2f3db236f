"""The page at start: the last page read, shown in start-up's first frame.

Each time the reader's place is saved (ui/reader/place_keeper.py: debounced, at most 2 s after a
move) and when the window closes, the page on screen is kept in the cache folder, one file a
book, written atomically: its HTML, the font it was shown in, and where the reader's place was
in it. At the next start on that book, the frame shows that page at that place before the
markdown stack is imported; the window is then built around the book and the real page takes
its place at the same text. The file is used only while it matches: the same version of
handbook, the chapter's source unchanged (its SHA-256), the same theme and the same page font and
zoom (its key). It is not removed when read: after a crash (kill -9) the next start still
shows the reader's page, at most one save behind.

Keys typed while the frame shows are kept and replayed once the window is complete.

Nothing here imports the book's modules or creates a dataclass: it runs before the frame.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QByteArray, QEvent, QJsonDocument, QObject, QUrl
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from handbook import __version__
from handbook.ui.app.settings import sha256_hex

FOLDER = "start-pages"
MAX_HTML_CHARS = 2_000_000  # bigger pages are not kept (reading the file would cost more)


class StartPage(NamedTuple):  # not a dataclass: read before start-up's first frame
    book: str  # the book's folder
    identity: str
    chapter: str  # the chapter's path in the book
    source: str  # the chapter's file...
    source_sha256: str  # ...and its SHA-256 then
    theme: str  # the theme setting ("light", "dark", "system") and...
    dark: bool  # ...the page theme it gave
    zoom: int
    family: str
    size: float
    font: str  # QFont.toString() of the page font, zoom included
    margin: float
    column: int  # the reading column's width in characters (0: the page's whole width)
    position: int  # the document position at the top of the page
    html: str


def file_for(cache_dir: Path, book_root: str) -> Path:
    return cache_dir / FOLDER / f"{sha256_hex(os.path.realpath(book_root).encode())[:16]}.json"


def source_sha256(source: str) -> str | None:
    try:
        return sha256_hex(Path(source).read_bytes())
    except OSError:
        return None


def write(cache_dir: Path, page: StartPage) -> None:
    """Keep ``page`` for the next start (temp file, then renamed: never half written)."""
    if len(page.html) > MAX_HTML_CHARS:
        return
    import json  # here, as tempfile: not needed before the first frame
    import tempfile

    target = file_for(cache_dir, page.book)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(target.parent)
        fd, name = tempfile.mkstemp(prefix=".start-", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": __version__, **page._asdict()}, out)
            out.flush()
            os.fdatasync(out.fileno())
        os.replace(name, target)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(name)


def _remove_orphans(folder: Path) -> None:
    """Temp files left by a write killed midway (a minute old: not another window's)."""
    import time

    for orphan in folder.glob(".start-*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - orphan.stat().st_mtime > 60:
                orphan.unlink()


def take(
    cache_dir: Path, book_root: str, current: Callable[[str], dict[str, Any]]
) -> StartPage | None:
    """The page kept for ``book_root`` if it still matches ``current(identity)`` (the theme,
    dark or not, the zoom and the font now); the file is kept (it is rewritten as the reader
    moves)."""
    path = file_for(cache_dir, book_root)
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    # Qt's JSON parser, loaded already: the json package would be imported for this alone
    # (1.5-2 ms before the first frame). Not JSON: None; an array: a list (refused below).
    data = QJsonDocument.fromJson(QByteArray(raw)).toVariant()
    try:
        if data.pop("version") != __version__:
            return None
        page = StartPage(**data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if os.path.realpath(page.book) != os.path.realpath(book_root):
        return None
    now = current(page.identity)
    wanted = {k: now.get(k) for k in ("theme", "dark", "zoom", "family", "size")}
    if wanted != {k: getattr(page, k) for k in wanted}:
        return None
    if source_sha256(page.source) != page.source_sha256:
        return None
    return page


class StartPageView(QTextBrowser):
    """The kept page: no link followed, no resource read (images are left blank), scrolled so
    that the reader's place is at the top whatever the frame's width."""

    def __init__(self, page: StartPage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._position = page.position
        self._column = page.column
        self._char_width: float | None = None
        font = QFont()
        if font.fromString(page.font):
            self.setFont(font)
            self.document().setDefaultFont(font)
        self.document().setDocumentMargin(page.margin)
        self.document().setBaseUrl(QUrl.fromLocalFile(page.source))
        self.setHtml(page.html)
        self.document().setDocumentMargin(page.margin)

    def loadResource(self, type: int, name: QUrl | str) -> object:
        if type == QTextDocument.ResourceType.ImageResource:
            from PySide6.QtGui import QImage

            blank = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
            blank.fill(0)
            return blank  # a valid image: Qt would read the file itself on anything else
        return QByteArray()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # the column's margins set before the page is laid out at its new width: one layout
        self._fit_column(event.size().width())
        super().resizeEvent(event)
        self.scroll_to_place()

    def _fit_column(self, width: int) -> None:
        """The reader's column, centred, as ``Viewer.fit_column`` sets it."""
        if not self._column:
            return
        document = self.document()
        if self._char_width is None:
            self._char_width = QFontMetricsF(document.defaultFont()).averageCharWidth()
        side = max(document.documentMargin(), (width - self._char_width * self._column) / 2)
        frame = document.rootFrame()
        fmt = frame.frameFormat()
        if fmt.leftMargin() == side and fmt.rightMargin() == side:
            return
        fmt.setLeftMargin(side)
        fmt.setRightMargin(side)
        frame.setFrameFormat(fmt)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scroll_to_place()

    def scroll_to_place(self) -> None:
        """The place's line at the top, as ``Viewer`` holds a place: the page's top for its
        first character (then nothing is laid out before the frame is on screen)."""
        bar = self.verticalScrollBar()
        if self._position <= 0:
            bar.setValue(0)
            return
        document = self.document()
        cursor = QTextCursor(document)
        cursor.setPosition(min(self._position, max(document.characterCount() - 1, 0)))
        value = bar.value() + self.cursorRect(cursor).top()
        if value > bar.maximum():
            height = document.documentLayout().documentSize().height()
            bar.setRange(0, max(bar.maximum(), int(height) + 1 - self.viewport().height()))
        bar.setValue(value)


class KeyKeeper(QObject):
    """Holds the keys typed into ``window`` while it is not complete, to replay them on the
    page, until :meth:`stop`.

    It watches the window's native window (its ``QWindow``), which the platform gives every key
    typed into the window before the focus widget has it; not the whole application, which
    would send every event of every object through Python (PySide then makes the Python enums
    of most Qt classes: about 15 ms before the first frame)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.keys: list[tuple[int, int, str]] = []  # (key, modifiers, text)
        window.winId()  # the native window, made now as it is for the first expose
        self._handle = window.windowHandle()
        assert self._handle is not None
        self._handle.installEventFilter(self)

    def stop(self) -> None:
        """No more keys kept: they go to the window again."""
        self._handle.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if not event.isAutoRepeat() or len(self.keys) < 50:
                self.keys.append((event.key(), event.modifiers().value, event.text()))
            return True
        return event.type() in (QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)
