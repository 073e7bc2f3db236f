"""Full-text search over a book's sections: an SQLite FTS5 index, its cache, and ranking.

One row per section (see :mod:`handbook.core.search.sections`): title, breadcrumb and body,
tokenized
with ``porter unicode61 remove_diacritics 2`` so "pains" finds "pain" and "cafe" finds "café".
Hits are ranked by BM25 with the title weighted above the breadcrumb above the body, times a
small boost for chapter-level sections. User text reaches ``MATCH`` only through
:mod:`handbook.core.search.query`, as a bound parameter.

The index is cached in a folder given by the caller (see :class:`IndexCache`), keyed by the
book's content and the app's version; a cache that is stale, corrupt, foreign or unreadable is
discarded and rebuilt, never trusted. Without a writable folder the index lives in memory.
Nothing here imports Qt.
"""

from __future__ import annotations

import bisect
import contextlib
import html
import json
import math
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from handbook import __version__
from handbook.core.book.model import Book, BookError
from handbook.core.search.query import (
    BIGRAM_COLUMN,
    Query,
    bigrams,
    group_expressions,
    has_spaceless,
    needles,
    parse_query,
    quote,
    terms_for_highlight,
    with_exclusions,
)
from handbook.core.search.sections import (
    SEPARATOR,
    Progress,
    Section,
    chapter_trails,
    split_sections,
)
from handbook.core.search.snippets import boilerplate_leads, make_snippet

SCHEMA_VERSION = 6
CACHE_SUBFOLDER = "search"
APPLICATION_ID = 0x68626B73  # "hbks": marks our cache files apart from other SQLite files
TOKENIZE = "porter unicode61 remove_diacritics 2"
WORDS_TOKENIZE = "unicode61 remove_diacritics 2"  # whole words, for prefixes and suggestions
WEIGHTS = (10.0, 4.0, 1.0, 1.0)  # title, breadcrumb, body, spaceless scripts' pairs
DEPTH_BOOST = (1.3, 1.15, 1.0)  # a chapter's top section, its subsections...
DEEPER_BOOST = 0.9
# A section's rowid holds its depth (its low bits; the rest, its place in reading order), so
# that ranking has it without reading the section's row.
DEPTH_BITS = 2
_DEPTH = (
    f"(CASE f.rowid & {(1 << DEPTH_BITS) - 1} "
    + " ".join(f"WHEN {d} THEN {boost}" for d, boost in enumerate(DEPTH_BOOST))
    + f" ELSE {DEEPER_BOOST} END)"
)
TITLE_IS_QUERY_BOOST = 2.5  # a section's heading is exactly the query
EXACT_TITLE_BOOST = 2.0  # the query's text, as typed, inside a section's heading
EXACT_BREADCRUMB_BOOST = 1.3  # ... inside a parent's heading
PHRASE_BOOST = 1.5  # the query's words side by side, in order
DEFAULT_LIMIT = 30  # a page of hits; each costs a snippet (~20 µs)
PREFIX_EXPANSIONS = 12
# A query's first word in more sections' headings than this: their boosts bounded in SQL, not
# computed (see _Ranking); its words side by side in more sections: tested in SQL, not listed.
MAX_HEADINGS_BOOSTED = 2000
MAX_PHRASE_ROWS = 2000
MAX_BOOSTED_ROWS = 1500  # BM25 of these rows alone first (a row of them costs 6 of another)
BM25_K1 = 1.2  # FTS5's bm25() constant
_PHRASE = re.compile(r'"(?:[^"]|"")*"(?: \*)?')
_COLUMN_PHRASE = re.compile(r'(?:(\w+) : )?("(?:[^"]|"")*")( \*)?')
# What the page refuses to show (core.render's limit, not imported: markdown loads late) is
# not indexed either: its chapter is found by its title alone.
MAX_CHAPTER_BYTES = 5 * 1024 * 1024
BUILD_HASH_BYTES = 256 * 1024 * 1024
_MARK_START, _MARK_END = "\ue000", "\ue001"  # never in indexed text (see sections.py)
_SPACES = re.compile(r"\s+")
_PLAIN = re.compile("[ -~]*\n[ -~]*")
_STALE_TEMP_SECONDS = 3600
_DIGEST_AT = 60  # the SQLite header's user_version field: a cache file's digest (see _save)
_HEADER_BYTES = 100

ReadSource = Callable[[Book, str], str]

try:  # BLAKE2 from CPython's built-in module: hashlib would load OpenSSL too (2 ms at start-up)
    from _blake2 import blake2b as _blake2b  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b as _blake2b


@dataclass(frozen=True)
class SearchHit:
    id: str  # section id: chapter-path#anchor
    chapter: str
    anchor: str | None
    title: str
    breadcrumb: str
    snippet: str  # HTML: escaped text, matched words in <b>...</b>
    score: float  # higher is better
    terms: tuple[str, ...] = ()  # what to highlight in the page (see PageHighlighter)
    partial: bool = False  # holds some of the query's words, not all (no section had all)


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[SearchHit, ...]
    total: int  # all matching sections, of which ``hits`` are the best
    terms: tuple[str, ...] = ()
    suggestion: str | None = None  # "did you mean", when nothing matched
    partial: bool = False  # no section holds every word: these hold the most of them


@dataclass(frozen=True)
class RankedPage:
    """A query's best sections in one index, ranked but not yet made hits (no snippet made):
    what a search across several books merges before it makes the hits it shows."""

    query: str
    rows: tuple[tuple[float, int], ...]  # (score, row), best first
    total: int  # all matching sections
    terms: tuple[str, ...] = ()
    partial: bool = False


class IndexOrigin(str, Enum):
    CACHE = "loaded from the cache"
    BUILT = "built and cached"
    MEMORY = "built in memory"  # no usable cache folder


@dataclass(frozen=True)
class SearchOptions:
    """How a search is asked for: the same for the window and ``handbook search``."""

    limit: int = DEFAULT_LIMIT  # hits to return; 0: all of them
    offset: int = 0  # skip the best ``offset`` hits (the window's list asks page by page)
    prefix_last: bool = True  # the last word, unless a space follows it, is a prefix


DEFAULT_OPTIONS = SearchOptions()


class SearchCancelled(Exception):
    """A search stopped by :meth:`SearchIndex.interrupt` (a newer query came)."""


