"""Heading anchors, shared by the book model, the renderer and the search index.

Anchors follow mdBook's ``normalize_id``: alphanumerics, ``_`` and ``-`` kept (ASCII letters
lower-cased, as mdBook does), whitespace turned into ``-``, everything else dropped; repeats get
``-1``, ``-2``... An explicit ``{#custom-id}`` at the end of a heading wins.

The plain text of a heading (and of a SUMMARY.md link) is what a reader sees: the inline markdown
is read the CommonMark way (code spans taken literally, escapes and entities resolved, links and
images reduced to their text, tags and emphasis markers dropped), so ``Using `Box<T>` `` keeps
its ``<T>`` and ``snake_case`` keeps its underscores.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from handbook.core.book.model import Heading

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")
# extract_headings visits only lines that can matter: ATX, fence, comment and setext candidates
_HIT = re.compile(r"\n {0,3}(?:#|```|~~~|<!--|=+[ \t]*$|-+[ \t]*$)", re.MULTILINE)
_HIT_FIRST = re.compile(r" {0,3}(?:#|```|~~~|<!--|=+[ \t]*$|-+[ \t]*$)", re.MULTILINE)
_FENCE_CLOSE_SCAN = re.compile(r"\n {0,3}(`{3,}|~{3,})[ \t]*$", re.MULTILINE)
_LINE_END = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # line ends besides a newline
_ASCII_SPACE_TO_DASH = {c: "-" for c in range(128) if chr(c).isspace()}
_SLUG_DROP = re.compile(r"[^a-z0-9_\-]")
_PLAIN_TITLE = re.compile("[\\\\`<&\\[*_~\ue000\ue001]")  # inline markup in a heading's text
_BLOCK_START = re.compile(r"^ {0,3}(?:[>|<]|[-*+][ \t]|\d{1,9}[.)][ \t])")
_CUSTOM_ID = re.compile(r"\s*\{#([A-Za-z0-9_\-:.]+)[^}]*\}\s*$")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
_AUTOLINK = re.compile(
    r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_DELIMITER_RUN = re.compile(r"\*+|_+|~+")
_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_HOLD_OPEN, _HOLD_CLOSE = "\ue000", "\ue001"  # private-use marks around text kept literally
_HELD = re.compile(f"{_HOLD_OPEN}(\\d+){_HOLD_CLOSE}")
# Bounds that keep hostile input (a 1 MB line, '[' * 8000) linear; real headings are far smaller.
MAX_LINE = 10_000  # characters of a line examined for a heading
MAX_INLINE = 4_000  # characters of inline markdown turned into plain text
_MAX_NESTING = 8  # links within images within links...
_MAX_PARENS = 32  # nested parentheses in a link destination


def slugify(text: str) -> str:
    if text.isascii():  # the same as the loop below, in two C-speed passes
        slug = _SLUG_DROP.sub("", text.lower().translate(_ASCII_SPACE_TO_DASH))
        return slug or "section"
    out = []
    for ch in text:
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower() if ch.isascii() else ch)
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


# --- inline markdown --------------------------------------------------------------------------


@dataclass(frozen=True)
class InlineLink:
    """A link (or image) found in inline markdown; offsets index the scanned text."""

    start: int
    end: int
    text: str  # the link text, still markdown
    dest: str  # escapes and entities resolved; "" for ``[Title]()``
    image: bool = False


def normalize_label(label: str) -> str:
    """Reference labels match case-insensitively with whitespace collapsed (CommonMark)."""
    return " ".join(label.split()).casefold()


def unescape_markdown(text: str) -> str:
    """Backslash escapes and HTML entities resolved, as CommonMark does in URLs and titles."""
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return _ESCAPE.sub(r"\1", text)


def code_span_at(text: str, i: int) -> tuple[int, str] | None:
    """At a backtick run: (end, literal content) of the code span it opens, or None if unclosed."""
    n = len(text)
    j = i
    while j < n and text[j] == "`":
        j += 1
    fence = text[i:j]
    k = j
    while True:
        k = text.find(fence, k)
        if k < 0:
            return None
        m = k + len(fence)
        if m < n and text[m] == "`":  # a longer run does not close this span
            while m < n and text[m] == "`":
                m += 1
            k = m
            continue
        content = text[j:k].replace("\n", " ")
        if len(content) >= 2 and content[0] == content[-1] == " " and content.strip(" "):
            content = content[1:-1]
        return m, content


def _backtick_run_end(text: str, i: int) -> int:
    while i < len(text) and text[i] == "`":
        i += 1
    return i


def bracket_pairs(text: str) -> dict[int, int]:
    """Each ``[`` offset mapped to its matching ``]`` (escapes and code spans skipped).

    One pass for the whole text, so that many unclosed brackets cost linear time.
    """
    pairs: dict[int, int] = {}
    opened: list[int] = []
    j, n = 0, len(text)
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            span = code_span_at(text, j)
            j = span[0] if span else _backtick_run_end(text, j)
            continue
        if ch == "[":
            opened.append(j)
        elif ch == "]" and opened:
            pairs[opened.pop()] = j
        j += 1
    return pairs


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i


def _destination(text: str, i: int) -> tuple[int, str] | None:
    """The raw destination starting at ``i`` (inside the parentheses) and where it ends."""
    n = len(text)
    if i < n and text[i] == "<":
        j = i + 1
        while j < n and text[j] not in "<>\n":
            j += 2 if text[j] == "\\" else 1
        return (j + 1, text[i + 1 : j]) if j < n and text[j] == ">" else None
    j, depth = i, 0
    while j < n:
        ch = text[j]
        if ch == "\\" and j + 1 < n and text[j + 1] in _PUNCT:
            j += 2
            continue
        if ch.isspace() or ord(ch) < 0x20:
            break
        if ch == "(":
            depth += 1
            if depth > _MAX_PARENS:
                return None
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        j += 1
    return j, text[i:j]


def _title_end(text: str, i: int) -> int | None:
    """Offset after a link title (``"t"``, ``'t'`` or ``(t)``) starting at ``i``."""
    close = ")" if text[i] == "(" else text[i]
    j = i + 1
    while j < len(text) and text[j] != close:
        j += 2 if text[j] == "\\" else 1
    return j + 1 if j < len(text) else None


def _inline_target(text: str, i: int) -> tuple[int, str] | None:
    """Parse ``dest "title")`` after the ``(`` at ``i - 1``: (offset past ``)``, destination)."""
    start = _skip_space(text, i)
    found = _destination(text, start)
    if found is None:
        return None
    j, raw = found
    k = _skip_space(text, j)
    if k < len(text) and text[k] in "\"'(" and k > j:
        end = _title_end(text, k)
        if end is None:
            return None
        k = _skip_space(text, end)
    if k < len(text) and text[k] == ")":
        return k + 1, unescape_markdown(raw)
    return None


def match_link(
    text: str,
    i: int,
    refs: Mapping[str, str] | None = None,
    pairs: Mapping[int, int] | None = None,
) -> tuple[int, str, str] | None:
    """The link whose ``[`` is at ``i``: (end, link text, destination), or None.

    Inline links ``[t](dest "title")`` and, given ``refs`` (normalized label -> destination),
    full, collapsed and shortcut reference links. ``pairs`` is ``bracket_pairs(text)``, when
    the caller looks for many links in the same text.
    """
    if pairs is None:
        pairs = bracket_pairs(text[i:])
        pairs = {start + i: end + i for start, end in pairs.items()}
    close = pairs.get(i)
    if close is None:
        return None
    inner, after = text[i + 1 : close], close + 1
    if text.startswith("(", after):
        target = _inline_target(text, after + 1)
        if target is not None:
            return target[0], inner, target[1]
    if not refs:
        return None
    if text.startswith("[", after):
        label_end = pairs.get(after)
        if label_end is not None:
            dest = refs.get(normalize_label(text[after + 1 : label_end] or inner))
            return (label_end + 1, inner, dest) if dest is not None else None
    dest = refs.get(normalize_label(inner))
    return (after, inner, dest) if dest is not None else None


def find_links(text: str, refs: Mapping[str, str] | None = None) -> list[InlineLink]:
    """Links and images in inline markdown, in order; code spans, tags and escapes skipped."""
    links: list[InlineLink] = []
    pairs = bracket_pairs(text)
    comments_end = text.rfind("-->")
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == "`":
            span = code_span_at(text, i)
            i = span[0] if span else _backtick_run_end(text, i)
        elif ch == "<" and (m := _markup_at(text, i, comments_end)):
            i = m.end()
        elif ch == "[" or (ch == "!" and text.startswith("[", i + 1)):
            bracket = i + 1 if ch == "!" else i
            found = match_link(text, bracket, refs, pairs)
            if found is None:
                i = bracket + 1
                continue
            links.append(InlineLink(i, found[0], found[1], found[2], image=ch == "!"))
            i = found[0]
        else:
            i += 1
    return links


def _markup_at(text: str, i: int, comments_end: int) -> re.Match[str] | None:
    """An autolink or an HTML tag/comment at ``i`` (comments only tried when one can close)."""
    if text.startswith("<!--", i) and i >= comments_end:
        return None
    return _AUTOLINK.match(text, i) or _TAG.match(text, i)


def plain_heading_text(
    markdown_text: str, refs: Mapping[str, str] | None = None, _nesting: int = 0
) -> str:
    """The text a reader sees for a heading written in markdown (links, emphasis, code removed)."""
    source = markdown_text[:MAX_INLINE].replace(_HOLD_OPEN, "").replace(_HOLD_CLOSE, "")
    pairs = bracket_pairs(source)
    comments_end = source.rfind("-->")
    held: list[str] = []
    out: list[str] = []

    def hold(literal: str) -> None:
        out.append(f"{_HOLD_OPEN}{len(held)}{_HOLD_CLOSE}")
        held.append(literal)

    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        m: re.Match[str] | None = None
        if ch == "\\" and i + 1 < n and source[i + 1] in _PUNCT:
            hold(source[i + 1])
            i += 2
        elif ch == "`":
            span = code_span_at(source, i)
            end = span[0] if span else _backtick_run_end(source, i)
            hold(span[1] if span else source[i:end])
            i = end
        elif ch == "<" and (m := _AUTOLINK.match(source, i)):
            hold(m.group(1))
            i = m.end()
        elif ch == "<" and (m := _markup_at(source, i, comments_end)):
            i = m.end()
        elif ch == "&" and (m := _ENTITY.match(source, i)):
            hold(html.unescape(m.group()))
            i = m.end()
        elif (ch == "[" or (ch == "!" and source.startswith("[", i + 1))) and (
            found := match_link(source, i + 1 if ch == "!" else i, refs, pairs)
        ):
            inner = found[1]
            nested = _nesting < _MAX_NESTING
            hold(plain_heading_text(inner, refs, _nesting + 1) if nested else inner)
            i = found[0]
        else:
            out.append(ch)
            i += 1
    text = _strip_emphasis("".join(out))
    text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return " ".join(text.split())


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _strip_emphasis(text: str) -> str:
    """Drop the ``*``, ``_`` and ``~~`` runs that pair up as emphasis, in one linear pass.

    CommonMark's flanking rules decide which runs can open or close (so ``2 * 3`` and
    ``snake_case`` stay as written); a closer pairs with the nearest opener of its kind.
    """
    runs = [(m.start(), m.end()) for m in _DELIMITER_RUN.finditer(text)]
    openers: dict[str, list[int]] = {"*": [], "_": [], "~": []}
    paired: set[int] = set()
    for k, (start, end) in enumerate(runs):
        ch = text[start]
        if ch == "~" and end - start > 2:
            continue
        can_open, can_close = _flanking(text, start, end)
        stack = openers[ch]
        if can_close and stack:
            paired.update((stack.pop(), k))
        elif can_open:
            stack.append(k)
    if not paired:
        return text
    pieces, last = [], 0
    for k in sorted(paired):
        start, end = runs[k]
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """(can open, can close) for the delimiter run ``text[start:end]`` (CommonMark 6.2)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (
        not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
    )
    right = not before.isspace() and (
        not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
    )
    if text[start] == "_":
        return (
            left and (not right or _is_punctuation(before)),
            right and (not left or _is_punctuation(after)),
        )
    return left, right


