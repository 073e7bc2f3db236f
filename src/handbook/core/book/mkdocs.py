"""Open an MkDocs site: ``mkdocs.yml`` (or ``mkdocs.yaml``) and the pages of its ``docs_dir``.

Nothing from the site runs. ``mkdocs.yml`` is read with a YAML loader that builds only plain
data: ``!!python/name:``, ``!!python/object`` and any other tag become :class:`Placeholder`
values; ``hooks:`` and ``plugins:`` are not acted on (literate-nav's nav files are read, as
data). Walking the configuration is bounded (:data:`MAX_NAV_ENTRIES`), so a bomb of aliases
costs no more than a long nav.

The tree is the site's ``nav`` in every shape MkDocs accepts (``- page.md``, ``- Title:
page.md``, sections, links, folder entries), or without one the tree MkDocs builds from the
folder. ``exclude_docs``, ``draft_docs`` and ``not_in_nav`` are gitignore patterns, as in MkDocs.
Page titles: the nav's, else the page's ``title`` metadata, its first ``#`` heading, "Home" for
the home page, its file name. Heading anchors are the ``toc`` extension's slugs
(:func:`site_slugify`), so that ``page.md#anchor`` links land.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from handbook.core.book.errors import BookError
from handbook.core.book.locate import MKDOCS, real_path
from handbook.core.book.mkdocs_config import (
    MAX_NAV_ENTRIES,
    Placeholder,
    SiteConfig,
    Slugify,
    _ignored_extensions,
    _line,
    read_site_config,
    site_slugify,
    split_metadata,
)
from handbook.core.book.model import Book, BookProblem, Heading, NodeKind, TocNode

MAX_PAGES = 20_000


_NESTED_HEADING = re.compile(r"^(?: {4}|\t)+#{1,6}(?:[ \t]|$)", re.MULTILINE)
_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1", re.MULTILINE | re.DOTALL)
_INDENTED_ATX = re.compile(r"^[ \t]*#{1,6}[ \t]+(.*)$")


def site_headings(text: str, slug: Slugify) -> tuple[Heading, ...]:
    """The page's headings with the anchors the ``toc`` extension gives them."""
    from handbook.core.book.headings import extract_headings

    lines = text.split("\n")
    used: set[str] = set()
    out = []
    for heading in extract_headings(text):
        line = lines[heading.line - 1] if 0 < heading.line <= len(lines) else ""
        custom = re.search(r"\{\s*#([^\s}]+)[^}]*\}\s*#*\s*$", line)
        anchor = custom.group(1) if custom else _unique(slug(heading.title, "-"), used)
        used.add(anchor)
        out.append(Heading(heading.level, heading.title, anchor, heading.line))
    return tuple(out)


def _unique(anchor: str, used: set[str]) -> str:
    """toc's ``unique``: ``x``, ``x_1``, ``x_2``..."""
    base, n = anchor, 0
    while anchor in used:
        n += 1
        anchor = f"{base}_{n}"
    return anchor


# --- the pages ------------------------------------------------------------------------------------


