"""The search cache's files: a save cut short (a full disk) leaves nothing behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from handbook.core.book.load import load_book
from handbook.core.search.index import IndexCache
from tests.conftest import write_book


def test_a_journal_left_by_a_save_cut_short_is_removed(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path / "book", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n"}))
    cache = IndexCache(tmp_path / "cache")
    path = cache.path_for(book)
    assert path is not None
    path.parent.mkdir(parents=True)
    journal = path.with_name(path.name + ".k3j9.tmp-journal")  # SQLite's, beside its temp file
    journal.write_bytes(b"a journal of a save the full disk stopped")
    os.utime(journal, (0, 0))
    cache.open(book).close()
    assert not journal.exists()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.parametrize("kind", ["fifo", "symlink-loop", "dev-null", "folder"])
def test_a_cache_entry_that_is_no_file_is_never_read(tmp_path: Path, kind: str) -> None:
    """(Already so before issue 12: kept as a guard.) Nothing blocks on a FIFO; the index is
    built from the book, and the entry replaced by a real cache file where it can be."""
    book = load_book(write_book(tmp_path / "book", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n"}))
    cache = IndexCache(tmp_path / "cache")
    path = cache.path_for(book)
    assert path is not None
    path.parent.mkdir(parents=True)
    {
        "fifo": lambda: os.mkfifo(path),
        "symlink-loop": lambda: path.symlink_to(path.name),
        "dev-null": lambda: path.symlink_to("/dev/null"),
        "folder": path.mkdir,
    }[kind]()
    cache.open(book).close()  # built from the book (a FIFO would have blocked the read)
    assert path.is_dir() if kind == "folder" else stat.S_ISREG(os.lstat(path).st_mode)
