"""One pass over a chapter's pulldown-cmark events: its page, its headings, its sections' text.

The events are mdBook's (pulldown-cmark with mdBook 0.5's options, see :func:`parser`). One
walk writes the page's HTML in Qt's rich-text subset, gives every heading mdBook's id (in
document order, headings in block quotes and lists included, ``{#id}`` winning) and collects,
section by section (a section runs from a heading to the next), the words a reader sees:
text, code as shown, captions, footnotes in the section that first cites them; never a
hidden line of code, a script, a comment or an element the page hides. The HTML is not yet
sanitized: the renderer does that. The walk itself is :mod:`handbook.core.render.mdbook.walker`.

The headings and words of the chapters parsed last for their page are kept (a
:class:`~handbook.core.kept.Kept`, bounded): the search index, asking for the same text's words
(a book indexed after its chapters were rendered, a saved chapter shown and indexed again), gets
them without a second walk, as mdBook builds a page and its search entries from one parse.
"""

from __future__ import annotations

from functools import lru_cache

import pyromark

from handbook.core.book.model import MarkdownOptions
from handbook.core.kept import Kept
from handbook.core.render.mdbook.listings import rewrite_listings_text
from handbook.core.render.mdbook.walker import ParsedChapter, SectionText, Walker
from handbook.core.render.theme import PageTheme

__all__ = ["ParsedChapter", "SectionText", "parse_chapter", "parser"]

# Letters that re.IGNORECASE matches to "hidden" or "display" but str.lower() does not make so
_FOLDED = ("\u0130", "\u0131", "\u017f")  # İ, ı, ſ


def _may_hide(text: str) -> bool:
    """Whether raw HTML in ``text`` may hide an element (``hidden``, ``display: none``):
    what ``re.search("hidden|display", text, re.IGNORECASE)`` says, three times faster."""
    lowered = text.lower()
    if "hidden" in lowered or "display" in lowered:
        return True
    return not text.isascii() and any(ch in text for ch in _FOLDED)


@lru_cache(maxsize=16)
def parser(options: MarkdownOptions = MarkdownOptions()) -> pyromark.Markdown:  # noqa: B008
    """pulldown-cmark with the options mdBook 0.5 gives it (``new_cmark_parser``)."""
    o = pyromark.Options
    flags = (
        o.ENABLE_TABLES
        | o.ENABLE_FOOTNOTES
        | o.ENABLE_STRIKETHROUGH
        | o.ENABLE_TASKLISTS
        | o.ENABLE_HEADING_ATTRIBUTES
    )
    if options.smart_punctuation:
        flags |= o.ENABLE_SMART_PUNCTUATION
    if options.definition_lists:
        flags |= o.ENABLE_DEFINITION_LIST
    if options.admonitions:
        flags |= o.ENABLE_GFM
    return pyromark.Markdown(options=flags)


def parse_chapter(
    text: str,
    options: MarkdownOptions = MarkdownOptions(),  # noqa: B008
    theme: PageTheme | None = None,
    *,
    headings_only: bool = False,
) -> ParsedChapter:
    """``text`` (a chapter after mdBook's preprocessing) walked once; with ``theme`` None, no
    HTML is written (the search index needs only headings and words); with ``headings_only``,
    only the headings are made (the tree, when a book opens), by the same handlers."""
    if theme is None and not headings_only:
        kept = _KEPT.get((text, options))
        if kept is not None:
            return kept
    source = text
    text = rewrite_listings_text(text)
    walker = Walker(text, options, theme if not headings_only else None)
    events = parser(options).events_with_range(text, merge_text=True)
    if headings_only:
        walker.walk_headings(events, watch_html=_may_hide(text))
        return ParsedChapter("", tuple(walker.headings), ())
    walker.walk(events)
    parsed = walker.result()
    if theme is not None:  # its words are the same in every theme
        size = len(source) + sum(len(s.text) for s in parsed.sections)
        _KEPT.put((source, options), ParsedChapter("", parsed.headings, parsed.sections), size)
    return parsed


# The Rust book's 111 chapters are 2.1 million characters of text and words: a book of that
# size is kept whole (a few MB), for its index built after its pages.
_KEPT: Kept[tuple[str, MarkdownOptions], ParsedChapter] = Kept(limit=4_000_000)
