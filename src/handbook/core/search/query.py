"""What a reader types into the search field, turned into a safe FTS5 ``MATCH`` expression.

The language is small on purpose: words (all must match), ``"an exact phrase"``, ``-excluded``
words or phrases, ``OR`` between two terms, and the last word matched as a prefix unless a
space follows it. A term is excluded only when it is a lone ``-`` followed by letters alone
(``hair -thinning``), or by a quoted phrase; ``--dest-dir``, ``-O3``, ``-x1`` are searched as
written, and so is a query made of exclusions alone. Everything else is literal text: ``C++``,
``don't``, ``Box<T>``, ``a:b``, ``NEAR(``, ``AND``, ``*``, an unbalanced quote.

Each term reaches FTS5 as a quoted string (inner quotes doubled), so no user text is ever read
as FTS5 syntax; terms the tokenizer turns into nothing are left to the literal search (see
:func:`needles`), and an expression with no term left is never sent (``match_expression``
returns None).

Scripts written without spaces between words (Chinese, Japanese, Korean, Thai...) are indexed
a second time as overlapping pairs of characters (:func:`bigrams`) in the ``cjk`` column, so
any run of two or more of their characters is found wherever it stands.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

MAX_QUERY_CHARS = 1000  # longer text is cut: nobody types more, and it bounds the work
MAX_TERMS = 32
BIGRAM_COLUMN = "cjk"

# Characters removed before parsing: control characters (NUL included) and the private-use
# characters the index uses to mark matches in snippets.
_DROP = {c: " " for c in range(0x20)} | {0x7F: " ", 0xE000: " ", 0xE001: " "}
_EXCLUDED_WORD = re.compile(r"-[^\W\d_]+")  # "-thinning": letters only after one dash
# Scripts that do not separate words with spaces: Thai, Lao, Myanmar, Khmer, Hangul, kana,
# Han (with its extensions and compatibility forms) and half-width kana.
SPACELESS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0002ffff]+"
)


@dataclass(frozen=True)
class Term:
    text: str  # as typed, without the surrounding quotes or the leading "-"
    phrase: bool = False  # written in quotes: the words must appear together, in order
    prefix: bool = False  # the word being typed: matched as the start of a word

    def as_typed(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text

    @property
    def is_code(self) -> bool:
        """Written with more than letters and digits (``Box<T>``, ``--dest-dir``, ``?``): it is
        also searched for exactly as written."""
        return not self.phrase and any(not (ch.isalnum() or ch == "_") for ch in self.text)


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
    if all(negated for negated, _, _ in pieces):  # nothing to exclude from: search as written
        pieces = [(False, _as_written(term), closed) for _, term, closed in pieces]
    for i, (negated, term, closed) in enumerate(pieces):
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
        is_or = term.text == "OR" and not term.phrase and not negated
        has_next = i + 1 < len(pieces) and not pieces[i + 1][0]
        if is_or and groups and has_next and not join_next:
            join_next = True
            continue
        # Code (``Box<T>``, ``&str``, ``C++``) is searched as written: no prefix for it.
        being_typed = typing and i == len(pieces) - 1 and text[-1:].isalnum()
        being_typed = being_typed and not term.is_code
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


def _as_written(term: Term) -> Term:
    return replace(term, text=f'-"{term.text}"' if term.phrase else "-" + term.text, phrase=False)


def _scan(text: str) -> list[tuple[bool, Term, bool]]:
    """(negated, term, closed) for each piece of ``text``; ``closed`` is False for a phrase
    whose closing quote is still to be typed."""
    pieces: list[tuple[bool, Term, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        end = i
        while end < n and not text[end].isspace():
            end += 1
        token = text[i:end]
        negated = token.startswith('-"') or _EXCLUDED_WORD.fullmatch(token) is not None
        start = i + 1 if negated else i
        if text[start] == '"':
            close = text.find('"', start + 1)
            closed = close >= 0
            close = close if closed else n
            pieces.append((negated, Term(text[start + 1 : close], phrase=True), closed))
            i = close + 1
            continue
        pieces.append((negated, Term(text[start:end]), True))
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


def has_spaceless(text: str) -> bool:
    return not text.isascii() and SPACELESS.search(text) is not None


def bigrams(text: str) -> str:
    """The runs of spaceless scripts in ``text`` as overlapping character pairs ("日本語" ->
    "日本 本語"), combining marks left out (the tokenizer splits words at them); a run of one
    character stays whole. What the ``cjk`` column holds, and how a query's run is written."""
    if text.isascii():  # most text of most books: no regex run over it
        return ""
    out: list[str] = []
    for run in SPACELESS.findall(text):
        chars = [ch for ch in run if unicodedata.category(ch) not in ("Mn", "Mc")]
        if len(chars) == 1:
            out.append(chars[0])
        out.extend(a + b for a, b in itertools.pairwise(chars))
    return " ".join(out)


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
    groups = [g for g in group_expressions(query, has_tokens, expand_prefix) if g is not None]
    if not groups:
        return None
    return with_exclusions(" AND ".join(groups), query, has_tokens)


