"""SUMMARY.md as mdBook reads it: title, prefix, parts, numbered, suffix, drafts, separators."""

from __future__ import annotations

from pathlib import Path

from handbook.core.book.model import NodeKind, TocNode
from handbook.core.book.summary import Summary, chapter_path, parse_summary

FILE = Path("book/src/SUMMARY.md")


def parse(text: str) -> Summary:
    return parse_summary(text, FILE)


def outline(nodes: tuple[TocNode, ...], depth: int = 0) -> list[str]:
    """The tree as `handbook toc` prints it, which is what a reader sees."""
    lines: list[str] = []
    for node in nodes:
        if node.kind is NodeKind.SEPARATOR:
            label = "---"
        elif node.kind is NodeKind.PART:
            label = f"# {node.title}"
        else:
            label = f"{node.number} {node.title}" if node.number else node.title
            label += " (draft)" if node.draft else ""
        lines.append("  " * depth + label)
        lines.extend(outline(node.children, depth + 1))
    return lines


def problems(summary: Summary) -> list[str]:
    return [str(p) for p in summary.problems]


# --- the Rust book ------------------------------------------------------------------------------


def test_rust_book_every_chapter_in_place(rust_book: Path) -> None:
    text = (rust_book / "src" / "SUMMARY.md").read_text(encoding="utf-8")
    summary = parse_summary(text, rust_book / "src" / "SUMMARY.md")
    chapters = [n for top in summary.toc for n in top.walk() if n.path]
    assert summary.problems == ()
    assert summary.title == "The Rust Programming Language"
    assert len(chapters) == text.count("](")
    assert len({n.path for n in chapters}) == len(chapters)


def test_rust_book_numbers_as_mdbook_gives_them(rust_book: Path) -> None:
    summary = parse_summary((rust_book / "src" / "SUMMARY.md").read_text(encoding="utf-8"))
    by_title = {n.title: n for top in summary.toc for n in top.walk()}
    assert [n.number for n in summary.toc[:3]] == [None, None, None]  # prefix chapters
    assert [n.title for n in summary.toc[:3]] == [
        "The Rust Programming Language",
        "Foreword",
        "Introduction",
    ]
    assert by_title["Getting Started"].number == "1."
    assert by_title["References and Borrowing"].number == "4.2."
    assert by_title["The match Control Flow Construct"].number == "6.2."
    assert by_title["Using Box<T> to Point to Data on the Heap"].number == "15.1."
    assert by_title["Graceful Shutdown and Cleanup"].number == "21.3."
    assert by_title["Appendix"].number == "22."  # mdBook counts on: the appendix is chapter 22
    assert by_title["G - How Rust is Made and “Nightly Rust”"].number == "22.7."


# --- each form of the grammar -------------------------------------------------------------------


def test_title_then_prefix_numbered_suffix() -> None:
    summary = parse(
        "# My Book\n\n[Preface](preface.md)\n[Intro](intro.md)\n\n"
        "- [One](one.md)\n- [Two](two.md)\n\n[Epilogue](end.md)\n"
    )
    assert summary.title == "My Book"
    assert outline(summary.toc) == ["Preface", "Intro", "1. One", "2. Two", "Epilogue"]
    assert [n.path for n in summary.toc] == [
        "preface.md",
        "intro.md",
        "one.md",
        "two.md",
        "end.md",
    ]
    assert [n.line for n in summary.toc] == [3, 4, 6, 7, 9]
    assert summary.problems == ()


def test_no_title_the_first_link_is_a_prefix_chapter() -> None:
    summary = parse("[Intro](intro.md)\n- [One](one.md)\n")
    assert summary.title is None
    assert outline(summary.toc) == ["Intro", "1. One"]


def test_setext_title_and_comments_before_it() -> None:
    summary = parse("<!-- generated -->\nSummary\n=======\n\n- [One](one.md)\n")
    assert summary.title == "Summary"
    assert outline(summary.toc) == ["1. One"]


def test_parts_numbering_continues_across_parts() -> None:
    summary = parse(
        "# Summary\n\n[Intro](intro.md)\n\n# Part One\n\n- [A](a.md)\n  - [A1](a1.md)\n"
        "- [B](b.md)\n\n# Part Two\n- [C](c.md)\n  - [C1](c1.md)\n"
    )
    assert summary.title == "Summary"
    assert outline(summary.toc) == [
        "Intro",
        "# Part One",
        "1. A",
        "  1.1. A1",
        "2. B",
        "# Part Two",
        "3. C",
        "  3.1. C1",
    ]
    assert summary.toc[1].kind is NodeKind.PART
    assert summary.toc[1].children == ()  # a part title is followed by its chapters, as in mdBook