class SearchIndex:
    """An FTS5 index over one book's sections, held in memory; safe to query from any thread
    (one query at a time; :meth:`interrupt` stops the running one from another thread)."""

    def __init__(self, connection: sqlite3.Connection, origin: IndexOrigin) -> None:
        self._db = connection
        self._lock = threading.Lock()
        self.origin = origin
        self.discarded: str | None = None  # why a cache file was not used, if one was there
        self._token_cache: dict[str, tuple[str, ...]] = {}
        self._vocabulary: list[str] | None = None
        self._vocabulary_set: frozenset[str] = frozenset()
        self._headings: _Headings | None = None
        self._probe_db: sqlite3.Connection | None = None
        self._cancelled = threading.Event()
        self.closed = False

    @classmethod
    def build(cls, sections: Iterable[Section], content_key: str = "") -> SearchIndex:
        """An index of ``sections`` in one go (see :class:`IndexBuilder` for one in steps)."""
        with IndexBuilder(content_key) as builder:
            builder.add(sections)
            builder.merge()
            return builder.finish()

    def warm_up(self) -> None:
        """Load what the first query and "did you mean" need, so that no keystroke pays."""
        with self._lock:
            self._words()
            self._all_headings()

    @property
    def section_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM section").fetchone()[0])

    def close(self) -> None:
        self.closed = True
        self._cancelled.set()
        with contextlib.suppress(sqlite3.ProgrammingError):  # closed already
            self._db.interrupt()
        with self._lock:
            self._db.close()
            if self._probe_db is not None:
                self._probe_db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def interrupt(self) -> None:
        """Stop the query running now, if any (it raises :class:`SearchCancelled`); from any
        thread. The next query runs as usual."""
        self._cancelled.set()
        with contextlib.suppress(sqlite3.ProgrammingError):  # closed meanwhile
            self._db.interrupt()

    def search(self, text: str, options: SearchOptions = DEFAULT_OPTIONS) -> SearchResults:
        """The sections for ``text``, best first; never raises on any text a user can type
        (only :class:`SearchCancelled`, after :meth:`interrupt`).

        Every word is required; where no section has them all, the sections with the most are
        returned, marked ``partial``. Text written with symbols (``Box<T>``, ``?``) ranks the
        sections holding it as written first."""
        query = parse_query(text, typing=options.prefix_last)
        terms = tuple(terms_for_highlight(query))
        with self._lock:
            self._cancelled.clear()
            try:
                page, total, partial = self._page(query, text, options)
                hits = self._hits(page, terms, partial)
                suggestion = self._suggest(query) if not total or partial else None
            except sqlite3.OperationalError as exc:
                if self._cancelled.is_set():
                    raise SearchCancelled from exc
                raise
        return SearchResults(text, hits, total, terms, suggestion, partial)

    def rank(self, text: str, options: SearchOptions = DEFAULT_OPTIONS) -> RankedPage:
        """:meth:`search`'s first half: the page of sections, ranked, without their snippets
        (make them with :meth:`hits` for the rows kept), and no suggestion."""
        query = parse_query(text, typing=options.prefix_last)
        terms = tuple(terms_for_highlight(query))
        with self._lock:
            self._cancelled.clear()
            try:
                page, total, partial = self._page(query, text, options)
            except sqlite3.OperationalError as exc:
                if self._cancelled.is_set():
                    raise SearchCancelled from exc
                raise
        return RankedPage(text, tuple(page), total, terms, partial)

    def hits(self, ranked: RankedPage, rows: Sequence[tuple[float, int]]) -> tuple[SearchHit, ...]:
        """:meth:`search`'s second half: ``rows`` of ``ranked`` made hits (title, breadcrumb,
        snippet), in their order; a row gone since (the index updated) is left out."""
        with self._lock:
            self._cancelled.clear()
            try:
                return self._hits(rows, ranked.terms, ranked.partial)
            except sqlite3.OperationalError as exc:
                if self._cancelled.is_set():
                    raise SearchCancelled from exc
                raise

    def suggest(self, text: str) -> str | None:
        """A query close to ``text`` (each unknown word replaced by the nearest word in the book)
        that has hits, or None."""
        with self._lock:
            return self._suggest(parse_query(text))

    def update_chapters(
        self, sections: Mapping[str, Iterable[Section]], content_key: str = ""
    ) -> None:
        """Replace the rows of the chapters in ``sections`` by their new sections (none: the
        chapter is gone); every other chapter's rows are left as they are. ``content_key`` is
        the book's new key (see :func:`content_key`), so that a cache saved after stays valid.
        """
        with self._lock, self._db:
            for chapter, chapter_sections in sections.items():
                _replace_chapter(self._db, chapter, chapter_sections)
            count = self._db.execute("SELECT count(*) FROM section").fetchone()[0]
            self._db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                [("content_key", content_key), ("sections", str(count))],
            )
            self._token_cache.clear()
            self._vocabulary = None
            self._vocabulary_set = frozenset()
            self._headings = None

    # --- inside the lock -------------------------------------------------------------------

    def _check(self) -> None:
        if self._cancelled.is_set():
            raise SearchCancelled

    def _page(
        self, query: Query, text: str, options: SearchOptions
    ) -> tuple[list[tuple[float, int]], int, bool]:
        """The page of (score, rowid) asked for, best first; how many match in all; whether
        they are partial matches (no section holds every word)."""
        groups = [
            g for g in group_expressions(query, self._has_tokens, self._expand) if g is not None
        ]
        wanted = needles(query)
        if not groups:
            return (*self._literal_only(wanted, options), False) if wanted else ([], 0, False)
        ranking = _Ranking(self, query, text, wanted, groups)
        expression = with_exclusions(" AND ".join(groups), query, self._has_tokens)
        page, total = ranking.page(expression, (), options)
        if total or len(groups) < 2:
            return page, total, False
        self._check()
        any_group = with_exclusions(" OR ".join(groups), query, self._has_tokens)
        partial = tuple(with_exclusions(g, query, self._has_tokens) for g in groups)
        page, total = ranking.page(any_group, partial, options)
        return page, total, total > 0

    def _literal_only(
        self, wanted: Sequence[str], options: SearchOptions
    ) -> tuple[list[tuple[float, int]], int]:
        """A query with no word in it (``?``, ``->``, ``&&``): the sections holding it as
        written, those with it in their heading first, then in reading order."""
        needle = _ascii_lower(wanted[0])
        text = "lower(f.title || char(10) || f.body)" if needle != needle.upper() else "f.body"
        rows = self._db.execute(  # symbols have no case: no lower() for them
            "SELECT f.rowid, (CASE WHEN instr(lower(f.title), :n) > 0 THEN 2.0 ELSE 1.0 END) "
            f"* (CASE WHEN s.depth = 0 THEN {DEPTH_BOOST[0]} ELSE 1.0 END) AS score "
            "FROM fts f JOIN section s ON s.rowid = f.rowid "
            f"WHERE instr({text}, :n) > 0 OR instr(lower(f.title), :n) > 0 "
            "ORDER BY score DESC, f.rowid",
            {"n": needle},
        ).fetchall()
        end = None if options.limit <= 0 else options.offset + options.limit
        page = rows[max(options.offset, 0) : end]
        return [(score, rowid) for rowid, score in page], len(rows)

    def _phrase(self, query: Query) -> str | None:
        """The query's words side by side, in order ("cargo new"), when it has several."""
        words = [g[0] for g in query.groups if len(g) == 1 and not g[0].phrase]
        if len(words) < 2 or len(words) != len(query.groups):
            return None
        words = [w for w in words if self._has_tokens(w.text) and not has_spaceless(w.text)]
        if len(words) < 2:
            return None
        return quote(" ".join(w.text for w in words)) + (" *" if words[-1].prefix else "")

    def _hits(
        self, page: Sequence[tuple[float, int]], terms: tuple[str, ...], partial: bool
    ) -> tuple[SearchHit, ...]:
        if not page:
            return ()
        rows = {
            row[0]: row[1:]
            for row in self._db.execute(
                "SELECT s.rowid, s.sid, s.chapter, s.anchor, s.title, s.breadcrumb, s.lead, f.body "
                "FROM section s JOIN fts f ON f.rowid = s.rowid "
                "WHERE s.rowid IN (SELECT value FROM json_each(?))",
                (json.dumps([rowid for _, rowid in page]),),
            )
        }
        hits = []
        for score, rowid in page:
            self._check()
            if rowid not in rows:
                continue  # gone since it was ranked (see hits())
            sid, chapter, anchor, title, breadcrumb, lead, body = rows[rowid]
            hits.append(
                SearchHit(
                    id=sid,
                    chapter=chapter,
                    anchor=anchor,
                    title=title,
                    breadcrumb=breadcrumb,
                    snippet=make_snippet(body, terms, lead),
                    score=score,
                    terms=terms,
                    partial=partial,
                )
            )
        return tuple(hits)

    def _has_tokens(self, text: str) -> bool:
        """Whether the index's own tokenizer finds a word in ``text`` (asked, not guessed)."""
        return bool(self._tokens(text))

    def _tokens(self, text: str) -> tuple[str, ...]:
        """The words the index's tokenizer finds in ``text``, in order (whole, not stemmed)."""
        known = self._token_cache.get(text)
        if known is None:
            probe = self._probe()
            probe.execute("DELETE FROM probe")
            probe.execute("INSERT INTO probe(text) VALUES (?)", (text,))
            known = tuple(
                term for (term,) in probe.execute("SELECT term FROM probe_vocab ORDER BY offset")
            )
            if len(self._token_cache) > 4096:
                self._token_cache.clear()
            self._token_cache[text] = known
        return known

    def _expand(self, prefix: str) -> list[str]:
        """Whole words of the book starting with ``prefix``, the most widespread first."""
        low = fold(prefix)
        if not low:
            return []
        rows = self._db.execute(
            "SELECT term FROM words_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC LIMIT ?",
            (low, low + "\U0010ffff", PREFIX_EXPANSIONS),
        ).fetchall()
        return [term for (term,) in rows if term != low]

    def _suggest(self, query: Query) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        vocabulary = self._words()
        replacements: dict[str, str] = {}
        for term in query.terms:
            word = fold(term.text)
            if term.phrase or not word or word in self._vocabulary_set:
                continue
            if term.prefix and self._expand(word):
                continue
            cutoff = 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3
            best = process.extractOne(
                word, vocabulary, scorer=Levenshtein.distance, score_cutoff=cutoff
            )
            if best is not None:
                replacements[term.text] = best[0]
        if not replacements:
            return None
        suggestion = query.as_text(replacements)
        _, total, partial = self._page(parse_query(suggestion), suggestion, SearchOptions(limit=1))
        return suggestion if total and not partial else None

    def _probe(self) -> sqlite3.Connection:
        """A connection of its own for the tokenizer probe, never interrupted: an FTS5 row
        written and not committed leaves a connection refusing every statement once
        interrupted (see :class:`_Headings`)."""
        if self._probe_db is None:
            self._probe_db = sqlite3.connect(":memory:", check_same_thread=False)
            self._probe_db.executescript(
                f"""
                CREATE VIRTUAL TABLE probe USING fts5(text, tokenize = '{WORDS_TOKENIZE}');
                CREATE VIRTUAL TABLE probe_vocab USING fts5vocab(probe, instance);
                """
            )
        return self._probe_db

    def _all_headings(self) -> _Headings:
        if self._headings is None:
            self._headings = _Headings(self._db)
        return self._headings

    def _words(self) -> list[str]:
        if self._vocabulary is None:
            rows = self._db.execute("SELECT term FROM words_vocab ORDER BY doc DESC, term")
            self._vocabulary = [term for (term,) in rows]
            self._vocabulary_set = frozenset(self._vocabulary)
        return self._vocabulary


