"""MkDocs sites: the nav in every shape (MkDocs itself is the oracle), nothing from the site
runs, the allowed extensions render, links resolve, bad configurations open where they can."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest

from handbook.commands.toc import toc_lines
from handbook.core.book.load import load_book, open_book
from handbook.core.book.model import Book, BookError
from handbook.core.render.mkdocs import SiteRenderer
from tests.conftest import SHARED

MKDOCS_DOCS = SHARED / "corpora" / "mkdocs-docs"


def site(root: Path, config: str, pages: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def page_text(book: Book, path: str) -> str:
    """What a reader sees of a page: its HTML without tags, entities resolved."""
    body = SiteRenderer(book).render(path).html.split("<body", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# --- the oracle ---


def mkdocs_tree(root: Path) -> list[str]:
    """The tree MkDocs 1.6 builds for the site, as toc_lines prints ours (a section whose first
    entry is its index page shown as that page, with the rest beneath)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import Link, Page, Section, get_navigation

    config = load_config(str(root / "mkdocs.yml"))
    files = get_files(config)
    nav = get_navigation(files, config)
    for page in nav.pages:
        page.read_source(config)

    def title(item: Any) -> str:
        return str(item.title)

    def lines(items: list[Any], depth: int) -> list[str]:
        out: list[str] = []
        for item in items:
            children = list(item.children) if isinstance(item, Section) else []
            first = children[0] if children else None
            if isinstance(first, Page) and first.file.name == "index" and first.is_index:
                out.append("  " * depth + (title(item) or title(first)))
                out.extend(lines(children[1:], depth + 1))
            elif isinstance(item, (Page, Link)) or not children:
                out.append("  " * depth + title(item))
            else:
                out.append("  " * depth + title(item))
                out.extend(lines(children, depth + 1))
        return out

    return lines(list(nav.items), 0)


PAGES = {
    "index.md": "# Welcome\n\nHello.\n",
    "about.md": "Some text first\n\n# Not the title\n",
    "install-guide.md": "## Second level only\n",
    "meta.md": "---\ntitle: From Metadata\n---\n\n# Heading\n",
    "guide/index.md": "# The Guide\n",
    "guide/first.md": "# First Step\n",
    "guide/second_step.md": "text\n",
    "guide/deeper/leaf.md": "# Leaf\n",
    "api/README.md": "# API\n",
    "api/calls.md": "# Calls\n",
    "Zebra.md": "# Zebra\n",
    "drafts/wip.md": "# Work in progress\n",
    "hidden.md": "# Not in nav\n",
    "skip.md": "# Excluded\n",
}


@pytest.mark.parametrize(
    "nav",
    [
        pytest.param("", id="no-nav"),
        pytest.param(
            """nav:
  - index.md
  - Install: install-guide.md
  - about.md
  - Guide:
    - guide/index.md
    - guide/first.md
    - Second: guide/second_step.md
    - Deeper:
      - guide/deeper/leaf.md
  - API:
    - Calls: api/calls.md
  - meta.md
  - The Source: https://example.com/source/
""",
            id="nav-shapes",
        ),
    ],
)
def test_the_tree_is_the_one_mkdocs_builds(tmp_path: Path, nav: str) -> None:
    config = (
        "site_name: Test Site\nexclude_docs: |\n  skip.md\ndraft_docs: |\n  drafts/\n"
        "not_in_nav: |\n  hidden.md\n" + nav
    )
    root = site(tmp_path / "s", config, PAGES)
    book = load_book(root)
    assert book.format == "mkdocs"
    assert book.title == "Test Site"
    assert toc_lines(book.toc) == mkdocs_tree(root)
    lines = toc_lines(book.toc)
    for gone in ("Excluded", "Work in progress"):  # exclude_docs, draft_docs
        assert gone not in lines


def test_a_nav_link_is_listed_with_its_url(tmp_path: Path) -> None:
    config = "site_name: S\nnav:\n  - Home: index.md\n  - Source: https://example.com/x/\n"
    book = load_book(site(tmp_path / "s", config, {"index.md": "# Home\n"}))
    link = book.toc[1]
    assert (link.title, link.url, link.path) == ("Source", "https://example.com/x/", None)


