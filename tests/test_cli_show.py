"""`handbook show PATH [--html]`: a chapter as the reader sees it, on stdout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from handbook.cli import main
from tests.conftest import write_book

CHAPTER = """# Getting *Started*

Some **bold** text and `code`,
over two lines.

1. first
2. second

- one
- two

| A | B |
|---|---|
| 1 | 2 |

```rust
fn main() {
    println!("hi");
}
```

<!-- a comment the reader never sees -->
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "book",
        "# Summary\n\n- [Start](start.md)\n  - [Deep](part/deep.md)\n",
        {"start.md": CHAPTER, "part/deep.md": "# Deep\n\nDown here.\n", "notes.md": "# Not\n"},
        toml='[book]\ntitle = "B"\n',
    )


def test_the_text_is_what_the_page_shows(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(book / "src" / "start.md")]) == 0
    out = capsys.readouterr().out
    assert out == (
        "Getting Started\n\n"
        "Some bold text and code, over two lines.\n\n"
        "1. first\n\n2. second\n\n"
        "• one\n\n• two\n\n"
        "A | B\n\n1 | 2\n\n"
        'fn main() {\n    println!("hi");\n}\n'
    )


def test_html_is_the_page_the_window_gets(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--html", str(book / "src" / "part" / "deep.md")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>")
    assert "<p>Down here.</p>" in out


def test_a_chapter_is_found_from_a_relative_path(
    book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(book / "src" / "part")
    assert main(["show", "deep.md"]) == 0
    assert capsys.readouterr().out == "Deep\n\nDown here.\n"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("book.toml", "not a chapter of the book at"),
        ("src/missing.md", "no such file"),
        ("src", "not a file"),
    ],
)
def test_a_path_that_is_no_chapter_is_one_line_and_status_2(
    book: Path, capsys: pytest.CaptureFixture[str], where: str, message: str
) -> None:
    (book.parent / "elsewhere.md").write_text("# Elsewhere\n")
    assert main(["show", str(book / where)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("handbook: ") and message in captured.err


@pytest.mark.parametrize("where", ["src/notes.md", "../elsewhere.md"])
def test_a_markdown_file_that_is_no_chapter_is_shown_on_its_own(
    book: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """A .md file beside a book's chapters, or in no book, is a book of its own (issue 16)."""
    (book.parent / "elsewhere.md").write_text("# Elsewhere\n\nOn its own.\n")
    (book / "src" / "notes.md").write_text("# Elsewhere\n\nOn its own.\n")
    assert main(["show", str(book / where)]) == 0
    assert capsys.readouterr().out == "Elsewhere\n\nOn its own.\n"


def test_an_mkdocs_page_and_an_anchor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: S\nmarkdown_extensions: [admonition]\n")
    (site / "docs" / "index.md").write_text('# Home\n\n## Part\n\n!!! note "Heads up"\n    Body.\n')
    assert main(["show", f"{site / 'docs' / 'index.md'}#part"]) == 0
    out = capsys.readouterr().out
    assert "Heads up" in out and "Body." in out and "!!!" not in out


def test_what_the_page_notes_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(
        tmp_path / "b", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n\n{{#include gone.rs}}\n"}
    )
    assert main(["show", str(root / "src" / "a.md")]) == 0
    captured = capsys.readouterr()
    assert "Included file not found: src/gone.rs" in captured.out  # on the page, as the reader sees
    assert "handbook: warning: a.md:3: Included file not found: src/gone.rs" in captured.err


def test_a_closed_pipe_stops_quietly(book: Path) -> None:
    shown = subprocess.run(
        f"{sys.executable} -m handbook show {book / 'src' / 'start.md'} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "Getting Started\n"
    assert shown.stderr == ""
