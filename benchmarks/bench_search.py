"""Search benchmark: the Rust book, a CJK book, code queries, generated books, a huge chapter.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=src .venv/bin/python benchmarks/bench_search.py [BOOK]
        [--sizes=100,1000,5000] [--huge-mb=4.9] [--only=rust,code,cjk,scale,huge] [--help]

Prints its tables; asserts nothing. Each figure is printed with its goal (issue 14) and
whether it is met, wall time beside CPU time (the machine may be loaded: CPU is what the
code costs, wall what a reader waits), and a baseline measured in the same run (the build
blocking the UI thread, a naive substring scan, a key in a bare field, the smallest
generated book). Measures, in one run:

- index build from scratch as the window does it (SearchRunner: IndexCache.open on a worker
  thread, the index handed to the UI thread by a queued signal), from open_book to index_ready
  on the UI thread, with the UI thread's longest stall meanwhile (a QTimer ticking every 5 ms;
  a stall is the longest gap between two ticks, minus 5 ms); and, for comparison, the same
  build on the UI thread alone (nothing else to do, so no stall measured);
- opening with a warm cache (reading the chapters for the content key, checking and loading
  the cache file), and what a key from mtimes + sizes would cost instead;
- query latency p50 / p95 over 50 fixed queries (each the median of 3 runs), entered and as
  typed (prefix);
- keystroke -> results shown in the SearchPanel (QTest.keyClicks of a query's last character
  after a pause, until the list's model holds its results and the list has painted; the
  median of 3 runs, each from the same start: nothing kept laid out by the panel but the
  rows of the query without its last key); and the same less the time the UI and query
  threads waited, runnable, for a CPU meanwhile (/proc/self/task/*/schedstat: other
  processes on a loaded machine; an estimate of a quiet machine's figure, low where both
  threads waited at once);
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
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import IndexCache, SearchIndex, SearchOptions, read_sources
from handbook.core.search.sections import Section, book_sections, chapter_trails
from handbook.ui.app.run import GIL_SWITCH_INTERVAL
from handbook.ui.search.panel import SearchPanel
from handbook.ui.search.worker import SearchRunner

DEFAULT_BOOK = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "rust-book"
TICK_MS = 5
BUILD_RUNS = 3
OPEN_RUNS = 15
QUERY_RUNS = 3  # each query's time: the median of its runs
KEY_RUNS = 3  # each keystroke's time: the median of its runs

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


def build_in_worker(book: Book, folder: Path) -> tuple[float, float, float]:
    """(seconds from open_book to index_ready, longest UI stall, the process's CPU seconds
    meanwhile): the window's way."""
    runner = SearchRunner(folder)
    loop = QEventLoop()
    runner.index_ready.connect(loop.quit)
    runner.failed.connect(loop.quit)
    meter = StallMeter()
    meter.start()
    start, cpu = time.perf_counter(), time.process_time()
    runner.open_book(book)
    loop.exec()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    stall = meter.stop()
    runner.stop()
    return elapsed, stall, cpu


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


def query_times(index: SearchIndex, typing: bool) -> tuple[list[float], list[int], list[float]]:
    """(wall seconds, totals, CPU seconds) of each query of QUERIES, from the text to the
    results with their snippets: the median of QUERY_RUNS runs of it (a loaded machine's
    bursts otherwise decide the p95)."""
    times, totals, cpus = [], [], []
    for query in QUERIES:
        walls, runs = [], []
        for _ in range(QUERY_RUNS):
            start, cpu = time.perf_counter(), time.process_time()
            results = index.search(query, SearchOptions(prefix_last=typing))
            walls.append(time.perf_counter() - start)
            runs.append(time.process_time() - cpu)
        times.append(statistics.median(walls))
        cpus.append(statistics.median(runs))
        totals.append(results.total)
    return times, totals, cpus


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


