"""The one typed settings schema: every key with its type, default and valid values.

``QSettings`` returns whatever the file holds (strings from an INI file, garbage after a bad
edit), so every read goes through the key's validator and falls back to the default. Writes go
through ``QSettings.sync()``, which saves through ``QSaveFile`` (a temporary file renamed over the
old one): a crash leaves the old or the new file, never a broken one (tests/ui/test_settings.py).

Nothing here is created at import time: the application opens one ``Settings`` with
:func:`open_settings` and passes it to whoever needs it.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

T = TypeVar("T")

SETTINGS_FILE = "handbook.ini"
THEME_CHOICES = ("light", "dark", "system")
ZOOM_MIN, ZOOM_MAX = 30, 400  # percent of the page font size
FONT_SIZE_MIN, FONT_SIZE_MAX = 6.0, 48.0  # points; 0 means "the application's font size"
RECENT_MAX = 10
SCROLL_MAX = 100_000_000
PATH_MAX = 4096
MAX_SETTINGS_BYTES = 2 * 1024 * 1024  # thousands of books' zoom and font fit in a few hundred KB
DEFAULT_WINDOW_SIZE = (1100, 750)
_MIN_VISIBLE = 48  # pixels of a restored window that must lie on some screen


# -- validators: raw value from QSettings -> typed value, or ValueError / TypeError ---------


def _as_int(lo: int, hi: int) -> Callable[[object], int]:
    def check(raw: object) -> int:
        if isinstance(raw, bool):
            raise TypeError("a boolean is not a number")
        if isinstance(raw, float):
            if not math.isfinite(raw) or raw != int(raw):
                raise ValueError(f"not a whole number: {raw!r}")
            value = int(raw)
        elif isinstance(raw, (int, str)):
            value = int(raw)
        else:
            raise TypeError(f"not a number: {raw!r}")
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value

    return check


def _as_float(lo: float, hi: float, also: tuple[float, ...] = ()) -> Callable[[object], float]:
    def check(raw: object) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise TypeError(f"not a number: {raw!r}")
        value = float(raw)
        if not math.isfinite(value) or not (lo <= value <= hi or value in also):
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value

    return check


def _as_text(max_len: int = PATH_MAX) -> Callable[[object], str]:
    def check(raw: object) -> str:
        if not isinstance(raw, str):
            raise TypeError(f"not text: {raw!r}")
        if len(raw) > max_len or "\x00" in raw:
            raise ValueError("text too long or holding a NUL")
        return raw

    return check


def _as_choice(choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(raw: object) -> str:
        if raw not in choices:
            raise ValueError(f"{raw!r} is not one of {choices}")
        return str(raw)

    return check


def _as_bool(raw: object) -> bool:
    """INI files hold ``true`` / ``false`` as text; a real bool from other back ends."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ValueError(f"not true or false: {raw!r}")


def _as_bytes(raw: object) -> QByteArray:
    if not isinstance(raw, (QByteArray, bytes)):
        raise TypeError(f"not bytes: {type(raw).__name__}")
    data = QByteArray(raw)
    if data.size() > 64 * 1024:
        raise ValueError("implausibly large")
    return data


def _as_paths(raw: object) -> tuple[str, ...]:
    """A JSON list of paths (not a QStringList: INI turns a one-item list into plain text)."""
    if not isinstance(raw, str):
        raise TypeError("not a JSON list")
    import json  # here, not at the top: not needed before the window shows

    items = json.loads(raw)
    if not isinstance(items, list):
        raise ValueError("not a JSON list")
    check = _as_text()
    paths: list[str] = []
    for item in items:
        try:
            path = check(item)
        except (TypeError, ValueError):
            continue  # drop one bad entry, keep the rest
        if path and path not in paths:
            paths.append(path)
    return tuple(paths[:RECENT_MAX])


def _as_path(raw: object) -> str:
    """A path stored as text (see handbook.core.storage.pathtext: a folder name not in UTF-8)."""
    from handbook.core.storage.pathtext import path_from_text

    return path_from_text(_as_text()(raw))


def _path_to_raw(path: str) -> str:
    from handbook.core.storage.pathtext import path_to_text

    return path_to_text(path)


def _paths_to_raw(paths: tuple[str, ...]) -> str:
    import json

    return json.dumps(list(paths))