def test_a_folder_entry_lists_that_folders_pages(tmp_path: Path) -> None:
    config = "site_name: S\nnav:\n  - Home: index.md\n  - User Guide: guide/\n"
    book = load_book(site(tmp_path / "s", config, PAGES))
    lines = toc_lines(book.toc)
    assert lines[:4] == ["Home", "User Guide", "  First Step", "  Second step"]
    assert "    Leaf" in lines


# --- the MkDocs documentation end to end ---


@pytest.fixture
def mkdocs_docs() -> Path:
    if not (MKDOCS_DOCS / "mkdocs.yml").is_file():
        pytest.skip(f"MkDocs' documentation is not at {MKDOCS_DOCS} (../shared is absent)")
    return MKDOCS_DOCS


def test_mkdocs_docs_tree_matches_its_nav(mkdocs_docs: Path) -> None:
    book = load_book(mkdocs_docs)
    # nav: Home, Getting Started, User Guide: user-guide/ (literate-nav: its README.md's list),
    # Developer Guide: dev-guide/, About: [...]
    assert toc_lines(book.toc) == [
        "Home",
        "Getting Started",
        "User Guide",
        "  Installation",
        "  Writing Your Docs",
        "  Choosing Your Theme",
        "  Customizing Your Theme",
        "  Localizing Your Theme",
        "  Configuration",
        "  Command Line Interface",
        "  Deploying Your Docs",
        "Developer Guide",
        "  Themes",
        "  Translations",
        "  Plugins",
        "  API Reference",
        "About",
        "  Release Notes",
        "  Contributing",
        "  License",
    ]
    assert book.title == "MkDocs"


def test_mkdocs_docs_every_page_renders_without_raw_syntax(mkdocs_docs: Path) -> None:
    book = load_book(mkdocs_docs)
    renderer = SiteRenderer(book)
    for chapter in book.chapters():
        assert chapter.path is not None
        page = renderer.render(chapter.path)
        text = page_text(book, chapter.path)
        assert "could not be rendered" not in page.html, chapter.path
        for raw in ("!!!", "???", "--8<--"):
            assert raw not in text, (chapter.path, raw)
        assert not re.search(r"^\s*===", text, re.MULTILINE), chapter.path
        # the tree's anchors are on the page (the page may have more: headings in lists)
        page_anchors = [h.anchor for h in page.headings]
        assert [h.anchor for h in chapter.headings if h.anchor in page_anchors] == [
            h.anchor for h in chapter.headings
        ], chapter.path


def test_mkdocs_docs_links_resolve_to_pages(mkdocs_docs: Path) -> None:
    book = load_book(mkdocs_docs)
    renderer = SiteRenderer(book)
    links = 0
    for chapter in book.chapters():
        assert chapter.path is not None
        for href in re.findall(r'href="([^"]+)"', renderer.render(chapter.path).html):
            href = html.unescape(href)
            if re.match(r"[a-z]+:", href) or href.startswith("#"):
                continue
            path, _, anchor = href.partition("#")
            if not path.endswith(".md"):
                continue
            base = "" if path.startswith("/") else posixpath.dirname(chapter.path)
            target = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
            node = book.chapter(target)
            assert node is not None, (chapter.path, href)
            if anchor:
                target_page = renderer.render(target)
                if any("snippet" in note for note in target_page.notes):
                    continue  # about/contributing.md is a snippet of a file not in the corpus
                if target == "user-guide/cli.md":
                    continue  # written by mkdocs-click, an extension that runs code: not read
                anchors = {h.anchor for h in target_page.headings}
                on_page = anchor in anchors or f'id="{anchor}"' in target_page.html
                assert on_page, (chapter.path, href)
            links += 1
    assert links > 50


# --- nothing from the site runs ---

HOSTILE = """site_name: Hostile
hooks:
  - hooks.py
plugins:
  - evil_plugin
markdown_extensions:
  - evil_ext
  - admonition
  - toc:
      slugify: !!python/object/apply:os.system ["touch {marker}"]
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:evil_ext.run
extra: !!python/object/new:evil_ext.Thing [1]
nav:
  - Home: index.md
"""


