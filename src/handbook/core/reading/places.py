"""Each book's last place and the chapters read in it, in one SQLite file (WAL).

Qt-free: the window passes the data folder in and saves the place a second or so after the
reader stops moving. A commit in WAL mode survives a crash of the process (kill -9), so the app
reopens where the reader was. The file holds nothing that cannot be lost: a damaged one is set
aside and a new one started; a folder that cannot be written leaves places unsaved, the rest
of the app running (:attr:`PlaceStore.disabled_reason`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from handbook.core.reading.place import Place
from handbook.core.storage.sqlite import (
    Database,
    DatabaseCorrupt,
    StorageError,
    Store,
    Transaction,
    move_aside,
)

log = logging.getLogger(__name__)

FILE_NAME = "places.sqlite"
WHAT = "The reading places file"


@dataclass(frozen=True)
class SavedPlace:
    place: Place
    chapter_index: int  # the chapter's number in reading order when saved (-1: unknown)
    saved: float  # seconds since the epoch


def _schema_1(tx: Transaction) -> None:
    tx.execute(
        """CREATE TABLE places (
            book_identity TEXT PRIMARY KEY,
            book_path TEXT NOT NULL,
            section_id TEXT NOT NULL,
            place_offset INTEGER NOT NULL,
            place_quote TEXT NOT NULL,
            chapter_index INTEGER NOT NULL,
            saved REAL NOT NULL)"""
    )
    tx.execute(
        """CREATE TABLE chapters_read (
            book_identity TEXT NOT NULL,
            chapter TEXT NOT NULL,
            PRIMARY KEY (book_identity, chapter)) WITHOUT ROWID"""
    )


MIGRATIONS = (_schema_1,)


class PlaceStore(Store):
    """Use :meth:`open`, which never raises for the environment."""

    @classmethod
    def open(cls, data_dir: Path, *, clock: Callable[[], float] = time.time) -> PlaceStore:
        path = data_dir / FILE_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            try:
                database = Database(path, MIGRATIONS, what=WHAT)
            except DatabaseCorrupt as exc:
                aside = move_aside(path, "corrupt", clock())
                log.warning("%s; kept as %s, starting anew", exc, aside)
                database = Database(path, MIGRATIONS, what=WHAT)
        except (StorageError, OSError) as exc:
            return cls(None, disabled_reason=f"Your place is not saved: {exc}", clock=clock)
        return cls(database, clock=clock)

    def last_place(self, book_identity: str) -> SavedPlace | None:
        if self.database is None:
            return None
        rows = self.database.execute(
            "SELECT section_id, place_offset, place_quote, chapter_index, saved FROM places "
            "WHERE book_identity = ?",
            (book_identity,),
        )
        if not rows:
            return None
        section, offset, quote, index, saved = rows[0]
        return SavedPlace(Place(section, max(int(offset), 0), quote), int(index), float(saved))

    def save(self, book_identity: str, book_path: str, place: Place, chapter_index: int) -> None:
        """Remember ``place`` as the book's last; raises StorageError (the caller says so)."""
        if self.database is None:
            return
        with self.database.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    book_identity,
                    book_path,
                    place.section,
                    place.offset,
                    place.quote,
                    chapter_index,
                    self._clock(),
                ),
            )

    def mark_read(self, book_identity: str, chapters: Iterable[str]) -> None:
        if self.database is None:
            return
        with self.database.transaction() as tx:
            tx.executemany(
                "INSERT OR IGNORE INTO chapters_read VALUES (?, ?)",
                [(book_identity, c) for c in chapters],
            )

    def chapters_read(self, book_identity: str) -> frozenset[str]:
        if self.database is None:
            return frozenset()
        rows = self.database.execute(
            "SELECT chapter FROM chapters_read WHERE book_identity = ?", (book_identity,)
        )
        return frozenset(row[0] for row in rows)
