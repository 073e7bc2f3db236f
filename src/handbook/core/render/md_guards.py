"""Cheap guards against inputs that make Python-Markdown slow.

Python-Markdown 3.11 looks for the end of each ``[`` (a link), each ``](`` (its target) and
each ``<`` (raw HTML) by scanning forward, so many unclosed ones take quadratic time:
``'[' * 8000`` took 13.6 s and ``'<![' * 4000`` 9.7 s. Before parsing, we estimate that
scanning cost in linear time and, past a budget, escape the brackets of the offending
paragraphs so they show as text. Ordinary chapters stay far below the budgets; code fences
are never touched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

PRIORITY = 28  # after the list normaliser (29), before fences (25) and raw HTML (20)

BLOCK_BRACKET_BUDGET = 400_000  # characters scanned for one paragraph's brackets
BRACKET_BUDGET = 2_000_000  # ... for all paragraphs together
LIGHT_BLOCK = 20_000  # a paragraph this cheap is never escaped
ANGLE_BUDGET = 4_000_000  # characters scanned for raw HTML in the whole chapter
FAR = 200  # a "<" whose ">" is further than this is taken as text once over budget
CHUNK = 4_000  # longer lines and paragraphs are cut into paragraphs of about this size

_FENCE = re.compile(r"\s*(`{3,}|~{3,})")
_BRACKET = re.compile(r"\\.|\]\(|[\[\]]")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_PREFIX = re.compile(r"[ >]*")
_MARK = re.compile(r"[*_`~\[<&\\]")
_DENSE = '<p class="dense">'
MARK_BUDGET = 50_000  # inline markup characters parsed per chapter (a long chapter has ~1000)


def _segments(lines: list[str]) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_code) runs of lines: paragraphs outside fences, and whole fences."""
    i, n = 0, len(lines)
    while i < n:
        m = _FENCE.match(lines[i])
        if m:
            fence = m.group(1)
            j = i + 1
            while j < n:
                close = _FENCE.match(lines[j])
                if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                    break
                j += 1
            yield i, min(j + 1, n), True
            i = j + 1
        elif not lines[i].strip():
            i += 1
        else:
            j = i + 1
            while j < n and lines[j].strip() and not _FENCE.match(lines[j]):
                j += 1
            yield i, j, False
            i = j


def bracket_cost(text: str) -> int:
    """Characters Python-Markdown scans to match the ``[``, ``]`` and ``](`` of ``text``."""
    opens: list[int] = []
    targets: list[int] = []
    cost = 0
    closes = [m.start() for m in re.finditer(r"\)", text)]
    for m in _BRACKET.finditer(text):
        token = m.group()
        if token == "[":
            opens.append(m.start())
        elif token[0] == "]":
            if opens:
                cost += m.start() - opens.pop()
            if token == "](":
                targets.append(m.start())
    cost += sum(len(text) - p for p in opens)
    if targets:
        k = 0
        for p in targets:  # distance to the next ")" (or the end)
            while k < len(closes) and closes[k] < p:
                k += 1
            cost += (closes[k] if k < len(closes) else len(text)) - p
    return cost


def guard_brackets(lines: list[str]) -> list[str]:
    out = list(lines)
    spent = 0
    for start, end, is_code in _segments(lines):
        if is_code or lines[start].startswith(_DENSE):
            continue
        block = "\n".join(lines[start:end])
        if "[" not in block:
            continue
        cost = bracket_cost(block)
        if cost > BLOCK_BRACKET_BUDGET or (cost > LIGHT_BLOCK and spent + cost > BRACKET_BUDGET):
            out[start:end] = [ln.replace("[", "\\[") for ln in lines[start:end]]
        else:
            spent += cost
    return out


def _angle_cost(text: str) -> int:
    cost = 0
    next_gt = -1
    for m in _TAG_START.finditer(text):
        p = m.start()
        if next_gt != len(text) and next_gt < p:
            found = text.find(">", p)
            next_gt = found if found >= 0 else len(text)
        cost += next_gt - p
    return cost