def test_nothing_from_the_site_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('ran')\ndef run(*a, **k):\n    return ''\n"
    root = site(
        tmp_path / "s",
        HOSTILE.format(marker=marker),
        {"index.md": "# Home\n\n!!! note\n    Safe.\n\n```mermaid\ngraph\n```\n"},
    )
    for name in ("hooks.py", "evil_ext.py", "evil_plugin.py"):
        (root / name).write_text(code, encoding="utf-8")
        (root / "docs" / name).write_text(code, encoding="utf-8")
    monkeypatch.chdir(root)
    book = load_book(root)
    text = page_text(book, "index.md")
    assert "Safe." in text and "graph" in text
    assert not marker.exists()
    assert any("evil_ext" in str(p) for p in book.problems)


# --- the allowed extensions ---

EXTENSIONS = """site_name: Extensions
markdown_extensions:
  - admonition
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tabbed
  - pymdownx.blocks.tab
  - pymdownx.snippets
  - attr_list
  - def_list
  - footnotes
  - tables
  - toc:
      permalink: true
  - abbr
  - md_in_html
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.mark
  - pymdownx.tilde
  - pymdownx.caret
  - pymdownx.keys
  - pymdownx.betterem
  - pymdownx.smartsymbols
  - pymdownx.emoji
  - pymdownx.arithmatex
"""

FEATURES = """# Features

!!! warning "Mind the step"
    Admonition body.

??? note "Folded title"
    Folded body.

???+ tip "Open title"
    Open body.

=== "First tab"

    First tab body.

=== "Second tab"

    Second tab body.

/// tab | Block tab
Block tab body.
///

```mermaid
graph LR
```

--8<-- "docs/snippet.txt"

--8<-- "../outside.txt"

Term
:   Definition body.

A footnote[^1] and ==marked== and ~~gone~~ and ^^inserted^^ and ++ctrl+alt+del++ and :smile:
and (c) and the HTML spec.

*[HTML]: Hyper Text Markup Language

[^1]: Footnote body.

| a | b |
|---|---|
| 1 | 2 |

## Custom { #custom-id }

<div markdown>
*inside html*
</div>

$x^2$
"""


