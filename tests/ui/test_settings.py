"""Settings: typed reads, bad stored values fall back to defaults, saves survive SIGKILL."""

from __future__ import annotations

import os
import random
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow

from handbook.ui.app import settings as s
from handbook.ui.app.settings import Settings, open_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "handbook.ini"


def raw_store(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def write_raw(path: Path, values: dict[str, object]) -> None:
    store = raw_store(path)
    for key, value in values.items():
        store.setValue(key, value)
    store.sync()


def test_defaults_when_nothing_is_stored(ini: Path) -> None:
    settings = open_settings(ini)
    for setting in s.SCHEMA:
        book = "some book" if setting.per_book else None
        assert settings.get(setting, book=book) == setting.default


def test_values_round_trip_through_the_file(ini: Path) -> None:
    settings = open_settings(ini)
    settings.set(s.THEME, "dark")
    settings.set(s.LAST_SECTION, "ch1.md#intro")
    settings.set(s.LAST_SCROLL, 1234)
    settings.set(s.RECENT_BOOKS, ("/books/a",))
    settings.set(s.BOOK_ZOOM, 150, book="/books/a")
    settings.set(s.BOOK_FONT_FAMILY, "DejaVu Serif", book="/books/a")
    settings.set(s.BOOK_FONT_SIZE, 13.5, book="/books/a")
    settings.set(s.WINDOW_GEOMETRY, QByteArray(b"\x01\x02geometry"))
    assert settings.sync()

    again = open_settings(ini)  # a new QSettings reads the INI file: every value comes as text
    assert again.get(s.THEME) == "dark"
    assert again.get(s.LAST_SECTION) == "ch1.md#intro"
    assert again.get(s.LAST_SCROLL) == 1234
    assert again.get(s.RECENT_BOOKS) == ("/books/a",)  # a one-item list stays a list
    assert again.get(s.BOOK_ZOOM, book="/books/a") == 150
    assert again.get(s.BOOK_ZOOM, book="/books/b") == 100  # per book
    assert again.get(s.BOOK_FONT_FAMILY, book="/books/a") == "DejaVu Serif"
    assert again.get(s.BOOK_FONT_SIZE, book="/books/a") == 13.5
    assert again.get(s.WINDOW_GEOMETRY) == QByteArray(b"\x01\x02geometry")


def test_per_book_keys_survive_any_identity(ini: Path) -> None:
    settings = open_settings(ini)
    odd = "C:\\books\\my book/../x=y;[z]"
    settings.set(s.BOOK_ZOOM, 80, book=odd)
    settings.sync()
    assert open_settings(ini).get(s.BOOK_ZOOM, book=odd) == 80


@pytest.mark.parametrize(
    ("setting", "garbage"),
    [
        (s.BOOK_ZOOM, "abc"),
        (s.BOOK_ZOOM, "1e9"),
        (s.BOOK_ZOOM, 10**9),
        (s.BOOK_ZOOM, -5),
        (s.BOOK_ZOOM, 2.5),
        (s.BOOK_ZOOM, ""),
        (s.BOOK_FONT_SIZE, "nan"),
        (s.BOOK_FONT_SIZE, 1e9),
        (s.BOOK_FONT_SIZE, "big"),
        (s.BOOK_FONT_FAMILY, "x" * 100_000),
        (s.THEME, "purple"),
        (s.THEME, 3),
        (s.LAST_SCROLL, "-1"),
        (s.LAST_SCROLL, "inf"),
        (s.LAST_SCROLL, 1e12),
        (s.LAST_SECTION, ["a", "b"]),
        (s.LAST_BOOK, "a\x00b"),
        (s.RECENT_BOOKS, "not json ["),
        (s.RECENT_BOOKS, '{"a": 1}'),
        (s.RECENT_BOOKS, ["/a", "/b"]),
        (s.WINDOW_GEOMETRY, "not bytes"),
        (s.WINDOW_STATE, 12),
    ],
)
def test_a_bad_stored_value_falls_back_to_its_default(
    ini: Path, setting: s.Setting[object], garbage: object
) -> None:
    book = "/books/a" if setting.per_book else None
    key = setting.key.format(book=s.book_key(book)) if book else setting.key
    write_raw(ini, {key: garbage})
    assert open_settings(ini).get(setting, book=book) == setting.default


def test_bad_entries_of_the_recent_list_are_dropped(ini: Path) -> None:
    write_raw(ini, {s.RECENT_BOOKS.key: '["/a", 3, null, "/a", "/b", "' + "x" * 5000 + '"]'})
    assert open_settings(ini).get(s.RECENT_BOOKS) == ("/a", "/b")


def test_recent_books_newest_first_and_bounded(ini: Path) -> None:
    settings = open_settings(ini)
    for n in range(15):
        settings.add_recent_book(f"/books/{n}")
    settings.add_recent_book("/books/7")
    recent = settings.get(s.RECENT_BOOKS)
    assert recent[0] == "/books/7"
    assert len(recent) == s.RECENT_MAX
    assert len(set(recent)) == len(recent)


def test_writing_a_bad_value_is_refused(ini: Path) -> None:
    settings = open_settings(ini)
    with pytest.raises(ValueError):
        settings.set(s.BOOK_ZOOM, 10**6, book="x")
    with pytest.raises(ValueError):
        settings.set(s.THEME, "sepia")
    with pytest.raises(ValueError):
        settings.get(s.BOOK_ZOOM)  # a per-book setting needs its book


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff\xfe garbage \x01\x02",
        b"[view\ntheme=purple\n[[[\n=\n\xff\xfe",
        pytest.param(
            b"[session]\nscroll=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x11NoSuchType)\n",
            marks=pytest.mark.qt_log_ignore("QVariant::load: unknown user type"),
        ),
        b"[books]\n" + b"a" * 200_000 + b"\n",
        b"",
    ],
)
def test_a_malformed_file_gives_defaults_without_a_crash(ini: Path, content: bytes) -> None:
    ini.parent.mkdir(parents=True)
    ini.write_bytes(content)
    settings = open_settings(ini)
    for setting in s.SCHEMA:
        book = "b" if setting.per_book else None
        assert settings.get(setting, book=book) == setting.default
    settings.set(s.THEME, "dark")  # and it can still be written
    settings.sync()
    assert open_settings(ini).get(s.THEME) == "dark"


