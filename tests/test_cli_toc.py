"""`handbook toc`: what a user sees on stdout and stderr, and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handbook.cli import main
from tests.conftest import write_book

SUMMARY = """# Summary

[Preface](preface.md)

---

# Part One

- [Getting Started](start.md)
  - [Installing](install.md)
    - [Draft chapter]()

# Part Two

- [Going On](on.md)

[Appendix](appendix.md)
"""
CHAPTERS = {
    "preface.md": "# Preface\n",
    "start.md": "# Getting Started\n\n## First steps\n",
    "install.md": "# Installing\n",
    "on.md": "# Going On\n",
    "appendix.md": "# Appendix\n",
}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", SUMMARY, CHAPTERS, '[book]\ntitle = "Tiny"\n')


def test_text_tree(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["toc", str(book)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Preface",
        "---",
        "Part One",
        "1. Getting Started",
        "  1.1. Installing",
        "    1.1.1. Draft chapter (draft)",
        "Part Two",
        "2. Going On",
        "Appendix",
    ]
    assert err == ""


def test_text_tree_with_headings(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["toc", "--headings", str(book / "src" / "SUMMARY.md")]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("1. Getting Started")
    assert lines[start : start + 5] == [
        "1. Getting Started",
        "  # Getting Started",
        "  ## First steps",
        "  1.1. Installing",
        "    # Installing",
    ]


def test_json_tree(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["toc", "--json", str(book)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Tiny"
    assert data["problems"] == []
    kinds = [node["kind"] for node in data["toc"]]
    assert kinds == ["chapter", "separator", "part", "chapter", "part", "chapter", "chapter"]
    start = data["toc"][3]
    assert {k: start[k] for k in ("title", "number", "path", "draft", "problem")} == {
        "title": "Getting Started",
        "number": "1.",
        "path": "start.md",
        "draft": False,
        "problem": None,
    }
    assert start["headings"][1] == {"level": 2, "title": "First steps", "anchor": "first-steps"}
    draft = start["children"][0]["children"][0]
    assert (draft["number"], draft["path"], draft["draft"]) == ("1.1.1.", None, True)


def test_problems_are_warnings_and_the_tree_still_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(tmp_path / "b", "- [Here](here.md)\n- [Gone](gone.md)\n", {"here.md": "x"})
    assert main(["toc", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["1. Here", "2. Gone"]
    summary = (root / "src" / "SUMMARY.md").resolve()
    assert err == f"handbook: warning: {summary}:2: chapter 'gone.md' not found\n"


@pytest.mark.parametrize("args", [["nowhere"], ["--json", "nowhere"]])
def test_bad_path_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    args = [str(tmp_path / a) if a == "nowhere" else a for a in args]
    assert main(["toc", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"handbook: {tmp_path / 'nowhere'}: no such file or folder\n"


def test_empty_folder_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["toc", str(tmp_path)]) == 2
    assert "not a book" in capsys.readouterr().err


def test_rust_book(rust_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["toc", str(rust_book)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    assert lines[:4] == [
        "The Rust Programming Language",
        "Foreword",
        "Introduction",
        "1. Getting Started",
    ]
    assert "  4.2. References and Borrowing" in lines
    assert "22. Appendix" in lines
