"""Formats benchmark: plain folders of 100, 1,000 and 5,000 pages and MkDocs' documentation,
against the same pages in mdBook's layout, side by side.

    .venv/bin/python benchmarks/bench_formats.py [--runs 3]

Prints one table; asserts nothing. For each book, in one run:

- open to first page: from starting ``handbook PATH`` (a process of its own, Qt's offscreen
  platform, a private profile) to the first page shown, as bench_startup.py measures it
  (``HANDBOOK_BENCH page``), median over --runs starts: the moment the reader can read;
- the book loaded alone (``load_book``: the tree and every page's headings), in this process;
- the full search index built from scratch (``IndexCache(None).open``), in this process.

The baseline is the same pages in mdBook's layout (a SUMMARY.md listing them), measured in the
same run. The generated pages are alike: a heading, two subheadings, a few paragraphs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.helpers.profile import private_profile  # noqa: E402

MKDOCS_DOCS = REPO.parent / "shared" / "corpora" / "mkdocs-docs"
SIZES = (100, 1_000, 5_000)
PARAGRAPH = (
    "Kratom leaves are taken for chronic pain by some readers; this page says what is known, "
    "what is not, and what to ask a doctor about the hair loss some people notice. "
)


def page_text(n: int) -> str:
    body = "\n\n".join(PARAGRAPH * 2 for _ in range(3))
    return f"# Page {n}\n\n{body}\n\n## Details {n}\n\n{body}\n\n## Notes {n}\n\n{body}\n"


def make_folder(root: Path, pages: int) -> Path:
    """``pages`` pages in folders of 50 (``part-1/page-1.md``...), with a README."""
    (root).mkdir(parents=True)
    (root / "README.md").write_text("# Generated notes\n\nAn index page.\n", encoding="utf-8")
    for n in range(1, pages):
        folder = root / f"part-{n // 50 + 1}"
        folder.mkdir(exist_ok=True)
        (folder / f"page-{n}.md").write_text(page_text(n), encoding="utf-8")
    return root


def as_mdbook(folder: Path, root: Path) -> Path:
    """The same pages in mdBook's layout (src/ = a copy, SUMMARY.md listing them in order)."""
    from handbook.core.book.load import load_book

    book = load_book(folder)
    src = root / "src"
    lines = ["# Summary", ""]
    for node in book.nodes():
        if node.path is None:
            continue
        target = src / node.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((folder / node.path).read_bytes())
        depth = node.path.count("/")
        lines.append(f"{'    ' * depth}- [{node.title}]({node.path})")
    (src / "SUMMARY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def first_page_ms(path: Path, runs: int) -> float:
    env = {**os.environ, "HANDBOOK_BENCH_EXIT": "1", "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = str(REPO / "src")
    times = []
    with private_profile(env):
        for run in range(runs + 1):
            start = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "handbook", str(path)],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            page = [line.split() for line in done.stdout.splitlines() if " page " in line]
            if not page:
                raise SystemExit(f"{path}: no page reported\n{done.stdout}\n{done.stderr}")
            if run:  # the first start fills the profile and the bytecode cache
                times.append((float(page[0][2]) - start) * 1000)
    return statistics.median(times)


def load_and_index_ms(path: Path) -> tuple[float, float, int]:
    from handbook.core.book.load import load_book
    from handbook.core.search.index import IndexCache

    start = time.perf_counter()
    book = load_book(path)
    loaded = time.perf_counter()
    index = IndexCache(None).open(book)
    built = time.perf_counter()
    index.close()
    return (loaded - start) * 1000, (built - loaded) * 1000, len(book.chapters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="handbook-bench-formats-") as tmp:
        books: list[tuple[str, Path]] = []
        for size in SIZES:
            folder = make_folder(Path(tmp) / f"folder-{size}", size)
            books.append((f"plain folder, {size:,} pages", folder))
            books.append(
                (
                    f"  baseline: mdBook, {size:,} pages",
                    as_mdbook(folder, Path(tmp) / f"mdbook-{size}"),
                )
            )
        if (MKDOCS_DOCS / "mkdocs.yml").is_file():
            books.append(("MkDocs' documentation", MKDOCS_DOCS))
        for label, path in books:
            load_ms, index_ms, pages = load_and_index_ms(path)
            page_ms = first_page_ms(path, args.runs)
            rows.append((label, pages, page_ms, load_ms, index_ms))
            print(f"... {label}", file=sys.stderr, flush=True)
    print(f"handbook formats benchmark (median of {args.runs} starts; Qt offscreen)\n")
    header = f"{'book':<34} {'pages':>6} {'first page':>11} {'load_book':>10} {'index build':>12}"
    print(header)
    print("-" * len(header))
    for label, pages, page_ms, load_ms, index_ms in rows:
        print(f"{label:<34} {pages:>6} {page_ms:>8.0f} ms {load_ms:>7.0f} ms {index_ms:>9.0f} ms")


if __name__ == "__main__":
    main()
