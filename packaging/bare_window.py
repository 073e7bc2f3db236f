"""A bare PySide6 window (QMainWindow + QTextBrowser), frozen by bare_window.spec as the yardstick
for benchmarks/bench_package.py.

With HANDBOOK_BENCH_EXIT=1 it prints, when its window is first exposed, the line handbook prints
(``HANDBOOK_BENCH window <unix time> <VmRSS KiB> <VmHWM KiB> <CPU ms>``), then quits: the same
contract and the same program bench_startup.py runs unfrozen, so the two benchmarks compare.
It imports nothing of handbook's, which would weigh on the baseline. With HANDBOOK_BENCH_HTML set
to a file, its page shows that HTML (bench_startup.py gives it the page handbook shows first).
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTextBrowser


def memory_kib() -> tuple[int, int]:
    values = {"VmRSS": 0, "VmHWM": 0}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


class ExposeWatch(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose:
            watched.removeEventFilter(self)
            rss, hwm = memory_kib()
            cpu = time.process_time() * 1000  # user and system, since the process started
            print(f"HANDBOOK_BENCH window {time.time():.6f} {rss} {hwm} {cpu:.1f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Bare window")
    page = QTextBrowser(window)
    html = os.environ.get("HANDBOOK_BENCH_HTML")
    if html:
        with open(html, encoding="utf-8") as file:
            page.setHtml(file.read())
    window.setCentralWidget(page)
    window.resize(1100, 760)
    if os.environ.get("HANDBOOK_BENCH_EXIT") == "1":
        window.winId()
        handle = window.windowHandle()
        assert handle is not None
        handle.installEventFilter(ExposeWatch(window))
    window.show()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
