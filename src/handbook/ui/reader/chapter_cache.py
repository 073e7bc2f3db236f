"""Rendered chapters for the window: the renderer made on first use, pages kept up to a bound.

Going back and forth between chapters re-renders nothing; a new theme or another book
clears the cache (and the renderer, which is made for one book in one theme). A kept page whose
chapter file changed on disk since it was read is rendered again (its file's stamp is checked
each time it is asked for: one ``stat``).

The pages kept hold at most ``CACHE_HTML_CHARS`` characters of HTML in all (the Rust book's 111
chapters are 1.7 M). Past it, a page goes: first those rendered ahead and never shown, the
farthest from the chapter the reader is on first (``focus``), then the shown ones, least
recently shown first. A page rendered ahead that would itself be the one to go is not kept
(``keep_ahead`` says so: the pass rendering the book ahead stops there).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

from handbook.core.book.live import Stamp, stamp
from handbook.core.book.model import Book, RenderedChapter
from handbook.core.render.theme import LIGHT, PageTheme

RenderChapter = Callable[[str], RenderedChapter]
RendererFactory = Callable[[Book], RenderChapter]
CACHE_HTML_CHARS = 16 * 1024 * 1024  # the pages kept: ~9 times the Rust book's whole HTML
FAR = 1 << 30  # the distance of a chapter that is not in the book's order


def default_renderer(book: Book, theme: PageTheme = LIGHT) -> RenderChapter:
    # Imported here, not at the top: markdown, pygments and nh3 load after the window shows.
    if book.format == "mkdocs":
        from handbook.core.render.mkdocs import SiteRenderer

        return SiteRenderer(book, theme=theme).render
    from handbook.core.render.renderer import Renderer

    return Renderer(book, theme=theme).render


class ChapterCache:
    """Renders chapters of one book through ``make_renderer`` and keeps the last few."""

    def __init__(self, book: Book, make_renderer: RendererFactory) -> None:
        self._book = book
        self._make_renderer = make_renderer
        self._renderer: RenderChapter | None = None
        self._kept: OrderedDict[str, RenderedChapter] = OrderedDict()
        self._stamps: dict[str, Stamp] = {}  # each kept chapter's file as it was rendered
        self._unshown: set[str] = set()  # kept pages rendered ahead, never shown since
        self._chars = 0  # HTML characters of the pages kept
        self._distance: dict[str, int] = {}  # from the chapter the reader is on (``focus``)
        self.generation = 0  # one more at each clear: a page rendered before is not kept

    def set_book(self, book: Book) -> None:
        self._book = book
        self.clear()

    def clear(self) -> None:
        """Forget the renderer and every rendered chapter (a new theme, another book)."""
        self._renderer = None
        self._kept.clear()
        self._stamps.clear()
        self._unshown.clear()
        self._chars = 0
        self.generation += 1

    def set_book_layout(self, book: Book) -> None:
        """The same book with a new layout: the renderer is made anew, the pages kept."""
        self._book = book
        self._renderer = None

    def forget(self, paths: Iterable[str]) -> None:
        """Drop these chapters' pages (their files changed)."""
        for path in paths:
            self._drop(path)

    def _drop(self, path: str) -> None:
        dropped = self._kept.pop(path, None)
        if dropped is not None:
            self._chars -= len(dropped.html)
        self._stamps.pop(path, None)
        self._unshown.discard(path)

    def focus(self, order: list[str], here: str) -> None:
        """The reader is on ``here`` of the book's chapters in ``order``: the pages rendered
        ahead farthest from it go first."""
        at = order.index(here) if here in order else 0
        self._distance = {path: abs(i - at) for i, path in enumerate(order)}

    def html_chars(self) -> int:
        """HTML characters of the pages kept (at most ``CACHE_HTML_CHARS``, but for one page
        bigger than that alone)."""
        return self._chars

    def kept(self) -> list[str]:
        """The chapters whose pages are kept."""
        return list(self._kept)

    def new_renderer(self) -> RenderChapter:
        """A renderer of its own, for another thread (a renderer is not shared between them)."""
        return self._make_renderer(self._book)

    def holds(self, path: str) -> bool:
        """Whether a page of ``path`` is kept (whether its file changed since is not looked at)."""
        return path in self._kept

    def cached(self, path: str) -> RenderedChapter | None:
        """The kept page of ``path``, unless its file changed since (then it is dropped)."""
        rendered = self._kept.get(path)
        if rendered is not None and self._stamps.get(path) != self._stamp(path):
            self.forget([path])
            return None
        if rendered is not None:
            self._kept.move_to_end(path)
            self._unshown.discard(path)  # asked for: to be shown
        return rendered

    def _stamp(self, path: str) -> Stamp:
        return stamp(self._book.src / path)

    def keep(
        self, rendered: RenderedChapter, generation: int | None = None, source: Stamp = None
    ) -> None:
        """Keep ``rendered`` (unless the cache was cleared since ``generation``); ``source``:
        its file's stamp when it was read (else now)."""
        self._keep(rendered, generation, source, ahead=False)

    def keep_ahead(
        self, rendered: RenderedChapter, generation: int | None = None, source: Stamp = None
    ) -> bool:
        """Keep ``rendered``, rendered ahead of the reader, unless the cache was cleared since
        ``generation`` or the bound leaves no room for it: every page kept is nearer to the
        reader or shown more recently (False then: no farther page fits either)."""
        return self._keep(rendered, generation, source, ahead=True)

    def _keep(
        self, rendered: RenderedChapter, generation: int | None, source: Stamp, ahead: bool
    ) -> bool:
        if generation is not None and generation != self.generation:
            return True
        path = rendered.path
        self._drop(path)
        self._kept[path] = rendered
        self._chars += len(rendered.html)
        self._stamps[path] = source or self._stamp(path)
        if ahead:
            self._unshown.add(path)
        while self._chars > CACHE_HTML_CHARS and len(self._kept) > 1:
            victim = self._victim()
            self._drop(victim)
            if victim == path:
                return False
        return True

    def _victim(self) -> str:
        """The page to let go: the farthest of those never shown, else the least recently
        shown (the first in the order kept)."""
        if self._unshown:
            distance = self._distance
            return max(self._unshown, key=lambda p: distance.get(p, FAR))
        return next(iter(self._kept))

    def render(self, path: str) -> RenderedChapter:
        """Chapter ``path``, from the cache or rendered now (on the calling thread)."""
        rendered = self.cached(path)
        if rendered is None:
            if self._renderer is None:
                self._renderer = self._make_renderer(self._book)
            source = self._stamp(path)  # before reading: a save meanwhile is seen next time
            rendered = self._renderer(path)
            self.keep(rendered, source=source)
        return rendered
