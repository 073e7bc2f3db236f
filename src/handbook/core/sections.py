"""A chapter's markdown source split into sections: what the search index holds.

One section per heading (its text runs until the next heading, whatever the level), plus the
text before the first heading when there is any. Markdown syntax is stripped to the plain text
a reader sees; fenced code stays, because readers search for code like ``Box<T>``; mdBook
``{{#include}}`` lines and rustdoc's hidden ``# `` lines are dropped (they are not visible).
Anchors come from :func:`handbook.core.headings.extract_headings`, so a section id is the
same ``chapter-path#anchor`` the viewer and the section tree use.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from handbook.core.headings import extract_headings
from handbook.core.model import Book, Heading, NodeKind, TocNode, section_id

SEPARATOR = " › "
# Private-use characters that the index uses as snippet markers: never let content hold them.
RESERVED_CHARS = "\ue000\ue001"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_INCLUDE = re.compile(r"\{\{#[a-z_]+[^}]*\}\}")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_TABLE_RULE = re.compile(r"\|?:?-+:?(?:\s*\|\s*:?-+:?)*\s*\|?")  # on a stripped line
_BLOCK_PREFIX = re.compile(r"^\s*(?:>\s?)*(?:(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?)?")
_ALERT_MARKER = re.compile(r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", re.IGNORECASE)
_HIDDEN_RUST_LINE = re.compile(r"^\s*#(?:\s|$)")
_COMMENT_START, _COMMENT_END = "<!--", "-->"
# Inline pieces, matched left to right: a code span keeps its text verbatim (``Box<T>``); a tag
# outside code is dropped (a ``caption="..."`` it carries is kept: mdBook shows it).
_INLINE = re.compile(
    r"(?P<code>``(?P<code2>[^`][\s\S]*?)``|`(?P<code1>[^`]+)`)"
    r"|(?P<tag></?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>)"
    r"|<(?P<autolink>(?:https?|mailto):[^<>\s]+)>"
)
_CAPTION = re.compile(r'\bcaption="([^"]*)"')
_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]]*)\](?:\([^()]*\)|\[[^\[\]]*\])?")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_EMPHASIS = re.compile(r"\*+|~~|(?<!\w)_+|_+(?!\w)")
Progress = Callable[[int, int], None]  # (chapters done, chapters in all)

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|])")


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
) -> tuple[Section, ...]:
    """Sections of one chapter; ``chapter_titles``: its SUMMARY.md titles, outermost first."""
    trail = [t for t in chapter_titles if t]
    chapter_title = trail[-1] if trail else chapter
    source = _clean(source)
    lines = source.splitlines()
    headings = extract_headings(source)
    sections: list[Section] = []

    first = headings[0].line if headings else len(lines) + 1
    preamble = plain_text(lines[: max(first - 1, 0)])
    if preamble or not headings:
        sections.append(Section(chapter, None, chapter_title, SEPARATOR.join(trail), preamble, 0))

    stack: list[Heading] = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].line - 1 if i + 1 < len(headings) else len(lines)
        start = _body_start(lines, heading.line, end)
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
                body=plain_text(lines[start:end]),
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
        yield from split_sections(path, sources.get(path, ""), trail)
        if progress is not None:
            progress(done, len(trails))


def plain_text(lines: Iterable[str]) -> str:
    """The text a reader sees in these markdown lines (code kept verbatim, one line per line)."""
    return "\n".join(_plain_lines(lines)).strip()


def _plain_lines(lines: Iterable[str]) -> Iterator[str]:
    """Code lines verbatim, prose as one line per paragraph (links may span lines)."""
    fence: str | None = None
    rust_fence = False
    in_comment = False
    paragraph: list[str] = []
    for line in lines:
        if _INCLUDE.search(line):
            line = _INCLUDE.sub("", line)
            if not line.strip():
                continue
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            elif not (rust_fence and _HIDDEN_RUST_LINE.match(line)):
                yield line.rstrip()
            continue
        if m:
            yield from _flush(paragraph)
            fence = m.group(1)
            rust_fence = m.group(2).lower().startswith("rust")
            continue
        line, in_comment = _strip_comments(line, in_comment)
        if not line.strip():
            yield from _flush(paragraph)
        elif not (_LINK_DEFINITION.match(line) or _TABLE_RULE.fullmatch(line.strip())):
            line = _BLOCK_PREFIX.sub("", line, count=1)
            if not _ALERT_MARKER.match(line):
                paragraph.append(line)
    yield from _flush(paragraph)


def _flush(paragraph: list[str]) -> Iterator[str]:
    if paragraph:
        text = _plain_inline("\n".join(paragraph))
        paragraph.clear()
        if text:
            yield text


def _plain_inline(text: str) -> str:
    pieces: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        pieces.append(_plain_prose(text[pos : m.start()]))
        if m.group("code") is not None:
            pieces.append((m.group("code1") or m.group("code2") or "").strip())
        elif m.group("autolink") is not None:
            pieces.append(m.group("autolink"))
        else:
            caption = _CAPTION.search(m.group("tag"))
            pieces.append(html.unescape(caption.group(1)).replace("`", "") if caption else "")
        pos = m.end()
    pieces.append(_plain_prose(text[pos:]))
    return " ".join("".join(pieces).split())


def _plain_prose(text: str) -> str:
    if not text:
        return text
    text = _FOOTNOTE_REF.sub("", text)
    text = _IMAGE_OR_LINK.sub(lambda m: m.group(1), text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text.replace("|", " "))


def _strip_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    out: list[str] = []
    while line:
        if in_comment:
            end = line.find(_COMMENT_END)
            if end < 0:
                return "".join(out), True
            line, in_comment = line[end + len(_COMMENT_END) :], False
        else:
            start = line.find(_COMMENT_START)
            if start < 0:
                out.append(line)
                break
            out.append(line[:start])
            line, in_comment = line[start + len(_COMMENT_START) :], True
    return "".join(out), in_comment


def _body_start(lines: list[str], heading_line: int, end: int) -> int:
    """Index of the first body line of the heading starting on 1-based ``heading_line``: the
    next line for ``# Title``, the line after the underline for a (multi-line) setext title."""
    if lines[heading_line - 1].lstrip(" ").startswith("#"):
        return heading_line
    for i in range(heading_line, end):
        if _SETEXT_UNDERLINE.match(lines[i]):
            return i + 1
    return heading_line


def _clean(source: str) -> str:
    if any(ch in source for ch in RESERVED_CHARS):
        source = source.translate({ord(ch): None for ch in RESERVED_CHARS})
    return source.replace("\r\n", "\n").replace("\r", "\n")


def _dedupe(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part and (not out or out[-1].casefold() != part.casefold()):
            out.append(part)
    return out
