"""Rendered chapters for the window: the renderer made on first use, the last few kept.

Going back and forth between chapters re-renders nothing; a new theme or another book
clears the cache (and the renderer, which is made for one book in one theme).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from handbook.core.model import Book, RenderedChapter
from handbook.core.theme import LIGHT, PageTheme

RenderChapter = Callable[[str], RenderedChapter]
RendererFactory = Callable[[Book], RenderChapter]
CHAPTER_CACHE_SIZE = 12  # rendered chapters kept: going back and forth re-renders nothing


def default_renderer(book: Book, theme: PageTheme = LIGHT) -> RenderChapter:
    # Imported here, not at the top: markdown, pygments and nh3 load after the window shows.
    if book.format == "mkdocs":
        from handbook.core.mkdocs_render import SiteRenderer

        return SiteRenderer(book, theme=theme).render
    from handbook.core.render import Renderer

    return Renderer(book, theme=theme).render


class ChapterCache:
    """Renders chapters of one book through ``make_renderer`` and keeps the last few."""

    def __init__(self, book: Book, make_renderer: RendererFactory) -> None:
        self._book = book
        self._make_renderer = make_renderer
        self._renderer: RenderChapter | None = None
        self._kept: OrderedDict[str, RenderedChapter] = OrderedDict()
        self.generation = 0  # one more at each clear: a page rendered before is not kept

    def set_book(self, book: Book) -> None:
        self._book = book
        self.clear()

    def clear(self) -> None:
        """Forget the renderer and every rendered chapter (a new theme, another book)."""
        self._renderer = None
        self._kept.clear()
        self.generation += 1

    def new_renderer(self) -> RenderChapter:
        """A renderer of its own, for another thread (a renderer is not shared between them)."""
        return self._make_renderer(self._book)

    def cached(self, path: str) -> RenderedChapter | None:
        rendered = self._kept.get(path)
        if rendered is not None:
            self._kept.move_to_end(path)
        return rendered

    def keep(self, rendered: RenderedChapter, generation: int | None = None) -> None:
        """Keep ``rendered`` (unless the cache was cleared since ``generation``)."""
        if generation is not None and generation != self.generation:
            return
        self._kept[rendered.path] = rendered
        self._kept.move_to_end(rendered.path)
        while len(self._kept) > CHAPTER_CACHE_SIZE:
            self._kept.popitem(last=False)

    def render(self, path: str) -> RenderedChapter:
        """Chapter ``path``, from the cache or rendered now (on the calling thread)."""
        rendered = self.cached(path)
        if rendered is None:
            if self._renderer is None:
                self._renderer = self._make_renderer(self._book)
            rendered = self._renderer(path)
            self.keep(rendered)
        return rendered
