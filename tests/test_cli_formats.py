"""The command line with every layout: options and paths in any order, any book path (a folder,
a file, FILE#anchor, an MkDocs site), the format named, the PDF's name and counts, Qt quiet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.cli import main
from tests.conftest import REPO, write_book

RESOURCES = REPO / "resources"

SUMMARY = "# Summary\n\n- [Alpha](alpha.md)\n- [Beta](beta.md)\n"
CHAPTERS = {"alpha.md": "# Alpha\n\nHair and more.\n", "beta.md": "# Beta\n\nHair again.\n"}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", SUMMARY, CHAPTERS)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "README.md").write_text("# Notes\n\nA hair here.\n", encoding="utf-8")
    (folder / "sub" / "one.md").write_text("# One\n\n## Deep\n\nNothing.\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "order",
    [
        ["search", "hair", "--json", "BOOK"],
        ["search", "--json", "hair", "BOOK"],
        ["search", "hair", "BOOK", "--json"],
        ["search", "--limit", "1", "hair", "--json", "BOOK"],
        ["search", "hair", "--limit", "1", "BOOK", "--json"],
    ],
)
def test_search_options_and_paths_in_any_order(
    book: Path, capsys: pytest.CaptureFixture[str], order: list[str]
) -> None:
    args = [str(book) if a == "BOOK" else a for a in order]
    assert main(args) == 0
    hits = json.loads(capsys.readouterr().out)
    assert {hit["chapter"] for hit in hits} <= {"alpha.md", "beta.md"}
    assert len(hits) == (1 if "--limit" in order else 2)


def test_toc_json_names_the_format(
    book: Path, notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    formats = {}
    for path in (book, notes, notes / "README.md"):
        assert main(["toc", str(path), "--json"]) == 0
        formats[path.name] = json.loads(capsys.readouterr().out)["format"]
    assert formats == {"book": "mdbook", "notes": "folder", "README.md": "file"}


def test_toc_of_a_folder_and_of_a_file_at_an_anchor(
    notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["toc", "--headings", str(notes)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Notes", "  # Notes", "Sub", "  One", "    # One", "    ## Deep"]


def test_search_and_toc_take_a_file_at_an_anchor(
    notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "nothing", f"{notes / 'sub' / 'one.md'}#deep"]) == 0
    assert "one.md#deep" in capsys.readouterr().out


def test_toc_problems_names_an_ignored_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text(
        "site_name: S\nmarkdown_extensions:\n  - admonition\n  - mkdocs-click\n", encoding="utf-8"
    )
    (site / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    assert main(["toc", "--problems", str(site)]) == 0
    out = capsys.readouterr().out
    assert "mkdocs.yml:4: markdown_extensions: 'mkdocs-click' is not one handbook reads" in out
    assert "admonition" not in out


def run_handbook(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("QT_LOGGING_RULES",)}
    environ.update(env, PYTHONPATH=str(REPO / "src"))
    return subprocess.run(
        [sys.executable, "-m", "handbook", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_pdf_adds_pdf_and_says_so_one_page_and_no_qt_log_lines(tmp_path: Path) -> None:
    one = write_book(tmp_path / "one", "- [Only](only.md)\n", {"only.md": "# Only\n\nShort.\n"})
    done = run_handbook(
        "pdf", str(tmp_path / "out.txt"), str(one), "--chapter", "only.md",
        QT_LOGGING_RULES="qt.*=true",  # Qt's own log lines (font database...): not our output
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.txt.pdf").is_file()
    assert done.stdout == f"{tmp_path / 'out.txt.pdf'}: 1 page, 1 chapter\n"
    assert done.stderr == (
        f"handbook: writing {tmp_path / 'out.txt.pdf'} (a PDF file's name ends in .pdf)\n"
    )


def test_the_desktop_file_offers_handbook_for_markdown_never_folders() -> None:
    text = (RESOURCES / "handbook.desktop").read_text(encoding="utf-8")
    mime = next(line for line in text.splitlines() if line.startswith("MimeType="))
    assert "text/markdown;" in mime
    assert "inode/directory" not in text
