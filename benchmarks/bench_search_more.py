"""The tables bench_search.py adds after the Rust book's: code queries, CJK, scale, a huge chapter.

Each prints its own table with a baseline measured in the same run; nothing is asserted.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from generated_books import write_cjk_book, write_generated_book, write_huge_chapter_book
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import IndexCache, SearchIndex, read_sources
from handbook.core.search.query import bigrams
from handbook.core.search.sections import Section, book_sections
from handbook.ui.search.panel import SearchPanel
from handbook.ui.search.worker import SearchRunner

TICK_MS = 2
CODE_QUERIES = [
    "Box<T>", "Vec<u8>", "&str", "'static", "C++", "std::mem::swap", "#[derive(Debug)]", "?",
    "cargo build --release", "--release", "Rc<RefCell<T>>", "&mut self", "-> bool", "::new()",
    "impl<T>", "println!", "Option<T>", "unwrap()", "..=", "=>",
]  # fmt: skip
CJK_QUERIES = ["日本", "日本語", "テキスト", "疼痛", "借用检查", "所有権", "ภาษา", "소유권", "本書"]
GENERATED_QUERIES = [
    "borrow checker", "match", "thread channel", "Box<T>", "cargo build --release", "ownership",
    "error panic result", "hash map", "unsafe", "lifetime", "closure iterator", "async await",
    "derive", "mutex", "vector string", "chapter", "deref", "trait generic", "cargo", "heap",
]  # fmt: skip
TYPED = "borrow checker"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class StallMeter:
    """Ticks every TICK_MS on the UI thread; the longest gap between ticks, less a tick, with
    the UI thread's own CPU in it and its time waiting for a CPU (runnable but not running:
    other processes on a loaded machine; from /proc/thread-self/schedstat, 0 elsewhere). The
    rest of the gap the thread was blocked: waiting for the GIL."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0
        self.longest_cpu = 0.0
        self.longest_queued = 0.0

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.last_cpu, self.longest_cpu = time.thread_time(), 0.0
        self.last_queued, self.longest_queued = run_queue_wait(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(self.longest - TICK_MS / 1000, 0.0)

    def _tick(self) -> None:
        now, cpu, queued = time.perf_counter(), time.thread_time(), run_queue_wait()
        if now - self.last > self.longest:
            self.longest, self.longest_cpu = now - self.last, cpu - self.last_cpu
            self.longest_queued = queued - self.last_queued
        self.last, self.last_cpu, self.last_queued = now, cpu, queued


def run_queue_wait() -> float:
    """Seconds the calling thread has waited, runnable, for a CPU (Linux; else 0)."""
    try:
        with open("/proc/thread-self/schedstat") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def timed(index: SearchIndex, queries: Sequence[str]) -> tuple[list[float], list[int]]:
    times, totals, _ = timed_cpu(index, queries)
    return times, totals


def timed_cpu(
    index: SearchIndex, queries: Sequence[str], runs: int = 1
) -> tuple[list[float], list[int], list[float]]:
    """(wall seconds, totals, CPU seconds) of each query, snippets included: the median of
    ``runs`` runs of it."""
    times, totals, cpus = [], [], []
    for query in queries:
        walls, used = [], []
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            results = index.search(query)
            walls.append(time.perf_counter() - start)
            used.append(time.process_time() - cpu)
        times.append(statistics.median(walls))
        cpus.append(statistics.median(used))
        totals.append(results.total)
    return times, totals, cpus


def naive(sections: Sequence[Section], queries: Sequence[str]) -> tuple[list[float], list[int]]:
    corpus = [(s.title + "\n" + s.body).casefold() for s in sections]
    times, totals = [], []
    for query in queries:
        words = query.casefold().split()
        start = time.perf_counter()
        hits = [text for text in corpus if all(w in text for w in words)]
        times.append(time.perf_counter() - start)
        totals.append(len(hits))
    return times, totals


def _read(book: Book, path: str) -> str:
    from handbook.core.book.files import read_chapter_source

    text: str = read_chapter_source(book, path)
    return text


def code_table(book: Book) -> None:
    """Code queries on the Rust book: hits, the first hit, and whether it holds the query."""
    with IndexCache(None).open(book) as index:
        sections = {s.id: s for s in book_sections(book, read_sources(book, _read))}
        times, totals = timed(index, CODE_QUERIES)
        print(f"code queries on {book.title}")
        print(f"{'query':<22} {'hits':>5} {'ms':>6}  as typed in the first hit  first hit")
        for query, total, took in zip(CODE_QUERIES, totals, times, strict=True):
            hits = index.search(query).hits
            first = hits[0].id if hits else "-"
            held = "-"
            if hits:
                section = sections[hits[0].id]
                held = "yes" if query.lower() in (section.title + section.body).lower() else "no"
            print(f"{query:<22} {total:>5} {took * 1000:>6.2f}  {held:<25} {first[:60]}")
        print(f"p50 / p95: {ms(percentile(times, 0.5))} / {ms(percentile(times, 0.95))}")
    print()


def cjk_table() -> None:
    """What runs of CJK / Thai / Korean characters find, against a substring scan; and FTS5's
    trigram tokenizer against the index's pairs of characters."""
    with tempfile.TemporaryDirectory() as tmp:
        book = load_book(write_cjk_book(Path(tmp) / "cjk"))
        sections = list(book_sections(book, read_sources(book, _read)))
        with IndexCache(None).open(book) as index:
            times, totals = timed(index, CJK_QUERIES)
        scan_times, scan_totals = naive(sections, CJK_QUERIES)
        trigram = _trigram(sections)
        pairs = _pairs(sections)
    print("CJK book (Chinese, Japanese, Thai, Korean chapters; made by generated_books.py)")
    print(
        f"{'query':<10} {'index':>6} {'ms':>6} {'scan':>6} {'scan ms':>8} "
        f"{'trigram':>8} {'pairs':>6}"
    )
    for i, query in enumerate(CJK_QUERIES):
        print(
            f"{query:<10} {totals[i]:>6} {times[i] * 1000:>6.2f} {scan_totals[i]:>6} "
            f"{scan_times[i] * 1000:>8.3f} {trigram[0][i]:>8} {pairs[0][i]:>6}"
        )
    print(
        f"build: trigram table {ms(trigram[1])}, {trigram[2] // 1024} KB; "
        f"pairs column {ms(pairs[1])}, {pairs[2] // 1024} KB"
    )
    print("(trigram MATCH needs 3 characters: 2-character runs find nothing that way)")
    print()


def _trigram(sections: Sequence[Section]) -> tuple[list[int], float, int]:
    db = sqlite3.connect(":memory:")
    start = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'trigram')")
    db.executemany("INSERT INTO t VALUES (?)", [(s.title + "\n" + s.body,) for s in sections])
    took = time.perf_counter() - start
    found = []
    for query in CJK_QUERIES:
        quoted = '"' + query.replace('"', '""') + '"'
        found.append(db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (quoted,)).fetchone()[0])
    size = _size(db)
    db.close()
    return found, took, size


