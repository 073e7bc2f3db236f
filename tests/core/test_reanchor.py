"""Re-anchoring: bookmarks follow their headings when the book changes, and are never dropped."""

from __future__ import annotations

from pathlib import Path

from handbook.core.book.model import Book, TocNode
from handbook.core.bookmarks.model import Bookmark, BookmarkStatus
from handbook.core.bookmarks.reanchor import draft_for, open_target, reanchor
from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.reading.place import Place
from tests.helpers.bookmark_writer import chapter, sample_book

OLD = sample_book()


def _bookmark(section_id: str, book: Book = OLD, **fields: object) -> Bookmark:
    draft = draft_for(book, section_id, place=Place(section_id, 300, "the rules say"))
    values: dict[str, object] = {
        "id": 1,
        "title": "my title",
        "note": "",
        "folder_id": None,
        "position": 0,
        "created": 0.0,
        "status": BookmarkStatus.OK,
        **draft.__dict__,
    }
    values.update(fields)
    return Bookmark(**values)  # type: ignore[arg-type]


def _book(*chapters: TocNode) -> Book:
    return sample_book(toc=chapters)


INTRO = chapter("intro.md", "Introduction", (1, "Introduction", "introduction"))
ERRORS = chapter("errors.md", "Errors", (1, "Errors", "errors"), (2, "Panic", "panic"))


def test_a_bookmark_whose_anchor_still_exists_is_kept() -> None:
    bookmark = _bookmark("ownership.md#rules")
    assert reanchor([bookmark], OLD) == []
    assert open_target(bookmark, OLD) == Place("ownership.md#rules", 300, "the rules say")


def test_a_renamed_heading_anchor_is_followed_by_its_text() -> None:
    # "## Rules {#ownership-rules}": same text, new anchor.
    new = _book(
        INTRO,
        chapter("ownership.md", "Ownership", (1, "Ownership", "ownership"), (2, "Rules", "o-r")),
    )
    (change,) = reanchor([_bookmark("ownership.md#rules")], new)
    assert (change.section_id, change.status) == ("ownership.md#o-r", BookmarkStatus.OK)
    assert change.old_section_id == "ownership.md#rules"
    assert change.reason == "heading renamed or moved"


def test_a_heading_moved_to_another_chapter_is_followed() -> None:
    new = _book(
        INTRO,
        chapter("ownership.md", "Ownership", (1, "Ownership", "ownership")),
        chapter("rules.md", "More", (1, "More", "more"), (2, "Rules", "rules")),
    )
    (change,) = reanchor([_bookmark("ownership.md#rules")], new)
    assert change.section_id == "rules.md#rules"
    assert change.reason == "chapter renamed or moved"
    assert change.draft is not None
    assert change.draft.chapter_index == 2 and change.draft.scroll is None


def test_a_renamed_chapter_file_is_followed_by_its_title() -> None:
    new = _book(INTRO, chapter("ch02-ownership.md", "Ownership", (2, "Rules", "rules")), ERRORS)
    changes = reanchor([_bookmark("ownership.md"), _bookmark("ownership.md#rules", id=2)], new)
    assert [(c.bookmark_id, c.section_id) for c in changes] == [
        (1, "ch02-ownership.md"),
        (2, "ch02-ownership.md#rules"),
    ]


def test_a_heading_found_in_several_places_prefers_its_own_chapter() -> None:
    new = _book(
        chapter("intro.md", "Introduction", (2, "Examples", "examples")),
        chapter("ownership.md", "Ownership", (2, "Examples", "examples-1"), (2, "X", "x")),
    )
    bookmark = _bookmark("ownership.md#rules", heading_text="Examples")
    (change,) = reanchor([bookmark], new)
    assert change.section_id == "ownership.md#examples-1"


def test_an_ambiguous_heading_is_not_guessed() -> None:
    new = _book(
        chapter("intro.md", "Introduction", (2, "Examples", "examples")),
        chapter("errors.md", "Errors", (2, "Examples", "examples")),
    )
    bookmark = _bookmark("ownership.md#rules", heading_text="Examples")
    (change,) = reanchor([bookmark], new)
    assert change.status is BookmarkStatus.MISSING
    assert change.section_id == "ownership.md#rules"  # kept as it was, with its title


def test_a_lost_section_is_marked_and_opens_at_its_chapter() -> None:
    new = _book(INTRO, chapter("ownership.md", "Ownership", (1, "Ownership", "ownership")), ERRORS)
    bookmark = _bookmark("ownership.md#rules")
    (change,) = reanchor([bookmark], new)
    assert (change.status, change.reason) == (BookmarkStatus.MISSING, "section not found")
    assert open_target(bookmark, new) == Place("ownership.md")
    lost = _bookmark("ownership.md#rules", status=BookmarkStatus.MISSING)
    assert reanchor([lost], new) == []  # already marked: nothing to change
    assert open_target(lost, new) == Place("ownership.md")


def test_a_lost_chapter_opens_at_the_nearest_one() -> None:
    bookmark = _bookmark("ownership.md#rules", status=BookmarkStatus.MISSING)
    assert open_target(bookmark, _book(INTRO, ERRORS)) == Place("errors.md")  # what followed
    assert open_target(bookmark, _book(INTRO)) == Place("intro.md")  # what preceded
    elsewhere = _book(
        chapter("a.md", "A"), chapter("b.md", "B"), chapter("c.md", "C"), chapter("d.md", "D")
    )
    assert open_target(bookmark, elsewhere) == Place("b.md")  # its old place in order
    assert open_target(bookmark, _book()) is None


def test_a_section_that_comes_back_is_unmarked() -> None:
    lost = _bookmark("ownership.md#rules", status=BookmarkStatus.MISSING)
    (change,) = reanchor([lost], OLD)
    assert (change.section_id, change.status) == ("ownership.md#rules", BookmarkStatus.OK)


def test_other_books_bookmarks_are_left_alone() -> None:
    other = _bookmark("gone.md#x", book_identity="another-book")
    assert reanchor([other], OLD) == []


def test_heading_text_matches_ignoring_case_and_spacing_when_unique() -> None:
    new = _book(chapter("ownership.md", "Ownership", (2, "The  stack and the HEAP", "s")))
    (change,) = reanchor([_bookmark("ownership.md#the-stack-and-the-heap")], new)
    assert change.section_id == "ownership.md#s"


def test_changes_are_saved_and_marked_bookmarks_stay_listed(tmp_path: Path) -> None:
    with BookmarkStore.open(tmp_path) as store:
        rules = Place("ownership.md#rules", 500)
        moved = store.add(draft_for(OLD, "ownership.md#rules", place=rules), title="Rules!")
        lost = store.add(draft_for(OLD, "errors.md#panic"), title="Panic")
        new = _book(
            INTRO,
            chapter("ownership.md", "Ownership", (2, "Rules", "the-rules")),
            chapter("errors.md", "Errors", (1, "Errors", "errors")),
        )
        store.apply(reanchor(store.bookmarks(), new))
        after = {b.id: b for b in store.bookmarks()}
    assert after[moved.id].section_id == "ownership.md#the-rules"
    assert after[moved.id].place == Place(
        after[moved.id].section_id
    )  # its old offset meant another place
    assert after[moved.id].title == "Rules!"
    assert after[lost.id].missing and after[lost.id].title == "Panic"
    assert after[lost.id].section_id == "errors.md#panic"
