"""A bare PySide6 window (QMainWindow + QTextBrowser): the benchmark's yardstick for handbook.

With HANDBOOK_BENCH_EXIT=1 it prints ``first-show <time.time()>`` once the window is first
painted and quits, the same contract as handbook's own window.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTextBrowser


class _FirstPaint(QObject):
    """Reports the first paint of the window's contents, then quits when benchmarking."""

    def __init__(self, quit_after: bool) -> None:
        super().__init__()
        self._quit_after = quit_after
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            print(f"first-show {time.time():.6f}", flush=True)
            if self._quit_after:
                QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Bare window")
    browser = QTextBrowser()
    browser.setHtml("<h1>Bare window</h1><p>A QTextBrowser in a QMainWindow.</p>")
    window.setCentralWidget(browser)
    window.resize(800, 600)
    bench = os.environ.get("HANDBOOK_BENCH_EXIT") == "1"
    reporter = _FirstPaint(quit_after=bench)
    browser.viewport().installEventFilter(reporter)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
