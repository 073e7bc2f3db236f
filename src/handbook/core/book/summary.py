"""SUMMARY.md parser: mdBook's grammar, with problems recorded instead of aborting.

mdBook reads SUMMARY.md as CommonMark and walks the events (``mdbook-summary``'s ``lib.rs``):
an optional title (a ``#`` heading before anything else), prefix chapters (plain links), then
the numbered chapters (list items, nested by indentation, split into parts by ``#`` headings),
then suffix chapters (plain links again); ``---`` lines are separators anywhere. This module
reads the same grammar line by line, which is enough for SUMMARY.md and much faster.

The result is flat like mdBook's: a part title is a node *followed by* its chapters, not their
parent; only chapters have children. Numbers are mdBook's ("5.1.1."): the top level counts on
across parts and separators; prefix and suffix chapters have none.

mdBook stops at the first invalid line. A reader should still open the rest of the book, so a
bad line becomes a :class:`BookProblem` naming the file and line, and parsing goes on: a list
item that is not a link is skipped (its sub-items move up a level), a numbered chapter among the
suffix chapters is kept unnumbered, an indented prefix chapter is kept at the top level.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from handbook.core.book.headings import (
    InlineLink,
    find_links,
    match_atx_heading,
    normalize_label,
    plain_heading_text,
)
from handbook.core.book.model import BookProblem, NodeKind, TocNode

_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")
_RULE = re.compile(r"^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")
_HTML_OPEN = re.compile(r"^ {0,3}</?[A-Za-z]")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>\n]*>|\S+)")

LINK_FORM = "'- [Title](file.md)'"
MAX_DEPTH = 32  # chapter nesting kept; deeper items join the deepest level


@dataclass(frozen=True)
class Summary:
    """What SUMMARY.md says: its ``# Title`` (if any), the table of contents, what was wrong."""

    title: str | None
    toc: tuple[TocNode, ...]
    problems: tuple[BookProblem, ...] = ()


def parse_summary(text: str, file: Path = Path("SUMMARY.md")) -> Summary:
    """Parse SUMMARY.md's text; ``file`` only names it in problems. Never raises."""
    text = text.removeprefix("\ufeff")
    blocks, refs = _split_blocks(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    parser = _Parser(file, refs)
    for block in blocks:
        parser.feed(block)
    _number(parser.top, "")
    toc = tuple(entry.to_node() for entry in parser.top)
    return Summary(parser.title, toc, tuple(parser.problems))


def chapter_path(dest: str) -> str | None:
    """The chapter file a link destination names (relative, POSIX), or None for a draft.

    mdBook turns ``%20`` into a space; any percent-escape is decoded here. ``./`` and ``a/../``
    are normalized away; ``../`` or an absolute path is kept, for the loader to refuse.
    """
    dest = dest.strip()
    if not dest:
        return None
    path = posixpath.normpath(unquote(dest))
    return path.removeprefix("./")


# --- blocks: the lines of SUMMARY.md grouped as CommonMark would --------------------------------


@dataclass
class _Block:
    kind: str  # "heading", "rule", "item" or "para"
    line: int
    text: str = ""  # inline markdown; a paragraph's lines joined with "\n"
    level: int = 0  # heading level
    indent: int = 0  # columns before the first character (for an item, before its marker)
    content: int = 0  # an item's text column: deeper items are its children
    after_blank: bool = False
    line_indents: list[int] = field(default_factory=list)  # indent of each of the text's lines

    def add_line(self, stripped: str, indent: int) -> None:
        self.text += "\n" + stripped
        self.line_indents.append(indent)

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)

    def indent_of(self, offset: int) -> int:
        return self.line_indents[self.text.count("\n", 0, offset)]


def _split_blocks(lines: list[str]) -> tuple[list[_Block], dict[str, str]]:
    """Headings, rules, list items and paragraphs, plus link reference definitions."""
    splitter = _BlockSplitter()
    for lineno, raw in enumerate(lines, start=1):
        splitter.feed(raw.expandtabs(4), lineno)
    return splitter.blocks, splitter.refs


