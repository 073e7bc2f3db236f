"""Bookmarks follow their book as it changes: re-anchoring, and where a lost one opens.

A bookmark remembers its section id, its heading's text and the chapters around it
(:func:`draft_for`). When the book changes, :func:`reanchor` keeps a bookmark whose anchor still
exists, moves one whose heading text is found in exactly one place (same chapter first, then the
whole book: a heading renamed in its anchor, moved, or its chapter file renamed), and otherwise
marks it "section not found". Such a bookmark is never dropped or hidden: :func:`open_target`
opens it at its chapter if that still exists, else at the chapter nearest to where it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from handbook.core.book.model import Book, Heading, NodeKind, TocNode, split_section_id
from handbook.core.bookmarks.model import AnchorChange, Bookmark, BookmarkDraft, BookmarkStatus
from handbook.core.reading.place import Place

BREADCRUMB_SEPARATOR = " › "


def draft_for(
    book: Book, section_id: str, heading_text: str = "", place: Place | None = None
) -> BookmarkDraft:
    """A draft bookmark of ``section_id`` in ``book``, with what re-anchoring needs later;
    ``place``: where in the section (its offset and quote), when it is that section's."""
    path, anchor = split_section_id(section_id)
    chapters = book.chapters()
    paths = [c.path for c in chapters]
    index = paths.index(path) if path in paths else -1
    trail = [node.title for node in _toc_trail(book.toc, path)]
    node = book.chapter(path)
    if node is not None and anchor:
        headings = node.headings
        at = next((i for i, h in enumerate(headings) if h.anchor == anchor), None)
        if at is not None:
            heading_text = heading_text or headings[at].title
            parents = _parent_headings(headings, at)
            # A chapter's first heading usually repeats the chapter's title: say it once.
            if parents and trail and parents[0] == trail[-1]:
                parents = parents[1:]
            trail.extend(parents)
    elif node is not None:
        heading_text = heading_text or node.title
    if trail and trail[-1] == heading_text:
        trail = trail[:-1]
    return BookmarkDraft(
        book_identity=book.identity,
        book_path=str(book.root),
        book_title=book.title,
        section_id=section_id,
        heading_text=heading_text or section_id,
        breadcrumb=BREADCRUMB_SEPARATOR.join(t for t in trail if t),
        chapter_index=index,
        prev_chapter=(paths[index - 1] or "") if index > 0 else "",
        next_chapter=(paths[index + 1] or "") if 0 <= index < len(paths) - 1 else "",
        place_offset=place.offset if place is not None and place.section == section_id else 0,
        place_quote=place.quote if place is not None and place.section == section_id else "",
    )


def _toc_trail(nodes: Sequence[TocNode], path: str) -> list[TocNode]:
    """The chapters from the top of the tree down to the chapter at ``path`` (parts left out)."""
    for node in nodes:
        if node.path == path and node.kind is NodeKind.CHAPTER:
            return [node]
        below = _toc_trail(node.children, path)
        if below:
            return ([node] if node.kind is NodeKind.CHAPTER else []) + below
    return []


def _parent_headings(headings: Sequence[Heading], at: int) -> list[str]:
    level = headings[at].level
    parents: list[str] = []
    for heading in reversed(headings[:at]):
        if heading.level < level:
            parents.append(heading.title)
            level = heading.level
    parents.reverse()
    return parents


def reanchor(bookmarks: Iterable[Bookmark], book: Book) -> list[AnchorChange]:
    """What must change for ``book``'s bookmarks to point at sections that exist (Qt-free)."""
    index = _HeadingIndex(book)
    changes: list[AnchorChange] = []
    for bookmark in bookmarks:
        if bookmark.book_identity != book.identity:
            continue
        change = _reanchor_one(bookmark, book, index)
        if change is not None:
            changes.append(change)
    return changes


def open_target(bookmark: Bookmark, book: Book) -> Place | None:
    """The place to open ``bookmark`` at in ``book``.

    A bookmark whose section is gone opens at the top of its chapter, or else at the chapter
    that stood next to it (after it, then before it), or at the chapter that now holds its old
    place in reading order. None for a book without chapters.
    """
    path, anchor = split_section_id(bookmark.section_id)
    node = book.chapter(path)
    if node is not None and not bookmark.missing and _has_section(node, anchor):
        return bookmark.place
    if node is not None:
        return Place(path)
    for neighbour in (bookmark.next_chapter, bookmark.prev_chapter):
        if neighbour and book.chapter(neighbour) is not None:
            return Place(neighbour)
    chapters = [c.path for c in book.chapters() if c.path]
    if not chapters:
        return None
    at = min(max(bookmark.chapter_index, 0), len(chapters) - 1)
    return Place(chapters[at])


def _has_section(chapter: TocNode, anchor: str | None) -> bool:
    return anchor is None or any(h.anchor == anchor for h in chapter.headings)


class _HeadingIndex:
    """Where each chapter title and heading text occurs in a book."""

    def __init__(self, book: Book) -> None:
        self.chapters: dict[str, list[str]] = {}
        self.headings: dict[str, list[str]] = {}
        for chapter in book.chapters():
            assert chapter.path is not None
            _append(self.chapters, chapter.title, chapter.path)
            for heading in chapter.headings:
                _append(self.headings, heading.title, f"{chapter.path}#{heading.anchor}")

    def find(self, text: str, chapter: str, top_of_chapter: bool) -> str | None:
        """The one section showing ``text`` (in ``chapter`` first), or None if none or several."""
        for key in (_exact(text), _loose(text)):
            places = (self.chapters.get(key, []) if top_of_chapter else []) or self.headings.get(
                key, []
            )
            here = [p for p in places if split_section_id(p)[0] == chapter]
            if len(here) == 1:
                return here[0]
            if len(places) == 1:
                return places[0]
            if places:
                return None  # several: moving would be a guess
        return None


def _append(index: dict[str, list[str]], text: str, place: str) -> None:
    for key in {_exact(text), _loose(text)}:
        index.setdefault(key, []).append(place)


def _exact(text: str) -> str:
    return "=" + " ".join(text.split())


def _loose(text: str) -> str:
    return "~" + " ".join(text.casefold().split())


def _reanchor_one(bookmark: Bookmark, book: Book, index: _HeadingIndex) -> AnchorChange | None:
    path, anchor = split_section_id(bookmark.section_id)
    node = book.chapter(path)
    if node is not None and _has_section(node, anchor):
        if bookmark.missing:
            return _change(bookmark, bookmark.section_id, BookmarkStatus.OK, "section found again")
        return None
    target = index.find(bookmark.heading_text, path, top_of_chapter=anchor is None)
    if target is not None:
        moved_chapter = split_section_id(target)[0] != path
        reason = "chapter renamed or moved" if moved_chapter else "heading renamed or moved"
        draft = draft_for(book, target)
        return _change(bookmark, target, BookmarkStatus.OK, reason, draft)
    if bookmark.missing:
        return None
    return _change(bookmark, bookmark.section_id, BookmarkStatus.MISSING, "section not found")


def _change(
    bookmark: Bookmark,
    section_id: str,
    status: BookmarkStatus,
    reason: str,
    draft: BookmarkDraft | None = None,
) -> AnchorChange:
    return AnchorChange(bookmark.id, bookmark.section_id, section_id, status, reason, draft)
