"""A result's snippet: a short window of a section's text, centred on its best match.

The best match is the place where the most of the query's terms stand close together (the
first such place, on a tie), looked for from the first place of each term. The cost is bounded
whatever the section's size: one scan per term that stops at its first match (FTS5's own
``snippet()`` grew with the square of the section's size), a window of text weighed per term,
and only the window is escaped and marked. A section
that matched through its heading or breadcrumb alone shows its text from ``lead`` on, the
first line that is not the book's boilerplate (see :func:`boilerplate_leads`). Nothing here
imports Qt.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from handbook.core.search.matching import fold, has_plain_case, match_prefixes, terms_pattern

SNIPPET_CHARS = 150  # two lines of the results list, about
SCAN_CHUNK = 8 * 1024
REGION_CHARS = 1024
MAX_FIRST_CHARS = 6 * 1024 * 1024  # the longest text indexed (see search.MAX_CHAPTER_BYTES)
MAX_MATCHES = 32
_SPACES = re.compile(r"\s+")
_TRIGRAM_WORDS = re.compile(r"\w+")
BOILERPLATE_SHARE = 0.2  # a chapter opening shared (by a run of three words) with this share
BOILERPLATE_MIN = 3  # ... and at least this many other chapters is the book's boilerplate
OPENING_LINES = 3  # the lines of a chapter's opening looked at


def make_snippet(text: str, terms: Sequence[str], lead: int = 0) -> str:
    """HTML: the window of ``text`` around the best match of ``terms``, escaped, with every
    match in it in ``<b>``; from ``lead`` when nothing matches."""
    spans = _best_spans(text, tuple(terms))
    start = _word_start(text, max(spans[0][0] - SNIPPET_CHARS // 3, 0) if spans else lead)
    if not text[start:].strip():
        return ""  # nothing but boilerplate
    end = _word_end(text, min(start + SNIPPET_CHARS, len(text)))
    pieces = ["…"] if start > 0 else []
    pos = start
    for m_start, m_end, _ in spans:
        if m_end <= pos or m_start >= end:
            continue
        m_start, m_end = max(m_start, pos), min(m_end, end)
        pieces += [html.escape(text[pos:m_start], quote=False), "<b>"]
        pieces += [html.escape(text[m_start:m_end], quote=False), "</b>"]
        pos = m_end
    pieces.append(html.escape(text[pos:end], quote=False))
    if end < len(text):
        pieces.append("…")
    return _SPACES.sub(" ", "".join(pieces)).strip().replace("</b> <b>", " ")


@functools.lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> _Pattern | None:
    pattern = terms_pattern(terms)
    return None if pattern is None else _Pattern(pattern, match_prefixes(terms))


class _Pattern:
    """The terms' pattern, and the text its matches start with (see :func:`match_prefixes`):
    the places to try it, found by ``str.find``, instead of trying it at every character."""

    def __init__(self, pattern: re.Pattern[str], prefixes: tuple[str, ...] | None) -> None:
        self.pattern = pattern
        self.prefixes = prefixes

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``'s non-empty matches."""
        lowered = text.lower() if self.prefixes is not None else ""
        if self.prefixes is None or not has_plain_case(text, lowered):
            yield from (m for m in self.pattern.finditer(text) if m.end() > m.start())
            return
        places: set[int] = set()
        for prefix in self.prefixes:
            at = lowered.find(prefix)
            while at >= 0:
                places.add(at)
                at = lowered.find(prefix, at + 1)
        end = 0
        for at in sorted(places):  # (a match is never empty: it starts with a prefix)
            if at >= end and (m := self.pattern.match(text, at)) is not None and m.end() > at:
                yield m
                end = m.end()

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)


Span = tuple[int, int, str]  # start, end, which term


