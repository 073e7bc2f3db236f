"""Bad book folders, through the two doors a reader uses: ``handbook toc PATH`` and the window.

tests/core/test_book.py proves what load_book records for each bad input; tests/test_cli_toc.py
the toc command's output forms. Here: the same bad inputs, each seen where a reader sees it: a
warning (or one error line and exit status 2) naming the file and line, and in the window an
error page for the bad chapter while the rest of the book still opens.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from handbook import cli
from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from tests.conftest import write_book

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

AS_ROOT = os.geteuid() == 0
GOOD = "Text of the good chapter."
AFTER = "Text of the chapter after it."


def summary(bad_path: str) -> str:
    # the bad chapter is on line 4
    return f"# Summary\n\n- [Good](good.md)\n- [Bad]({bad_path})\n- [After](after.md)\n"


def make_book(tmp_path: Path, bad_path: str = "bad.md") -> Path:
    return write_book(
        tmp_path / "book",
        summary(bad_path),
        {"good.md": f"# Good\n\n{GOOD}\n", "after.md": f"# After\n\n{AFTER}\n"},
    )


def missing(src: Path) -> None:
    pass


def folder(src: Path) -> None:
    (src / "bad.md").mkdir()


def non_utf8(src: Path) -> None:
    (src / "bad.md").write_bytes(b"# Bad\n\nfine\nlatin-1 \xe9t\xe9\n")


def symlink_loop(src: Path) -> None:
    (src / "bad.md").symlink_to(src / "bad.md")


def symlink_outside(src: Path) -> None:
    outside = src.parent.parent / "outside.md"
    outside.write_text("# Outside\n\nSENTINEL outside\n", encoding="utf-8")
    (src / "bad.md").symlink_to(outside)


def fifo(src: Path) -> None:
    os.mkfifo(src / "bad.md")


def unreadable(src: Path) -> None:
    (src / "bad.md").write_text("# Bad\n", encoding="utf-8")
    (src / "bad.md").chmod(0)


# (how the bad chapter is made, its SUMMARY.md path, where the message points, what it says)
BAD_CHAPTERS: dict[str, tuple[Callable[[Path], None], str, str, str]] = {
    "missing-file": (missing, "bad.md", "SUMMARY.md:4", "chapter 'bad.md' not found"),
    "folder": (folder, "bad.md", "SUMMARY.md:4", "is a folder, not a file"),
    "summary-itself": (missing, "SUMMARY.md", "SUMMARY.md:4", "is SUMMARY.md itself"),
    "outside-src": (missing, "../outside.md", "SUMMARY.md:4", "outside the book's src folder"),
    "non-utf8": (non_utf8, "bad.md", "bad.md:4", "not UTF-8 text (byte 0xe9)"),
    "symlink-loop": (symlink_loop, "bad.md", "SUMMARY.md:4", "is a symlink loop"),
    "symlink-outside": (symlink_outside, "bad.md", "SUMMARY.md:4", "leads outside the book"),
    "fifo": (fifo, "bad.md", "SUMMARY.md:4", "is not a regular file"),
    "unreadable": (unreadable, "bad.md", "SUMMARY.md:4", "permission denied"),
}


@pytest.fixture(params=sorted(BAD_CHAPTERS))
def bad_chapter(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, str, str]:
    make, bad_path, where, says = BAD_CHAPTERS[request.param]
    if request.param == "unreadable" and AS_ROOT:
        pytest.skip("root reads a file whatever its mode (tests/core/test_book.py simulates it)")
    root = make_book(tmp_path, bad_path)
    make(root / "src")
    return root, bad_path, where, says


def test_toc_warns_naming_file_and_line_and_prints_the_rest(
    bad_chapter: tuple[Path, str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _, where, says = bad_chapter
    assert cli.main(["toc", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["Good", "Bad", "After"] or out.splitlines() == [
        "1. Good",
        "2. Bad",
        "3. After",
    ]
    warning = next(line for line in err.splitlines() if says in line)
    assert warning.startswith("handbook: warning: ")
    assert f"{where}: " in warning


def test_the_window_shows_an_error_page_and_the_rest_opens(
    bad_chapter: tuple[Path, str, str, str], open_window: Callable[[Book], object]
) -> None:
    root, bad_path, where, says = bad_chapter
    window = open_window(load_book(root))
    window.open_first_chapter()  # type: ignore[attr-defined]
    viewer = window.viewer  # type: ignore[attr-defined]
    assert GOOD in viewer.toPlainText()
    assert window.open_section(bad_path)  # type: ignore[attr-defined]
    status = window.statusBar().currentMessage()  # type: ignore[attr-defined]
    assert where in status and says in status
    page = viewer.toPlainText()
    assert GOOD not in page and "SENTINEL" not in page
    assert says in page  # the error page says what is wrong
    window.navigation.next_chapter()  # type: ignore[attr-defined]
    assert viewer.current_chapter() == "after.md"
    assert AFTER in viewer.toPlainText()


# --- books that cannot be opened at all ---------------------------------------------------------


def empty_folder(root: Path) -> str:
    root.mkdir()
    return f"{root}: not a book: no markdown (.md) file here, no SUMMARY.md"


def toml_only(root: Path) -> str:
    root.mkdir()
    (root / "book.toml").write_text('[book]\ntitle = "T"\n', encoding="utf-8")
    return f"{root / 'src' / 'SUMMARY.md'}: not found"


def summary_not_utf8(root: Path) -> str:
    write_book(root, "", {})
    (root / "src" / "SUMMARY.md").write_bytes(b"# Summary\n\n- [Caf\xe9](cafe.md)\n")
    return f"{root / 'src' / 'SUMMARY.md'}:3: not UTF-8 text (byte 0xe9)"


def summary_without_chapters(root: Path) -> str:
    write_book(root, "# Summary\n\nJust words, no links.\n", {})
    return f"{root / 'src' / 'SUMMARY.md'}: lists no chapters"


def summary_a_folder(root: Path) -> str:
    (root / "src" / "SUMMARY.md").mkdir(parents=True)
    return f"{root}: not a book: no markdown (.md) file here, no SUMMARY.md"


def book_is_a_symlink_loop(root: Path) -> str:
    root.symlink_to(root)
    return f"{root}: cannot be opened: is a symlink loop"


def summary_unreadable(root: Path) -> str:
    write_book(root, "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n"})
    (root / "src" / "SUMMARY.md").chmod(0)
    return f"{root / 'src' / 'SUMMARY.md'}: cannot be read: permission denied"


BAD_BOOKS: dict[str, Callable[[Path], str]] = {
    "empty-folder": empty_folder,
    "book-toml-only": toml_only,
    "summary-not-utf8": summary_not_utf8,
    "summary-without-chapters": summary_without_chapters,
    "summary-a-folder": summary_a_folder,
    "book-symlink-loop": book_is_a_symlink_loop,
    "summary-unreadable": summary_unreadable,
}


@pytest.fixture(params=sorted(BAD_BOOKS))
def bad_book(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    if request.param == "summary-unreadable" and AS_ROOT:
        pytest.skip("root reads a file whatever its mode")
    root = tmp_path / "book"
    return root, BAD_BOOKS[request.param](root)


@pytest.mark.parametrize("command", [["toc"], []], ids=["toc", "window"])
def test_a_book_that_cannot_open_is_one_line_and_exit_2(
    bad_book: tuple[Path, str], command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``handbook toc PATH`` and ``handbook PATH`` (before any window is made)."""
    root, message = bad_book
    assert cli.main([*command, str(root)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"handbook: {message}")


def test_opening_a_bad_book_from_the_window_keeps_the_open_one(
    bad_book: tuple[Path, str],
    tmp_path: Path,
    open_window: Callable[[Book], object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, message = bad_book
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    window = open_window(load_book(make_book(tmp_path / "good")))
    window.open_first_chapter()  # type: ignore[attr-defined]
    assert not window.open_book_at(root)  # type: ignore[attr-defined]
    assert len(shown) == 1 and shown[0].startswith(message)
    assert window.book().root == (tmp_path / "good" / "book")  # type: ignore[attr-defined]
    window.navigation.next_chapter()  # type: ignore[attr-defined]
    assert window.viewer.current_chapter() == "bad.md"  # type: ignore[attr-defined]


def test_a_summary_whose_every_link_is_missing_still_opens(
    tmp_path: Path, open_window: Callable[[Book], object], capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(tmp_path / "book", "# Summary\n\n- [A](a.md)\n- [B](b/c.md)\n", {})
    assert cli.main(["toc", str(root)]) == 0
    err = capsys.readouterr().err
    assert "SUMMARY.md:3: chapter 'a.md' not found" in err
    assert "SUMMARY.md:4: chapter 'b/c.md' not found" in err
    window = open_window(load_book(root))
    window.open_first_chapter()  # type: ignore[attr-defined]
    assert "SUMMARY.md:3" in window.statusBar().currentMessage()  # type: ignore[attr-defined]
    window.navigation.next_chapter()  # type: ignore[attr-defined]
    assert "SUMMARY.md:4" in window.statusBar().currentMessage()  # type: ignore[attr-defined]


# --- encodings and line ends that are fine ------------------------------------------------------


def test_bom_and_crlf_read_as_plain_text_in_the_tree_and_the_page(
    tmp_path: Path, open_window: Callable[[Book], object], capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_book(tmp_path / "book", "", {})
    src = root / "src"
    (src / "SUMMARY.md").write_bytes("\ufeff# Summary\r\n\r\n- [Crlf](crlf.md)\r\n".encode())
    (src / "crlf.md").write_bytes(
        "\ufeff# First\r\n\r\nOne line.\r\nTwo lines.\r\n\r\n## Second\r\n\r\nEnd.\r\n".encode()
    )
    assert cli.main(["toc", "--headings", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["1. Crlf", "  # First", "  ## Second"]
    assert err == ""
    window = open_window(load_book(root))
    assert window.open_section("crlf.md#second")  # type: ignore[attr-defined]
    page = window.viewer.toPlainText()  # type: ignore[attr-defined]
    assert page.startswith("First")
    assert "\ufeff" not in page and "\r" not in page
    assert "One line. Two lines." in page
