"""The longest UI freeze in each of issue 12's attacks on the page and on paper: the largest gap
between the ticks of a 10 ms QTimer while the window does the work.

``PYTHONPATH=src:. python tests/reliability/scripts/measure_freezes.py [PDF-CHAPTERS]`` (0: no PDF)

- include amplification: a 37-byte chapter ``{{#include big.md}}`` of a 4.9 MB file, opened
  from a small chapter: until its first words are on the page (rendered off the UI thread),
  then until the whole page is in (filled in slices, ui/reader/page_fill.py);
- one long code block, one long table (3,000 lines, 1,000 rows; 120,000 lines, 150,000 rows):
  until the page's start is shown, then until the whole page is in;
- a hostile SVG (``<image xlink:href>`` to a file outside the book, and more) shown on a page;
- Export as PDF from the window of a generated book of PDF-CHAPTERS chapters (default 1,000),
  until the file is written.

A measurement, not a test: nothing is asserted. Offscreen.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication
from tests.reliability import pathological
from tests.reliability.scripts.measure_pathological import Ticks

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.render.renderer import Renderer
from handbook.core.render.theme import LIGHT
from handbook.ui.paper.pdf_export import PdfExport
from handbook.ui.paper.print_support import PdfExportRun
from handbook.ui.reader.background_render import BackgroundRender
from handbook.ui.window.main_window import MainWindow

SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="400" height="300"><rect width="400" height="300" fill="#ddeeff"/>
 <image width="200" height="200" xlink:href="{outside}"/>
 <image x="200" width="200" height="200" xlink:href="file://{outside}"/>
 <image y="200" width="100" height="100" xlink:href="pic.png"/></svg>"""


def wait(app: QApplication, until: object, at_least_s: float = 0.3) -> None:
    end = time.monotonic() + at_least_s
    while time.monotonic() < end or not until():  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.002)


def open_and_measure(
    app: QApplication, window: MainWindow, path: str
) -> tuple[str, float, str, float]:
    """The longest freeze and the time until the page's first words are shown (rendered off
    the UI thread, the start of the page set), then the same until the whole page is in (a
    long page is filled in slices: ui/reader/page_fill.py)."""
    ticks = Ticks()
    window.clear_chapter_cache()
    window.open_section("small.md")
    wait(app, lambda: True, 0.1)
    ticks.start()
    started = time.monotonic()
    window.open_section(path)
    wait(app, lambda: window.viewer.current_chapter() == path and not window.rendering(), 0.0)
    shown, first_words = freeze(ticks), time.monotonic() - started
    ticks.worst = ticks.worst_cpu = 0
    wait(app, lambda: not window.viewer.filling(), 0.3)
    ticks.timer.stop()
    return shown, first_words, freeze(ticks), time.monotonic() - started


def freeze(ticks: Ticks) -> str:
    return f"{ticks.worst} ms ({ticks.worst_cpu} ms CPU)"


def render_alone(app: QApplication, book: Book, path: str) -> tuple[str, float]:
    """The UI thread's longest freeze while ``path`` renders on its thread (not shown)."""
    rendered: list[object] = []
    background = BackgroundRender()
    background.finished.connect(rendered.append)
    ticks = Ticks()
    ticks.start()
    started = time.monotonic()
    background.start(path, Renderer(book).render)
    wait(app, lambda: bool(rendered), 0.0)
    ticks.timer.stop()
    return freeze(ticks), time.monotonic() - started


LONG_BLOCKS = {  # chapter: (what, lines or rows)
    "code-3000.md": ("a code block of 3,000 lines", 3_000),
    "table-1000.md": ("a table of 1,000 rows", 1_000),
    "code-120000.md": ("a code block of 120,000 lines (4.3 MB)", 120_000),
    "table-150000.md": ("a table of 150,000 rows (4.1 MB)", 150_000),
}