class _Site:
    """The site's pages, read once each; every failure a problem of that page."""

    def __init__(self, config: SiteConfig, root: Path, docs: Path) -> None:
        from handbook.core.book.files import ChapterReader

        self.config = config
        self.docs = docs
        self.reader = ChapterReader(root, docs, config.path)
        self.slug = site_slugify(config)
        self.problems: list[BookProblem] = [*config.problems, *_ignored_extensions(config)]
        self.files, self.hidden = _doc_files(docs, config)
        self.file_set = set(self.files)
        self.visited = 0
        self.markdown: Any = None  # the site's converter, made for a page with nested headings

    def page(self, path: str, title: str | None, line: int | None) -> TocNode:
        from handbook.core.book.files import _Unreadable
        from handbook.core.book.folder import file_title

        node = TocNode(NodeKind.CHAPTER, title or file_title(path), path=path, line=line or 0)
        if path not in self.file_set:
            where = "excluded by exclude_docs" if path in self.hidden else "not in docs_dir"
            problem = BookProblem(self.config.path, line, f"nav: page '{path}' is {where}")
            self.problems.append(problem)
            return replace(node, problem=str(problem))
        try:
            text, meta = split_metadata(self.reader.read(path))
        except _Unreadable as exc:
            problem = self.reader.problem(path, None, exc)
            self.problems.append(problem)
            return replace(node, problem=str(problem))
        headings = site_headings(text, self.slug)
        if _NESTED_HEADING.search(_FENCED.sub("", text)):  # a `#` line in code is no heading
            headings = self.rendered_headings(path, text, headings)
        if title is None:
            title = _page_title(path, text, meta, headings)
        return replace(node, title=title, headings=headings)

    def rendered_headings(
        self, path: str, text: str, found: tuple[Heading, ...]
    ) -> tuple[Heading, ...]:
        """The headings the page shows, as Python-Markdown's ``toc`` lists them: a page with a
        heading inside a list, an admonition or a tab (indented) is converted to find them."""
        from handbook.core.render.mkdocs import make_site_markdown, toc_headings

        if self.markdown is None:
            self.markdown = make_site_markdown(self.config)
        md = self.markdown
        try:
            md.reset()
            md.convert(text)
        except Exception:  # a page's content never stops the site opening; its page says why
            self.markdown = None
            return found
        shown = toc_headings(getattr(md, "toc_tokens", []), found)
        lines = text.split("\n")
        out, at = [], 0
        for heading in shown:
            if not heading.line:  # nested: its line, the next one that has its text after #s
                hit = next(
                    (
                        i
                        for i in range(at, len(lines))
                        if (m := _INDENTED_ATX.match(lines[i])) and heading.title in m.group(1)
                    ),
                    None,
                )
                heading = replace(heading, line=hit + 1 if hit is not None else 0)
            at = max(at, heading.line)
            out.append(heading)
        return tuple(out)

    def count(self) -> bool:
        """Count one more nav entry; False once there are too many to follow."""
        self.visited += 1
        if self.visited == MAX_NAV_ENTRIES + 1:
            message = f"nav: more than {MAX_NAV_ENTRIES} entries; the rest are not listed"
            self.problems.append(BookProblem(self.config.path, None, message))
        return self.visited <= MAX_NAV_ENTRIES


def _page_title(path: str, text: str, meta: dict[str, str], headings: tuple[Heading, ...]) -> str:
    """MkDocs' page title: metadata, a ``#`` heading that opens the page, "Home", the name."""
    from handbook.core.book.folder import file_title

    if meta.get("title", "").strip():
        return meta["title"].strip()
    first = headings[0] if headings else None
    above = "".join(text.split("\n")[: max(first.line - 1, 0)]) if first else ""
    if first is not None and first.level == 1 and not above.strip():
        return first.title
    if path in ("index.md", "README.md"):
        return "Home"
    if posixpath.basename(path) == "README.md":
        return "Index"
    return file_title(path)


def _doc_files(docs: Path, config: SiteConfig) -> tuple[list[str], set[str]]:
    """The markdown pages of ``docs`` in MkDocs' order (a folder's files, index or README first,
    then its sub-folders), less the excluded and draft ones (these returned apart)."""
    from pathspec import GitIgnoreSpec

    patterns = [".*", "/templates/", *config.exclude_docs.splitlines()]
    excluded = GitIgnoreSpec.from_lines([p for p in patterns if p.strip()])
    drafts = GitIgnoreSpec.from_lines([p for p in config.draft_docs.splitlines() if p.strip()])
    files: list[str] = []
    hidden: set[str] = set()
    for path in _walk(docs):
        if excluded.match_file(path) or drafts.match_file(path):
            hidden.add(path)
        else:
            files.append(path)
        if len(files) >= MAX_PAGES:
            break
    by_folder: dict[str, list[str]] = {}
    for path in files:
        by_folder.setdefault(posixpath.dirname(path), []).append(path)
    for folder, pages in by_folder.items():  # README.md gives way to index.md
        names = {posixpath.basename(p) for p in pages}
        if "index.md" in names and "README.md" in names:
            hidden.add(posixpath.join(folder, "README.md"))
    return [p for p in files if p not in hidden], hidden


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a symlink loop
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _walk(docs: Path) -> Iterator[str]:
    pending = [("", docs)]
    seen: set[tuple[int, int]] = set()
    while pending:
        prefix, folder = pending.pop(0)
        try:
            info = folder.stat()
            if (info.st_dev, info.st_ino) in seen:  # a folder symlink loop
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        names = [e for e in entries if e.name.lower().endswith(".md") and _is_file(e)]
        names.sort(key=lambda e: (os.path.splitext(e.name)[0] not in ("index", "README"), e.name))
        yield from (prefix + e.name for e in names)
        subfolders = [(prefix + e.name + "/", Path(e.path)) for e in entries if _is_dir(e)]
        pending[0:0] = subfolders  # depth first, in name order, as os.walk


