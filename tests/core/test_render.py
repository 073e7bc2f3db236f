"""The renderer, feature by feature, on the HTML it produces (what Qt shows: tests/ui)."""

from __future__ import annotations

import importlib
import re
import threading
from pathlib import Path

import markdown
import pytest

from handbook.core.book.files import read_chapter_source
from handbook.core.book.headings import extract_headings
from handbook.core.book.load import load_book
from handbook.core.book.model import RenderedChapter
from handbook.core.render import renderer as render_module
from handbook.core.render.renderer import (
    EXTENSION_MODULES,
    MAX_CHAPTER_BYTES,
    PYGMENTS_STYLES,
    Renderer,
    make_markdown,
    render_error_page,
)
from handbook.core.render.theme import DARK, LIGHT, THEMES, PageTheme
from tests.conftest import write_book

FEATURES = Path(__file__).resolve().parent.parent / "fixtures" / "render" / "features"


def render(tmp_path: Path, text: str, theme: PageTheme = LIGHT, **files: str) -> RenderedChapter:
    """``text`` as chapter ``page.md`` of a fresh book; ``files`` are more files under src/."""
    root = write_book(
        tmp_path / "book", "# Summary\n\n- [Page](page.md)\n", {"page.md": text, **files}
    )
    return Renderer(load_book(root), theme).render("page.md")


def body(page: RenderedChapter) -> str:
    return page.html.split("<body", 1)[1]


# --- the converter ----------------------------------------------------------------------------


def test_extension_modules_import_and_styles_cover_the_themes() -> None:
    for name in EXTENSION_MODULES:
        importlib.import_module(name)
    assert {t.pygments_style for t in THEMES.values()} <= set(PYGMENTS_STYLES)


def test_make_markdown_is_a_plain_converter() -> None:
    md = make_markdown(DARK)
    assert isinstance(md, markdown.Markdown)
    assert md.convert("# Hi").startswith('<h1 id="hi"><a name="hi"></a>Hi</h1>')


# --- features ---------------------------------------------------------------------------------


def test_table(tmp_path: Path) -> None:
    html = body(render(tmp_path, "| a | b |\n|---|--:|\n| 1 | 2 |\n"))
    assert '<table class="grid" cellspacing="0">' in html
    assert "<th>a</th>" in html
    assert '<td align="right">2</td>' in html  # align, not a style that hides Qt's borders


def test_fenced_code_is_highlighted_with_inline_styles(tmp_path: Path) -> None:
    html = body(render(tmp_path, "```rust\nfn main() {}\n```\n"))
    assert re.search(r'<span style="color: #[0-9A-Fa-f]+; font-weight: bold">fn</span>', html)
    assert '<table class="code"' in html and "<pre>" in html
    assert 'class="k"' not in html  # Qt ignores Pygments' classes


def test_code_colours_follow_the_theme(tmp_path: Path) -> None:
    light = body(render(tmp_path / "l", "```rust\nfn main() {}\n```\n", LIGHT))
    dark = body(render(tmp_path / "d", "```rust\nfn main() {}\n```\n", DARK))
    assert f'bgcolor="{LIGHT.code_background}"' in light
    assert f'bgcolor="{DARK.code_background}"' in dark
    assert re.findall(r"color: #\w+", light) != re.findall(r"color: #\w+", dark)


def test_a_code_block_met_again_is_coloured_for_its_language_and_theme(tmp_path: Path) -> None:
    """Coloured blocks are kept (a block met again is not coloured anew): the same code in
    another language or theme is coloured for that one, each time."""
    code = "let x = 1; // [a]\n"
    pages = {}
    for n, (language, theme) in enumerate(
        [("rust", LIGHT), ("toml", LIGHT), ("rust", DARK), ("rust", LIGHT), ("toml", LIGHT)]
    ):
        page = body(render(tmp_path / str(n), f"```{language}\n{code}```\n", theme))
        pages.setdefault((language, theme.name), set()).add(page)
    assert all(len(seen) == 1 for seen in pages.values())
    rust, toml, dark = (pages[k].pop() for k in [("rust", "light"), ("toml", "light"),
                                                  ("rust", "dark")])  # fmt: skip
    assert len({rust, toml, dark}) == 3