def keystroke_times(
    app: QApplication, book: Book, folder: Path
) -> tuple[list[float], list[float], list[float]]:
    """Last key of each query -> the panel's model holds the results and the list has painted:
    (wall seconds, the UI thread's CPU seconds, the seconds the UI and query threads waited,
    runnable, for a CPU meanwhile: other processes), each the median of KEY_RUNS runs. Each run
    starts from the same state: the text the panel keeps laid out forgotten, then the query
    but its last key typed and its results painted. The UI thread waits in an event loop, as
    the window's does, quit by the results (a spin on processEvents would hold the GIL that the
    query thread needs between its SQLite calls, and slow the query it waits for)."""
    panel = SearchPanel(folder)
    panel.resize(420, 700)
    panel.show()
    loop = QEventLoop()
    panel.runner.index_ready.connect(loop.quit)
    panel.set_book(book)
    loop.exec()
    panel.results_shown.connect(loop.quit)
    times, cpus, queued = [], [], []
    threads: list[int] = []
    for query in QUERIES:
        walls, used, waits = [], [], []
        for _ in range(KEY_RUNS):
            panel.delegate.forget()
            panel.field.setText(query[:-1])
            wait(200)  # past the throttle (and its trailing search): the next key searches
            panel.results_view.viewport().repaint()
            threads = threads or _search_threads()
            start, cpu, waited = time.perf_counter(), time.thread_time(), _run_queue(threads)
            QTest.keyClicks(panel.field, query[-1])
            loop.exec()
            panel.results_view.viewport().repaint()
            walls.append(time.perf_counter() - start)
            used.append(time.thread_time() - cpu)
            waits.append(_run_queue(threads) - waited)
        times.append(statistics.median(walls))
        cpus.append(statistics.median(used))
        queued.append(statistics.median(waits))
    panel.runner.stop()
    panel.close()
    return times, cpus, queued


def _search_threads() -> list[int]:
    """The native ids of the UI thread and the query thread (once it has started)."""
    ids = [threading.get_native_id()]
    queries = [t for t in threading.enumerate() if t.name == "search-queries"]
    ids += [t.native_id for t in queries if t.native_id is not None]
    return ids if len(ids) == 2 else []


