"""Fuzzing the parsers of untrusted text: SUMMARY.md, chapters, include links, search queries.

Every test is seeded (``derandomize=True``), so a failure in CI reproduces on any machine, and
runs a fixed number of examples. The strategies mix the syntax each parser cares about with
arbitrary text, so that the examples reach the parser's branches, not only its fast paths.
Longer fuzzing with coverage guidance: ``tests/reliability/fuzz_atheris.py`` (see
test_atheris_finds_nothing_in_a_short_seeded_run below and docs/RELIABILITY.md).
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handbook.core.book.includes import expand_includes
from handbook.core.book.model import NodeKind
from handbook.core.book.summary import parse_summary
from handbook.core.search.query import match_expression, parse_query
from tests.reliability.helpers import REPO, child_env


def seeded(examples: int) -> settings:
    """A fixed number of examples from a fixed seed: a failure reproduces anywhere."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def pieces_and_text(pieces: list[str], max_pieces: int = 40) -> st.SearchStrategy[str]:
    """Text made of syntax ``pieces`` and short arbitrary strings, in any order."""
    atoms = st.one_of(st.sampled_from(pieces), st.text(max_size=12))
    return st.one_of(st.text(max_size=300), st.lists(atoms, max_size=max_pieces).map("".join))


# --- SUMMARY.md ------------------------------------------------------------------------------

SUMMARY_PIECES = [
    "# Summary\n", "# Part\n", "Title\n===\n", "---\n", "***\n", "\n", "\n\n", "\r\n", "\r",
    "\ufeff", "\t", "  ", "    ", "- ", "* ", "+ ", "1. ", "2) ", "-", "[", "]", "(", ")",
    "<", ">", "`", "``", "```\n", "~~~\n", "<!--", "-->", "<div>\n", "\\", "*", "_", "**",
    "[Intro](intro.md)", "[A](a/b.md)", "[Draft]()", "[Ref][r]", "[r]: ref.md\n",
    "[Esc](a%20b.md)", "[Up](../up.md)", "[Abs](/etc/passwd)", "[T](x.md \"title\")",
    "[Angle](<a b.md>)", "- [C](c.md)\n", "  - [D](d.md)\n", "\x00", "é", "🙂",
]  # fmt: skip


@seeded(1000)
@given(text=pieces_and_text(SUMMARY_PIECES))
@example(text="- [A](a.md)\n" + "  " * 2000 + "- [B](b.md)\n")
@example(text="[" * 8000)
@example(text="- " * 5000 + "[x](x.md)")
def test_summary_parser_takes_any_text(text: str) -> None:
    file = Path("book/src/SUMMARY.md")
    summary = parse_summary(text, file)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for problem in summary.problems:
        assert problem.file == file
        assert problem.line is None or 1 <= problem.line <= lines, problem
        assert problem.message.strip()
    for top in summary.toc:
        for node in top.walk():
            assert isinstance(node.kind, NodeKind)
            assert 1 <= node.line <= lines
            if node.path is not None:
                assert node.path and not node.path.startswith("./")
            if node.number is not None:
                assert re.fullmatch(r"(\d+\.)+", node.number), node.number
            if node.kind is not NodeKind.CHAPTER:
                assert not node.children


# --- include links -----------------------------------------------------------------------------

SENTINEL = "SENTINEL-outside-the-book-3f9a"


