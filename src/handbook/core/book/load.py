"""Open a book in mdBook's layout: find SUMMARY.md, read book.toml, read each chapter's headings.

A book opens whenever its SUMMARY.md can be read and lists a chapter. Everything else that is
wrong (a broken book.toml, a missing or non-UTF-8 chapter, a chapter path leading out of the
book) is recorded as a :class:`BookProblem`; a chapter that cannot be shown carries the same
"file:line: message" in ``TocNode.problem``, so the rest of the book still opens.

Files are read only inside the book: a chapter path must stay in the ``src`` folder as written
(no ``../``, no absolute path) and, with symlinks resolved, inside the book's root folder.
Folders, FIFOs and devices are refused before reading (a FIFO would block), as are files over
:data:`MAX_FILE_BYTES`. Where a path's book is (its folder, its SUMMARY.md or book.toml) is
found by :mod:`handbook.core.book.locate`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handbook.core.book.errors import BookError
from handbook.core.book.files import (
    _ChapterReader,
    _decode,
    _identity,
    _read_file,
    _Unreadable,
)
from handbook.core.book.locate import (
    CONFIG,
    FILE,
    FOLDER,
    MKDOCS,
    SUMMARY,
    Location,
    find_book,
    locate,
    real_path,
)
from handbook.core.book.model import (
    Book,
    BookProblem,
    MarkdownOptions,
    NodeKind,
    TocNode,
    section_id,
)


@dataclass(frozen=True)
class _Config:
    """The ``[book]`` table of book.toml, with types checked."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    description: str = ""
    src: str = "src"
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)


# --- the public API ---------------------------------------------------------------------------


def load_book(path: Path | str) -> Book:
    """The book at ``path``, in any layout :func:`~handbook.core.book.locate.locate` knows: an
    mdBook
    book (its folder, SUMMARY.md, book.toml), an MkDocs site, a plain folder, a markdown file
    (the book holding it, if any), each with an optional ``#anchor``.

    Raises :class:`BookError` (naming the path) when there is no book to show at all.
    """
    return open_book(path)[0]


def open_book(path: Path | str) -> tuple[Book, str | None]:
    """The book at ``path`` and the section ``path`` names in it (``FILE#anchor``), if any."""
    where = locate(path)
    book = load_location(where)
    chapter = page_path(book, where.page) if where.page is not None else None
    if where.page is not None and chapter is None and book.format != FILE:
        book = load_location(Location(FILE, where.page))  # beside a book, not one of its pages
        chapter = page_path(book, where.page)
    if chapter is None and where.anchor:
        chapter = next(
            (n.path for n in book.chapters() if any(h.anchor == where.anchor for h in n.headings)),
            None,
        )
    return book, (section_id(chapter, where.anchor) if chapter else None)


def load_location(where: Location) -> Book:
    if where.layout == MKDOCS:
        from handbook.core.book.mkdocs import load_mkdocs

        return load_mkdocs(where.path)
    if where.layout == FOLDER:
        from handbook.core.book.folder import load_folder

        return load_folder(where.path)
    if where.layout == FILE:
        from handbook.core.book.folder import load_file

        return load_file(where.path)
    return _load_mdbook(where.path)


def page_path(book: Book, file: Path) -> str | None:
    """The chapter path of ``file`` in ``book``, if it is one of its chapters."""
    try:
        relative = real_path(file).relative_to(real_path(book.src)).as_posix()
    except ValueError:
        return None
    return relative if book.chapter(relative) is not None else None


def _load_mdbook(path: Path) -> Book:
    from handbook.core.book.summary import parse_summary

    root, src, config, problems = _locate(Path(path))
    summary_path = src / SUMMARY
    summary = parse_summary(_read_summary(summary_path), summary_path)
    problems.extend(summary.problems)
    if not any(node.kind is NodeKind.CHAPTER for top in summary.toc for node in top.walk()):
        raise _no_chapters(summary_path, summary.problems)
    reader = _ChapterReader(root, src, summary_path, config.markdown)
    toc = tuple(reader.load(node) for node in summary.toc)
    problems.extend(reader.problems)
    return Book(
        root=root,
        src=src,
        summary_path=summary_path,
        title=_title(config, summary.title, root),
        toc=toc,
        authors=config.authors,
        language=config.language or "en",
        description=config.description,
        problems=tuple(problems),
        identity=_identity(root),
        markdown=config.markdown,
    )


def reload_chapters(book: Book, paths: Collection[str]) -> Book:
    """``book`` with chapters ``paths`` read again from disk (their headings, or the problem
    that now stops them), the rest as it was: chapters saved while the book is open, without
    reading every other chapter again."""
    wanted = set(paths)
    if not wanted:
        return book
    reader = _ChapterReader(book.root, book.src, book.summary_path)

    def again(node: TocNode) -> TocNode:
        children = tuple(again(child) for child in node.children)
        if node.kind is NodeKind.CHAPTER and node.path in wanted:
            fresh = reader.load(replace(node, children=(), headings=(), problem=None))
            return replace(fresh, children=children)
        return node if children == node.children else replace(node, children=children)

    toc = tuple(again(node) for node in book.toc)
    kept = [p for p in book.problems if not any(_is_about(p, book, path) for path in wanted)]
    return replace(book, toc=toc, problems=(*kept, *reader.problems), _by_path={})


def _is_about(problem: BookProblem, book: Book, path: str) -> bool:
    """Whether ``problem`` is one the loader found in chapter ``path``."""
    if problem.file == book.src / path:
        return True
    return problem.file == book.summary_path and f"chapter '{path}' " in problem.message


