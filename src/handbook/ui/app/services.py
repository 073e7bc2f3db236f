"""What the window needs from the world: settings, themes, bookmarks, places, the cache folder.

The application opens them once (:func:`open_services`) and passes them to the window; tests
open their own over files in ``tmp_path``. Nothing here is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.reading.places import PlaceStore
from handbook.ui.app.settings import Settings, open_settings
from handbook.ui.app.themes import ThemeManager
from handbook.ui.bookmarks.controller import BookmarkController


@dataclass(frozen=True)
class Services:
    settings: Settings
    themes: ThemeManager
    bookmarks: BookmarkController
    cache_dir: Path | None  # the search index cache; None: indexes are not kept
    places: PlaceStore  # each book's last place and chapters read
    data_dir: Path | None = None  # the library's folder; None: the user's (handbook.paths)

    def close(self) -> None:
        """Write what is pending: the bookmarks' daily backup, the settings file."""
        self.bookmarks.store.close()
        self.places.close()
        self.settings.sync()


def open_services(
    app: QGuiApplication,
    *,
    settings_path: Path | None = None,
    settings: Settings | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> Services:
    """Open settings (unless given, already open), themes and bookmarks; folders not given
    are the user's (handbook.paths)."""
    from handbook import paths

    if settings is None:
        settings = open_settings(settings_path)
    data_dir = data_dir or paths.data_dir()
    store = BookmarkStore.open(data_dir)
    return Services(
        settings=settings,
        themes=ThemeManager(app, settings),
        bookmarks=BookmarkController(store),
        cache_dir=cache_dir or paths.cache_dir(),
        places=PlaceStore.open(data_dir),
        data_dir=data_dir,
    )
