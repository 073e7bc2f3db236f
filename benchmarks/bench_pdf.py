"""PDF export of generated books of 100 / 1,000 / 5,000 chapters: time and peak memory.

``python benchmarks/bench_pdf.py [--sizes 100,1000,5000] [--baseline-up-to 5000]``

Each measurement runs in a fresh process (peak memory is the process's ``ru_maxrss``), offscreen:

- **handbook**: ``export_pdf`` as ``handbook pdf`` runs it: every chapter rendered, laid out in
  a document of its own, painted, the contents page and the outline added.
- **baseline** (same run, same chapters, same renderer): the whole book's HTML in one
  ``QTextDocument`` printed with ``QTextDocument.print_`` to a ``QPdfWriter``: what a plain
  Qt program does, and the shape of the code before (one document for the whole book).

"time" is from the start of the export to the file written (when the reader can open it).
A measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHAPTER = """# Chapter {n}

Some words of chapter {n}, with *emphasis*, `code` and a [link to the next](c{next:05}.md).

## A section of chapter {n}

{paragraph}

```rust
fn chapter_{n}() -> u32 {{
    {n}
}}
```

## Another section

{paragraph}

- one point
- another point
"""
PARAGRAPH = " ".join(["The quick brown fox jumps over the lazy dog."] * 12)


def make_book(folder: Path, chapters: int) -> Path:
    src = folder / "src"
    src.mkdir(parents=True)
    (folder / "book.toml").write_text(f'[book]\ntitle = "Bench {chapters}"\n', encoding="utf-8")
    lines = ["# Summary", ""]
    for n in range(chapters):
        name = f"c{n:05}.md"
        text = CHAPTER.format(n=n, next=(n + 1) % chapters, paragraph=PARAGRAPH)
        (src / name).write_text(text, encoding="utf-8")
        lines.append(f"- [Chapter {n}]({name})")
    (src / "SUMMARY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def child(mode: str, book_path: str, out: str) -> None:
    """One measurement, in this (fresh) process; prints a JSON line."""
    import resource

    from PySide6.QtGui import QGuiApplication

    from handbook.core.book.load import load_book
    from handbook.core.render.renderer import Renderer
    from handbook.core.render.theme import LIGHT

    app = QGuiApplication([sys.argv[0], "-platform", "offscreen"])
    book = load_book(Path(book_path))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "handbook":
        from handbook.ui.paper.pdf_export import export_pdf

        pages = export_pdf(book, Renderer(book, theme=LIGHT).render, Path(out)).pages
    else:
        pages = bare_print(book, Renderer(book, theme=LIGHT), Path(out))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kb": peak, "before_kb": before, "pages": pages}))
    del app


def bare_print(book: object, renderer: object, out: Path) -> int:
    """The book's chapters in one QTextDocument, printed by Qt (no contents, no outline)."""
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    from handbook.ui.paper.pdf_export import MARGINS_MM

    bodies = []
    for node in book.chapters():  # type: ignore[attr-defined]
        page = renderer.render(node.path)  # type: ignore[attr-defined]
        body = page.html.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
        bodies.append(f'<div style="page-break-before: always">{body}</div>')
    document = QTextDocument()
    document.setHtml("<html><body>" + "".join(bodies) + "</body></html>")
    writer = QPdfWriter(str(out))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(600)
    document.print_(writer)
    del writer
    return 0  # counted in the file


def measure(mode: str, book: Path, out: Path, timeout: float) -> dict[str, float] | None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(book), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    import pypdf  # the pages as a PDF reader counts them (a dev dependency)

    result["pages"] = len(pypdf.PdfReader(out).pages)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--baseline-up-to", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            book = make_book(Path(folder) / f"book{size}", size)
            for mode in ("baseline", "handbook"):
                if mode == "baseline" and size > args.baseline_up_to:
                    continue
                out = Path(folder) / f"{mode}{size}.pdf"
                found = measure(mode, book, out, args.timeout)
                if found is None:
                    rows.append(f"| {size:,} | {mode} | timed out or failed | | | |")
                    continue
                rows.append(
                    f"| {size:,} | {mode} | {found['seconds']:.1f} s | "
                    f"{found['peak_kb'] / 1024:.0f} MB | "
                    f"{(found['peak_kb'] - found['before_kb']) / 1024:.0f} MB | "
                    f"{int(found['pages']):,} |"
                )
                print(rows[-1], file=sys.stderr, flush=True)
    print("| chapters | export | time to the file written | peak RSS | peak RSS growth | pages |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