def _pairs(sections: Sequence[Section]) -> tuple[list[int], float, int]:
    db = sqlite3.connect(":memory:")
    start = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE t USING fts5(cjk, tokenize = 'unicode61')")
    db.executemany(
        "INSERT INTO t VALUES (?)", [(bigrams(s.title + "\n" + s.body),) for s in sections]
    )
    took = time.perf_counter() - start
    found = []
    for query in CJK_QUERIES:
        quoted = '"' + bigrams(query) + '"'
        found.append(db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (quoted,)).fetchone()[0])
    size = _size(db)
    db.close()
    return found, took, size


def _size(db: sqlite3.Connection) -> int:
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    return int(pages * db.execute("PRAGMA page_size").fetchone()[0])


def build_on_worker(book: Book, folder: Path) -> tuple[float, float, float]:
    """(open_book -> index_ready, the UI thread's longest pause meanwhile, the process's CPU
    seconds meanwhile)."""
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


def wait(ms: int) -> None:
    """Let ``ms`` pass in an event loop, as the window's does. (Not ``QTest.qWait``: it sleeps
    10 ms at a time holding the GIL, which starves the query thread and adds its own 10 ms
    gaps to the pauses measured.)"""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def typing_pause(
    app: QApplication, book: Book, folder: Path, text: str = TYPED
) -> tuple[float, float, float]:
    """Type ``text`` a key at a time (80 ms apart) into a panel over ``book``: the UI
    thread's longest pause from the first key until the last results are shown, the UI
    thread's own CPU in it and its wait for a CPU in it (see :class:`StallMeter`)."""
    panel = SearchPanel(folder)
    panel.resize(420, 700)
    panel.show()
    loop = QEventLoop()
    panel.runner.index_ready.connect(loop.quit)
    panel.set_book(book)
    loop.exec()
    meter = StallMeter()
    meter.start()
    for ch in text:
        QTest.keyClick(panel.field, ch)
        wait(80)
    deadline = time.perf_counter() + 30
    while panel.runner._query is not None and time.perf_counter() < deadline:
        wait(5)
    wait(50)
    pause = meter.stop()
    panel.runner.stop()
    panel.close()
    return pause, meter.longest_cpu, meter.longest_queued


