"""Search benchmark: the Rust book, a CJK book, code queries, generated books, a huge chapter.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=src .venv/bin/python benchmarks/bench_search.py [BOOK]
        [--sizes 100,1000,5000] [--huge-mb 4.9]

Prints one table; asserts nothing. Measures, in one run:

- index build from scratch as the window does it (SearchRunner: IndexCache.open on a worker
  thread, the index handed to the UI thread by a queued signal), from open_book to index_ready
  on the UI thread, with the UI thread's longest stall meanwhile (a QTimer ticking every 5 ms;
  a stall is the longest gap between two ticks, minus 5 ms); and, for comparison, the same
  build on the UI thread alone (nothing else to do, so no stall measured);
- opening with a warm cache (reading the chapters for the content key, checking and loading
  the cache file), and what a key from mtimes + sizes would cost instead;
- query latency p50 / p95 over 50 fixed queries, entered and as typed (prefix);
- keystroke -> results shown in the SearchPanel (QTest.keyClicks of a query's last character
  after a pause, until the list's model holds its results and the list has painted);
- the same 50 queries through a naive substring scan of the same sections, side by side;
- a book of Chinese, Japanese, Thai and Korean chapters (benchmarks/generated_books.py): what
  runs of two or more characters find, against the naive scan; and FTS5's ``trigram``
  tokenizer over the same text (what it finds, its build time and size) against the pairs of
  characters in the ``cjk`` column that the index uses;
- code queries on the Rust book: hits, the first hit, and whether it holds the query as typed;
- generated books of 100, 1,000 and 5,000 chapters of about 3 KB: cold build on the worker,
  size on disk, query p50 / p95, and the UI thread's longest pause while a query is typed a
  key at a time into the panel; each against the 100-chapter book (the growth);
- one chapter of about 5 MB without subheadings: the longest UI pause while typing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import IndexCache, SearchIndex, SearchOptions, read_sources
from handbook.core.search.sections import Section, book_sections, chapter_trails
from handbook.ui.search.panel import SearchPanel
from handbook.ui.search.worker import SearchRunner

DEFAULT_BOOK = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "rust-book"
TICK_MS = 5
BUILD_RUNS = 3
OPEN_RUNS = 15

QUERIES = [
    "borrow checker", "lifetime elision", "Box<T>", "? operator", "trait objects",
    "ownership", "references", "slices", "struct", "enum", "match", "if let", "Option<T>",
    "Result<T, E>", "panic!", "unwrap", "vectors", "String", "hash map", "generics", "traits",
    "lifetimes", "closures", "iterators", "cargo", "crates.io", "workspaces", "smart pointers",
    "Deref", "Drop", "Rc<T>", "RefCell<T>", "interior mutability", "threads", "message passing",
    "Mutex", "Send and Sync", "async", "futures", "streams", "patterns", "unsafe", "macros",
    "dyn", "impl Trait", '"dangling reference"', "thread -async", "mod OR use", "testing",
    "shadowing",
]  # fmt: skip


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class StallMeter:
    """Ticks every TICK_MS on the UI thread and keeps the longest gap between ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(self.longest - TICK_MS / 1000, 0.0)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now


def build_in_worker(book: Book, folder: Path) -> tuple[float, float]:
    """(seconds from open_book to index_ready, longest UI stall): the window's way."""
    runner = SearchRunner(folder)
    loop = QEventLoop()
    runner.index_ready.connect(loop.quit)
    runner.failed.connect(loop.quit)
    meter = StallMeter()
    meter.start()
    start = time.perf_counter()
    runner.open_book(book)
    loop.exec()
    elapsed = time.perf_counter() - start
    stall = meter.stop()
    runner.stop()
    return elapsed, stall


def build_on_ui_thread(book: Book, folder: Path) -> float:
    """The same build in one go on the calling thread (what a blocking build would freeze)."""
    start = time.perf_counter()
    IndexCache(folder).open(book).close()
    return time.perf_counter() - start