def group_expressions(
    query: Query,
    has_tokens: Callable[[str], bool] = has_word_characters,
    expand_prefix: Callable[[str], Sequence[str]] | None = None,
) -> list[str | None]:
    """One expression per group of ``query`` (None for a group with nothing to search)."""
    out: list[str | None] = []
    for group in query.groups:
        alternatives = [
            e for e in (_term(t, has_tokens, expand_prefix) for t in group) if e is not None
        ]
        out.append(_any(alternatives) if alternatives else None)
    return out


def with_exclusions(expression: str, query: Query, has_tokens: Callable[[str], bool]) -> str:
    excluded = [e for e in (_term(t, has_tokens, None) for t in query.excluded) if e is not None]
    return f"({expression}) NOT {_any(excluded)}" if excluded else expression


def _term(
    term: Term,
    has_tokens: Callable[[str], bool],
    expand_prefix: Callable[[str], Sequence[str]] | None,
) -> str | None:
    if has_spaceless(term.text):
        return _spaceless_term(term, has_tokens)
    if not has_tokens(term.text):
        return None
    if not term.prefix:
        return quote(term.text)
    alternatives = [quote(term.text) + " *"]
    if expand_prefix is not None and not term.phrase:
        alternatives += [quote(word) for word in expand_prefix(term.text)]
    return _any(alternatives)


def _spaceless_term(term: Term, has_tokens: Callable[[str], bool]) -> str | None:
    """Runs of spaceless scripts as phrases of character pairs in the ``cjk`` column; the
    rest of the term as words (all of them required)."""
    parts: list[str] = []
    for run in SPACELESS.findall(term.text):
        pairs = bigrams(run)
        if pairs:
            single = " " not in pairs and len(pairs) == 1
            parts.append(f"{BIGRAM_COLUMN} : {quote(pairs)}" + (" *" if single else ""))
    rest = SPACELESS.sub(" ", term.text)
    if has_tokens(rest):
        parts.append(quote(rest) + (" *" if term.prefix else ""))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _any(alternatives: Sequence[str]) -> str:
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def needles(query: Query) -> list[str]:
    """Text to find exactly as written: each term written with symbols (``Box<T>``, ``?``),
    and the whole query when it holds one; what ranks the sections holding them first."""
    code = [t.text for t in query.terms if t.is_code]
    if not code:
        return []
    whole = " ".join(t.text for t in query.terms)
    return [whole, *code] if len(query.terms) > 1 else code


def terms_for_highlight(query: str | Query) -> list[str]:
    """The words, phrases and code to highlight in a page opened from a search for ``query``."""
    parsed = parse_query(query) if isinstance(query, str) else query
    out: list[str] = []
    for term in parsed.terms:
        text = " ".join(term.text.split())
        if text and text not in out:
            out.append(text)
    return out
