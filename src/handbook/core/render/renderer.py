"""Chapter markdown to a complete HTML page that QTextBrowser shows as mdBook would.

A :class:`Renderer` reads an mdBook chapter, expands its includes, parses it as mdBook 0.5
does (pulldown-cmark, see :mod:`handbook.core.render.mdbook.chapter`), sanitizes and wraps the
result
in a page styled from the theme. It never raises for what a chapter contains: a chapter that
cannot be read or converted becomes an error page saying why.

Python-Markdown is kept for other kinds of books (MkDocs sites): all its extensions are
configured in :func:`make_markdown`; our own syntax lives in ``alerts.py`` and ``md_*.py``
as ``Extension`` subclasses with explicit priorities. mdBook books do not use it.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from handbook.core.book.files import chapter_expander, chapter_source_reader
from handbook.core.book.includes import NOTE_MARKER, Expanded, NoteMarkers
from handbook.core.book.model import Book, BookError, Heading, RenderedChapter
from handbook.core.render.details import mark_details
from handbook.core.render.formula import typeset_math
from handbook.core.render.mdbook.chapter import parse_chapter
from handbook.core.render.sanitize import removed_by_sanitizer, sanitize
from handbook.core.render.theme import LIGHT, THEMES, PageTheme

MAX_CHAPTER_BYTES = 5 * 1024 * 1024

# Extensions loaded by module name: the PyInstaller spec bundles exactly these.
EXTENSION_MODULES: tuple[str, ...] = (
    "markdown.extensions.tables",
    "markdown.extensions.footnotes",
    "markdown.extensions.def_list",
    "markdown.extensions.attr_list",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tasklist",
    "pymdownx.tilde",
)
PYGMENTS_STYLES: tuple[str, ...] = tuple(sorted({t.pygments_style for t in THEMES.values()}))

if TYPE_CHECKING:
    import markdown


def make_markdown(theme: PageTheme = LIGHT) -> markdown.Markdown:
    """The one configured converter; code colours and alert colours follow ``theme``.

    Not used for mdBook books (pulldown-cmark reads them); imported when first called.
    """
    import markdown

    from handbook.core.render.alerts import AlertExtension
    from handbook.core.render.md_anchors import HeadingAnchorExtension
    from handbook.core.render.md_guards import GuardExtension
    from handbook.core.render.md_listing import ListingExtension
    from handbook.core.render.md_lists import ListIndentExtension
    from handbook.core.render.md_qt import QtMarkupExtension
    from handbook.core.render.md_rust import RustHiddenLinesExtension

    return markdown.Markdown(
        extensions=[
            *EXTENSION_MODULES,
            ListingExtension(),  # 29.5, preprocessor
            ListIndentExtension(),  # 29, preprocessor
            GuardExtension(),  # 28, preprocessor
            RustHiddenLinesExtension(),  # 27, preprocessor
            HeadingAnchorExtension(),  # 27, tree, before inline (20)
            AlertExtension(theme),  # 26, tree, before inline
            QtMarkupExtension(theme),  # 25, postprocessor
        ],
        extension_configs={
            "pymdownx.highlight": {
                "use_pygments": True,
                "noclasses": True,  # inline styles: Qt ignores most class-based CSS
                "pygments_style": theme.pygments_style,
                "guess_lang": False,
                "linenums": False,
            },
            "pymdownx.superfences": {"disable_indented_code_blocks": False},
            "pymdownx.tilde": {"subscript": False, "smart_delete": True},
            "pymdownx.tasklist": {"custom_checkbox": False},
            "markdown.extensions.footnotes": {"BACKLINK_TEXT": "↩"},
        },
        output_format="html",
        tab_length=4,
    )


def page_headings(md: markdown.Markdown) -> tuple[Heading, ...]:
    """The top-level headings of the page ``md`` converted last, with their anchors."""
    from handbook.core.render.md_anchors import HeadingAnchorExtension

    for ext in md.registeredExtensions:
        if isinstance(ext, HeadingAnchorExtension):
            return tuple(ext.headings)
    return ()


def page_css(theme: PageTheme) -> str:
    t = theme
    return f"""
body {{ color: {t.text}; background-color: {t.background}; }}
a {{ color: {t.link}; }}
h1, h2, h3, h4, h5, h6 {{ color: {t.text}; }}
p, li, dd, blockquote {{ line-height: 145%; }}
code, tt, samp {{ font-family: monospace; color: {t.code_text};
  background-color: {t.code_background}; }}
kbd {{ font-family: monospace; font-weight: bold; color: {t.text};
  background-color: {t.table_header}; }}
pre {{ font-family: monospace; color: {t.code_text}; margin: 0px; white-space: pre-wrap; }}
table.code {{ margin-top: 8px; margin-bottom: 8px; }}
table.grid {{ border-collapse: collapse; margin-top: 8px; margin-bottom: 8px; }}
table.grid td, table.grid th {{ border: 1px solid {t.border}; padding: 4px 8px; }}
table.grid th {{ background-color: {t.table_header}; }}
table.alert {{ margin-top: 8px; margin-bottom: 8px; }}
blockquote {{ color: {t.muted}; margin-left: 16px; }}
del, s {{ text-decoration: line-through; }}
.listing-file, .filename {{ color: {t.muted}; font-weight: bold; }}
.listing-caption {{ color: {t.muted}; font-style: italic; }}
.footnote {{ color: {t.muted}; }}
"""


def wrap_page(body: str, title: str, theme: PageTheme) -> str:
    """A complete HTML document around ``body`` (already sanitized) in the theme's colours."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{page_css(theme)}</style></head>\n"
        f'<body bgcolor="{theme.background}" text="{theme.text}">\n{body}\n</body></html>\n'
    )


