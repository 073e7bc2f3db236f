"""User text -> FTS5 expression: the small query language, and nothing a user types is syntax."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.core.search.query import (
    MAX_TERMS,
    Term,
    bigrams,
    match_expression,
    parse_query,
    quote,
    terms_for_highlight,
)

HOSTILE = [
    "C++",
    "don't",
    "multi-agent",
    "38.101",
    "a:b",
    "*",
    "NEAR(",
    "NEAR(a b)",
    "AND",
    "OR",
    "NOT",
    "a AND",
    '"x',
    '"',
    '""',
    '"""',
    "-",
    "--",
    "-x",
    "(",
    ")",
    "{title}: x",
    "^x",
    "x\x00y",
    "\x00",
    "\x01\x02\x1f\x7f",
    "x" * 10_000,
    "word " * 2_000,
    "🙂 kratom 🧑‍💻",
    "中文 日本語 한국어",
    "café",
    "",
    "   ",
    "\ue000marked\ue001",
    "++",
    "?",
]


def run(db: sqlite3.Connection, text: str, typing: bool = False) -> list[int]:
    expression = match_expression(parse_query(text, typing=typing))
    if expression is None:
        return []
    return [r for (r,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,))]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:12]))
@pytest.mark.parametrize("typing", [False, True])
def test_hostile_text_never_raises(fts: sqlite3.Connection, text: str, typing: bool) -> None:
    run(fts, text, typing)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=200), typing=st.booleans())
def test_any_text_is_a_valid_expression_or_none(text: str, typing: bool) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, cjk, tokenize = 'porter unicode61')")
    expression = match_expression(parse_query(text, typing=typing))
    assert expression is None or expression.strip()
    if expression is not None:
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
    db.close()


def test_every_term_reaches_fts5_quoted() -> None:
    assert quote('say "hi"') == '"say ""hi"""'
    assert match_expression(parse_query('NEAR( a:b "x')) == '"NEAR(" AND "a:b" AND "x"'


def test_empty_and_wordless_queries_send_nothing() -> None:
    for text in ("", "   ", "++", "-", '""', "* ( )"):
        assert match_expression(parse_query(text)) is None, text


def test_words_must_all_match(fts: sqlite3.Connection) -> None:
    assert run(fts, "chronic pain") == [1]
    assert run(fts, "chronic box") == []


def test_stemming_and_diacritics_come_from_the_tokenizer(fts: sqlite3.Connection) -> None:
    assert run(fts, "pain") == [1]  # "pains" in the text
    assert run(fts, "cafe") == [1]  # "café" in the text


def test_phrase_exclusion_and_or(fts: sqlite3.Connection) -> None:
    assert parse_query('"chronic pains" -box').groups == ((Term("chronic pains", phrase=True),),)
    assert run(fts, '"chronic pains"') == [1]
    assert run(fts, '"pains chronic"') == []
    assert run(fts, "pain -culture") == []
    assert run(fts, 'pain -"not there"') == [1]
    assert sorted(run(fts, "culture OR here")) == [1, 2]
    assert parse_query("a OR b c").groups == ((Term("a"), Term("b")), (Term("c"),))


def test_or_at_the_edges_is_a_plain_word() -> None:
    assert parse_query("OR a").groups == ((Term("OR"),), (Term("a"),))
    assert parse_query("a OR").groups == ((Term("a"),), (Term("OR"),))
    assert parse_query("a OR -b").excluded == (Term("b"),)


def test_the_word_being_typed_is_a_prefix(fts: sqlite3.Connection) -> None:
    assert run(fts, "chro", typing=True) == [1]
    assert run(fts, "chro") == []
    assert run(fts, "chro ", typing=True) == []  # a space ends the word
    assert parse_query('"chronic pa', typing=True).groups == (
        (Term("chronic pa", phrase=True, prefix=True),),
    )
    assert run(fts, '"chronic pa', typing=True) == [1]
    assert parse_query('"chronic pa"', typing=True).groups[0][0].prefix is False


def test_prefix_expansion_finds_words_whose_stem_is_shorter_than_the_prefix() -> None:
    expression = match_expression(
        parse_query("borrowi", typing=True), expand_prefix=lambda p: ["borrowing"]
    )
    assert expression == '("borrowi" * OR "borrowing")'


def test_terms_the_tokenizer_drops_are_left_out() -> None:
    query = parse_query("C++ ++ pain")
    assert match_expression(query, has_tokens=lambda t: t != "++") == '"C++" AND "pain"'


def test_query_size_is_bounded() -> None:
    assert len(parse_query("w " * 1000).terms) <= MAX_TERMS
    assert len(parse_query("x" * 10_000).terms[0].text) <= 1000


def test_the_query_written_back_with_a_suggestion() -> None:
    query = parse_query('ownershp "exact words" a OR b -gone')
    assert query.as_text({"ownershp": "ownership"}) == ('ownership "exact words" a OR b -gone')


def test_terms_for_highlight_are_the_positive_words_and_phrases() -> None:
    assert terms_for_highlight('Box<T> "borrow checker" -excluded C++ ++') == [
        "Box<T>",
        "borrow checker",
        "C++",
        "++",  # searched as written, so lit as written
    ]


@pytest.mark.parametrize(
    "text",
    ["--dest-dir", "-O3", "Box<T>", "Vec<u8>", "&str", "'static", "C++", "std::mem::swap",
     "#[derive(Debug)]", "?", "-x1", "--", "-alone"],
)  # fmt: skip
def test_code_is_a_term_as_written_never_an_exclusion(text: str) -> None:
    query = parse_query(text, typing=True)
    assert query.excluded == ()
    assert query.terms == (Term(text),)  # no prefix either: code is searched as written


def test_only_a_lone_dash_and_letters_excludes() -> None:
    assert parse_query("hair -thinning").excluded == (Term("thinning"),)
    assert parse_query('hair -"hair loss"').excluded == (Term("hair loss", phrase=True),)
    assert parse_query("cargo build --release").terms == (
        Term("cargo"),
        Term("build"),
        Term("--release"),
    )
    assert parse_query("gcc -O3 flags").terms[1] == Term("-O3")


def test_spaceless_scripts_are_searched_as_character_pairs() -> None:
    assert bigrams("日本語のテキスト") == "日本 本語 語の のテ テキ キス スト"
    assert bigrams("English 日 text") == "日"
    assert match_expression(parse_query("日本語")) == 'cjk : "日本 本語"'
    assert match_expression(parse_query("疼痛 pain")) == 'cjk : "疼痛" AND "pain"'
