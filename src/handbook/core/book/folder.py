"""Books without a table of contents: a plain folder of markdown, or a single markdown file.

A folder's tree is its folders and files: in each folder its own page first (index.md, else
README.md), then the rest by name with numbers in names sorted as numbers (``2-x`` before
``10-x``), a subfolder being a chapter whose page is its own page (or a heading without one).
Titles are the pages' first headings, else their file names. Hidden files and folders,
``node_modules`` and what a ``.gitignore`` excludes are skipped; folder symlinks are not
followed. A single file is a book of one chapter, followed by the markdown files beside it that
it links to (so that those links open as further chapters).

Files are read as mdBook chapters are (:class:`handbook.core.book.load.ChapterReader`): confined to
the folder, bounded in size, bad bytes a problem of that page only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from handbook.core.book.errors import BookError
from handbook.core.book.headings import (
    match_atx_heading,
    plain_heading_text,
    slugify,
    split_custom_id,
)
from handbook.core.book.locate import FILE, FOLDER, MARKDOWN_SUFFIXES, NO_MARKDOWN, real_path
from handbook.core.book.model import Book, BookProblem, Heading, NodeKind, TocNode

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})
INDEX_NAMES = ("index", "readme")  # a folder's own page, in order of preference
MAX_PAGES = 20_000  # a folder with more is cut there (and says so)
EAGER_PAGES = 1_000  # up to this many pages, each page's headings are in the tree
TITLE_BYTES = 8_192  # beyond, only a page's first heading is looked for, in its first bytes
_NUMBER = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key: numbers in a name compared as numbers, the rest without case."""
    return tuple(
        (0, int(part), part) if part.isdigit() else (1, 0, part.casefold())
        for part in _NUMBER.split(name)
        if part
    )


def file_title(path: str) -> str:
    """A file or folder name made readable, as MkDocs does ("my-page.md": "My page")."""
    stem = path.rstrip("/").rsplit("/", 1)[-1]
    for suffix in MARKDOWN_SUFFIXES:
        stem = stem.removesuffix(suffix)
    title = stem.replace("-", " ").replace("_", " ").strip() or stem
    return title.capitalize() if title.lower() == title else title


# --- a folder ----------------------------------------------------------------------------------


def load_folder(folder: Path) -> Book:
    """The plain folder ``folder`` as a book; :class:`BookError` when it holds no markdown."""
    from handbook.core.book.files import book_title_from, folder_identity

    root = real_path(folder)
    walker = _FolderWalker(root)
    nodes = walker.tree(root, "")
    if not nodes:
        raise BookError(NO_MARKDOWN, folder)
    reader = _plain_reader(root, frozenset(walker.inside), titles_only=walker.pages > EAGER_PAGES)
    toc = tuple(_titled(reader.load(node)) for node in nodes)
    return Book(
        root=root,
        src=root,
        summary_path=root,
        title=book_title_from(toc, root),
        toc=toc,
        problems=tuple(walker.problems + reader.problems),
        identity=folder_identity(root),
        format=FOLDER,
    )


class _FolderWalker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pages = 0
        self.problems: list[BookProblem] = []
        self.inside: set[str] = set()  # pages reached with no symlink on the way

    def tree(self, folder: Path, prefix: str, ignore: GitIgnoreSpec | None = None) -> list[TocNode]:
        """The nodes of ``folder`` (its own page first); ``prefix`` is its path in the book."""
        ignore = self._ignore(folder, ignore)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: natural_key(e.name))
        except OSError as exc:
            self.problems.append(BookProblem(folder, None, f"cannot be listed: {exc.strerror}"))
            return []
        own = _own_page(entries)
        nodes = [self._page(prefix + own.name)] if own is not None else []
        if own is not None and not own.is_symlink():
            self.inside.add(prefix + own.name)
        for entry in entries:
            if entry is own or self._skipped(entry, prefix, ignore):
                continue
            if entry.is_dir(follow_symlinks=False):
                children = self.tree(Path(entry.path), f"{prefix}{entry.name}/", ignore)
                if children:
                    nodes.append(_folder_node(entry.name, children))
            elif entry.name.lower().endswith(MARKDOWN_SUFFIXES):
                if self.pages >= MAX_PAGES:
                    self._too_many()
                    break
                nodes.append(self._page(prefix + entry.name))
                if not entry.is_symlink():
                    self.inside.add(prefix + entry.name)
        return nodes

    def _page(self, path: str) -> TocNode:
        self.pages += 1
        return TocNode(NodeKind.CHAPTER, file_title(path), path=path)

    def _skipped(self, entry: os.DirEntry[str], prefix: str, ignore: GitIgnoreSpec | None) -> bool:
        if entry.name.startswith(".") or (entry.name in SKIPPED_FOLDERS and entry.is_dir()):
            return True
        if ignore is None:
            return False
        path = prefix + entry.name + ("/" if entry.is_dir(follow_symlinks=False) else "")
        return bool(ignore.match_file(path))

    def _ignore(self, folder: Path, inherited: GitIgnoreSpec | None) -> GitIgnoreSpec | None:
        """``inherited`` plus the patterns of ``folder``'s .gitignore (relative to the root)."""
        file = folder / ".gitignore"
        if not file.is_file():
            return inherited
        from pathspec import GitIgnoreSpec

        try:
            lines = file.read_text("utf-8", errors="replace").splitlines()[:10_000]
        except OSError:
            return inherited
        base = folder.relative_to(self.root).as_posix()
        if base != ".":
            lines = [_rebased(line, base) for line in lines]
        spec = GitIgnoreSpec.from_lines([line for line in lines if line])
        return spec if inherited is None else inherited + spec

    def _too_many(self) -> None:
        if not any("pages" in p.message for p in self.problems):
            message = f"more than {MAX_PAGES} markdown files; the rest are not listed"
            self.problems.append(BookProblem(self.root, None, message))