def _window(options: SearchOptions) -> dict[str, int]:
    return {"limit": options.limit if options.limit > 0 else -1, "offset": max(options.offset, 0)}


def _each_word(groups: Iterable[str], tokens: Callable[[str], Sequence[str]]) -> str:
    """An FTS5 expression matching text that holds any word of the phrases in ``groups``
    (the last one of a prefix phrase as a prefix), but those of the spaceless scripts' column
    (never in a breadcrumb); "" when there is none."""
    words: dict[str, None] = {}
    for group in groups:
        for column, phrase, prefix in _COLUMN_PHRASE.findall(group):
            if column:
                continue
            found = tokens(phrase[1:-1].replace('""', '"'))
            for i, token in enumerate(found):
                star = " *" if prefix and i == len(found) - 1 else ""
                words[quote(token) + star] = None
    return " OR ".join(words)


class _Headings:
    """Every section's title and breadcrumb, held in memory (read once per index).

    The sections whose headings hold a query's first word are found by ``str.find`` over all
    the headings at once, and their boost for the query computed here, not tested for every
    matching row in SQL (a word in 12,000 sections' text is in 470 of their headings).

    The breadcrumbs less their sections' own titles (the parents' headings) are in the table
    ``temp.crumbs``: a query none of whose words is in them matches no section through its
    breadcrumb alone (see :meth:`_Ranking.page`)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        rows = db.execute("SELECT rowid, title, breadcrumb FROM section ORDER BY rowid").fetchall()
        self._rowids = [row[0] for row in rows]
        self._titles = [(row[1], row[2]) for row in rows]
        self._starts: list[int] = []
        searched = []  # each row's headings; the breadcrumb alone where it holds the title
        parents = set()
        at = 0
        for _, title, breadcrumb in rows:
            self._starts.append(at)
            lower, crumbs = title.lower(), breadcrumb.lower()  # as section.headings
            headings = crumbs if lower in crumbs else f"{lower}\n{crumbs}"  # "first in" alike
            searched.append(headings)
            at += len(headings) + 1
            parent, separator, last = breadcrumb.rpartition(SEPARATOR)
            parents.add(parent if separator and last == title else breadcrumb)
        self._text = "\0".join(searched)  # no query holds NUL (see query._DROP)
        self.row_count = len(rows)
        db.execute("DELETE FROM temp.crumbs")  # one row: whether any holds a word
        db.execute("INSERT INTO temp.crumbs(text) VALUES (?)", ("\n".join(parents),))
        # Committed at once: FTS5 rows written and not yet committed leave the connection
        # refusing every statement after an interrupt (SearchIndex.interrupt), commit too.
        db.commit()

    def boosts(self, literal: re.Pattern[str], first: str, most: int) -> dict[int, float] | None:
        """{rowid: boost} of the sections whose headings hold ``first`` (in lower case, as
        ``section.headings``) and whose boost for ``literal`` is not 1 (see
        :func:`_literal_boost`); None when more than ``most`` sections hold it."""
        text, starts, found = self._text, self._starts, []
        at = text.find(first)
        while at >= 0:
            i = bisect.bisect_right(starts, at) - 1
            found.append(i)
            if len(found) > most:
                return None
            at = text.find(first, starts[i + 1]) if i + 1 < len(starts) else -1
        boosts = {}
        for i in found:
            if (boost := _literal_boost(literal, *self._titles[i])) != 1.0:
                boosts[self._rowids[i]] = boost
        return boosts


class _Ranking:
    """Ranks every matching section and returns only the page asked for.

    The order: for partial matches, the most groups matched; then the most of the query's
    code held as written (``Box<T>``, ``cargo build --release``); then sections whose own text
    (title or body) matches before those matching through their breadcrumb alone; then BM25
    (title above breadcrumb above body) times a boost for chapter-level sections, for the
    query's words side by side, and for headings that hold the query's text as typed.

    One SQL statement computes, for every matching section, what SQLite can without reading
    its text or its row of ``section``: BM25, the depth boost (the rowid's low bits), the
    groups, the breadcrumb tier, for each piece of code only whether its words are there (an
    upper bound of "held as written"), and the boosts of the headings and of the words side
    by side, from a small table of the rows that have them (``temp.factor``; see
    :class:`_Headings`). It sorts them by that. Only the sections at the head of that order
    are then read (their text for the code, in small batches), until no section further down
    can rank above the last one of the page: the page is the one the full order gives, for a
    fraction of the work. Where the query's first word stands in the headings of too many
    sections, each row's section is read in SQL for a bound of its headings' boost, and the
    head's headings are read after. Where enough sections hold the query in their title,
    BM25 is first computed for the boosted rows alone (see :meth:`_boosted_page`)."""

    def __init__(
        self,
        index: SearchIndex,
        query: Query,
        text: str,
        wanted: Sequence[str],
        groups: Sequence[str] = (),
    ) -> None:
        self._db = index._db
        self._sections = index._all_headings()
        self._words_anywhere = _each_word(groups, index._tokens)
        self._groups = frozenset(groups)  # each required of every row (unless partial)
        self._params: dict[str, object] = {}
        self._flags: list[str] = []  # tests of each matching row, made once (see page())
        self._literal = _literal_pattern(text)
        # {rowid: headings' boost} for the rows that have one; None: bounded in SQL.
        self._boosts: dict[int, float] | None = {}
        self._bound = "1.0"  # SQL: the most the headings' boost can give a row
        if self._literal is not None:
            words = text.replace('"', " ").split()
            self._params["first"] = words[0].lower()
            self._boosts = self._sections.boosts(
                self._literal, words[0].lower(), MAX_HEADINGS_BOOSTED
            )
            if self._boosts is None:
                self._bound = self._headings_bound(words)
        phrase = index._phrase(query)
        self._phrase = "1.0"  # SQL: the boost of the words side by side
        held = "0"  # SQL: whether the row holds the phrase
        phrase_rows: list[tuple[int]] | None = None
        if phrase is not None:
            self._params["phrase"] = phrase
            if self._boosts is not None:
                phrase_rows = self._db.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH :phrase LIMIT :most",
                    {"phrase": phrase, "most": MAX_PHRASE_ROWS + 1},
                ).fetchall()
            if phrase_rows is None or len(phrase_rows) > MAX_PHRASE_ROWS:
                phrase_rows = None
                self._flags.append(
                    "f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH :phrase) AS ph"
                )
                self._phrase = f"(CASE WHEN h.ph THEN {PHRASE_BOOST} ELSE 1.0 END)"
                held = "h.ph"
        self._factors = self._fill_factors(phrase_rows or [])
        if phrase_rows and self._factors:
            self._phrase = "coalesce(x.p, 1.0)"
            held = f"(coalesce(x.p, 1.0) = {PHRASE_BOOST})"
        self._words = 0  # code with words: whether its words are there, its bound
        self._word_flags: list[tuple[str, str]] = []  # (its words as FTS5 text, the test)
        self._reads: list[str] = []  # ... and whether it is there as written, read after
        exact = []  # code without words: read for every row in SQL
        for i, needle in enumerate(wanted):
            self._params[f"n{i}"] = _ascii_lower(needle)
            if index._has_tokens(needle):
                self._params[f"np{i}"] = quote(needle)
                test = (  # the query's phrase (cargo build --release): tested once
                    held if quote(needle) == phrase else f"h.w{i}"
                )
                self._word_flags.append((quote(needle), test))
                self._reads.append(f"instr(lower(title || char(10) || body), :n{i}) > 0")
                self._words += 1
            else:
                self._flags.append(
                    f"instr(lower(f.title || char(10) || f.body), :n{i}) > 0 AS x{i}"
                )
                exact.append(f"h.x{i}")
        self._exact = " + ".join(exact) or "0"

    def _through_parents(self) -> bool:
        """Whether some section might match through its parents' headings alone: not when
        none of the query's words is in them (see :class:`_Headings`)."""
        if not self._words_anywhere:
            return False
        found = self._db.execute(
            "SELECT 1 FROM temp.crumbs WHERE crumbs MATCH ? LIMIT 1", (self._words_anywhere,)
        ).fetchone()
        return found is not None

    def _fill_factors(self, phrase_rows: Sequence[tuple[int]]) -> bool:
        """``temp.factor``: the rows with a boost of their headings or of the query's words
        side by side; whether there is any (False too when the headings are bounded in SQL)."""
        self._phrased = 0
        if self._boosts is None:
            return False
        self._db.execute("DELETE FROM temp.factor")
        if not phrase_rows and not self._boosts:
            return False
        phrased = {rowid for (rowid,) in phrase_rows}
        self._phrased = len(phrased)
        self._db.executemany(
            "INSERT INTO temp.factor(rowid, p, hb) VALUES (?, ?, ?)",
            (
                (rowid, PHRASE_BOOST if rowid in phrased else 1.0, self._boosts.get(rowid, 1.0))
                for rowid in phrased | self._boosts.keys()
            ),
        )
        return True

    def _headings_bound(self, words: Sequence[str]) -> str:
        """SQL: the most the headings' boost can give a row (see :func:`_literal_boost`).

        The boost needs the query's words, side by side, in the title (2.0; 2.5 if the title
        is that and an "s" at most: no more characters, spaces aside) or else in the
        breadcrumb (1.3). Where the query and the row's headings are plain (printable ASCII,
        single spaces: ``section.plain``), where the lower-case query stands in them says
        which can be."""
        self._params["most"] = sum(len(word) for word in words) + 2
        title = (
            f"(CASE WHEN s.title_chars <= :most THEN {TITLE_IS_QUERY_BOOST} "
            f"ELSE {EXACT_TITLE_BOOST} END)"
        )
        joined = " ".join(words).lower()
        if not joined.isascii():
            return f"(CASE WHEN instr(s.headings, :first) = 0 THEN 1.0 ELSE {title} END)"
        self._params["joined"] = joined
        return (
            "(CASE WHEN instr(s.headings, :first) = 0 THEN 1.0 "
            f"WHEN NOT s.plain THEN {title} "
            "WHEN instr(s.headings, :joined) = 0 THEN 1.0 "
            f"WHEN instr(s.headings, :joined) <= length(s.title) THEN {title} "
            f"ELSE {EXACT_BREADCRUMB_BOOST} END)"
        )

    def page(
        self, expression: str, partial: Sequence[str], options: SearchOptions
    ) -> tuple[list[tuple[float, int]], int]:
        params = {**self._params, "expr": expression}
        count = "SELECT count(*) FROM fts WHERE fts MATCH ?"
        total = int(self._db.execute(count, (expression,)).fetchone()[0])
        if not total:
            return [], 0
        flags = list(self._flags)
        words = []
        for text, test in self._word_flags:
            if not partial and text in self._groups:  # a term of the query itself:
                words.append("1")  # every row has its words
            else:
                words.append(test)
                if test.startswith("h.w"):
                    n = test[3:]
                    flags.append(
                        f"f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH :np{n}) AS w{n}"
                    )
        for i, group in enumerate(partial):
            params[f"g{i}"] = group
            flags.append(f"f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH :g{i}) AS g{i}")
        groups = " + ".join(f"h.g{i}" for i in range(len(partial))) or "0"
        own = "0"  # all rows alike: the sections' own text, or (partial) not asked
        if not partial:
            params["own"] = f"{{title body {BIGRAM_COLUMN}}} : ({expression})"
            if self._through_parents() and (
                self._db.execute(count, (params["own"],)).fetchone()[0] != total
            ):
                flags.append("f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH :own) AS own")
                own = "h.own"
        code = " + ".join([self._exact, *words])
        constant = code == "0" + " + 1" * len(words)  # no code tier: every row alike
        tiers = {3: groups, 4: "0" if constant else code, 5: own}  # their columns
        order = "".join(f"{n} DESC, " for n, tier in tiers.items() if tier != "0")
        # One pass over the matching rows: BM25 (asked again, FTS5 answers from its cache
        # of the row), the flags; each tier sorted by its column, computed once.
        bm = "bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ")"
        named = {name: test for test, name in (flag.rsplit(" AS ", 1) for flag in flags)}
        columns = "".join(f", {w}" for w in words)
        low = f"-h.bm * {_DEPTH} * {self._phrase}"  # every boost but the headings'
        if self._boosts is not None:  # ... and theirs: the full score
            if self._factors:
                low = f"{low} * coalesce(x.hb, 1.0)"
            factor = "LEFT JOIN temp.factor x ON x.rowid = f.rowid " if self._factors else ""
            sql = (
                f"SELECT {total}, f.rowid, {groups}, {code}, {own}, {low}, {low}{columns} "
                f"FROM fts f {factor}WHERE fts MATCH :expr "
                f"ORDER BY {order}7 DESC, f.rowid LIMIT :cap"
            )
        else:  # the headings' boost bounded from the section's row, read after for the head
            sql = (
                f"SELECT {total}, f.rowid, {groups}, {code}, {own}, "
                f"{low}, ({low}) * {self._bound}{columns} "
                "FROM fts f CROSS JOIN section s ON s.rowid = f.rowid "  # f first: BM25
                f"WHERE fts MATCH :expr ORDER BY {order}7 DESC, f.rowid LIMIT :cap"
            )
        sql = re.sub(r"\bh\.(\w+)", lambda m: bm if m[1] == "bm" else f"({named[m[1]]})", sql)
        wanted = options.offset + options.limit if options.limit > 0 else 0
        if wanted and not partial and constant and own == "0":
            found = self._boosted_page(expression, wanted)  # no tier: scores alone
            if found is not None:
                return found[max(options.offset, 0) : wanted], total
        head = None
        caps: tuple[int, ...] = (2 * wanted + 64, 16 * wanted + 1024) if wanted else ()
        for cap in caps:  # the head of the order by the rows' bounds: enough, nearly always
            rows = self._db.execute(sql, {**params, "cap": cap}).fetchall()
            head = self._head(rows, wanted, complete=len(rows) < cap)
            if head is not None:
                break
        if head is None:
            rows = self._db.execute(sql, {**params, "cap": -1}).fetchall()
            head = self._head(rows, wanted or len(rows), complete=True)
        assert head is not None
        end = None if options.limit <= 0 else options.offset + options.limit
        page = head[max(options.offset, 0) : end]
        return [(score, -negated) for *_, score, negated in page], total

    def _boosted_page(self, expression: str, wanted: int) -> list[tuple[float, int]] | None:
        """The best ``wanted`` rows, best first, when they are all rows with a boost of their
        headings or of the query's words side by side (``temp.factor``): BM25 computed for
        those rows alone, and it is sure that no other row scores as high; else None.

        A row's BM25 is a sum over the query's phrases of idf × f(k1 + 1) / (f + K), each
        term below idf × (k1 + 1) whatever the row: a row without a boost scores less than
        (k1 + 1) × the sum of the idfs × the largest depth boost. (A word in a third of the
        rows has an idf near 0.7; in more than half, 1e-6.)"""
        if not self._factors or "h.ph" in self._phrase or f"{BIGRAM_COLUMN} :" in expression:
            return None
        boosts = self._boosts or {}
        if len(boosts) + self._phrased > MAX_BOOSTED_ROWS:
            return None
        if sum(1 for boost in boosts.values() if boost >= EXACT_TITLE_BOOST) < wanted:
            return None  # the words side by side rarely outrank every row without them
        bm = "bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ")"
        depth = _DEPTH.replace("f.rowid", "fts.rowid")
        rows = self._db.execute(
            f"SELECT -{bm} * {depth} * x.p * x.hb, fts.rowid "
            "FROM fts CROSS JOIN temp.factor x ON x.rowid = fts.rowid "
            "WHERE fts MATCH :expr",  # each match looked up, BM25 for the few found
            {"expr": expression},
        ).fetchall()
        if len(rows) < wanted:
            return None
        scored = sorted(((score, -rowid) for score, rowid in rows), reverse=True)
        if scored[wanted - 1][0] <= self._others_bound(expression):
            return None
        return [(score, -negated) for score, negated in scored[:wanted]]

    def _others_bound(self, expression: str) -> float:
        """More than any row without a boost can score for ``expression`` (see
        :meth:`_boosted_page`): FTS5's idf of each phrase, from how many rows hold it."""
        rows = self._sections.row_count
        words = expression.split(") NOT ")[0]  # an excluded phrase adds nothing to a hit
        idf = 0.0
        for phrase in _PHRASE.findall(words):
            held = self._db.execute(
                "SELECT count(*) FROM fts WHERE fts MATCH ?", (phrase,)
            ).fetchone()[0]
            idf += max(math.log((rows - held + 0.5) / (held + 0.5)), 0.0) or 1e-6
        return (BM25_K1 + 1.0) * idf * max(DEPTH_BOOST) * (1 + 1e-6)

    def _head(
        self, rows: Sequence[Any], wanted: int, complete: bool
    ) -> list[tuple[int, int, int, float, int]] | None:
        """The first ``wanted`` rows in the full order: (groups, code held, own, score,
        -rowid) sorted best first, from ``rows`` (in the order of their bounds, the best
        ``complete``ly or only the head of them) read in batches only as far as a row further
        down could still rank among them; None if ``rows`` stop before that is sure."""
        seen: list[tuple[int, int, int, float, int]] = []
        step, at = max(wanted, 16), 0
        while at < len(rows):
            batch = rows[at : at + step]
            at += len(batch)
            seen += self._exact_keys(batch)
            seen.sort(reverse=True)
            del seen[wanted:]
            last = batch[-1]  # every later row's bound is below this one's (rowid last)
            if len(seen) >= wanted and seen[-1] >= (last[2], last[3], last[4], last[6], -last[1]):
                return seen
            step = 64
        return seen if complete else None

    def _exact_keys(self, rows: Sequence[Any]) -> list[tuple[int, int, int, float, int]]:
        """(groups, code held, own, score, -rowid) of ``rows``: their code and (if only
        bounded) headings read."""
        ids = json.dumps([row[1] for row in rows])
        held: dict[int, list[int]] = {}
        if self._reads:
            for rowid, *found in self._db.execute(
                "SELECT rowid, " + ", ".join(self._reads) + " FROM fts "
                "WHERE rowid IN (SELECT value FROM json_each(:ids))",
                {**self._params, "ids": ids},
            ):
                held[rowid] = found
        boosts: dict[int, float] = {}
        literal = self._literal
        if literal is not None and self._boosts is None:
            for rowid, title, breadcrumb in self._db.execute(
                "SELECT rowid, title, breadcrumb FROM section WHERE rowid IN "
                "(SELECT value FROM json_each(:ids)) AND instr(headings, :first) > 0",
                {"ids": ids, "first": self._params["first"]},
            ):
                boosts[rowid] = _literal_boost(literal, title, breadcrumb)
        keys = []
        for _total, rowid, groups, code, own, low, _bound, *words in rows:
            found = held.get(rowid, ())
            held_too = sum(1 for w, f in zip(words, found, strict=False) if w and f)
            code = int(code) - int(sum(words)) + held_too  # the bound less the unheld
            keys.append((groups, code, own, low * boosts.get(rowid, 1.0), -rowid))
        return keys


