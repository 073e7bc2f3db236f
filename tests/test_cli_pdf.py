"""``handbook pdf``: writes the PDF without a window; bad input is one line and exit status 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from handbook.cli import main
from tests.conftest import REPO, write_book

SUMMARY = "# Summary\n\n- [Alpha](alpha.md)\n- [Beta](beta/beta.md)\n"
CHAPTERS = {"alpha.md": "# Alpha\n\nFirst.\n", "beta/beta.md": "# Beta\n\nSecond.\n"}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", SUMMARY, CHAPTERS, toml='[book]\ntitle = "Tiny"\n')


@pytest.fixture(autouse=True)
def _gui(qapp) -> None:  # type: ignore[no-untyped-def]
    """In-process runs share the test session's QApplication (one per process)."""


def test_whole_book(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tiny.pdf"
    assert main(["pdf", str(out), str(book)]) == 0
    assert len(pypdf.PdfReader(out).pages) == 3  # contents + two chapters
    assert f"{out}: 3 pages, 2 chapters" in capsys.readouterr().out


@pytest.mark.parametrize("chapter", ["beta/beta.md", "src/beta/beta.md", "./beta/beta.md"])
def test_one_chapter(book: Path, tmp_path: Path, chapter: str) -> None:
    out = tmp_path / "beta.pdf"
    assert main(["pdf", str(out), str(book), "--chapter", chapter]) == 0
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1
    assert "Beta" in re.sub(r"\s+", "", reader.pages[0].extract_text())


def test_unknown_chapter(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.pdf"
    assert main(["pdf", str(out), str(book), "--chapter", "gamma.md"]) == 2
    err = capsys.readouterr().err
    assert "no chapter 'gamma.md'" in err
    assert "alpha.md, beta/beta.md" in err  # what it could have been
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_book_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.pdf"
    assert main(["pdf", str(out), str(tmp_path / "no-such-book")]) == 2
    assert "no-such-book" in capsys.readouterr().err
    assert not out.exists()


def test_output_folder_missing(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "x.pdf"
    assert main(["pdf", str(out), str(book)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_output_is_a_folder(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pdf", str(tmp_path), str(book)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_runs_with_no_display_at_all(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "headless.pdf"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = str(REPO / "src")
    done = subprocess.run(
        [sys.executable, "-m", "handbook", "pdf", str(out), str(book)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(pypdf.PdfReader(out).pages) == 3
    assert "QStandardPaths" not in done.stderr
