"""The bundled guide: a well-formed mdBook book, safe framing, own wording, working links."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from handbook.core.book.headings import extract_headings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

GUIDE = Path(__file__).resolve().parent.parent / "resources" / "guide"
SRC = GUIDE / "src"
SOURCE_TEXT = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "source" / "guide-source.txt"
)

_SUMMARY_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]*)\)")
_MD_LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCED = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


# --- helpers -------------------------------------------------------------------------------


def summary_paths() -> list[str]:
    text = (SRC / "SUMMARY.md").read_text(encoding="utf-8")
    return [m.group(1) for m in _SUMMARY_LINK.finditer(text) if m.group(1)]


def chapters() -> list[Path]:
    return [SRC / p for p in summary_paths()]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def normalize_words(text: str) -> list[str]:
    """Lower-case words with punctuation stripped and curly quotes folded to straight ones."""
    text = text.lower()
    text = text.translate(
        str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    )
    text = text.replace("'", "")
    text = re.sub(r"[^\w\s]", " ", text)
    return text.split()


def shingles(words: list[str], n: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def source_text() -> str:
    if not SOURCE_TEXT.is_file():
        pytest.skip(f"the guide's source text is not at {SOURCE_TEXT} (../shared is absent)")
    return SOURCE_TEXT.read_text(encoding="utf-8")


def source_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [" ".join(normalize_words(p)) for p in parts if normalize_words(p)]


def reader_text(markdown: str) -> str:
    """Roughly what a reader sees: link targets and alert markers removed."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    return re.sub(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", " ", text)


def guide_texts() -> dict[str, str]:
    texts = {p.name: reader_text(read(p)) for p in sorted(SRC.glob("*.md"))}
    texts["book.toml"] = read(GUIDE / "book.toml")
    return texts


def first_block_after_title(text: str) -> str:
    lines = text.splitlines()
    i = 0
    while i < len(lines) and not lines[i].startswith("# "):
        i += 1
    assert i < len(lines), "chapter has no '# ' title"
    i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    block = []
    while i < len(lines) and lines[i].strip():
        block.append(lines[i])
        i += 1
    return "\n".join(block)


# --- the book's shape ----------------------------------------------------------------------


def test_book_toml_has_the_metadata_the_reader_shows() -> None:
    data = tomllib.loads(read(GUIDE / "book.toml"))
    book = data["book"]
    assert book["title"].strip()
    assert book["authors"] == ["The handbook team"]
    assert book["language"] == "en"
    assert book["description"].strip()
    assert book.get("src", "src") == "src"


def test_every_summary_entry_exists() -> None:
    paths = summary_paths()
    assert paths, "SUMMARY.md links no chapters"
    missing = [p for p in paths if not (SRC / p).is_file()]
    assert not missing, f"SUMMARY.md links missing files: {missing}"
    assert len(paths) == len(set(paths)), "a chapter is listed twice"


def test_every_markdown_file_is_in_the_summary() -> None:
    listed = set(summary_paths())
    on_disk = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.md")} - {"SUMMARY.md"}
    assert on_disk - listed == set(), "chapters not reachable from SUMMARY.md"


def test_about_chapter_comes_first_and_carries_the_safety_note() -> None:
    assert summary_paths()[0] == "about.md"
    text = read(SRC / "about.md").lower()
    for phrase in (
        "not medical advice",
        "fda",
        "mitragynine",
        "7-hydroxymitragynine",
        "liver",
        "seizures",
        "addiction",
        "healthcare provider",
    ):
        assert phrase in text, f"'About this guide' does not mention {phrase!r}"
    assert "> [!warning]" in text


@pytest.mark.parametrize("chapter", summary_paths())
def test_every_chapter_opens_with_a_not_medical_advice_note(chapter: str) -> None:
    block = first_block_after_title(read(SRC / chapter))
    first = block.splitlines()[0].strip()
    assert first in ("> [!NOTE]", "> [!WARNING]"), f"{chapter} does not open with an alert"
    assert all(line.startswith(">") for line in block.splitlines())
    flat = " ".join(line.lstrip("> ").strip() for line in block.splitlines()).lower()
    flat = flat.replace("*", "")
    assert "not medical advice" in flat, f"{chapter}'s opening note does not say so"


@pytest.mark.parametrize("chapter", [c for c in summary_paths() if c != "glossary.md"])
def test_every_chapter_has_sections(chapter: str) -> None:
    levels = [h.level for h in extract_headings(read(SRC / chapter))]
    assert levels[0] == 1 and levels.count(1) == 1, f"{chapter} needs exactly one '# ' title"
    assert levels.count(2) >= 2, f"{chapter} has fewer than two '##' sections"