@pytest.fixture(scope="module")
def include_tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small book with includable files, a file outside it and a symlink leading there."""
    base = tmp_path_factory.mktemp("includes")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SENTINEL}\n", encoding="utf-8")
    root = base / "book"
    src = root / "src"
    (src / "inc").mkdir(parents=True)
    (src / "inc" / "code.rs").write_text(
        '// ANCHOR: all\nfn main() {\n    // ANCHOR: body\n    println!("hi");\n'
        "    // ANCHOR_END: body\n}\n// ANCHOR_END: all\n",
        encoding="utf-8",
    )
    (src / "inc" / "nested.md").write_text(
        "before {{#include code.rs:body}} after\n", encoding="utf-8"
    )
    (src / "loop.md").write_text("again {{#include loop.md}}\n", encoding="utf-8")
    (src / "bad.txt").write_bytes(b"ok\n\xff\xfe\n")
    (src / "escape.txt").symlink_to(outside / "secret.txt")
    (src / "self-loop").symlink_to(src / "self-loop")
    yield root


INCLUDE_PIECES = [
    "{{#include ", "{{ #include ", "{{#rustdoc_include ", "{{#playground ", "{{#playpen ",
    "{{#title T}}", "{{#other x}}", "\\{{#include inc/code.rs}}", "}}", "{{", "}", " ",
    "\n", "```\n", "inc/code.rs", "inc/nested.md", "loop.md", "bad.txt", "escape.txt",
    "self-loop", "inc", "inc/", "missing.md", "../../outside/secret.txt",
    "../../../etc/passwd", "/etc/passwd", "../book/src/inc/code.rs", "./inc/../inc/code.rs",
    ":", ":1", ":2:", "::3", ":1:2", ":all", ":body", ":nope", ":0", ":-1",
    ":99999999999999999999", ":²", ":١", " editable", " ignore", "é", "\x00",
]  # fmt: skip


@seeded(800)
@given(text=pieces_and_text(INCLUDE_PIECES))
def test_include_links_take_any_text_and_never_leave_the_book(
    include_tree: Path, text: str
) -> None:
    """No exception; nothing from outside the book; every note names a line of the chapter."""
    chapter = include_tree / "src" / "chapter.md"
    expanded = expand_includes(text, chapter, include_tree)
    assert SENTINEL not in expanded.text
    assert "root:x:0:0" not in expanded.text
    lines = text.count("\n") + 1
    for note in expanded.notes:
        assert 1 <= note.line <= lines, note
        assert note.message.strip()


@pytest.mark.parametrize(
    "text",
    [
        "{{#include inc/code.rs:²}}",  # "²".isdigit() is True, int("²") raises
        "{{#include inc/code.rs:1:²}}",
        "{{#include inc\x00code.rs}}",  # a NUL in the path: os.lstat raises ValueError
    ],
    ids=["superscript-start", "superscript-end", "nul-in-path"],
)
def test_include_links_that_once_raised_are_notes(include_tree: Path, text: str) -> None:
    """Found by this fuzzing before includes.py was first committed, where each raised
    ValueError out of expand_includes (taking the whole chapter down to an error page)."""
    expanded = expand_includes(text, include_tree / "src" / "chapter.md", include_tree)
    assert len(expanded.notes) == 1
    assert expanded.notes[0].line == 1


# --- the renderer ------------------------------------------------------------------------------

MARKDOWN_PIECES = [
    "# ", "## ", "###### ", "Title\n===\n", "- ", "* ", "1. ", "> ", ">> ", "> [!NOTE]\n",
    "```\n", "```rust\n", "```rust,ignore\n", "~~~\n", "# hidden();\n", "    ", "\t",
    "|a|b|\n|-|:-:|\n|1|2|\n", "[x]: y.md\n", "[^1]", "[^1]: note\n", "Term\n: Def\n",
    "- [ ] ", "- [x] ", "**", "*", "_", "~~", "`", "``", "[", "]", "(", ")", "](", "![i](",
    "{#id}", "{: .c #i }", "<", ">", "<div>", "</div>", "<![", "<!--", "-->", "<br>",
    "<script>x()</script>", "<img src=x onerror=y()>", "<a href='javascript:x()'>j</a>",
    "<a href=\"data:text/html,x\">d</a>", "<p style=\"background:url(file:///x)\">s</p>",
    "&amp;", "&#x", "&#106;avascript:", "\\", "\n", "\n\n", "word", "é", "🙂", "\x00",
]  # fmt: skip
UNSAFE_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "style", "meta", "base", "link", "form", "svg",
     "math", "frame", "frameset", "applet", "audio", "video", "source", "input"}
)  # fmt: skip
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "poster"})
SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.\-]*):")  # as a URL parser reads one
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


class _Tags(HTMLParser):
    """The tags and attributes of a page, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.unsafe: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE_TAGS:
            self.unsafe.append(tag)
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.unsafe.append(f"{tag} {name}")
            elif name in URL_ATTRIBUTES and (scheme := SCHEME.match(value)):
                if scheme.group(1).lower() not in SAFE_SCHEMES:
                    self.unsafe.append(f"{tag} {name}={value}")
            elif name == "style" and re.search(r"url\s*\(|expression|@import", value, re.I):
                self.unsafe.append(f"{tag} style={value}")


