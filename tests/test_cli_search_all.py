"""``handbook search QUERY --all``: the library's books searched at once, hits ranked together."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handbook.cli import main
from tests.conftest import write_book

FILLER = "Plain words about nothing in particular, to make the section longer. " * 8


def two_chapter_book(root: Path, title: str, first: str, second: str) -> Path:
    return write_book(
        root,
        "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n",
        {"one.md": f"# {title} one\n\n{first}\n", "two.md": f"# {title} two\n\n{second}\n"},
        toml=f'[book]\ntitle = "{title}"\n',
    )


@pytest.fixture
def library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """Two books in the library: kettles strongly in Alpha's first chapter and Beta's second,
    weakly in the others."""
    books = {
        "Alpha": two_chapter_book(
            tmp_path / "alpha",
            "Alpha",
            "Kettle kettle kettle: the kettle boils.",
            f"{FILLER} A kettle once. {FILLER}",
        ),
        "Beta": two_chapter_book(
            tmp_path / "beta",
            "Beta",
            f"{FILLER} One kettle here. {FILLER}",
            "Kettle and kettle again: kettle.",
        ),
    }
    for path in books.values():
        assert main(["library", "add", str(path)]) == 0
    capsys.readouterr()
    return books


def search_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["search", *args, "--json"]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_hits_of_every_book_are_ranked_together_with_their_book(
    library: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    hits = search_json(capsys, "kettle", "--all")
    assert {(h["book"], h["book_path"]) for h in hits} == {
        ("Alpha", str(library["Alpha"])),
        ("Beta", str(library["Beta"])),
    }
    scores = [float(str(h["score"])) for h in hits]
    assert scores == sorted(scores, reverse=True)
    # each book's own hits come in the order its own search gives them
    for title, path in library.items():
        own = [h["id"] for h in search_json(capsys, "kettle", str(path))]
        assert [h["id"] for h in hits if h["book"] == title] == own


def test_the_text_groups_hits_by_book_with_overall_ranks(
    library: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    hits = search_json(capsys, "kettle", "--all")
    assert main(["search", "kettle", "--all"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "4 results for 'kettle' in 2 books (3 searched)"  # the guide too
    first_book = str(hits[0]["book"])
    headers = [line for line in out if line.startswith("== ")]
    other = "Beta" if first_book == "Alpha" else "Alpha"
    assert headers == [
        f"== {first_book} — {library[first_book]}",
        f"== {other} — {library[other]}",
    ]
    ranks = [line.split(".")[0] for line in out[1:] if line[:1].isdigit()]
    expected = [i + 1 for i, h in enumerate(hits) if h["book"] == first_book] + [
        i + 1 for i, h in enumerate(hits) if h["book"] == other
    ]
    assert ranks == [str(r) for r in expected]
    assert expected != sorted(expected)  # these two books' hits interleave: ranked together
    # the book's title in each hit, before its breadcrumb
    crumbs = [out[i + 1] for i, line in enumerate(out) if i > 0 and line[:1].isdigit()]
    assert all(c.strip().startswith(("Alpha ›", "Beta ›")) for c in crumbs)


def test_limit_counts_hits_across_books(
    library: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    everything = search_json(capsys, "kettle", "--all")
    best = search_json(capsys, "kettle", "--all", "--limit", "2")
    assert best == everything[:2]
    assert main(["search", "kettle", "--all", "--limit", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("; showing the best 2")


def test_a_missing_book_is_skipped_and_said(
    library: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    library["Beta"].rename(library["Beta"].with_name("gone"))
    hits = search_json(capsys, "kettle", "--all")
    assert {h["book"] for h in hits} == {"Alpha"}
    assert main(["search", "kettle", "--all"]) == 0
    assert capsys.readouterr().err == f"handbook: skipped (missing): Beta — {library['Beta']}\n"


def test_the_guide_is_searched_too(capsys: pytest.CaptureFixture[str]) -> None:
    guide_hits = search_json(capsys, "pain")
    hits = search_json(capsys, "pain", "--all")
    assert [h["id"] for h in hits] == [h["id"] for h in guide_hits]
    assert hits[0]["book"] == "Kratom and Chronic Pain: A Plain-Language Guide"


def test_no_results_and_a_book_with_all(
    library: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "zzqqxx", "--all"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "handbook: no results for 'zzqqxx' in 3 books\n"
    assert main(["search", "kettle", str(library["Alpha"]), "--all"]) == 2
    assert capsys.readouterr().err == ("handbook search: error: give a book or --all, not both\n")
