"""The allow-list rendered pages pass through (nh3, the maintained sanitizer). An mdBook page
whose walker says it holds no raw HTML but comments and plain phrasing elements (``<span
class="x">``, ``<kbd>``, ``<a id="x">``...) as nh3 writes them, and only plainly kept URLs,
skips it: it is written in nh3's own serialization, so sanitizing it would change nothing
(checked page by page on the corpora and on hostile pages in
tests/core/test_sanitize_shortcut.py). MkDocs pages always pass.

Python-Markdown passes raw HTML through, so a chapter may hold ``<script>``, ``onerror=``,
``javascript:`` links or ``<img src="file:///etc/passwd">``. What is kept is what Qt's
rich-text engine shows (https://doc.qt.io/qt-6/richtext-html-subset.html) and what the
renderer itself writes: tables with ``bgcolor``/``cellpadding`` for code blocks and alerts,
``<a name>`` anchors, and ``style`` limited to colours, fonts, text decoration and spacing.
Links keep ``http``, ``https`` and ``mailto`` targets and relative paths (the viewer serves
only files inside the book); any other scheme loses its ``href``, and an image without a safe
``src`` is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from html.parser import HTMLParser

import nh3

# Qt's subset (plus thead/tbody/tfoot, del and ins, which Qt also reads; details and summary,
# which core/render/details.py turns into a summary line that folds)
TAGS = frozenset(
    {
        "a", "abbr", "address", "b", "big", "blockquote", "br", "center", "cite", "code",
        "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "nobr", "ol", "p", "pre", "q",
        "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
    }
)  # fmt: skip
# removed with everything inside them (the rest of the unknown tags keep their text)
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea",
     "select", "svg", "math", "canvas", "audio", "video", "title", "head", "frameset"}
)  # fmt: skip
_CELL = {"align", "valign", "bgcolor", "width", "colspan", "rowspan", "nowrap"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "dir", "align", "style", "lang"},
    "a": {"href", "name"},
    "details": {"open"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing", "width", "bgcolor", "align"},
    "td": _CELL,
    "th": _CELL,
    "tr": {"bgcolor", "valign"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "font": {"color", "size", "face"},
    "hr": {"width"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# CSS properties Qt applies that cannot fetch anything or cover the page
STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font-weight", "font-style", "font-family", "font-size",
        "text-decoration", "text-align", "vertical-align", "white-space", "line-height",
        "margin", "margin-top", "margin-bottom", "margin-left", "margin-right",
        "padding", "padding-top", "padding-bottom", "padding-left", "padding-right",
        "border", "border-width", "border-style", "border-color", "border-collapse",
        "width", "height", "list-style-type", "text-indent", "font-variant",
    }
)  # fmt: skip
_UNSAFE_VALUE = re.compile(r"url\s*\(|expression|@import|\\|javascript:|[<>]", re.IGNORECASE)
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]{3,20}")
_SIZE = re.compile(r"\d{1,5}%?")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


@lru_cache(maxsize=4096)
def clean_style(value: str) -> str | None:
    """Only the declarations of :data:`STYLE_PROPERTIES` with harmless values."""
    kept = []
    for declaration in value.split(";"):
        name, colon, val = declaration.partition(":")
        name, val = name.strip().lower(), val.strip()
        if colon and name in STYLE_PROPERTIES and val and not _UNSAFE_VALUE.search(val):
            kept.append(f"{name}: {val}")
    return "; ".join(kept) or None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return clean_style(value)
    if attribute in ("bgcolor", "color"):
        return value if _COLOUR.fullmatch(value.strip()) else None
    if attribute in ("width", "height", "border", "cellpadding", "cellspacing"):
        return value if _SIZE.fullmatch(value.strip()) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes=ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes=set(URL_SCHEMES),
    strip_comments=True,
    link_rel=None,
)


def sanitize(html: str) -> str:
    """``html`` reduced to the allow-list; never raises for any text."""
    cleaned: str = _CLEANER.clean(html)
    return _IMG_WITHOUT_SRC.sub("", cleaned)


# A cheap first look: only pages that may hold something unsafe are inspected in full.
_SUSPICIOUS = re.compile(
    r"<(?:" + "|".join(sorted(DROPPED_WITH_CONTENT)) + r")\b"
    r"|\son[a-z]+\s*="
    r"|\b(?:href|src)\s*=\s*[\"']?\s*(?:(?!https?:|mailto:)[a-z][a-z0-9+.\-]*\s*:|[^\"'>\s]*&)",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20]+")


class _Inspector(HTMLParser):
    """Counts what the allow-list is about to remove, so the reader can be told."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.removed[f"<{tag}>"] += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.removed[f"{name}= handler"] += 1
            elif name in ("href", "src") and value:
                m = _SCHEME.match(_CONTROL.sub("", value).lower())
                if m and m.group(1) not in URL_SCHEMES:
                    kind = "link" if name == "href" else "image"
                    self.removed[f"{m.group(1)}: {kind}"] += 1


def removed_by_sanitizer(html: str) -> tuple[str, ...]:
    """What :func:`sanitize` takes out of ``html`` ("javascript: link", "<script>"...)."""
    if not _SUSPICIOUS.search(html):
        return ()
    inspector = _Inspector()
    try:
        inspector.feed(html)
        inspector.close()
    except Exception:  # html.parser on hostile input: the sanitizer still runs
        return ("unsafe markup",)
    return tuple(
        f"{count} × {what}" if count > 1 else what for what, count in inspector.removed.items()
    )