class Setting(Generic[T]):
    """One key of the settings file. ``key`` may hold ``{book}``: a per-book setting.

    A plain class, not a frozen dataclass: this module is imported before start-up's first
    frame, and creating a dataclass (and importing :mod:`dataclasses`) costs a millisecond or
    two there. Treat it as read-only."""

    __slots__ = ("default", "help", "key", "to_raw", "type", "validate")

    def __init__(
        self,
        key: str,
        type: type,
        default: T,
        validate: Callable[[object], T],  # raises ValueError / TypeError on a bad value
        help: str,
        to_raw: Callable[[T], object] | None = None,  # how it is stored, when not as is
    ) -> None:
        self.key = key
        self.type = type
        self.default = default
        self.validate = validate
        self.help = help
        self.to_raw = to_raw

    def __repr__(self) -> str:
        return f"Setting({self.key!r}, default={self.default!r})"

    @property
    def per_book(self) -> bool:
        return "{book}" in self.key


# -- the schema: every key the program stores ------------------------------------------------

WINDOW_GEOMETRY = Setting(
    "window/geometry", QByteArray, QByteArray(), _as_bytes, "QWidget.saveGeometry()"
)
WINDOW_STATE = Setting(
    "window/state", QByteArray, QByteArray(), _as_bytes, "QMainWindow.saveState(): the docks"
)
THEME = Setting("view/theme", str, "system", _as_choice(THEME_CHOICES), "light, dark or system")
FOLLOW_DISK = Setting(
    "view/follow_disk", bool, True, _as_bool, "show what is on disk as the book's files change"
)
WIDE_PAGE = Setting(
    "view/wide_page", bool, False, _as_bool, "page text fills the window (else a column)"
)
LAST_BOOK = Setting(
    "session/book",
    str,
    "",
    _as_path,
    "the book open at exit (its folder; not UTF-8: a file:// URI of its bytes)",
    _path_to_raw,
)
LAST_SECTION = Setting(
    "session/section", str, "", _as_text(), "section id shown at exit (chapter#anchor)"
)
LAST_SCROLL = Setting(
    "session/scroll", int, 0, _as_int(0, SCROLL_MAX), "page scroll position at exit (pixels)"
)
RECENT_BOOKS: Setting[tuple[str, ...]] = Setting(
    "session/recent",
    tuple,
    (),
    _as_paths,
    f"recently opened books, newest first, at most {RECENT_MAX}",
    _paths_to_raw,
)
SEARCH_SCOPES = ("book", "all")
SEARCH_SCOPE = Setting(
    "search/scope",
    str,
    "book",
    _as_choice(SEARCH_SCOPES),
    "what the search panel searches: book (the open one) or all (the library's books)",
)
BOOK_ZOOM = Setting(
    "books/{book}/zoom", int, 100, _as_int(ZOOM_MIN, ZOOM_MAX), "page zoom in percent"
)
BOOK_FONT_FAMILY = Setting(
    "books/{book}/font_family", str, "", _as_text(200), "page font family; empty: default"
)
BOOK_FONT_SIZE = Setting(
    "books/{book}/font_size",
    float,
    0.0,
    _as_float(FONT_SIZE_MIN, FONT_SIZE_MAX, also=(0.0,)),
    "page font size in points; 0: default",
)

SCHEMA: tuple[Setting[Any], ...] = (
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    THEME,
    FOLLOW_DISK,
    WIDE_PAGE,
    LAST_BOOK,
    LAST_SECTION,
    LAST_SCROLL,
    RECENT_BOOKS,
    SEARCH_SCOPE,
    BOOK_ZOOM,
    BOOK_FONT_FAMILY,
    BOOK_FONT_SIZE,
)


def book_key(identity: str) -> str:
    """A settings group name for a book: its identity may hold ``/`` or ``\\``, a hash cannot."""
    return sha256_hex(identity.encode("utf-8", "surrogatepass"))[:16]