def test_mdbook_info_strings_keep_their_language(tmp_path: Path) -> None:
    html = body(render(tmp_path, "```rust,ignore,does_not_compile\nfn x() {}\n```\n"))
    assert "```" not in html
    assert re.search(r'<span style="[^"]*">fn</span>', html)


def test_footnotes(tmp_path: Path) -> None:
    html = body(render(tmp_path, "Text[^a].\n\n[^a]: The note.\n"))
    assert 'href="#footnote-a"' in html and 'id="footnote-a"' in html  # mdBook's ids
    assert 'id="fr-a-1"' in html and 'href="#fr-a-1"' in html
    assert "The note." in html


def test_task_list_shows_boxes_not_inputs(tmp_path: Path) -> None:
    html = body(render(tmp_path, "- [ ] todo\n- [x] done\n"))
    assert "☐ todo" in html and "☑ done" in html
    assert "<input" not in html


def test_strikethrough(tmp_path: Path) -> None:
    html = body(render(tmp_path, "a ~~gone~~ b and H~2~O\n"))
    assert "<del>gone</del>" in html
    assert "<sub>" not in html  # mdBook has no subscript


def test_definition_list_terms_are_bold_with_mdbook_ids(tmp_path: Path) -> None:
    html = body(render(tmp_path, "# Term\n\nTerm\n:   Meaning\n"))
    assert '<dl>\n<dt id="term-1"><a name="term-1"></a><b>Term</b></dt>\n<dd>Meaning</dd>' in html


def test_python_markdown_attr_lists_are_text_as_in_mdbook(tmp_path: Path) -> None:
    html = body(render(tmp_path, 'A paragraph\n{: .note title="t" }\n'))
    assert "<p>A paragraph\n{: .note title=“t” }</p>" in html


def test_heading_anchors_match_extract_headings(tmp_path: Path) -> None:
    text = "# Intro\n\n## Same\n\n## Same\n\n### Custom {#my-id}\n\nSetext `Code` [Link](x)\n---\n"
    page = render(tmp_path, text)
    assert page.headings == extract_headings(text)
    html = body(page)
    assert '<h2 id="same-1"><a name="same-1"></a>Same</h2>' in html
    assert '<h3 id="my-id"><a name="my-id"></a>Custom</h3>' in html
    assert "{#my-id}" not in html
    assert '<a name="setext-code-link"></a>Setext <code>Code</code>' in html


def test_headings_in_quotes_are_numbered_in_document_order_as_mdbook_does(
    tmp_path: Path,
) -> None:
    page = render(tmp_path, "> ## Note\n\n## Note\n")
    assert [(h.title, h.anchor) for h in page.headings] == [("Note", "note"), ("Note", "note-1")]
    assert '<h2 id="note"><a name="note"></a>Note</h2>' in body(page).split("</blockquote>")[0]
    assert 'id="note-1"' in body(page).split("</blockquote>")[1]


@pytest.mark.parametrize("kind", ["note", "tip", "important", "warning", "caution"])
def test_alerts_become_boxes_in_their_colour(tmp_path: Path, kind: str) -> None:
    html = body(render(tmp_path, f"> [!{kind.upper()}]\n> Be **careful**.\n", DARK))
    accent = getattr(DARK, kind)
    table = re.search(r"<table [^>]*>", html)
    assert table is not None
    assert f'class="alert alert-{kind}"' in table.group()
    assert f'bgcolor="{DARK.alert_background}"' in table.group()
    assert re.search(rf'<td bgcolor="{accent}" class="alert-bar" width="4">', html)
    assert kind.capitalize() in html and "<strong>careful</strong>" in html
    assert "[!" not in html and "<blockquote>" not in html