def test_a_last_section_that_is_gone_is_forgotten(ini: Path) -> None:
    settings = open_settings(ini)
    settings.set(s.LAST_SECTION, "removed.md#old")
    chapters = {"intro.md": object()}
    exists = s.section_exists_in(chapters.get)
    assert settings.last_section(exists) == ""
    settings.set(s.LAST_SECTION, "intro.md#start")
    assert settings.last_section(exists) == "intro.md#start"


def test_orphan_temp_files_are_removed_at_start(ini: Path) -> None:
    ini.parent.mkdir(parents=True)
    orphan = ini.parent / (ini.name + ".aB3xYz")
    orphan.write_text("half a file")
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    fresh = ini.parent / (ini.name + ".Qw12er")  # maybe another instance saving right now
    fresh.write_text("in progress")
    lock = ini.parent / (ini.name + ".lock")
    lock.write_text("")
    open_settings(ini)
    assert not orphan.exists()
    assert fresh.exists()
    assert lock.exists()


# -- window geometry ----------------------------------------------------------------------------


def make_window(qtbot) -> QMainWindow:  # type: ignore[no-untyped-def]
    window = QMainWindow()
    dock = QDockWidget("Contents", window)
    dock.setObjectName("toc-dock")
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    qtbot.add_widget(window)
    return window


def on_a_screen(window: QMainWindow) -> bool:
    return s._on_some_screen(window.frameGeometry())


def test_geometry_round_trip(qtbot, ini: Path) -> None:  # type: ignore[no-untyped-def]
    settings = open_settings(ini)
    window = make_window(qtbot)
    window.setGeometry(50, 60, 640, 480)
    s.save_window(window, settings)
    settings.sync()
    again = make_window(qtbot)
    assert s.restore_window(again, open_settings(ini))
    assert again.geometry().size() == window.geometry().size()


def test_geometry_off_every_screen_falls_back_to_default(qtbot, ini: Path) -> None:  # type: ignore[no-untyped-def]
    settings = open_settings(ini)
    window = make_window(qtbot)
    window.setGeometry(90_000, 90_000, 640, 480)
    s.save_window(window, settings)
    settings.sync()
    again = make_window(qtbot)
    s.restore_window(again, open_settings(ini))
    assert on_a_screen(again)


