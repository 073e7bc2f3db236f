"""The search panel: a field, the number of results, and the results as you type.

Typing never waits on search: a query runs on the :class:`SearchRunner`'s query thread, a newer
keystroke interrupting an older query; keystrokes are throttled (the first key after a pause
searches at once, a burst searches again ``debounce_ms`` after the previous search). The list
gets a page of results at a time: scrolling to its end asks for the next page, so that every
result can be reached; the label counts them all. ↑/↓ in the field move through the results,
Enter opens one, Esc clears the field (or, when it is empty, asks to close the panel). While a
book's index is built (on a worker thread, see :mod:`handbook.ui.search.worker`), a thin
progress bar and "Indexing the book… 40%" show how far it is; what was typed meanwhile is
searched once the index is ready.

Given a :class:`LibrarySearchRunner`, the panel has a scope: "This book" or "All books" (the
library's, see :mod:`handbook.ui.search.library_worker`), remembered in the settings. In All
books the best hits of every book are ranked together and shown grouped by book, a header row
(the book's title and how many of its sections match) above each book's hits; books not open
yet are opened one after another in the background ("Indexing 3 of 12 books…"), their hits
joining as they are ready, and a book that is missing is skipped and named. A hit of All
books is emitted with whether a modifier was held (Ctrl+click, a middle click, Ctrl+Enter):
the window may open it in a new tab.
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QGlyphRun,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QStaticText,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from handbook.core.book.model import Book
from handbook.core.library.store import LibraryBook
from handbook.core.search.index import (
    DEFAULT_LIMIT,
    SearchHit,
    SearchOptions,
    SearchResults,
    snippet_text,
)
from handbook.core.search.library import BookHit, LibraryResults, grouped
from handbook.core.storage.pathtext import displayable
from handbook.ui.app.settings import SEARCH_SCOPE, Settings
from handbook.ui.search.library_worker import LibrarySearchRunner
from handbook.ui.search.worker import SearchRunner

DEBOUNCE_MS = 100
RESULT_LIMIT = DEFAULT_LIMIT  # hits per page
HIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's SearchHit
BOOK_HIT_ROLE = Qt.ItemDataRole.UserRole + 2  # All books: the row's BookHit
HEADER_ROLE = Qt.ItemDataRole.UserRole + 3  # All books: a book's header row, its BookHeader
SCOPES = (("This book", "book"), ("All books", "all"))
PAGE_STEP = 5  # rows moved by Page Up / Page Down from the field

AnyIndex = QModelIndex | QPersistentModelIndex


class ResultsModel(QAbstractListModel):
    """The hits of the latest search, best first: a page of them, then more as the list
    scrolls to its end (``more_wanted``, answered by :meth:`add_hits`)."""

    more_wanted = Signal(int)  # the hits held so far: the offset of the next page

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: tuple[SearchHit, ...] = ()
        self._total = 0
        self._asked = False  # a page asked for and not yet added

    def set_hits(self, hits: tuple[SearchHit, ...], total: int | None = None) -> None:
        """Hold ``hits`` (the rows from the first on). The rows a list already shows are kept
        (no reset): rows past the new end are removed, new ones added, and only the rows that
        show something else are said to have changed, so a keystroke whose results mostly
        show the same text repaints only what differs."""
        old = self._hits
        self._total = len(hits) if total is None else total
        self._asked = False
        if not old or not hits:
            self.beginResetModel()
            self._hits = hits
            self.endResetModel()
            return
        kept = min(len(old), len(hits))
        if len(old) > kept:
            self.beginRemoveRows(QModelIndex(), kept, len(old) - 1)
            self._hits = old[:kept]
            self.endRemoveRows()
        changed = [row for row in range(kept) if _shown(old[row]) != _shown(hits[row])]
        self._hits = hits[:kept]  # the same rows, the new hits (their terms, for the page)
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], 0))
        if len(hits) > kept:
            self.beginInsertRows(QModelIndex(), kept, len(hits) - 1)
            self._hits = hits
            self.endInsertRows()

    def add_hits(self, hits: tuple[SearchHit, ...]) -> None:
        self._asked = False
        if hits:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
            self._hits += hits
            self.endInsertRows()
        else:
            self._total = len(self._hits)  # the book changed under the query: no more

    @property
    def total(self) -> int:
        """Every result of the search, of which :meth:`rowCount` are held so far."""
        return self._total

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt's
        return not parent.isValid() and not self._asked and len(self._hits) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008 - signature
        if self.canFetchMore(parent):
            self._asked = True
            self.more_wanted.emit(len(self._hits))

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.breadcrumb
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return f"{hit.breadcrumb}. {snippet_text(hit.snippet)}"
        if role == HIT_ROLE:
            return hit
        return None


def _shown(hit: SearchHit) -> tuple[str, str, str, bool]:
    """What a row shows of ``hit``."""
    return hit.title, hit.breadcrumb, hit.snippet, hit.partial


@dataclass(frozen=True)
class BookHeader:
    """The row above a book's hits in All books."""

    book: LibraryBook
    total: int  # its matching sections (of which some are shown below it)

    def text(self) -> str:
        return f"{self.book.title} — {self.total} result{'s' if self.total != 1 else ''}"