def guard_angles(lines: list[str]) -> list[str]:
    prose = [
        (s, e)
        for s, e, is_code in _segments(lines)
        if not is_code and not lines[s].startswith(_DENSE)
    ]
    text = "\n".join("\n".join(lines[s:e]) for s, e in prose)
    if "<" not in text or _angle_cost(text) <= ANGLE_BUDGET:
        return lines
    out = list(lines)
    for s, e in prose:
        block = "\n".join(lines[s:e])
        out[s:e] = _escape_far_tags(block).split("\n")
    if _angle_cost("\n".join(out)) > ANGLE_BUDGET:
        for s, e in prose:
            out[s:e] = [ln.replace("<", "&lt;") for ln in out[s:e]]
    return out


def _escape_far_tags(block: str) -> str:
    def escape(m: re.Match[str]) -> str:
        end = block.find(">", m.start())
        return m.group() if 0 <= end - m.start() <= FAR else "&lt;" + m.group()[1:]

    return _TAG_START.sub(escape, block)


def split_long_paragraphs(lines: list[str]) -> list[str]:
    """Cut very long lines and paragraphs into paragraphs of about :data:`CHUNK` characters.

    Each inline match re-slices its paragraph's text, so one huge paragraph dense with
    markup takes quadratic time; many small ones take linear time. Tables and indented
    blocks are left whole (their rows and items are parsed one by one anyway).
    """
    if all(len(ln) <= CHUNK for ln in lines) and sum(map(len, lines)) <= CHUNK:
        return lines
    out: list[str] = []
    done = 0
    for start, end, is_code in _segments(lines):
        out.extend(lines[done:start])
        block = lines[start:end]
        done = end
        if is_code:
            out.extend(block)
            continue
        whole = sum(map(len, block)) > 2 * CHUNK and not _tabular(block)
        size = 0
        for line in block:
            if whole and size > CHUNK:
                out.append(_PREFIX.match(line).group().rstrip())  # type: ignore[union-attr]
                size = 0
            if len(line) > CHUNK and not line.lstrip().startswith("|"):
                out.extend(_cut_line(line))
            else:
                out.append(line)
            size += len(line)
    out.extend(lines[done:])
    return out


def _tabular(block: list[str]) -> bool:
    return block[0].lstrip().startswith("|") or all(ln.startswith("    ") for ln in block)


def _cut_line(line: str) -> list[str]:
    prefix = _PREFIX.match(line).group()  # type: ignore[union-attr]
    blank = prefix.rstrip()
    pieces: list[str] = []
    pos = len(prefix)
    while pos < len(line):
        stop = pos + CHUNK
        if stop < len(line):
            space = line.rfind(" ", pos + CHUNK // 2, stop)
            stop = space + 1 if space > 0 else stop
        if pieces:
            pieces.append(blank)
        pieces.append(prefix + line[pos:stop])
        pos = stop
    return pieces


def guard_density(lines: list[str]) -> list[str]:
    """Past :data:`MARK_BUDGET` markup characters, paragraphs are shown as plain text.

    Python-Markdown spends some 15 µs on each emphasis, code span or entity it finds: a
    megabyte of ``*a* `` would take seconds. Such paragraphs become raw HTML paragraphs of
    escaped text, which the parser passes over in linear time.
    """
    if len(_MARK.findall("\n".join(lines))) <= MARK_BUDGET:
        return lines
    out = list(lines)
    spent = 0
    for start, end, is_code in _segments(lines):
        if is_code:
            continue
        block = lines[start:end]
        marks = sum(len(_MARK.findall(ln)) for ln in block)
        spent += marks
        if spent > MARK_BUDGET and marks > 50:
            text = html.escape("\n".join(ln.strip() for ln in block))
            out[start:end] = [_DENSE + text + "</p>", *([""] * (end - start - 1))]
    return out


class _GuardPreprocessor(Preprocessor):  # type: ignore[misc]  # markdown ships no types
    def run(self, lines: list[str]) -> list[str]:
        lines = guard_density(split_long_paragraphs(lines))
        return guard_angles(guard_brackets(lines))


class GuardExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    """Escapes runs of brackets that would make parsing take seconds."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_GuardPreprocessor(md), "handbook_guards", PRIORITY)