class IndexBuilder:
    """An index built a chapter at a time: ``add`` sections, ``merge``, then ``finish``.

    Use it in a ``with`` block: a build abandoned before ``finish`` (an error, a cancelled
    :meth:`IndexCache.open_steps`) closes its database there."""

    def __init__(self, content_key: str = "") -> None:
        self._key = content_key
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._finished = False
        self._rowid = 0
        _create_schema(self._db)

    def __enter__(self) -> IndexBuilder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the build, unless ``finish`` made it an index (which the index closes)."""
        if not self._finished:
            self._db.close()

    def add(self, sections: Iterable[Section]) -> None:
        """Add ``sections`` (in the transaction that :meth:`merge` commits: one commit, not one
        per chapter, keeps FTS5 from writing a segment per chapter)."""
        rows = _insert_sections(self._db, sections, self._rowid)
        if rows:
            self._rowid = rows[-1][0]

    def merge(self) -> None:
        """The whole-word vocabulary and the boilerplate found. (FTS5's 'optimize' is not run:
        its automatic merges during the one transaction leave about as few segments, and it
        cost 100 ms of a 5,000-chapter build for queries no faster.)"""
        db = self._db
        with db:
            db.execute("INSERT INTO words(rowid, text) SELECT rowid, title || ' ' || body FROM fts")
            _set_leads(db, reset=False)  # every row's lead is 0: just inserted

    def finish(self) -> SearchIndex:
        """The index, its meta table written (the builder is used up)."""
        db = self._db
        with db:
            count = db.execute("SELECT count(*) FROM section").fetchone()[0]
            db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [
                    ("schema", str(SCHEMA_VERSION)),
                    ("app_version", __version__),
                    ("content_key", self._key),
                    ("sections", str(count)),
                ],
            )
        self._finished = True
        return SearchIndex(db, IndexOrigin.MEMORY)


def _replace_chapter(db: sqlite3.Connection, chapter: str, sections: Iterable[Section]) -> None:
    """One chapter's rows in ``fts`` and ``section``, and its words in ``words`` (a contentless
    table: a row is deleted by giving back the text it was made from). New rows are numbered
    after the last one."""
    old = db.execute(
        "SELECT f.rowid, f.title || ' ' || f.body FROM fts f JOIN section s "
        "ON s.rowid = f.rowid WHERE s.chapter = ?",
        (chapter,),
    ).fetchall()
    db.executemany("INSERT INTO words(words, rowid, text) VALUES ('delete', ?, ?)", old)
    db.executemany("DELETE FROM fts WHERE rowid = ?", [(rowid,) for rowid, _ in old])
    db.execute("DELETE FROM section WHERE chapter = ?", (chapter,))
    last = db.execute("SELECT max(rowid) FROM section").fetchone()[0] or 0
    last = max(last, db.execute("SELECT max(rowid) FROM fts").fetchone()[0] or 0)
    rows = _insert_sections(db, sections, last)
    db.executemany(
        "INSERT INTO words(rowid, text) VALUES (?, ?)",
        [(rowid, s.title + " " + s.body) for rowid, s in rows],
    )
    _set_leads(db)


def _insert_sections(
    db: sqlite3.Connection, sections: Iterable[Section], last: int
) -> list[tuple[int, Section]]:
    """Insert ``sections`` into ``fts`` and ``section`` after row ``last``, in order: a
    row's number is its place, shifted left by :data:`DEPTH_BITS`, and its depth."""
    first = (last >> DEPTH_BITS) + 1
    rows = [
        ((n << DEPTH_BITS) | min(s.depth, len(DEPTH_BOOST)), s)
        for n, s in enumerate(sections, start=first)
    ]
    db.executemany(
        f"INSERT INTO fts(rowid, title, breadcrumb, body, {BIGRAM_COLUMN}) VALUES (?, ?, ?, ?, ?)",
        ((r, s.title, s.breadcrumb, s.body, bigrams(s.title + "\n" + s.body)) for r, s in rows),
    )
    db.executemany(
        "INSERT INTO section(rowid, sid, chapter, anchor, title, breadcrumb, depth, lead, "
        "headings, plain, title_chars) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
        (
            (
                r,
                s.id,
                s.chapter,
                s.anchor,
                s.title,
                s.breadcrumb,
                s.depth,
                _headings(s),
                _is_plain(s),
                len("".join(s.title.split())),
            )
            for r, s in rows
        ),
    )
    return rows


