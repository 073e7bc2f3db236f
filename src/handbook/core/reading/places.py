"""Each book's last place and the chapters read in it, and the window's session (its tabs,
each a book at a place, and the active one), in one SQLite file (WAL).

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


def _schema_2(tx: Transaction) -> None:
    tx.execute(
        """CREATE TABLE session_tabs (
            position INTEGER PRIMARY KEY,
            book_path TEXT NOT NULL,
            book_identity TEXT NOT NULL,
            title TEXT NOT NULL,
            section_id TEXT NOT NULL,
            place_offset INTEGER NOT NULL,
            place_quote TEXT NOT NULL,
            active INTEGER NOT NULL)"""
    )


MIGRATIONS = (_schema_1, _schema_2)


@dataclass(frozen=True)
class SessionTab:
    """One tab of the window's session: its book, the text at its top, whether it is shown."""

    book_path: str
    book_identity: str
    title: str
    place: Place | None  # None: where the book was left
    active: bool = False


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

    # -- the session -------------------------------------------------------------------------

    def save_session(self, tabs: Iterable[SessionTab]) -> None:
        """The window's tabs, in order, written in one transaction (the last session is
        replaced whole); raises StorageError (the caller says so)."""
        if self.database is None:
            return
        rows = [
            (
                position,
                tab.book_path,
                tab.book_identity,
                tab.title,
                tab.place.section if tab.place else "",
                tab.place.offset if tab.place else 0,
                tab.place.quote if tab.place else "",
                int(tab.active),
            )
            for position, tab in enumerate(tabs)
        ]
        with self.database.transaction() as tx:
            tx.execute("DELETE FROM session_tabs")
            tx.executemany("INSERT INTO session_tabs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def session(self) -> list[SessionTab]:
        """The tabs of the last session, in order (none when there was none)."""
        if self.database is None:
            return []
        rows = self.database.execute(
            "SELECT book_path, book_identity, title, section_id, place_offset, place_quote, "
            "active FROM session_tabs ORDER BY position"
        )
        return [
            SessionTab(
                str(path),
                str(identity),
                str(title),
                Place(str(section), max(int(offset), 0), str(quote)) if section else None,
                bool(active),
            )
            for path, identity, title, section, offset, quote, active in rows
        ]
