"""Plain data passed between the Qt-free core and the Qt views.

Everything here is a frozen dataclass: the core returns these, views only show them.
A *section id* is ``chapter-path#heading-anchor`` (``chapter-path`` relative to the book's
``src`` folder, POSIX separators); a bare ``chapter-path`` names the top of a chapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from handbook.core.book.errors import BookError as BookError  # where it was always imported from


class NodeKind(str, Enum):
    PART = "part"
    CHAPTER = "chapter"
    SEPARATOR = "separator"


@dataclass(frozen=True)
class Heading:
    """A heading inside a chapter: a section of the book."""

    level: int  # 1..6
    title: str  # plain text, as shown in the tree
    anchor: str  # unique within its chapter
    line: int = 0  # 1-based line in the chapter's source (0 when unknown)


@dataclass(frozen=True)
class TocNode:
    """One entry of SUMMARY.md: a part title, a chapter (numbered or not) or a separator."""

    kind: NodeKind
    title: str
    number: str | None = None  # mdBook's section number, e.g. "5.1.1."; None when unnumbered
    path: str | None = None  # chapter file relative to book.src (POSIX); None for drafts
    draft: bool = False
    children: tuple[TocNode, ...] = ()
    line: int = 0  # 1-based line in SUMMARY.md
    headings: tuple[Heading, ...] = ()  # the chapter's headings, in document order
    problem: str | None = None  # why this chapter cannot be shown ("file:line: ..."), if so
    url: str | None = None  # an external link listed in the tree (MkDocs' nav), for the browser

    def walk(self) -> Iterator[TocNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class BookProblem:
    """Something wrong in a book that did not stop it from opening."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class MarkdownOptions:
    """book.toml's ``[output.html]`` settings that change what a chapter shows (mdBook 0.5)."""

    smart_punctuation: bool = True
    definition_lists: bool = True
    admonitions: bool = True
    mathjax_support: bool = False
    hidelines: tuple[tuple[str, str], ...] = ()  # (language, prefix): [output.html.code.hidelines]


@dataclass(frozen=True)
class Book:
    root: Path  # the book folder (holds book.toml, or SUMMARY.md when there is no src/)
    src: Path  # the folder holding SUMMARY.md; chapter paths are relative to it
    summary_path: Path
    title: str
    toc: tuple[TocNode, ...]
    authors: tuple[str, ...] = ()
    language: str = "en"
    description: str = ""
    problems: tuple[BookProblem, ...] = ()
    identity: str = ""  # stable id of the book for bookmarks and caches (see book.book_identity)
    markdown: MarkdownOptions = MarkdownOptions()
    # the layout: "mdbook", "mkdocs", "folder" or "file" (core/book/locate.py)
    format: str = "mdbook"
    _by_path: dict[str, TocNode] = field(default_factory=dict, compare=False, repr=False)

    def location(self) -> Path:
        """The path that opens this book again (a single file's own path; else its folder)."""
        return self.summary_path if self.format == "file" else self.root

    def nodes(self) -> Iterator[TocNode]:
        for node in self.toc:
            yield from node.walk()

    def chapters(self) -> tuple[TocNode, ...]:
        """Chapters with a file, in reading order (drafts left out)."""
        return tuple(n for n in self.nodes() if n.kind is NodeKind.CHAPTER and n.path)

    def chapter(self, path: str) -> TocNode | None:
        if not self._by_path:
            self._by_path.update({n.path: n for n in self.chapters() if n.path})
        return self._by_path.get(path)


@dataclass(frozen=True)
class RenderedChapter:
    path: str
    html: str  # sanitized, within Qt's rich-text subset
    headings: tuple[Heading, ...]
    notes: tuple[str, ...] = ()  # refusals and problems, also shown in the status bar
    title: str | None = None  # the chapter's own {{#title}}, if it has one


def section_id(path: str, anchor: str | None = None) -> str:
    return f"{path}#{anchor}" if anchor else path


def split_section_id(sid: str) -> tuple[str, str | None]:
    path, _, anchor = sid.partition("#")
    return path, (anchor or None)