def _set_leads(db: sqlite3.Connection, reset: bool = True) -> None:
    """Where each chapter's opening text starts past the book's boilerplate (see
    :func:`boilerplate_leads`); ``reset``: every row's lead set to 0 first."""
    openings = db.execute(
        "SELECT rowid, substr(body, 1, 1000) FROM fts WHERE rowid IN "
        "(SELECT min(rowid) FROM section GROUP BY chapter)"
    ).fetchall()
    leads = boilerplate_leads(openings)
    if reset:
        db.execute("UPDATE section SET lead = 0")
    db.executemany(
        "UPDATE section SET lead = ? WHERE rowid = ?", [(v, k) for k, v in leads.items()]
    )


def _create_schema(db: sqlite3.Connection) -> None:
    # Terms held in memory until the build's one commit (FTS5's default: 1 MB, then a segment
    # written and later merged): one segment per table, no merge.
    # A prefix index for two letters (the widest prefix typed); one for three too cost 6% of
    # a 5,000-chapter build for queries no faster, measured.
    db.executescript(
        f"""
        PRAGMA application_id = {APPLICATION_ID};
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE VIRTUAL TABLE fts USING fts5(
            title, breadcrumb, body, {BIGRAM_COLUMN},
            tokenize = '{TOKENIZE}', prefix = '2'
        );
        CREATE TABLE section(
            rowid INTEGER PRIMARY KEY, sid TEXT NOT NULL, chapter TEXT NOT NULL, anchor TEXT,
            title TEXT NOT NULL, breadcrumb TEXT NOT NULL, depth INTEGER NOT NULL,
            lead INTEGER NOT NULL, headings TEXT NOT NULL, plain INTEGER NOT NULL,
            title_chars INTEGER NOT NULL
        );
        CREATE VIRTUAL TABLE words USING fts5(
            text, content = '', detail = none, columnsize = 0, tokenize = '{WORDS_TOKENIZE}'
        );
        INSERT INTO fts(fts, rank) VALUES ('hashsize', {BUILD_HASH_BYTES});
        INSERT INTO words(words, rank) VALUES ('hashsize', {BUILD_HASH_BYTES});
        """
    )
    _attach_helpers(db)


