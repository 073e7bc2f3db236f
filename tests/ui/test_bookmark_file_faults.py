"""The bookmark file deleted, replaced or unusable while the window runs or at its start."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from handbook.cli import main
from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.paths import data_dir
from handbook.ui.app.services import Services, open_services
from handbook.ui.app.settings import MAX_SETTINGS_BYTES, settings_path
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

SUMMARY = "# Summary\n\n- [Basics](basics.md)\n- [Meditation](meditation.md)\n"
CHAPTERS = {
    "basics.md": "# Basics\n\nFirst words.\n\n## Second steps\n\nMore words.\n",
    "meditation.md": "# Meditation\n\nSit.\n\n## Breathing\n\nBreathing calms.\n",
}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


@pytest.fixture
def services(tmp_path: Path, qapp: QApplication) -> Iterator[list[Services]]:
    palette = qapp.palette()
    opened: list[Services] = []
    yield opened
    for one in opened:
        one.close()
        one.themes.deleteLater()
        one.bookmarks.deleteLater()
    qapp.styleHints().unsetColorScheme()
    qapp.setPalette(palette)


def _start(qtbot: QtBot, qapp: QApplication, book: Book, opened: list[Services]) -> MainWindow:
    """What a start of the app does: the user's folders (redirected into tmp_path)."""
    services = open_services(qapp, settings_path=settings_path())
    opened.append(services)
    window = MainWindow(book, services=services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.show_start_messages()
    return window


def _bookmark_with_ctrl_d(qtbot: QtBot, window: MainWindow, section: str) -> None:
    window.open_section(section)
    assert window.action_set.add_bookmark.shortcut().toString() == "Ctrl+D"
    window.action_set.add_bookmark.trigger()


def _delete_store() -> None:
    for name in ("bookmarks.sqlite", "bookmarks.sqlite-wal", "bookmarks.sqlite-shm"):
        (data_dir() / name).unlink(missing_ok=True)


def test_a_store_deleted_while_the_window_runs_loses_nothing(
    qtbot: QtBot,
    qapp: QApplication,
    book: Book,
    services: list[Services],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's repro: two bookmarks, the file deleted, Ctrl+D twice, quit, start again."""
    window = _start(qtbot, qapp, book, services)
    _bookmark_with_ctrl_d(qtbot, window, "basics.md")
    _bookmark_with_ctrl_d(qtbot, window, "basics.md#second-steps")
    assert len(window.bookmarks.bookmarks()) == 2, window.statusBar().currentMessage()
    window.close()
    services.pop().close()

    window = _start(qtbot, qapp, book, services)
    _delete_store()
    _bookmark_with_ctrl_d(qtbot, window, "meditation.md")
    assert "was deleted while handbook was running" in window._dialog.text()
    assert "your 2 bookmarks" in window._dialog.text()
    _bookmark_with_ctrl_d(qtbot, window, "meditation.md#breathing")
    assert window.statusBar().currentMessage() == "Bookmarked"
    window.close()
    services.pop().close()

    window = _start(qtbot, qapp, book, services)  # the next start
    assert len(window.bookmarks.bookmarks()) == 4
    window.close()
    services.pop().close()
    capsys.readouterr()
    assert main(["bookmarks"]) == 0
    listed = capsys.readouterr().out
    for title in ("Basics", "Second steps", "Meditation", "Breathing"):
        assert f"  {title}  (" in listed


def _meta_only(path: Path) -> None:
    """What a copy of a search cache looks like to the store: a meta table, no revision."""
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value); "
        "INSERT INTO meta VALUES ('schema', '3'); PRAGMA user_version = 1;"
    )
    connection.close()


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.symlink_to(p.name), "is a symbolic link that loops"),
        (lambda p: p.symlink_to("/dev/null"), "is a symbolic link to /dev/null"),
        (_meta_only, "is not a handbook bookmark database"),
    ],
    ids=["symlink-loop", "dev-null", "search-cache-like"],
)
def test_a_store_not_ours_still_opens_the_window_and_says_why(
    qtbot: QtBot,
    qapp: QApplication,
    book: Book,
    services: list[Services],
    make: Callable[[Path], None],
    said: str,
) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    make(folder / "bookmarks.sqlite")
    window = _start(qtbot, qapp, book, services)
    window.open_section("basics.md")
    assert "First words." in window.viewer.toPlainText()
    if window.bookmarks.enabled:  # set aside: a new, empty list, and the reader told
        assert said in window._dialog.text()
        assert window.bookmarks.bookmarks() == []
    else:
        assert said in (window.bookmarks.disabled_reason or "")
        assert said in window.action_set.add_bookmark.toolTip()


def test_a_settings_file_set_aside_is_told_in_the_window(
    qtbot: QtBot, qapp: QApplication, book: Book, services: list[Services]
) -> None:
    ini = settings_path()
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_bytes(b"\xff" * (MAX_SETTINGS_BYTES + 1))
    window = _start(qtbot, qapp, book, services)
    assert f"Your settings file {ini} was too large" in window._dialog.text()
    assert "the default settings are used" in window.statusBar().currentMessage()


def test_a_backup_that_cannot_be_written_is_shown_in_the_window(
    qtbot: QtBot,
    qapp: QApplication,
    book: Book,
    services: list[Services],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from handbook.core.bookmarks import backups as backups_module
    from handbook.core.bookmarks.reanchor import draft_for
    from handbook.core.bookmarks.store import BookmarkStore

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups_module.os, "fsync", no_space)
    with BookmarkStore.open(data_dir()) as store:  # its backup at close fails: logged
        store.add(draft_for(book, "basics.md"))
    window = _start(qtbot, qapp, book, services)  # and again at start: shown
    text = window._dialog.text()
    assert "The bookmarks' backup could not be written in " in text
    assert "No space left on device." in text
