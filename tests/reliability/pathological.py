"""Markdown known to make Python-Markdown slow or crash, as chapters of one book.

Shared by test_pathological.py and scripts/measure_pathological.py (the figures in
docs/RELIABILITY.md come from the script, not from the tests: tests guard hangs, not times).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_book

MB = 1024 * 1024

# chapter file -> its whole text
CASES: dict[str, str] = {
    "brackets.md": "[" * 8000,  # took 13.6 s on Python-Markdown 3.11
    "cdata.md": "<![" * 4000,  # took 9.7 s
    "deep-list.md": "".join("  " * depth + f"- item {depth}\n" for depth in range(400)),
    "deep-quote.md": "> " * 1000 + "the bottom of the quotes\n",
    "long-line.md": ("many words on one line " * (MB // 23 + 1))[:MB],
}
HUGE = "huge.md"  # 50 MB, over book.MAX_FILE_BYTES: refused before it is read
HUGE_BYTES = 50 * MB
PLAIN = "plain.md"
PLAIN_TEXT = "An ordinary chapter, still readable."


# Not pathological, only long: ordinary prose just under the renderer's 5 MB limit. Measured
# by scripts/measure_pathological.py, too slow for the test suite.
BIG_PROSE = "big-prose.md"
_PARAGRAPH = "Some words of a long chapter, with *emphasis*, `code` and a [link](plain.md).\n\n"


def big_prose() -> str:
    return "# Big\n\n" + _PARAGRAPH * int(4.9 * MB / len(_PARAGRAPH))


def build(base: Path, extra: dict[str, str] | None = None) -> Path:
    chapters = {**CASES, **(extra or {})}
    lines = [f"- [{name}]({name})" for name in [*chapters, HUGE, PLAIN]]
    root = write_book(
        base / "book",
        "# Summary\n\n" + "\n".join(lines) + "\n",
        {**chapters, PLAIN: f"# Plain\n\n{PLAIN_TEXT}\n"},
    )
    with open(root / "src" / HUGE, "wb") as huge:
        line = b"A line of a very long chapter, repeated until it is fifty megabytes.\n"
        huge.write(line * (HUGE_BYTES // len(line) + 1))
    return root