def _run_queue(threads: list[int]) -> float:
    """Seconds ``threads`` have waited, runnable, for a CPU, together (Linux; else 0)."""
    total = 0.0
    for tid in threads:
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                total += int(stat.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            pass
    return total


def wait(ms: int) -> None:
    """Let ``ms`` pass in an event loop, as the window's does (``QTest.qWait`` sleeps holding
    the GIL: the query thread would starve meanwhile)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def bare_keystroke_times(app: QApplication) -> tuple[list[float], list[float]]:
    """The baseline: a key typed into a field alone, until it has painted (wall, CPU)."""
    field = QLineEdit()
    field.resize(400, 30)
    field.show()
    times, cpus = [], []
    for query in QUERIES:
        field.setText(query[:-1])
        app.processEvents()
        start, cpu = time.perf_counter(), time.thread_time()
        QTest.keyClicks(field, query[-1])
        field.repaint()
        times.append(time.perf_counter() - start)
        cpus.append(time.thread_time() - cpu)
    field.close()
    return times, cpus


Row = tuple[str, str, str, str, str]  # measure, wall, CPU, goal, met


def row(name: str, wall: float | None, cpu: float | None = None, goal: float | None = None) -> Row:
    """A line of the table: the goal (seconds) is met when the wall figure is within it."""
    met = "" if goal is None or wall is None else ("yes" if wall <= goal else "no")
    return (
        name,
        "" if wall is None else ms(wall),
        "" if cpu is None else ms(cpu),
        "" if goal is None else f"≤ {goal * 1000:g} ms",
        met,
    )


def print_table(rows: Sequence[Row]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'wall':>9}  {'CPU':>9}  {'goal':<11} met")
    for name, wall, cpu, goal, met in rows:
        print(f"{name.ljust(width)}  {wall:>9}  {cpu:>9}  {goal:<11} {met}")


def main(argv: list[str]) -> int:
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    parts = set(_option(argv, "--only", "rust,code,cjk,scale,huge").split(","))
    args = [a for a in argv[1:] if not a.startswith("--")]
    sizes = [int(n) for n in _option(argv, "--sizes", "100,1000,5000").split(",") if n]
    huge_mb = float(_option(argv, "--huge-mb", "4.9"))
    root = Path(args[0]) if args else DEFAULT_BOOK
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)  # as the window does (ui/app/run.py)
    book = load_book(root)
    if "rust" in parts:
        rust_table(app, root, book)
    from bench_search_more import cjk_table, code_table, huge_chapter_table, scale_table

    if "code" in parts:
        code_table(book)
    if "cjk" in parts:
        cjk_table()
    if "scale" in parts:
        scale_table(app, sizes)
    if "huge" in parts:
        huge_chapter_table(app, huge_mb)
    return 0


def rust_table(app: QApplication, root: Path, book: Book) -> None:
    """The book's own table (the Rust book by default), then its queries one by one."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        worker = [build_in_worker(book, Path(tmp) / f"worker{i}") for i in range(BUILD_RUNS)]
        rows.append(
            row(
                f"index build, cold, on the worker (median of {BUILD_RUNS})",
                statistics.median(b for b, _, _ in worker),
                statistics.median(c for _, _, c in worker),
                1.0,
            )
        )
        rows.append(row("  longest UI stall meanwhile", max(s for _, s, _ in worker), None, 0.05))
        blocking = [build_on_ui_thread(book, Path(tmp) / f"ui{i}") for i in range(BUILD_RUNS)]
        rows.append(row("  baseline: the same build blocking the UI", statistics.median(blocking)))

        warm = Path(tmp) / "warm"
        cache = IndexCache(warm)
        cache.open(book).close()
        opens = time_calls(lambda: cache.open(book).close(), OPEN_RUNS)
        rows.append(row("open with a warm cache (median)", statistics.median(opens), None, 0.05))
        key_read = time_calls(lambda: read_sources(book, lambda b, p: _read(b, p)), OPEN_RUNS)
        rows.append(row("  of which: reading chapters for the key", statistics.median(key_read)))
        stats = time_calls(lambda: stat_key(book), OPEN_RUNS)
        rows.append(row("  (a key from mtimes+sizes would take)", statistics.median(stats)))

        index = cache.open(book)
        sections = list(book_sections(book, read_sources(book, _read)))
        for typing in (False, True):
            times, _, cpus = query_times(index, typing)
            label = "query, as typed (prefix)" if typing else "query, entered"
            rows.append(row(f"{label}: p50", percentile(times, 0.5), percentile(cpus, 0.5)))
            rows.append(
                row(f"{label}: p95", percentile(times, 0.95), percentile(cpus, 0.95), 0.005)
            )
        fts_times, fts_totals, _ = query_times(index, True)
        scan_times, scan_totals, prepare = naive_scan(sections)
        rows.append(row("  baseline: naive substring scan, p95", percentile(scan_times, 0.95)))
        rows.append(row("    (its corpus prepared once)", prepare))
        index.close()

        keys, key_cpus, key_waits = keystroke_times(app, book, Path(tmp) / "panel")
        rows.append(row("keystroke -> results painted: p50", percentile(keys, 0.5)))
        rows.append(
            row(
                "keystroke -> results painted: p95 (CPU: UI thread)",
                percentile(keys, 0.95),
                percentile(key_cpus, 0.95),
                0.016,
            )
        )
        unqueued = [k - w for k, w in zip(keys, key_waits, strict=True)]
        for share in (0.5, 0.95):
            name = f"  less its threads' wait for a CPU (load): p{round(share * 100)}"
            rows.append(row(name, percentile(unqueued, share)))
        bare, bare_cpus = bare_keystroke_times(app)
        rows.append(
            row(
                "  baseline: a key in a bare field, painted, p95",
                percentile(bare, 0.95),
                percentile(bare_cpus, 0.95),
            )
        )

    print(f"book: {root}  ({len(sections)} sections, {len(QUERIES)} queries)")
    print("wall: perf_counter; CPU: process_time (queries, build) or the UI thread's")
    print_table(rows)
    print()
    print(
        "query".ljust(24), "fts hits".rjust(8), "fts ms".rjust(8), "scan hits".rjust(9), "scan ms"
    )
    rows_by_query = zip(QUERIES, fts_totals, fts_times, scan_totals, scan_times, strict=True)
    for query, ft, ftt, st, stt in rows_by_query:
        print(f"{query[:24]:<24} {ft:>8} {ftt * 1000:>8.2f} {st:>9} {stt * 1000:>7.2f}")
    print()


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
