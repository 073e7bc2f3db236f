"""Formulas drawn as SVG without a network: in the page's colour, bounded, never raising."""

from __future__ import annotations

import base64
import html
import re
import time
from pathlib import Path

import pytest

from handbook.core.render import formula
from handbook.core.render.formula import (
    DATA_URL_PREFIX,
    draw,
    formula_html,
    is_formula_image,
    typeset_math,
)
from handbook.core.render.theme import DARK, LIGHT, PageTheme


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_a_formula_is_drawn_as_paths_in_the_page_colour(theme: object) -> None:
    image = draw(r"\frac{a}{b} + \sqrt{x^2 + y^2}", False, theme.text)  # type: ignore[attr-defined]
    assert image.problem is None and image.svg is not None
    assert "<path" in image.svg
    assert theme.text in image.svg  # type: ignore[attr-defined]
    assert "<use" not in image.svg and "<symbol" not in image.svg  # Qt draws neither


def test_the_page_holds_the_image_with_its_tex_as_alt_and_title() -> None:
    page = formula_html(r"E = mc^2", False, LIGHT.text, LIGHT.caution)
    src = re.search(r'src="([^"]+)"', page)
    assert src is not None and is_formula_image(src.group(1))
    assert 'alt="E = mc^2"' in page and 'title="E = mc^2"' in page


def images(page: str) -> list[str]:
    """The TeX of each formula image on ``page``, in order."""
    return [html.unescape(alt) for alt in re.findall(r'<img src="data:[^"]+" alt="([^"]*)"', page)]


def test_mathjax_delimiters_become_formulas_outside_code() -> None:
    body = (
        r"<p>Inline \( x^2 &lt; y \) and <code>\(not\)</code></p>"
        "\n<p>\\[ \\frac{a}{b} \\]</p>\n<pre><code>\\(x\\)</code></pre>"
    )
    page = typeset_math(body, LIGHT.text, LIGHT.caution, delimiters=True)
    assert images(page) == ["x^2 < y", r"\frac{a}{b}"]
    assert r"<code>\(not\)</code>" in page and r"<pre><code>\(x\)</code></pre>" in page
    assert '<p align="center"><img ' in page  # the display formula, centred on its own line


def test_without_mathjax_support_delimiters_stay_text() -> None:
    body = r"<p>Inline \( x^2 \) stays.</p>"
    assert typeset_math(body, LIGHT.text, LIGHT.caution, delimiters=False) == body


def test_formulas_marked_by_the_parser_are_drawn() -> None:
    body = '<p>m <code class="math">a+b</code></p><p><code class="math display">c</code></p>'
    page = typeset_math(body, DARK.text, DARK.caution, delimiters=False)
    assert images(page) == ["a+b", "c"]
    assert page.endswith('</p><p align="center"><img ' + page.rsplit("<img ", 1)[1])


@pytest.mark.parametrize("tex", [r"\frac{", r"\left(", "", "x" * (formula.MAX_TEX_CHARS + 1)])
def test_a_formula_that_cannot_be_drawn_shows_its_tex_and_a_note(tex: str) -> None:
    page = formula_html(tex, False, LIGHT.text, LIGHT.caution)
    assert "<img" not in page
    assert f"<code>{tex.strip()}</code>" in page
    assert "⚠ formula not shown:" in page
    assert LIGHT.caution in page


def test_a_formula_that_takes_too_long_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formula, "TIME_LIMIT_S", 0.0)
    formula._draw_cached.cache_clear()
    image = draw(r"\int_0^1 x^{2} \, dx = \frac{1}{3} \quad \text{slow}", True, "#000000")
    formula._draw_cached.cache_clear()
    assert image.svg is None
    assert image.problem is not None and "took more than" in image.problem


def test_a_formula_waiting_for_a_busy_processor_is_still_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limit is the drawing thread's CPU time: a formula whose thread waits (for the
    processor on a loaded machine; here in a sleep) longer than the limit is drawn all the same
    (a wall-clock limit showed it as its TeX, and cached that for the session)."""
    from ziamath.zmath import Latex

    draw(r"x^2", False, "#000000")  # the font loaded: the next drawing costs little CPU
    drawn = Latex.svg

    def svg_after_a_wait(self: Latex) -> str:
        time.sleep(0.6)  # no CPU used
        return drawn(self)

    monkeypatch.setattr(Latex, "svg", svg_after_a_wait)
    monkeypatch.setattr(formula, "TIME_LIMIT_S", 0.5)
    formula._draw_cached.cache_clear()
    image = draw(r"\sqrt{a^2 + b^2} \quad \text{waited}", False, "#000000")
    formula._draw_cached.cache_clear()
    assert image.problem is None and image.svg is not None and "<path" in image.svg


def test_tex_is_escaped_in_the_page() -> None:
    page = formula_html(r'a < b \text{"<script>"}', False, LIGHT.text, LIGHT.caution)
    assert "<script>" not in page


@pytest.mark.parametrize(
    "svg",
    [
        '<svg><image href="/etc/passwd"/></svg>',
        '<svg><use xlink:href="#a"/></svg>',
        '<svg><path style="fill: url(file:///x)"/></svg>',
    ],
)
def test_only_formula_images_of_paths_are_recognised(svg: str) -> None:
    assert not is_formula_image(DATA_URL_PREFIX + base64.b64encode(svg.encode()).decode())
    assert not is_formula_image("data:image/png;base64,AAAA")
    assert not is_formula_image(DATA_URL_PREFIX + "!!not base64!!")


def render_math(tmp_path: Path, toml: str, theme: PageTheme = LIGHT) -> str:
    from handbook.core.book.load import load_book
    from handbook.core.render.renderer import Renderer
    from tests.conftest import write_book

    chapter = "# M\n\nInline \\\\( x^2 \\\\) and `\\\\(code\\\\)`.\n\n\\\\[ \\\\frac{a}{b} \\\\]\n"
    root = write_book(tmp_path / "b", "# Summary\n\n- [M](m.md)\n", {"m.md": chapter}, toml=toml)
    return Renderer(load_book(root), theme).render("m.md").html


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_a_book_with_mathjax_support_shows_its_formulas_drawn(
    tmp_path: Path, theme: PageTheme
) -> None:
    page = render_math(tmp_path, "[output.html]\nmathjax-support = true\n", theme)
    assert images(page) == ["x^2", r"\frac{a}{b}"]
    assert r"<code>\\(code\\)</code>" in page  # code stays code
    svg = formula.formula_svg(re.findall(r'src="([^"]+)"', page)[0]) or ""
    assert theme.text in svg


def test_a_book_without_mathjax_support_shows_the_tex_as_text(tmp_path: Path) -> None:
    page = render_math(tmp_path, "[book]\ntitle = 'no math'\n")
    assert images(page) == []
    assert r"\( x^2 \)" in page
