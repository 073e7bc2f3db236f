"""What a reader types into the search field, turned into a safe FTS5 ``MATCH`` expression.

The language is small on purpose: words (all must match), ``"an exact phrase"``, ``-excluded``
words or phrases, ``OR`` between two terms, and, while typing, the last word matched as a
prefix. Everything else is literal text: ``C++``, ``don't``, ``a:b``, ``NEAR(``, ``AND``, ``*``,
an unbalanced quote. Each term reaches FTS5 as a quoted string (inner quotes doubled), so no
user text is ever read as FTS5 syntax; terms the tokenizer turns into nothing are dropped, and
an expression with no term left is never sent (``match_expression`` returns None).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

MAX_QUERY_CHARS = 1000  # longer text is cut: nobody types more, and it bounds the work
MAX_TERMS = 32

# Characters removed before parsing: control characters (NUL included) and the private-use
# characters the index uses to mark matches in snippets.
_DROP = {c: " " for c in range(0x20)} | {0x7F: " ", 0xE000: " ", 0xE001: " "}


@dataclass(frozen=True)
class Term:
    text: str  # as typed, without the surrounding quotes or the leading "-"
    phrase: bool = False  # written in quotes: the words must appear together, in order
    prefix: bool = False  # the word being typed: matched as the start of a word

    def as_typed(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True)
class Query:
    """A parsed query: every group must match (any term of a group), no excluded term may."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms a hit must contain (some of them, for ``OR`` groups), in typed order."""
        return tuple(term for group in self.groups for term in group)

    def as_text(self, replacements: dict[str, str] | None = None) -> str:
        """The query written back in its own language (with words replaced, for suggestions)."""
        swap = replacements or {}

        def show(term: Term) -> str:
            return term.as_typed() if term.phrase else swap.get(term.text, term.text)

        parts = [" OR ".join(show(t) for t in group) for group in self.groups]
        parts += ["-" + show(t) for t in self.excluded]
        return " ".join(parts)


def parse_query(text: str, *, typing: bool = False) -> Query:
    """Parse ``text``; with ``typing``, a last word not yet followed by a space is a prefix."""
    text = text[:MAX_QUERY_CHARS].translate(_DROP)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    pieces = _scan(text)
    for i, (negated, term, closed) in enumerate(pieces):
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
        is_or = term.text == "OR" and not term.phrase and not negated
        has_next = i + 1 < len(pieces) and not pieces[i + 1][0]
        if is_or and groups and has_next and not join_next:
            join_next = True
            continue
        # A word ending in a symbol (``Box<T>``, ``C++``) is complete: no prefix for it.
        being_typed = typing and i == len(pieces) - 1 and text[-1:].isalnum()
        if being_typed and not negated and (not term.phrase or not closed):
            term = replace(term, prefix=True)
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return Query(tuple(tuple(_unique(g)) for g in groups), tuple(_unique(excluded)))


def _scan(text: str) -> list[tuple[bool, Term, bool]]:
    """(negated, term, closed) for each piece of ``text``; ``closed`` is False for a phrase
    whose closing quote is still to be typed."""
    pieces: list[tuple[bool, Term, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            closed = end >= 0
            end = end if closed else n
            pieces.append((negated, Term(text[i + 1 : end], phrase=True), closed))
            i = end + 1
            continue
        end = i
        while end < n and not text[end].isspace():
            end += 1
        pieces.append((negated, Term(text[i:end]), True))
        i = end
    return pieces


def _unique(terms: Sequence[Term]) -> list[Term]:
    seen: set[Term] = set()
    out: list[Term] = []
    for term in terms:
        if term.text.strip() and term not in seen:
            seen.add(term)
            out.append(term)
    return out


def quote(text: str) -> str:
    """An FTS5 string: the tokenizer reads it as plain words, never as query syntax."""
    return '"' + text.replace('"', '""') + '"'


def has_word_characters(text: str) -> bool:
    """A stand-in for the tokenizer (letters, digits, private use); the index asks SQLite itself."""
    return any(
        unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co" for ch in text
    )


def match_expression(
    query: Query,
    *,
    has_tokens: Callable[[str], bool] = has_word_characters,
    expand_prefix: Callable[[str], Sequence[str]] | None = None,
) -> str | None:
    """The FTS5 expression for ``query``, or None when nothing searchable is left.

    ``has_tokens`` says whether the index's tokenizer finds any word in a term (a term it turns
    into nothing would match nothing and sink the whole query); ``expand_prefix`` lists whole
    words of the book that start with a prefix, so ``borrowi`` still finds "borrowing" although
    the index holds only the stem "borrow".
    """
    groups: list[str] = []
    for group in query.groups:
        alternatives = [_term(t, expand_prefix) for t in group if has_tokens(t.text)]
        if alternatives:
            groups.append(_any(alternatives))
    if not groups:
        return None
    expression = " AND ".join(groups)
    excluded = [_term(t, None) for t in query.excluded if has_tokens(t.text)]
    if excluded:
        expression = f"({expression}) NOT {_any(excluded)}"
    return expression


def _term(term: Term, expand_prefix: Callable[[str], Sequence[str]] | None) -> str:
    if not term.prefix:
        return quote(term.text)
    alternatives = [quote(term.text) + " *"]
    if expand_prefix is not None and not term.phrase:
        alternatives += [quote(word) for word in expand_prefix(term.text)]
    return _any(alternatives)


def _any(alternatives: Sequence[str]) -> str:
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def terms_for_highlight(query: str | Query) -> list[str]:
    """The words and phrases to highlight in a page opened from a search for ``query``."""
    parsed = parse_query(query) if isinstance(query, str) else query
    out: list[str] = []
    for term in parsed.terms:
        text = " ".join(term.text.split())
        if text and has_word_characters(text) and text not in out:
            out.append(text)
    return out