def split_custom_id(text: str) -> tuple[str, str | None]:
    m = _CUSTOM_ID.search(text)
    if not m:
        return text, None
    return text[: m.start()], m.group(1)


def match_atx_heading(line: str) -> tuple[int, str] | None:
    """(level, raw text) when ``line`` is an ATX heading (``## Title ##``), else None."""
    m = _ATX.match(line)
    return (len(m.group(1)), m.group(2) or "") if m else None


# --- headings of a chapter --------------------------------------------------------------------


def extract_headings(markdown_text: str) -> tuple[Heading, ...]:
    """Headings of a chapter's markdown source, with anchors the renderer also uses.

    ATX (``## Title``) and setext (``Title`` + ``===``, over one or more paragraph lines)
    headings; fenced code and HTML comments are skipped, since ``#`` lines there are not headings.

    Only the lines that can start or end a block that matters (``#``, fences, ``<!--``,
    ``===``/``---``) are visited, found by one regex scan; a setext underline looks back at the
    lines above it for its paragraph. :func:`_extract_headings_by_line`, which visits every
    line, gives the same result (the tests compare them) and is used for lines over
    :data:`MAX_LINE`.
    """
    lines = markdown_text.splitlines()
    if not lines or max(map(len, lines)) > MAX_LINE:
        return _extract_headings_by_line(lines)
    text = markdown_text
    only_newlines = len(lines) == text.count("\n") + (text[-1] != "\n")
    if not only_newlines or "\r" in text or _LINE_END.match(text[-1]):
        text = "\n".join(lines)  # other line separators (splitlines' set): "\n" only from here
    hits = [0] if _HIT_FIRST.match(text) else []
    hits.extend(m.start() + 1 for m in _HIT.finditer(text))
    headings: list[Heading] = []
    used: set[str] = set()
    done = -1  # lines up to this index are handled (a fence, a comment, a heading)
    line_at, counted = 0, 0  # the line index at offset `counted`
    for offset in hits:
        line_at += text.count("\n", counted, offset)
        counted = offset
        i = line_at
        if i <= done:
            continue
        line = lines[i]
        if _COMMENT_OPEN.match(line):
            done = _comment_end(text, lines, i, offset)
        elif opening := _FENCE_OPEN.match(line):
            done = _fence_end(text, lines, i, offset, opening.group(1))
        elif atx := _ATX.match(line):
            _add(headings, used, len(atx.group(1)), atx.group(2) or "", i + 1)
            done = i
        elif (setext := _SETEXT.match(line)) and (para := _paragraph_above(lines, i, done)):
            level = 1 if setext.group(1)[0] == "=" else 2
            _add(headings, used, level, "\n".join(para[1]), para[0] + 1)
            done = i
        if done >= len(lines):
            break
    return tuple(headings)