def test_glossary_defines_the_terms_the_guide_relies_on() -> None:
    text = read(SRC / "glossary.md")
    terms = {m.group(1).strip().lower() for m in re.finditer(r"^(\S.*)\n:   ", text, re.M)}
    for term in (
        "mitragyna speciosa",
        "mitragynine",
        "7-hydroxymitragynine",
        "opioid receptor",
        "analgesic",
        "anti-inflammatory",
        "dependency",
        "alkaloid",
        "chronic pain",
        "hair thinning",
        "fda",
    ):
        assert term in terms, f"the glossary does not define {term!r}"


# --- wording: the project's own, not the source's -----------------------------------------


def test_no_source_sentence_is_copied() -> None:
    guide = {name: " ".join(normalize_words(t)) for name, t in guide_texts().items()}
    for sentence in source_sentences(source_text()):
        for name, text in guide.items():
            assert f" {sentence} " not in f" {text} ", f"{name} copies: {sentence!r}"


def test_no_eight_word_run_is_shared_with_the_source() -> None:
    source = shingles(normalize_words(source_text()))
    for name, text in guide_texts().items():
        shared = shingles(normalize_words(text)) & source
        assert not shared, f"{name} shares with the source: {[' '.join(s) for s in shared]}"


def test_normalization_catches_curly_quotes_and_punctuation() -> None:
    a = normalize_words("It\u2019s essential\u2014really, to approach kratom!")
    b = normalize_words("its essential really to approach Kratom")
    assert a == b


# --- content: the source's facts are all there ----------------------------------------------


@pytest.mark.parametrize(
    "phrases",
    [
        ("mitragyna speciosa",),
        ("opioid receptor",),
        ("anti-inflammatory",),
        ("anxiety",),
        ("sleep",),
        ("nausea",),
        ("dizziness",),
        ("hair loss",),
        ("dependency",),
        ("balanced diet", "nutrition"),
        ("stress reduction", "stress-reduction"),
        ("healthcare provider", "consultation"),
        ("protein", "vitamins", "minerals"),
        ("meditation", "yoga"),
        ("more research is needed",),
        ("rare",),
    ],
)
def test_key_facts_are_present(phrases: tuple[str, ...]) -> None:
    everything = "\n".join(read(p) for p in chapters()).lower()
    for phrase in phrases:
        assert phrase in everything, f"the guide never mentions {phrase!r}"


@pytest.mark.parametrize(
    ("chapter", "phrase"),
    [
        ("hair-loss-reported.md", "hair thinning"),
        ("reported-benefits.md", "sleep"),
        ("stress-reduction.md", "meditation"),
        ("alkaloids.md", "7-hydroxymitragynine"),
        ("side-effects.md", "nausea"),
        ("dependency.md", "prolonged use"),
        ("nutrition.md", "balanced diet"),
        ("working-with-provider.md", "dose"),
    ],
)
def test_topics_sit_in_their_chapters(chapter: str, phrase: str) -> None:
    assert phrase in read(SRC / chapter).lower()


def test_claims_stay_hedged() -> None:
    everything = "\n".join(read(p) for p in chapters()).lower()
    for hedge in ("studies suggest", "may", "some users report"):
        assert hedge in everything, f"the guide lost the hedge {hedge!r}"
    for hype in ("game-changer", "game changer", "offers hope", "miracle", "cure-all"):
        assert hype not in everything, f"promotional wording {hype!r}"


# --- links ---------------------------------------------------------------------------------


def internal_links() -> list[tuple[str, str]]:
    links = []
    for chapter in summary_paths():
        text = _FENCED.sub("", read(SRC / chapter))
        for m in _MD_LINK.finditer(text):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # http:, mailto:, ...
            links.append((chapter, target))
    return links


def test_the_guide_links_its_chapters_together() -> None:
    links = internal_links()
    assert len(links) > 20
    assert any("#" in target for _, target in links)


@pytest.mark.parametrize(("chapter", "target"), internal_links())
def test_internal_link_resolves(chapter: str, target: str) -> None:
    path_part, _, fragment = target.partition("#")
    here = SRC / chapter
    dest = (here.parent / path_part).resolve() if path_part else here.resolve()
    assert dest.is_file(), f"{chapter}: link to missing file {target!r}"
    assert dest.suffix == ".md", f"{chapter}: link {target!r} is not to a chapter"
    if fragment:
        anchors = {h.anchor for h in extract_headings(read(dest))}
        assert fragment in anchors, f"{chapter}: no heading #{fragment} in {path_part or chapter}"