def render_error_page(title: str, message: str, theme: PageTheme = LIGHT) -> str:
    """A page saying plainly what went wrong (``message`` is text, not HTML)."""
    paragraphs = "".join(
        f"<p>{html.escape(part)}</p>" for part in message.split("\n\n") if part.strip()
    )
    body = (
        f'<h1><span style="color: {theme.caution}">⚠</span> {html.escape(title)}</h1>\n'
        f'<table class="alert alert-caution" width="100%" cellspacing="0" cellpadding="0"'
        f' border="0" bgcolor="{theme.alert_background}"><tr>'
        f'<td width="4" bgcolor="{theme.caution}"></td>'
        f'<td style="padding: 8px">{paragraphs}</td></tr></table>'
    )
    return wrap_page(body, title, theme)


class Renderer:
    """Renders the chapters of one book in one theme (make another for another theme)."""

    def __init__(self, book: Book, theme: PageTheme = LIGHT) -> None:
        self.book = book
        self.theme = theme
        self._read_source: Callable[[str], str] | None = None
        self._expand: Callable[[str], Expanded] | None = None

    def render(self, path: str) -> RenderedChapter:
        """Chapter ``path`` (relative to the book's ``src``) as a page; never raises."""
        try:
            expanded = self._read(path)
        except BookError as exc:
            return self._error(path, "This chapter cannot be shown", str(exc))
        except Exception as exc:  # its includes' expansion: as a failed render
            return self._failed(path, exc)
        try:
            return self._render(path, expanded)
        except Exception as exc:  # a chapter's content must never take the window down
            return self._failed(path, exc)

    def _failed(self, path: str, exc: Exception) -> RenderedChapter:
        if isinstance(exc, RecursionError):
            return self._error(
                path,
                "This chapter is nested too deeply to show",
                f"{self._where(path)}: its lists, quotes or HTML are nested deeper than the "
                "renderer can follow.",
            )
        return self._error(
            path,
            "This chapter could not be rendered",
            f"{self._where(path)}: {type(exc).__name__}: {exc}",
        )

    def _read(self, path: str) -> Expanded:
        """The chapter's text as it is parsed: an mdBook chapter after its includes (read and
        expanded once per state of its files: the book's load did it already), notes as
        markers; a plain folder's or file's page as it is (GitHub and CommonMark show
        ``{{#include}}`` as text: it is mdBook's, not markdown's)."""
        try:
            size = os.stat(self.book.src / path).st_size
        except (OSError, ValueError):
            size = 0  # read_chapter_source says what is wrong
        if size > MAX_CHAPTER_BYTES:
            raise BookError(
                f"the chapter is {size / 1024 / 1024:.1f} MB; chapters over "
                f"{MAX_CHAPTER_BYTES // 1024 // 1024} MB are not shown",
                self.book.src / path,
            )
        if self.book.format == "mdbook":
            if self._expand is None:  # the book's folders resolved once, not per chapter
                self._expand = chapter_expander(self.book)
            return self._expand(path)
        if self._read_source is None:
            self._read_source = chapter_source_reader(self.book)
        return Expanded(self._read_source(path), ())

    def _render(self, path: str, expanded: Expanded) -> RenderedChapter:
        notes = NoteMarkers([note.message for note in expanded.notes])
        page = parse_chapter(expanded.text, self.book.markdown, self.theme)
        removed = removed_by_sanitizer(page.untrusted) if page.untrusted else ()
        # a page of markdown alone is what the walker wrote: sanitizing would change nothing
        safe = sanitize(page.html) if page.needs_sanitizer else page.html
        body = mark_details(_substitute_notes(safe, notes, self.theme))
        body = typeset_math(
            body, self.theme.text, self.theme.caution, delimiters=self.book.markdown.mathjax_support
        )
        title = expanded.title or self._title(path, page.headings)
        return RenderedChapter(
            path=path,
            html=wrap_page(body, title, self.theme),
            headings=page.headings,
            notes=tuple(f"{path}:{n.line}: {n.message}" for n in expanded.notes)
            + ((f"{path}: removed for safety: {', '.join(removed)}",) if removed else ()),
            title=expanded.title,
        )

    def _title(self, path: str, headings: Sequence[Heading]) -> str:
        node = self.book.chapter(path)
        if node is not None and node.title:
            return node.title
        return headings[0].title if headings else path

    def _where(self, path: str) -> str:
        return str(self.book.src / path)

    def _error(self, path: str, title: str, message: str) -> RenderedChapter:
        return RenderedChapter(
            path=path,
            html=render_error_page(title, message, self.theme),
            headings=(),
            notes=(message,),
        )


def _substitute_notes(body: str, notes: NoteMarkers, theme: PageTheme) -> str:
    """``body`` with each note marker swapped for its note, styled."""
    if not notes.messages:
        return body

    def styled(m: re.Match[str]) -> str:
        message = notes.message(m.group(1))
        if message is None:
            return m.group()
        text = html.escape(f"⚠ {message}")
        return f'<span style="color: {theme.caution}; font-weight: bold">{text}</span>'

    return NOTE_MARKER.sub(styled, body)
