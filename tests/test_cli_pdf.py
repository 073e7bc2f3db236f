"""``handbook pdf``: writes the PDF without a window; bad input is one line and exit status 2."""

from __future__ import annotations

import os
import re
import signal
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


def long_book(tmp_path: Path, chapters: int = 150) -> Path:
    pages = {
        f"c{n:03}.md": f"# Chapter {n}\n\n" + "Words on a page. " * 300 for n in range(chapters)
    }
    summary = "# Summary\n\n" + "".join(f"- [C{n}](c{n:03}.md)\n" for n in range(chapters))
    return write_book(tmp_path / "long", summary, pages)


def handbook_pdf(out: Path, book: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO / "src"))
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "handbook", "pdf", str(out), str(book)], env=env, **kwargs
    )


def test_progress_is_shown_on_a_terminal_only(book: Path, tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    out = tmp_path / "tty.pdf"
    process = handbook_pdf(out, book, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=120) == 0
    os.close(leader)
    # 2 chapters rendered; 2 and the contents laid out, then written
    assert b"Writing: 8 / 8 (beta/beta.md)" in shown
    assert shown.rstrip(b" ").endswith(b"\r")  # the line is cleared at the end

    piped = subprocess.run(
        [sys.executable, "-m", "handbook", "pdf", str(tmp_path / "pipe.pdf"), str(book)],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO / "src")),
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert piped.stderr == b""


def wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    import time

    end = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "finished before the test could stop it"
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.01)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_export_leaves_no_part_file(tmp_path: Path, how: signal.Signals) -> None:
    book = long_book(tmp_path)
    out = tmp_path / "long.pdf"
    process = handbook_pdf(out, book, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(out.with_name("long.pdf.part"), process)
    process.send_signal(how)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert b"interrupted; " in err and b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []


def test_a_part_file_left_by_a_killed_export_is_gone_after_the_next(tmp_path: Path) -> None:
    book = long_book(tmp_path)
    out = tmp_path / "long.pdf"
    process = handbook_pdf(out, book, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(out.with_name("long.pdf.part"), process)
    process.kill()
    process.wait(timeout=60)
    assert out.with_name("long.pdf.part").exists()  # nothing can run on SIGKILL
    assert main(["pdf", str(out), str(book)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["long.pdf"]


def test_details_are_unfolded_on_paper(tmp_path: Path) -> None:
    chapter = "# Folds\n\n<details>\n<summary>Answer</summary>\n\nFoldedbody.\n\n</details>\n"
    root = write_book(tmp_path / "b", "# Summary\n\n- [Folds](folds.md)\n", {"folds.md": chapter})
    out = tmp_path / "folds.pdf"
    assert main(["pdf", str(out), str(root)]) == 0
    text = re.sub(r"\s+", "", pypdf.PdfReader(out).pages[0].extract_text())
    assert "▼Answer" in text and "Foldedbody." in text


def test_a_pdf_of_an_absurd_size_is_written_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from handbook.ui.paper import pdf_export

    monkeypatch.setattr(pdf_export, "SANE_PAGES", 20)
    summary = "# Summary\n\n" + "".join(f"- [Again {n}](again.md)\n" for n in range(30))
    root = write_book(tmp_path / "b", summary, {"again.md": "# Again\n\nSame.\n"})
    out = tmp_path / "again.pdf"
    assert main(["pdf", str(out), str(root)]) == 0
    assert (
        "handbook: warning: the PDF would have 31 pages; again.md is listed 30 times in "
        "SUMMARY.md and printed each time"
    ) in capsys.readouterr().err
    assert len(pypdf.PdfReader(out).pages) == 31


def test_formulas_are_drawn_on_paper(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chapter = "# Math\n\nInline \\\\( x^2 \\\\) and\n\n\\\\[ \\\\frac{a}{b} \\\\]\n"
    root = write_book(
        tmp_path / "b",
        "# Summary\n\n- [Math](math.md)\n",
        {"math.md": chapter},
        toml="[output.html]\nmathjax-support = true\n",
    )
    out = tmp_path / "math.pdf"
    assert main(["pdf", str(out), str(root)]) == 0
    assert "not printed" not in capsys.readouterr().err
    page = pypdf.PdfReader(out).pages[0]
    images = page["/Resources"].get("/XObject", {})
    assert len(images) == 2  # the two formulas, as pictures
    assert "x^2" not in page.extract_text()  # not their TeX


def test_the_book_may_come_before_the_pdf(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paths in any order: ``handbook pdf BOOK OUT.pdf`` writes OUT.pdf, not ``BOOK.pdf``."""
    out = tmp_path / "tiny.pdf"
    page = book / "src" / "alpha.md"
    assert main(["pdf", f"{page}#alpha", str(out)]) == 0
    assert f"{out}: 3 pages, 2 chapters" in capsys.readouterr().out
    assert not Path(f"{page}#alpha.pdf").exists()
    assert not (book / "src" / "alpha.md.pdf").exists()
