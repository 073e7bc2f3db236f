"""Markup that QTextBrowser shows, in place of what it cannot.

- Code blocks: Pygments' ``<div><pre>`` becomes a one-cell table, since Qt gives a ``pre`` no
  padding and paints its background line by line; a long one several tables that look as one,
  and a long table several tables too (core/render/mdbook/parts.py: Qt lays a table out whole).
- Tables: a bare ``<table>`` (markdown's, or a chapter's own) gets the ``grid`` class that
  the page's style sheet draws borders for.
- Aligned table columns: ``align`` in place of a ``style``, which would replace the style
  sheet's cell borders in Qt.
- Task lists: Qt has no checkboxes; ☐ and ☑ stand for them.
- ``<details>`` and ``<summary>`` pass through: core/render/details.py makes them fold.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

from handbook.core.render.mdbook import parts
from handbook.core.render.theme import PageTheme

PRIORITY = 25  # after raw HTML (30) is put back, before unescaping (10) and the sanitizer

_CODE_OPEN = re.compile(r'<div class="highlight"[^>]*><pre[^>]*>(?:<span></span>)?<code>')
_CODE_CLOSE = re.compile(r"\n?</code></pre></div>")
_CODE_BLOCK = re.compile(_CODE_OPEN.pattern + r"(.*?)" + _CODE_CLOSE.pattern, re.DOTALL)
_GRID_OPEN = '<table class="grid" cellspacing="0">'
_GRID = re.compile(
    re.escape(_GRID_OPEN) + r"\n?(<thead>.*?</thead>\n?)<tbody>\n?(.*?)</tbody>\n?</table>\n?",
    re.DOTALL,
)
_ROW = re.compile(r"<tr>.*?</tr>\n?", re.DOTALL)
_ALIGNED_CELL = re.compile(r'<(t[dh]) style="text-align: (left|right|center);?">')
_UNCHECKED = re.compile(r"<input type=\"checkbox\" disabled\s*/?>\s?")
_CHECKED = re.compile(r"<input type=\"checkbox\" disabled checked\s*/?>\s?")


class _QtPostprocessor(Postprocessor):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, md: Markdown, theme: PageTheme) -> None:
        super().__init__(md)
        self.background = theme.code_background
        self.code_open = (
            '<table class="code" width="100%" cellspacing="0" cellpadding="8" border="0"'
            f' bgcolor="{theme.code_background}"><tr><td><pre>'
        )

    def run(self, text: str) -> str:
        if "highlight" in text:
            if parts.long_code(text.count("\n")):  # there may be a long one
                text = _CODE_BLOCK.sub(self._long_code, text)
            text = _CODE_OPEN.sub(self.code_open, text)
            text = _CODE_CLOSE.sub("</pre></td></tr></table>", text)
        if "<table>" in text:
            text = text.replace("<table>", _GRID_OPEN)
            text = _ALIGNED_CELL.sub(r'<\1 align="\2">', text)
            if parts.long_table(text.count("<tr>")):
                text = _GRID.sub(_long_table, text)
        if "checkbox" in text:
            text = _CHECKED.sub("☑ ", _UNCHECKED.sub("☐ ", text))
        return text

    def _long_code(self, m: re.Match[str]) -> str:
        body = m.group(1)
        if not parts.long_code(body.count("\n")):
            return m.group(0)
        return parts.code_tables(body.rstrip("\n"), self.background)


def _long_table(m: re.Match[str]) -> str:
    head, body = m.group(1), m.group(2)
    if "<table" in body:  # a table in a cell: as it is
        return m.group(0)
    rows = _ROW.findall(body)
    if not parts.long_table(len(rows)) or "".join(rows).strip() != body.strip():
        return m.group(0)  # short, or something between its rows: as it is
    return parts.grid_tables(_GRID_OPEN + "\n", head, rows)


class QtMarkupExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, theme: PageTheme) -> None:
        super().__init__()
        self.theme = theme

    def extendMarkdown(self, md: Markdown) -> None:
        md.postprocessors.register(_QtPostprocessor(md, self.theme), "handbook_qt", PRIORITY)