class _BlockSplitter:
    """Groups lines into blocks; code, HTML and comments are dropped, as mdBook ignores them."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.refs: dict[str, str] = {}
        self.open: _Block | None = None  # the paragraph or item that the next line may continue
        self.fence: str | None = None
        self.in_comment = False
        self.in_html = False
        self.blank = False

    def feed(self, line: str, lineno: int) -> None:
        stripped = line.strip()
        if self._skipped(line, stripped):
            return
        if not stripped:
            self.open, self.blank, self.in_html = None, True, False
            return
        indent = len(line) - len(line.lstrip(" "))
        block = self._block_start(line, stripped, indent, lineno)
        if block is not None:
            block.after_blank, self.blank = self.blank, False
            self.blocks.append(block)
            self.open = block if block.kind in ("item", "para") else None
        else:
            self.blank = False

    def _skipped(self, line: str, stripped: str) -> bool:
        """Lines inside fenced code, HTML comments and HTML blocks."""
        if self.fence is not None:
            close = _FENCE_CLOSE.match(line)
            if close and close.group(1)[0] == self.fence[0]:
                self.fence = None if len(close.group(1)) >= len(self.fence) else self.fence
            return True
        if self.in_comment:
            self.in_comment = "-->" not in line
            return True
        if self.in_html:
            self.in_html = bool(stripped)
            return bool(stripped)
        if _COMMENT_OPEN.match(line):
            self.in_comment, self.open = "-->" not in line.split("<!--", 1)[1], None
            return True
        if opening := _FENCE_OPEN.match(line):
            self.fence, self.open = opening.group(1), None
            return True
        if self.open is None and _HTML_OPEN.match(line):
            self.in_html = True
            return True
        return False

    def _block_start(self, line: str, stripped: str, indent: int, lineno: int) -> _Block | None:
        """The block ``line`` starts, or None when it continues one (or defines a reference)."""
        underline = _SETEXT.match(line)
        if underline and self.open is not None and self.open.kind == "para":
            para = self.blocks.pop()
            level = 1 if underline.group(1)[0] == "=" else 2
            return _Block("heading", para.line, para.text, level=level, indent=para.indent)
        if _RULE.match(line):
            return _Block("rule", lineno)
        if atx := match_atx_heading(line):
            return _Block("heading", lineno, atx[1], level=atx[0], indent=indent)
        if item := _ITEM.match(line):
            return _item_block(line, item, lineno)
        if self.open is None and (ref := _REF_DEF.match(line)):
            self.refs.setdefault(normalize_label(ref.group(1)), ref.group(2).strip("<>"))
            return None
        if self.open is not None:
            self.open.add_line(stripped, indent)
            return None
        return _Block("para", lineno, stripped, indent=indent, line_indents=[indent])


def _item_block(line: str, item: re.Match[str], lineno: int) -> _Block:
    indent, marker, spaces = len(item.group(1)), item.group(2), len(item.group(3))
    text = line[item.end() :].strip()
    gap = spaces if 1 <= spaces <= 4 and text else 1
    content = indent + len(marker) + gap
    return _Block("item", lineno, text, indent=indent, content=content, line_indents=[content])


# --- entries: the table of contents being built -------------------------------------------------


@dataclass
class _Entry:
    kind: NodeKind
    title: str
    line: int
    path: str | None = None
    draft: bool = False
    numbered: bool = False
    number: str | None = None
    children: list[_Entry] = field(default_factory=list)

    def to_node(self) -> TocNode:
        return TocNode(
            kind=self.kind,
            title=self.title,
            number=self.number,
            path=self.path,
            draft=self.draft,
            children=tuple(child.to_node() for child in self.children),
            line=self.line,
        )


@dataclass
class _OpenItem:
    """A list item that deeper items nest under (``children`` is the list they join)."""

    content: int
    children: list[_Entry]


def _number(entries: list[_Entry], parent: str) -> None:
    """mdBook's section numbers: top level counted across the whole list, children per parent."""
    count = 0
    for entry in entries:
        if entry.kind is NodeKind.CHAPTER and entry.numbered:
            count += 1
            entry.number = f"{parent}{count}."
            _number(entry.children, entry.number)


