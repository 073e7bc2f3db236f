"""A chapter split into the sections the search index holds, as plain text a reader would see."""

from __future__ import annotations

import pytest

from handbook.core.book.headings import extract_headings
from handbook.core.search.sections import split_sections


def sections(markdown: str, titles: tuple[str, ...] = ("Chapter",)) -> list[tuple[str, str]]:
    return [(s.id, s.body) for s in split_sections("ch.md", markdown, titles)]


def test_one_section_per_heading_with_the_text_until_the_next_heading() -> None:
    text = "# Title\nintro\n\n## One\nfirst\n\n### Deeper\ndeep\n\n## Two\nsecond\n"
    assert sections(text) == [
        ("ch.md#title", "intro"),
        ("ch.md#one", "first"),
        ("ch.md#deeper", "deep"),
        ("ch.md#two", "second"),
    ]


def test_section_ids_use_the_anchors_of_extract_headings() -> None:
    text = "# Hello, World!\n\n## Hello, World!\n\n## `Box<T>` and *friends*\n\nSetext\n---\n"
    anchors = [h.anchor for h in extract_headings(text)]
    assert [s.anchor for s in split_sections("ch.md", text, ["C"])] == anchors
    assert anchors[1] == "hello-world-1"


def test_text_before_the_first_heading_is_the_chapter_itself() -> None:
    [top, first] = split_sections("ch.md", "Some intro.\n\n## First\nbody", ["Part", "Chap"])
    assert (top.id, top.title, top.breadcrumb, top.body, top.level) == (
        "ch.md",
        "Chap",
        "Part › Chap",
        "Some intro.",
        0,
    )
    assert first.breadcrumb == "Part › Chap › First"


def test_a_chapter_without_headings_is_one_section() -> None:
    [only] = split_sections("ch.md", "Just text.", ["Chap"])
    assert (only.id, only.title, only.body) == ("ch.md", "Chap", "Just text.")


def test_breadcrumb_names_parent_chapters_and_parent_headings() -> None:
    text = "# Chap\n\n## Outer\n\n### Inner\n\ntext\n\n## Next\n"
    crumbs = {s.title: s.breadcrumb for s in split_sections("ch.md", text, ["Book part", "Chap"])}
    assert crumbs == {
        "Chap": "Book part › Chap",
        "Outer": "Book part › Chap › Outer",
        "Inner": "Book part › Chap › Outer › Inner",
        "Next": "Book part › Chap › Next",
    }


def test_markdown_syntax_becomes_plain_text() -> None:
    text = (
        "# T\n"
        'Some **bold**, _emphasis_ and ~~struck~~ text with a [link](http://x.org "t")\n'
        "and a [reference][ref] and <b>tags</b> &amp; entities.\n\n"
        "> quoted\n\n"
        "- listed\n\n"
        "1. numbered\n\n"
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n"
        "[ref]: http://example.org\n"
        "<!-- a comment\nover lines -->\n"
        "snake_case stays\n"
    )
    [section] = split_sections("ch.md", text, ["C"])
    assert section.body == (
        "Some bold, emphasis and struck text with a link and a reference and tags & entities.\n"
        "quoted\nlisted\nnumbered\na\nb\n1\n2\nsnake_case stays"
    )


def test_a_link_over_two_lines_is_still_plain_text() -> None:
    [section] = split_sections("ch.md", "see [“Enabling Recursive\nTypes”](#enabling) now", ["C"])
    assert section.body == "see “Enabling Recursive Types” now"


def test_code_is_kept_as_shown_because_readers_search_code() -> None:
    text = (
        "# T\nUse `Box<T>` or ``Vec<`u8`>``.\n\n"
        "```rust\nlet b: Box<T> = Box::new(5);\n```\n"
        "~~~\n<div>not a tag</div>\n~~~\n"
    )
    [section] = split_sections("ch.md", text, ["C"])
    assert (
        section.body
        == "Use Box<T> or Vec<`u8`>.\nlet b: Box<T> = Box::new(5);\n<div>not a tag</div>"
    )


def test_hidden_rust_lines_are_left_out() -> None:
    text = (
        "# T\n```rust\n# fn main() {\nlet x = 1;\n# }\n```\n"
        "```console\n# a shell comment is visible\n```\n"
    )
    [section] = split_sections("ch.md", text, ["C"])
    assert section.body == "let x = 1;\n# a shell comment is visible"


def test_listing_captions_and_alert_titles_are_words_of_the_page() -> None:
    text = (
        '# T\n<Listing number="1" caption="Storing an `i32` on the heap">\n\n</Listing>\n'
        "> [!NOTE]\n> Not medical advice.\n"
    )
    [section] = split_sections("ch.md", text, ["C"])
    assert section.body == "Listing 1: Storing an i32 on the heap\nNote\nNot medical advice."


def test_multi_line_setext_headings_leave_their_underline_out_of_the_text() -> None:
    text = "Intro\n\nA title\nover two lines\n===\nbody\n"
    assert [(s.title, s.body) for s in split_sections("ch.md", text, ["C"])] == [
        ("C", "Intro"),
        ("A title over two lines", "body"),
    ]


def test_snippet_marker_characters_never_reach_the_index() -> None:
    [section] = split_sections("ch.md", "# T\nodd \ue000marks\ue001 here", ["C"])
    assert "\ue000" not in section.body and "\ue001" not in section.body


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_windows_and_old_mac_line_ends_split_as_unix_ones(newline: str) -> None:
    source = newline.join(["# One", "", "Sleep well.", "## Two", "Rest", "more."])
    sections = split_sections("ch.md", source, ["C"])
    assert [(s.title, s.body) for s in sections] == [("One", "Sleep well."), ("Two", "Rest more.")]


@pytest.mark.parametrize(
    "hostile",
    [
        "[" * 8000,
        "<![" * 4000,
        "`" * 8000,
        "``a" * 4000,
        "<a " * 4000,
        "word " * 200_000,
        "\n".join("  " * i + "- x" for i in range(400)),
        "_a" * 8000,
        "[a](" * 4000,
        "```\n" * 4001,
        "<!--" * 4000,
        " " * 5000 + "|" + "-" * 5000 + " " * 5000,
    ],
    ids=lambda text: repr(text[:6]),
)
def test_pathological_markdown_is_split_without_error(hostile: str) -> None:
    result = split_sections("ch.md", "# T\n" + hostile, ["C"])
    assert result[0].title == "T"