def unsafe_tags(html: str) -> list[str]:
    """What in ``html`` could run or fetch something (text is harmless, however it reads)."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.unsafe


@pytest.fixture(scope="module")
def converter() -> Callable[[str], str]:
    """The renderer's conversion: the one configured Markdown, then the sanitizer (reset between
    chapters, as Renderer does)."""
    from handbook.core.render.renderer import make_markdown
    from handbook.core.render.sanitize import sanitize

    md = make_markdown()

    def convert(text: str) -> str:
        md.reset()
        return sanitize(md.convert(text))

    return convert


@seeded(1000)
@given(text=pieces_and_text(MARKDOWN_PIECES, max_pieces=60))
def test_the_renderer_takes_any_text_and_lets_nothing_unsafe_through(
    converter: Callable[[str], str], text: str
) -> None:
    html = converter(text)
    assert unsafe_tags(html) == [], html


def test_a_chapter_renderer_never_raises_and_says_why_it_refused(tmp_path: Path) -> None:
    """Renderer.render catches everything; what it caught shows as an error page. Here,
    the inputs once known to raise inside Python-Markdown still give their text."""
    from handbook.core.book.load import load_book
    from handbook.core.render.renderer import Renderer
    from tests.conftest import write_book

    cases = {
        "nested.md": "".join("  " * d + "- x\n" for d in range(400)),
        "quotes.md": ">" * 5000 + " x\n",
        "html.md": "<div>" * 3000 + "x" + "</div>" * 3000,
        "emphasis.md": "*a " * 5000 + "**b " * 5000,
        "refs.md": "".join(f"[{i}]: /{i}\n" for i in range(3000)) + "[1][1] " * 3000,
    }
    summary = "# S\n\n" + "".join(f"- [{n}]({n})\n" for n in cases)
    book = load_book(write_book(tmp_path / "book", summary, cases))
    renderer = Renderer(book)
    for path in cases:
        page = renderer.render(path)
        assert page.notes == (), (path, page.notes)
        assert "x" in page.html


# --- search queries ----------------------------------------------------------------------------

QUERY_PIECES = [
    '"', " ", "-", "OR", "AND", "NOT", "NEAR", "NEAR(", ")", "(", "*", "^", ":", "a:b", "+",
    "C++", "don't", "38.101", "{title}", "pain", "café", "borrow", "🙂", "中文", "\x00", "\t",
    "\ue000", "\ue001", "''", '""', "x" * 40,
]  # fmt: skip


@seeded(800)
@given(text=pieces_and_text(QUERY_PIECES, max_pieces=30), typing=st.booleans())
def test_structured_queries_are_valid_fts5_or_nothing(
    fts: sqlite3.Connection, text: str, typing: bool
) -> None:
    """tests/core/test_query.py fuzzes with any text; here the query language's own syntax,
    mixed, with prefix expansion on, must still give an expression FTS5 accepts (or None)."""
    expression = match_expression(
        parse_query(text, typing=typing), expand_prefix=lambda prefix: [prefix + "ing"]
    )
    if expression is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


# --- atheris ---------------------------------------------------------------------------------


ATHERIS_RUNS = {"summary": 30000, "includes": 30000, "query": 30000, "render": 10000}


@pytest.mark.parametrize("target", sorted(ATHERIS_RUNS))
def test_atheris_finds_nothing_in_a_short_seeded_run(tmp_path: Path, target: str) -> None:
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")
    runs = ATHERIS_RUNS[target]
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "reliability" / "fuzz_atheris.py"),
            target,
            f"-runs={runs}",
            "-seed=1",
            "-max_len=2048",
            f"-artifact_prefix={tmp_path}/",
        ],
        env=child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Done {runs} runs" in done.stderr