def test_plain_quotes_stay_quotes_and_are_not_merged(tmp_path: Path) -> None:
    html = body(render(tmp_path, "> [!NOTE]\n> one\n\n> two\n\n> three\n"))
    assert html.count("<blockquote>") == 2
    assert "alert-note" in html


def test_images_keep_their_path_relative_to_the_chapter(tmp_path: Path) -> None:
    page = render(tmp_path, "![A](img/a.png)\n\n![B](../img/b.svg)\n\n<img src='c.jpg' alt='C'>\n")
    html = body(page)
    assert '<img alt="A" src="img/a.png">' in html
    assert '<img alt="B" src="../img/b.svg">' in html
    assert '<img src="c.jpg" alt="C">' in html


def test_two_space_nested_lists_nest(tmp_path: Path) -> None:
    html = body(render(tmp_path, "- fruit\n  - apple\n    - green\n  - pear\n- veg\n"))
    assert re.sub(r"\s+", "", html).count("<ul>") == 3
    assert "<li>fruit<ul>\n<li>apple<ul>\n<li>green</li>" in html
    assert "<li>veg</li>" in html


def test_ordered_list_items_with_three_space_content(tmp_path: Path) -> None:
    text = "1. one\n   more of one\n\n   ```rust\n   let x = 1;\n   ```\n2. two\n   - sub\n"
    html = re.sub(r"\s+", " ", body(render(tmp_path, text)))
    assert html.count("<ol>") == 1 and html.count("<li>") == 3
    assert '<table class="code"' in html.split("<li>")[1]  # the fence is inside item one
    assert "<ul> <li>sub</li> </ul>" in html


def test_list_after_paragraph_and_list_kinds_apart(tmp_path: Path) -> None:
    html = body(render(tmp_path, "Fruit:\n- apple\n\n1. first\n"))
    assert "<p>Fruit:</p>\n<ul>\n<li>apple</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n</ol>" in html


def test_details_summary_is_a_line_that_unfolds_the_body(tmp_path: Path) -> None:
    html = body(
        render(tmp_path, "<details>\n<summary>Answer</summary>\n\nHidden text\n</details>\n")
    )
    # the page as printed: unfolded, its summary a link that folds it in the window
    assert '<p class="details-summary"><a href="#details-0">▼ Answer</a></p>' in html
    assert "Hidden text" in html


def test_rust_book_listing_tags(tmp_path: Path) -> None:
    text = (
        '<Listing number="2-1" file-name="src/main.rs" caption="Reading `input`">\n\n'
        "```rust\nfn main() {}\n```\n\n</Listing>\n"
    )
    html = body(render(tmp_path, text))
    assert '<span class="listing-file">Filename: src/main.rs</span>' in html
    assert "<strong>Listing 2-1</strong>: Reading <code>input</code>" in html
    assert "Listing number" not in html


# --- rust code blocks -------------------------------------------------------------------------

RUST = """```rust
# use std::io;
#[derive(Debug)]
#![allow(unused)]
fn main() {
    #   hidden_indented();
    ## not hidden
    shown();
#
}
```

```python
# a python comment stays
```
"""


def test_hidden_lines_in_rust_fences(tmp_path: Path) -> None:
    text = re.sub(r"<[^>]+>", "", body(render(tmp_path, RUST)))
    assert "use std::io" not in text and "hidden_indented" not in text
    assert "#[derive(Debug)]" in text and "#![allow(unused)]" in text
    assert "    # not hidden" in text and "shown();" in text
    assert "# a python comment stays" in text


# --- includes through the renderer -----------------------------------------------------------


def test_includes_are_expanded_and_highlighted(tmp_path: Path) -> None:
    page = render(
        tmp_path,
        "```rust\n{{#rustdoc_include code.rs:main}}\n```\n\n\\{{#include code.rs}}\n",
        **{"code.rs": "// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\n"},
    )
    html = body(page)
    assert re.search(r'<span style="[^"]*">fn</span>', html)
    assert "ANCHOR" not in html
    assert "{{#include code.rs}}" in html
    assert page.notes == ()


