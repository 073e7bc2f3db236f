"""The page at start: start-up's first frame shows the page read last, at the reader's place,
before the window is built; keys typed meanwhile reach the page once it is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.app import run as app_module
from handbook.ui.app import start_page
from handbook.ui.app.services import Services, open_services
from handbook.ui.app.settings import LAST_BOOK, THEME
from handbook.ui.app.start_page import KeyKeeper, StartPageView
from handbook.ui.window.main_window import MainWindow
from tests.conftest import REPO, child_env
from tests.helpers.page_top import (
    first_line_span,
    is_on_first_line,
    position_at_top,
    text_at_top,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

BOXES = "ch15-01-box.md#enabling-recursive-types-with-boxes"


@pytest.fixture
def book(rust_book: Path) -> Book:
    return load_book(rust_book)


def read_and_close(qtbot: QtBot, services: Services, book: Book) -> tuple[str, int]:
    """A first session: read into a section, close the window; the text left at the top, and
    its document position."""
    window = MainWindow(book, services=services)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.open_section(BOXES)
    window.viewer.set_scroll_position(window.viewer.scroll_position() + 300)
    seen = text_at_top(window.viewer), position_at_top(window.viewer)
    window.close()
    return seen


def frame(
    qtbot: QtBot, services: Services, book: Book, qapp: QApplication
) -> tuple[MainWindow, start_page.StartPage | None]:
    """Start-up's first step, as app.run_app takes it."""
    dark = services.settings.get(THEME) == "dark"
    page = app_module._start_page(services.settings, str(book.root), dark, services.cache_dir)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_opening(services.settings, "the book", page)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    return window, page


def test_the_first_frame_shows_the_page_read_last_at_the_place(
    qtbot: QtBot, make_services: Callable[[], Services], book: Book, qapp: QApplication
) -> None:
    seen, at = read_and_close(qtbot, make_services(), book)
    services = make_services()
    assert services.settings.get(LAST_BOOK) == str(book.root)
    cache = services.cache_dir
    window, page = frame(qtbot, services, book, qapp)
    assert page is not None
    shown = window.centralWidget()
    assert isinstance(shown, StartPageView)  # the reader's page, not "Opening the book..."
    assert is_on_first_line(shown, at)  # the reader's place at the top (wrapped as it fits)
    assert "Enabling Recursive Types with Boxes" in shown.toPlainText()

    window.build(book, services)  # the rest of the window, then the real page: the same text
    window.restore_place()
    qtbot.waitUntil(window.updatesEnabled)
    assert window.viewer.current_chapter() == "ch15-01-box.md"
    assert text_at_top(window.viewer) == seen
    # not used up: a second start without a clean close in between shows the page again
    assert app_module._start_page(services.settings, str(book.root), False, cache) is not None


def test_a_chapter_read_from_its_top_shows_from_its_top(
    qtbot: QtBot, make_services: Callable[[], Services], book: Book, qapp: QApplication
) -> None:
    """At the top of a chapter, the frame shows the page as the built window then does: from
    its very top (the heading's margin above it), not scrolled by that margin."""
    window = MainWindow(book, services=make_services())
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.open_section("ch15-01-box.md")
    assert window.viewer.scroll_position() == 0
    window.close()
    services = make_services()
    frame_window, page = frame(qtbot, services, book, qapp)
    assert page is not None and page.position == 0
    shown = frame_window.centralWidget()
    assert isinstance(shown, StartPageView)
    assert shown.verticalScrollBar().value() == 0
    in_frame = shown.cursorRect(QTextCursor(shown.document())).top()  # the heading's top
    assert in_frame > 0  # below the page's margin
    frame_window.build(book, services)
    frame_window.restore_place()
    qtbot.waitUntil(frame_window.updatesEnabled)
    viewer = frame_window.viewer
    assert viewer.scroll_position() == 0  # the same page: the heading does not move
    assert viewer.cursorRect(QTextCursor(viewer.document())).top() == in_frame


def test_a_page_that_no_longer_matches_is_not_shown(
    qtbot: QtBot, make_services: Callable[[], Services], book: Book, tmp_path: Path
) -> None:
    read_and_close(qtbot, make_services(), book)
    services = make_services()
    services.settings.set(THEME, "dark")  # another theme than the page was kept in
    assert (
        app_module._start_page(services.settings, str(book.root), True, tmp_path / "cache") is None
    )

    read_and_close(qtbot, make_services(), book)
    (kept,) = (tmp_path / "cache" / start_page.FOLDER).glob("*.json")
    kept.write_text(kept.read_text().replace('"zoom": 100', '"zoom": 150'))
    settings = make_services().settings
    assert app_module._start_page(settings, str(book.root), False, tmp_path / "cache") is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "not json at all",
        lambda text: "[" + text + "]",  # not an object
        lambda text: text.replace('"version"', '"versio"'),
        lambda text: text.replace('"position"', '"positio"'),  # a field missing
        lambda text: text[:-1] + ', "extra": 1}',  # a field too many
    ],
)
def test_a_damaged_kept_page_is_not_shown(
    qtbot: QtBot,
    make_services: Callable[[], Services],
    book: Book,
    qapp: QApplication,
    damage: Callable[[str], str],
) -> None:
    """A kept page that does not read back whole shows "Opening the book..." instead."""
    read_and_close(qtbot, make_services(), book)
    services = make_services()
    (kept,) = (services.cache_dir / start_page.FOLDER).glob("*.json")
    text = kept.read_text(encoding="utf-8")
    assert app_module._start_page(services.settings, str(book.root), False, services.cache_dir)
    kept.write_text(damage(text), encoding="utf-8")
    window, page = frame(qtbot, services, book, qapp)
    assert page is None
    assert window.centralWidget().objectName() == "opening_page"


