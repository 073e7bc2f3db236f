"""Heading anchors: the same as :func:`handbook.core.book.headings.extract_headings` gives.

The section tree, search hits and bookmarks name headings by those anchors, so each heading
of the page gets exactly that ``id``, and an ``<a name>`` too: QTextBrowser scrolls to
``<a name>`` anchors. The anchor is computed from the heading's markdown text before inline
parsing, with the functions extract_headings uses. Headings inside quotes or lists (which
extract_headings does not see) get anchors after all the top-level ones, so they cannot
shift the numbering of a repeated title.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from handbook.core.book.headings import plain_heading_text, slugify, split_custom_id, unique_anchor
from handbook.core.book.model import Heading

PRIORITY = 27  # before inline parsing (20): the text is still the markdown source
LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _AnchorTreeprocessor(Treeprocessor):  # type: ignore[misc]  # markdown ships no types
    def __init__(self, md: Markdown, extension: HeadingAnchorExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: ET.Element) -> None:
        used: set[str] = set()
        top = [el for el in root if el.tag in LEVELS]
        top_ids = {id(el) for el in top}
        headings = [self._anchor(el, used) for el in top]
        for el in root.iter():
            if el.tag in LEVELS and id(el) not in top_ids:
                self._anchor(el, used)
        self.extension.headings = headings

    @staticmethod
    def _anchor(el: ET.Element, used: set[str]) -> Heading:
        raw, custom = split_custom_id(el.text or "")
        title = plain_heading_text(raw)
        anchor = unique_anchor(custom or slugify(title), used)
        el.set("id", anchor)
        mark = ET.Element("a", {"name": anchor})
        mark.tail = raw.rstrip() if custom else el.text
        el.text = None
        el.insert(0, mark)
        return Heading(level=LEVELS[el.tag], title=title, anchor=anchor)


class HeadingAnchorExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    """Gives headings their anchors; :attr:`headings` holds the last page's top-level ones."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[Heading] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_AnchorTreeprocessor(md, self), "handbook_anchors", PRIORITY)
        md.registerExtension(self)

    def reset(self) -> None:
        self.headings = []
