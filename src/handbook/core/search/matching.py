"""Where a search's terms are in plain text: one pattern for the page's highlights and the
snippets of the results list, so both light the same words.

Matching is case-insensitive and blind to diacritics, like the search index ("cafe" lights
"Café"); words match by stem ("pains" lights "pain" and "painful"). A term written with symbols
(``Box<T>``, ``--dest-dir``, ``std::mem::swap``) lights the whole of it where it stands as
written, else its words in order; text of a spaceless script (日本語) lights wherever it is.
Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from handbook.core.search.query import SPACELESS

_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Endings dropped before matching a word as a prefix: "pains" lights "pain" and "painful".
_SUFFIXES = ("ingly", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def fold(text: str) -> str:
    """``text`` with diacritics removed, one character for one (so positions still match).
    Only the characters outside ASCII are looked at (English text has few)."""
    if text.isascii():
        return text
    table = {ord(ch): base for ch in set(_NON_ASCII.findall(text)) if (base := _base(ch)) != ch}
    return text.translate(table) if table else text  # typographic quotes, dashes: as they are


@functools.lru_cache(maxsize=4096)
def _base(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return ch


def stem(word: str) -> str:
    """A prefix shared by the forms of ``word`` ("pains" -> "pain", "borrowing" -> "borrow")."""
    if not word.isalpha() or len(word) < 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the search's terms, a named group ``t<i>`` per term (to tell which
    matched). Each word matches as the start of a word; a phrase's words in order with anything
    but letters between them; a term with symbols as written first (``Box<T>`` lights
    "Box<T>", not "Box<T"); spaceless scripts anywhere. Use it on :func:`fold`-ed text."""
    alternatives: list[str] = []
    for term in terms:
        folded = fold(term)
        choices: list[str] = []
        spaceless = SPACELESS.search(folded) is not None
        if spaceless or any(not (c.isalnum() or c.isspace()) for c in folded):
            literal = r"\s+".join(re.escape(part) for part in folded.split())
            bounded = folded[:1].isalnum() and not spaceless
            choices.append((r"(?<!\w)" if bounded else "") + literal)
        words = _WORD.findall(folded)
        if words and not spaceless:
            choices.append(r"(?<!\w)" + r"[\W_]+".join(_word_pattern(w) for w in words))
        if choices:
            alternatives.append("|".join(choices))
    if not alternatives:
        return None
    order = sorted(range(len(alternatives)), key=lambda i: -len(alternatives[i]))
    groups = [f"(?P<t{i}>{alternatives[i]})" for i in order]  # the longest wins where several
    return re.compile("|".join(groups), re.IGNORECASE)  # start


def match_prefixes(terms: Iterable[str]) -> tuple[str, ...] | None:
    """Lower-case text that every match of :func:`terms_pattern` for ``terms`` starts with
    (its first word's literal start); None unless all of it is ASCII. In plain text (see
    :func:`has_plain_case`) a match can start only where one of them stands."""
    prefixes: set[str] = set()
    for term in terms:
        folded = fold(term)
        parts = folded.split()
        if SPACELESS.search(folded) is not None:
            return None
        if parts and any(not (c.isalnum() or c.isspace()) for c in folded):
            prefixes.add(parts[0])
        words = _WORD.findall(folded)
        if words:
            word = words[0]
            prefixes.add(stem(word) if word.isalpha() and len(word) >= 3 else word)
    lowered = tuple(sorted({p.lower() for p in prefixes}))
    return lowered if lowered and all(p and p.isascii() for p in lowered) else None


def has_plain_case(text: str, lowered: str) -> bool:
    """``lowered`` (``text.lower()``) holds each character where ``text`` holds it, and no
    character of ``text`` matches an ASCII letter other than as its lower case does (ı and ſ
    match i and s when case is ignored): an ASCII prefix found in ``lowered`` is where
    ``text`` matches it, case ignored."""
    return len(lowered) == len(text) and "\u0131" not in text and "\u017f" not in text


def _word_pattern(word: str) -> str:
    if word.isalpha() and len(word) >= 3:
        return re.escape(stem(word)) + r"\w*"
    return re.escape(word) + r"(?:e?s)?(?!\w)"  # short words and numbers: whole, or plural
