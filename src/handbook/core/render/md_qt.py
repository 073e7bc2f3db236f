"""Markup that QTextBrowser shows, in place of what it cannot.

- Code blocks: Pygments' ``<div><pre>`` becomes a one-cell table, since Qt gives a ``pre`` no
  padding and paints its background line by line.
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

from handbook.core.render.theme import PageTheme

PRIORITY = 25  # after raw HTML (30) is put back, before unescaping (10) and the sanitizer

_CODE_OPEN = re.compile(r'<div class="highlight"[^>]*><pre[^>]*>(?:<span></span>)?<code>')
_CODE_CLOSE = re.compile(r"\n?</code></pre></div>")
_ALIGNED_CELL = re.compile(r'<(t[dh]) style="text-align: (left|right|center);?">')
_UNCHECKED = re.compile(r"<input type=\"checkbox\" disabled\s*/?>\s?")
_CHECKED = re.compile(r"<input type=\"checkbox\" disabled checked\s*/?>\s?")


class _QtPostprocessor(Postprocessor):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, md: Markdown, theme: PageTheme) -> None:
        super().__init__(md)
        self.code_open = (
            '<table class="code" width="100%" cellspacing="0" cellpadding="8" border="0"'
            f' bgcolor="{theme.code_background}"><tr><td><pre>'
        )

    def run(self, text: str) -> str:
        if "highlight" in text:
            text = _CODE_OPEN.sub(self.code_open, text)
            text = _CODE_CLOSE.sub("</pre></td></tr></table>", text)
        if "<table>" in text:
            text = text.replace("<table>", '<table class="grid" cellspacing="0">')
            text = _ALIGNED_CELL.sub(r'<\1 align="\2">', text)
        if "checkbox" in text:
            text = _CHECKED.sub("☑ ", _UNCHECKED.sub("☐ ", text))
        return text


class QtMarkupExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, theme: PageTheme) -> None:
        super().__init__()
        self.theme = theme

    def extendMarkdown(self, md: Markdown) -> None:
        md.postprocessors.register(_QtPostprocessor(md, self.theme), "handbook_qt", PRIORITY)
