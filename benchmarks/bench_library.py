"""Library benchmark: a query across books the size of the Rust book, and the library listed.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_library.py [RUST_BOOK] [--books 10]
        [--listed 1000] [--tab-runs 5] [--tabs-only]

Prints one table; asserts nothing. Measures, in one run:

- a query over the open indexes of N copies of the Rust book, ranked together and cut to the
  best 10 (``core.search.library.search_books``: what ``handbook search --all`` and the search
  panel's "All books" do once the indexes are open), p50 / p95 over the queries, entered and
  as typed (prefix), against the same queries on one book's index (the baseline), the way it
  was done before (each book's page of hits made, snippets and all, then ranked), and on two
  threads; the process's CPU time per query beside (the machine may be loaded: wall figures
  vary with it, CPU figures much less);
- ``handbook search QUERY --all`` end to end in-process (every book loaded, its index opened
  from the warm cache, searched, ranked), against ``handbook search QUERY BOOK`` on one book;
- the library listed (``LibraryStore.books()``: the rows read, each location looked at on
  disk) with 1,000 books, against 20 books;
- tabs: ``handbook`` started on a session of 10 tabs (the Rust book and 9 other books) against
  one of 1 tab, 20 books in the library: start to first page (the page kept for the start, and
  without it), the window complete, VmRSS at the first page; and the memory per extra tab,
  shown and not yet shown (see ``tabs_rows``).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from handbook.core.book.load import load_book
from handbook.core.library.store import FoundBook, LibraryBook, LibraryStore
from handbook.core.search.index import IndexCache, SearchIndex, SearchOptions
from handbook.core.search.library import search_books

DEFAULT_BOOK = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "rust-book"
QUERIES = [
    "borrow checker", "lifetime elision", "Box<T>", "trait objects", "ownership",
    "references", "slices", "struct", "enum", "match", "if let", "Option<T>", "closures",
    "iterators", "smart pointers", "Rc<T>", "threads", "channels", "Mutex", "async await",
    "pattern matching", "unsafe", "macros", "cargo publish", "workspaces", "testing",
    "panic", "Result", "generics", "modules",
]  # fmt: skip
LIMIT = 10


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def prefixes(query: str) -> list[str]:
    return [query[:n] for n in range(2, len(query) + 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("book", nargs="?", type=Path, default=DEFAULT_BOOK)
    parser.add_argument("--books", type=int, default=10)
    parser.add_argument("--listed", type=int, default=1000)
    parser.add_argument("--tab-runs", type=int, default=5, help="starts per session (0: none)")
    parser.add_argument("--tabs-only", action="store_true", help="only the tabs' rows")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    if args.tabs_only:
        with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
            root = Path(tmp)
            for n in range(2):
                copy = root / "books" / f"rust-{n}"
                shutil.copytree(args.book, copy, ignore=shutil.ignore_patterns(".git"))
            rows += tabs_rows(root, args.tab_runs or 5)
            print_rows(rows)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
        root = Path(tmp)
        os.environ["XDG_DATA_HOME"] = str(root / "data")
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(root / "config")
        cache = IndexCache(root / "index-cache")
        entries: list[tuple[LibraryBook, SearchIndex]] = []
        build_ms: list[float] = []
        for n in range(args.books):
            copy = root / "books" / f"rust-{n}"
            shutil.copytree(args.book, copy, ignore=shutil.ignore_patterns(".git"))
            book = load_book(copy)
            start = time.perf_counter()
            index = cache.open(book)
            build_ms.append((time.perf_counter() - start) * 1000)
            entries.append((LibraryBook(copy, f"{book.title} {n}", book.format, 0, None), index))
        indexes = entries

        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bench-books")

        def across(query: str, books: int, executor: Executor | None = None) -> None:
            search_books(query, indexes[:books], LIMIT, executor=executor)

        def each_then_ranked(query: str, books: int) -> None:
            """The way before: each book's page of hits made (snippets), then ranked."""
            found = [
                (h.partial, -h.score, h.id)
                for _, index in indexes[:books]
                for h in index.search(query, SearchOptions(limit=LIMIT)).hits
            ]
            sorted(found)[:LIMIT]

        rows.append(
            (
                "index build, one Rust book (cold)",
                f"{statistics.median(build_ms):.0f} ms",
                "p50 of the copies",
            )
        )
        for label, queries in (
            ("entered", QUERIES),
            ("as typed", [p for q in QUERIES for p in prefixes(q)]),
        ):
            ways: list[tuple[str, Callable[[str], None]]] = [
                ("baseline: 1 book", lambda q: across(q, 1)),
                (
                    f"{args.books} books, each's hits made, then ranked (before)",
                    lambda q: each_then_ranked(q, args.books),
                ),
                (f"{args.books} books ranked together", lambda q: across(q, args.books)),
                (
                    f"{args.books} books ranked together, 2 threads",
                    lambda q: across(q, args.books, pool),
                ),
            ]
            for what, way in ways:
                for query in queries[:5]:
                    way(query)  # warm-up
                samples, cpu_samples = [], []
                for query in queries:
                    cpu = time.process_time()
                    samples.append(timed(lambda q=query, w=way: w(q)))  # type: ignore[misc]
                    cpu_samples.append((time.process_time() - cpu) * 1000)
                p50, p95 = percentiles(samples)
                cpu50, cpu95 = percentiles(cpu_samples)
                rows.append(
                    (
                        f"query {label}, {what}",
                        f"p50 {p50:.1f} ms / p95 {p95:.1f} ms",
                        f"{len(samples)} queries; CPU p50 {cpu50:.1f} / p95 {cpu95:.1f} ms",
                    )
                )
        pool.shutdown()
        for _, index in indexes:
            index.close()

        from handbook.cli import main as cli
        from handbook.paths import data_dir

        with LibraryStore.open(data_dir()) as store:
            for entry, _ in entries:
                store.add(FoundBook(entry.location, entry.title, entry.format))
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")
        one = str(entries[0][0].location)
        for argv in (["search", "ownership", one], ["search", "ownership", "--all"]):
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                cli(argv)  # warm cache
                samples = [timed(lambda a=argv: cli(a)) for _ in range(3)]
            rows.append(
                (
                    f"handbook {' '.join(a if a != one else 'BOOK' for a in argv)} (warm cache)",
                    f"p50 {statistics.median(samples):.0f} ms",
                    "3 runs, in-process",
                )
            )

        for count in (20, args.listed):
            folder = root / f"library-{count}"
            with LibraryStore.open(folder) as store:
                for n in range(count):
                    store.add(FoundBook(root / "books" / f"book-{n}", f"Book {n}", "mdbook"))
                samples = [timed(store.books) for _ in range(10)]
            label = "baseline: 20 books" if count == 20 else f"{count} books"
            rows.append(
                (f"library listed, {label}", f"p50 {statistics.median(samples):.1f} ms", "10 runs")
            )
        rows += library_window(root, args.listed)
        if args.tab_runs:
            rows += tabs_rows(root, args.tab_runs)
    print_rows(rows)
    return 0