# --- the tree ----------------------------------------------------------------------------------


def load_mkdocs(config_path: Path) -> Book:
    """The MkDocs site whose configuration is ``config_path``."""
    from handbook.core.book.files import folder_identity

    config_path = real_path(config_path)
    root = config_path.parent
    config = read_site_config(config_path)
    docs, problem = _docs_dir(config, root)
    site = _Site(config, root, docs)
    if problem is not None:
        site.problems.append(problem)
    if config.nav is not None and not isinstance(config.nav, list):
        line = _line(config.text, "nav")
        site.problems.append(BookProblem(config_path, line, "nav must be a list; it is ignored"))
    if isinstance(config.nav, list) and config.nav:
        toc = tuple(_nav_nodes(site, config.nav))
    else:
        toc = tuple(_folder_nodes(site, _in_nav(site.files, config.not_in_nav), ""))
    if not any(n.path for top in toc for n in top.walk()):
        raise BookError(f"no pages: no markdown file in {site.docs}", config_path)
    return Book(
        root=root,
        src=site.docs,
        summary_path=config_path,
        title=config.site_name or root.name,
        toc=toc,
        problems=tuple(site.problems),
        identity=folder_identity(root),
        format=MKDOCS,
    )


def _docs_dir(config: SiteConfig, root: Path) -> tuple[Path, BookProblem | None]:
    """The site's docs_dir, kept inside the site's folder (else "docs", and a problem)."""
    try:
        docs = real_path(root / config.docs_dir)
    except BookError as exc:
        docs, reason = root / "docs", exc.reason
    else:
        if docs.is_relative_to(root) and docs.is_dir():
            return docs, None
        reason = "is outside the site's folder" if not docs.is_relative_to(root) else "is no folder"
    line = _line(config.text, "docs_dir")
    message = f"docs_dir '{config.docs_dir}' {reason}; 'docs' is used"
    return root / "docs", BookProblem(config.path, line, message)


def _in_nav(files: list[str], not_in_nav: str) -> list[str]:
    """The pages MkDocs puts in the tree it builds: all but those ``not_in_nav`` names."""
    if not not_in_nav.strip():
        return files
    from pathspec import GitIgnoreSpec

    spec = GitIgnoreSpec.from_lines([p for p in not_in_nav.splitlines() if p.strip()])
    return [f for f in files if not spec.match_file(f)]


def _nav_nodes(site: _Site, entries: list[Any], base: str = "") -> Iterator[TocNode]:
    for entry in entries:
        if not site.count():
            return
        title: str | None = None
        value = entry
        if isinstance(entry, dict) and len(entry) == 1:
            key, value = next(iter(entry.items()))
            title = str(key)
        node = _nav_node(site, title, value, base)
        if node is not None:
            yield node


def _nav_node(site: _Site, title: str | None, value: Any, base: str) -> TocNode | None:
    line = site.config.line_of(value) if isinstance(value, str) else None
    if isinstance(value, list):
        children = tuple(_nav_nodes(site, value, base))
        return _section(title or "", children)
    if not isinstance(value, str) or isinstance(value, Placeholder):
        message = f"nav: entry {title or value!r} is neither a page, a link nor a section"
        site.problems.append(BookProblem(site.config.path, line, message))
        return None
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith("/"):
        return TocNode(NodeKind.CHAPTER, title or value, line=line or 0, problem=None, url=value)
    path = posixpath.normpath(posixpath.join(base, value)) if value.strip(" ./") else base
    if value.endswith("/") or (site.docs / path).is_dir():
        return _folder_entry(site, title, path.strip("/"), line)
    return site.page(path, title, line)


_INDEX_PAGES = ("index.md", "README.md")


def _section(title: str, children: tuple[TocNode, ...]) -> TocNode:
    """A section; its first entry, when it is an index page, is the section's own page."""
    first = children[0] if children else None
    index = first is not None and first.path and not first.children
    if first is not None and index and posixpath.basename(first.path or "") in _INDEX_PAGES:
        return replace(first, title=title or first.title, children=children[1:])
    return TocNode(NodeKind.CHAPTER, title, children=children)


