"""A chapter split into sections: what the search index holds.

One section per heading (its text runs until the next heading, whatever the level, headings
in block quotes and lists included), plus the text before the first heading when there is
any. The text is exactly the words the page shows, from the same pass over the chapter's
events that makes the page (:func:`handbook.core.render.mdbook.chapter.parse_chapter`): code as
shown (readers search for code like ``Box<T>``), footnotes in the section that first cites
them; no hidden line, script, comment or hidden element. The source given is the chapter
after its includes (see :func:`handbook.core.search.index.default_read_source`), so included
text is found too. A section id is the same ``chapter-path#anchor`` the page and the tree use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from handbook.core.book.includes import NOTE_MARKER, NOTE_WORD
from handbook.core.book.model import Book, Heading, MarkdownOptions, NodeKind, TocNode, section_id
from handbook.core.render.mdbook.chapter import ParsedChapter, SectionText, parse_chapter

SEPARATOR = " › "
# Private-use characters that the index uses as snippet markers: never let content hold them.
RESERVED_CHARS = "\ue000\ue001"
Progress = Callable[[int, int], None]  # (chapters done, chapters in all)


@dataclass(frozen=True)
class Section:
    """A heading and its text until the next heading, as plain text."""

    chapter: str  # chapter path relative to the book's src, POSIX
    anchor: str | None  # None for the text before a chapter's first heading
    title: str
    breadcrumb: str  # "Parent chapter › Chapter › Parent heading › Heading"
    body: str
    level: int  # heading level 1..6; 0 for the text before the first heading
    depth: int = 0  # headings above it in its chapter: 0 for a chapter's top section

    @property
    def id(self) -> str:
        return section_id(self.chapter, self.anchor)


def split_sections(
    chapter: str,
    source: str,
    chapter_titles: Iterable[str],
    options: MarkdownOptions | None = None,
) -> tuple[Section, ...]:
    """Sections of one chapter; ``chapter_titles``: its SUMMARY.md titles, outermost first;
    ``options``: the book's markdown settings (mdBook's defaults when None)."""
    trail = [t for t in chapter_titles if t]
    chapter_title = trail[-1] if trail else chapter
    try:
        parsed = parse_chapter(_clean(source), options or MarkdownOptions())
    except Exception:  # never the index build's end: the chapter's page says what is wrong
        parsed = ParsedChapter("", (), (SectionText(None, ""),))
    parts = parsed.sections
    if NOTE_WORD in source:
        parts = _without_notes(parts)
    sections: list[Section] = []
    stack: list[Heading] = []
    for part in parts:
        heading = part.heading
        if heading is None:
            sections.append(
                Section(chapter, None, chapter_title, SEPARATOR.join(trail), part.text, 0)
            )
            continue
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        crumbs = [*trail, *(h.title for h in stack if h.level > 1), heading.title]
        stack.append(heading)
        sections.append(
            Section(
                chapter=chapter,
                anchor=heading.anchor,
                title=heading.title or chapter_title,
                breadcrumb=SEPARATOR.join(_dedupe(crumbs)),
                body=part.text,
                level=heading.level,
                depth=len(stack) - 1,
            )
        )
    return tuple(sections)


def chapter_trails(book: Book) -> list[tuple[str, tuple[str, ...]]]:
    """Each chapter file once, in reading order, with its titles from the outermost chapter."""
    seen: set[str] = set()
    out: list[tuple[str, tuple[str, ...]]] = []

    def walk(nodes: Sequence[TocNode], trail: tuple[str, ...]) -> None:
        for node in nodes:
            here = (*trail, node.title) if node.kind is NodeKind.CHAPTER else trail
            if node.kind is NodeKind.CHAPTER and node.path and node.path not in seen:
                seen.add(node.path)
                out.append((node.path, here))
            walk(node.children, here)

    walk(book.toc, ())
    return out


def book_sections(
    book: Book, sources: dict[str, str], progress: Progress | None = None
) -> Iterator[Section]:
    """Every section of ``book`` in reading order, from its chapters' markdown ``sources``."""
    trails = chapter_trails(book)
    for done, (path, trail) in enumerate(trails, start=1):
        yield from split_sections(path, sources.get(path, ""), trail, book.markdown)
        if progress is not None:
            progress(done, len(trails))


def _without_notes(parts: Sequence[SectionText]) -> tuple[SectionText, ...]:
    """``parts`` less the markers of include notes (the page's notes, not words of the book;
    see :class:`~handbook.core.book.includes.NoteMarkers`)."""
    out: list[SectionText] = []
    for part in parts:
        heading = part.heading
        if heading is not None and NOTE_WORD in heading.title:
            heading = replace(heading, title=_unmarked(heading.title))
        out.append(SectionText(heading, _unmarked(part.text)))
    if len(out) > 1 and out[0].heading is None and not out[0].text:
        out.pop(0)  # as the walk leaves out an empty opening (it held only notes)
    return tuple(out)


def _unmarked(text: str) -> str:
    """``text`` (lines of single-spaced words, as the walk gives them) less the markers: only
    the lines holding one are spaced again (or left out, when nothing else was on them)."""
    if NOTE_WORD not in text:
        return text
    lines = []
    for line in text.split("\n"):
        if NOTE_WORD in line:
            line = " ".join(NOTE_MARKER.sub("", line).split())
        if line:
            lines.append(line)
    return "\n".join(lines)


def _clean(source: str) -> str:
    if any(ch in source for ch in RESERVED_CHARS):
        source = source.translate({ord(ch): None for ch in RESERVED_CHARS})
    if "\r" in source:  # (most sources have none: one scan, not two replace)
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    return source


def _dedupe(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part and (not out or out[-1].casefold() != part.casefold()):
            out.append(part)
    return out
