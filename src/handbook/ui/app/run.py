"""Start the window: check Qt can start, show the window, load the book into it.

Start-up comes in two steps, so that the window is on screen about as early as a bare Qt
window would be: first its frame (the saved size and place, the theme's colours, "Opening the
book..."), with only the modules that needs imported; then, once it is on screen, the book is
loaded and the window built around it (its panels, menus and actions), and the first chapter
is rendered. A path that is no book at all is refused before any window (one line on stderr,
exit status 2); one that fails to load later is refused the same way, closing the window. The
system libraries are checked before PySide6's GUI modules are imported (they fail to import
without them).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from handbook import APP_NAME, ORGANIZATION, __version__
from handbook.commands.common import refuse_book
from handbook.core.book.errors import BookError
from handbook.core.book.locate import check_book_path
from handbook.exits import EXIT_BAD_INPUT, EXIT_FAILURE
from handbook.ui.app.display import no_display_message, release_display_probe
from handbook.ui.app.syslibs import ensure_qt_libraries

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from handbook.core.book.model import Book
    from handbook.ui.app.settings import Settings
    from handbook.ui.app.start_page import KeyKeeper, StartPage
    from handbook.ui.window.main_window import MainWindow

BENCH_ENV = "HANDBOOK_BENCH_EXIT"  # set to 1 by benchmarks/bench_startup.py
# How long a thread running Python (a search query, a page rendered ahead, an index built) may
# keep the GIL from the UI thread once the UI thread asks for it: 1 ms, not Python's 5 ms. A
# key typed while a query runs needs the GIL several times (the field's handlers, the panel's
# slots), and each handover could cost the whole interval: on the 4.9 MB chapter of
# bench_search.py the UI thread's longest wait for the GIL while typing fell from 6.4 to 1.1 ms.
GIL_SWITCH_INTERVAL = 0.001


def run_app(path: str | None, settings_path: Path | None = None) -> int:
    """Show ``path`` (without one: the book read last, else the guide) until the window closes."""
    if path:
        try:
            check_book_path(path)
        except BookError as exc:
            return refuse_book(exc)
    no_display = no_display_message()
    if no_display:
        print(no_display, file=sys.stderr)
        return EXIT_BAD_INPUT
    if not ensure_qt_libraries():
        return EXIT_FAILURE

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from handbook.ui.app.palette import apply_start_palette
    from handbook.ui.app.settings import THEME, open_settings
    from handbook.ui.app.start_page import KeyKeeper
    from handbook.ui.window.main_window import MainWindow

    # Fusion: the one style that honours the theme's palette everywhere (given as an argument,
    # Qt makes it without creating QStyle's Python enums: start-up is shorter)
    app = QApplication.instance() or QApplication([sys.argv[0], "-style", "Fusion"])
    assert isinstance(app, QApplication)
    release_display_probe()  # Qt is connected to the display now
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("Handbook")
    app.setDesktopFileName(APP_NAME)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the terminal closes the window
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)

    settings = open_settings(settings_path)
    if settings.problem:  # also shown in the window once it is built
        print(f"handbook: {settings.problem}", file=sys.stderr)
    dark = apply_start_palette(app, settings.get(THEME))
    window = MainWindow()
    page = _start_page(settings, path, dark)
    window.show_opening(settings, "the book", page)
    keys = KeyKeeper(window)  # keys typed before the window is complete: replayed on the page
    build = lambda: _build(window, app, settings, path, keys)  # noqa: E731
    window.when_exposed(lambda: QTimer.singleShot(0, build))
    if os.environ.get(BENCH_ENV) == "1":
        window.when_exposed(lambda: _report_startup(page is not None))
    window.show()
    return int(app.exec())


def _start_page(
    settings: Settings, path: str | None, dark: bool, cache_dir: Path | None = None
) -> StartPage | None:
    """The page read last in this book, kept for this moment (ui/app/start_page.py), if it is
    still the page the window would show now (``cache_dir``: the user's by default)."""
    from handbook import paths
    from handbook.ui.app import start_page
    from handbook.ui.app.settings import (
        BOOK_FONT_FAMILY,
        BOOK_FONT_SIZE,
        BOOK_ZOOM,
        LAST_BOOK,
        THEME,
    )

    if path:
        root = path  # the page is kept under the path that opens its book again
    else:
        root = settings.get(LAST_BOOK)
        if not root:
            return None

    def current(identity: str) -> dict[str, object]:
        return {
            "theme": settings.get(THEME),
            "dark": dark,
            "zoom": settings.get(BOOK_ZOOM, book=identity),
            "family": settings.get(BOOK_FONT_FAMILY, book=identity),
            "size": settings.get(BOOK_FONT_SIZE, book=identity),
        }

    return start_page.take(cache_dir or paths.cache_dir(), root, current)


def _replay_keys(window: MainWindow, keys: KeyKeeper | None) -> None:
    """The keys typed while the window was being built, in order, as if typed now: a key of an
    action (Ctrl+PgDn, Ctrl+K...) or of a page shortcut ("/") triggers it, any other goes to
    the widget with the focus (the page: PgDn, Space, arrows)."""
    if keys is None:
        return
    keys.stop()
    if not keys.keys:
        return
    from PySide6.QtCore import QEvent, QKeyCombination, Qt
    from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
    from PySide6.QtWidgets import QApplication

    window.focus_page()
    actions = window.action_set.all()
    shortcuts = window.findChildren(QShortcut)
    for key, modifiers, text in keys.keys:
        mods = Qt.KeyboardModifier(modifiers)
        sequence = QKeySequence(QKeyCombination(mods, Qt.Key(key)))
        action = next((a for a in actions if a.isEnabled() and sequence in a.shortcuts()), None)
        if action is not None:
            action.trigger()
            continue
        shortcut = next((s for s in shortcuts if s.isEnabled() and s.key() == sequence), None)
        if shortcut is not None:
            shortcut.activated.emit()
            continue
        target = QApplication.focusWidget() or window.viewer
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, key, mods, text))
    keys.keys.clear()


