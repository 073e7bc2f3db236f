"""Page colours: the rendered page follows the app's theme, not only the window chrome.

Body text contrast is at least 7:1 (WCAG AAA) in both themes; see tests/core/test_theme.py.
"""

from __future__ import annotations

from typing import NamedTuple


class PageTheme(NamedTuple):
    """One theme's colours (a named tuple, not a dataclass: start-up's first frame is coloured
    from it, and a dataclass takes about a millisecond to create, before that frame)."""

    name: str
    text: str
    background: str
    muted: str  # captions, breadcrumbs
    link: str
    code_text: str
    code_background: str
    border: str
    table_header: str
    pygments_style: str  # a Pygments style name (loaded by name: declared in the PyInstaller spec)
    search_highlight: str  # background of search / find hits
    find_current: str  # background of the current find hit
    note: str  # alert accent colours
    tip: str
    important: str
    warning: str
    caution: str
    alert_background: str


LIGHT = PageTheme(
    name="light",
    text="#1b1b1b",
    background="#ffffff",
    muted="#4a4a4a",
    link="#0b57a3",
    code_text="#1b1b1b",
    code_background="#f8f9fa",  # "default" Pygments tokens stay >= 4.5:1 on it
    border="#c8ccd2",
    table_header="#e9ecef",
    pygments_style="default",
    search_highlight="#ffe45c",
    find_current="#ff9f1a",
    note="#0b57a3",
    tip="#1a7f37",
    important="#8250df",
    warning="#9a6700",
    caution="#cf222e",
    alert_background="#f6f8fa",
)

DARK = PageTheme(
    name="dark",
    text="#e6e6e6",
    background="#1e1f22",
    muted="#b4b4b4",
    link="#8ab4f8",
    code_text="#e6e6e6",
    code_background="#26282c",  # "github-dark" tokens stay >= 4.5:1 on it (monokai did not)
    border="#4a4d55",
    table_header="#2b2d31",
    pygments_style="github-dark",
    search_highlight="#7a5d00",
    find_current="#9a4d00",
    note="#8ab4f8",
    tip="#7ee2a8",
    important="#c9a7ff",
    warning="#f2cc60",
    caution="#ff8a80",
    alert_background="#26282c",
)

THEMES = {t.name: t for t in (LIGHT, DARK)}


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio between two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
