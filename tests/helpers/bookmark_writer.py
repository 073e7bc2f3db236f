"""Helpers for the bookmark tests: a book built in memory, and a writer process to kill.

Run as a script, it is the process the fault tests kill with SIGKILL::

    python bookmark_writer.py add DATA_DIR [COUNT]  # add bookmarks, print each id once committed
                                                    # (and "# notice" when the file went away)
    python bookmark_writer.py backup FILE           # rewrite FILE atomically, print each generation

Every line is flushed right after the commit (or the rename) it reports, so whatever the parent
read was durable before the kill.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from handbook.core.book.model import Book, Heading, NodeKind, TocNode

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"


def chapter(path: str, title: str, *headings: tuple[int, str, str]) -> TocNode:
    return TocNode(
        NodeKind.CHAPTER,
        title,
        path=path,
        headings=tuple(Heading(level, text, anchor) for level, text, anchor in headings),
    )


def sample_book(
    root: Path = Path("/books/sample"),
    identity: str = "sample-id",
    title: str = "Sample Book",
    toc: tuple[TocNode, ...] | None = None,
) -> Book:
    """A small book: three chapters, the second nested under the first."""
    if toc is None:
        intro = chapter(
            "intro.md",
            "Introduction",
            (1, "Introduction", "introduction"),
            (2, "Installation", "installation"),
            (3, "On Linux", "on-linux"),
        )
        ownership = chapter(
            "ownership.md",
            "Ownership",
            (1, "Ownership", "ownership"),
            (2, "The Stack and the Heap", "the-stack-and-the-heap"),
            (2, "Rules", "rules"),
        )
        intro = TocNode(
            intro.kind, intro.title, path=intro.path, headings=intro.headings, children=(ownership,)
        )
        errors = chapter("errors.md", "Errors", (1, "Errors", "errors"), (2, "Panic", "panic"))
        toc = (intro, errors)
    return Book(
        root=root,
        src=root / "src",
        summary_path=root / "src" / "SUMMARY.md",
        title=title,
        toc=toc,
        identity=identity,
    )


def _add_forever(data_dir: Path, count: int) -> None:
    from handbook.core.bookmarks.reanchor import draft_for
    from handbook.core.bookmarks.store import BookmarkStore
    from handbook.core.reading.place import Place

    book = sample_book()
    draft = draft_for(book, "ownership.md#rules", place=Place("ownership.md#rules", 10))
    store = BookmarkStore.open(data_dir, busy_timeout_ms=20_000)
    if store.disabled_reason:
        print(f"disabled: {store.disabled_reason}", flush=True)
        sys.exit(3)
    n = 0
    while count <= 0 or n < count:
        bookmark = store.add(draft, title=f"bookmark {n}", note="x" * (n % 50))
        print(bookmark.id, flush=True)
        for notice in store.take_notices():  # the file was deleted or replaced under it
            print(f"# {notice}", flush=True)
        n += 1
    store.close()


def _backup_forever(target: Path) -> None:
    from handbook.core.bookmarks.backups import atomic_write

    generation = json.loads(target.read_text())["generation"] if target.exists() else 0
    while True:
        generation += 1
        payload = {"generation": generation, "filler": "y" * (200_000 + generation % 7919)}
        atomic_write(target, json.dumps(payload).encode("utf-8"))
        print(generation, flush=True)


def main(argv: list[str]) -> None:
    mode, where = argv[0], Path(argv[1])
    if mode == "add":
        _add_forever(where, int(argv[2]) if len(argv) > 2 else 0)
    elif mode == "backup":
        _backup_forever(where)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
