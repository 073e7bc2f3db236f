"""MkDocs pages rendered the MkDocs way: Python-Markdown with the site's allowed extensions.

:func:`make_site_markdown` configures the converter in one place from the site's
``markdown_extensions``, keeping those of :data:`ALLOWED_EXTENSIONS` (the ones that change what
a reader sees) and ignoring the rest; options that would name Python code (a placeholder from
mkdocs.yml) are dropped, and ours win where the page must fit Qt (Pygments with inline colours,
emoji as Unicode, mermaid as code). ``pymdownx.snippets`` reads only files inside the site's
folder (symlinks resolved), and never the network. Admonitions and ``???`` details become the
same boxes as GitHub alerts; links are made to name the page files, as MkDocs resolves them.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
from markdown import Extension
from markdown.treeprocessors import Treeprocessor

from handbook.core.book.files import read_chapter_source
from handbook.core.book.mkdocs_config import (
    ALLOWED_EXTENSIONS,
    Placeholder,
    SiteConfig,
    allowed_extensions,
    read_site_config,
    split_metadata,
)
from handbook.core.book.model import Book, BookError, Heading, RenderedChapter
from handbook.core.render.details import mark_details
from handbook.core.render.md_guards import GuardExtension
from handbook.core.render.renderer import MAX_CHAPTER_BYTES, render_error_page, wrap_page
from handbook.core.render.sanitize import removed_by_sanitizer, sanitize
from handbook.core.render.theme import LIGHT, PageTheme

# options of ours (the page must fit Qt; nothing the site names as code is loaded)
_OURS: dict[str, Callable[[PageTheme, Path], dict[str, Any]]] = {
    "pymdownx.highlight": lambda theme, _site: {
        "use_pygments": True,
        "noclasses": True,
        "pygments_style": theme.pygments_style,
        "guess_lang": False,
        "linenums": False,
    },
    "pymdownx.superfences": lambda _theme, _site: {"custom_fences": []},
    "pymdownx.snippets": lambda _theme, site: {
        "base_path": [str(site)],
        "restrict_base_path": True,
        "url_download": False,
        "check_paths": False,
        "auto_append": [],
    },
    "pymdownx.arithmatex": lambda _theme, _site: {"generic": True},
    "markdown.extensions.toc": lambda _theme, _site: {"permalink": False},
    "pymdownx.magiclink": lambda _theme, _site: {"repo_url_shortener": False},
}
_DROPPED_OPTIONS = {"pymdownx.emoji": ("emoji_index", "emoji_generator")}


def site_extensions(config: SiteConfig) -> tuple[list[str], list[str]]:
    """(the modules to load, in the site's order; the names ignored as not allowed)."""
    return allowed_extensions(config)


def make_site_markdown(config: SiteConfig, theme: PageTheme = LIGHT) -> markdown.Markdown:
    """The one converter for a site's pages, from its allowed ``markdown_extensions``."""
    modules, _ignored = site_extensions(config)
    given = {
        ALLOWED_EXTENSIONS.get(name.removeprefix("markdown.extensions."), ""): options
        for name, options in config.extensions
    }
    configs: dict[str, dict[str, Any]] = {}
    for module in modules:
        options = {
            key: value
            for key, value in given.get(module, {}).items()
            if _plain_option(value) and key not in _DROPPED_OPTIONS.get(module, ())
        }
        ours = _OURS.get(module)
        if ours is not None:
            options.update(ours(theme, config.path.parent))
        if module == "pymdownx.emoji":
            from pymdownx import emoji

            options["emoji_generator"] = emoji.to_alt  # the character itself
        if module == "markdown.extensions.toc":
            from handbook.core.book.mkdocs_config import site_slugify

            options["slugify"] = site_slugify(config)
        configs[module] = options
    md = markdown.Markdown(
        extensions=[*modules, GuardExtension(), _SiteExtension(theme)],
        extension_configs=configs,
        output_format="html",
        tab_length=4,
    )
    md.handbook_missing_snippets = _confine_snippets(md, config.path.parent)
    return md


def _plain_option(value: Any) -> bool:
    """An option that is plain data (no placeholder for a Python object, anywhere in it)."""
    if isinstance(value, Placeholder):
        return False
    if isinstance(value, dict):
        return all(_plain_option(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain_option(v) for v in value)
    return True


def _confine_snippets(md: markdown.Markdown, site: Path) -> list[str]:
    """Snippets resolved through a symlink to outside the site's folder are not read; the
    list returned gathers the snippets not found (or refused)."""
    missing: list[str] = []
    if "snippet" not in md.preprocessors:
        return missing
    snippets = md.preprocessors["snippet"]
    find = snippets.get_snippet_path
    real_site = os.path.realpath(site)

    def confined(path: str) -> str | None:
        found = find(path)
        real = os.path.realpath(found) if found is not None else ""
        if not real or os.path.commonpath([real, real_site]) != real_site or os.path.isdir(real):
            missing.append(path)
            return None
        return str(found)

    snippets.get_snippet_path = confined
    return missing


# --- boxes and links ------------------------------------------------------------------------------

_KINDS = {  # admonition types to the theme's alert colours
    "note": "note", "abstract": "note", "summary": "note", "tldr": "note", "info": "note",
    "todo": "note", "seealso": "note", "tip": "tip", "hint": "tip", "success": "tip",
    "check": "tip", "done": "tip", "question": "important", "help": "important",
    "faq": "important", "example": "important", "quote": "note", "cite": "note",
    "important": "important", "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "caution", "fail": "caution", "missing": "caution", "danger": "caution",
    "error": "caution", "bug": "caution",
}  # fmt: skip


class _SiteTreeprocessor(Treeprocessor):  # type: ignore[misc]  # markdown ships no types
    """Admonitions and details as boxes."""

    def __init__(self, md: markdown.Markdown, theme: PageTheme) -> None:
        super().__init__(md)
        self.theme = theme

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(parent):
                box = self._box(child)
                if box is not None:
                    parent[index] = box

    def _box(self, element: ET.Element) -> ET.Element | None:
        classes = (element.get("class") or "").split()
        if element.tag == "div" and "admonition" in classes:
            title = next((c for c in element if "admonition-title" in (c.get("class") or "")), None)
        elif element.tag == "details":
            title = next((c for c in element if c.tag == "summary"), None)
        else:
            return None
        kind = next((_KINDS[c] for c in classes if c in _KINDS), "note")
        accent: str = getattr(self.theme, kind)
        table = ET.Element(
            "table",
            {"class": f"alert alert-{kind}", "width": "100%", "cellspacing": "0",
             "cellpadding": "0", "border": "0", "bgcolor": self.theme.alert_background},
        )  # fmt: skip
        row = ET.SubElement(table, "tr")
        ET.SubElement(row, "td", {"width": "4", "bgcolor": accent})
        body = ET.SubElement(row, "td", {"style": "padding: 8px"})
        if title is not None:
            element.remove(title)
            heading = ET.SubElement(body, "p", {"class": "alert-title"})
            label = ET.SubElement(heading, "span", {"style": f"color: {accent}; font-weight: bold"})
            label.text = title.text
            label.extend(list(title))
            label.tail = None
        body.extend(list(element))
        table.tail = element.tail
        return table


_HREF = re.compile(r'(<a\s[^>]*?href=)(["\'])(.*?)\2', re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r'(<img\s[^>]*?src=)(["\'])(.*?)\2', re.IGNORECASE | re.DOTALL)


class _Links:
    """Links (in markdown and raw HTML alike) as MkDocs resolves them, made to name the page
    files the viewer opens: ``../x/`` from ``a/b.md`` (whose URL is ``a/b/``) is ``a/x.md``."""

    def __init__(
        self, page: str, exists: Callable[[str], bool], is_file: Callable[[str], bool]
    ) -> None:
        self.page = page
        self.exists = exists
        self.is_file = is_file

    def rewrite(self, body: str) -> str:
        body = _HREF.sub(
            lambda m: m.group(1) + m.group(2) + self.link(m.group(3)) + m.group(2), body
        )
        return _SRC.sub(
            lambda m: m.group(1) + m.group(2) + self.image(m.group(3)) + m.group(2), body
        )

    def _url_dir(self) -> str:
        """The folder of the page's URL on the built site (``a/b.md`` is at ``a/b/``)."""
        page_dir = posixpath.dirname(self.page)
        stem = posixpath.basename(self.page).rsplit(".", 1)[0]
        return page_dir if stem in ("index", "README") else posixpath.join(page_dir, stem)

    def image(self, src: str) -> str:
        """An image MkDocs leaves as written (raw HTML) is found from the page's URL: one that
        is not beside the page's file but is there is given as a path from the page's file."""
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", src) or src.startswith(("/", "#")) or not src:
            return src
        page_dir = posixpath.dirname(self.page)
        beside = posixpath.normpath(posixpath.join(page_dir, src))
        if not beside.startswith("../") and self.is_file(beside):
            return src
        target = posixpath.normpath(posixpath.join(self._url_dir(), src))
        if target.startswith("../") or not self.is_file(target):
            return src
        return posixpath.relpath(target, page_dir or ".")

    def link(self, href: str) -> str:
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href) or href.startswith(("#", "//")):
            return href
        path, hash_, fragment = href.partition("#")
        path = path.split("?", 1)[0]
        if not path or path.endswith(".md"):
            return href
        page_dir = posixpath.dirname(self.page)
        stem = posixpath.basename(self.page).rsplit(".", 1)[0]
        url_dir = page_dir if stem in ("index", "README") else posixpath.join(page_dir, stem)
        target = posixpath.normpath(posixpath.join(url_dir, path)).strip("/")
        for candidate in (f"{target}.md", f"{target}/index.md", f"{target}/README.md"):
            if candidate.startswith("../") or not self.exists(candidate.removeprefix("./")):
                continue
            return "/" + candidate.removeprefix("./") + hash_ + fragment
        return href


class _SiteExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, theme: PageTheme) -> None:
        super().__init__()
        self.theme = theme

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_SiteTreeprocessor(md, self.theme), "handbook_site", 4)


