"""GitHub-style alerts: ``> [!NOTE]``, ``[!TIP]``, ``[!IMPORTANT]``, ``[!WARNING]``, ``[!CAUTION]``.

QTextBrowser draws no border on a ``div`` or a ``blockquote``, so an alert becomes a one-row
table: a narrow cell in the alert's colour (the bar on the left, as on GitHub) beside a cell
holding a title line and the quote's content, on the theme's alert background.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from handbook.core.render.theme import PageTheme

PRIORITY = 26  # before inline parsing (20): the marker is still plain text

_TITLES = {  # words, not emoji: a desktop's fonts may lack the emoji
    "note": "Note",
    "tip": "Tip",
    "important": "Important",
    "warning": "⚠ Warning",
    "caution": "⚠ Caution",
}
_MARKER = re.compile(r"\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)", re.IGNORECASE)


def _accent(theme: PageTheme, kind: str) -> str:
    colour: str = getattr(theme, kind)
    return colour


class _AlertTreeprocessor(Treeprocessor):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, md: Markdown, theme: PageTheme) -> None:
        super().__init__(md)
        self.theme = theme

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(parent):
                if child.tag == "blockquote":
                    kind = _alert_kind(child)
                    if kind is not None:
                        parent[index] = self._box(child, kind)

    def _box(self, quote: ET.Element, kind: str) -> ET.Element:
        accent = _accent(self.theme, kind)
        table = ET.Element(
            "table",
            {
                "class": f"alert alert-{kind}",
                "width": "100%",
                "cellspacing": "0",
                "cellpadding": "0",
                "border": "0",
                "bgcolor": self.theme.alert_background,
            },
        )
        row = ET.SubElement(table, "tr")
        ET.SubElement(row, "td", {"width": "4", "bgcolor": accent, "class": "alert-bar"})
        body = ET.SubElement(row, "td", {"class": "alert-body", "style": "padding: 8px"})
        title = ET.SubElement(body, "p", {"class": "alert-title"})
        label = ET.SubElement(title, "span", {"style": f"color: {accent}; font-weight: bold"})
        label.text = _TITLES[kind]
        body.extend(list(quote))
        return table


def _alert_kind(quote: ET.Element) -> str | None:
    """The alert kind of a block quote whose first paragraph starts with the marker."""
    if len(quote) == 0 or quote[0].tag != "p":
        return None
    first = quote[0]
    m = _MARKER.match(first.text or "")
    if m is None:
        return None
    first.text = first.text[m.end() :] if first.text else None
    if not (first.text or "").strip() and len(first) == 0:
        quote.remove(first)
    return m.group(1).lower()


class AlertExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, theme: PageTheme) -> None:
        super().__init__()
        self.theme = theme

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_AlertTreeprocessor(md, self.theme), "handbook_alerts", PRIORITY)
