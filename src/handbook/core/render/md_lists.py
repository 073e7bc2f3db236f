"""List indentation as mdBook books write it, re-indented for Python-Markdown.

mdBook (CommonMark) nests a list under an item when it is indented to the item's text: two
spaces under ``- item``, three under ``1. item``. Python-Markdown wants four per level. This
preprocessor rewrites list lines to four spaces per level, lets a list interrupt a paragraph
(as CommonMark does), and flattens lists nested deeper than :data:`MAX_LIST_DEPTH` and
block quotes deeper than :data:`MAX_QUOTE_DEPTH`: Python-Markdown recurses once per level
and a list 400 deep raised ``RecursionError``.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

MAX_LIST_DEPTH = 30
MAX_QUOTE_DEPTH = 30
PRIORITY = 29  # after normalize_whitespace (30, expands tabs); before fences (25) and raw HTML (20)

_MARKER = re.compile(r"( *)([-*+]|\d{1,9}[.)])( +|$)")
_BREAK = re.compile(r" {0,3}([-*_])(?: *\1){2,} *$")
_FENCE = re.compile(r"(`{3,}|~{3,})")
_QUOTE = re.compile(r" {0,3}>")
_QUOTE_LEVEL = re.compile(r" {0,3}> ?")
_QUOTE_ALL = re.compile(r"(?: {0,3}>)+ ?")
SEPARATOR = "<!-- -->"  # removed by the sanitizer
_NOT_LAZY = ("#", "```", "~~~", ">", "<", "|")


class _ListNormaliser:
    def __init__(self, quote_depth: int = 0) -> None:
        self.quote_depth = quote_depth
        self.out: list[str] = []
        self.stack: list[int] = []  # source column where each open item's text starts
        self.fence: str | None = None
        self.fence_base: tuple[int, int] | None = None  # (source column, new column) in a list
        self.prev_text = False
        self.top_kind = ""  # "ul" or "ol": the kind of the last top-level list

    def run(self, lines: list[str]) -> list[str]:
        i = 0
        while i < len(lines):
            line = lines[i]
            if self.fence is None and not self.stack and _QUOTE.match(line):
                end = _quote_end(lines, i)
                self._quote(lines[i:end])
                i = end
                continue
            self._line(line)
            i += 1
        return self.out

    def _line(self, line: str) -> None:
        if self.fence is not None:
            self._fenced(line)
            return
        stripped = line.lstrip(" ")
        if not stripped:
            self.out.append("")
            self.prev_text = False
            return
        indent = len(line) - len(stripped)
        marker = self._marker(line, indent)
        if marker is not None:
            self._item(line, indent, marker)
        else:
            self._text(stripped, indent)

    def _marker(self, line: str, indent: int) -> re.Match[str] | None:
        m = _MARKER.match(line)
        if m is None or _BREAK.match(line):
            return None
        limit = self.stack[-1] + 3 if self.stack else 3
        if indent > limit:
            return None  # indented code, or text inside the item
        if not self.stack and self.prev_text:
            # CommonMark: only a bullet or "1." with text may interrupt a paragraph
            mark = m.group(2)
            if not m.group(3) or (mark[0].isdigit() and mark[:-1] != "1"):
                return None
        return m

    def _item(self, line: str, indent: int, m: re.Match[str]) -> None:
        new_list = not self.stack
        while self.stack and indent < self.stack[-1]:
            self.stack.pop()
        del self.stack[MAX_LIST_DEPTH - 1 :]
        if new_list and self.out and self.out[-1]:
            self.out.append("")  # Python-Markdown needs a blank line before a list
        kind = "ol" if m.group(2)[0].isdigit() else "ul"
        if not self.stack:
            if not new_list and kind != self.top_kind:
                self._separate()  # else Python-Markdown adds "1. x" to the "- y" list before
            self.top_kind = kind
        mark = m.group(2)
        if mark.endswith(")"):
            mark = mark[:-1] + "."
        gap = len(m.group(3))
        content = indent + len(m.group(2)) + (gap if 0 < gap <= 4 else 1)
        text = line[m.end() :]
        new = " " * (4 * len(self.stack)) + mark + (" " + text if text else "")
        self.stack.append(content)
        self.prev_text = True
        self._open_fence(text, content, len(new) - len(text))
        self.out.append(new)

    def _text(self, stripped: str, indent: int) -> None:
        if self.stack and indent < self.stack[-1]:
            lazy = self.prev_text and not stripped.startswith(_NOT_LAZY)
            if lazy:
                indent = self.stack[-1]
            else:
                while self.stack and indent < self.stack[-1]:
                    self.stack.pop()
        if self.stack:
            new_col = 4 * len(self.stack) + indent - self.stack[-1]
            self._open_fence(stripped, indent, new_col)
            self.out.append(" " * new_col + stripped)
        else:
            if indent <= 3:
                self._open_fence(stripped, indent, None)
            self.out.append(" " * indent + stripped)
        self.prev_text = not stripped.startswith(("#", "```", "~~~"))

    def _open_fence(self, stripped: str, col: int, new_col: int | None) -> None:
        m = _FENCE.match(stripped)
        if m is not None:
            self.fence = m.group(1)
            self.fence_base = None if new_col is None else (col, new_col)

    def _fenced(self, line: str) -> None:
        stripped = line.lstrip(" ")
        if self.fence_base is None:
            self.out.append(line)
        else:
            col, new_col = self.fence_base
            indent = len(line) - len(stripped)
            self.out.append(" " * (new_col + max(0, indent - col)) + stripped if stripped else "")
        m = _FENCE.match(stripped)
        fence = self.fence or ""
        closing = m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
        if closing and m is not None and not stripped[len(m.group(1)) :].strip():
            if self.fence_base is not None:
                self.out.append("")  # else the next item joins the fence's paragraph
            self.fence = None
            self.fence_base = None
        self.prev_text = False

    def _separate(self) -> None:
        """An empty comment between two blocks Python-Markdown would merge into one."""
        if self.out and self.out[-1]:
            self.out.append("")
        self.out += [SEPARATOR, ""]

    def _quote(self, block: list[str]) -> None:
        """A block quote: its inside normalised on its own, one ``>`` level at a time."""
        previous = next((ln for ln in reversed(self.out) if ln), "")
        if previous.startswith(">"):
            self._separate()  # CommonMark: a blank line ends a quote; Python-Markdown merges
        if self.quote_depth + 1 >= MAX_QUOTE_DEPTH:
            inner = [_QUOTE_ALL.sub("", ln, count=1) for ln in block]
        else:
            inner = _ListNormaliser(self.quote_depth + 1).run(
                [_QUOTE_LEVEL.sub("", ln, count=1) for ln in block]
            )
        self.out.extend("> " + ln if ln else ">" for ln in inner)
        self.prev_text = True


def _quote_end(lines: list[str], start: int) -> int:
    """End of the block quote starting at ``start``: the next blank line (lazy lines belong)."""
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return end


def normalise_lists(lines: list[str]) -> list[str]:
    """``lines`` with list items re-indented to four spaces per level."""
    return _ListNormaliser().run(lines)


class _ListIndentPreprocessor(Preprocessor):  # type: ignore[misc]  # markdown ships no types
    def run(self, lines: list[str]) -> list[str]:
        return normalise_lists(lines)


class ListIndentExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    """Reads two-space (CommonMark) list nesting; caps list and quote depth."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_ListIndentPreprocessor(md), "handbook_list_indent", PRIORITY)