def test_missing_include_is_a_styled_note_in_place_and_in_notes(tmp_path: Path) -> None:
    page = render(tmp_path, "Intro\n\n```rust\n{{#include ../listings/ch02/main.rs}}\n```\n")
    html = body(page)
    note = "⚠ Included file not found: listings/ch02/main.rs"
    assert f'<span style="color: {LIGHT.caution}; font-weight: bold">{note}</span>' in html
    assert page.notes == ("page.md:4: Included file not found: listings/ch02/main.rs",)


def test_include_outside_the_book_is_refused(tmp_path: Path) -> None:
    page = render(tmp_path, "{{#include ../../../../../../../etc/passwd}}\n")
    assert "root:" not in page.html
    assert "Include refused, outside the book" in body(page)
    assert len(page.notes) == 1


# --- the page ---------------------------------------------------------------------------------


def test_page_colours_come_from_the_theme(tmp_path: Path) -> None:
    for theme in (LIGHT, DARK):
        html = render(tmp_path / theme.name, "# T\n\n[link](x.md)\n", theme).html
        assert html.startswith("<!DOCTYPE html>")
        assert f"body {{ color: {theme.text}; background-color: {theme.background}; }}" in html
        assert f"a {{ color: {theme.link}; }}" in html
        assert f'<body bgcolor="{theme.background}"' in html


def test_raw_html_in_a_chapter_is_sanitized(tmp_path: Path) -> None:
    text = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        '[a](javascript:alert(1)) <a href="file:///etc/passwd">f</a>\n\n'
        '<span style="color: red; background: url(/etc/passwd)">s</span>\n'
    )
    html = body(render(tmp_path, text))
    for bad in ("<script", "alert(1)</", "onerror", "javascript:", "file:", "url("):
        assert bad not in html
    assert '<span style="color: red">s</span>' in html


def test_render_error_page_escapes_and_uses_the_theme() -> None:
    page = render_error_page("Bad <b>", "a.md:3: broken <i>", DARK)
    assert "Bad &lt;b&gt;" in page and "a.md:3: broken &lt;i&gt;" in page
    assert f'bgcolor="{DARK.background}"' in page


# --- faults: an error page, never an exception ------------------------------------------------


def test_missing_chapter_is_an_error_page(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "# Summary\n\n- [Gone](gone.md)\n", {})
    page = Renderer(load_book(root)).render("gone.md")
    assert "This chapter cannot be shown" in page.html
    assert "gone.md" in page.notes[0] and page.headings == ()


def test_undecodable_chapter_names_file_and_line(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "# Summary\n\n- [Bad](bad.md)\n", {})
    (root / "src" / "bad.md").write_bytes(b"# Fine\n\nstill fine\ncaf\xe9\n")
    page = Renderer(load_book(root)).render("bad.md")
    assert "bad.md:4" in page.notes[0]
    assert "bad.md:4" in page.html


