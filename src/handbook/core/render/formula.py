"""TeX formulas drawn as SVG images on the page, without a network and without LaTeX.

mdBook loads MathJax from a CDN; a reader offline sees raw TeX there. Here ziamath (pure
Python, its own STIX Two Math font) draws each formula as SVG paths in the page's text colour;
the SVG goes into the page as a ``data:`` image, so that the window, print and PDF show the same
image with no file to serve. The image's ``alt`` and ``title`` are the TeX: the viewer copies a
formula as its TeX, and a reader hovering it sees the source.

A formula is bounded: its TeX at most :data:`MAX_TEX_CHARS` characters, and its drawing stopped
after :data:`TIME_LIMIT_S` seconds of its thread's CPU time (not wall time: on a busy machine a
good formula waited for the processor past a wall-clock limit, and its "too slow" answer was
cached for the session, the formula never drawn). A formula that is too long, too slow or not
understood is shown as its TeX in code, followed by a visible note saying why. Nothing here
raises for any TeX, and nothing here imports Qt.
"""

from __future__ import annotations

import base64
import html
import re
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from functools import lru_cache
from types import FrameType
from typing import Any

MAX_TEX_CHARS = 4000
TIME_LIMIT_S = 2.0  # CPU seconds of the drawing thread; a first formula pays for loading the font
INLINE_SIZE = 19.0  # px: ziamath's glyphs beside the page's 16 px text (its x-height is smaller)
DISPLAY_SIZE = 21.0
DATA_URL_PREFIX = "data:image/svg+xml;base64,"

_lock = threading.Lock()  # ziamath keeps global settings: one formula at a time


@dataclass(frozen=True)
class FormulaImage:
    """A formula drawn: the SVG (None when it could not be) or why not."""

    tex: str
    display: bool
    svg: str | None
    problem: str | None = None


class _TooSlow(Exception):
    pass


def draw(tex: str, display: bool, colour: str) -> FormulaImage:
    """``tex`` drawn as SVG in ``colour`` (``#rrggbb``); never raises."""
    tex = tex.strip()
    if not tex:
        return FormulaImage(tex, display, None, "the formula is empty")
    if len(tex) > MAX_TEX_CHARS:
        return FormulaImage(
            tex, display, None, f"the formula is longer than {MAX_TEX_CHARS} characters"
        )
    svg, problem = _draw_cached(tex, display, colour)
    return FormulaImage(tex, display, svg, problem)


@lru_cache(maxsize=2048)
def _draw_cached(tex: str, display: bool, colour: str) -> tuple[str | None, str | None]:
    try:
        with _lock:
            return _draw_bounded(tex, display, colour), None
    except _TooSlow:
        return None, f"drawing it took more than {TIME_LIMIT_S:g} s of processor time"
    except RecursionError:
        return None, "it is nested too deeply"
    except Exception as exc:  # ziamath's parser on any TeX: the page shows the source instead
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"it could not be drawn ({reason[:120]})"


