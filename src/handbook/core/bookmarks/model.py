"""Bookmarks as plain data: what the store holds and hands out, what import and export read
and write (``exchange.py``), and the window shows (``ui/bookmarks/``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from handbook.core.reading.place import Place


class BookmarkStatus(str, Enum):
    OK = "ok"
    MISSING = "missing"  # the section is gone from the book: shown as "section not found"


@dataclass(frozen=True)
class Bookmark:
    id: int
    book_identity: str
    book_path: str  # the book's folder, to open it again
    book_title: str
    section_id: str  # chapter-path#anchor
    scroll: int | None  # pixels, from stores before places (schema 1); no longer used
    heading_text: str  # the heading as it was when saved (re-anchoring looks for it)
    breadcrumb: str  # "Chapter › Parent heading", without the heading itself
    title: str
    note: str
    folder_id: int | None
    position: int  # order among the bookmarks of the same folder (or the book's top level)
    created: float  # seconds since the epoch
    chapter_index: int  # the chapter's place in reading order when saved (-1: unknown)
    prev_chapter: str  # the chapters around it when saved, to open the nearest if it goes
    next_chapter: str
    status: BookmarkStatus = BookmarkStatus.OK
    # where in the section (see core/reading/place.py): characters after its heading, and the text
    # there
    place_offset: int = 0
    place_quote: str = ""

    @property
    def missing(self) -> bool:
        return self.status is BookmarkStatus.MISSING

    @property
    def place(self) -> Place:
        return Place(self.section_id, self.place_offset, self.place_quote)


@dataclass(frozen=True)
class Folder:
    id: int
    book_identity: str
    name: str
    parent_id: int | None
    position: int
    created: float


@dataclass(frozen=True)
class Snapshot:
    """Folders and bookmarks, as exported, imported, backed up, or removed (for undo)."""

    folders: tuple[Folder, ...] = ()
    bookmarks: tuple[Bookmark, ...] = ()


@dataclass(frozen=True)
class Placements:
    """``(id, parent folder id, position)`` of a book's folders and bookmarks."""

    folders: tuple[tuple[int, int | None, int], ...]
    bookmarks: tuple[tuple[int, int | None, int], ...]


@dataclass(frozen=True)
class BookmarkDraft:
    """What is known of a section when it is bookmarked (see :func:`draft_for`)."""

    book_identity: str
    book_path: str
    book_title: str
    section_id: str
    heading_text: str
    breadcrumb: str = ""
    scroll: int | None = None
    chapter_index: int = -1
    prev_chapter: str = ""
    next_chapter: str = ""
    place_offset: int = 0
    place_quote: str = ""


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int  # already there: same book, section and title
    folders_added: int


@dataclass(frozen=True)
class AnchorChange:
    """Where re-anchoring puts a bookmark after its book changed."""

    bookmark_id: int
    old_section_id: str
    section_id: str  # the same as old_section_id when the section was not found
    status: BookmarkStatus
    reason: str  # for the user: "heading moved", "section not found"...
    draft: BookmarkDraft | None = None  # the new section's details, when it moved