def _build(
    window: MainWindow,
    app: QApplication,
    settings: Settings,
    path: str | None,
    keys: KeyKeeper | None = None,
) -> None:
    """Start-up's second step, once the frame is on screen: the book, the services, the rest
    of the window, and the place the reader left off (or the first chapter)."""
    from handbook.commands.common import load_book_or_exit, open_book_or_exit
    from handbook.ui.app.services import open_services
    from handbook.ui.app.settings import LAST_BOOK

    if keys is not None:
        keys.stop()  # replayed below, once the page is there
    opened = open_book_or_exit(path) if path else None
    if isinstance(opened, int):  # the message is on stderr
        app.exit(EXIT_BAD_INPUT)
        return
    start: str | None = None
    if opened:
        book: Book | int | None = opened[0]
        start = opened[1]
    else:
        book = last_book(settings.get(LAST_BOOK))
    if book is None:
        book = load_book_or_exit(None)
    if isinstance(book, int):  # the message is on stderr
        app.exit(EXIT_BAD_INPUT)
        return
    services = open_services(app, settings=settings)
    services.themes.apply()
    window.build(book, services)
    install_quit_signals(app, window)
    app.aboutToQuit.connect(services.close)  # the bookmarks' daily backup, the settings
    place = window.restore_session()  # the other tabs, each made when first shown
    at_start = bool(start and window.open_section(start))  # FILE#anchor: there, else where it was
    if not at_start and not (place and window.open_place(place)):
        window.restore_place()
    window.show_start_messages()
    _replay_keys(window, keys)


def install_quit_signals(app: QApplication, window: MainWindow) -> None:
    """SIGTERM and SIGHUP close the window as its Quit does (the place, the window and the
    settings saved); a session ending (logout) saves them too, as it may not close the window.

    Python runs a signal handler only when the interpreter next runs, which Qt's event loop
    never does by itself: the signal's number is written to a socket (``set_wakeup_fd``) that
    a QSocketNotifier watches, and the slot closes the window.
    """
    import socket

    from PySide6.QtCore import QSocketNotifier
    from shiboken6 import isValid

    def save_session(*_args: object) -> None:
        if isValid(window):  # a window deleted before the application ends has nothing to save
            window.save_session()

    app.commitDataRequest.connect(save_session)
    app.aboutToQuit.connect(save_session)
    if not hasattr(signal, "SIGHUP"):  # Windows: no such signals
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: None)  # the wakeup byte does the work
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    sockets = (reader, writer)  # kept open as long as the slot below is connected

    def on_signal() -> None:
        try:
            received = sockets[0].recv(64)
        except OSError:
            return
        if (signal.SIGTERM in received or signal.SIGHUP in received) and isValid(window):
            window.close()
            app.quit()

    notifier.activated.connect(on_signal)


def last_book(path: str) -> Book | None:
    """The book read last, if it still opens (else the guide is shown: no message)."""
    from handbook.core.book.load import load_book

    if not path:
        return None
    try:
        return load_book(Path(path))
    except (BookError, OSError, ValueError):
        return None


def memory_kib() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB, from /proc; zeros where there is none."""
    values = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in values:
                    values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def _report_startup(page_at_once: bool) -> None:
    """For benchmarks/bench_startup.py, called when the window is first exposed: print that
    moment, then the moment the first page is shown, and quit. One line each, as
    packaging/bare_window.py prints them: ``HANDBOOK_BENCH <window|page> <unix time>
    <VmRSS KiB> <VmHWM KiB> <CPU ms>`` (the process's CPU time so far, user and system).
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def report(event: str) -> None:
        rss, hwm = memory_kib()
        cpu = time.process_time() * 1000
        print(f"HANDBOOK_BENCH {event} {time.time():.6f} {rss} {hwm} {cpu:.1f}", flush=True)

    def page_shown() -> None:  # queued after open_first_chapter, queued just before
        QApplication.processEvents()
        if not page_at_once:
            report("page")
        QApplication.quit()

    report("window")
    if page_at_once:  # the frame is the reader's page (ui/app/start_page.py)
        report("page")
    QTimer.singleShot(0, page_shown)