@pytest.mark.parametrize("garbage", [b"", b"\x00" * 10, bytes(range(256)) * 4])
def test_garbage_geometry_gives_the_default_size(qtbot, ini: Path, garbage: bytes) -> None:  # type: ignore[no-untyped-def]
    write_raw(ini, {s.WINDOW_GEOMETRY.key: QByteArray(garbage), s.WINDOW_STATE.key: "zz"})
    window = make_window(qtbot)
    assert not s.restore_window(window, open_settings(ini))
    assert on_a_screen(window)
    assert window.width() > 100
    assert window.height() > 100


def test_the_first_window_leaves_room_for_its_title_bar_on_a_small_screen(qtbot, ini: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot)
    assert not s.restore_window(window, open_settings(ini))  # nothing saved: the default size
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    area = screen.availableGeometry()  # 800 x 800 on the offscreen platform: under 1100 x 750
    assert window.width() <= area.width() * 0.9 and window.height() <= area.height() * 0.9
    assert (window.geometry().center() - area.center()).manhattanLength() <= 2  # centred


# -- SIGKILL during saves (RELIABILITY.md item 2) ----------------------------------------------

WRITER = r"""
import sys
from PySide6.QtCore import QByteArray
from handbook.ui.app import settings as s

settings = s.open_settings(s.Path(sys.argv[1]))
i = int(sys.argv[2])
while True:
    i += 1
    settings.set(s.LAST_SECTION, f"chapter-{i}.md#part")
    settings.set(s.RECENT_BOOKS, tuple(f"/books/{i}/{n}/" + "p" * 300 for n in range(10)))
    settings.set(s.BOOK_ZOOM, 30 + i % 370, book="book")
    settings.set(s.WINDOW_GEOMETRY, QByteArray(bytes([i % 256]) * 4000))
    settings.set(s.LAST_SCROLL, i)
    if not settings.sync():
        print("sync failed", flush=True)
        sys.exit(1)
    print(i, flush=True)
"""


def check_consistent(ini: Path, acknowledged: int) -> int:
    store = raw_store(ini)
    assert store.status() == QSettings.Status.NoError
    settings = Settings(store)
    match = re.fullmatch(r"chapter-(\d+)\.md#part", settings.get(s.LAST_SECTION))
    assert match, "last section lost"
    i = int(match.group(1))
    assert i >= acknowledged, "an acknowledged save was lost"
    assert settings.get(s.RECENT_BOOKS) == tuple(f"/books/{i}/{n}/" + "p" * 300 for n in range(10))
    assert settings.get(s.BOOK_ZOOM, book="book") == 30 + i % 370
    assert settings.get(s.WINDOW_GEOMETRY) == QByteArray(bytes([i % 256]) * 4000)
    assert settings.get(s.LAST_SCROLL) == i
    return i


@pytest.mark.slow
def test_sigkill_during_saves_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    ini = tmp_path / "handbook.ini"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    rng = random.Random(1234)
    acknowledged = 0
    kills = 20
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(ini), str(acknowledged)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # it has started saving
        assert first.strip().isdigit(), first + (proc.stderr.read() if proc.stderr else "")
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        lines = [first, *out.splitlines()]
        done = [int(line) for line in lines if line.strip().isdigit()]
        acknowledged = check_consistent(ini, max(done))
    assert acknowledged > kills  # many saves happened, and the last one is there
    s.remove_orphan_temp_files(ini, older_than=-1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(ini.name)) in (
        ["handbook.ini"],
        ["handbook.ini", "handbook.ini.lock"],
    )


# -- a settings file that is no file, too large or unreadable -----------------------------------


def _special_files() -> list[object]:
    """(A FIFO is tried in a subprocess, below: before the fix it blocked for ever.)"""
    return [
        pytest.param(lambda p: p.mkdir(), "is a folder, not a file", id="folder"),
        pytest.param(
            lambda p: p.symlink_to(p.name),
            "is a symbolic link that loops, not a file",
            id="symlink-loop",
        ),
        pytest.param(
            lambda p: p.symlink_to("/dev/null"),
            "is a symbolic link to /dev/null, which is a device, not a file",
            id="dev-null",
        ),
    ]


