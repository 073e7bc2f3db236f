"""Rendered chapters for the window: the renderer made on first use, the last few kept.

Going back and forth between chapters re-renders nothing; a new theme or another book
clears the cache (and the renderer, which is made for one book in one theme). A kept page whose
chapter file changed on disk since it was read is rendered again (its file's stamp is checked
each time it is asked for: one ``stat``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

from handbook.core.book.live import Stamp, stamp
from handbook.core.book.model import Book, RenderedChapter
from handbook.core.render.theme import LIGHT, PageTheme

RenderChapter = Callable[[str], RenderedChapter]
RendererFactory = Callable[[Book], RenderChapter]
CHAPTER_CACHE_SIZE = 12  # rendered chapters kept: going back and forth re-renders nothing


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
        self.generation = 0  # one more at each clear: a page rendered before is not kept

    def set_book(self, book: Book) -> None:
        self._book = book
        self.clear()

    def clear(self) -> None:
        """Forget the renderer and every rendered chapter (a new theme, another book)."""
        self._renderer = None
        self._kept.clear()
        self._stamps.clear()
        self.generation += 1

    def set_book_layout(self, book: Book) -> None:
        """The same book with a new layout: the renderer is made anew, the pages kept."""
        self._book = book
        self._renderer = None

    def forget(self, paths: Iterable[str]) -> None:
        """Drop these chapters' pages (their files changed)."""
        for path in paths:
            self._kept.pop(path, None)
            self._stamps.pop(path, None)

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
        return rendered

    def _stamp(self, path: str) -> Stamp:
        return stamp(self._book.src / path)

    def keep(
        self, rendered: RenderedChapter, generation: int | None = None, source: Stamp = None
    ) -> None:
        """Keep ``rendered`` (unless the cache was cleared since ``generation``); ``source``:
        its file's stamp when it was read (else now)."""
        if generation is not None and generation != self.generation:
            return
        self._kept[rendered.path] = rendered
        self._stamps[rendered.path] = source or self._stamp(rendered.path)
        self._kept.move_to_end(rendered.path)
        while len(self._kept) > CHAPTER_CACHE_SIZE:
            dropped, _ = self._kept.popitem(last=False)
            self._stamps.pop(dropped, None)

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