def test_nesting_with_two_spaces_four_spaces_tabs_and_stars() -> None:
    two = "- [A](a.md)\n  - [B](b.md)\n    - [C](c.md)\n  - [D](d.md)\n- [E](e.md)\n"
    four = "* [A](a.md)\n    * [B](b.md)\n        * [C](c.md)\n    * [D](d.md)\n* [E](e.md)\n"
    tabs = "- [A](a.md)\n\t- [B](b.md)\n\t\t- [C](c.md)\n\t- [D](d.md)\n- [E](e.md)\n"
    expected = ["1. A", "  1.1. B", "    1.1.1. C", "  1.2. D", "2. E"]
    for text in (two, four, tabs):
        summary = parse(text)
        assert outline(summary.toc) == expected, text
        assert summary.problems == ()


def test_nesting_is_relative_like_a_markdown_list() -> None:
    summary = parse("- [A](a.md)\n   - [B](b.md)\n  - [C](c.md)\n - [D](d.md)\n")
    assert outline(summary.toc) == ["1. A", "  1.1. B", "  1.2. C", "2. D"]


def test_loose_lists_and_plus_and_ordered_markers() -> None:
    summary = parse("- [A](a.md)\n\n  - [B](b.md)\n\n+ [C](c.md)\n1. [D](d.md)\n")
    assert outline(summary.toc) == ["1. A", "  1.1. B", "2. C", "3. D"]


def test_drafts_have_no_path_and_keep_their_number() -> None:
    summary = parse("- [One](one.md)\n  - [Draft chapter]()\n- [Later]( )\n")
    assert outline(summary.toc) == ["1. One", "  1.1. Draft chapter (draft)", "2. Later (draft)"]
    draft = summary.toc[0].children[0]
    assert (draft.path, draft.draft, draft.line) == (None, True, 2)


def test_separators_in_prefix_numbered_and_suffix() -> None:
    summary = parse(
        "[Intro](intro.md)\n\n---\n\n- [A](a.md)\n---\n- [B](b.md)\n\n***\n\n[End](end.md)\n"
    )
    assert outline(summary.toc) == ["Intro", "---", "1. A", "---", "2. B", "---", "End"]
    assert summary.toc[1].line == 3


def test_a_dash_line_right_under_a_link_is_a_setext_heading_as_in_mdbook() -> None:
    summary = parse("[Intro](intro.md)\n---\n- [A](a.md)\n")
    assert outline(summary.toc) == ["Intro", "1. A"]


def test_subheadings_between_lists_are_ignored_and_numbering_goes_on() -> None:
    summary = parse("- [A](a.md)\n\n## Basics\n\n- [B](b.md)\n")
    assert outline(summary.toc) == ["1. A", "2. B"]


def test_markdown_in_link_text() -> None:
    summary = parse(
        "- [The `?` Operator](q.md)\n"
        "- [Escaped \\[brackets\\] and *stars*](e.md)\n"
        "- [`Vec<T>` & [nested] text](v.md)\n"
        "- [`]` in code](c.md)\n"
    )
    assert [n.title for n in summary.toc] == [
        "The ? Operator",
        "Escaped [brackets] and stars",
        "Vec<T> & [nested] text",
        "] in code",
    ]


def test_paths_url_encoded_dotted_angle_bracketed_and_titled() -> None:
    summary = parse(
        "- [A](./a.md)\n- [B](my%20chapter.md)\n- [C](<with space.md>)\n"
        '- [D](sub/./x/../d.md "Title")\n- [E](caf%C3%A9.md)\n'
    )
    assert [n.path for n in summary.toc] == [
        "a.md",
        "my chapter.md",
        "with space.md",
        "sub/d.md",
        "café.md",
    ]


def test_reference_style_links() -> None:
    summary = parse("- [One][1]\n- [Two]\n\n[1]: one.md\n[two]: <two.md>\n")
    assert [(n.title, n.path) for n in summary.toc] == [("One", "one.md"), ("Two", "two.md")]


def test_chapter_path_keeps_escapes_for_the_loader_to_refuse() -> None:
    assert chapter_path("../outside.md") == "../outside.md"
    assert chapter_path("/etc/passwd") == "/etc/passwd"
    assert chapter_path("") is None


def test_code_blocks_and_html_are_not_chapters() -> None:
    summary = parse(
        "- [A](a.md)\n\n```\n- [Not](code.md)\n```\n<div>\n[Not](html.md)\n</div>\n\n- [B](b.md)\n"
    )
    assert outline(summary.toc) == ["1. A", "2. B"]