def _comment_end(text: str, lines: list[str], i: int, offset: int) -> int:
    """The index of the line closing the comment opened on line ``i`` (at ``offset``)."""
    if "-->" in lines[i]:
        return i
    close = text.find("-->", offset + len(lines[i]))
    return i + text.count("\n", offset, close) if close >= 0 else len(lines)


def _fence_end(text: str, lines: list[str], i: int, offset: int, fence: str) -> int:
    """The index of the line closing the fence ``fence`` opened on line ``i`` (at ``offset``)."""
    for m in _FENCE_CLOSE_SCAN.finditer(text, offset + len(lines[i])):
        mark = m.group(1)
        if mark[0] == fence[0] and len(mark) >= len(fence):
            return i + text.count("\n", offset, m.start() + 1)
    return len(lines)


def _paragraph_above(lines: list[str], k: int, done: int) -> tuple[int, list[str]] | None:
    """(first index, stripped lines) of the paragraph open above line ``k``, if there is one.

    Going up from ``k``: a blank line or a block start (list item, quote...) ends it, as does a
    line already handled (index ``done``); indented lines at its top are code, not paragraph.
    """
    j = k - 1
    while j > done and lines[j].strip() and not _BLOCK_START.match(lines[j]):
        j -= 1
    start = j + 1
    while start < k and _is_indented(lines[start]):
        start += 1
    return (start, [line.strip() for line in lines[start:k]]) if start < k else None


