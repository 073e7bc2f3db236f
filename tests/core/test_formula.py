"""Formulas drawn as SVG without a network: in the page's colour, bounded, never raising."""

from __future__ import annotations

import base64
import re

import pytest

from handbook.core import formula
from handbook.core.formula import DATA_URL_PREFIX, draw, formula_html, is_formula_image
from handbook.core.theme import DARK, LIGHT


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


def test_a_display_formula_is_centred_on_its_own_line() -> None:
    page = formula_html(r"\sum_{i=1}^n i", True, LIGHT.text, LIGHT.caution)
    assert page.startswith('<p align="center"><img ')


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
