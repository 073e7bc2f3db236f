"""``handbook library``: list, add and remove books from the command line; the store on disk."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.core.library.store import FILE_NAME
from handbook.paths import data_dir
from tests.conftest import write_book

GUIDE_TITLE_LINE = 1  # the first listed book (after the count line) is the bundled guide


def small_book(root: Path, title: str) -> Path:
    return write_book(
        root,
        "# Summary\n\n- [Intro](intro.md)\n",
        {"intro.md": f"# Intro of {title}\n\nWords about {title.lower()}.\n"},
        toml=f'[book]\ntitle = "{title}"\n',
    )


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    """A folder holding two mdBook books and an MkDocs site."""
    root = tmp_path / "shelf"
    small_book(root / "alpha", "Alpha Book")
    small_book(root / "nested" / "beta", "Beta Book")
    site = root / "gamma"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: Gamma Site\n", encoding="utf-8")
    (site / "docs" / "index.md").write_text("# Gamma\n\nHello.\n", encoding="utf-8")
    return root


def rows_on_disk() -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir() / FILE_NAME) as conn:
        return sorted(conn.execute("SELECT location, title, format FROM books").fetchall())


def listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["library", "--json"]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_add_a_folder_of_books_lists_each_one(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["library", "add", str(shelf)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"added: Alpha Book (mdBook) — {shelf / 'alpha'}",
        f"added: Gamma Site (MkDocs) — {shelf / 'gamma'}",
        f"added: Beta Book (mdBook) — {shelf / 'nested' / 'beta'}",
    ]
    assert rows_on_disk() == [
        (str(shelf / "alpha"), "Alpha Book", "mdbook"),
        (str(shelf / "gamma"), "Gamma Site", "mkdocs"),
        (str(shelf / "nested" / "beta"), "Beta Book", "mdbook"),
    ]
    assert main(["library"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "4 books in the library"
    assert text[GUIDE_TITLE_LINE].endswith("  [bundled]")
    assert "Alpha Book" in text and "Beta Book" in text and "Gamma Site" in text


def test_the_guide_is_always_listed_and_cannot_be_removed(
    guide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    books = listed(capsys)
    assert [(b["bundled"], b["missing"]) for b in books] == [(True, False)]
    assert books[0]["location"] == str(guide.resolve())
    assert main(["library", "remove", str(guide)]) == 1
    assert "cannot be removed" in capsys.readouterr().err
    assert len(listed(capsys)) == 1


def test_a_book_added_twice_is_one_entry(shelf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = shelf / "alpha"
    assert main(["library", "add", str(book)]) == 0
    assert main(["library", "add", str(book / "src" / "SUMMARY.md")]) == 0
    link = shelf.parent / "alpha-link"
    link.symlink_to(book)
    assert main(["library", "add", str(link)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("added: Alpha Book")
    assert out[1].startswith("already in the library: Alpha Book")
    assert out[2].startswith("already in the library: Alpha Book")
    assert rows_on_disk() == [(str(book), "Alpha Book", "mdbook")]


def test_a_book_whose_folder_has_gone_is_listed_missing(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["library", "add", str(shelf)]) == 0
    (shelf / "alpha").rename(shelf / "moved")
    capsys.readouterr()
    books = {b["title"]: b for b in listed(capsys)}
    assert books["Alpha Book"]["missing"] is True
    assert books["Beta Book"]["missing"] is False
    assert main(["library"]) == 0
    assert "Alpha Book  [missing]" in capsys.readouterr().out.splitlines()
    assert len(rows_on_disk()) == 3  # still stored


def test_remove_forgets_the_entry_only(shelf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = shelf / "alpha"
    assert main(["library", "add", str(shelf)]) == 0
    assert main(["library", "remove", str(book)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"removed from the library: Alpha Book — {book} (its files and bookmarks are kept)"
    )
    assert (book / "src" / "intro.md").is_file()
    assert [r[1] for r in rows_on_disk()] == ["Gamma Site", "Beta Book"]
    assert main(["library", "remove", str(book)]) == 1
    assert capsys.readouterr().err == (
        f"handbook: {book} is not in the library ('handbook library' lists it)\n"
    )


def test_a_missing_book_can_be_removed(shelf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "add", str(shelf / "alpha")]) == 0
    (shelf / "alpha").rename(shelf / "moved")
    assert main(["library", "remove", str(shelf / "alpha")]) == 0
    assert rows_on_disk() == []


def test_a_path_that_is_no_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "add", str(tmp_path / "nothing")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"handbook: {tmp_path / 'nothing'}: no such file or folder\n"


@pytest.mark.parametrize("damage", ["garbage", "newer", "foreign"])
def test_a_bad_library_file_is_moved_aside_and_the_user_told_once(
    damage: str, shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    if damage == "garbage":
        path.write_bytes(b"not a database at all " * 500)
    else:
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE other (x)" if damage == "foreign" else "CREATE TABLE t (x)")
            if damage == "newer":
                conn.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    assert main(["library", "add", str(shelf / "alpha")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("handbook: Your library could not be read: ")
    assert "a new library was started" in err
    label = {"garbage": "corrupt", "newer": "newer", "foreign": "foreign"}[damage]
    kept = list(folder.glob(f"{FILE_NAME}.{label}-*"))
    assert len(kept) == 1 and kept[0].name in err
    assert kept[0].read_bytes() == before  # untouched
    assert [r[1] for r in rows_on_disk()] == ["Alpha Book"]
    assert main(["library"]) == 0
    assert capsys.readouterr().err == ""  # told once


@pytest.mark.parametrize("kind", ["fifo", "folder", "loop"])
def test_a_library_path_that_is_no_file_is_left_alone(
    kind: str, shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(path)
    assert main(["library", "add", str(shelf / "alpha")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"handbook: The library is turned off: {path} is ")
    assert os.path.lexists(path) and sorted(p.name for p in folder.iterdir()) == [FILE_NAME]


ADDER = """
import sys
from pathlib import Path
from handbook.core.library.store import FoundBook, LibraryStore
folder, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    with LibraryStore.open(folder) as store:
        assert store.disabled_reason is None, store.disabled_reason
        store.add(FoundBook(Path(f"/books/{prefix}-{i}"), f"{prefix} {i}", "folder"))
