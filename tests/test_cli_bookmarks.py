"""``handbook bookmarks``: list, export and import from the command line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.core.bookmarks.reanchor import draft_for
from handbook.core.bookmarks.store import BookmarkStore
from handbook.paths import data_dir
from tests.helpers.bookmark_writer import sample_book

BOOK = sample_book()


@pytest.fixture
def saved() -> Path:
    """Two bookmarks, one in a folder with a note, in the (redirected) user data folder."""
    folder = data_dir()
    with BookmarkStore.open(folder) as store:
        store.add(draft_for(BOOK, "intro.md#on-linux"), title="Linux setup")
        reading = store.create_folder(BOOK.identity, "Reading")
        store.add(
            draft_for(BOOK, "ownership.md#rules"),
            folder_id=reading.id,
            note="the three rules\nmore",
        )
    return folder


def test_list_shows_books_folders_and_bookmarks(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bookmarks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Sample Book — /books/sample"
    assert out[1] == "  Reading/"
    assert out[2].startswith("    Rules  (ownership.md#rules)  20")
    assert out[3] == "      note: the three rules"
    assert out[4].startswith("  Linux setup  (intro.md#on-linux)  ")


def test_list_with_nothing_saved(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bookmarks"]) == 0
    assert capsys.readouterr().out == "No bookmarks yet.\n"


def test_list_as_json(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bookmarks", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "handbook-bookmarks"
    assert sorted(b["title"] for b in document["bookmarks"]) == ["Linux setup", "Rules"]


@pytest.mark.parametrize("name", ["out.xbel", "out.json"])
def test_export_then_import_elsewhere(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    target = tmp_path / name
    assert main(["bookmarks", "export", str(target)]) == 0
    assert capsys.readouterr().out == f"Exported 2 bookmarks to {target}.\n"
    for leftover in list(saved.iterdir()):  # a new machine: nothing saved
        if leftover.is_file():
            leftover.unlink()
    for backup in (saved / "bookmark-backups").iterdir():
        backup.unlink()
    assert main(["bookmarks", "import", str(target)]) == 0
    assert capsys.readouterr().out == f"Imported 2 bookmarks and 1 folder from {target}.\n"
    assert main(["bookmarks", "import", str(target)]) == 0
    assert capsys.readouterr().out == f"Imported 0 bookmarks from {target}; 2 already here.\n"


def test_export_with_an_explicit_format(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bookmarks.txt"
    assert main(["bookmarks", "export", str(target), "--format", "xbel"]) == 0
    assert target.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_an_unknown_extension_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bookmarks", "export", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "cannot tell the format of 'x.txt'" in err and "--format" in err


def test_a_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bookmarks", "import"])
    assert exit_info.value.code == 2
    assert "file" in capsys.readouterr().err


def test_a_malformed_file_changes_nothing_and_says_why(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "handbook-bookmarks", "version": 1, "bookmarks": [{"title": 1}]}')
    main(["bookmarks", "--json"])
    before = capsys.readouterr().out
    assert main(["bookmarks", "import", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        'handbook: cannot import bad.json: bookmarks[0]: "title" must be text '
        "(up to 4096 characters); nothing was changed\n"
    )
    main(["bookmarks", "--json"])
    assert capsys.readouterr().out == before


def test_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bookmarks", "import", str(tmp_path / "nowhere.xbel")]) == 1
    assert capsys.readouterr().err == (
        f"handbook: cannot read {tmp_path / 'nowhere.xbel'}: No such file or directory\n"
    )


def test_an_unwritable_export_target_is_a_clear_error(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "out.json"
    assert main(["bookmarks", "export", str(target)]) == 1
    assert capsys.readouterr().err.startswith(f"handbook: cannot write {target}: ")


def test_a_data_folder_that_cannot_be_written_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["bookmarks"]) == 1
    assert "Bookmarks are turned off: the folder" in capsys.readouterr().err


def test_a_deleted_store_is_restored_from_its_backup_not_wiped(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's repro: import (a backup is written), delete bookmarks.sqlite*, list."""
    exported = tmp_path / "mine.json"
    assert main(["bookmarks", "export", str(exported)]) == 0
    for name in ("bookmarks.sqlite", "bookmarks.sqlite-wal", "bookmarks.sqlite-shm"):
        (saved / name).unlink(missing_ok=True)
    for backup in (saved / "bookmark-backups").iterdir():
        backup.unlink()
    assert main(["bookmarks", "import", str(exported)]) == 0
    capsys.readouterr()
    for name in ("bookmarks.sqlite", "bookmarks.sqlite-wal", "bookmarks.sqlite-shm"):
        (saved / name).unlink(missing_ok=True)

    assert main(["bookmarks"]) == 0
    captured = capsys.readouterr()
    assert "Linux setup  (intro.md#on-linux)" in captured.out
    assert "Rules  (ownership.md#rules)" in captured.out
    (line,) = captured.err.splitlines()
    assert line.startswith("handbook: Your bookmark file ") and "was missing" in line
    assert "2 bookmarks were restored from the backup of " in line
    backups = list((saved / "bookmark-backups").glob("*.json"))
    assert backups and all(len(json.loads(b.read_text())["bookmarks"]) == 2 for b in backups)
    assert main(["bookmarks"]) == 0  # and it stays so
    captured = capsys.readouterr()
    assert "Linux setup" in captured.out and captured.err == ""


@pytest.mark.parametrize(
    ("make", "status", "said"),
    [
        (lambda p: p.symlink_to(p.name), 1, "is a symbolic link that loops"),
        (lambda p: p.symlink_to("/dev/null"), 1, "is a symbolic link to /dev/null"),
        (lambda p: p.mkdir(), 1, "is a folder"),
        (
            lambda p: sqlite3.connect(p).executescript("CREATE TABLE bookmarks (url);"),
            0,
            "is not a handbook bookmark database",
        ),
        (
            lambda p: sqlite3.connect(p).executescript(
                "CREATE TABLE meta (k); PRAGMA user_version = 1;"
            ),
            0,
            "is not a handbook bookmark database",
        ),
    ],
    ids=["symlink-loop", "dev-null", "folder", "bookmarks-table", "schema-1-other-tables"],
)
def test_a_store_that_is_not_ours_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], status: int, said: str
) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    made = make(folder / "bookmarks.sqlite")
    if isinstance(made, sqlite3.Connection):
        made.close()
    assert main(["bookmarks"]) == status
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("handbook: ") and said in line
    assert captured.out == ("No bookmarks yet.\n" if status == 0 else "")


def test_a_store_that_is_a_fifo_does_not_hang_the_command(tmp_path: Path) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "bookmarks.sqlite")
    done = subprocess.run(
        [sys.executable, "-m", "handbook", "bookmarks"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"handbook: Bookmarks are turned off: {folder / 'bookmarks.sqlite'} "
        "is a named pipe (FIFO), not a file.\n"
    )
