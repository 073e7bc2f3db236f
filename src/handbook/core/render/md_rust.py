"""Code fences as mdBook reads them: ``rust,ignore`` info strings, hidden ``# `` lines.

mdBook takes a fence's language from its info string up to the first comma
(```` ```rust,ignore ````); superfences would see no language there, so the opening line is
rewritten to the language alone. In a Rust fence, rustdoc and mdBook hide a line whose first
non-blank characters are ``# `` or a lone ``#``; ``##`` shows as ``#``. ``#[derive]`` and
``#![attr]`` are Rust and stay. Fences of other languages keep every line.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

PRIORITY = 27  # after the list normaliser and guards, before fences (25)

_FENCE = re.compile(r"(\s*(?:> ?)*\s*)(`{3,}|~{3,})\s*([^`]*)")
_HIDDEN = re.compile(r"(\s*)#(.?)(.*)")


def language(info: str) -> str:
    """The language of a fence's info string: ``rust`` for ``rust,ignore``."""
    return re.split(r"[,\s{]", info.strip(), maxsplit=1)[0]


def is_rust(info: str) -> bool:
    return language(info).lower() == "rust"


def rust_line(line: str) -> str | None:
    """The line as shown, or None when it is hidden."""
    m = _HIDDEN.fullmatch(line)
    if m is None:
        return line
    after = m.group(2)
    if after == "#":
        return m.group(1) + "#" + m.group(3)
    if after in ("", " "):
        return None
    return line


def hide_rust_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    fence: str | None = None
    prefix = ""
    rust = False
    for line in lines:
        if fence is None:
            m = _FENCE.match(line)
            if m:
                prefix, fence, rust = m.group(1), m.group(2), is_rust(m.group(3))
                line = prefix + fence + language(line[m.end(2) :])
            out.append(line)
            continue
        body = line[len(prefix) :] if line.startswith(prefix) else line.lstrip(" >")
        if _closes(line, fence):
            fence = None
            out.append(line)
            continue
        if rust:
            shown = rust_line(body)
            if shown is None:
                continue
            line = line[: len(line) - len(body)] + shown
        out.append(line)
    return out


def _closes(line: str, fence: str) -> bool:
    m = _FENCE.match(line)
    if m is None or m.group(3).strip():
        return False
    return m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence)


class _HiddenLinesPreprocessor(Preprocessor):  # type: ignore[misc]  # markdown ships no types
    def run(self, lines: list[str]) -> list[str]:
        return hide_rust_lines(lines)


class RustHiddenLinesExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_HiddenLinesPreprocessor(md), "handbook_rust_hidden", PRIORITY)
