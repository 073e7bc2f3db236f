"""mdBook books read as mdBook 0.5 reads them (issue 13): each difference from mdBook that
Python-Markdown and the hand-written section splitter made, on a repro of our own, checked on
what the reader gets: the page's words, the tree, `handbook toc --headings`, search hits."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from handbook import cli
from handbook.core.book.load import load_book
from handbook.core.book.model import RenderedChapter
from handbook.core.render.renderer import Renderer
from handbook.core.search.index import IndexCache
from tests.conftest import write_book

SUMMARY = "# Summary\n\n- [Page](page.md)\n"


def book_with(tmp_path: Path, text: str, toml: str | None = None, **files: str) -> Path:
    return write_book(tmp_path / "book", SUMMARY, {"page.md": text, **files}, toml)


def render(tmp_path: Path, text: str, toml: str | None = None, **files: str) -> RenderedChapter:
    return Renderer(load_book(book_with(tmp_path, text, toml, **files))).render("page.md")


class _Text(HTMLParser):
    """The words of a page's body, as a reader sees them (no style sheet, no title)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "title")
        if tag in ("br", "p", "li", "td", "th", "h1", "h2", "h3", "dt", "dd", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def seen(page: RenderedChapter) -> str:
    """The page's text, whitespace collapsed."""
    parser = _Text()
    parser.feed(page.html)
    return " ".join("".join(parser.parts).split())


def body(page: RenderedChapter) -> str:
    return page.html.split("<body", 1)[1]


def found(root: Path, query: str) -> list[str]:
    """Section ids a search of the book finds."""
    with IndexCache(None).open(load_book(root)) as index:
        return [hit.id for hit in index.search(query).hits]


# --- smart punctuation ------------------------------------------------------------------------


def test_smart_punctuation_is_on_by_default_as_in_mdbook(tmp_path: Path) -> None:
    root = book_with(tmp_path, '# Quotes\n\n"a" -- b... c, don\'t\n')
    page = Renderer(load_book(root)).render("page.md")
    assert "“a” – b… c, don’t" in seen(page)
    assert found(root, "don’t") == ["page.md#quotes"]


def test_book_toml_can_turn_smart_punctuation_off(tmp_path: Path) -> None:
    toml = '[book]\ntitle = "B"\n\n[output.html]\nsmart-punctuation = false\n'
    assert '"a" -- b... c' in seen(render(tmp_path, '"a" -- b... c\n', toml))


# --- includes: found, and their headings in the tree ------------------------------------------


INCLUDED = "## Included Part\n\nzanzibar quokka\n\n```rust\nfn platypus() {}\n```\n"


def test_included_text_is_found_and_its_headings_are_in_the_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = book_with(tmp_path, "# Top\n\n{{#include part.md}}\n", **{"part.md": INCLUDED})
    book = load_book(root)
    [chapter] = book.chapters()
    assert [h.anchor for h in chapter.headings] == ["top", "included-part"]
    assert found(root, "quokka") == ["page.md#included-part"]
    assert found(root, "platypus") == ["page.md#included-part"]
    assert cli.main(["toc", "--headings", str(root)]) == 0
    assert "## Included Part" in capsys.readouterr().out


def test_a_changed_included_file_is_searched_anew(tmp_path: Path) -> None:
    root = book_with(tmp_path, "# Top\n\n{{#include part.md}}\n", **{"part.md": "wombat\n"})
    cache = IndexCache(tmp_path / "cache")
    with cache.open(load_book(root)) as index:
        assert index.search("wombat").total == 1
    (root / "src" / "part.md").write_text("numbat\n", encoding="utf-8")
    with cache.open(load_book(root)) as index:
        assert index.search("numbat").total == 1 and index.search("wombat").total == 0


# --- headings ----------------------------------------------------------------------------------


def test_headings_in_block_quotes_are_in_the_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = book_with(tmp_path, "# Top\n\n> #### Keywords\n>\n> fn, let\n")
    [chapter] = load_book(root).chapters()
    assert [(h.level, h.title, h.anchor) for h in chapter.headings] == [
        (1, "Top", "top"),
        (4, "Keywords", "keywords"),
    ]
    assert cli.main(["toc", "--headings", str(root)]) == 0
    assert "#### Keywords" in capsys.readouterr().out
    assert found(root, "fn") == ["page.md#keywords"]


def test_heading_attributes_give_classes_not_part_of_the_id_or_title(tmp_path: Path) -> None:
    page = render(tmp_path, "## T {.c}\n\n## Custom {#mine .x}\n")
    assert [(h.title, h.anchor) for h in page.headings] == [("T", "t"), ("Custom", "mine")]
    assert "{.c}" not in seen(page)
    assert '<h2 id="t" class="c">' in body(page)


def test_a_link_definition_then_dashes_is_a_rule_not_a_heading(tmp_path: Path) -> None:
    page = render(tmp_path, "# Top\n\n[x]: /y\n---\n\nafter\n")
    assert [h.title for h in page.headings] == ["Top"]
    assert "<hr>" in body(page)


# --- inline syntax ----------------------------------------------------------------------------


def test_reference_links_whose_label_is_code(tmp_path: Path) -> None:
    page = render(tmp_path, "See [`Vec`].\n\n[`Vec`]: https://e.com\n")
    assert '<a href="https://e.com"><code>Vec</code></a>' in body(page)
    assert "[" not in seen(page)


def test_markdown_inside_block_html_follows_commonmark(tmp_path: Path) -> None:
    page = render(tmp_path, "<div>\n\n*em* `c<T>`\n\n</div>\n")
    assert "<em>em</em> <code>c&lt;T&gt;</code>" in body(page)
    assert "em c<T>" in seen(page) and "*" not in seen(page)


def test_details_body_markdown_is_rendered(tmp_path: Path) -> None:
    page = render(tmp_path, "<details>\n<summary>Sum</summary>\n\nbody **md**\n</details>\n")
    assert "<strong>md</strong>" in body(page)
    assert "**" not in seen(page)


def test_small_commonmark_differences(tmp_path: Path) -> None:
    text = (
        "\\<tag>\n\n"
        "a\\\nb\n\n"
        "| code |\n|---|\n| `x\\|y` |\n\n"
        "~one~ and ~~two~~\n\n"
        "3. three\n4. four\n\n"
        "repr(u*), repr(i*)\n"
    )
    page = render(tmp_path, text)
    html, words = body(page), seen(page)
    assert "<p>&lt;tag&gt;</p>" in html and "\\" not in words
    assert "a<br>" in html
    assert "<code>x|y</code>" in html
    assert "<del>one</del>" in html and "<del>two</del>" in html
    assert '<ol start="3">' in html
    assert "repr(u*), repr(i*)" in words and "<em>" not in html


# --- footnotes ----------------------------------------------------------------------------------


def test_footnotes_are_numbered_by_first_reference_unused_dropped_first_definition_kept(
    tmp_path: Path,
) -> None:
    text = (
        "# Top\n\nFirst[^b] then[^a] and again[^b].\n\n"
        "[^a]: Note A.\n[^a]: Second A.\n[^b]: Note B.\n[^c]: Never cited.\n"
    )
    root = book_with(tmp_path, text)
    page = Renderer(load_book(root)).render("page.md")
    html = body(page)
    assert re.findall(r'href="#footnote-(\w)">(\d)<', html) == [("b", "1"), ("a", "2"), ("b", "1")]
    notes = html.split('class="footnote-definition"')[1]
    assert notes.index("Note B.") < notes.index("Note A.")
    assert "Second A." not in html and "Never cited." not in html
    assert 'href="#fr-b-2"' in notes  # a back-link per reference
    assert found(root, "Note B") == ["page.md#top"]
    assert found(root, "cited") == []


def test_footnote_text_is_found_in_the_section_that_cites_it(tmp_path: Path) -> None:
    text = "# One\n\nnothing\n\n## Two\n\nclaim[^n]\n\n## Three\n\n[^n]: aardvark\n"
    assert found(book_with(tmp_path, text), "aardvark") == ["page.md#two"]


# --- code ---------------------------------------------------------------------------------------


def test_custom_hidden_lines_in_the_info_string_and_in_book_toml(tmp_path: Path) -> None:
    toml = '[book]\ntitle = "B"\n\n[output.html.code.hidelines]\npython = "~"\n'
    text = (
        "# Top\n\n```text,hidelines=!!\n!!secret one\nshown one\n```\n\n"
        "```python\n~secret two\nshown two\n```\n"
    )
    root = book_with(tmp_path, text, toml)
    words = seen(Renderer(load_book(root)).render("page.md"))
    assert "shown one" in words and "shown two" in words
    assert "secret" not in words
    assert found(root, "secret") == []


def test_a_fence_shown_in_an_indented_code_block_keeps_its_info_string(tmp_path: Path) -> None:
    page = render(tmp_path, "Write:\n\n    ```rust,ignore\n    # not hidden here\n    ```\n")
    assert "```rust,ignore # not hidden here ```" in seen(page)


def test_a_fence_in_a_list_item_is_highlighted_with_its_lines_hidden(tmp_path: Path) -> None:
    text = "1. Step\n\n   ```rust,ignore\n   # use hidden;\n   fn shown() {}\n   ```\n"
    page = render(tmp_path, text)
    assert "fn shown() {}" in seen(page) and "hidden" not in seen(page)
    assert re.search(r'<span style="[^"]*">fn</span>', body(page))  # highlighted as Rust
    assert "ignore" not in seen(page) and "```" not in seen(page)


def test_a_fence_in_a_language_pygments_lacks_is_shown_without_loading_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown language is not looked for among other packages' Pygments plugins (every
    installed package's entry points read, their modules imported: code not ours, and 50-150
    ms on the first fence in such a language)."""
    import pygments.plugin

    def no_plugins(group: str) -> object:
        raise AssertionError(f"entry points scanned for {group}")

    monkeypatch.setattr(pygments.plugin, "iter_entry_points", no_plugins)
    page = render(tmp_path, "```cmd\ndir /w\n```\n\n```toml\n[package]\n```\n")
    assert "dir /w" in seen(page) and "[package]" in seen(page)
    assert "could not be rendered" not in seen(page)


# --- the page's title, hidden elements --------------------------------------------------------


def test_title_directive_names_the_page(tmp_path: Path) -> None:
    page = render(tmp_path, "{{#title A Custom Title}}\n# Top\n")
    assert page.title == "A Custom Title"
    assert "<title>A Custom Title</title>" in page.html
    assert "{{#title" not in seen(page)


def test_hidden_elements_scripts_and_comments_are_neither_shown_nor_found(tmp_path: Path) -> None:
    text = (
        '# Top\n\nvisible words\n\n<div class="hidden">\n\nnarwhal\n\n</div>\n\n'
        '<p hidden>ocelot</p>\n\n<span style="display: none">tapir</span>\n\n'
        "<script>var axolotl = 1;</script>\n\n<!-- pangolin -->\n\nafter\n"
    )
    root = book_with(tmp_path, text)
    words = seen(Renderer(load_book(root)).render("page.md"))
    assert "visible words" in words and "after" in words
    for word in ("narwhal", "ocelot", "tapir", "axolotl", "pangolin"):
        assert word not in words
        assert found(root, word) == [], word
    assert found(root, "after") == ["page.md#top"]


# --- bad input ----------------------------------------------------------------------------------


def test_a_chapter_the_parser_fails_on_still_lets_the_book_open_and_be_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handbook.core.render import renderer as render_module
    from handbook.core.render.mdbook import chapter
    from handbook.core.search import sections

    root = write_book(
        tmp_path / "book",
        "# Summary\n\n- [Bad](bad.md)\n- [Good](good.md)\n",
        {"bad.md": "# Bad\n\nkaboom\n", "good.md": "# Good\n\nwallaby\n"},
    )
    real = chapter.parse_chapter

    def fails_on_kaboom(text: str, *args: object, **kwargs: object) -> chapter.ParsedChapter:
        if "kaboom" in text:
            raise ValueError("the parser gave up")
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    for module in (chapter, sections, render_module):
        monkeypatch.setattr(module, "parse_chapter", fails_on_kaboom)
    book = load_book(root)
    assert [c.headings for c in book.chapters()][1][0].anchor == "good"
    assert found(root, "wallaby") == ["good.md#good"]
    page = Renderer(book).render("bad.md")
    assert "could not be rendered" in page.html and "the parser gave up" in page.html
    assert page.notes


@pytest.mark.parametrize(
    "text",
    [
        "# A ![img](x.png) B\n\n## <code>x</code> and <b>y</b>\n\n## Cited[^n]\n\n[^n]: note\n",
        "Term\n: def\n\n# Term\n\n> ## Term\n\n- ## In a list\n",
        '# Top\n\n<div class="hidden">\n\n## Hidden\n\n</div>\n\n## Shown\n',
        "# A\nover\n===\n\n## Same\n\n## Same {#same}\n\n## Same\n",
    ],
    ids=["inline", "terms-quotes-lists", "hidden", "setext-repeats"],
)
def test_the_tree_has_the_pages_headings(tmp_path: Path, text: str) -> None:
    book = load_book(book_with(tmp_path, text))
    [chapter] = book.chapters()
    assert chapter.headings == Renderer(book).render("page.md").headings


def test_a_one_mb_line_is_shown_as_paragraphs_of_a_few_kb_with_every_word(tmp_path: Path) -> None:
    line = "many words on one line " * 45_000  # ~1 MB: Qt lays out one such block for ~1 s
    page = render(tmp_path, "# Top\n\n" + line + "\n")
    paragraphs = re.findall(r"<p>([^<]*)</p>", body(page))
    assert len(paragraphs) > 200 and max(len(p) for p in paragraphs) < 8_192
    assert seen(page).count("many words on one line") == 45_000