def _attach_helpers(db: sqlite3.Connection) -> None:
    """Per-connection tables: the vocabulary, the ranking's boosts and the parents' headings
    (never stored in the file)."""
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE temp.words_vocab USING fts5vocab(main, words, row);
        CREATE TABLE temp.factor(rowid INTEGER PRIMARY KEY, p REAL NOT NULL, hb REAL NOT NULL);
        CREATE VIRTUAL TABLE temp.crumbs USING fts5(text, tokenize = '{TOKENIZE}', detail = none);
        """
    )


def _file_digest(data: bytes) -> bytes:
    """A CRC-32 of a cache file's bytes but the four of the header's ``user_version`` field
    (offset 60), where :func:`_save` writes it: any byte of the file changed is caught, free
    space included, for one pass over the bytes (a digest of every row cost 4 times as much)."""
    import zlib  # only to save and load

    view = memoryview(data)
    crc = zlib.crc32(view[:_DIGEST_AT])
    crc = zlib.crc32(view[_DIGEST_AT + 4 :], crc)
    return crc.to_bytes(4, "big")


def _is_plain(section: Section) -> bool:
    """The section's title and breadcrumb are printable ASCII (the breadcrumb's separators
    aside) with single spaces: their lower case is SQLite's, and a query's words side by side
    in them are the lower-case query (see ``_Ranking._headings_bound``)."""
    text = section.title + "\n" + section.breadcrumb.replace(SEPARATOR, " / ")
    return _PLAIN.fullmatch(text) is not None and "  " not in text


def _headings(section: Section) -> str:
    """A section's title and breadcrumb in lower case: a quick test before the regex."""
    return f"{section.title}\n{section.breadcrumb}".lower()


