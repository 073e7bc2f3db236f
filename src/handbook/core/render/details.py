"""``<details>`` that fold: a summary line with a disclosure marker, the body shown on request.

Qt's rich text knows neither ``<details>`` nor ``<summary>``. The sanitizer lets both through;
:func:`mark_details` then turns each into a summary line that is a link to ``#details-N``
(``N`` counts the page's details from 0) with the marker ``▼``, and its body between two
comments that Qt ignores. That page is the unfolded one: print and PDF use it as it is.
:func:`fold` gives the page as the window shows it: the body of each details that is not open
left out and its marker ``▶``. The viewer folds and unfolds a details when its summary is
clicked (or activated with the keyboard: it is a link), through :func:`is_toggle`.
A ``<details open>`` starts unfolded, as in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Collection

OPEN_MARKER, FOLDED_MARKER = "▼", "▶"
FRAGMENT = re.compile(r"details-(\d+)")

_TAG = re.compile(r"<(/?)(details|summary)\b([^>]*)>", re.IGNORECASE)
_OPEN_ATTRIBUTE = re.compile(r"\sopen(?:\s|=|$)", re.IGNORECASE)
_BODY = re.compile(r"<!--details-(\d+)( open)?-->(.*?)<!--/details-\1-->", re.S)


def mark_details(body: str) -> str:
    """``<details>`` and ``<summary>`` in sanitized HTML as foldable markup (unfolded)."""
    if "<details" not in body:  # sanitized: nh3 writes every tag name in lower case
        return body
    out: list[str] = []
    stack: list[tuple[int, bool, int]] = []  # (number, summary written, where it starts in out)
    started: set[int] = set()  # details whose summary is closed
    count = 0
    position = 0
    for m in _TAG.finditer(body):
        out.append(body[position : m.start()])
        position = m.end()
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if tag == "details" and not closing:
            starts_open = bool(_OPEN_ATTRIBUTE.search(m.group(3)))
            stack.append((count, False, len(out)))
            out.append(f"\n<!--details-{count}-start{' open' if starts_open else ''}-->")
            count += 1
        elif tag == "details" and stack:
            _close(out, *stack.pop())
        elif tag == "summary" and not closing and stack and not stack[-1][1]:
            number, _, start = stack[-1]
            stack[-1] = (number, True, start)
            out.append(_summary_open(number))
        elif tag == "summary" and closing and stack and stack[-1][0] not in started:
            started.add(stack[-1][0])
            out.append("</a></p>" + _body_start(stack[-1][0]))
    out.append(body[position:])
    while stack:  # a details never closed: its body runs to the end of the page
        _close(out, *stack.pop())
    return _place_open_flags("".join(out))


def fold(page: str, unfolded: Collection[int]) -> str:
    """``page`` (from :func:`mark_details`) as the window shows it: each details folded
    unless it is open (``<details open>``) or its number is in ``unfolded``."""
    if "<!--details-" not in page:
        return page

    def folded(m: re.Match[str]) -> str:
        number = int(m.group(1))
        starts_open = m.group(2) is not None
        if (number in unfolded) != starts_open:  # clicking an open one folds it
            return m.group()
        return f"<!--details-{number} folded-->"

    page = _BODY.sub(folded, page)
    return re.sub(
        r'(<a href="#details-(\d+)">)' + OPEN_MARKER,
        lambda m: m.group(1) + (FOLDED_MARKER if f"<!--details-{m.group(2)} folded-->" in page
                                else OPEN_MARKER),
        page,
    )  # fmt: skip


def is_toggle(fragment: str | None) -> int | None:
    """The details a ``#details-N`` link folds or unfolds, or None for any other link."""
    m = FRAGMENT.fullmatch(fragment or "")
    return int(m.group(1)) if m else None


def _close(out: list[str], number: int, has_summary: bool, start: int) -> None:
    if not has_summary:  # as a browser does: "Details" stands for the missing summary
        out[start] += _summary_open(number) + "Details</a></p>" + _body_start(number)
    out.append(f"<!--/details-{number}-->\n")


def _summary_open(number: int) -> str:
    return f'<p class="details-summary"><a href="#details-{number}">{OPEN_MARKER} '


def _body_start(number: int) -> str:
    return f"<!--details-{number}-->"


def _place_open_flags(page: str) -> str:
    """Move each details' "open" flag from its start comment to its body's comment."""
    opened = {int(n) for n in re.findall(r"<!--details-(\d+)-start open-->", page)}
    page = re.sub(r"<!--details-\d+-start(?: open)?-->", "", page)
    for number in opened:
        page = page.replace(f"<!--details-{number}-->", f"<!--details-{number} open-->", 1)
    return page
