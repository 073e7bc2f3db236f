"""The library store's many-books add (a folder of books): one entry per book, nothing lost."""

from __future__ import annotations

import threading
from pathlib import Path

from handbook.core.library.store import FoundBook, LibraryStore


def found(root: Path, names: range, prefix: str = "Book") -> list[FoundBook]:
    return [FoundBook(root / f"book-{n}", f"{prefix} {n}", "mdbook") for n in names]


def test_add_many_counts_new_books_and_keeps_one_entry_each(tmp_path: Path) -> None:
    with LibraryStore.open(tmp_path / "data") as store:
        assert store.add_many(found(tmp_path, range(5))) == 5
        again = [*found(tmp_path, range(3, 8), "Renamed"), *found(tmp_path, range(7, 8))]
        assert store.add_many(again) == 3  # 5, 6 and 7 are new; 7 given twice
        books = store.books()
    assert len(books) == 8
    titles = {b.location.name: b.title for b in books}
    assert titles["book-0"] == "Book 0" and titles["book-3"] == "Renamed 3"


def test_two_windows_adding_folders_at_once_lose_nothing(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def add(names: range) -> None:
        try:
            with LibraryStore.open(tmp_path / "data") as store:
                for start in range(names.start, names.stop, 50):
                    store.add_many(found(tmp_path, range(start, start + 50)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(r,)) for r in (range(0, 500), range(500, 1000))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with LibraryStore.open(tmp_path / "data") as store:
        assert len(store.books()) == 1000
