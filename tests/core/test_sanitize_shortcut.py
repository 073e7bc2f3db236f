"""The sanitizer is skipped only where it would change nothing: a chapter whose markdown holds
no raw HTML and only plainly kept URLs is what the walker wrote, in the sanitizer's own
serialization. Checked here page by page: whenever the shortcut is taken, the page is byte for
byte what ``sanitize`` makes of it; hostile pages are sanitized."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.render.mdbook.chapter import parse_chapter
from handbook.core.render.mdbook.walker import plain_url
from handbook.core.render.renderer import Renderer
from handbook.core.render.sanitize import sanitize
from handbook.core.render.theme import DARK, LIGHT
from tests.conftest import GUIDE, RUST_BOOK, write_book
from tests.helpers.oracle_books import write_fixture_book

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "render"

HOSTILE = {
    "links.md": "# Links\n\n[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) "
    "[data](data:text/html,<b>x</b>) [vb](vbscript:msgbox) [file](file:///etc/passwd) "
    "[weird](x-weird+s.ch:thing) [ws](<java\tscript:alert(1)>) [sp](< javascript:x>) "
    "[ok](https://example.com/a?b=1&c=2#d) [mail](mailto:a@b.c) <https://e.com/x> "
    "<a@b.c> [rel](other.md#sec) [q](a\"b'c.md) [host](http://999.999.999.999/) "
    '[empty host](http://) [port](http://e.com:99999/) [t](x.md "a \\"title\\" \'q\'")\n',
    "images.md": "# Images\n\n![data](data:image/png;base64,AAAA) ![js](javascript:x) "
    '![file](file:///etc/passwd) ![ok](pic.png "a title") ![web](https://e.com/p.png) '
    "![nb](a\u00a0b.png)\n",
    "headings.md": "# Attrs {#my-id .cls key=val onclick=alert(1)}\n\n"
    '## Quote "q" & <x> {#q&a .a .b}\n\n## Plain\u00a0space\n\n### {#empty}\n\ntext\n',
    "text.md": '# Text\n\nA\u00a0b & c < d > e "f" \'g\' `code "&" <x>` $x<y$\n\n'
    "```rust\nlet s = \"a\u00a0'b'\" & <T>;\n```\n\n```\n\nstarts with a blank line\n```\n\n"
    "```unknown\n\"quoted\" 'single' <tag>\n```\n\n"
    '> [!WARNING]\n> Careful "now".\n\n| a | b |\n|:--|--:|\n| "x" | <y> |\n\n'
    'Term\n: Definition "d"\n\n- [x] done\n- [ ] not\n\n'
    'Note[^n "x"] [link [^n "x"]](y.md)\n\n'
    '[^n "x"]: The note.\n\nline\\\nbreak\n\n---\n\n~~gone~~\n',
    "raw.md": "# Raw\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
    'Some <span style="color: red; background: url(x)">inline</span> HTML.\n',
    "crlf.md": "# CRLF\r\n\r\nLine one\r\nline two\r\n\r\n```\r\ncode\r\n```\r\n",
}


def hostile_book(root: Path) -> Path:
    summary = "# Summary\n\n" + "".join(f"- [{p[:-3]}]({p})\n" for p in HOSTILE)
    return write_book(root, summary, HOSTILE)


def chapters_checked(book: Book) -> int:
    """The pages taken by the shortcut (each chapter in two themes): every page taken is what
    sanitize makes of it."""
    shortcut = 0
    for theme in (LIGHT, DARK):
        renderer = Renderer(book, theme=theme)
        for chapter in book.chapters():
            if not chapter.path:
                continue
            source = renderer._read(chapter.path).text  # after its includes, as rendered
            page = parse_chapter(source, book.markdown, theme)
            if not page.needs_sanitizer:
                shortcut += 1
                assert page.html == sanitize(page.html), chapter.path
    return shortcut


def test_the_rust_book_pages_without_the_sanitizer_are_what_it_makes() -> None:
    if not (RUST_BOOK / "src" / "SUMMARY.md").is_file():
        pytest.skip(f"the Rust book is not at {RUST_BOOK}")
    # the shortcut is taken, and checked (most chapters have listings: raw HTML, sanitized)
    assert chapters_checked(load_book(RUST_BOOK)) > 0


def test_the_guide_pages_without_the_sanitizer_are_what_it_makes() -> None:
    assert chapters_checked(load_book(GUIDE)) > 0


@pytest.mark.parametrize("name", ["features", "includes"])
def test_the_fixture_books_pages_without_the_sanitizer_are_what_it_makes(name: str) -> None:
    chapters_checked(load_book(FIXTURES / name))


def test_the_oracle_fixture_book(tmp_path: Path) -> None:
    chapters_checked(load_book(write_fixture_book(tmp_path / "book")))


def test_hostile_pages_are_sanitized_and_the_rest_is_what_the_sanitizer_makes(
    tmp_path: Path,
) -> None:
    book = load_book(hostile_book(tmp_path / "book"))
    chapters_checked(book)
    for name in ("links.md", "images.md", "raw.md"):
        page = parse_chapter((book.src / name).read_text(), book.markdown, LIGHT)
        assert page.needs_sanitizer, name
    rendered = Renderer(book).render("links.md").html
    assert "javascript" not in rendered.lower() and "data:" not in rendered
    assert 'href="https://example.com/a?b=1&amp;c=2#d"' in rendered
    rendered = Renderer(book).render("images.md").html
    assert "data:" not in rendered and "file:" not in rendered and "pic.png" in rendered


def test_only_plainly_kept_urls_skip_the_sanitizer() -> None:
    kept = ["a.md", "#x", "../b/c.md?x=1#y", "https://e.com", "HTTP://E.com:8080/p", "mailto:a"]
    for url in kept:
        assert plain_url(url), url
    sent = ["javascript:x", "data:x", " http://e.com", "java\tscript:x", "http://", "x:y",
            "http://1.2.3.4/", "http://e.com:99999/", "file:///etc/passwd", "a b.md"]  # fmt: skip
    for url in sent:
        assert not plain_url(url), url


# Raw HTML, each alone on a page: where the page skips the sanitizer, it must be what the
# sanitizer makes of it; plain phrasing elements written as the sanitizer writes them do skip it.
RAW_PAGES = {
    "span": 'A <span class="filename">Filename: src/main.rs</span> b.',
    "old anchors": '<!-- Old headings. Do not remove. -->\n<a id="x"></a>\n<a id="y"></a>',
    "comments": "a <!-- b --> c\n\n<!-- block -->\n\n<!--\nmulti\n-->\n\nd <!-->e<!--->f",
    "unterminated comment": "a\n\n<!-- never closed\n\nb <span>c</span>",
    "kbd and friends": "<kbd>Ctrl</kbd> <code>x</code> <sup>1</sup> <sub>2</sub> <q>q</q> <b>b</b>",
    "br": "a<br>b",
    "br forms": "a<br>b <br/> c <br > d",
    "heading span": '## A <span id="s">b</span> c\n\ntext',
    "table span": '| a | b |\n|---|---|\n| <span class="x">1</span> | <kbd>k</kbd> |',
    "footnote span": 'x[^1]\n\n[^1]: A <span class="n">note</span>.',
    "misnested with emphasis": "*a <span>b* c</span> d",
    "misnested raw em": "<em>*x</em>* and <b>a <i>b</b> c</i>",
    "unclosed across paragraphs": "<b>bold\n\nnext paragraph</b>",
    "stray end": "a </span> b </a> c",
    "link in raw link": '<a href="x.md">[in](y.md)</a> and <a id="o"><a id="i">x</a></a>',
    "raw link in link": '[out <a href="z.md">in</a>](y.md) and x[^n] <a id="a">[^n]</a>\n\n'
    "[^n]: note",
    "raw link urls": '<a href="https://e.com/a?b=1">ok</a> <a href="javascript:x">js</a> '
    '<a href="data:x">d</a> <a href="a b.md">sp</a> <a name="n">n</a>',
    "attribute forms": '<span class=x>1</span> <span  class="x">2</span> <span class="x" >3</span>'
    " <span class='x'>4</span> <SPAN>5</SPAN> <span CLASS=\"x\">6</span>"
    ' <span class="a" class="b">7</span> <span title="a&amp;b">8</span>'
    ' <span title="a\u00a0b">9</span> <span title="">10</span>',
    "attributes kept or not": '<span style="color: red">1</span> <span style="color:red">2</span>'
    ' <span onclick="x()">3</span> <span data-x="1">4</span> <span align="left">5</span>'
    ' <code lang="en" dir="rtl">6</code>',
    "entities in text": "<span>a &amp; b &nbsp; c &lt;d&gt; &quot;e&quot;</span>",
    "html block span": '<span class="x">\n\ntext *em*\n\n</span>',
    "html block text": "<!-- c --> trailing text & more\u00a0here",
    "html block plain text": "<!-- c --> trailing \"text\" & 'more'\n\nnext",
    "declarations": "<?php echo 1; ?>\n\n<!DOCTYPE html>\n\n<![CDATA[ x < y ]]>\n\na <?pi?> b",
    "blocks": "<div>a</div>\n\nx <div>b</div> y\n\n<p>p</p>\n\n<details><summary>s</summary>d"
    "</details>",
    "hidden": '<span class="hidden">secret</span> shown <span hidden>gone</span>'
    ' <span style="display: none">none</span>',
    "scripts": "a <script>alert(1)</script> b <style>p {}</style> c",
    "images": '<img src="a.png"> <img alt="x" src="b.png" /> <img src=x onerror=alert(1)>',
    "unknown elements": "<foo>a</foo> <Listing>b</Listing> <font color=red>c</font> <nobr>d</nobr>",
    "deep": "<span>" * 60 + "x" + "</span>" * 60,
    "formatting runs": "<b><b><b><b>x</b></b></b></b> <i>a <b>b</b> c</i>",
}


@pytest.mark.parametrize("name", list(RAW_PAGES))
def test_raw_html_pages_without_the_sanitizer_are_what_it_makes(name: str) -> None:
    for theme in (LIGHT, DARK):
        page = parse_chapter(f"# Raw\n\n{RAW_PAGES[name]}\n", theme=theme)
        if not page.needs_sanitizer:
            assert page.html == sanitize(page.html)


def test_plain_raw_html_skips_the_sanitizer_and_the_rest_does_not() -> None:
    skips = {name for name, text in RAW_PAGES.items() if not parse_chapter(text, theme=LIGHT)
             .needs_sanitizer}  # fmt: skip
    assert {"span", "old anchors", "comments", "kbd and friends", "br", "heading span",
            "table span", "footnote span", "unclosed across paragraphs", "stray end",
            "misnested with emphasis", "hidden", "deep",
            "html block plain text"} <= skips  # fmt: skip
    # each of these the sanitizer changes
    assert not skips & {"br forms", "link in raw link", "raw link in link", "raw link urls",
                        "attribute forms", "attributes kept or not", "html block text",
                        "blocks", "scripts", "images", "unknown elements"}  # fmt: skip