def sha256_hex(data: bytes) -> str:
    """SHA-256 without ``hashlib``, whose OpenSSL costs 2-3 ms to load before the first frame
    (start-up reads a book's settings and checks its kept page then)."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:  # pragma: no cover
            from hashlib import sha256
    digest: str = sha256(data).hexdigest()
    return digest


class Settings:
    """Typed, validated access to a ``QSettings`` (passed in: tests give each its own file).

    ``problem``: what was wrong with the settings file at start, for the reader (or None).
    """

    def __init__(self, store: QSettings, problem: str | None = None) -> None:
        self._store = store
        self.problem = problem

    @property
    def store(self) -> QSettings:
        return self._store

    def _key(self, setting: Setting[T], book: str | None) -> str:
        if setting.per_book:
            if book is None:
                raise ValueError(f"{setting.key} is a per-book setting: pass book=")
            return setting.key.format(book=book_key(book))
        if book is not None:
            raise ValueError(f"{setting.key} is not a per-book setting")
        return setting.key

    def get(self, setting: Setting[T], book: str | None = None) -> T:
        """The stored value, or the default when it is missing or not valid."""
        key = self._key(setting, book)
        try:
            raw = self._store.value(key)
        except Exception:  # a value Qt cannot turn into Python (a foreign @Variant)
            return setting.default
        if raw is None:
            return setting.default
        try:
            return setting.validate(raw)
        except (TypeError, ValueError, OverflowError):
            return setting.default

    def set(self, setting: Setting[T], value: T, book: str | None = None) -> None:
        """Store ``value``; a value the schema refuses is a programming error (ValueError)."""
        key = self._key(setting, book)
        raw: object = setting.to_raw(value) if setting.to_raw else value
        try:
            checked = setting.validate(raw)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"bad value for {setting.key}: {value!r} ({exc})") from exc
        self._store.setValue(key, setting.to_raw(checked) if setting.to_raw else checked)

    def reset(self, setting: Setting[T], book: str | None = None) -> None:
        self._store.remove(self._key(setting, book))

    def sync(self) -> bool:
        """Write to disk now; False when the file could not be written."""
        self._store.sync()
        return self._store.status() == QSettings.Status.NoError

    # -- helpers for values only the caller can judge ----------------------------------------

    def add_recent_book(self, path: str) -> tuple[str, ...]:
        recent = (path, *(p for p in self.get(RECENT_BOOKS) if p != path))[:RECENT_MAX]
        self.set(RECENT_BOOKS, recent)
        return recent

    def last_section(self, exists: Callable[[str], bool]) -> str:
        """The last section id if ``exists(section_id)`` still says yes, else ``""``.

        The window passes a check against the open book, e.g.
        ``lambda sid: book.chapter(split_section_id(sid)[0]) is not None``.
        """
        section = self.get(LAST_SECTION)
        try:
            return section if section and exists(section) else ""
        except Exception:
            return ""

    def existing_recent_books(self) -> tuple[str, ...]:
        return tuple(p for p in self.get(RECENT_BOOKS) if Path(p).exists())


def section_exists_in(book_chapter: Callable[[str], object]) -> Callable[[str], bool]:
    """A check for :meth:`Settings.last_section` from ``Book.chapter``: the chapter must exist."""

    def exists(section: str) -> bool:
        return book_chapter(section.partition("#")[0]) is not None

    return exists


# -- the settings file -------------------------------------------------------------------------


def settings_path(folder: Path | None = None) -> Path:
    if folder is None:
        from handbook.paths import config_dir

        folder = config_dir()
    return folder / SETTINGS_FILE


def remove_orphan_temp_files(path: Path, older_than: float = 60.0) -> list[Path]:
    """Delete temporary files a killed save left beside ``path`` (QSaveFile: ``name.XXXXXX``).

    Only files older than ``older_than`` seconds go, so another instance's save in progress
    is left alone.
    """
    removed: list[Path] = []
    now = time.time()
    for candidate in path.parent.glob(path.name + ".*"):
        suffix = candidate.name[len(path.name) + 1 :]
        if len(suffix) != 6 or not suffix.isalnum():
            continue
        try:
            if now - candidate.stat().st_mtime > older_than:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def open_settings(path: Path | None = None) -> Settings:
    """The application's settings (an INI file in the user's config folder).

    Only a regular file of a sane size is read. A FIFO, a folder, a device or a symlink loop
    is left as it is and the defaults are used (kept in a scratch file for this session); a
    file too large or unreadable is set aside once and replaced by the defaults. Either way
    :attr:`Settings.problem` says so.
    """
    path = path or settings_path()
    # When the folder cannot be made, QSettings reports AccessError on sync; reads give defaults.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_temp_files(path)
    where, problem = _usable_file(path)
    store = QSettings(str(where), QSettings.Format.IniFormat)
    store.setFallbacksEnabled(False)
    settings = Settings(store, problem)
    if where != path:
        import shutil
        import weakref

        weakref.finalize(settings, shutil.rmtree, where.parent, True)
    return settings


def _usable_file(path: Path) -> tuple[Path, str | None]:
    """Where to keep the settings this session, and what to tell the reader (or None)."""
    from handbook.core.storage.safefile import SpecialFile, TooLarge, check_readable

    try:
        check_readable(path, MAX_SETTINGS_BYTES)  # opened without blocking, never read here
        return path, None
    except SpecialFile as exc:
        return _scratch_file(), (
            f"Your settings file {exc}: it was left as it is, and the default settings are "
            "used (and not saved)."
        )
    except TooLarge as exc:
        why = f"was too large ({exc.size / (1024 * 1024):.1f} MB; a settings file is at most "
        why += f"{MAX_SETTINGS_BYTES // (1024 * 1024)} MB)"
        label = "too-large"
    except OSError as exc:
        why = f"could not be read ({exc.strerror or exc})"
        label = "unreadable"
    from handbook.core.storage.sqlite import move_aside  # only now: it imports sqlite3

    try:
        aside = move_aside(path, label)
    except OSError:
        return _scratch_file(), (
            f"Your settings file {path} {why}; the default settings are used (and not saved)."
        )
    return path, (
        f"Your settings file {path} {why}: it was set aside as {aside.name}, and the default "
        "settings are used."
    )


def _scratch_file() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="handbook-settings-")) / SETTINGS_FILE


# -- the main window's geometry ----------------------------------------------------------------


def _on_some_screen(frame: QRect) -> bool:
    for screen in QGuiApplication.screens():
        visible = frame.intersected(screen.availableGeometry())
        if visible.width() >= _MIN_VISIBLE and visible.height() >= _MIN_VISIBLE:
            return True
    return False


def _default_geometry(window: QMainWindow) -> None:
    screen = QGuiApplication.primaryScreen()
    width, height = DEFAULT_WINDOW_SIZE
    if screen is None:
        window.resize(width, height)
        return
    area = screen.availableGeometry()
    # At most 90% of the free area: the title bar and frame come on top of this size (and on
    # Wayland the free area is the whole screen: panels are not subtracted).
    width = min(width, area.width() * 9 // 10)
    height = min(height, area.height() * 9 // 10)
    window.resize(width, height)
    window.move(area.center().x() - width // 2, area.center().y() - height // 2)


def restore_geometry(window: QMainWindow, settings: Settings) -> bool:
    """Restore the window's size and place; False (and a default size) when unusable."""
    geometry = settings.get(WINDOW_GEOMETRY)
    if geometry.isEmpty():
        _default_geometry(window)
        return False
    if window.restoreGeometry(geometry) and _on_some_screen(window.frameGeometry()):
        return True
    from PySide6.QtCore import Qt  # here: its enums take a while to create, at every start

    full = Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen
    window.setWindowState(window.windowState() & ~full)
    _default_geometry(window)
    return False


def restore_docks(window: QMainWindow, settings: Settings) -> bool:
    """Restore the dock and tool bar layout; False when there was none, or it was unusable."""
    state = settings.get(WINDOW_STATE)
    return not state.isEmpty() and window.restoreState(state)


def restore_window(window: QMainWindow, settings: Settings) -> bool:
    """Restore geometry and dock layout; False (and a default size) when either was unusable.

    Call once after the docks exist and before ``show()``. (Start-up shows the window before
    its docks exist: it calls :func:`restore_geometry`, then :func:`restore_docks` later.)
    """
    geometry_ok = restore_geometry(window, settings)
    return restore_docks(window, settings) and geometry_ok


def save_window(window: QMainWindow, settings: Settings) -> None:
    """Store geometry and dock layout; call from ``closeEvent`` (then ``settings.sync()``)."""
    settings.set(WINDOW_GEOMETRY, window.saveGeometry())
    settings.set(WINDOW_STATE, window.saveState())
