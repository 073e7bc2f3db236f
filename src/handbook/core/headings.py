"""Heading anchors, shared by the book model, the renderer and the search index.

Anchors follow mdBook's ``normalize_id``: lower-case, alphanumerics, ``_`` and ``-`` kept,
whitespace turned into ``-``, everything else dropped; repeats get ``-1``, ``-2``...
An explicit ``{#custom-id}`` at the end of a heading wins.
"""

from __future__ import annotations

import re

from handbook.core.model import Heading

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CUSTOM_ID = re.compile(r"\s*\{#([A-Za-z0-9_\-:.]+)[^}]*\}\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|!?\[([^\]]*)\]\[[^\]]*\]")
_TAG = re.compile(r"<[^>]+>")
_EMPH = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1")


def slugify(text: str) -> str:
    out = []
    for ch in text:
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower())
        elif ch.isspace():
            out.append("-")
    return "".join(out) or "section"


def unique_anchor(slug: str, used: set[str]) -> str:
    anchor = slug
    n = 0
    while anchor in used:
        n += 1
        anchor = f"{slug}-{n}"
    used.add(anchor)
    return anchor


def plain_heading_text(markdown_text: str) -> str:
    """The text a reader sees for a heading written in markdown (links, emphasis, code removed)."""
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), markdown_text)
    text = _TAG.sub("", text)
    text = text.replace("`", "")
    for _ in range(3):
        text = _EMPH.sub(r"\2", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>])", r"\1", text)
    return " ".join(text.split())


def split_custom_id(text: str) -> tuple[str, str | None]:
    m = _CUSTOM_ID.search(text)
    if not m:
        return text, None
    return text[: m.start()], m.group(1)


def extract_headings(markdown_text: str) -> tuple[Heading, ...]:
    """Headings of a chapter's markdown source, with anchors the renderer also uses.

    ATX (``## Title``) and setext (``Title`` + ``===``) headings; fenced code is skipped.
    """
    headings: list[Heading] = []
    used: set[str] = set()
    fence: str | None = None
    prev: str | None = None
    prev_is_para = False
    for lineno, line in enumerate(markdown_text.splitlines(), start=1):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            prev, prev_is_para = None, False
            continue
        if m:
            fence = m.group(1)
            prev, prev_is_para = None, False
            continue
        atx = _ATX.match(line)
        if atx:
            _add(headings, used, len(atx.group(1)), atx.group(2) or "", lineno)
            prev, prev_is_para = None, False
            continue
        setext = _SETEXT.match(line)
        if setext and prev_is_para and prev is not None:
            level = 1 if setext.group(1)[0] == "=" else 2
            _add(headings, used, level, prev.strip(), lineno - 1)
            prev, prev_is_para = None, False
            continue
        stripped = line.strip()
        starts_block = stripped[:1] in (">", "|", "<") or re.match(r"^([-*+]|\d+[.)])\s", stripped)
        prev_is_para = bool(stripped) and not line.startswith(("    ", "\t")) and not starts_block
        prev = line if prev_is_para else None
    return tuple(headings)


def _add(headings: list[Heading], used: set[str], level: int, raw: str, line: int) -> None:
    raw, custom = split_custom_id(raw)
    title = plain_heading_text(raw)
    anchor = unique_anchor(custom or slugify(title), used)
    headings.append(Heading(level=level, title=title, anchor=anchor, line=line))