def _extract_headings_by_line(lines: list[str]) -> tuple[Heading, ...]:
    """:func:`extract_headings` the plain way, visiting every line (truncated to MAX_LINE)."""
    headings: list[Heading] = []
    used: set[str] = set()
    fence: str | None = None
    in_comment = False
    para: list[str] = []  # the open paragraph's lines (a setext underline turns them into a title)
    for lineno, whole_line in enumerate(lines, start=1):
        line = whole_line[:MAX_LINE]
        if fence is not None:
            close = _FENCE_CLOSE.match(line)
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                fence = None
            continue
        if in_comment or _COMMENT_OPEN.match(line):
            in_comment = "-->" not in line
            para = []
            continue
        if opening := _FENCE_OPEN.match(line):
            fence, para = opening.group(1), []
            continue
        if atx := _ATX.match(line):
            _add(headings, used, len(atx.group(1)), atx.group(2) or "", lineno)
            para = []
            continue
        setext = _SETEXT.match(line)
        if setext and para:
            level = 1 if setext.group(1)[0] == "=" else 2
            _add(headings, used, level, "\n".join(para), lineno - len(para))
            para = []
            continue
        if not line.strip() or _BLOCK_START.match(line) or (not para and _is_indented(line)):
            para = []
        else:
            para.append(line.strip())
    return tuple(headings)


def _is_indented(line: str) -> bool:
    """Indented by 4+ columns: an indented code line unless it continues a paragraph."""
    return line.startswith(("    ", "\t", " \t", "  \t", "   \t"))


def _add(headings: list[Heading], used: set[str], level: int, raw: str, line: int) -> None:
    raw, custom = split_custom_id(raw) if "{#" in raw else (raw, None)
    if len(raw) <= MAX_INLINE and not _PLAIN_TITLE.search(raw):
        title = " ".join(raw.split())  # no markup: what plain_heading_text would give, sooner
    else:
        title = plain_heading_text(raw)
    anchor = unique_anchor(custom or slugify(title), used)
    headings.append(Heading(level=level, title=title, anchor=anchor, line=line))
