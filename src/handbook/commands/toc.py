"""``handbook toc [--json] [--headings] [PATH]``: a book's section tree, without a window.

The text form is SUMMARY.md's structure as mdBook shows it: one line per entry, two spaces of
indent per level, mdBook's number before numbered chapters, ``(draft)`` after drafts, part
titles as their text and separators as ``---``. Problems with the book (a missing chapter file,
a bad SUMMARY.md line) go to stderr as warnings; the tree is still printed and the exit status
is 0. A path that is not a book is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from handbook.commands.common import add_book_argument, load_book_or_exit, print_out
from handbook.core.book.model import Book, NodeKind, TocNode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_book_argument(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"title", "format", "toc", "problems"} as JSON (format: mdbook, mkdocs, '
        "folder or file); each node has kind, title, number, path, draft, problem, url, "
        "headings and children",
    )
    parser.add_argument(
        "--headings", action="store_true", help="also list each chapter's headings beneath it"
    )
    parser.add_argument(
        "--problems",
        action="store_true",
        help="print the book's problems (missing pages, ignored MkDocs extensions...) instead",
    )


def run(args: argparse.Namespace) -> int:
    book = load_book_or_exit(args.path)
    if isinstance(book, int):
        return book
    if args.problems:
        return print_out("\n".join(str(problem) for problem in book.problems))
    for problem in book.problems:
        print(f"handbook: warning: {problem}", file=sys.stderr)
    if args.json:
        text = json.dumps(book_json(book), indent=2)
    else:
        text = "\n".join(toc_lines(book.toc, with_headings=args.headings))
    return print_out(text)


def toc_lines(nodes: tuple[TocNode, ...], with_headings: bool = False, depth: int = 0) -> list[str]:
    """The tree as indented lines ("5.1.1. Title", "(draft)", part titles, "---")."""
    lines: list[str] = []
    indent = "  " * depth
    for node in nodes:
        lines.append(indent + entry_text(node))
        if with_headings:
            lines.extend(f"{indent}  {'#' * h.level} {h.title}" for h in node.headings)
        lines.extend(toc_lines(node.children, with_headings, depth + 1))
    return lines


def entry_text(node: TocNode) -> str:
    if node.kind is NodeKind.SEPARATOR:
        return "---"
    text = f"{node.number} {node.title}" if node.number else node.title
    return f"{text} (draft)" if node.draft else text


def book_json(book: Book) -> dict[str, Any]:
    return {
        "title": book.title,
        "format": book.format,
        "toc": [node_json(node) for node in book.toc],
        "problems": [str(problem) for problem in book.problems],
    }


def node_json(node: TocNode) -> dict[str, Any]:
    """Every node has the same keys, so that a consumer needs no special cases."""
    return {
        "kind": node.kind.value,
        "title": node.title,
        "number": node.number,
        "path": node.path,
        "draft": node.draft,
        "problem": node.problem,
        "url": node.url,
        "headings": [
            {"level": h.level, "title": h.title, "anchor": h.anchor} for h in node.headings
        ],
        "children": [node_json(child) for child in node.children],
    }