class _Parser:
    """mdBook's phases: title, prefix chapters, numbered chapters (in parts), suffix chapters."""

    def __init__(self, file: Path, refs: dict[str, str]) -> None:
        self.file = file
        self.refs = refs
        self.title: str | None = None
        self.top: list[_Entry] = []
        self.problems: list[BookProblem] = []
        self.phase = "title"
        self.open_items: list[_OpenItem] = []
        self.listed: dict[str, int] = {}  # chapter path -> line where it was first listed
        self.previous: _Block | None = None

    def feed(self, block: _Block) -> None:
        if block.kind == "heading":
            self._heading(block)
        elif block.kind == "rule":
            self._leave_title()
            self.open_items = []
            self.top.append(_Entry(NodeKind.SEPARATOR, "", block.line))
        elif block.kind == "item":
            self._item(block)
        else:
            self._paragraph(block)
        self.previous = block

    def problem(self, line: int, message: str) -> None:
        self.problems.append(BookProblem(self.file, line, message))

    def _leave_title(self) -> None:
        if self.phase == "title":
            self.phase = "prefix"

    def _heading(self, block: _Block) -> None:
        self.open_items = []
        if block.level > 1:
            if self.phase != "numbered":  # mdBook takes links in affix headings as chapters
                self._leave_title()
                self._affix_links(block)
            return
        title = plain_heading_text(block.text)
        if self.phase == "title":
            self.title, self.phase = title, "prefix"
            return
        if self.phase == "suffix":
            self.problem(block.line, f"a part title ('# {title}') cannot follow suffix chapters")
        else:
            self.phase = "numbered"
        self.top.append(_Entry(NodeKind.PART, title, block.line))

    def _paragraph(self, block: _Block) -> None:
        self._leave_title()
        in_item = self.open_items and block.indent >= self.open_items[0].content
        if self.phase == "numbered" and in_item:  # a later paragraph of a list item
            self._ignored_links(block, find_links(block.text, self.refs))
            return
        if self.phase == "numbered":
            self.phase = "suffix"
        self.open_items = []
        self._affix_links(block)

    def _affix_links(self, block: _Block) -> None:
        """Every link of a prefix or suffix paragraph is an unnumbered chapter."""
        which = "prefix" if self.phase == "prefix" else "suffix"
        for link in find_links(block.text, self.refs):
            if link.image:
                continue
            entry = self._chapter(link, block.line_of(link.start))
            if block.kind == "para" and block.indent_of(link.start) >= 2:
                self.problem(
                    entry.line,
                    f"{which} chapters cannot be nested; '{entry.title}' is shown at the top level",
                )
            self.top.append(entry)

    def _item(self, block: _Block) -> None:
        if self.phase in ("title", "prefix"):
            self._check_nested_prefix(block)
            self.phase = "numbered"
        while self.open_items and self.open_items[-1].content > block.indent:
            self.open_items.pop()
        if len(self.open_items) >= MAX_DEPTH:
            self.problem(block.line, f"chapters nested more than {MAX_DEPTH} deep are moved up")
            self.open_items.pop()
        siblings = self.open_items[-1].children if self.open_items else self.top
        links = [link for link in find_links(block.text, self.refs) if not link.image]
        if not links or links[0].start != 0:
            self.problem(block.line, _not_a_link(block.text))
            self.open_items.append(_OpenItem(block.content, siblings))  # sub-items move up
            return
        entry = self._chapter(links[0], block.line)
        if self.phase == "suffix" and siblings is self.top:  # said once, for the top item
            self.problem(
                block.line,
                f"a numbered chapter ('{entry.title}') cannot follow suffix chapters; "
                "it is shown unnumbered",
            )
        entry.numbered = self.phase == "numbered"
        siblings.append(entry)
        self.open_items.append(_OpenItem(block.content, entry.children))
        self._ignored_links(block, links[1:])

    def _check_nested_prefix(self, block: _Block) -> None:
        previous = self.previous
        if previous is None or previous.kind != "para" or block.after_blank or block.indent < 2:
            return
        if find_links(previous.text, self.refs):
            self.problem(
                block.line,
                f"prefix chapters cannot be nested; '{plain_heading_text(block.text)}' "
                "starts the numbered chapters instead",
            )

    def _ignored_links(self, block: _Block, links: list[InlineLink]) -> None:
        for link in links:
            if not link.image:
                title = plain_heading_text(link.text, self.refs)
                self.problem(
                    block.line_of(link.start),
                    f"only the first link of a list item is a chapter; '{title}' is ignored",
                )

    def _chapter(self, link: InlineLink, line: int) -> _Entry:
        title = plain_heading_text(link.text, self.refs)
        path = chapter_path(link.dest)
        if path is not None:
            first = self.listed.setdefault(path, line)
            if first != line:
                self.problem(line, f"'{path}' is listed twice (first at line {first})")
        return _Entry(NodeKind.CHAPTER, title, line, path=path, draft=path is None)


def _not_a_link(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    message = f"a list item must be a link like {LINK_FORM}, not '- {shown}'"
    if re.fullmatch(r"\[[^\]]*\]", text):
        message += f"; write '- {text}()' for a draft chapter"
    return message
