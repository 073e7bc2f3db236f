"""mdBook's include links: every selector form, nesting, and every refusal shown as a note."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from handbook.core.book.includes import MAX_DEPTH, expand_includes, select_lines

BOOK = Path(__file__).resolve().parent.parent / "fixtures" / "render" / "includes"
CHAPTER = BOOK / "src" / "chapter.md"  # need not exist: links are relative to its folder


def expand(text: str, chapter: Path = CHAPTER, root: Path = BOOK) -> tuple[str, list[str]]:
    result = expand_includes(text, chapter, root)
    return result.text, [n.message for n in result.notes]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", "line 1\nline 2\nline 3\nline 4\nline 5"),
        (":2:4", "line 2\nline 3\nline 4"),
        (":4:", "line 4\nline 5"),
        ("::2", "line 1\nline 2"),
        (":3", "line 3"),
        (":0:1", "line 1"),
        (":9", ""),
    ],
)
def test_line_ranges(selector: str, expected: str) -> None:
    text, notes = expand(f"{{{{#include ../listings/lines.txt{selector}}}}}")
    assert (text, notes) == (expected, [])


def test_anchor_takes_the_lines_between_its_markers_and_drops_other_markers() -> None:
    text, notes = expand("{{#include ../listings/code.rs:main}}")
    assert text == 'fn main() {\n    println!("hello");\n}'
    assert notes == []


def test_anchor_lines_are_dropped_from_a_whole_file_too() -> None:
    text, _ = expand("{{#include ../listings/code.rs}}")
    assert "ANCHOR" not in text
    assert text.startswith("use std::io;")


def test_unknown_anchor_is_a_note() -> None:
    text, notes = expand("{{#include ../listings/code.rs:nope}}")
    assert notes == ["Anchor 'nope' not found in listings/code.rs"]
    assert "⚠ Anchor 'nope' not found" in text


def test_rustdoc_include_shows_only_the_selection() -> None:
    text, notes = expand("```rust\n{{#rustdoc_include ../listings/code.rs:body}}\n```")
    assert text == '```rust\n    println!("hello");\n```'
    assert notes == []


def test_links_inside_code_fences_and_inline_are_expanded() -> None:
    text, _ = expand(
        "```\n{{#include ../listings/plain.rs}}\n```\nsee {{ #include ../listings/lines.txt:1 }}."
    )
    assert text == "```\nfn main() {}\n```\nsee line 1."


def test_escaped_link_stays_literal_without_its_backslash() -> None:
    text, notes = expand(
        "\\{{#include ../listings/plain.rs}} and {{#include ../listings/plain.rs}}"
    )
    assert text == "{{#include ../listings/plain.rs}} and fn main() {}"
    assert notes == []


def test_nested_include_is_relative_to_the_including_file() -> None:
    text, notes = expand("{{#include sub/outer.md}}")
    assert text == "outer before\ninner text\nouter after"
    assert notes == []


def test_cycle_is_stopped_with_a_note() -> None:
    text, notes = expand("{{#include sub/a.md}}")
    assert text.startswith("a says\nb says\n⚠ Include cycle stopped")
    assert notes == [
        "Include cycle stopped: src/chapter.md → src/sub/a.md → src/sub/b.md → src/sub/a.md"
    ]


def test_depth_is_limited(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(MAX_DEPTH + 5):
        (src / f"d{i}.md").write_text(f"level {i}\n{{{{#include d{i + 1}.md}}}}\n")
    text, notes = expand("{{#include d0.md}}", src / "chapter.md", tmp_path)
    assert "level 8" in text and "level 9" not in text
    assert notes == [f"Includes nested more than {MAX_DEPTH} deep: src/d9.md"]


def test_missing_file_is_a_note_naming_it_from_the_book_folder() -> None:
    text, notes = expand("a\n\n```rust\n{{#rustdoc_include ../listings/ch02/src/main.rs:all}}\n```")
    assert notes == ["Included file not found: listings/ch02/src/main.rs"]
    assert "⚠ Included file not found: listings/ch02/src/main.rs" in text
    result = expand_includes("a\n\n{{#include nope.rs}}", CHAPTER, BOOK)
    assert result.notes[0].line == 3


@pytest.mark.parametrize(
    "path", ["../../../../../../etc/passwd", "/etc/passwd", "../../includes/../../x"]
)
def test_paths_outside_the_book_are_refused(path: str) -> None:
    text, notes = expand(f"{{{{#include {path}}}}}")
    assert notes == [f"Include refused, outside the book: {path}"]
    assert "root:" not in text and text.startswith("⚠ Include refused")


def test_symlink_leaving_the_book_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("SECRET")
    book = tmp_path / "book"
    (book / "src").mkdir(parents=True)
    os.symlink(outside, book / "src" / "link.txt")
    os.symlink(tmp_path, book / "src" / "dir")
    text, notes = expand(
        "{{#include link.txt}}\n{{#include dir/secret.txt}}", book / "src" / "c.md", book
    )
    assert "SECRET" not in text
    assert notes == [
        "Include refused, a link leads outside the book: src/link.txt",
        "Include refused, a link leads outside the book: src/dir/secret.txt",
    ]


def test_symlink_within_the_book_is_followed(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "real.txt").write_text("real text")
    os.symlink(tmp_path / "real.txt", tmp_path / "src" / "alias.txt")
    text, notes = expand("{{#include alias.txt}}", tmp_path / "src" / "c.md", tmp_path)
    assert (text, notes) == ("real text", [])


def test_directory_and_undecodable_files_are_notes(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "latin1.txt").write_bytes(b"ok\ncaf\xe9\n")
    _, notes = expand(
        "{{#include ..}}\n{{#include ../latin1.txt}}", tmp_path / "src" / "c.md", tmp_path
    )
    assert notes == [
        "Included path is not a file: .",
        "Included file is not UTF-8 text (line 2): latin1.txt",
    ]


def test_other_links_are_left_and_title_dropped() -> None:
    text, notes = expand("{{#title My Page}}{{#other thing}} {{ not a link }}")
    assert (text, notes) == ("{{#other thing}} {{ not a link }}", [])


def test_playground_wraps_the_file_in_a_rust_fence() -> None:
    text, _ = expand("{{#playground ../listings/plain.rs editable}}")
    assert text == "```rust,editable\nfn main() {}\n```\n"


def test_select_lines_directly() -> None:
    assert select_lines("a\nb\nc", "2") == "b"
    assert select_lines("a\nb\nc", "x") is None


def test_the_size_limit_counts_the_chapter_and_its_includes_together(tmp_path: Path) -> None:
    """Include amplification: the limit is on the text after expansion, not on the includes
    beside a chapter that is itself near the limit."""
    from handbook.core.book.includes import MAX_EXPANDED_CHARS

    (tmp_path / "src").mkdir()
    half = "w" * (MAX_EXPANDED_CHARS // 2 + 1000)
    (tmp_path / "src" / "half.md").write_text(half, encoding="utf-8")
    text, notes = expand(
        f"{half}\n{{{{#include half.md}}}}\n", tmp_path / "src" / "chapter.md", tmp_path
    )
    assert notes == ["Included text too large, left out: src/half.md"]
    assert len(text) < MAX_EXPANDED_CHARS


def test_expanded_size_counts_what_the_includes_bring(tmp_path: Path) -> None:
    from handbook.core.book.includes import expanded_size

    src = tmp_path / "src"
    src.mkdir()
    (src / "big.md").write_text("b" * 300_000, encoding="utf-8")
    (src / "middle.md").write_text("m\n{{#include big.md}}\n", encoding="utf-8")
    (tmp_path.parent / "outside.md").write_text("o" * 300_000, encoding="utf-8")
    chapter = src / "chapter.md"

    def size(text: str) -> int:
        return expanded_size(text, chapter, tmp_path, stop_at=128 * 1024)

    assert size("{{#include big.md}}") >= 300_000
    assert size("{{#include middle.md}}") >= 300_000  # nested
    assert size("{{#include ../../outside.md}}") < 100  # refused: never counted, never read
    assert size("{{#include missing.md}}") < 100
    assert size("\\{{#include big.md}}") < 100  # escaped: text