def bare_typing_pause(text: str = TYPED) -> tuple[float, float, float]:
    """The baseline: the same typing into a field alone (no search), measured the same way."""
    field = QLineEdit()
    field.resize(400, 30)
    field.show()
    meter = StallMeter()
    meter.start()
    for ch in text:
        QTest.keyClick(field, ch)
        wait(80)
    wait(50)
    pause = meter.stop()
    field.close()
    return pause, meter.longest_cpu, meter.longest_queued


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def scale_table(app: QApplication, sizes: Sequence[int]) -> None:
    """Generated books: each size against the first (the growth), each query against a naive
    substring scan of the same sections (the baseline), the goals at 5,000 chapters."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            book = load_book(write_generated_book(Path(tmp) / f"g{size}", size))
            cache = Path(tmp) / f"cache{size}"
            build, stall, build_cpu = build_on_worker(book, cache)
            disk = _folder_size(cache)
            with IndexCache(cache).open(book) as index:
                index.search("warm")
                times, _, cpus = timed_cpu(index, GENERATED_QUERIES, runs=3)
                sections = index.section_count
            scan, _ = naive(list(book_sections(book, read_sources(book, _read))), GENERATED_QUERIES)
            pause, pause_cpu, queued = typing_pause(app, book, Path(tmp) / f"panel{size}")
            rows.append(
                (size, sections, build, build_cpu, stall, disk, times, cpus, scan, pause, pause_cpu)
            )
            queued_last = queued
    print("generated books (chapters of about 3 KB); wall, with CPU in brackets; each query")
    print("the median of 3 runs")
    print(
        f"{'chapters':>8} {'sections':>8} {'cold build':>18} {'UI stall':>9} {'on disk':>8} "
        f"{'p50':>7} {'p95':>16} {'scan p95':>9} {'typing pause':>18} {'build x':>8} "
        f"{'p95 x':>6}"
    )
    base_build, base_p95 = rows[0][2], percentile(rows[0][6], 0.95)
    for size, sections, build, build_cpu, stall, disk, times, cpus, scan, pause, pcpu in rows:
        p95 = percentile(times, 0.95)
        print(
            f"{size:>8} {sections:>8} {ms(build):>9} ({ms(build_cpu):>8}) {ms(stall):>8} "
            f"{disk / 2**20:>6.1f}MB {ms(percentile(times, 0.5)):>7} "
            f"{ms(p95):>7} ({ms(percentile(cpus, 0.95)):>7}) {ms(percentile(scan, 0.95)):>9} "
            f"{ms(pause):>8} ({ms(pcpu):>7}) {build / base_build:>7.1f}x {p95 / base_p95:>5.1f}x"
        )
    last = rows[-1]
    goals = (
        ("query p95", percentile(last[6], 0.95), percentile(last[7], 0.95), 0.020),
        ("cold build on the worker", last[2], last[3], 2.5),
        ("longest UI pause typing", last[9], last[10], 0.016),
    )
    print(f"goals at {last[0]:,} chapters (wall; CPU in brackets):")
    for name, wall, cpu, goal in goals:
        verdict = "met" if wall <= goal else "missed"
        print(f"  {name:<26} {ms(wall):>9} ({ms(cpu):>8})  goal ≤ {ms(goal):<9} {verdict}")
    print(f"  {'  of it waiting for a CPU':<26} {ms(queued_last):>9}  (other processes)")
    floor, floor_cpu, floor_queued = bare_typing_pause()
    print(
        f"  {'  baseline: a bare field':<26} {ms(floor):>9} ({ms(floor_cpu):>8})  "
        f"{ms(floor_queued)} waiting for a CPU"
    )
    print()


def huge_chapter_table(app: QApplication, megabytes: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        book = load_book(write_huge_chapter_book(Path(tmp) / "huge", megabytes))
        start = time.perf_counter()
        with IndexCache(None).open(book) as index:
            build = time.perf_counter() - start
            times, _ = timed(index, ["borrow checker", "match", "thread channel"])
        pause, pause_cpu, queued = typing_pause(app, book, Path(tmp) / "panel")
        size = (book.src / "huge.md").stat().st_size
    print(f"one chapter of {size / 2**20:.1f} MB without subheadings")
    print(f"build {ms(build)}; queries {', '.join(ms(t) for t in times)}")
    verdict = "met" if pause <= 0.016 else "missed"
    print(
        f"longest UI pause while typing {TYPED!r} a key at a time: {ms(pause)} "
        f"(UI thread CPU in it {ms(pause_cpu)}, waiting for a CPU {ms(queued)}); "
        f"goal ≤ 16 ms: {verdict}"
    )
    floor, floor_cpu, floor_queued = bare_typing_pause()
    print(
        f"  baseline: the same typing into a bare field: {ms(floor)} (CPU {ms(floor_cpu)}, "
        f"waiting for a CPU {ms(floor_queued)})"
    )
    print()