@pytest.mark.parametrize(("make", "said"), _special_files())
def test_a_settings_file_that_is_no_file_is_named_and_left_alone(
    ini: Path, make: object, said: str
) -> None:
    ini.parent.mkdir(parents=True)
    make(ini)  # type: ignore[operator]
    before = (os.lstat(ini).st_mode, os.readlink(ini) if ini.is_symlink() else None)
    settings = open_settings(ini)
    assert settings.problem == (
        f"Your settings file {ini} {said}: it was left as it is, and the default settings "
        "are used (and not saved)."
    )
    for setting in s.SCHEMA:
        assert settings.get(setting, book="b" if setting.per_book else None) == setting.default
    settings.set(s.THEME, "dark")  # works for the session
    assert settings.sync()
    assert settings.get(s.THEME) == "dark"
    assert (os.lstat(ini).st_mode, os.readlink(ini) if ini.is_symlink() else None) == before


def test_a_fifo_as_the_settings_file_does_not_hang_the_app(tmp_path: Path) -> None:
    """The issue's repro: before any window, open() of the FIFO blocked for ever."""
    from tests.conftest import write_book

    book = write_book(tmp_path / "book", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n\nHello.\n"})
    ini = s.settings_path()
    ini.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(ini)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "QT_QPA_PLATFORM": "offscreen",
        "HANDBOOK_BENCH_EXIT": "1",  # quit once the first page is shown
    }
    done = subprocess.run(
        [sys.executable, "-m", "handbook", str(book)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "HANDBOOK_BENCH page" in done.stdout  # the first page was shown
    problems = [line for line in done.stderr.splitlines() if "settings" in line]
    assert problems == [
        f"handbook: Your settings file {ini} is a named pipe (FIFO), not a file: it was left "
        "as it is, and the default settings are used (and not saved)."
    ]
    assert stat.S_ISFIFO(os.lstat(ini).st_mode)


def test_a_huge_settings_file_is_set_aside_once_for_the_defaults(ini: Path) -> None:
    ini.parent.mkdir(parents=True)
    garbage = random.Random(4).randbytes(s.MAX_SETTINGS_BYTES + 1)
    ini.write_bytes(garbage)
    settings = open_settings(ini)
    (aside,) = ini.parent.glob("handbook.ini.too-large-*")
    assert aside.read_bytes() == garbage
    assert settings.problem == (
        f"Your settings file {ini} was too large (2.0 MB; a settings file is at most 2 MB): "
        f"it was set aside as {aside.name}, and the default settings are used."
    )
    assert settings.get(s.THEME) == s.THEME.default
    settings.set(s.THEME, "dark")
    assert settings.sync()
    again = open_settings(ini)  # once: the new file is small and ours
    assert again.problem is None and again.get(s.THEME) == "dark"
    assert len(list(ini.parent.glob("handbook.ini.*"))) == 1


def test_an_unreadable_settings_file_is_set_aside_for_the_defaults(
    ini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini.parent.mkdir(parents=True)
    write_raw(ini, {"view/theme": "dark"})
    real_open = os.open

    def refused(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == ini:  # what chmod 000 does (root reads whatever the mode)
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refused)
    settings = open_settings(ini)
    monkeypatch.undo()
    (aside,) = ini.parent.glob("handbook.ini.unreadable-*")
    assert settings.problem == (
        f"Your settings file {ini} could not be read (Permission denied): it was set aside as "
        f"{aside.name}, and the default settings are used."
    )
    assert settings.get(s.THEME) == s.THEME.default


def test_a_book_folder_whose_name_is_not_utf8_is_remembered(ini: Path, tmp_path: Path) -> None:
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9")
    os.mkdir(folder)
    settings = open_settings(ini)
    settings.set(s.LAST_BOOK, folder)
    settings.add_recent_book(folder)
    assert settings.sync()
    again = open_settings(ini)
    assert again.get(s.LAST_BOOK) == folder
    assert again.existing_recent_books() == (folder,)
    ini.read_text(encoding="utf-8")  # the file stays UTF-8
