"""Measure the pathological chapters: render time (core), and how long the window's UI thread
is blocked opening each one (the largest gap between ticks of a 10 ms QTimer).

``PYTHONPATH=src:. python tests/reliability/scripts/measure_pathological.py [REPEATS]``
prints a Markdown table for docs/RELIABILITY.md. A measurement, not a test: nothing asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication
from tests.reliability import pathological

from handbook.core.book.load import load_book
from handbook.core.render.renderer import Renderer
from handbook.ui.window.main_window import MainWindow


class Ticks(QObject):
    """The largest gap between the ticks of a 10 ms timer: how long the UI thread was busy
    (wall time: on a loaded machine, waiting for a core counts too), and the most CPU time the
    UI thread spent between two ticks (its own work alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.last = 0
        self.worst = 0
        self.cpu = 0.0
        self.worst_cpu = 0  # ms
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.worst = 0
        self.cpu = time.thread_time()
        self.worst_cpu = 0
        self.timer.start()

    @Slot()
    def tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last)
        self.last = now
        cpu = time.thread_time()
        self.worst_cpu = max(self.worst_cpu, round((cpu - self.cpu) * 1000))
        self.cpu = cpu


def ui_stall_ms(app: QApplication, window: MainWindow, path: str) -> tuple[int, int]:
    ticks = Ticks()
    window.clear_chapter_cache()
    window.open_section(pathological.PLAIN)
    ticks.start()
    QTimer.singleShot(30, lambda: window.open_section(path))
    end = time.monotonic() + 0.3
    while (
        time.monotonic() < end
        or window.viewer.current_chapter() != path
        or window.rendering()
        or window.viewer.filling()  # a long page: until all of it is in
    ):
        app.processEvents()
        time.sleep(0.002)
    ticks.timer.stop()
    return ticks.worst, ticks.worst_cpu


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    app = QApplication([sys.argv[0], "-platform", "offscreen"])
    with tempfile.TemporaryDirectory() as folder:
        extra = {pathological.BIG_PROSE: pathological.big_prose()}
        book = load_book(pathological.build(Path(folder), extra))
        window = MainWindow(book, open_external=lambda url: True)
        window.resize(1000, 700)
        window.show()
        app.processEvents()
        rows = []
        for path in [*pathological.CASES, pathological.HUGE, pathological.BIG_PROSE]:
            renders: list[float] = []
            stalls: list[int] = []
            cpus: list[int] = []
            notes: tuple[str, ...] = ()
            for _ in range(repeats):
                started = time.perf_counter()
                rendered = Renderer(book).render(path)
                renders.append(time.perf_counter() - started)
                notes = rendered.notes
                stall, cpu = ui_stall_ms(app, window, path)
                stalls.append(stall)
                cpus.append(cpu)
            outcome = "refused: " + notes[0][:60] if notes else "shown"
            rows.append(
                f"| `{path}` | {statistics.median(renders):.2f} s | "
                f"{statistics.median(stalls)} ms ({statistics.median(cpus)} ms CPU) | {outcome} |"
            )
        window.close()
    print("| chapter | render (median) | UI thread blocked, its CPU then (median) | outcome |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