def time_calls(call: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def stat_key(book: Book) -> tuple[tuple[str, int, int], ...]:
    """What a key from mtimes and sizes would read instead of the chapters' bytes."""
    out = []
    for path, _ in chapter_trails(book):
        info = (book.src / path).stat()
        out.append((path, info.st_mtime_ns, info.st_size))
    return tuple(out)


def query_times(index: SearchIndex, typing: bool) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for query in QUERIES:
        start = time.perf_counter()
        results = index.search(query, SearchOptions(prefix_last=typing))
        times.append(time.perf_counter() - start)
        totals.append(results.total)
    return times, totals


def naive_scan(sections: Sequence[Section]) -> tuple[list[float], list[int], float]:
    """Substring search: every word of the query in the section's title or body, any case."""
    start = time.perf_counter()
    corpus = [(s.title + "\n" + s.breadcrumb + "\n" + s.body).casefold() for s in sections]
    prepare = time.perf_counter() - start
    times, totals = [], []
    for query in QUERIES:
        words = [w for w in query.replace('"', " ").casefold().split() if not w.startswith("-")]
        start = time.perf_counter()
        hits = [i for i, text in enumerate(corpus) if all(w in text for w in words)]
        hits.sort(key=lambda i: -sum(corpus[i].count(w) for w in words))
        times.append(time.perf_counter() - start)
        totals.append(len(hits))
    return times, totals, prepare


def keystroke_times(app: QApplication, book: Book, folder: Path) -> list[float]:
    """Last key of each query -> the panel's model holds the results and the list has painted."""
    panel = SearchPanel(folder)
    panel.resize(420, 700)
    panel.show()
    loop = QEventLoop()
    panel.runner.index_ready.connect(loop.quit)
    panel.set_book(book)
    loop.exec()
    shown: list[float] = []
    panel.results_shown.connect(lambda _total: shown.append(time.perf_counter()))
    times = []
    for query in QUERIES:
        panel.field.setText(query[:-1])
        QTest.qWait(
            250
        )  # past the throttle (and its trailing search): the next key searches at once
        shown.clear()
        start = time.perf_counter()
        QTest.keyClicks(panel.field, query[-1])
        while not shown:
            app.processEvents()  # spin: a wait here would be counted as latency
        panel.results_view.viewport().repaint()
        times.append(time.perf_counter() - start)
    panel.runner.stop()
    panel.close()
    return times


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    sizes = [int(n) for n in _option(argv, "--sizes", "100,1000,5000").split(",") if n]
    huge_mb = float(_option(argv, "--huge-mb", "4.9"))
    root = Path(args[0]) if args else DEFAULT_BOOK
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    book = load_book(root)
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        worker = [build_in_worker(book, Path(tmp) / f"worker{i}") for i in range(BUILD_RUNS)]
        rows.append(
            (
                "index build, cold, on the worker thread",
                f"{ms(statistics.median(b for b, _ in worker))} (median of {BUILD_RUNS})",
                "≤ 1000 ms",
            )
        )
        rows.append(("  longest UI stall meanwhile", ms(max(s for _, s in worker)), "≤ 50 ms"))
        blocking = [build_on_ui_thread(book, Path(tmp) / f"ui{i}") for i in range(BUILD_RUNS)]
        rows.append(
            (
                "(same build blocking the UI thread)",
                f"{ms(statistics.median(blocking))} (median of {BUILD_RUNS})",
                "",
            )
        )

        warm = Path(tmp) / "warm"
        cache = IndexCache(warm)
        cache.open(book).close()
        opens = time_calls(lambda: cache.open(book).close(), OPEN_RUNS)
        rows.append(
            ("open with a warm cache", f"{ms(statistics.median(opens))} (median)", "≤ 50 ms")
        )
        key_read = time_calls(lambda: read_sources(book, lambda b, p: _read(b, p)), OPEN_RUNS)
        rows.append(
            ("  of which: reading chapters for the key", ms(statistics.median(key_read)), "")
        )
        stats = time_calls(lambda: stat_key(book), OPEN_RUNS)
        rows.append(("  (a key from mtimes+sizes would take)", ms(statistics.median(stats)), ""))

        index = cache.open(book)
        sections = list(book_sections(book, read_sources(book, _read)))
        for typing in (False, True):
            times, _ = query_times(index, typing)
            label = "query, as typed (prefix)" if typing else "query, entered"
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            rows.append((f"{label}: p50 / p95", f"{ms(p50)} / {ms(p95)}", "p95 ≤ 5 ms"))
        fts_times, fts_totals = query_times(index, True)
        scan_times, scan_totals, prepare = naive_scan(sections)
        rows.append(
            (
                "naive substring scan: p50 / p95",
                f"{ms(percentile(scan_times, 0.5))} / {ms(percentile(scan_times, 0.95))}",
                f"(+{ms(prepare)} once)",
            )
        )
        index.close()

        keys = keystroke_times(app, book, Path(tmp) / "panel")
        rows.append(
            (
                "keystroke -> results painted: p50 / p95",
                f"{ms(percentile(keys, 0.5))} / {ms(percentile(keys, 0.95))}",
                "≤ 16 ms",
            )
        )

    print(f"book: {root}  ({len(sections)} sections, {len(QUERIES)} queries)")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'result':<28} target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:<28} {target}")
    print()
    print(
        "query".ljust(24), "fts hits".rjust(8), "fts ms".rjust(8), "scan hits".rjust(9), "scan ms"
    )
    rows_by_query = zip(QUERIES, fts_totals, fts_times, scan_totals, scan_times, strict=True)
    for query, ft, ftt, st, stt in rows_by_query:
        print(f"{query[:24]:<24} {ft:>8} {ftt * 1000:>8.2f} {st:>9} {stt * 1000:>7.2f}")
    print()
    from bench_search_more import cjk_table, code_table, huge_chapter_table, scale_table

    code_table(book)
    cjk_table()
    scale_table(app, sizes)
    huge_chapter_table(app, huge_mb)
    return 0


def _option(argv: list[str], name: str, default: str) -> str:
    for arg in argv:
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def _read(book: Book, path: str) -> str:
    from handbook.core.book.files import read_chapter_source

    text: str = read_chapter_source(book, path)
    return text


if __name__ == "__main__":
    sys.exit(main(sys.argv))
