"""Long code blocks and long tables written as several tables in a row, that look as one.

Qt lays a table out whole: a 3,000-line code block took ~270 ms and a 1,000-row table ~440 ms
of the UI thread in one piece, and a 150,000-row table 100 s. Written as tables of at most
:data:`CODE_PART_LINES` lines or :data:`TABLE_PART_ROWS` rows, one after another without
margins between them (the code's padding only above the first and below the last, the
table's head on the first, the same column widths on each), the page can be put in the
viewer a part at a time (ui/reader/page_fill.py cuts between two tables) and the window keeps
taking events. Short ones are written as before, byte for byte.
"""

from __future__ import annotations

import html
import itertools
import re

CODE_PART_LINES = 100  # a code block's lines per table
TABLE_PART_ROWS = 40  # a table's rows per table
WIDTH_SAMPLE_ROWS = 500  # the rows the column widths are measured on
_CELL_CHARS = 60  # a longer cell counts as this long: it wraps
_MIN_PERCENT = 4


def long_code(lines: int) -> bool:
    """Whether a code block of ``lines`` lines is written as several tables."""
    return lines > CODE_PART_LINES * 3 // 2


def long_table(rows: int) -> bool:
    """Whether a table of ``rows`` body rows is written as several tables."""
    return rows > TABLE_PART_ROWS * 3 // 2


_CELL_TAG = re.compile(r"<(t[dh])((?: [^>]*)?)>")
_TAG = re.compile(r"<[^>]*>")


def _margins(first: bool, last: bool, name: str) -> str:
    """The style of one part: no margin (or padding) where it meets the next."""
    sides = ([] if first else [f"{name}-top: 0px"]) + ([] if last else [f"{name}-bottom: 0px"])
    return "; ".join(sides)


def code_tables(body: str, background: str) -> str:
    """A code block's highlighted ``body`` (lines joined by newlines, spans closed at each
    line's end, as Pygments writes them) in the page's code table, or several."""
    table = (
        '<table class="code" width="100%" cellspacing="0" cellpadding="8" border="0"'
        f' bgcolor="{background}"'
    )
    lines = body.split("\n")
    if not long_code(len(lines)):
        return f"{table}><tbody><tr><td><pre>{body}</pre></td></tr></tbody></table>\n"
    cuts = [0]
    while long_code(len(lines) - cuts[-1]):
        cut = cuts[-1] + CODE_PART_LINES
        # between two lines with text: HTML drops a newline right after <pre>, Qt one at its end
        while cut < len(lines) and not (lines[cut] and lines[cut - 1]):
            cut += 1
        if cut >= len(lines):
            break
        cuts.append(cut)
    cuts.append(len(lines))
    out = []
    for n, (start, end) in enumerate(itertools.pairwise(cuts)):
        first, last = n == 0, end == len(lines)
        out.append(
            f'{table} style="{_margins(first, last, "margin")}"><tbody><tr>'
            f'<td style="{_margins(first, last, "padding")}"><pre>'
            f"{chr(10).join(lines[start:end])}</pre></td></tr></tbody></table>\n"
        )
    return "".join(out)


def grid_tables(opening: str, head: str, rows: list[str]) -> str:
    """A markdown table (``opening`` its start tag, ``head`` its ``<thead>`` up to the
    ``<tbody>`` line, ``rows`` its body's rows) as written, or as several tables when long."""
    if not long_table(len(rows)):
        return f"{opening}{head}<tbody>\n{''.join(rows)}</tbody></table>\n"
    widths = _column_widths([head, *rows[:WIDTH_SAMPLE_ROWS]])
    start = opening.rstrip("\n").removesuffix(">")
    out = []
    count = len(rows)
    for begin in range(0, count, TABLE_PART_ROWS):
        first, last = begin == 0, begin + TABLE_PART_ROWS >= count
        part = rows[begin : begin + TABLE_PART_ROWS]
        part[0] = _with_widths(part[0], widths)
        out.append(
            f'{start} width="100%" style="{_margins(first, last, "margin")}">\n'
            f"{_with_widths(head, widths) if first else ''}<tbody>\n{''.join(part)}"
            "</tbody></table>\n"
        )
    return "".join(out)


def _column_widths(rows: list[str]) -> list[int]:
    """Each column's share of the width, in percent, from the length of its cells' text."""
    longest: list[int] = []
    for row in rows:
        tags = list(_CELL_TAG.finditer(row))
        for n, tag in enumerate(tags):
            end = tags[n + 1].start() if n + 1 < len(tags) else len(row)
            text = html.unescape(_TAG.sub("", row[tag.end() : end])).strip()
            size = min(len(text), _CELL_CHARS) + 3
            if n < len(longest):
                longest[n] = max(longest[n], size)
            else:
                longest.append(size)
    total = sum(longest) or 1
    percents = [max(_MIN_PERCENT, round(100 * size / total)) for size in longest]
    if percents:
        percents[percents.index(max(percents))] += 100 - sum(percents)
    return percents


def _with_widths(row: str, widths: list[int]) -> str:
    """``row`` with each cell given its column's width."""
    column = iter(widths)

    def cell(m: re.Match[str]) -> str:
        width = next(column, None)
        if width is None:
            return m.group(0)
        return f'<{m.group(1)}{m.group(2)} width="{width}%">'

    return _CELL_TAG.sub(cell, row)