def _ascii_lower(text: str) -> str:
    """Lower case as SQLite's ``lower()`` does it: ASCII letters only."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _literal_pattern(text: str) -> re.Pattern[str] | None:
    """The query as one piece of text, for exact matches in headings ("? operator")."""
    words = text.replace('"', " ").split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?:e?s)?(?!\w)", re.IGNORECASE)  # "hash map": Hash Maps


def _literal_boost(literal: re.Pattern[str] | None, title: str, breadcrumb: str) -> float:
    """Headings that hold the query text exactly as typed rank above ones that only share words.

    This is what rescues text the tokenizer cannot see: ``?`` in "The ``?`` Operator Shortcut".
    """
    if literal is None:
        return 1.0
    if (found := literal.search(title)) is not None:
        whole = found.start() == 0 and found.end() == len(title.rstrip())
        return TITLE_IS_QUERY_BOOST if whole else EXACT_TITLE_BOOST
    if literal.search(breadcrumb):
        return EXACT_BREADCRUMB_BOOST
    return 1.0


def snippet_html(marked: str | None) -> str:
    """FTS5's snippet (matches between private-use marks) as safe HTML with ``<b>`` matches."""
    text = html.escape(_SPACES.sub(" ", marked or "").strip(), quote=False)
    text = text.replace(_MARK_START, "<b>").replace(_MARK_END, "</b>")
    return text.replace("</b> <b>", " ")  # "<b>borrow checker</b>", one run of bold


def snippet_text(snippet: str, before: str = "", after: str = "") -> str:
    """A hit's HTML snippet as plain text, matches wrapped in ``before`` / ``after``."""
    return html.unescape(snippet.replace("<b>", before).replace("</b>", after))


def fold(word: str) -> str:
    """Lower case without diacritics, as the tokenizer stores whole words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


# --- the book's sections and its content key ---------------------------------------------------


def sections_of(
    book: Book, chapter: str, source: str, trail: tuple[str, ...]
) -> tuple[Section, ...]:
    """A chapter's sections as its layout reads them (an MkDocs page: core/book/mkdocs.py)."""
    if book.format == "mkdocs":
        from handbook.core.book.mkdocs import site_sections

        return site_sections(book, chapter, source, trail)
    return split_sections(chapter, source, trail, book.markdown)


def read_sources(book: Book, read_source: ReadSource) -> dict[str, str]:
    """Each chapter's markdown; a chapter that cannot be read is searched as empty."""
    read_source = _for_many(book, read_source)
    return {path: read_source_or_empty(book, path, read_source) for path, _ in chapter_trails(book)}


def _for_many(book: Book, read_source: ReadSource) -> ReadSource:
    """``read_source`` for reading every chapter of ``book`` in a row: the default one then
    resolves the book's folders once, not once per chapter."""
    if read_source is not default_read_source:
        return read_source
    from handbook.core.book.files import chapter_expander, chapter_source_reader

    if book.format == "mdbook":  # the text the page was made from, expanded once
        expand = chapter_expander(book)
        return lambda book, path: expand(path).text
    read = chapter_source_reader(book)
    return lambda book, path: read(path)


def read_source_or_empty(book: Book, path: str, read_source: ReadSource) -> str:
    """The chapter's markdown; empty when it cannot be read, or is too big for the page to
    show it (what the page refuses is not searched either)."""
    with contextlib.suppress(OSError, ValueError):  # (os.path: a pathlib join costs 2 µs)
        if os.stat(os.path.join(book.src, path)).st_size > MAX_CHAPTER_BYTES:
            return ""
    try:
        text = read_source(book, path)
    except (BookError, OSError, UnicodeError):
        return ""
    return "" if len(text) > MAX_CHAPTER_BYTES else text


