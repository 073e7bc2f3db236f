"""The window's session: its tabs (each a book at a place) and the active one, kept in the
places file (:meth:`~handbook.core.reading.places.PlaceStore.save_session`: SQLite WAL, written
as each place is saved and as tabs open, close, move or are shown, so a start after a crash
shows them) and restored at start.

Only the active tab is made at start; every other one is a :class:`PendingTab` (a title, no
book read, nothing rendered) until it is first shown, so ten tabs start as fast as one. A tab
whose book cannot be read any more (its folder gone, a disconnected drive) says so in its page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from handbook.core.book.model import Book
from handbook.core.reading.place import Place
from handbook.core.reading.places import SessionTab

__all__ = ["PendingTab", "arrange", "load_tab_book"]


class PendingTab(QWidget):
    """A session's tab not shown yet: the window makes its reader when it is."""

    def __init__(self, tab: SessionTab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pending_tab")
        self.tab = tab


def arrange(
    saved: list[SessionTab], book: Book
) -> tuple[list[SessionTab], list[SessionTab], Place | None]:
    """The session's tabs around the window's first tab, on ``book``: (the tabs before it,
    the tabs after it, where it was when another tab is on its book). The first tab takes the
    place of the session's active tab, else of its first tab on ``book``; when none is on
    ``book`` (a book named on the command line), every saved tab follows it."""
    if not saved:
        return [], [], None
    active = next((i for i, tab in enumerate(saved) if tab.active), 0)
    location = book.location()
    on_book = [i for i, tab in enumerate(saved) if Path(tab.book_path) == location]
    if not on_book:
        return [], saved, None
    at = active if active in on_book else on_book[0]
    before, after = saved[:at], saved[at + 1 :]
    same_book = any(tab.book_identity == book.identity for tab in before + after)
    return before, after, saved[at].place if same_book else None


def load_tab_book(
    tab: SessionTab, shared: Callable[[Path], Book | None]
) -> tuple[Book, str | None]:
    """The book of a session's tab (one a tab holds already: ``shared``), and None; or, when
    it cannot be read, a book without chapters standing for it and why."""
    from handbook.core.book.load import load_book
    from handbook.core.book.model import BookError

    location = Path(tab.book_path)
    book = shared(location)
    if book is not None:
        return book, None
    try:
        return load_book(location), None
    except BookError as exc:
        reason = str(exc)
    except OSError as exc:  # a drive gone mid-read
        reason = f"{location} cannot be read: {exc.strerror or exc}"
    title = tab.title or location.name
    stand_in = Book(location, location, location, title, (), identity=tab.book_identity)
    return stand_in, reason