def test_keys_typed_into_another_window_meanwhile_are_not_held(
    qtbot: QtBot, make_services: Callable[[], Services], book: Book, qapp: QApplication
) -> None:
    """Only the starting window's keys wait for it: another window (a dialog, another
    program's window of the same process) gets its keys as they are typed."""
    read_and_close(qtbot, make_services(), book)
    window, _page = frame(qtbot, make_services(), book, qapp)
    keys = KeyKeeper(window)
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    other.setFocus()
    try:
        for key in (Qt.Key.Key_A, Qt.Key.Key_B, Qt.Key.Key_C):  # to its QWindow, as typed
            QTest.keyClick(other.windowHandle(), key)
        assert other.text() == "abc"
        assert keys.keys == []
    finally:
        keys.stop()


def test_keys_typed_before_the_window_is_complete_reach_the_page(
    qtbot: QtBot, make_services: Callable[[], Services], book: Book, qapp: QApplication
) -> None:
    read_and_close(qtbot, make_services(), book)
    services = make_services()
    window, _page = frame(qtbot, services, book, qapp)
    keys = KeyKeeper(window)
    try:
        frame_page = window.centralWidget()
        frame_page.setFocus()
        start = position_at_top(frame_page)
        # while the window is not built: the next chapter (an action's key), two pages down,
        # typed into the window as the platform gives them (to its QWindow)
        handle = window.windowHandle()
        QTest.keyClick(handle, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(handle, Qt.Key.Key_PageDown)
        QTest.keyClick(handle, Qt.Key.Key_PageDown)
        assert position_at_top(frame_page) == start  # held, not lost
        window.build(book, services)
        window.restore_place()
        qtbot.waitUntil(window.updatesEnabled)
        assert window.viewer.current_chapter() == "ch15-01-box.md"
        app_module._replay_keys(window, keys)
    finally:
        keys.stop()
    assert window.viewer.current_chapter() == "ch15-02-deref.md"
    assert position_at_top(window.viewer) > 0  # two pages down into it
    assert keys.keys == []


# Modules a bare PySide6 window does not load (PySide6 itself loads tempfile and threading), which
# the first frame does not need either: each one imported before it costs start-up 1-5 ms
# (benchmarks/bench_startup.py).
NOT_BEFORE_THE_FRAME = {
    "dataclasses",
    "json",
    "hashlib",
    "sqlite3",
    "ctypes",  # offscreen: no display server to connect to
    "socket",
    "markdown",
    "pyromark",
    "nh3",
    "handbook.core.book.load",
    "handbook.core.render.renderer",
    "handbook.ui.app.services",
    "handbook.ui.app.themes",
}


def test_the_first_frame_loads_only_what_it_shows(guide: Path, tmp_path: Path) -> None:
    """A returning reader's start (the page kept by the first one): what is imported before the
    first frame is on screen (``-X importtime``, up to the frame's line)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HANDBOOK_BENCH_EXIT": "1"}
    for name in ("config", "data", "cache"):
        env[f"XDG_{name.upper()}_HOME"] = str(tmp_path / name)
    command = [sys.executable, "-X", "importtime", "-m", "handbook", str(guide)]
    for _start in range(2):  # the first start keeps the page the second shows at once
        done = subprocess.run(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one pipe: the imports, then the frame's line, in order
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:]
    before, frame_line, _after = done.stdout.partition("HANDBOOK_BENCH window")
    assert frame_line
    assert _after.split("\n", 2)[1].startswith("HANDBOOK_BENCH page")  # the frame is the page
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in before.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "handbook.ui.app.start_page" in imported  # the kept page was shown
    loaded_too_soon = sorted(imported & NOT_BEFORE_THE_FRAME)
    assert loaded_too_soon == []


@pytest.mark.slow
def test_after_a_kill_the_first_frame_still_shows_the_page_read(
    qtbot: QtBot, book: Book, tmp_path: Path, qapp: QApplication
) -> None:
    """A reader moves through the book in a child process, is SIGKILLed once its place is
    saved: the next start's first frame shows the page it was on, at that place."""
    data = tmp_path / "data"
    env = child_env()
    mover_script = str(REPO / "tests" / "helpers" / "place_mover.py")
    mover = subprocess.Popen(
        [sys.executable, mover_script, "moves", str(book.root), str(data), "7", "6"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert mover.stdout is not None
    moves: list[list[object]] = []
    saved: list[object] = []
    while not moves or len(moves) < 6 or saved != moves[-1]:
        line = mover.stdout.readline()
        assert line, "the mover stopped"
        kind, _, rest = line.partition(" ")
        if kind == "MOVE":
            moves.append(json.loads(rest))
        elif kind == "SAVED":
            saved = json.loads(rest)
    mover.send_signal(signal.SIGKILL)  # after the last move's save: no close, no quit
    mover.communicate(timeout=60)
    assert mover.returncode == -signal.SIGKILL

    services = open_services(
        qapp, settings_path=data / "handbook.ini", data_dir=data, cache_dir=data / "cache"
    )
    palette = qapp.palette()
    try:
        window, page = frame(qtbot, services, book, qapp)
        shown = window.centralWidget()
        assert isinstance(shown, StartPageView)  # the reader's page, not "Opening the book..."
        section, _offset, quote = saved
        assert page is not None and page.chapter == str(section).partition("#")[0]
        start, _end = first_line_span(shown)
        top = " ".join(shown.toPlainText()[start : start + 400].split())
        assert " ".join(str(quote).split())[:12] in top  # the place's text on the first line
    finally:
        services.close()
        services.themes.deleteLater()
        services.bookmarks.deleteLater()
        qapp.setPalette(palette)