class LibraryResultsModel(QAbstractListModel):
    """All books' hits, grouped by book: per book (in the order of its best hit) a header row,
    then its hits, best first. Header rows cannot be selected."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[BookHeader | BookHit, ...] = ()
        self.results: LibraryResults | None = None

    def set_results(self, results: LibraryResults | None) -> None:
        self.beginResetModel()
        self.results = results
        rows: list[BookHeader | BookHit] = []
        for book, hits in grouped(results.hits if results else ()):
            rows.append(BookHeader(book, results.book_total(book) if results else 0))
            rows += [BookHit(book, hit) for _, hit in hits]
        self._rows = tuple(rows)
        self.endResetModel()

    def row(self, row: int) -> BookHeader | BookHit | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def book_hit(self, row: int) -> BookHit | None:
        found = self.row(row)
        return found if isinstance(found, BookHit) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if isinstance(self.row(index.row()), BookHeader):
            return Qt.ItemFlag.ItemIsEnabled
        return super().flags(index)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row(index.row()) if index.isValid() else None
        if isinstance(row, BookHeader):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return row.text()
            if role == Qt.ItemDataRole.ToolTipRole:
                return displayable(str(row.book.location))
            if role == HEADER_ROLE:
                return row
            return None
        if row is None:
            return None
        hit = row.hit
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.book.title} › {hit.breadcrumb}" if hit.breadcrumb else row.book.title
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return f"{row.book.title}, {hit.breadcrumb}. {snippet_text(hit.snippet)}"
        if role == HIT_ROLE:
            return hit
        if role == BOOK_HIT_ROLE:
            return row
        return None


class _Fonts:
    """The fonts of a hit's lines for one font of the view, and their metrics."""

    def __init__(self, base: QFont) -> None:
        self.key = base.key()
        self.title = QFont(base)
        self.title.setBold(True)
        self.crumbs = QFont(base)
        self.crumbs.setPointSizeF(max(base.pointSizeF() * 0.85, 6.0))
        self.snippet = QFont(base)
        self.title_height = QFontMetrics(self.title).height()
        self.crumbs_height = QFontMetrics(self.crumbs).height()
        self.snippet_spacing = QFontMetrics(self.snippet).lineSpacing()
        self.crumbs_metrics = QFontMetrics(self.crumbs)
        self.title_metrics = QFontMetrics(self.title)