def test_crlf_and_bom() -> None:
    summary = parse("\ufeff# Title\r\n\r\n- [A](a.md)\r\n  - [B](b.md)\r\n")
    assert summary.title == "Title"
    assert outline(summary.toc) == ["1. A", "  1.1. B"]


def test_empty_summary_gives_an_empty_toc() -> None:
    assert parse("") == Summary(None, (), ())
    assert parse("# Summary\n") == Summary("Summary", (), ())


# --- bad lines: a problem naming file and line, and the rest still parsed -------------------------


def test_a_list_item_that_is_not_a_link() -> None:
    summary = parse("- [A](a.md)\n- Just text\n  - [Child](child.md)\n- [B](b.md)\n")
    assert problems(summary) == [
        f"{FILE}:2: a list item must be a link like '- [Title](file.md)', not '- Just text'"
    ]
    assert outline(summary.toc) == ["1. A", "2. Child", "3. B"]  # the child moves up


def test_a_bracketed_item_without_a_link_hints_at_drafts() -> None:
    summary = parse("- [Someday]\n- [A](a.md)\n")
    (message,) = problems(summary)
    assert message.startswith(f"{FILE}:1: a list item must be a link")
    assert message.endswith("write '- [Someday]()' for a draft chapter")
    assert outline(summary.toc) == ["1. A"]


def test_a_link_not_at_the_start_of_an_item() -> None:
    summary = parse("- see [A](a.md)\n")
    assert problems(summary)[0].startswith(f"{FILE}:1: a list item must be a link")
    assert summary.toc == ()


def test_a_numbered_chapter_among_suffix_chapters_is_kept_unnumbered() -> None:
    summary = parse("- [A](a.md)\n\n[End](end.md)\n\n- [Late](late.md)\n  - [Sub](sub.md)\n")
    assert problems(summary) == [
        f"{FILE}:5: a numbered chapter ('Late') cannot follow suffix chapters; "
        "it is shown unnumbered"
    ]
    assert outline(summary.toc) == ["1. A", "End", "Late", "  Sub"]


def test_a_part_title_among_suffix_chapters() -> None:
    summary = parse("- [A](a.md)\n\n[End](end.md)\n\n# Late part\n")
    assert problems(summary) == [
        f"{FILE}:5: a part title ('# Late part') cannot follow suffix chapters"
    ]
    assert outline(summary.toc) == ["1. A", "End", "# Late part"]


def test_a_nested_prefix_chapter() -> None:
    summary = parse("[Intro](intro.md)\n  [Nested](nested.md)\n- [A](a.md)\n")
    assert problems(summary) == [
        f"{FILE}:2: prefix chapters cannot be nested; 'Nested' is shown at the top level"
    ]
    assert outline(summary.toc) == ["Intro", "Nested", "1. A"]


def test_a_list_item_nested_under_a_prefix_chapter() -> None:
    summary = parse("[Intro](intro.md)\n  - [Sub](sub.md)\n")
    assert problems(summary) == [
        f"{FILE}:2: prefix chapters cannot be nested; 'Sub' starts the numbered chapters instead"
    ]
    assert outline(summary.toc) == ["Intro", "1. Sub"]


def test_extra_links_in_an_item_are_reported() -> None:
    summary = parse("- [A](a.md) and [B](b.md)\n  [C](c.md)\n")
    assert problems(summary) == [
        f"{FILE}:1: only the first link of a list item is a chapter; 'B' is ignored",
        f"{FILE}:2: only the first link of a list item is a chapter; 'C' is ignored",
    ]
    assert outline(summary.toc) == ["1. A"]


def test_a_file_listed_twice() -> None:
    summary = parse("- [A](a.md)\n- [Again](./a.md)\n")
    assert problems(summary) == [f"{FILE}:2: 'a.md' is listed twice (first at line 1)"]
    assert outline(summary.toc) == ["1. A", "2. Again"]


def test_absurd_nesting_is_capped() -> None:
    text = "".join("  " * depth + f"- [C{depth}](c{depth}.md)\n" for depth in range(200))
    summary = parse(text)
    deepest = summary.toc[0]
    depth = 1
    while deepest.children:
        deepest, depth = deepest.children[-1], depth + 1
    assert depth == 32
    assert len([n for top in summary.toc for n in top.walk()]) == 200
    assert problems(summary)[0].startswith(f"{FILE}:33: chapters nested more than 32 deep")