def long_blocks() -> dict[str, str]:
    """Chapters of one long code block or one long table (Qt lays a table out whole)."""
    pages = {}
    for name, (_, count) in LONG_BLOCKS.items():
        if name.startswith("code"):
            body = "\n".join(f"let x{i} = {i}; // a line of code" for i in range(count))
            pages[name] = f"# Code\n\n```text\n{body}\n```\n"
        else:
            rows = "\n".join(f"| cell {i} | value {i} |" for i in range(count))
            pages[name] = f"# Table\n\n| a | b |\n|---|---|\n{rows}\n"
    return pages


def build(folder: Path, chapters: int) -> tuple[Path, Path]:
    from tests.conftest import png, write_book

    outside = folder / "outside.png"
    outside.write_bytes(png(200, 200))
    pages = {
        "small.md": "# Small\n\nA short chapter.\n",
        "tiny.md": "{{#include big.md}}\n",  # 20 bytes; the had a title line too
        "big.md": pathological.big_prose(),
        "drawing.md": "# Drawing\n\n![hostile](hostile.svg)\n",
    }
    for name, markdown in long_blocks().items():
        pages[name] = markdown
    summary = "# Summary\n\n" + "".join(
        f"- [{name}]({name})\n" for name in pages if name != "big.md"
    )
    root = write_book(folder / "book", summary, pages)
    (root / "src" / "pic.png").write_bytes(png(20, 20))
    (root / "src" / "hostile.svg").write_text(SVG.format(outside=outside), encoding="utf-8")

    import benchmarks.bench_pdf as bench_pdf

    return root, bench_pdf.make_book(folder / "long", chapters)


def main() -> int:
    chapters = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    app = QApplication([sys.argv[0], "-platform", "offscreen"])
    with tempfile.TemporaryDirectory() as name:
        root, long_root = build(Path(name), chapters)
        book = load_book(root)
        window = MainWindow(book, open_external=lambda url: True)
        window.resize(1000, 700)
        window.show()
        app.processEvents()
        rows = []
        size = (root / "src" / "big.md").stat().st_size / 1024 / 1024
        shown, first_words, filling, whole = open_and_measure(app, window, "tiny.md")
        rows.append(
            f"| include amplification (20-byte chapter, {size:.1f} MB included): rendered off "
            f"the UI thread, the page's start shown | {shown} | {first_words:.1f} s to the "
            "first words |"
        )
        rows.append(
            f"| … the rest of its page filled in slices | {filling} | {whole:.1f} s to the "
            "whole page |"
        )
        worst, took = render_alone(app, book, "tiny.md")
        rows.append(f"| … the render alone (on its thread) | {worst} | {took:.1f} s |")
        for name, (what, _) in LONG_BLOCKS.items():
            shown, first_words, filling, whole = open_and_measure(app, window, name)
            rows.append(
                f"| {what}: the page's start shown / the rest filled in slices | {shown} / "
                f"{filling} | {first_words:.2f} s to the first words, {whole:.1f} s to the "
                "whole page |"
            )
        first, _, rest, took = open_and_measure(app, window, "drawing.md")
        worst = max(first, rest, key=lambda text: int(text.split()[0]))
        rows.append(f"| SVG naming files outside the book, drawn | {worst} | {took:.2f} s |")

        if chapters:  # 0: the page's attacks alone
            long_book = load_book(long_root)
            out = Path(name) / "long.pdf"
            run = PdfExportRun(PdfExport(long_book, Renderer(long_book, LIGHT).render, out), window)
            ticks = Ticks()
            ticks.start()
            started = time.monotonic()
            run.start()
            wait(app, lambda: run.done)
            ticks.timer.stop()
            rows.append(
                f"| Export as PDF, {chapters:,} chapters, from the window | {freeze(ticks)} "
                f"| {time.monotonic() - started:.1f} s to the file written |"
            )
        window.close()
    print("| attack | longest UI freeze, 10 ms heartbeat (UI thread's CPU then) | took |")
    print("|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