def print_rows(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'result':<32}  note")
    for name, result, note in rows:
        print(f"{name.ljust(width)}  {result:<32}  {note}")


def library_window(root: Path, listed: int) -> list[tuple[str, str, str]]:
    """Book > Library… with 20 and ``listed`` books: opened (built, shown, first frame) and
    scrolled page by page; then a folder of ``listed`` small books added through it, and the
    UI thread's longest stall meanwhile (a 1 ms timer's largest gap)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from handbook.core.library.store import guide_entry
    from handbook.ui.library.dialog import LibraryDialog

    app = QApplication.instance() or QApplication([])
    guide = guide_entry()
    rows = []
    for count in (20, listed):
        folder = root / f"library-{count}"
        opened, scrolled = [], []
        for _ in range(5):
            cpu = time.process_time()
            start = time.perf_counter()
            dialog = LibraryDialog(folder, guide)
            dialog.show()
            QTest.qWaitForWindowExposed(dialog)
            dialog.repaint()
            opened.append(
                ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
            )
            bar = dialog.tree.verticalScrollBar()
            for value in range(0, bar.maximum() + 1, max(bar.pageStep(), 1)):
                start = time.perf_counter()
                bar.setValue(value)
                dialog.tree.viewport().repaint()
                scrolled.append((time.perf_counter() - start) * 1000)
            dialog.close()
            dialog.deleteLater()
            app.processEvents()
        wall, cpu_ms = (statistics.median(x) for x in zip(*opened, strict=True))
        label = "baseline: 20 books" if count == 20 else f"{count} books"
        rows.append(
            (
                f"Library window opened, {label}",
                f"p50 {wall:.0f} ms",
                f"5 runs; CPU {cpu_ms:.0f} ms",
            )
        )
        if len(scrolled) > 1:
            p50, p95 = percentiles(scrolled)
            rows.append(
                (
                    f"Library window scrolled a page, {label}",
                    f"p50 {p50:.1f} ms / p95 {p95:.1f} ms",
                    f"{len(scrolled)} pages",
                )
            )
    shelf = root / "shelf"
    for n in range(listed):
        book = shelf / f"book-{n:04d}"
        (book / "src").mkdir(parents=True)
        (book / "book.toml").write_text(f'[book]\ntitle = "Book {n:04d}"\n', encoding="utf-8")
        (book / "src" / "SUMMARY.md").write_text("# Summary\n\n- [One](one.md)\n")
        (book / "src" / "one.md").write_text("# One\n\nText.\n", encoding="utf-8")
    dialog = LibraryDialog(root / "library-added", guide)
    dialog.show()
    QTest.qWaitForWindowExposed(dialog)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    timer.start()
    start = time.perf_counter()
    dialog.add_path(shelf)
    while dialog.scan.is_running():
        app.processEvents()
        time.sleep(0.0005)
    added_ms = (time.perf_counter() - start) * 1000
    timer.stop()
    dialog.close()
    rows.append(
        (
            f"Library window: a folder of {listed} books added",
            f"{added_ms:.0f} ms",
            f"UI thread's longest stall {max(gaps, default=0):.0f} ms; {dialog.note.text()}",
        )
    )
    return rows


# -- tabs: the session at start, memory per tab ------------------------------------------------

TABS = 10


def tabs_rows(root: Path, runs: int) -> list[tuple[str, str, str]]:
    """``handbook`` started with no path (the last session) in a private profile whose
    session holds 1 tab (the baseline) or 10 (the Rust book and 9 other books, each shown
    once), 20 books in the library: start to first page, with the page kept for the start
    (a returning reader) and without it (the page rendered once the window is built), and
    to the window complete (the session's tabs in place); VmRSS at the first page. Then,
    in-process, the memory of each extra tab shown (rendered) and not yet shown."""
    import subprocess

    books = [root / "books" / f"rust-{n}" for n in range(2)]
    books += [root / "tab-books" / f"book-{n}" for n in range(TABS - 2)]
    for n, folder in enumerate(books[2:]):
        (folder / "src").mkdir(parents=True, exist_ok=True)
        (folder / "book.toml").write_text(f'[book]\ntitle = "Book {n}"\n', encoding="utf-8")
        summary = "".join(f"- [Chapter {c}](c{c}.md)\n" for c in range(20))
        (folder / "src" / "SUMMARY.md").write_text(f"# Summary\n\n{summary}", encoding="utf-8")
        for c in range(20):
            words = " ".join(f"word{w}" for w in range(2000))
            (folder / "src" / f"c{c}.md").write_text(f"# Chapter {c}\n\n{words}\n")
    env_base = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env_base["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env_base.get("PYTHONPATH")]))
    profiles = {}
    for count in (1, TABS):
        profile = root / f"profile-{count}"
        env = {**env_base}
        for variable, name in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            env[variable] = str(profile / name)
        seed = [sys.executable, __file__, "--seed-session", *map(str, books[:count])]
        subprocess.run(seed, env=env, check=True, capture_output=True, timeout=600)
        profiles[count] = env
    samples: dict[tuple[int, bool], list[tuple[float, float, int, float]]] = {}
    for _ in range(runs):
        for kept in (True, False):
            for count, env in profiles.items():
                if not kept:
                    for folder in Path(env["XDG_CACHE_HOME"]).glob("**/start-pages"):
                        shutil.rmtree(folder, ignore_errors=True)
                samples.setdefault((count, kept), []).append(_start(env))
    rows = []
    for kept in (True, False):
        for count in (1, TABS):
            page = statistics.median(s[0] for s in samples[(count, kept)])
            done = statistics.median(s[1] for s in samples[(count, kept)])
            rss = statistics.median(s[2] for s in samples[(count, kept)])
            cpu = statistics.median(s[3] for s in samples[(count, kept)])
            label = "baseline: 1 tab" if count == 1 else f"{count} tabs"
            how = "page kept for the start" if kept else "no page kept"
            rows.append(
                (
                    f"start to first page, {label} in the session ({how})",
                    f"{page:.0f} ms; VmRSS {rss / 1024:.0f} MiB",
                    f"window complete {done:.0f} ms (CPU {cpu:.0f} ms); median of {runs}",
                )
            )
    per_tab = subprocess.run(
        [sys.executable, __file__, "--tab-memory", *map(str, books)],
        env=profiles[1],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout.split()
    restore_ms, restore_cpu, shown, pending = (float(x) for x in per_tab[-4:])
    rows.append(
        (
            f"restore_session(): {TABS - 1} tabs put around the first",
            f"{restore_ms:.1f} ms",
            f"CPU {restore_cpu:.1f} ms; no book read, nothing rendered",
        )
    )
    rows.append(
        (
            "memory per extra tab shown (its page rendered)",
            f"{shown:.1f} MiB",
            f"VmRSS, {TABS - 1} tabs opened on other books after the first",
        )
    )
    rows.append(
        (
            "memory per extra tab not yet shown (a session's)",
            f"{pending:.2f} MiB",
            f"VmRSS, {TABS - 1} tabs restored",
        )
    )
    return rows


def _start(env: dict[str, str]) -> tuple[float, float, int, float]:
    """One start of ``handbook`` (no path: the last session): (ms to the first page, ms to
    the process' end, which quits once the window is built, VmRSS KiB at the page, the
    process' CPU ms)."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "handbook"],
        env={**env, "HANDBOOK_BENCH_EXIT": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    end = time.time()
    events = {}
    for line in done.stdout.splitlines():
        parts = line.split()  # HANDBOOK_BENCH event time VmRSS VmHWM [CPU ms]
        if len(parts) >= 5 and parts[0] == "HANDBOOK_BENCH":
            events[parts[1]] = (float(parts[2]), int(parts[3]))
    if "page" not in events:
        raise SystemExit(f"no page reported\n{done.stdout}\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return (events["page"][0] - start) * 1000, (end - start) * 1000, events["page"][1], cpu


def _window(books: list[Path]):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from handbook.ui.app.services import open_services
    from handbook.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    services = open_services(app)
    window = MainWindow(load_book(books[0]), services=services)
    window.resize(1100, 760)
    window.show()
    app.processEvents()
    window.restore_place()
    app.processEvents()
    return app, services, window


def seed_session(books: list[Path]) -> None:
    """In a child process, in the profile its environment names: a window with a tab on each
    of ``books`` (each shown once), the first one shown, closed (the session saved), and the
    books in the library (20)."""
    from handbook.core.library.store import FoundBook
    from handbook.paths import data_dir

    app, services, window = _window(books)
    for book in books[1:]:
        window.open_book_at(book, new_tab=True)
        app.processEvents()
    window.tabs.setCurrentIndex(0)
    app.processEvents()
    with LibraryStore.open(data_dir()) as store:
        for n in range(20):
            store.add(FoundBook(Path(f"/nowhere/book-{n}"), f"Book {n}", "mdbook"))
    window.close()
    services.close()


def tab_memory(books: list[Path]) -> None:
    """In a child process: print the time (wall, CPU ms) to restore a session of ``books``
    around the first, then the VmRSS (MiB) per extra tab shown, and per extra tab restored
    but not yet shown."""
    from handbook.ui.app.run import memory_kib

    app, services, window = _window(books)
    for _ in range(3):
        app.processEvents()
    before = memory_kib()[0]
    for book in books[1:]:
        window.open_book_at(book, new_tab=True)
        app.processEvents()
    shown = (memory_kib()[0] - before) / 1024 / (len(books) - 1)
    window.close()  # the session saved: 10 tabs
    services.close()
    _app, services, restored = _window(books)
    before = memory_kib()[0]
    start, cpu = time.perf_counter(), time.process_time()
    restored.restore_session()
    restore_ms = (time.perf_counter() - start) * 1000
    restore_cpu = (time.process_time() - cpu) * 1000
    app.processEvents()
    pending = (memory_kib()[0] - before) / 1024 / (len(books) - 1)
    print(f"{restore_ms:.2f} {restore_cpu:.2f} {shown:.2f} {pending:.3f}")
    restored.close()
    services.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed-session"]:
        seed_session([Path(p) for p in sys.argv[2:]])
    elif sys.argv[1:2] == ["--tab-memory"]:
        tab_memory([Path(p) for p in sys.argv[2:]])
    else:
        sys.exit(main())