def _draw_bounded(tex: str, display: bool, colour: str) -> str:
    """ziamath under a deadline: a profile hook (this thread only) stops it when it has used
    :data:`TIME_LIMIT_S` of this thread's CPU time."""
    with warnings.catch_warnings():  # ziamath 0.13 finds its font with a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        import ziamath  # noqa: F401  (its package sets up its operators)
        from ziamath.config import config
        from ziamath.zmath import Latex

    config.svg2 = False  # SVG 1.1 paths: Qt's SVG renderer draws no <symbol>/<use>
    deadline = time.thread_time() + TIME_LIMIT_S
    calls = 0

    def stop_when_late(_frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal calls
        calls += 1
        if calls % 64 == 0 and event == "call" and time.thread_time() > deadline:
            raise _TooSlow

    previous = sys.getprofile()
    sys.setprofile(stop_when_late)
    try:
        latex = Latex(
            tex, size=DISPLAY_SIZE if display else INLINE_SIZE, color=colour, inline=not display
        )
        svg: str = latex.svg()
    finally:
        sys.setprofile(previous)
    return svg


def formula_html(tex: str, display: bool, colour: str, note_colour: str) -> str:
    """The formula as page HTML: its image (alt and title: the TeX), or its TeX and a note."""
    image = draw(tex, display, colour)
    source = html.escape(image.tex)
    if image.svg is None:
        note = html.escape(f"⚠ formula not shown: {image.problem}")
        return f'<code>{source}</code> <span style="color: {note_colour}">{note}</span>'
    data = base64.b64encode(image.svg.encode("utf-8")).decode("ascii")
    return (
        f'<img src="{DATA_URL_PREFIX}{data}" alt="{source}" title="{source}"'
        ' style="vertical-align: middle">'
    )


# In a sanitized page: code that stays code, a formula pulldown-cmark marked (its math option),
# and, with book.toml's mathjax-support, MathJax's delimiters in the text (never across a tag).
_CODE = re.compile(r"<pre[\s>].*?</pre>|<code(?![^>]*\bclass=\"math)[^>]*>.*?</code>", re.S)
_MARKED = re.compile(r'<code class="math(?P<display> display)?[^"]*">(?P<tex>[^<]*)</code>')
_MARKED_PARAGRAPH = re.compile(
    r'<p>\s*<code class="math display[^"]*">(?P<tex>[^<]*)</code>\s*</p>'
)
_DISPLAY_PARAGRAPH = re.compile(r"<p>\s*\\\[(?P<tex>[^<]*?)\\\]\s*</p>")
_DELIMITED = re.compile(r"\\\((?P<tex>[^<]*?)\\\)|\\\[(?P<display>[^<]*?)\\\]")


def typeset_math(body: str, colour: str, note_colour: str, *, delimiters: bool) -> str:
    """``body`` (sanitized page HTML) with its formulas drawn; ``delimiters``: ``\\( \\)``
    and ``\\[ \\]`` in the text are formulas too (book.toml's ``mathjax-support``)."""
    if "math" not in body and not (delimiters and "\\" in body):
        return body

    def marked(m: re.Match[str]) -> str:
        display = m.group("display") is not None
        return formula_html(html.unescape(m.group("tex")), display, colour, note_colour)

    def paragraph(m: re.Match[str]) -> str:
        tex = html.unescape(m.group("tex"))
        return f'<p align="center">{formula_html(tex, True, colour, note_colour)}</p>'

    def delimited(m: re.Match[str]) -> str:
        display = m.group("display") is not None
        tex = html.unescape(m.group("display") if display else m.group("tex"))
        return formula_html(tex, display, colour, note_colour)

    pieces: list[str] = []
    position = 0
    for code in _CODE.finditer(body):
        pieces.append(_prose(body[position : code.start()], delimiters, paragraph, delimited))
        pieces.append(code.group())
        position = code.end()
    pieces.append(_prose(body[position:], delimiters, paragraph, delimited))
    return _MARKED.sub(marked, _MARKED_PARAGRAPH.sub(paragraph, "".join(pieces)))


def _prose(text: str, delimiters: bool, paragraph: Any, delimited: Any) -> str:
    if not delimiters or "\\" not in text:
        return text
    return _DELIMITED.sub(delimited, _DISPLAY_PARAGRAPH.sub(paragraph, text))


def is_formula_image(url: str) -> bool:
    """True for the images :func:`formula_html` writes (the viewer serves no other data: URL)."""
    if not url.startswith(DATA_URL_PREFIX):
        return False
    svg = formula_svg(url)
    return svg is not None and _only_paths(svg)


def formula_svg(url: str) -> str | None:
    """The SVG text inside a formula's ``data:`` URL, or None."""
    try:
        return base64.b64decode(url[len(DATA_URL_PREFIX) :], validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _only_paths(svg: str) -> bool:
    """ziamath's SVG 1.1 is shapes only: nothing in it may name another file or a script."""
    lowered = svg.lower()
    return not any(word in lowered for word in ("<image", "href=", "<script", "url(", "<use"))