# --- where the book is --------------------------------------------------------------------------


def _locate(path: Path) -> tuple[Path, Path, _Config, list[BookProblem]]:
    """(root, src, config, problems) for a book folder, its src folder, SUMMARY.md or book.toml."""
    folder, holds = find_book(path)
    if holds == CONFIG:
        return _from_config(folder)
    if holds == "src":
        return folder, folder / "src", _Config(), []
    return _from_src(folder)


def _from_config(root: Path) -> tuple[Path, Path, _Config, list[BookProblem]]:
    config, problems = _read_config(root / CONFIG)
    src = _src_folder(root, config, problems)
    return root, src, config, problems


def _from_src(folder: Path) -> tuple[Path, Path, _Config, list[BookProblem]]:
    """A folder holding SUMMARY.md: the book's root, or its src folder when book.toml says so."""
    parent = folder.parent
    if (parent / CONFIG).is_file():
        config, problems = _read_config(parent / CONFIG)
        if _src_folder(parent, config, []) == folder:
            return parent, folder, config, problems
    return folder, folder, _Config(), []


def _src_folder(root: Path, config: _Config, problems: list[BookProblem]) -> Path:
    """``[book] src`` from book.toml, kept inside the book (else "src" and a problem)."""
    src = real_path(root / config.src)
    if src.is_relative_to(root):
        return src
    problems.append(BookProblem(root / CONFIG, None, f"src = '{config.src}' is outside the book"))
    return root / "src"


def _read_summary(path: Path) -> str:
    try:
        return _decode(_read_file(path))
    except _Unreadable as exc:
        raise BookError(exc.message, path, exc.line) from None


def _no_chapters(summary_path: Path, problems: tuple[BookProblem, ...]) -> BookError:
    if problems:
        first = problems[0]
        return BookError(f"no chapters could be read: {first.message}", summary_path, first.line)
    return BookError("lists no chapters; each is a line like '- [Title](file.md)'", summary_path)


# --- book.toml ----------------------------------------------------------------------------------


def _read_config(path: Path) -> tuple[_Config, list[BookProblem]]:
    """book.toml's ``[book]`` table; a broken file is a problem, and defaults are used."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    try:
        data = tomllib.loads(_decode(_read_file(path)))
    except _Unreadable as exc:
        return _Config(), [BookProblem(path, exc.line, exc.message)]
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        message = f"not valid TOML ({exc}); its settings are ignored"
        return _Config(), [BookProblem(path, int(line.group(1)) if line else None, message)]
    book = data.get("book", {})
    if not isinstance(book, dict):
        return _Config(), [BookProblem(path, None, "[book] must be a table; it is ignored")]
    problems: list[BookProblem] = []
    values = {key: _setting(book, key, path, problems) for key in ("title", "language", "src")}
    return (
        _Config(
            title=values["title"] or None,
            authors=_authors(book, path, problems),
            language=values["language"] or None,
            description=_setting(book, "description", path, problems) or "",
            src=values["src"] or "src",
            markdown=_markdown_options(data.get("output"), path, problems),
        ),
        problems,
    )


_HTML_FLAGS = {  # [output.html] key -> MarkdownOptions field, as mdBook 0.5 reads them
    "smart-punctuation": "smart_punctuation",
    "definition-lists": "definition_lists",
    "admonitions": "admonitions",
    "mathjax-support": "mathjax_support",
}


def _markdown_options(output: Any, path: Path, problems: list[BookProblem]) -> MarkdownOptions:
    """``[output.html]``'s settings for the markdown; a value of the wrong type is a problem."""
    html = output.get("html") if isinstance(output, dict) else None
    if not isinstance(html, dict):
        return MarkdownOptions()
    flags: dict[str, bool] = {}
    for key, name in _HTML_FLAGS.items():
        value = html.get(key)
        if isinstance(value, bool):
            flags[name] = value
        elif value is not None:
            problems.append(BookProblem(path, None, f"[output.html] {key} must be true or false"))
    code = html.get("code")
    hidelines = code.get("hidelines") if isinstance(code, dict) else None
    prefixes: tuple[tuple[str, str], ...] = ()
    if isinstance(hidelines, dict):
        prefixes = tuple((k, v) for k, v in hidelines.items() if isinstance(v, str) and v)
        if len(prefixes) != len(hidelines):
            message = "[output.html.code.hidelines] values must be text; some are ignored"
            problems.append(BookProblem(path, None, message))
    return MarkdownOptions(**flags, hidelines=prefixes)


def _setting(book: dict[str, Any], key: str, path: Path, problems: list[BookProblem]) -> str | None:
    value = book.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(BookProblem(path, None, f"[book] {key} must be text; it is ignored"))
    return None


def _authors(book: dict[str, Any], path: Path, problems: list[BookProblem]) -> tuple[str, ...]:
    authors = book.get("authors", [])
    if isinstance(authors, list) and all(isinstance(a, str) for a in authors):
        return tuple(authors)
    problems.append(BookProblem(path, None, "[book] authors must be a list of names; ignored"))
    return ()


def _title(config: _Config, summary_title: str | None, root: Path) -> str:
    """book.toml's title, else SUMMARY.md's ``# Title`` unless it just says "Summary"."""
    if config.title and config.title.strip():
        return config.title.strip()
    if summary_title and summary_title.strip().casefold() != "summary":
        return summary_title.strip()
    return root.name or str(root)
