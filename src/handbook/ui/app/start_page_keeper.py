"""The page on screen kept for the next start's first frame (ui/app/start_page.py reads it):
a :class:`StartPageKeeper`, given the cache folder, the settings and the themes, writes the
active tab's page with each save of its place and at close. Imported once the window is built,
not before the frame.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from handbook.ui.app import start_page

if TYPE_CHECKING:
    from handbook.ui.app.settings import Settings
    from handbook.ui.app.themes import ThemeManager
    from handbook.ui.reader.tab import Reader

__all__ = ["StartPageKeeper"]


class StartPageKeeper:
    """Writes a reader's page for the next start; its chapter's file is read and hashed once
    for a page, not at each save."""

    def __init__(self, cache_dir: Path | None, settings: Settings, themes: ThemeManager) -> None:
        self._cache_dir = cache_dir
        self._settings = settings
        self._themes = themes
        self._html: str | None = None  # the page last kept...
        self._sha: dict[str, str] = {}  # ...and its chapter file's SHA-256

    def keep(self, reader: Reader) -> None:
        """``reader``'s page, for the next start's first frame (nothing while it is being
        rendered, nor for a chapter whose file is outside its book)."""
        from handbook.core.render.theme import DARK
        from handbook.ui.app.settings import BOOK_FONT_FAMILY, BOOK_FONT_SIZE, BOOK_ZOOM, THEME

        viewer = reader.viewer
        chapter, html = viewer.current_chapter(), viewer.page_html()
        cache_dir = self._cache_dir
        if chapter is None or html is None or cache_dir is None or reader.rendering():
            return
        book = reader.book()
        source = str(book.src / chapter)
        src = os.path.realpath(book.src)
        if os.path.commonpath([os.path.realpath(source), src]) != src:
            return  # a chapter leaving the book (a symlink out): its file is not read
        sha = self._sha.get(source) if self._html == html else None
        if sha is None:  # the chapter's file read and hashed once for a page, not at each save
            sha = start_page.source_sha256(source)
            self._html, self._sha = html, {}
            if sha is not None:
                self._sha[source] = sha
        if sha is None:
            return
        identity = book.identity
        settings = self._settings
        page = start_page.StartPage(
            book=str(book.location()),
            identity=identity,
            chapter=chapter,
            source=source,
            source_sha256=sha,
            theme=settings.get(THEME),
            dark=self._themes.page_theme() is DARK,
            zoom=settings.get(BOOK_ZOOM, book=identity),
            family=settings.get(BOOK_FONT_FAMILY, book=identity),
            size=settings.get(BOOK_FONT_SIZE, book=identity),
            font=reader.zoom.page_font().toString(),
            margin=viewer.document().documentMargin(),
            column=viewer.column() or 0,
            position=viewer.top_position(),
            html=html,
        )
        start_page.write(cache_dir, page)
