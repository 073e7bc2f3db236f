"""A place in a book: a position in its text, not in pixels.

A place is a section id, the number of characters from the section's heading to the first
character the reader saw at the top of the page, and a short quote of the text there. Pixels
change with the zoom, the page font, the window's width and the docks; characters do not. The
quote finds the place again after small edits to the chapter (a sentence added above it moves
the offset, not the quote). Bookmarks, the last place read, Back and Forward, search hits and
links all open places.
"""

from __future__ import annotations

from dataclasses import dataclass

from handbook.core.book.model import split_section_id

QUOTE_LENGTH = 40  # characters kept from the top of the page


@dataclass(frozen=True)
class Place:
    section: str  # a section id: ``chapter-path`` or ``chapter-path#anchor``
    offset: int = 0  # characters after the section's heading (0: the heading itself)
    quote: str = ""  # the text at ``offset`` when the place was taken ("": none kept)

    @property
    def chapter(self) -> str:
        return split_section_id(self.section)[0]

    @property
    def anchor(self) -> str | None:
        return split_section_id(self.section)[1]


def quote_at(text: str, offset: int) -> str:
    """The quote a place keeps of ``text`` (a section's text) at ``offset``."""
    return " ".join(text[offset : offset + QUOTE_LENGTH].split())


def find_in_section(text: str, place: Place) -> int | None:
    """Where ``place`` is in ``text``, its section's text now: its offset when the quote is
    still there, else the occurrence of the quote nearest to it, else None (the text is gone).

    A place without a quote is at its offset (clamped to the section)."""
    offset = min(max(place.offset, 0), len(text))
    quote = place.quote
    if not quote:
        return offset
    if quote_at(text, offset).startswith(quote):
        return offset
    found = _occurrences(text, quote)
    if not found:
        return None
    return min(found, key=lambda at: abs(at - offset))


def _occurrences(text: str, quote: str) -> list[int]:
    """Where ``quote`` starts in ``text``, whitespace compared loosely (as :func:`quote_at`)."""
    words = quote.split()
    if not words:
        return []
    found: list[int] = []
    at = text.find(words[0])
    while at >= 0 and len(found) < 1000:
        if quote_at(text, at).startswith(quote):
            found.append(at)
        at = text.find(words[0], at + 1)
    return found
