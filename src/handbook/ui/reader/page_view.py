"""The chapter on the page: shown at once when cached or small, else behind a placeholder page
while it renders off the UI thread (:mod:`handbook.ui.reader.background_render`). Once a page
is shown and the reader reads, the chapters after and before it are rendered ahead off the UI
thread into the cache, so that Next, Previous or a click on a neighbouring row renders nothing.
Once the book's search index is built too (``book_indexed``), the rest of the book follows on
the same thread, nearest chapters first, one at a time with a pause before each, stopped by
each page shown and taken up again once it is read, until the cache's bound
(:mod:`handbook.ui.reader.chapter_cache`): then a click on any row renders nothing either.

The window decides which section to show (its history, its title, the contents tree); this
puts the chapter's page in the viewer. A chapter rendered in the background comes back through
``background_shown``, which ``MainWindow._connect_signals`` connects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from handbook.core.book.live import Stamp, stamp
from handbook.core.book.model import Book, RenderedChapter
from handbook.core.reading.place import Place
from handbook.ui.reader.background_render import (
    BackgroundRender,
    RenderAhead,
    placeholder_html,
    renders_in_background,
    size_text,
    source_bytes,
)
from handbook.ui.reader.chapter_cache import ChapterCache, RendererFactory
from handbook.ui.reader.viewer import Viewer
from handbook.ui.window.panels import PAGE_MARGIN

ShowStatus = Callable[[str, int], None]  # (message, timeout in ms; 0: until replaced)
AHEAD_AFTER_MS = 250  # a page shown this long (painted, being read): its neighbours rendered
AHEAD_PAUSE = 0.01  # seconds the render-ahead thread waits before each chapter: the UI's time


class PageView(QObject):
    background_shown = Signal(object)  # RenderedChapter: a big chapter, shown when rendered
    chapter_shown = Signal(object)  # RenderedChapter: any page put in the viewer
    place_missing = Signal(object)  # Place: its text is gone from the chapter shown

    def __init__(
        self,
        book: Book,
        viewer: Viewer,
        make_renderer: RendererFactory,
        show_status: ShowStatus,
        parent: QObject | None = None,
        chapters: ChapterCache | None = None,
    ) -> None:
        """``chapters``: the book's rendered chapters, shared with other pages on it (else
        this page's own)."""
        super().__init__(parent)
        self._book = book
        self._viewer = viewer
        self._show_status = show_status
        self._chapters = chapters or ChapterCache(book, make_renderer)
        self.background = BackgroundRender(self)  # big chapters, off the UI thread
        self._pending_place: tuple[Place | None, int] = (None, 0)
        self._pending_stamp: Stamp = None  # the file being rendered, as it was read
        self._indexed = False  # the book's search index is built: the rest of it rendered ahead
        self.background.finished.connect(self._on_background_rendered)
        self.ahead = RenderAhead(self)  # the chapters likely opened next, off the UI thread
        self._ahead_timer = QTimer(self)
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.setInterval(AHEAD_AFTER_MS)
        self._ahead_timer.timeout.connect(self._render_ahead)
        self.ahead.rendered.connect(self._on_rendered_ahead)

    def set_book(self, book: Book, chapters: ChapterCache | None = None) -> None:
        """Show ``book`` from now on; ``chapters``: its rendered chapters, shared with other
        pages on it (else this page's cache starts anew)."""
        self._book = book
        self._indexed = False
        self.background.cancel()
        self._stop_ahead()
        if chapters is not None:
            self._chapters = chapters
        else:
            self._chapters.set_book(book)

    def set_book_layout(self, book: Book) -> None:
        """The same book with a new layout (its SUMMARY.md changed): the page stays."""
        self._book = book
        self._stop_ahead()
        self._chapters.set_book_layout(book)

    def forget(self, paths: frozenset[str]) -> None:
        """These chapters changed on disk: render them again when next shown."""
        self._chapters.forget(paths)

    def refresh(self) -> RenderedChapter | None:
        """Render the chapter shown again from disk, at the same text. The old page stays on
        screen until the new one replaces it (no placeholder, no blank page); a big chapter
        comes back through ``background_shown`` (None here then)."""
        path = self._viewer.current_chapter()
        if path is None:
            return None
        self._chapters.forget([path])
        if path == self.background.pending():  # still rendering: start again, same place
            self._start_background(path, self._pending_place[0])
            return None
        place = self._viewer.place()  # the same text at the top of the new page
        if renders_in_background(self._book, path):
            self._start_background(path, place)
            return None
        rendered = self._chapters.render(path)
        self._show_rendered(rendered, place)
        return rendered

    def rendering(self) -> str | None:
        """The chapter being rendered off the UI thread (a placeholder shown meanwhile)."""
        return self.background.pending()

    def move_pending(self, place: Place | None) -> None:
        """Where to show the chapter being rendered, once it is."""
        self._pending_place = (place, self._pending_place[1])

    def display(self, path: str, place: Place | None) -> RenderedChapter | None:
        """Show chapter ``path``: at once when cached or small; else a placeholder page while
        it renders off the UI thread (None then: ``background_shown`` follows)."""
        self.background.cancel()
        self.ahead.cancel()  # the reader's page first: taken up again once it is read
        rendered = self._chapters.cached(path)
        if rendered is None and renders_in_background(self._book, path):
            self._render_in_background(path, place)
            return None
        rendered = rendered or self._chapters.render(path)
        self._show_rendered(rendered, place)
        return rendered

    def reshow(self) -> None:
        """Render the chapter shown again (a new theme), with the same text at the top."""
        path = self._viewer.current_chapter()
        self.clear()
        if path is None:
            return
        place: Place | None = self._viewer.place()
        if path == self.background.pending():  # the placeholder: where the page will be
            place = self._pending_place[0]
        self.display(path, place)

    def clear(self) -> None:
        """Forget rendered chapters (the next ones are rendered afresh, e.g. in a new theme)."""
        self._stop_ahead()
        self._chapters.clear()

    def holds(self, path: str) -> bool:
        """Whether a page of chapter ``path`` is kept, rendered (shown before, or ahead)."""
        return self._chapters.holds(path)

    # -- ahead of the reader ---------------------------------------------------------------

    def _stop_ahead(self) -> None:
        self._ahead_timer.stop()
        self.ahead.cancel()

    @Slot()
    def book_indexed(self) -> None:
        """The book's search index is built: once the page shown is read a moment, the rest
        of the book is rendered ahead too."""
        self._indexed = True
        if self._viewer.current_chapter() is not None and not self._ahead_timer.isActive():
            self._ahead_timer.start()

    @Slot()
    def _render_ahead(self) -> None:
        """The chapters after and before the one shown, unless kept already, big (rendered
        behind a placeholder when asked for) or being rendered for the reader; once the book
        is indexed, then every other chapter not kept, nearest first."""
        path = self._viewer.current_chapter()
        if path is None or self.background.pending() is not None:
            return
        paths = list(dict.fromkeys(c.path for c in self._book.chapters() if c.path))
        if path not in paths:
            return
        here = paths.index(path)
        chapters = self._chapters
        near = [
            p
            for p in (paths[i] for i in (here + 1, here - 1) if 0 <= i < len(paths))
            if not chapters.holds(p) and not renders_in_background(self._book, p)
        ]
        rest: list[str] = []
        if self._indexed:
            nearest = sorted(range(len(paths)), key=lambda i: abs(i - here))
            rest = [paths[i] for i in nearest if i != here and not chapters.holds(paths[i])]
            rest = [p for p in rest if p not in near]
        chapters.focus(paths, path)
        generation, src = chapters.generation, self._book.src

        def tag(p: str) -> tuple[int, Stamp]:
            return generation, stamp(src / p)  # stamped before it is read

        if near or rest:
            self.ahead.start(near + rest, chapters.new_renderer(), tag, AHEAD_PAUSE)

    @Slot(object, object)
    def _on_rendered_ahead(self, rendered: RenderedChapter, tag: object) -> None:
        generation, source = cast("tuple[int, Stamp]", tag)
        if self._chapters.holds(rendered.path):  # never over a page rendered meanwhile
            return
        if not self._chapters.keep_ahead(rendered, generation, source):
            self.ahead.cancel()  # the cache is full of nearer pages: no farther one fits

    def _render_in_background(self, path: str, place: Place | None) -> None:
        node = self._book.chapter(path)
        title = node.title if node is not None and node.title else path
        size = source_bytes(self._book, path)
        self._start_background(path, place)
        self._viewer.show_placeholder(path, placeholder_html(title, size))
        self._show_status(f"Rendering {title} ({size_text(size)})…", 0)

    def _start_background(self, path: str, place: Place | None) -> None:
        self._pending_place = (place, self._chapters.generation)
        self._pending_stamp = stamp(self._book.src / path)
        self.background.start(path, self._chapters.new_renderer())

    @Slot(object)
    def _on_background_rendered(self, rendered: RenderedChapter) -> None:
        wanted, generation = self._pending_place
        self._chapters.keep(rendered, generation, self._pending_stamp)
        if rendered.path != self._viewer.current_chapter():
            return  # another book or chapter is shown by now
        self._show_rendered(rendered, wanted)
        self.background_shown.emit(rendered)

    def _show_rendered(self, rendered: RenderedChapter, place: Place | None) -> None:
        self._ahead_timer.start()  # restarted by each page: its neighbours once it is read
        self._viewer.document().setDocumentMargin(PAGE_MARGIN)
        self._viewer.show_chapter(rendered)
        self._viewer.document().setDocumentMargin(PAGE_MARGIN)
        self._viewer.fit_column()
        found = self._viewer.go_to(place)  # once the margin is set: the layout is final
        self.chapter_shown.emit(rendered)
        if not found and place is not None:
            self.place_missing.emit(place)