def test_chapter_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "# Summary\n\n- [Big](big.md)\n", {})
    (root / "src" / "big.md").write_bytes(b"word " * (MAX_CHAPTER_BYTES // 5 + 1))
    page = Renderer(load_book(root)).render("big.md")
    assert "chapters over 5 MB are not shown" in page.html
    assert "big.md" in page.notes[0]


def test_chapter_path_outside_the_book_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("SECRET")
    root = write_book(tmp_path / "b", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A"})
    page = Renderer(load_book(root)).render("../../secret.md")
    assert "SECRET" not in page.html
    assert "cannot be shown" in page.html


@pytest.mark.parametrize("error", [RecursionError, ValueError])
def test_conversion_errors_become_an_error_page_and_the_next_chapter_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    root = write_book(tmp_path / "b", "# Summary\n\n- [A](a.md)\n", {"a.md": "# A\n"})
    renderer = Renderer(load_book(root))

    def broken(*args: object) -> str:
        raise error("boom")

    with monkeypatch.context() as patch:
        patch.setattr(render_module, "parse_chapter", broken)
        page = renderer.render("a.md")
    assert str(root / "src" / "a.md") in page.html
    assert page.notes and page.headings == ()
    assert renderer.render("a.md").headings[0].anchor == "a"


# --- pathological input: finishes, no exception ----------------------------------------------

MB = 1024 * 1024
PATHOLOGICAL = {
    "brackets": "[" * 8000,
    "cdata": "<![" * 4000,
    "links": "[a](" * 5000,
    "unclosed-tags": "<a \n\n" * 4000,
    "list-400-deep-2sp": "".join("  " * d + f"- item {d}\n" for d in range(400)),
    "list-400-deep-4sp": "".join("    " * d + f"- item {d}\n" for d in range(400)),
    "quote-1000-deep": "> " * 1000 + "bottom\n",
    "quote-1000-deep-tight": ">" * 1000 + " bottom\n",
    "one-mb-line": ("many words on one line " * (MB // 23 + 1))[:MB],
    "one-mb-dense-line": "*a* `b` <b>c</b> [d] " * (MB // 20),
    "deep-definitions": "a:\n:   b\n" * 4000,
    "nested-html": "<div>" * 5000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_markdown_finishes_without_exception(tmp_path: Path, name: str) -> None:
    root = write_book(
        tmp_path / "b", "# Summary\n\n- [P](p.md)\n", {"p.md": "# Top\n\n" + PATHOLOGICAL[name]}
    )
    renderer = Renderer(load_book(root))
    result: list[RenderedChapter] = []
    worker = threading.Thread(target=lambda: result.append(renderer.render("p.md")), daemon=True)
    worker.start()
    worker.join(timeout=120)  # a hang guard, not a timing: measured figures are far below
    assert result, f"{name} did not finish"
    page = result[0]
    assert page.html.startswith("<!DOCTYPE html>")
    assert page.headings or page.notes  # rendered, or an error page saying why


def test_guarded_input_still_shows_its_text(tmp_path: Path) -> None:
    page = render(tmp_path, "[" * 8000 + "\n\n" + "<![" * 4000 + "\n\n" + "word " * 200_000)
    html = body(page)
    assert html.count("[") == 8000 + 4000  # as text, cut into paragraphs of a few kB
    assert html.count("&lt;") == 4000 and "<![" not in html
    assert html.count("word") == 200_000


# --- the Rust book ----------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"(\\)?\{\{\s*#(?:include|rustdoc_include)\s")


@pytest.mark.slow
def test_rust_book_every_chapter_renders_with_its_anchors_and_notes(rust_book: Path) -> None:
    book = load_book(rust_book)
    renderer = Renderer(book)
    total_notes = total_links = 0
    for chapter in book.chapters():
        assert chapter.path is not None
        source = read_chapter_source(book, chapter.path)
        page = renderer.render(chapter.path)
        assert "could not be rendered" not in page.html, chapter.path
        assert page.headings == chapter.headings, chapter.path  # the page's are the tree's
        for heading in page.headings:
            assert f'<a name="{heading.anchor}"></a>' in page.html, (chapter.path, heading)
        links = sum(1 for m in _DIRECTIVE.finditer(source) if not m.group(1))
        assert len(page.notes) == links, chapter.path
        assert page.html.count("⚠ Included file not found: listings/") == links, chapter.path
        total_notes += len(page.notes)
        total_links += links
    assert total_links > 700 and total_notes == total_links


def test_features_fixture_renders(tmp_path: Path) -> None:
    page = Renderer(load_book(FEATURES)).render("features.md")
    assert [h.anchor for h in page.headings][:3] == ["feature-tour", "tables", "code"]
    assert page.notes == ()
