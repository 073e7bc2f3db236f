"""Start the window: check Qt can start, load the book, show it.

The book is loaded before any window exists, so a bad path costs one line on stderr and exit
status 2. The system libraries are checked before PySide6's GUI modules are imported (they fail
to import without them). The first chapter is rendered just after the window is shown: the
markdown stack (Python-Markdown, Pygments, nh3) is imported then, not before there is a window.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from handbook import APP_NAME, ORGANIZATION, __version__
from handbook.cli import EXIT_BAD_INPUT, EXIT_FAILURE
from handbook.commands.common import load_book_or_exit
from handbook.core.model import Book, BookError
from handbook.ui.settings import LAST_BOOK
from handbook.ui.syslibs import ensure_qt_libraries

BENCH_ENV = "HANDBOOK_BENCH_EXIT"  # set to 1 by benchmarks/bench_startup.py


def run_app(path: str | None, settings_path: Path | None = None) -> int:
    """Show ``path`` (without one: the book read last, else the guide) until the window closes."""
    book = load_book_or_exit(path) if path else None
    if isinstance(book, int):
        return EXIT_BAD_INPUT
    if not ensure_qt_libraries():
        return EXIT_FAILURE

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from handbook.ui.main_window import MainWindow
    from handbook.ui.services import open_services

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("Handbook")
    app.setDesktopFileName(APP_NAME)
    app.setStyle("Fusion")  # the one style that honours the theme's palette everywhere
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the terminal closes the window

    services = open_services(app, settings_path=settings_path)
    app.aboutToQuit.connect(services.close)  # the bookmarks' daily backup, the settings
    if book is None:
        book = last_book(services.settings.get(LAST_BOOK))
    if book is None:
        book = load_book_or_exit(None)
        if isinstance(book, int):
            return EXIT_BAD_INPUT
    services.themes.apply()
    window = MainWindow(book, services=services)
    # the first chapter is rendered once the window is on screen and painted
    window.when_exposed(lambda: QTimer.singleShot(0, window.restore_place))
    if os.environ.get(BENCH_ENV) == "1":
        window.when_exposed(_report_startup)
    window.show()
    window.show_start_messages()
    return int(app.exec())


def last_book(path: str) -> Book | None:
    """The book read last, if it still opens (else the guide is shown: no message)."""
    from handbook.core.book import load_book

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


def _report_startup() -> None:
    """For benchmarks/bench_startup.py, called when the window is first exposed: print that
    moment, then the moment the first page is shown, and quit. One line each, as
    benchmarks/bare_window.py prints them: ``HANDBOOK_BENCH <window|page> <unix time>
    <VmRSS KiB> <VmHWM KiB>``.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def report(event: str) -> None:
        rss, hwm = memory_kib()
        print(f"HANDBOOK_BENCH {event} {time.time():.6f} {rss} {hwm}", flush=True)

    def page_shown() -> None:  # queued after open_first_chapter, queued just before
        QApplication.processEvents()
        report("page")
        QApplication.quit()

    report("window")
    QTimer.singleShot(0, page_shown)
