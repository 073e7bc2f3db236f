"""Page themes: every text/background pair a reader meets is legible (WCAG contrast)."""

from __future__ import annotations

import re

import pytest
from pygments.styles import get_style_by_name
from pygments.token import Error, Whitespace

from handbook.core.render.theme import DARK, LIGHT, THEMES, PageTheme, contrast_ratio

BODY = 7.0  # WCAG AAA for body text
OTHER = 4.5  # WCAG AA: links, captions, alerts, highlighted hits, code tokens

ALERTS = ("note", "tip", "important", "warning", "caution")


def pairs(theme: PageTheme) -> list[tuple[str, str, str, float]]:
    """(what, foreground, background, minimum ratio)."""
    t = theme
    found = [
        ("body text", t.text, t.background, BODY),
        ("code text", t.code_text, t.code_background, BODY),
        ("table header text", t.text, t.table_header, BODY),
        ("alert body text", t.text, t.alert_background, BODY),
        ("link", t.link, t.background, OTHER),
        ("link in code", t.link, t.code_background, OTHER),
        ("muted text", t.muted, t.background, OTHER),
        ("text on a search hit", t.text, t.search_highlight, OTHER),
        ("text on the current find hit", t.text, t.find_current, OTHER),
    ]
    for alert in ALERTS:
        found.append((f"{alert} title", getattr(t, alert), t.alert_background, OTHER))
    return found


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_every_text_background_pair_is_legible(theme: PageTheme) -> None:
    failures = [
        f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1 < {least}:1"
        for what, fg, bg, least in pairs(theme)
        if contrast_ratio(fg, bg) < least
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_code_highlighting_tokens_are_legible_on_the_code_background(theme: PageTheme) -> None:
    style = get_style_by_name(theme.pygments_style)
    failures = []
    for token, spec in style:
        colour = spec["color"]
        if not colour or token in Whitespace or token in Error:
            continue  # whitespace markers and error boxes are not read as text
        ratio = contrast_ratio("#" + colour, theme.code_background)
        if ratio < OTHER:
            failures.append(f"{token}: #{colour} is {ratio:.2f}:1")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_every_colour_is_a_hex_rgb(theme: PageTheme) -> None:
    for field, value in theme._asdict().items():
        if field not in ("name", "pygments_style"):
            assert re.fullmatch(r"#[0-9a-f]{6}", value), (field, value)


def test_themes_are_registered_by_name() -> None:
    assert THEMES == {"light": LIGHT, "dark": DARK}


def test_the_dark_theme_is_dark_and_the_light_theme_light() -> None:
    assert contrast_ratio(LIGHT.background, "#ffffff") < 1.1
    assert contrast_ratio(DARK.background, "#000000") < 1.5


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48)],
)
def test_contrast_ratio_matches_wcag(fg: str, bg: str, expected: float) -> None:
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(expected, abs=0.01)
