"""Headings and anchors as a reader sees them (titles) and as links reach them (anchors)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.core.book.headings import (
    MAX_LINE,
    extract_headings,
    find_links,
    match_link,
    plain_heading_text,
    slugify,
)


def titles(markdown: str) -> list[tuple[int, str, str]]:
    return [(h.level, h.title, h.anchor) for h in extract_headings(markdown)]


def test_atx_levels_and_closing_hashes() -> None:
    text = "# One\n\n## Two ##\n### Three #\n####### seven is not a heading\n#no-space\n"
    assert titles(text) == [(1, "One", "one"), (2, "Two", "two"), (3, "Three", "three")]


def test_heading_lines_are_one_based() -> None:
    assert [h.line for h in extract_headings("intro\n\n# A\ntext\n## B\n")] == [3, 5]


def test_fenced_code_hides_hash_lines() -> None:
    text = (
        "# Real\n```rust\n# fn main() {}\n```\n~~~~\n# also code\n~~~\n# still code\n~~~~\n# After"
    )
    assert [t for _, t, _ in titles(text)] == ["Real", "After"]


def test_a_fence_closes_only_with_a_bare_fence_line() -> None:
    text = "```\n``` not a close\n# inside\n```\n# outside\n"
    assert [t for _, t, _ in titles(text)] == ["outside"]


def test_indented_code_and_comments_are_not_headings() -> None:
    text = "text\n\n    # indented code\n<!--\n# in a comment\n-->\n# Yes\n"
    assert [t for _, t, _ in titles(text)] == ["Yes"]


def test_setext_headings_over_one_or_more_lines() -> None:
    text = "Title\n=====\n\nA long\nsubtitle\n---\n\n- item\n---\n"
    assert titles(text) == [(1, "Title", "title"), (2, "A long subtitle", "a-long-subtitle")]
    assert [h.line for h in extract_headings(text)] == [1, 4]


def test_a_rule_after_a_blank_line_is_not_a_heading() -> None:
    assert titles("para\n\n---\n") == []


def test_custom_ids_win() -> None:
    text = "# Intro {#start}\n## Setup {#setup .class}\n# Intro\n"
    assert [a for _, _, a in titles(text)] == ["start", "setup", "intro"]


def test_duplicate_titles_get_numbered_anchors() -> None:
    text = "## Example\n## Example\n## Example\n"
    assert [a for _, _, a in titles(text)] == ["example", "example-1", "example-2"]


def test_inline_code_keeps_its_text() -> None:
    (heading,) = extract_headings("## Using `Box<T>` to Point to Data on the Heap\n")
    assert heading.title == "Using Box<T> to Point to Data on the Heap"
    assert heading.anchor == "using-boxt-to-point-to-data-on-the-heap"  # as mdBook writes it


def test_links_emphasis_and_escapes_are_reduced_to_text() -> None:
    (heading,) = extract_headings("# See [*the* guide](g.md) and ![logo](l.png) \\*now\\*\n")
    assert heading.title == "See the guide and logo *now*"
    assert heading.anchor == "see-the-guide-and-logo-now"


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("snake_case_name", "snake_case_name"),
        ("__init__ and *em* and **strong** and ~~gone~~", "init and em and strong and gone"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("A &amp; B &lt;C&gt;", "A & B <C>"),
        ("<em>tag</em> and <https://example.org>", "tag and https://example.org"),
        ("``code with ` inside``", "code with ` inside"),
        ("`*not emphasis*`", "*not emphasis*"),
        ("[outer [inner] text](x.md)", "outer [inner] text"),
        ("unclosed `tick and [bracket", "unclosed `tick and [bracket"),
    ],
)
def test_plain_heading_text(markdown: str, plain: str) -> None:
    assert plain_heading_text(markdown) == plain


def test_anchor_lowercases_ascii_only_like_mdbook() -> None:
    assert slugify("Ärger über Öl") == "Ärger-über-Öl"
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("???") == "section"


def test_find_links_forms() -> None:
    text = '[A](a.md) [`]`](b%20c.md "title") [D]() [E](<e f.md>) [n [m] o](p(1).md) `[no](x)`'
    found = [(link.text, link.dest) for link in find_links(text)]
    assert found == [
        ("A", "a.md"),
        ("`]`", "b%20c.md"),
        ("D", ""),
        ("E", "e f.md"),
        ("n [m] o", "p(1).md"),
    ]


def test_reference_links_resolve_with_definitions() -> None:
    refs = {"guide": "guide.md"}
    assert match_link("[The Guide][guide]", 0, refs) == (18, "The Guide", "guide.md")
    assert match_link("[Guide][]", 0, refs) == (9, "Guide", "guide.md")
    assert match_link("[GUIDE]", 0, refs) == (7, "GUIDE", "guide.md")
    assert match_link("[missing]", 0, refs) is None


@pytest.mark.parametrize(
    "hostile",
    ["[" * 8000, "![" * 3000 + "x" + "](a)" * 3000, "<!--" * 5000, "*a " * 3000, "[a](" * 5000],
)
def test_hostile_inline_markdown_still_gives_a_title(hostile: str) -> None:
    """Inputs that are quadratic for naive scanners (RELIABILITY.md check 12) stay quick."""
    (heading,) = extract_headings("# " + hostile + "\n")
    assert heading.title
    assert len(heading.title) <= len(hostile)


def test_a_one_megabyte_heading_line_is_cut_not_choked_on() -> None:
    (heading,) = extract_headings("# " + " " * 1_000_000 + "x" * 1_000_000 + "\n")
    assert heading.level == 1


# --- the fast scan gives what the line-by-line reading gives ---------------------------------

_PIECES = [
    "# A",
    "## B *c*",
    "### `x` ##",
    "#no",
    "####### 7",
    "   # three",
    "    # code",
    "```",
    "```rust",
    "````",
    "``` x`",
    "~~~",
    "~~~~",
    "  ```",
    "<!--",
    "-->",
    "<!-- c -->",
    "a <!-- b",
    "===",
    "---",
    "- ",
    "-",
    "  ---  ",
    "= =",
    "Title",
    "two words",
    "  lead",
    "    indented",
    "\tTab",
    "> quote",
    "- item",
    "1. one",
    "| t |",
    "<div>",
    "",
    " ",
    "x {#id}",
    "snake_case",
    "a & b",
    "[l](u)",
    "\\#",
    "\r",
    "\x0b",
    "\u2028",
    "\x85",
]


def _by_line(text: str) -> tuple[object, ...]:
    from handbook.core.book.headings import _extract_headings_by_line

    return _extract_headings_by_line(text.splitlines())


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=40),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\x0c", "\u2029"]),
    st.booleans(),
)
def test_fast_scan_matches_line_by_line(pieces: list[str], sep: str, trailing: bool) -> None:
    text = sep.join(pieces) + (sep if trailing else "")
    assert extract_headings(text) == _by_line(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "# A",
        "a\n===",
        "   \n    code\npara\n---",
        "```\n# in\n",
        "<!--\n# in\n",
        "<!-- a\n# in\nb --> c\n# out\nline\n---\n",
        "~~~~\n~~~\n# in\n~~~~~\n# out",
        "x" * (MAX_LINE + 5) + "\n# A\n" + "=" * (MAX_LINE + 3),
        "para\n" + "-" * (MAX_LINE + 2) + "x",
    ],
)
def test_fast_scan_matches_line_by_line_on_edges(text: str) -> None:
    assert extract_headings(text) == _by_line(text)


def test_fast_scan_matches_line_by_line_on_real_books() -> None:
    roots = [Path(__file__).resolve().parents[2] / "resources" / "guide"]
    roots.append(Path(__file__).resolve().parents[3] / "shared" / "corpora" / "rust-book")
    files = [f for root in roots if root.is_dir() for f in sorted(root.rglob("*.md"))]
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert extract_headings(text) == _by_line(text), file


def test_ascii_slugs_agree_with_the_general_loop() -> None:
    """Ending with a non-ASCII letter sends a title down the character loop."""
    for code in range(128):
        text = f"x{chr(code)}Y {chr(code)}"
        assert slugify(text + "é") == slugify(text) + "é", repr(chr(code))