def _rebased(line: str, base: str) -> str:
    """A pattern of a sub-folder's .gitignore, made relative to the book's root."""
    line = line.strip()
    if not line or line.startswith("#"):
        return ""
    negate = "!" if line.startswith("!") else ""
    pattern = line.removeprefix("!")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    return f"{negate}{base}/{pattern}" if anchored else f"{negate}{base}/**/{pattern}"


def _own_page(entries: list[os.DirEntry[str]]) -> os.DirEntry[str] | None:
    for name in INDEX_NAMES:
        for entry in entries:
            stem, dot, suffix = entry.name.lower().rpartition(".")
            if stem == name and f"{dot}{suffix}" in MARKDOWN_SUFFIXES and entry.is_file():
                return entry
    return None


def _folder_node(name: str, children: list[TocNode]) -> TocNode:
    """A sub-folder: its own page with the rest beneath, else a heading over its pages."""
    first = children[0]
    own = first.path is not None and first.path.rsplit("/", 1)[-1].lower().rsplit(".", 1)[0]
    if own in INDEX_NAMES and not first.children:
        return replace(first, title=file_title(name), children=tuple(children[1:]))
    return TocNode(NodeKind.CHAPTER, file_title(name), children=tuple(children))


def _titled(node: TocNode) -> TocNode:
    """Each page titled by its first heading (a folder's page, by it too when it has one)."""
    children = tuple(_titled(child) for child in node.children)
    title = node.headings[0].title if node.path and node.headings else node.title
    return replace(node, title=title, children=children)


def _plain_reader(
    root: Path, inside: frozenset[str] = frozenset(), titles_only: bool = False
) -> ChapterReader:
    """A reader of pages that are plain markdown: their headings as the page shows them, with
    no mdBook preprocessing (``{{#include}}`` is mdBook's, not markdown's). With
    ``titles_only`` (a folder of thousands of pages), a page's first heading only, found in its
    first :data:`TITLE_BYTES`: the tree is there at once, a page's headings come with its page."""
    from handbook.core.book.files import ChapterReader

    class PlainReader(ChapterReader):
        def read(self, path: str) -> str:
            if not titles_only or path not in self.inside:
                return super().read(path)
            try:
                with open(self.src / path, "rb") as file:
                    return file.read(TITLE_BYTES).decode("utf-8", "replace")
            except OSError:
                return super().read(path)  # says why, as for any page

        def chapter_headings(self, path: str) -> tuple[Heading, ...]:
            return self.headings(path, self.read(path))  # plain markdown: no includes

        def headings(self, path: str, source: str) -> tuple[Heading, ...]:
            if titles_only:
                first = first_heading(source)
                return (first,) if first is not None else ()
            from handbook.core.render.mdbook.chapter import parse_chapter

            try:
                return parse_chapter(source, self.markdown, headings_only=True).headings
            except Exception:  # a page's content never stops the book opening
                return ()

    return PlainReader(root, root, root, inside=inside)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, one at a time (the first heading is usually on the first)."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def first_heading(text: str) -> Heading | None:
    """A page's first ATX heading (``# Title``), outside code fences, with its anchor."""
    fence = ""
    for number, line in enumerate(_lines(text), start=1):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        found = match_atx_heading(line)
        if found is not None:
            raw, custom = split_custom_id(found[1])
            title = plain_heading_text(raw).strip()
            if title:
                return Heading(found[0], title, custom or slugify(title), number)
    return None


# --- a single file --------------------------------------------------------------------------------

_LINK = re.compile(r"\]\(\s*<?([^)\s>#?]+\.(?:md|markdown))(?:#[^)\s]*)?>?(?:\s[^)]*)?\)", re.I)


def load_file(file: Path) -> Book:
    """A single markdown file as a book: itself, then the pages beside it that it links to."""
    from handbook.core.book.files import book_title_from, folder_identity

    real = real_path(file)
    root = real.parent
    reader = _plain_reader(root)
    first = reader.load(TocNode(NodeKind.CHAPTER, file_title(real.name), path=real.name))
    if first.problem is not None:
        raise BookError(first.problem.split(": ", 1)[-1], real)
    nodes = [_titled(first)]
    for path in _linked_pages(reader, real.name):
        nodes.append(_titled(reader.load(TocNode(NodeKind.CHAPTER, file_title(path), path=path))))
    toc = tuple(nodes)
    return Book(
        root=root,
        src=root,
        summary_path=real,
        title=book_title_from(toc[:1], real),
        toc=toc,
        problems=tuple(reader.problems),
        identity=folder_identity(real),
        format=FILE,
    )


def _linked_pages(reader: ChapterReader, name: str) -> list[str]:
    """Markdown files in the file's folder (or below) that the file links to, in link order."""
    import posixpath
    from urllib.parse import unquote

    try:
        text = reader.read(name)
    except Exception:
        return []
    pages: list[str] = []
    for match in _LINK.finditer(text):
        target = unquote(match.group(1))
        if "://" in target or target.startswith("/"):
            continue
        path = posixpath.normpath(target)
        if path.startswith("..") or path == name or path in pages:
            continue
        if (reader.src / path).is_file():
            pages.append(path)
        if len(pages) >= 500:
            break
    return pages


if TYPE_CHECKING:
    from handbook.core.book.files import ChapterReader