print("done", flush=True)
"""


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "shared-data"
    count = 40
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", ADDER, str(folder), name, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert (writer.returncode, out, err) == (0, "done\n", "")
    with sqlite3.connect(folder / FILE_NAME) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM books")}
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert titles == {f"{side} {i}" for side in ("left", "right") for i in range(count)}


def test_a_damaged_library_is_rebuilt_with_the_books_of_the_bookmarks(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from handbook.core.book.load import load_book
    from handbook.core.bookmarks.reanchor import draft_for
    from handbook.core.bookmarks.store import BookmarkStore

    book = load_book(shelf / "alpha")
    with BookmarkStore.open(data_dir()) as bookmarks:
        bookmarks.add(draft_for(book, "intro.md#intro-of-alpha-book"), title="Start")
    (data_dir() / FILE_NAME).write_bytes(b"\x00garbage" * 1000)
    assert main(["library", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.endswith("a new library was started with the 1 book of your bookmarks.\n")
    books = json.loads(captured.out)
    assert [(b["title"], b["format"], b["missing"]) for b in books[1:]] == [
        ("Alpha Book", "mdbook", False)
    ]


def test_a_broken_book_in_a_folder_of_books_is_skipped_and_said(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = shelf / "broken"
    broken.mkdir()
    (broken / "book.toml").write_text('[book]\ntitle = "Broken"\n', encoding="utf-8")
    assert main(["library", "add", str(shelf)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3
    assert captured.err.startswith(f"handbook: skipped: {broken}")
    assert [r[1] for r in rows_on_disk()] == ["Alpha Book", "Gamma Site", "Beta Book"]


def test_a_single_markdown_file_is_a_book(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "notes.md"
    note.write_text("# My notes\n\nText.\n", encoding="utf-8")
    assert main(["library", "add", str(note)]) == 0
    assert capsys.readouterr().out == f"added: My notes (file) — {note}\n"
    assert rows_on_disk() == [(str(note), "My notes", "file")]