def _folder_entry(site: _Site, title: str | None, folder: str, line: int | None) -> TocNode:
    """``- Title: folder/``: that folder's pages (in its literate-nav file's order, if any)."""
    from handbook.core.book.folder import file_title

    prefix = f"{folder}/" if folder else ""
    pages = [p for p in site.files if p.startswith(prefix)]
    nav_file = site.config.literate_nav
    if nav_file and prefix + nav_file in site.file_set:
        children = tuple(_literate_nodes(site, prefix, nav_file))
        own = site.page(prefix + nav_file, title, line)
        return replace(own, title=title or own.title, children=children)
    nodes = tuple(_folder_nodes(site, pages, prefix))
    return _section(title or file_title(folder), nodes)


_LIST_ITEM = re.compile(r"^(\s*)[-*+]\s+(?:\[(.+?)\]\(<?([^)>\s]+)>?\)|(.+?))\s*$")


def _literate_nodes(site: _Site, prefix: str, nav_file: str) -> Iterator[TocNode]:
    """The nested list of links in a literate-nav file, read as data."""
    try:
        text, _ = split_metadata(site.reader.read(prefix + nav_file))
    except Exception:
        return
    entries: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(-1, entries)]
    for line in text.split("\n"):
        match = _LIST_ITEM.match(line)
        if not match:
            continue
        indent = len(match.group(1).expandtabs(4))
        while len(stack) > 1 and indent <= stack[-1][0]:
            stack.pop()
        if match.group(3):
            stack[-1][1].append({match.group(2): match.group(3)})
        else:
            children: list[Any] = []
            stack[-1][1].append({match.group(4): children})
            stack.append((indent, children))
    yield from _nav_nodes(site, entries, prefix.rstrip("/"))


def _folder_nodes(site: _Site, pages: list[str], prefix: str) -> Iterator[TocNode]:
    """MkDocs' tree without a nav: a folder's pages, then its sub-folders as sections."""
    from handbook.core.book.folder import file_title

    subfolders: dict[str, list[str]] = {}
    for path in pages:
        rest = path[len(prefix) :]
        if "/" in rest:
            subfolders.setdefault(rest.split("/", 1)[0], []).append(path)
        elif site.count():
            yield site.page(path, None, None)
    for name, inside in subfolders.items():
        children = tuple(_folder_nodes(site, inside, f"{prefix}{name}/"))
        yield _section(file_title(name), children)


# --- the search index ---

_INDEX_MARKERS = (
    # !!! note "Title" / ??? note / ???+ tip "Title": the title (else the type) as text
    (re.compile(r'^([ \t]*)(?:!!!|\?\?\?\+?)[ \t]*([\w-]+)?(?:[ \t]+"([^"\n]*)")?[ \t]*$', re.M),
     lambda m: m.group(1) + (m.group(3) if m.group(3) is not None else (m.group(2) or "").title())),
    (re.compile(r'^([ \t]*)===\+?[ \t]+"([^"\n]*)"[ \t]*$', re.M),
     lambda m: m.group(1) + m.group(2)),
    (re.compile(r"^[ \t]*-{1,}8<-{1,}.*$", re.M), lambda m: ""),
    (re.compile(r"^[ \t]*///[ \t]*(?:[\w-]+[ \t]*)?(?:\|[ \t]*(.*))?$", re.M),
     lambda m: m.group(1) or ""),
)  # fmt: skip


def site_sections(book: Book, chapter: str, source: str, trail: tuple[str, ...]) -> tuple[Any, ...]:
    """An MkDocs page's sections for the search index: its metadata dropped, the markers of
    admonitions, details, tabs and snippets read as their titles, and each heading's anchor
    the one the page has (toc's slug), so that a result lands where it says."""
    from handbook.core.search.sections import split_sections

    text, _meta = split_metadata(source)
    for pattern, replacement in _INDEX_MARKERS:
        text = pattern.sub(replacement, text)
    sections = split_sections(chapter, text, trail)
    node = book.chapter(chapter)
    headings = list(node.headings) if node is not None else []
    slug = (
        site_slugify(read_site_config(book.summary_path)) if book.summary_path.is_file() else None
    )
    used = {h.anchor for h in headings}
    out = []
    for section in sections:
        if section.anchor is None:
            out.append(section)
            continue
        match = next((h for h in headings if h.title == section.title), None)
        if match is not None:
            headings.remove(match)
            anchor = match.anchor
        else:
            anchor = _unique(slug(section.title, "-"), used) if slug else section.anchor
            used.add(anchor)
        out.append(replace(section, anchor=anchor))
    return tuple(out)