def snippet_runs(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A hit's HTML snippet (escaped text, matches in ``<b>``) as its plain text and the
    (start, length) of each match in it."""
    text: list[str] = []
    bold: list[tuple[int, int]] = []
    at = 0
    for i, part in enumerate(snippet.split("<b>")):
        inside, _, after = part.partition("</b>") if i else ("", "", part)
        for piece, is_match in ((inside, True), (after, False)):
            plain = html.unescape(piece)
            if is_match and plain:
                bold.append((at, len(plain)))
            text.append(plain)
            at += len(plain)
    return "".join(text), tuple(bold)


class HitDelegate(QStyledItemDelegate):
    """Draws a hit in rows of one height: its title (bold), its breadcrumb (muted, smaller),
    and the first two lines of its snippet (matches bold), whole lines only. Rows of one
    height let the list lay out 50 results without measuring each.

    Painting a list of new results is most of what a keystroke costs the UI thread, so each
    line's text is laid out once (a ``QStaticText`` for the title and breadcrumb, the glyphs
    of a ``QTextLayout`` of two lines for the snippet) and kept, keyed by its text, width and
    font, across searches: the next keystroke's results mostly show the same sections (on
    the Rust book, 64% of the rows in sight), whose rows are then only drawn. (A
    ``QTextDocument`` per snippet, its HTML parsed, laid out and drawn, cost about twice as
    much for a new row and five times as much for a row seen before.)"""

    MARGIN = 6
    SNIPPET_LINES = 2
    KEPT = 400  # laid-out lines kept of each kind (about 40 pages of the list)

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._fonts: _Fonts | None = None
        self._lines: OrderedDict[tuple[str, str, int, int], QStaticText] = OrderedDict()
        self._glyphs: OrderedDict[tuple[str, str, int], list[QGlyphRun]] = OrderedDict()
        self._bold = QTextCharFormat()
        self._bold.setFontWeight(QFont.Weight.Bold)
        self._wrap = QTextOption()
        self._wrap.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def forget(self) -> None:
        """Drop the laid-out lines kept (they are kept across searches otherwise)."""
        self._lines.clear()
        self._glyphs.clear()

    def fonts(self) -> tuple[QFont, QFont, QFont]:
        """(title, breadcrumb, snippet) fonts."""
        fonts = self._current_fonts()
        return fonts.title, fonts.crumbs, fonts.snippet

    def _current_fonts(self) -> _Fonts:
        base = self._view.font()
        if self._fonts is None or self._fonts.key != base.key():
            self._fonts = _Fonts(base)
        return self._fonts

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        hit = index.data(HIT_ROLE)
        if not isinstance(hit, SearchHit):
            header = index.data(HEADER_ROLE)
            if isinstance(header, BookHeader):
                self._paint_header(painter, option, header)
            return
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        # the row's background, selection and focus as the style draws an item without text
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = text if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        rect: QRect = option.rect.adjusted(self.MARGIN, self.MARGIN // 2, -self.MARGIN, 0)  # type: ignore[attr-defined]
        width = rect.width()
        fonts = self._current_fonts()
        title = f"{hit.title} (partial match)" if hit.partial else hit.title
        left, y = rect.left(), rect.top()
        painter.save()
        painter.setPen(text)
        painter.setFont(fonts.title)
        painter.drawStaticText(
            left, y, self._line(fonts, title, Qt.TextElideMode.ElideRight, width, True)
        )
        y += fonts.title_height
        painter.setPen(muted)
        painter.setFont(fonts.crumbs)
        painter.drawStaticText(
            left, y, self._line(fonts, hit.breadcrumb, Qt.TextElideMode.ElideMiddle, width, False)
        )
        y += fonts.crumbs_height
        painter.setPen(text)
        at = QPointF(left, y)
        for run in self._snippet_glyphs(hit.snippet, width):
            painter.drawGlyphRun(at, run)
        painter.restore()

    def _line(
        self, fonts: _Fonts, line: str, elide: Qt.TextElideMode, width: int, title: bool
    ) -> QStaticText:
        """One line of text elided to ``width``, laid out once."""
        key = (fonts.key, line, int(elide.value) + (8 if title else 0), width)
        static = self._lines.get(key)
        if static is not None:
            self._lines.move_to_end(key)
            return static
        metrics = fonts.title_metrics if title else fonts.crumbs_metrics
        static = QStaticText(metrics.elidedText(line, elide, width))
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), fonts.title if title else fonts.crumbs)
        self._keep(self._lines, key, static)
        return static

    def _snippet_glyphs(self, snippet: str, width: int) -> list[QGlyphRun]:
        """The glyphs of :meth:`snippet_layout`, kept: drawing them again draws only them
        (a ``QTextLayout`` drawn again goes through its lines and formats: 4 times as long)."""
        key = (self._current_fonts().key, snippet, width)
        runs = self._glyphs.get(key)
        if runs is not None:
            self._glyphs.move_to_end(key)
            return runs
        runs = self.snippet_layout(snippet, width).glyphRuns()
        self._keep(self._glyphs, key, runs)
        return runs

    def snippet_layout(self, snippet: str, width: int) -> QTextLayout:
        """The snippet's first ``SNIPPET_LINES`` lines at ``width``, matches bold, laid out
        from the top at 0: whole lines only, never a sliver of the next one."""
        fonts = self._current_fonts()
        plain, bold = snippet_runs(snippet)
        layout = QTextLayout(plain, fonts.snippet)
        layout.setCacheEnabled(True)  # keep the shaped glyphs: drawing again only draws
        layout.setTextOption(self._wrap)
        ranges = []
        for start, length in bold:
            span = QTextLayout.FormatRange()
            span.start, span.length, span.format = start, length, self._bold
            ranges.append(span)
        layout.setFormats(ranges)
        layout.beginLayout()
        y = 0.0
        for _ in range(self.SNIPPET_LINES):
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 50))
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
        return layout

    def _keep(self, kept: OrderedDict[Any, Any], key: object, value: object) -> None:
        kept[key] = value
        if len(kept) > self.KEPT:
            kept.popitem(last=False)

    def _paint_header(
        self, painter: QPainter, option: QStyleOptionViewItem, header: BookHeader
    ) -> None:
        rect: QRect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        painter.save()
        painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        fonts = self._current_fonts()
        painter.setFont(fonts.title)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        inner = rect.adjusted(self.MARGIN, 0, -self.MARGIN, 0)
        painter.drawText(
            inner,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fonts.title_metrics.elidedText(
                header.text(), Qt.TextElideMode.ElideMiddle, inner.width()
            ),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        """A row's height; its width 0: the list makes each row as wide as itself, whatever
        its width now (a scroll bar come or gone, the panel resized)."""
        fonts = self._current_fonts()
        if isinstance(index.data(HEADER_ROLE), BookHeader):
            return QSize(0, fonts.title_height + self.MARGIN)
        height = (
            fonts.title_height
            + fonts.crumbs_height
            + self.SNIPPET_LINES * fonts.snippet_spacing
            + self.MARGIN
        )
        return QSize(0, height)


class SearchPanel(QWidget):
    hit_activated = Signal(SearchHit)  # open this section and highlight hit.terms in it
    hit_in_new_tab = Signal(SearchHit)  # ... in a new tab (Ctrl+click, middle click, Ctrl+Enter)
    # All books: open hit.hit.id in hit.book, its terms highlighted; True: a modifier was held
    # (Ctrl+click, middle click, Ctrl+Enter), the reader asks for a new tab
    library_hit_activated = Signal(object, bool)
    close_requested = Signal()  # Esc in an empty field: the window may hide the panel
    results_shown = Signal(int)  # the list now shows the results of the latest query (total)

    def __init__(
        self,
        cache_folder: Path | None,
        parent: QWidget | None = None,
        *,
        runner: SearchRunner | None = None,
        library: LibrarySearchRunner | None = None,
        settings: Settings | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        limit: int = RESULT_LIMIT,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("search_panel")
        self.runner = runner or SearchRunner(cache_folder, self)
        self.library = library  # None: no scope offered, this book only
        if library is not None:
            library.setParent(self)
        self._settings = settings
        self._limit = limit
        self._request = 0  # the latest query asked for
        self._more_request = 0  # the latest next page asked for
        self._text = ""  # the text of the latest query
        self._pending = False  # text changed during the throttle pause
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(debounce_ms)
        self._suggestion: str | None = None
        self._last_click: tuple[int, float] = (-1, 0.0)  # (row, time.monotonic())
        self._click_modifiers = Qt.KeyboardModifier.NoModifier  # of the last mouse release
        self._indexing = ""  # All books: "Indexing 3 of 12 books…", while it lasts
        self._skipped: list[str] = []  # All books: the books left out, and why
        self._build()
        self._connect_signals()
        if library is not None and settings is not None and settings.get(SEARCH_SCOPE) == "all":
            self.scope.setCurrentIndex(1)  # the library is read and opened from now on

    def _build(self) -> None:
        self.field = QLineEdit(self)
        self.field.setObjectName("search_field")
        self.field.setPlaceholderText("Search this book")
        self.field.setAccessibleName("Search")
        self.field.setClearButtonEnabled(True)
        self.scope = QComboBox(self)
        self.scope.setObjectName("search_scope")
        self.scope.setAccessibleName("Search in")
        self.scope.setToolTip("Search the open book, or every book of the library")
        for label, scope in SCOPES:
            self.scope.addItem(label, scope)
        self.scope.setVisible(self.library is not None)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("search_progress")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(4)
        self.progress_bar.setAccessibleName("Indexing the book")
        self.progress_bar.hide()
        self.library_note = QLabel(self)
        self.library_note.setObjectName("search_library_note")
        self.library_note.setWordWrap(True)
        self.library_note.setTextFormat(Qt.TextFormat.PlainText)
        self.library_note.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("search_status")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setWordWrap(True)
        self.model = ResultsModel(self)
        self.library_model = LibraryResultsModel(self)
        self.results_view = QListView(self)
        self.results_view.setObjectName("search_results")
        self.results_view.setAccessibleName("Search results")
        self.results_view.setModel(self.model)
        self.delegate = HitDelegate(self.results_view)
        self.results_view.setItemDelegate(self.delegate)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.setUniformItemSizes(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        row.addWidget(self.field, 1)
        row.addWidget(self.scope)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(row)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.library_note)
        layout.addWidget(self.status_label)
        layout.addWidget(self.results_view, 1)
        QWidget.setTabOrder(self.field, self.scope)
        QWidget.setTabOrder(self.scope, self.results_view)
        self.field.installEventFilter(self)
        self.results_view.installEventFilter(self)
        self.results_view.viewport().installEventFilter(self)

    def _connect_signals(self) -> None:
        # typing
        self.field.textChanged.connect(self._on_text_changed)
        self._throttle.timeout.connect(self._on_throttle_done)
        # more results as the list scrolls to its end
        self.model.more_wanted.connect(self._on_more_wanted)
        # the runner
        self.runner.progress.connect(self._on_progress)
        self.runner.index_ready.connect(self._on_index_ready)
        self.runner.failed.connect(self._on_failed)
        self.runner.results_ready.connect(self._on_results)
        # the scope, and the library's runner
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        if self.library is not None:
            self.library.progress.connect(self._on_library_progress)
            self.library.skipped.connect(self._on_library_skipped)
            self.library.done.connect(self._on_library_done)
            self.library.failed.connect(self._on_library_failed)
            self.library.results_ready.connect(self._on_library_results)
        # opening a hit
        # (not ``activated``: where the style opens items on one click, it would come twice)
        self.results_view.clicked.connect(self._on_clicked)
        # "did you mean"
        self.status_label.linkActivated.connect(self._on_suggestion)

    # -- what the window calls -------------------------------------------------------------

    def set_book(self, book: Book) -> None:
        """Search ``book`` from now on; its index is built (or read from the cache) on a worker
        thread meanwhile, whether or not the panel is shown. The window calls this when a book
        opens. (In All books, the list stays as it is.)"""
        if not self.all_books():
            self._show_results(SearchResults("", (), 0))
            self.progress_bar.setRange(0, 0)  # busy until the first chapter is done
            self.progress_bar.show()
            self.status_label.setText("Preparing search…")
        self.runner.open_book(book)

    @Slot()
    def focus_search(self) -> None:
        """Put the cursor in the field, its text selected (Ctrl+K, Ctrl+Shift+F, /); in All
        books, the library is read again (a book added since is opened for search)."""
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.all_books() and self.library is not None and not self.library.is_indexing():
            self._read_library()

    def _read_library(self) -> None:
        assert self.library is not None
        self._skipped = []  # said again by this reading, if still so
        self.library.refresh()

    def book_changed_on_disk(self, book: Book) -> None:
        """``book`` changed on disk: All books opens its index again (at once in that scope,
        else the next time it is chosen); its old index answers meanwhile."""
        if self.library is not None:
            self.library.stale(book.location())
            if self.all_books() and not self.library.is_indexing():
                self._read_library()

    def focus_chain(self) -> list[QWidget]:
        """The panel's widgets in Tab order: the field, the scope (when offered), the list."""
        return [self.field, *([self.scope] if self.library else []), self.results_view]

    def all_books(self) -> bool:
        """The scope is All books."""
        return self.library is not None and self.scope.currentData() == "all"

    def set_all_books(self, all_books: bool) -> None:
        self.scope.setCurrentIndex(1 if all_books and self.library is not None else 0)

    def current_hit(self) -> SearchHit | None:
        row = self.results_view.currentIndex().row()
        if self.all_books():
            found = self.library_model.book_hit(row)
            return found.hit if found else None
        return self.model.hit(row)

    def current_book_hit(self) -> BookHit | None:
        """All books: the hit under the cursor, with its book."""
        return self.library_model.book_hit(self.results_view.currentIndex().row())

    def stop(self) -> None:
        """Stop all search work (the window closes): indexes closed, builds told to stop."""
        self.runner.stop()
        if self.library is not None:
            self.library.stop()

    # -- the scope ---------------------------------------------------------------------------

    @Slot(int)
    def _on_scope_changed(self, _row: int) -> None:
        every = self.all_books()
        if self._settings is not None:
            self._settings.set(SEARCH_SCOPE, "all" if every else "book")
        self.field.setPlaceholderText("Search all books" if every else "Search this book")
        self._request = 0
        self._show_results(SearchResults("", (), 0))
        self.results_view.setModel(self.library_model if every else self.model)
        self.results_view.setUniformItemSizes(not every)
        if every:
            self.progress_bar.hide()
            self._read_library()  # read again: a book added since is opened
        else:
            if self.library is not None:
                self.library.forget_query()
            self._indexing = ""
            self._update_note()
            self.progress_bar.setRange(0, 0)
            self.progress_bar.setVisible(self.runner.is_building())
            self.status_label.setText("Indexing the book…" if self.runner.is_building() else "")
        if self.field.text().strip():
            self._search_now()

    # -- typing ----------------------------------------------------------------------------

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        if self._throttle.isActive():
            self._pending = True
        else:
            self._search_now()

    @Slot()
    def _on_throttle_done(self) -> None:
        if self._pending:
            self._search_now()

    def _search_now(self) -> None:
        self._pending = False
        text = self.field.text()
        if not text.strip():
            self._request = 0
            if self.library is not None:
                self.library.forget_query()
            self._show_results(SearchResults(text, (), 0))
            return
        self._text = text
        self._more_request = 0
        if self.all_books():
            assert self.library is not None
            self._request = self.library.search(text)
        else:
            self._request = self.runner.search(text, SearchOptions(limit=self._limit))
        self._throttle.start()

    @Slot(int)
    def _on_more_wanted(self, offset: int) -> None:
        if self._request and not self.all_books():
            options = SearchOptions(limit=self._limit, offset=offset)
            self._more_request = self.runner.search(self._text, options)

    # -- what the runner says --------------------------------------------------------------

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self.all_books():
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.status_label.setText(f"Indexing the book… {100 * done // max(total, 1)}%")

    @Slot(int)
    def _on_index_ready(self, _sections: int) -> None:
        if self.all_books():
            return
        self.progress_bar.hide()
        self.status_label.setText("")
        if self.field.text().strip():
            self._search_now()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self.all_books():
            return
        self.progress_bar.hide()
        self.status_label.setText(html.escape(message))

    @Slot(int, SearchResults)
    def _on_results(self, request: int, results: SearchResults) -> None:
        if self.all_books():
            return
        if request == self._request:
            self._show_results(results)
        elif request == self._more_request and request > self._request:
            self._more_request = 0
            self.model.add_hits(results.hits)

    def _show_results(self, results: SearchResults) -> None:
        self._last_click = (-1, 0.0)
        self.model.set_hits(results.hits, results.total)
        self.library_model.set_results(None)
        if results.hits:
            self.results_view.setCurrentIndex(self.model.index(0, 0))  # (scrolled to it)
        self._suggestion = results.suggestion
        self.status_label.setText(self._count_text(results))
        self.results_shown.emit(results.total)

    def _count_text(self, results: SearchResults) -> str:
        if not results.query.strip():
            return ""
        if not results.total:
            return self._no_results(results.suggestion)
        noun = "result" if results.total == 1 else "results"
        if results.partial:
            return f"No section has every word. {results.total} partial {noun}"
        return f"{results.total} {noun}"

    def _no_results(self, suggestion: str | None, where: str = "") -> str:
        if suggestion:
            link = f'<a href="suggestion">{html.escape(suggestion)}</a>'
            return f"No results{where}. Did you mean {link}?"
        return f"No results{where}"

    @Slot(str)
    def _on_suggestion(self, _link: str) -> None:
        if self._suggestion:
            self.field.setText(self._suggestion)
            self.focus_search()

    # -- what the library's runner says ----------------------------------------------------

    @Slot(int, int, str)
    def _on_library_progress(self, done: int, total: int, title: str) -> None:
        if not self.all_books():
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done - 1)
        self.progress_bar.show()
        self._indexing = f"Indexing {done} of {total} book{'s' if total != 1 else ''}…"
        self.library_note.setToolTip(title)
        self._update_note()

    @Slot(str)
    def _on_library_skipped(self, message: str) -> None:
        if message not in self._skipped:
            self._skipped.append(message)
        self._update_note()

    @Slot(int)
    def _on_library_done(self, _books: int) -> None:
        self._indexing = ""
        if self.all_books():
            self.progress_bar.hide()
        self._update_note()

    @Slot(str)
    def _on_library_failed(self, message: str) -> None:
        self._on_library_done(0)
        if self.all_books():
            self.status_label.setText(html.escape(message))

    def _update_note(self) -> None:
        lines = [self._indexing] if self._indexing else []
        lines += [f"Skipped: {why}" for why in self._skipped]
        self.library_note.setText("\n".join(lines))
        self.library_note.setVisible(self.all_books() and bool(lines))

    @Slot(int, object)
    def _on_library_results(self, request: int, results: LibraryResults) -> None:
        if not self.all_books() or request != self._request:
            return
        current = self.current_book_hit()
        before = self.library_model.results
        moved = before is not None and before.hits[:1] != (current,)  # by the reader
        self._last_click = (-1, 0.0)
        self.library_model.set_results(results)
        hits = [r for r in range(self.library_model.rowCount()) if self._is_hit(r)]
        kept = [r for r in hits if moved and self.library_model.book_hit(r) == current]
        rows = kept or hits  # a hit the reader moved to stays under the cursor (a book joined)
        if rows:
            row = rows[0]
            self.results_view.setCurrentIndex(self.library_model.index(row, 0))
        self._suggestion = results.suggestion
        self.status_label.setText(self._library_count_text(results))
        self.results_shown.emit(results.total)

    def _library_count_text(self, results: LibraryResults) -> str:
        searched = f"{results.books_searched} book{'s' if results.books_searched != 1 else ''}"
        if not results.total:
            return self._no_results(results.suggestion, f" in {searched}")
        books = len(results.book_totals)
        noun = "result" if results.total == 1 else "results"
        text = f"{results.total} {noun} in {books} of {searched}"
        if results.partial:
            text = f"No section has every word. {results.total} partial {noun} in {books} books"
        if len(results.hits) < results.total:
            text += f"; the best {len(results.hits)} shown"
        return text

    # -- keys and opening ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            new_tab = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if watched is self.field and self._on_field_key(event.key(), new_tab):
                return True
            if watched is self.results_view and event.key() in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
            ):
                self._activate(self.results_view.currentIndex(), new_tab)
                return True
        elif event.type() == QEvent.Type.MouseButtonRelease and watched is self._viewport():
            assert isinstance(event, QMouseEvent)
            self._click_modifiers = event.modifiers()
            if event.button() == Qt.MouseButton.MiddleButton:
                self._activate(self.results_view.indexAt(event.position().toPoint()), True)
        return super().eventFilter(watched, event)

    def _viewport(self) -> QWidget | None:
        return self.results_view.viewport() if hasattr(self, "results_view") else None

    def _on_field_key(self, key: int, new_tab: bool = False) -> bool:
        moves = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: PAGE_STEP,
            Qt.Key.Key_PageUp: -PAGE_STEP,
        }
        if key in moves:
            self._move(moves[Qt.Key(key)])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._throttle.isActive() and self._pending:
                self._search_now()  # Enter right after typing: do not open a stale hit
            current = self.results_view.currentIndex()
            self._activate(current if current.isValid() else self._first_hit(), new_tab)
            return True
        if key == Qt.Key.Key_Escape:
            if self.field.text():
                self.field.clear()
            else:
                self.close_requested.emit()
            return True
        return False

    def _first_hit(self) -> QModelIndex:
        model = self.results_view.model()
        for row in range(model.rowCount()):
            if self._is_hit(row):
                return model.index(row, 0)
        return QModelIndex()

    def _is_hit(self, row: int) -> bool:
        if self.all_books():
            return self.library_model.book_hit(row) is not None
        return self.model.hit(row) is not None

    def _move(self, step: int) -> None:
        model = self.results_view.model()
        rows = model.rowCount()
        if not rows:
            return
        hits = [r for r in range(rows) if self._is_hit(r)]  # header rows are passed over
        if not hits:
            return
        row = self.results_view.currentIndex().row()
        if row < 0:
            row = hits[0]
        else:
            at = min(range(len(hits)), key=lambda i: abs(hits[i] - row))
            row = hits[min(max(at + step, 0), len(hits) - 1)]
        index = model.index(row, 0)
        self.results_view.setCurrentIndex(index)
        self.results_view.scrollTo(index)

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        now = time.monotonic()
        last_row, last_time = self._last_click
        self._last_click = (index.row(), now)
        if index.row() == last_row and now - last_time < QApplication.doubleClickInterval() / 1000:
            return  # the second click of a double click: opened already
        new_tab = bool(self._click_modifiers & Qt.KeyboardModifier.ControlModifier)
        self._activate(index, new_tab)

    def _activate(self, index: QModelIndex, new_tab: bool = False) -> None:
        if not index.isValid():
            return
        if self.all_books():
            found = self.library_model.book_hit(index.row())
            if found is not None:
                self.library_hit_activated.emit(found, new_tab)
            return
        hit = self.model.hit(index.row())
        if hit is not None and new_tab:
            self.hit_in_new_tab.emit(hit)
        elif hit is not None:
            self.hit_activated.emit(hit)