def _best_spans(text: str, terms: tuple[str, ...]) -> list[Span]:
    """The matches of the best window, from its first.

    Each term's first place is found by a scan that stops there; around each, a region of
    :data:`REGION_CHARS` is searched for every term, and the window (half of
    :data:`SNIPPET_CHARS` from a match) holding the most distinct terms, then the most
    matches, wins; the first on a tie. The work: a scan per term, a bounded region per term."""
    combined = _pattern(terms)
    if combined is None or not text:
        return []
    head = fold(text[:SCAN_CHUNK])  # most sections end within it: folded once
    firsts = {_first_match(text, head, single) for t in terms if (single := _pattern((t,)))}
    best: list[Span] = []
    best_key = (0, 0)
    for first in sorted(f for f in firsts if f >= 0):
        spans = _region_matches(text, head, combined, max(first - SNIPPET_CHARS, 0))
        for i, (start, _, _) in enumerate(spans):
            window = [s for s in spans[i:] if s[1] <= start + SNIPPET_CHARS // 2]
            key = (len({term for _, _, term in window}), len(window))
            if key > best_key:
                best, best_key = spans[i:], key
    return best


def _region_matches(text: str, head: str, pattern: _Pattern, start: int) -> list[Span]:
    end = start + REGION_CHARS
    region = head[start:end] if end <= len(head) else fold(text[start:end])
    out: list[Span] = []
    for m in pattern.finditer(region):
        out.append((start + m.start(), start + m.end(), m.lastgroup or ""))
        if len(out) >= MAX_MATCHES:
            break
    return out


def _first_match(text: str, head: str, pattern: _Pattern) -> int:
    """Where the first match starts (-1: none in the first :data:`MAX_FIRST_CHARS`), looked for
    in ``head`` (the first chunk, folded), then a chunk at a time."""
    found_in_head = pattern.search(head)
    if found_in_head is not None:
        return found_in_head.start()
    chunk, overlap = SCAN_CHUNK, 256
    for start in range(chunk, min(len(text), MAX_FIRST_CHARS), chunk):
        piece = fold(text[max(start - overlap, 0) : start + chunk])
        found = pattern.search(piece)
        if found is not None:
            return max(start - overlap, 0) + found.start()
    return -1


def _word_start(text: str, pos: int) -> int:
    """``pos`` moved forward to the start of a word (at most 20 characters)."""
    if pos <= 0:
        return 0
    space = text.find(" ", pos - 1, pos + 20)
    newline = text.find("\n", pos - 1, pos + 20)
    found = [p for p in (space, newline) if p >= 0]
    return min(found) + 1 if found else pos


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = max(text.rfind(" ", pos - 20, pos), text.rfind("\n", pos - 20, pos))
    return space if space > 0 else pos


def boilerplate_leads(openings: Iterable[tuple[int, str]]) -> dict[int, int]:
    """For chapter openings ``(row, text)``: where each row's own text starts, past the
    lines at its top that are the book's boilerplate (an alert's title, then "General
    information, not medical advice...").

    Of the first :data:`OPENING_LINES` lines, a line is boilerplate when it opens at least
    :data:`BOILERPLATE_MIN` other chapters and :data:`BOILERPLATE_SHARE` of them all: the same
    line, or (three words or more) a run of three of its words. Rows whose first line is not
    boilerplate are left out."""
    tops: list[tuple[int, list[str], list[str], list[list[str]]]] = []
    lines_seen: Counter[str] = Counter()
    trigrams_seen: Counter[str] = Counter()
    for row, text in openings:
        lines = text.split("\n", OPENING_LINES)[:OPENING_LINES]
        lowered = [line.strip().casefold() for line in lines]
        runs = [_trigrams(line) for line in lowered]
        tops.append((row, lines, lowered, runs))
        lines_seen.update(set(lowered))
        trigrams_seen.update(set(itertools.chain.from_iterable(runs)))
    need = max(BOILERPLATE_MIN + 1, int(BOILERPLATE_SHARE * len(tops)))
    common = {t for t, count in trigrams_seen.items() if count >= need}

    leads: dict[int, int] = {}
    for row, lines, folded_lines, line_trigrams in tops:
        lead = 0
        for line, folded, trigrams in zip(lines, folded_lines, line_trigrams, strict=True):
            shared = lines_seen[folded] >= need or not common.isdisjoint(trigrams)
            if not folded or not shared:
                break
            lead += len(line) + 1
        if lead:
            leads[row] = lead
    return leads


def _trigrams(folded: str) -> list[str]:
    """The runs of three words of a line in lower case (``folded``), each as one string
    ("a b c"): a string keeps its hash, a tuple of three computes it at each look-up."""
    words = _TRIGRAM_WORDS.findall(folded)
    return list(map(" ".join, zip(words, words[1:], words[2:], strict=False)))