def test_allowed_extensions_render(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("SECRET OUTSIDE", encoding="utf-8")
    root = site(tmp_path / "s", EXTENSIONS, {"index.md": FEATURES, "snippet.txt": "Snipped in."})
    book = load_book(root)
    page = SiteRenderer(book).render("index.md")
    text = page_text(book, "index.md")
    for shown in (
        "Mind the step", "Admonition body.", "Folded title", "Folded body.", "Open body.",
        "First tab", "First tab body.", "Second tab", "Second tab body.", "Block tab",
        "Block tab body.", "graph LR", "Snipped in.", "Definition body.", "Footnote body.",
        "marked", "inserted", "Ctrl", "😄", "©",
    ):  # fmt: skip
        assert shown in text, shown
    for raw in ("!!!", "???", "===", "--8<--", "///", ":smile:", "==marked==", "SECRET"):
        assert raw not in text, raw
    assert "⚠ Snippet not found in the site: ../outside.txt" in text
    assert page.notes == (
        "index.md: snippet '../outside.txt' is not in the site's folder; it is left out",
    )
    assert "<del>gone</del>" in page.html
    assert 'id="custom-id"' in page.html or 'name="custom-id"' in page.html
    assert "custom-id" in {h.anchor for h in book.chapters()[0].headings}
    assert "¶" not in text  # toc's permalink is decoration, not text to read


def test_links_as_mkdocs_resolves_them(tmp_path: Path) -> None:
    pages = {
        "index.md": "# Home\n\n[a](guide/a.md#part) [b](guide/) [c](other/) [d](README.md)\n",
        "guide/index.md": "# Guide\n",
        "guide/a.md": "# A\n\n## Part\n\n[up](../) [sib](../b/) [home](../index.md)\n",
        "b.md": "# B\n",
        "other/README.md": "# Other\n",
    }
    book = load_book(site(tmp_path / "s", "site_name: L\n", pages))
    renderer = SiteRenderer(book)
    home = renderer.render("index.md").html
    assert 'href="guide/a.md#part"' in home
    assert 'href="/guide/index.md"' in home
    assert 'href="/other/README.md"' in home
    a = renderer.render("guide/a.md").html
    assert 'href="/guide/index.md"' in a  # ../ from the page's URL guide/a/
    assert 'href="/b.md"' not in a and 'href="/guide/b.md"' not in a  # ../b/ is guide/b/: none


# --- bad input ---


def test_bad_yaml_names_the_line_and_the_site_opens(tmp_path: Path) -> None:
    root = site(tmp_path / "s", "site_name: S\nnav:\n  - Home: index.md\n   bad: [\n", PAGES)
    book = load_book(root)
    problem = book.problems[0]
    assert problem.file.name == "mkdocs.yml" and problem.line in (3, 4, 5)
    assert "not valid YAML" in problem.message
    assert "Welcome" in toc_lines(book.toc)


def test_a_missing_nav_page_is_named_with_its_line(tmp_path: Path) -> None:
    config = "site_name: S\nnav:\n  - Home: index.md\n  - Gone: gone.md\n"
    book = load_book(site(tmp_path / "s", config, PAGES))
    assert [str(p).split("mkdocs.yml:")[1] for p in book.problems] == [
        "4: nav: page 'gone.md' is not in docs_dir"
    ]
    assert toc_lines(book.toc)[0] == "Home"


def test_docs_dir_outside_the_site_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.md").write_text("# Secret\n", encoding="utf-8")
    book = load_book(site(tmp_path / "s", "site_name: S\ndocs_dir: ../elsewhere\n", PAGES))
    assert "Secret" not in toc_lines(book.toc)
    assert any("outside the site" in p.message for p in book.problems)


def test_a_symlink_loop_in_docs(tmp_path: Path) -> None:
    root = site(tmp_path / "s", "site_name: S\n", {"index.md": "# Home\n"})
    (root / "docs" / "loop").symlink_to(root / "docs")
    (root / "docs" / "self.md").symlink_to(root / "docs" / "self.md")
    book = load_book(root)
    assert toc_lines(book.toc)[0] == "Home"


def test_ten_thousand_nav_entries(tmp_path: Path) -> None:
    nav = "".join(f"  - Page {i}: p{i}.md\n" for i in range(10_000))
    pages = {f"p{i}.md": f"# P{i}\n" for i in range(10_000)}
    book = load_book(site(tmp_path / "s", "site_name: S\nnav:\n" + nav, pages))
    assert len(book.chapters()) == 10_000


def test_a_yaml_bomb_is_bounded(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    bomb += "site_name: Bomb\nnav:\n  - *i\n  - Home: index.md\nmarkdown_extensions: *i\n"
    book = load_book(site(tmp_path / "s", bomb, {"index.md": "# Home\n"}))
    assert book.title == "Bomb"
    assert any("more than" in p.message for p in book.problems)


def test_a_site_with_no_page_is_refused(tmp_path: Path) -> None:
    root = site(tmp_path / "s", "site_name: S\n", {})
    with pytest.raises(BookError, match="no pages"):
        load_book(root)


def test_a_page_of_a_site_opens_the_site_there(tmp_path: Path) -> None:
    root = site(tmp_path / "s", "site_name: S\n", PAGES)
    book, start = open_book(f"{root / 'docs' / 'guide' / 'first.md'}#first-step")
    assert (book.format, start) == ("mkdocs", "guide/first.md#first-step")
    assert open_book(root / "mkdocs.yml")[0].format == "mkdocs"


def test_pathological_markdown_in_a_page_shows_as_text(tmp_path: Path) -> None:
    """'[' * 8000 took Python-Markdown 13.6 s: the same guards as mdBook chapters apply."""
    root = site(tmp_path / "s", EXTENSIONS, {"index.md": "# Home\n\n" + "[" * 8000 + "\n"})
    book = load_book(root)
    page = SiteRenderer(book).render("index.md")
    assert "[" * 100 in page.html
    assert "could not be rendered" not in page.html


def test_search_results_land_on_the_pages_anchors(tmp_path: Path) -> None:
    """Headings MkDocs and mdBook slug differently (toc's '_1', accents) land where they say;
    the index reads admonitions, tabs and metadata as the page shows them."""
    from handbook.core.search.index import IndexCache

    pages = {
        "index.md": "---\ntitle: Front\n---\n\n# Café Guide\n\n## Setup\n\nOne.\n\n## Setup\n\n"
        '!!! warning "Careful now"\n    Zebrafish in the admonition.\n\n'
        '=== "Tab label"\n\n    Tabbed quokka.\n',
    }
    book = load_book(site(tmp_path / "s", EXTENSIONS, pages))
    page = SiteRenderer(book).render("index.md")
    on_page = {h.anchor for h in page.headings}
    index = IndexCache(None).open(book)
    try:
        for query in ("zebrafish", "quokka", "careful", "setup", "café"):
            hits = index.search(query).hits
            assert hits, query
            for hit in hits:
                assert hit.anchor is None or hit.anchor in on_page, (query, hit.anchor, on_page)
                assert "!!!" not in hit.snippet and "===" not in hit.snippet
                assert "title: Front" not in hit.snippet
        assert "setup_1" in {h.anchor for h in index.search("setup").hits}
    finally:
        index.close()


def test_headings_nested_in_lists_and_admonitions_are_in_the_tree(tmp_path: Path) -> None:
    """The tree lists the headings the page shows, with the ids ``toc`` gives them (so that
    page.md#anchor lands), also those inside a list item or an admonition."""
    page = (
        "# Steps\n\n"
        "1. First\n\n    ## Install it\n\n    Text.\n\n"
        "2. Second\n\n    ### Run it {#run}\n\n"
        "!!! note\n\n    ## Inside a note\n\n"
        "## After\n\n"
        "```\n    # a comment in code\n```\n"
    )
    config = "site_name: S\nmarkdown_extensions:\n  - admonition\n  - attr_list\n  - toc\n"
    book = load_book(site(tmp_path / "s", config, {"index.md": page}))
    node = book.chapter("index.md")
    assert node is not None
    rendered = SiteRenderer(book).render("index.md")
    tree = [(h.level, h.title, h.anchor) for h in node.headings]
    assert tree == [
        (1, "Steps", "steps"),
        (2, "Install it", "install-it"),
        (3, "Run it", "run"),
        (2, "Inside a note", "inside-a-note"),
        (2, "After", "after"),
    ]
    assert tree == [(h.level, h.title, h.anchor) for h in rendered.headings]
    for _level, _title, anchor in tree:
        assert f'id="{anchor}"' in rendered.html
    assert [h.line for h in node.headings] == [1, 5, 11, 15, 17]
    _book, section = open_book(tmp_path / "s" / "docs" / "index.md#run")
    assert section == "index.md#run"


def test_raw_html_images_are_found_from_the_pages_url(tmp_path: Path) -> None:
    """MkDocs leaves raw HTML as written, so its authors write an image's path from the page's
    URL (``guide/theme.md`` is at ``guide/theme/``): the page shows it (MkDocs' own docs do)."""
    pages = {
        "index.md": "# Home\n",
        "guide/theme.md": '# Theme\n\n<div><img src="../../img/a.png" alt="raw"></div>\n\n'
        "![md](../img/a.png)\n",
        "guide/index.md": '# Guide\n\n<img src="../img/a.png" alt="raw">\n',
    }
    root = site(tmp_path / "s", "site_name: S\n", pages)
    (root / "docs" / "img").mkdir()
    (root / "docs" / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    book = load_book(root)
    theme = SiteRenderer(book).render("guide/theme.md").html
    assert re.findall(r'<img[^>]*src="([^"]*)"', theme) == ["../img/a.png", "../img/a.png"]
    guide = SiteRenderer(book).render("guide/index.md").html
    assert re.findall(r'<img[^>]*src="([^"]*)"', guide) == ["../img/a.png"]


def test_a_comment_in_indented_code_costs_no_conversion_at_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a page with a heading indented outside code is converted to list its headings:
    a ``# comment`` in a fence inside a list is not one (MkDocs' docs opened 7x slower)."""
    import handbook.core.render.mkdocs as mkdocs_render

    calls: list[object] = []
    real = mkdocs_render.make_site_markdown
    monkeypatch.setattr(mkdocs_render, "make_site_markdown", lambda *a: calls.append(a) or real(*a))
    page = "# Code\n\n1. Step\n\n    ```python\n    # a comment\n    x = 1\n    ```\n\n## End\n"
    book = load_book(site(tmp_path / "s", "site_name: S\n", {"index.md": page}))
    node = book.chapter("index.md")
    assert node is not None
    assert [h.title for h in node.headings] == ["Code", "End"]
    assert calls == []
