"""`handbook search`: what a user sees on stdout and stderr, and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.commands.search import result_lines
from handbook.core.search.index import SearchHit, SearchResults
from tests.conftest import write_book


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "book",
        "# Summary\n\n- [Care](care.md)\n  - [Sleep](sleep.md)\n",
        {
            "care.md": "# Care\n\nTalk to your provider.\n\n## Meditation\n\nCalm the mind.\n",
            "sleep.md": "# Sleep\n\nRest helps with &lt;pain&gt; & stress; meditation too.\n",
        },
    )


def test_results_are_ranked_with_breadcrumb_id_and_snippet(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "meditation", str(book)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 results for 'meditation'\n")
    first, second = out.split("\n\n")[1:3]
    assert first.splitlines() == [
        "1. Meditation",
        "   Care › Meditation",
        "   care.md#meditation",
        "   Calm the mind.",
    ]
    assert second.splitlines()[2:] == [
        "   sleep.md#sleep",
        "   Rest helps with <pain> & stress; **meditation** too.",
    ]
    assert "\033[" not in out  # not a terminal: no escape codes


def test_json_lists_every_field(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "rest", str(book), "--json"]) == 0
    [hit] = json.loads(capsys.readouterr().out)
    assert hit == {
        "id": "sleep.md#sleep",
        "chapter": "sleep.md",
        "anchor": "sleep",
        "title": "Sleep",
        "breadcrumb": "Care › Sleep",
        "snippet": "<b>Rest</b> helps with &lt;pain&gt; &amp; stress; meditation too.",
        "score": hit["score"],
        "partial": False,
    }
    assert isinstance(hit["score"], float) and hit["score"] > 0


def test_limit_caps_the_results_and_says_so(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "meditation", str(book), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 results for 'meditation' (showing the best 1)\n")
    assert "2. " not in out


def test_limit_0_lists_every_result(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "meditation", str(book), "--limit", "0", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_no_results_exit_1_with_a_suggestion(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "meditaton", str(book)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "handbook: no results for 'meditaton'",
        "handbook: did you mean: meditation",
    ]


def test_no_results_in_json_is_an_empty_list(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "qqqqzzzz", str(book), "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == []


def test_a_bad_book_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "x", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("handbook: ")


def test_a_bad_limit_exits_2(book: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["search", "x", str(book), "--limit", "-1"])
    assert exc.value.code == 2


def test_the_bundled_guide_is_searched_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "meditation", "--limit", "1"]) == 0
    assert "stress-reduction.md#meditation" in capsys.readouterr().out


@pytest.mark.parametrize("query", ["C++", "NEAR(", '"x', "AND", "*", "a:b", "🙂", "中文", "-"])
def test_hostile_queries_exit_cleanly(
    book: Path, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", query, str(book)]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err


def test_the_index_is_cached_in_the_users_cache_folder(book: Path, user_folders: Path) -> None:
    assert main(["search", "meditation", str(book)]) == 0
    cached = list((user_folders / "cache").rglob("search-*.sqlite3"))
    assert len(cached) == 1
    before = cached[0].stat().st_mtime_ns
    assert main(["search", "sleep", str(book)]) == 0
    assert cached[0].stat().st_mtime_ns == before  # reused, not rewritten


def test_without_a_writable_cache_folder_search_works_from_memory(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert main(["search", "meditation", str(book), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_terminal_gets_bold_instead_of_stars() -> None:
    hit = SearchHit("a.md#b", "a.md", "b", "B", "A › B", "x <b>y</b> &amp; z", 1.0)
    results = SearchResults("y", (hit,), 1)
    assert result_lines(results, bold=True)[-1] == "   x \033[1my\033[0m & z"
    assert result_lines(results, bold=False)[-1] == "   x **y** & z"


def test_a_query_that_starts_with_dashes_is_searched_after_a_double_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = write_book(
        tmp_path / "book",
        "# Summary\n\n- [Build](build.md)\n- [Other](other.md)\n",
        {
            "build.md": "# Build\n\nRun `cargo build --release` for speed.\n",
            "other.md": "# Other\n\nA release note.\n",
        },
    )
    assert main(["search", "--limit", "5", "--", "--release", str(book)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 results for '--release'\n")
    assert "build.md#build" in out.split("\n\n")[1]  # the section with the sequence first


def test_a_query_with_dashes_before_a_double_dash_is_told_where_it_goes(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["search", "--dest-dir", str(book)])
    assert exc.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("handbook search: error: unrecognized arguments: --dest-dir")
    assert "goes after '--': handbook search -- --x" in error
