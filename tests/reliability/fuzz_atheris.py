"""Coverage-guided fuzzing with atheris.

``python tests/reliability/fuzz_atheris.py TARGET [libFuzzer options]``, TARGET one of summary,
includes, query, render. Without ``-runs`` it fuzzes until a crash; test_fuzz.py runs each
target for a short seeded run. Any exception is a finding.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["handbook"]):
    from handbook.core.book.includes import expand_includes
    from handbook.core.book.summary import parse_summary
    from handbook.core.render.renderer import make_markdown
    from handbook.core.render.sanitize import sanitize
    from handbook.core.search.query import match_expression, parse_query

SENTINEL = "SENTINEL-outside-the-book-3f9a"


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


def summary(data: bytes) -> None:
    parse_summary(_text(data))


def _include_tree() -> Path:
    base = Path(tempfile.mkdtemp(prefix="fuzz-includes-"))
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_text(SENTINEL, encoding="utf-8")
    src = base / "book" / "src"
    src.mkdir(parents=True)
    (src / "a.rs").write_text("// ANCHOR: x\nfn a() {}\n// ANCHOR_END: x\n", encoding="utf-8")
    (src / "b.md").write_text("{{#include a.rs:x}}\n", encoding="utf-8")
    (src / "escape.txt").symlink_to(base / "outside" / "secret.txt")
    return base / "book"


def includes(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    prefix = provider.PickValueInList(
        ["{{#include ", "{{#rustdoc_include ", "{{#playground ", "", "\\{{#include "]
    )
    path = provider.PickValueInList(
        ["a.rs", "b.md", "escape.txt", "../../outside/secret.txt", "/etc/passwd", "", "src"]
    )
    rest = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    expanded = expand_includes(prefix + path + rest, BOOK / "src" / "chapter.md", BOOK)
    if SENTINEL in expanded.text:
        raise AssertionError("text from outside the book was included")


def query(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    typing = provider.ConsumeBool()
    expression = match_expression(
        parse_query(provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes()), typing=typing),
        expand_prefix=lambda p: [p + "s"],
    )
    if expression is not None:
        FTS.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


def render(data: bytes) -> None:
    MD.reset()
    html = sanitize(MD.convert(_text(data)))
    if "<script" in html or "javascript:" in html:
        raise AssertionError("unsafe HTML passed the sanitizer")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "summary": summary,
    "includes": includes,
    "query": query,
    "render": render,
}

if __name__ == "__main__":
    target = sys.argv.pop(1)
    if target == "includes":
        BOOK = _include_tree()
    if target == "render":
        MD = make_markdown()
    if target == "query":
        FTS = sqlite3.connect(":memory:")
        FTS.execute(
            "CREATE VIRTUAL TABLE t USING fts5(body, cjk, "
            "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        FTS.execute("INSERT INTO t VALUES ('pains borrowing café C++', '日本 本語')")
    atheris.Setup(sys.argv, TARGETS[target])
    atheris.Fuzz()
