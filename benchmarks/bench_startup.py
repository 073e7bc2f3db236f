"""Start-up and chapter benchmark: handbook against a bare PySide6 window, side by side.

    .venv/bin/python benchmarks/bench_startup.py [--runs 7] [--clicks 7] [--xvfb]

Prints one table; asserts nothing. In one run it measures:

- the headline, "to first page": the time from starting the process to the reader's page on
  screen, median over --runs starts, and the memory then (VmRSS, from /proc), for handbook on
  the bundled guide and on the Rust book, each against (a) a bare QMainWindow with a
  QTextBrowser (packaging/bare_window.py, which bench_package.py freezes) showing the same HTML
  (the page handbook kept for its start, read from the profile after the first start). A
  returning reader's start shows the page kept at the last close in its first frame
  (ui/app/start_page.py); otherwise the page comes once the window is built around the book;
- next to it, the CPU time the process had used by then (user and system, from its start):
  on a loaded machine the wall time of each start varies with what else runs, the CPU time
  much less;
- a side figure, "frame": the time to the first window exposed, and its memory (VmRSS, and
  VmHWM the peak so far);
- the time to show the Rust book's largest chapter after a click in the contents (render,
  setHtml, layout), median over --clicks clicks, each with the chapter cache emptied.

Each program prints ``HANDBOOK_BENCH <event> <unix time> <VmRSS KiB> <VmHWM KiB> <CPU ms>`` when
HANDBOOK_BENCH_EXIT=1, then quits. The starts are interleaved (a, b, c, a, b, c...) so that a
slower moment of the machine weighs on all three alike. Runs on Qt's offscreen platform, or
with --xvfb on a private Xvfb screen (the xcb platform, as on a desktop), in a private user
profile (tests/helpers/profile.py): the counted starts find what the uncounted first one
saved (window geometry, docks, the section read), as a returning reader's do.

handbook's modules run from bytecode, as when installed (pip compiles a wheel's modules, a
PyInstaller bundle holds .pyc files): a private PYTHONPYCACHEPREFIX, filled by the uncounted
first start, even when PYTHONDONTWRITEBYTECODE is set. --no-bytecode-cache measures them
compiled from source at every start instead (about 50 ms more).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.helpers.profile import private_profile  # noqa: E402

GUIDE = REPO / "resources" / "guide"
RUST_BOOK = REPO.parent / "shared" / "corpora" / "rust-book"
TARGETS = {  # (time, memory) to the first page, as a multiple of the bare window's (issue 15)
    "guide": (1.3, 1.3),
    "rust": (1.3, 1.3),
}
CHAPTER_TARGET_MS = 100.0


@dataclass
class Program:
    key: str
    label: str
    command: list[str]
    baseline: str = ""  # the key of the bare program showing the same page
    env: dict[str, str] = field(default_factory=dict)
    window_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    page_rss_kib: list[int] = field(default_factory=list)
    page_cpu_ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    hwm_kib: list[int] = field(default_factory=list)


def run_once(program: Program, env: dict[str, str]) -> None:
    start = time.time()
    done = subprocess.run(
        program.command,
        env={**env, **program.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    events = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] == "HANDBOOK_BENCH":
            events[parts[1]] = (float(parts[2]), int(parts[3]), int(parts[4]), float(parts[5]))
    if "window" not in events:
        raise SystemExit(f"{program.label}: no window reported\n{done.stdout}\n{done.stderr}")
    at, rss, hwm, _cpu = events["window"]
    program.window_ms.append((at - start) * 1000)
    program.rss_kib.append(rss)
    program.hwm_kib.append(hwm)
    page = events.get("page", events["window"])  # the bare window's page shows with it
    program.page_ms.append((page[0] - start) * 1000)
    program.page_rss_kib.append(page[1])
    program.page_cpu_ms.append(page[3])


@contextmanager
def display(use_xvfb: bool, bytecode: bool = True) -> Iterator[tuple[dict[str, str], str]]:
    env = {**os.environ, "HANDBOOK_BENCH_EXIT": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="handbook-bench-pyc-") as pyc, private_profile(env):
        if bytecode:  # as installed (a wheel's or PyInstaller's .pyc), not compiled each start
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pyc
        with _platform(env, use_xvfb) as where:
            yield env, where


@contextmanager
def _platform(env: dict[str, str], use_xvfb: bool) -> Iterator[str]:
    if not use_xvfb:
        env["QT_QPA_PLATFORM"] = "offscreen"
        yield "Qt offscreen platform"
        return
    if not shutil.which("Xvfb"):
        raise SystemExit("--xvfb: Xvfb is not installed (Debian: apt-get install xvfb)")
    number = 90 + os.getpid() % 400
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        env.update(DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
        yield f"Xvfb :{number}, xcb platform"
    finally:
        server.terminate()
        server.wait()


def chapter_child(book_path: str, clicks: int) -> None:
    """In a child process: time clicks on the largest chapter, with the cache emptied first."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from handbook.core.book.load import load_book
    from handbook.core.book.model import Book, RenderedChapter
    from handbook.ui.reader.chapter_cache import RenderChapter, default_renderer
    from handbook.ui.window.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    book = load_book(Path(book_path))
    render_ms: list[float] = []

    def timed_renderer(book: Book) -> RenderChapter:
        render = default_renderer(book)

        def timed(path: str) -> RenderedChapter:
            start = time.perf_counter()
            rendered = render(path)
            render_ms.append((time.perf_counter() - start) * 1000)
            return rendered

        return timed

    window = MainWindow(book, make_renderer=timed_renderer)
    window.resize(1100, 760)
    window.show()
    app.processEvents()
    chapters = [c.path for c in book.chapters() if c.path]
    largest = max(chapters, key=lambda p: (book.src / p).stat().st_size)
    rest = next(p for p in chapters if p != largest)
    total_ms: list[float] = []
    click_render_ms: list[float] = []
    for _ in range(clicks):
        window.open_section(rest)
        app.processEvents()
        window.clear_chapter_cache()
        render_ms.clear()
        start = time.perf_counter()
        window.toc_panel.section_activated.emit(largest)  # what a click on its row sends
        window.viewer.document().documentLayout().documentSize()
        app.processEvents()
        total_ms.append((time.perf_counter() - start) * 1000)
        click_render_ms.append(sum(render_ms))
    size_kib = (book.src / largest).stat().st_size / 1024
    print(
        json.dumps(
            {"chapter": largest, "size_kib": size_kib, "total": total_ms, "render": click_render_ms}
        )
    )


