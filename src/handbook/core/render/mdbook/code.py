"""Code blocks as mdBook 0.5 shows them: the fence's info string, hidden lines, colours.

mdBook reads an info string with blanks as commas (```` ```rust ignore ```` is
``rust,ignore``); the first word is the language. Hidden lines are left out, as a reader
never sees them unless asked: in Rust, rustdoc's ``# `` lines (``##`` shows as ``#``;
``#!`` and ``#[`` are Rust); in other languages, lines starting with the prefix a
``hidelines=`` word of the info string or book.toml's ``[output.html.code.hidelines]`` gives.
Colours come from Pygments with inline styles (Qt ignores most class-based CSS).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from handbook.core.kept import Kept

_INFO_SPLIT = re.compile(r"[,\s]+")
_RUST_LINE = re.compile(r"(\s*)#(.?)(.*)")


@dataclass(frozen=True)
class Fence:
    """What a code block's info string says."""

    language: str | None
    hide_prefix: str | None  # lines that start with it (after blanks) are hidden
    rust: bool


def fence(info: str | None, hidelines: Mapping[str, str]) -> Fence:
    words = [w for w in _INFO_SPLIT.split(info or "") if w]
    language = words[0] if words else None
    if language is not None and language.lower() == "rust":
        return Fence(language, None, True)
    prefix = next((w[len("hidelines=") :] for w in words if w.startswith("hidelines=")), None)
    if not prefix and language is not None:
        prefix = hidelines.get(language)
    return Fence(language, prefix or None, False)


def visible_code(code: str, info: Fence) -> str:
    """The lines of ``code`` a reader sees."""
    if info.rust:
        if "#" not in code:
            return code
        return "".join(_rust_line(line) for line in code.splitlines(keepends=True))
    prefix = info.hide_prefix
    if prefix is None or prefix not in code:
        return code
    return "".join(
        line for line in code.splitlines(keepends=True) if not line.lstrip().startswith(prefix)
    )


def _rust_line(line: str) -> str:
    m = _RUST_LINE.fullmatch(line.rstrip("\n"))
    if m is None:
        return line
    after = m.group(2)
    if after == "#":
        return m.group(1) + "#" + m.group(3) + line[len(line.rstrip("\n")) :]
    if after in ("!", "["):
        return line
    return ""


def highlight(code: str, language: str | None, style: str) -> str:
    """``code`` as HTML with inline colours, or escaped when its language is unknown."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return html.escape(code, quote=False).replace("\xa0", "&nbsp;")
    key = (code, lexer.name, style)
    done = _DONE.get(key)
    if done is not None:
        return done
    from pygments import highlight as pygmentize

    result: str = pygmentize(code, lexer, _formatter(style))
    # in the sanitizer's serialization: quotes plain in text, no-break spaces as entities
    if "&" in result:
        result = result.replace("&quot;", '"').replace("&#39;", "'")
    result = result.replace("\xa0", "&nbsp;")
    _keep(key, result)
    return result


def _keep(key: tuple[str, str, str], result: str) -> None:
    """Keep a block's colours: a chapter shown again (saved, its theme switched back) and
    blocks met again (a console line, an include's note) are not coloured anew."""
    size = len(key[0]) + len(result)
    if size <= _LIMIT // 16:
        _DONE.put(key, result, size)


_LIMIT = 2_000_000  # characters of code and its HTML kept
_DONE: Kept[tuple[str, str, str], str] = Kept(_LIMIT)


@lru_cache(maxsize=128)
def _lexer(language: str) -> Any:
    """Pygments' own lexer for ``language``; None for a language it lacks, without asking
    other installed packages (their plugins: every package's entry points read, their modules
    imported, for a name that a book chose)."""
    if language not in _builtin_aliases():
        return None
    from pygments.lexers import get_lexer_by_name

    return get_lexer_by_name(language, stripnl=False, ensurenl=False)


@lru_cache(maxsize=1)
def _builtin_aliases() -> frozenset[str]:
    from pygments.lexers import get_all_lexers

    return frozenset(
        alias.lower() for _, aliases, _, _ in get_all_lexers(plugins=False) for alias in aliases
    )


@lru_cache(maxsize=8)
def _formatter(style: str) -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True, noclasses=True, style=style)