# --- the renderer ---------------------------------------------------------------------------------


class SiteRenderer:
    """Renders the pages of one MkDocs site in one theme; never raises for a page's content."""

    def __init__(self, book: Book, theme: PageTheme = LIGHT) -> None:
        self.book = book
        self.theme = theme
        self._md: markdown.Markdown | None = None

    def render(self, path: str) -> RenderedChapter:
        try:
            size = os.stat(self.book.src / path).st_size
        except (OSError, ValueError):
            size = 0
        try:
            if size > MAX_CHAPTER_BYTES:
                raise BookError(
                    f"the page is {size / 2**20:.1f} MB; pages over "
                    f"{MAX_CHAPTER_BYTES // 2**20} MB are not shown",
                    self.book.src / path,
                )
            source = read_chapter_source(self.book, path)
        except BookError as exc:
            return self._error(path, "This page cannot be shown", str(exc))
        try:
            return self._render(path, source)
        except RecursionError:
            self._md = None
            return self._error(
                path, "This page is nested too deeply to show", f"{self.book.src / path}"
            )
        except Exception as exc:  # a page's content must never take the window down
            self._md = None
            message = f"{self.book.src / path}: {type(exc).__name__}: {exc}"
            return self._error(path, "This page could not be rendered", message)

    def _render(self, path: str, source: str) -> RenderedChapter:
        text, _meta = split_metadata(source)
        md = self._markdown()
        md.reset()
        missing: list[str] = getattr(md, "handbook_missing_snippets", [])
        missing.clear()
        exists = lambda p: self.book.chapter(p) is not None  # noqa: E731
        converted = _Links(path, exists, self._is_file).rewrite(md.convert(text))
        removed = removed_by_sanitizer(converted)
        node = self.book.chapter(path)
        headings = toc_headings(getattr(md, "toc_tokens", []), node.headings if node else ())
        title = node.title if node is not None else (headings[0].title if headings else path)
        return RenderedChapter(
            path=path,
            html=wrap_page(
                self._missing(missing) + mark_details(sanitize(converted)), title, self.theme
            ),
            headings=headings,
            notes=tuple(
                f"{path}: snippet '{name}' is not in the site's folder; it is left out"
                for name in dict.fromkeys(missing)
            )
            + ((f"{path}: removed for safety: {', '.join(removed)}",) if removed else ()),
        )

    def _is_file(self, path: str) -> bool:
        try:
            return (self.book.src / path).is_file()
        except (OSError, ValueError):
            return False

    def _missing(self, snippets: list[str]) -> str:
        """A line on the page for each snippet left out, as mdBook's includes get."""
        return "".join(
            f'<p><span style="color: {self.theme.caution}; font-weight: bold">'
            f"{html.escape(f'⚠ Snippet not found in the site: {name}')}</span></p>"
            for name in dict.fromkeys(snippets)
        )

    def _markdown(self) -> markdown.Markdown:
        if self._md is None:
            self._md = make_site_markdown(read_site_config(self.book.summary_path), self.theme)
        return self._md

    def _error(self, path: str, title: str, message: str) -> RenderedChapter:
        return RenderedChapter(
            path, render_error_page(title, message, self.theme), (), notes=(message,)
        )


def toc_headings(tokens: list[dict[str, Any]], known: tuple[Heading, ...]) -> tuple[Heading, ...]:
    """The headings of ``toc``'s tokens; lines from the ``known`` headings of the same ids."""
    lines = {h.anchor: h.line for h in known}
    out: list[Heading] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            name = html.unescape(re.sub(r"<[^>]+>", "", str(item.get("name", ""))))
            anchor = str(item.get("id", ""))
            out.append(Heading(int(item.get("level", 1)), name, anchor, lines.get(anchor, 0)))
            walk(item.get("children", []))

    walk(tokens)
    return tuple(out)
