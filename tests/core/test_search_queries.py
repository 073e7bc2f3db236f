"""Search as readers and developers type it: every script, code as written, every word
required, snippets on the words searched for, sections by their own text, bounded work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.core.book.load import load_book
from handbook.core.search.index import MAX_CHAPTER_BYTES, IndexCache, SearchIndex, SearchOptions
from handbook.core.search.matching import terms_pattern
from tests.conftest import GUIDE, RUST_BOOK, write_book

CJK = {
    "zh.md": "# 中文简介\n\n本书介绍所有权、借用检查器和生命周期。\n\n## 疼痛与治疗\n\n"
    "慢性疼痛是常见的问题。医生会建议适当的治疗方法。\n",
    "ja.md": "# 日本語\n\nこれは日本語のテキストです。所有権について説明します。\n\n"
    "## カタカナ\n\nエディタでコードを書きます。\n",
    "th.md": "# ไทย\n\nภาษาไทยไม่มีการเว้นวรรคระหว่างคำ\n",
    "ko.md": "# 한국어\n\n소유권과 빌림 검사기를 설명합니다.\n",
    "en.md": "# English\n\nOwnership and borrowing, in English.\n",
}

CODE = {
    "flags.md": "# Flags\n\n## Optimising\n\nBuild it with `rustc -O3 main.rs` for speed.\n\n"
    "## Levels\n\nThe O3 level and the O2 level differ.\n\n"
    "## Output\n\nRun `cargo doc --dest-dir target/doc` to choose where.\n\n"
    "## Other folders\n\nThe dest folder and the dir folder are not the same.\n",
    "types.md": "# Types\n\n## Strings\n\nA `&str` is a slice; `'static` lives forever.\n\n"
    "## Swapping\n\nCall `std::mem::swap(&mut a, &mut b)` to swap.\n\n"
    "## Memory\n\nThe std library has a mem module; swap is there.\n\n"
    "## Debug\n\nAdd `#[derive(Debug)]` to print it. C++ has no such thing.\n\n"
    "## Plain\n\nA str and a static and debug derive words, with c.\n",
}


def index_of(root: Path) -> Iterator[SearchIndex]:
    with IndexCache(None).open(load_book(root)) as index:
        yield index


def summary(chapters: dict[str, str]) -> str:
    return "# S\n\n" + "".join(
        f"- [{text.split(chr(10))[0][2:]}]({name})\n" for name, text in chapters.items()
    )


@pytest.fixture(scope="module")
def cjk_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(tmp_path_factory.mktemp("cjk") / "book", summary(CJK), CJK)


@pytest.fixture(scope="module")
def cjk(cjk_book: Path) -> Iterator[SearchIndex]:
    yield from index_of(cjk_book)


@pytest.fixture(scope="module")
def code_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(tmp_path_factory.mktemp("code") / "book", summary(CODE), CODE)


@pytest.fixture(scope="module")
def code(code_book: Path) -> Iterator[SearchIndex]:
    yield from index_of(code_book)


@pytest.fixture(scope="module")
def guide() -> Iterator[SearchIndex]:
    yield from index_of(GUIDE)


@pytest.fixture(scope="module")
def rust() -> Iterator[SearchIndex]:
    if not (RUST_BOOK / "src" / "SUMMARY.md").is_file():
        pytest.skip(f"the Rust book is not at {RUST_BOOK}")
    yield from index_of(RUST_BOOK)


def ids(index: SearchIndex, text: str, **options: int | bool) -> list[str]:
    return [hit.id for hit in index.search(text, SearchOptions(**options)).hits]  # type: ignore[arg-type]


# --- every script ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日本", "ja.md#日本語"),  # two characters inside a longer run
        ("日本語", "ja.md#日本語"),
        ("テキスト", "ja.md#日本語"),
        ("所有権", "ja.md#日本語"),
        ("疼痛", "zh.md#疼痛与治疗"),
        ("借用检查", "zh.md#中文简介"),
        ("ภาษา", "th.md#ไทย"),
        ("เว้นวรรค", "th.md#ไทย"),  # with a combining mark
        ("소유권", "ko.md#한국어"),  # a Korean word with its particle attached
    ],
)
def test_spaceless_scripts_are_found_by_any_run_of_two_characters(
    cjk: SearchIndex, text: str, expected: str
) -> None:
    results = cjk.search(text)
    assert results.hits and results.hits[0].id == expected, ids(cjk, text)
    assert f"<b>{text}</b>" in results.hits[0].snippet or text in results.hits[0].title


def test_spaceless_text_does_not_match_what_it_is_not(cjk: SearchIndex) -> None:
    assert ids(cjk, "本語の説") == []  # the characters, but not in that order
    assert ids(cjk, "ownership") == ["en.md#english"]  # spaced text ranks as it always did


# --- code as written -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-O3", "flags.md#optimising"),
        ("--dest-dir", "flags.md#output"),
        ("&str", "types.md#strings"),
        ("'static", "types.md#strings"),
        ("std::mem::swap", "types.md#swapping"),
        ("#[derive(Debug)]", "types.md#debug"),
        ("C++", "types.md#debug"),
    ],
)
def test_code_is_searched_as_written_first(code: SearchIndex, text: str, expected: str) -> None:
    results = code.search(text)
    assert results.hits and results.hits[0].id == expected, ids(code, text)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<b>{escaped}</b>" in results.hits[0].snippet


def test_code_then_its_words(code: SearchIndex) -> None:
    assert ids(code, "std::mem::swap")[:1] == ["types.md#swapping"]
    assert "types.md#memory" not in ids(code, "std::mem::swap")  # the words, not side by side
    assert ids(code, "--dest-dir") == ["flags.md#output"]


def test_a_query_of_symbols_alone_is_searched_literally(code: SearchIndex) -> None:
    assert ids(code, "::") == ["types.md#swapping"]
    assert ids(code, "#[") == ["types.md#debug"]
    assert "<b>::</b>" in code.search("::").hits[0].snippet


def test_exclusion_is_only_a_lone_dash_and_letters(guide: SearchIndex) -> None:
    with_thinning = set(ids(guide, "hair", limit=0))
    without = set(ids(guide, "hair -thinning", limit=0))
    assert without and without < with_thinning
    assert ids(guide, "-thinning")  # nothing to exclude from: searched as written


def test_rust_book_code_queries(rust: SearchIndex) -> None:
    box = rust.search("Box<T>").hits[0]
    assert "<b>Box&lt;T&gt;</b>" in box.snippet and box.terms == ("Box<T>",)
    release = rust.search("cargo build --release", SearchOptions(limit=0))
    with_release = set(ids(rust, "release", limit=0))
    assert release.hits and {h.id for h in release.hits} <= with_release
    assert "ch14-01-release-profiles.md#customizing-builds-with-release-profiles" in [
        h.id for h in release.hits[:3]
    ]
    assert "<b>cargo build --release</b>" in release.hits[0].snippet + release.hits[1].snippet
    question = rust.search("?").hits
    assert "ch09-02-recoverable-errors-with-result.md#the--operator-shortcut" in [
        h.id for h in question[:5]
    ]


def test_code_is_lit_whole_on_the_page() -> None:
    pattern = terms_pattern(["Box<T>"])
    assert pattern is not None
    assert [m.group() for m in pattern.finditer("a Box<T> and a Box<U>")] == ["Box<T>"]
    pattern = terms_pattern(["--dest-dir"])
    assert pattern is not None and pattern.search("run --dest-dir x").group() == "--dest-dir"  # type: ignore[union-attr]


def test_code_in_the_cli_text_and_json(rust_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Box<T>", str(rust_book), "--limit", "1"]) == 0
    assert "**Box<T>**" in capsys.readouterr().out
    assert main(["search", "Box<T>", str(rust_book), "--limit", "1", "--json"]) == 0
    [hit] = json.loads(capsys.readouterr().out)
    assert "<b>Box&lt;T&gt;</b>" in hit["snippet"]


# --- every word required ---------------------------------------------------------------------


def test_every_word_is_required(guide: SearchIndex) -> None:
    results = guide.search("hair thinning", SearchOptions(limit=0))
    assert results.hits and not results.partial
    both = set(ids(guide, "hair", limit=0)) & set(ids(guide, "thinning", limit=0))
    assert {h.id for h in results.hits} <= both


def test_without_a_section_holding_every_word_the_best_partial_matches_are_marked(
    guide: SearchIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    results = guide.search("meditation zebra")
    assert results.partial and results.hits and all(h.partial for h in results.hits)
    assert "<b>meditation</b>" in results.hits[0].snippet.lower()
    assert main(["search", "meditation zebra"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No section has every word of 'meditation zebra';")
    assert "(partial match)" in out


# --- results a reader can use ----------------------------------------------------------------


def test_a_sections_own_text_outranks_its_breadcrumb(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "book",
        "# S\n\n- [Hair](hair.md)\n- [Care](care.md)\n",
        {
            "hair.md": "# Hair\n\nAbout it.\n\n## Diet\n\nEat well, sleep well, and often.\n",
            "care.md": "# Care\n\n## Washing\n\nWash your hair gently.\n",
        },
    )
    for index in index_of(root):
        found = ids(index, "hair")
        assert found.index("care.md#washing") < found.index("hair.md#diet"), found


def test_boilerplate_is_never_the_snippet_unless_it_holds_the_query(guide: SearchIndex) -> None:
    hits = guide.search("hair", SearchOptions(limit=0)).hits
    boiler = [h for h in hits if "medical advice" in h.snippet]
    assert all("<b>" in h.snippet for h in boiler), [h.snippet for h in boiler]


def test_the_snippet_is_centred_on_the_best_match(tmp_path: Path) -> None:
    filler = " ".join(["filler words here"] * 60)
    root = write_book(
        tmp_path / "book",
        "# S\n\n- [One](one.md)\n",
        {"one.md": f"# One\n\nalpha at first. {filler} Then alpha beta together. {filler}\n"},
    )
    for index in index_of(root):
        snippet = index.search("alpha beta").hits[0].snippet
        assert "<b>alpha beta</b>" in snippet and snippet.startswith("…"), snippet


def test_limit_0_gives_every_hit_and_offset_pages_through(guide: SearchIndex) -> None:
    every = ids(guide, "hair", limit=0)
    assert len(every) == guide.search("hair").total > 30
    pages = [ids(guide, "hair", limit=10, offset=o) for o in range(0, len(every), 10)]
    assert [i for page in pages for i in page] == every


# --- bounded work ----------------------------------------------------------------------------


def test_a_chapter_too_big_for_the_page_is_not_searched(tmp_path: Path) -> None:
    words = "needle in a very big haystack\n\n" * (MAX_CHAPTER_BYTES // 30 + 10)
    root = write_book(
        tmp_path / "book",
        "# S\n\n- [Big](big.md)\n- [Small](small.md)\n",
        {"big.md": "# Big\n\n" + words, "small.md": "# Small\n\nOne needle.\n"},
    )
    for index in index_of(root):
        assert ids(index, "needle") == ["small.md#small"]
        assert ids(index, "big") == ["big.md"]  # still found by its title


def test_a_huge_section_gets_a_snippet_of_bounded_size(tmp_path: Path) -> None:
    text = "word " * 400_000 + "needle at the end. " + "word " * 1000
    root = write_book(tmp_path / "book", "# S\n\n- [One](one.md)\n", {"one.md": "# One\n\n" + text})
    for index in index_of(root):
        [hit] = index.search("needle word").hits
        assert "needle</b>" in hit.snippet and len(hit.snippet) < 400