def measure_chapter(clicks: int, env: dict[str, str]) -> dict[str, object]:
    command = [sys.executable, __file__, "--chapter-child", str(RUST_BOOK), str(clicks)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"chapter timing failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def table(programs: list[Program], where: str, runs: int) -> None:
    by_key = {p.key: p for p in programs}
    print(f"\nStart-up, median of {runs} starts each ({where})\n")
    head = ["program", "to first page", "× bare", "target", "CPU then", "× bare"]
    head += ["VmRSS then", "× bare", "target"]
    head += ["frame", "VmRSS", "VmHWM"]
    rows = [head]
    for program in programs:
        base = by_key.get(program.baseline)
        page_ms = statistics.median(program.page_ms)
        page_rss = statistics.median(program.page_rss_kib)
        page_cpu = statistics.median(program.page_cpu_ms)
        time_target, memory_target = TARGETS.get(program.key, (None, None))
        rows.append(
            [
                program.label,
                f"{page_ms:.0f} ms",
                f"{page_ms / statistics.median(base.page_ms):.2f}" if base else "",
                f"≤ {time_target}" if time_target else "",
                f"{page_cpu:.0f} ms",
                f"{page_cpu / statistics.median(base.page_cpu_ms):.2f}" if base else "",
                mib(page_rss),
                f"{page_rss / statistics.median(base.page_rss_kib):.2f}" if base else "",
                f"≤ {memory_target}" if memory_target else "",
                f"{statistics.median(program.window_ms):.0f} ms",
                mib(statistics.median(program.rss_kib)),
                mib(statistics.median(program.hwm_kib)),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def kept_pages(env: dict[str, str], folder: Path) -> dict[str, Path]:
    """The pages handbook kept for its next start, by book folder, written out as HTML."""
    pages: dict[str, Path] = {}
    for kept in Path(env["XDG_CACHE_HOME"]).glob("**/start-pages/*.json"):
        data = json.loads(kept.read_text(encoding="utf-8"))
        html = folder / f"{kept.stem}.html"
        html.write_text(data["html"], encoding="utf-8")
        pages[os.path.realpath(data["book"])] = html
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="starts of each program (7)")
    parser.add_argument("--clicks", type=int, default=7, help="clicks on the chapter (7)")
    parser.add_argument("--xvfb", action="store_true", help="on Xvfb (xcb), not offscreen")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE: handbook's modules compiled from source at each start",
    )
    parser.add_argument("--chapter-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chapter_child:
        chapter_child(args.chapter_child[0], int(args.chapter_child[1]))
        return 0
    python = sys.executable
    bare = [python, str(REPO / "packaging/bare_window.py")]
    books = {"guide": ("bundled guide", GUIDE), "rust": ("Rust book", RUST_BOOK)}
    programs: list[Program] = []
    for key, (label, path) in books.items():
        programs.append(Program(f"bare-{key}", f"bare QMainWindow + QTextBrowser, {label}", bare))
        programs.append(
            Program(key, f"handbook, {label}", [python, "-m", "handbook", str(path)], f"bare-{key}")
        )
    with (
        display(args.xvfb, not args.no_bytecode_cache) as (env, where),
        tempfile.TemporaryDirectory(prefix="handbook-bench-html-") as html_folder,
    ):
        if args.no_bytecode_cache:
            where += "; no bytecode cache"
        for program in programs:  # one start each, not counted: fills the disk and bytecode caches
            run_once(program, env)
        pages = kept_pages(env, Path(html_folder))
        for key, (_label, path) in books.items():
            page = pages.get(os.path.realpath(path))
            if page is not None:
                next(p for p in programs if p.key == f"bare-{key}").env["HANDBOOK_BENCH_HTML"] = (
                    str(page)
                )
        for program in programs:
            for samples in (
                program.window_ms,
                program.page_ms,
                program.page_rss_kib,
                program.page_cpu_ms,
                program.rss_kib,
                program.hwm_kib,
            ):
                samples.clear()
        for _ in range(args.runs):
            for program in programs:
                run_once(program, env)
        table(programs, where, args.runs)
        chapter = measure_chapter(args.clicks, env)
    total = statistics.median(chapter["total"])  # type: ignore[arg-type]
    render = statistics.median(chapter["render"])  # type: ignore[arg-type]
    print(
        f"\nLargest Rust book chapter, {chapter['chapter']} ({chapter['size_kib']:.0f} KiB), "
        f"click to shown, cold cache, median of {args.clicks}: {total:.0f} ms "
        f"(render {render:.0f} ms, setHtml + layout {total - render:.0f} ms); "
        f"target ≤ {CHAPTER_TARGET_MS:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