def content_key(book: Book, sources: dict[str, str]) -> str:
    """A digest of everything the index is made from, and of the code that makes it."""
    digest = _blake2b(digest_size=20)
    digest.update(f"handbook {__version__} search schema {SCHEMA_VERSION}\0".encode())
    try:
        digest.update(book.summary_path.read_bytes())
    except OSError:
        digest.update(b"\0no summary\0")
    for path, trail in chapter_trails(book):
        digest.update("\0".join(("", path, *trail, "")).encode("utf-8", "surrogatepass"))
        digest.update(sources.get(path, "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def default_read_source(book: Book, path: str) -> str:
    """The chapter after its includes: the words they bring are found, and a changed
    included file changes the content key. The text is the one the page is made from: a
    refused or missing include's note stands there as a marker (the page's note, not a word
    of the book: the sections leave it out), so a chapter rendered is not parsed again."""
    from handbook.core.book.files import chapter_expander, read_chapter_source

    if book.format != "mdbook":  # includes are mdBook's: a plain page shows them as text
        return read_chapter_source(book, path)
    return chapter_expander(book)(path).text


# --- the cache -------------------------------------------------------------------------------


class IndexCache:
    """Search indexes cached as SQLite files under a cache folder (None: always in memory).

    A cache file is used only after it proves itself: our application id, schema, app version
    and content key in its meta table, a checksum of all its bytes that matches (written in the
    header's ``user_version`` field once saved: see :func:`_file_digest`), and ``PRAGMA
    quick_check`` ok. Anything else is discarded and rebuilt. Files are written to a temporary name
    and renamed into place, so a reader never sees half a file.
    """

    def __init__(self, folder: Path | None, read_source: ReadSource = default_read_source) -> None:
        """``folder``: the app's cache folder (indexes go in its ``search`` subfolder); None, or
        a relative path (what an unknown location looks like), means no cache."""
        self.folder = (
            folder / CACHE_SUBFOLDER if folder is not None and folder.is_absolute() else None
        )
        self._read_source = read_source

    def path_for(self, book: Book) -> Path | None:
        if self.folder is None:
            return None
        identity = book.identity or str(book.root.resolve())
        name = _blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=12)
        return self.folder / f"search-{name.hexdigest()}.sqlite3"

    def open(self, book: Book, progress: Progress | None = None) -> SearchIndex:
        """The book's index: from the cache when valid, else built (and cached if possible)."""
        with contextlib.closing(self.open_steps(book)) as steps:  # closed: a build stopped
            while True:  # by ``progress`` raising drops its database at once
                try:
                    done, total = next(steps)
                except StopIteration as finished:
                    index: SearchIndex = finished.value
                    return index
                if progress is not None:
                    progress(done, total)

    def open_steps(self, book: Book) -> Generator[tuple[int, int], None, SearchIndex]:
        """:meth:`open` in steps of a few milliseconds, for a caller that must stay responsive.

        Each ``yield`` gives (steps done, steps in all); the generator returns the index. The
        longest step is one chapter's split, or one of the final merge / meta / save.
        """
        trails = chapter_trails(book)
        total = 2 * len(trails) + 4
        sources: dict[str, str] = {}
        read_source = _for_many(book, self._read_source)
        for done, (chapter, _) in enumerate(trails, start=1):
            sources[chapter] = read_source_or_empty(book, chapter, read_source)
            yield done, total
        key = content_key(book, sources)
        path = self.path_for(book)
        discarded: str | None = None
        if path is not None:
            self._remove_stale_temp_files(path)
            try:
                cached = _load(path, key)
            except _Unusable as exc:
                discarded = str(exc)
            else:
                if cached is not None:
                    with _closed_unless_returned(cached):
                        yield total - 1, total
                        cached.warm_up()
                    return cached
        with IndexBuilder(key) as builder:
            for done, (chapter, trail) in enumerate(trails, start=len(trails) + 1):
                builder.add(sections_of(book, chapter, sources[chapter], trail))
                yield done, total
            builder.merge()
            yield total - 3, total
            index = builder.finish()
        with _closed_unless_returned(index):
            index.discarded = discarded
            yield total - 2, total
            if path is not None and _save(index, path):
                index.origin = IndexOrigin.BUILT
            yield total - 1, total
            index.warm_up()
        return index

    def update(self, index: SearchIndex, book: Book, chapters: Collection[str]) -> None:
        """Index ``chapters`` of ``book`` again (changed on disk, added or gone), the rest of
        ``index`` kept, and save it to the cache under the book's new content key.

        The book's layout must be the one the index was made for (a new SUMMARY.md changes
        every chapter's breadcrumb: open the index again instead)."""
        trails = dict(chapter_trails(book))
        sources = read_sources(book, self._read_source)
        key = content_key(book, sources)
        index.update_chapters(
            {
                chapter: sections_of(book, chapter, sources[chapter], trails[chapter])
                if chapter in trails
                else ()
                for chapter in chapters
            },
            key,
        )
        path = self.path_for(book)
        if path is not None and _save(index, path):
            index.origin = IndexOrigin.BUILT

    def _remove_stale_temp_files(self, path: Path) -> None:
        try:
            for pattern in (".*.tmp", ".*.tmp-journal"):  # the journal of a save cut short
                for temp in path.parent.glob(path.name + pattern):
                    if time.time() - temp.stat().st_mtime > _STALE_TEMP_SECONDS:
                        temp.unlink()
        except OSError:
            return


@contextlib.contextmanager
def _closed_unless_returned(index: SearchIndex) -> Iterator[None]:
    """Close ``index`` when the block does not complete (an error, or the caller stopped the
    steps: the generator is closed at a ``yield``)."""
    try:
        yield
    except BaseException:
        index.close()
        raise


class _Unusable(Exception):
    """A cache file that must not be trusted; the message says why."""


def _load(path: Path, key: str) -> SearchIndex | None:
    """The index cached at ``path`` if it is ours and current; None if there is none."""
    try:
        if not path.exists():
            return None
        if not path.is_file():
            raise _Unusable("not a file")
        data = path.read_bytes()  # its digest checked on these bytes (see _save)
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error) as exc:
        raise _Unusable(f"unreadable: {exc}") from exc
    try:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            _check_header(source, key)
            _check_digest(data)
            source.backup(db)
            _check_contents(db)
            _attach_helpers(db)
        except BaseException:
            db.close()
            raise
    except sqlite3.DatabaseError as exc:
        raise _Unusable(f"corrupt: {exc}") from exc
    finally:
        source.close()
    return SearchIndex(db, IndexOrigin.CACHE)


def _check_header(db: sqlite3.Connection, key: str) -> None:
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise _Unusable("foreign: not a handbook search index")
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("schema") != str(SCHEMA_VERSION) or meta.get("app_version") != __version__:
        raise _Unusable(f"foreign: made by handbook {meta.get('app_version')}")
    if meta.get("content_key") != key:
        raise _Unusable("stale: the book has changed")


def _check_digest(data: bytes) -> None:
    if len(data) < _HEADER_BYTES or data[_DIGEST_AT : _DIGEST_AT + 4] != _file_digest(data):
        raise _Unusable("corrupt: checksum mismatch")


def _check_contents(db: sqlite3.Connection) -> None:
    result = db.execute("PRAGMA quick_check").fetchall()
    if result != [("ok",)]:
        raise _Unusable(f"corrupt: {result[0][0] if result else 'quick_check failed'}")


def _save(index: SearchIndex, path: Path) -> bool:
    """Write ``index`` to ``path`` atomically; False when the folder cannot take it."""
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only to save: the module and what it imports cost 2.5 ms at start-up

        fd, name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        temp = Path(name)
        with index._lock:  # a compact copy: no free page, every byte is checked on load
            index._db.execute("VACUUM main INTO ?", (str(temp),))
        with open(temp, "rb+") as written:
            digest = _file_digest(written.read())
            written.seek(_DIGEST_AT)
            written.write(digest)
            written.flush()
            os.fsync(written.fileno())
        os.replace(temp, path)
        return True
    except (OSError, sqlite3.Error):
        if temp is not None:
            for leftover in (temp, temp.with_name(temp.name + "-journal")):  # disk full
                with contextlib.suppress(OSError):
                    leftover.unlink()
        return False
