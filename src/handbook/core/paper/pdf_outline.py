"""Add an outline (the bookmarks pane of PDF readers) to a PDF written by Qt.

Qt 6.12's ``QPdfWriter`` writes named destinations for ``<a name>`` anchors but has no API for an
outline. This appends one as a PDF *incremental update* (ISO 32000-1, 7.5.6): new outline
objects, a new catalog pointing at them, an xref section and a trailer with ``/Prev``. The bytes
Qt wrote are left as they are, so a reader that ignores the update still sees Qt's file.

Only the shape Qt writes is handled (a classic xref table and a flat catalog dictionary); any
other shape is left untouched and :func:`add_outline` answers False.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

TAIL_BYTES = 16 * 1024  # the end of the file, where Qt's trailer is
CATALOG_BYTES = 64 * 1024  # at most this much of the catalog object is read
XREF_ENTRY_BYTES = 20  # each entry of a classic xref table (ISO 32000-1, 7.5.4)


@dataclass(frozen=True)
class OutlineEntry:
    """One bookmark: ``destination`` is a named destination in the file (an anchor name)."""

    title: str
    level: int  # 0 at the top; a deeper entry belongs to the nearest shallower one before it
    destination: str


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.DOTALL)


def pdf_text(text: str) -> bytes:
    """A PDF text string, UTF-16BE with its byte order mark, as Qt writes destination names."""
    return b"<FEFF" + text.encode("utf-16-be", "replace").hex().upper().encode() + b">"


def _tree(entries: Sequence[OutlineEntry]) -> list[int | None]:
    """The parent index of each entry (None: the outline root)."""
    parents: list[int | None] = []
    stack: list[int] = []
    for n, entry in enumerate(entries):
        while stack and entries[stack[-1]].level >= entry.level:
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(n)
    return parents


def outline_objects(entries: Sequence[OutlineEntry], first: int) -> list[tuple[int, bytes]]:
    """(object number, dictionary) of the outline root (``first``) and its items."""
    parents = _tree(entries)
    number = [first + 1 + n for n in range(len(entries))]
    children: dict[int | None, list[int]] = {}
    for n, parent in enumerate(parents):
        children.setdefault(parent, []).append(n)

    def ref(n: int | None) -> bytes:
        return b"%d 0 R" % (first if n is None else number[n])

    objects: list[tuple[int, bytes]] = []
    top = children.get(None, [])
    root = b"<< /Type /Outlines"
    if top:
        root += b" /First %s /Last %s /Count %d" % (ref(top[0]), ref(top[-1]), len(top))
    objects.append((first, root + b" >>"))
    for n, entry in enumerate(entries):
        siblings = children[parents[n]]
        at = siblings.index(n)
        parts = [
            b"<< /Title " + pdf_text(entry.title),
            b"/Parent " + ref(parents[n]),
            b"/Dest " + pdf_text(entry.destination),
        ]
        if at > 0:
            parts.append(b"/Prev " + ref(siblings[at - 1]))
        if at + 1 < len(siblings):
            parts.append(b"/Next " + ref(siblings[at + 1]))
        kids = children.get(n, [])
        if kids:  # closed: the reader opens a chapter to see its headings
            parts.append(
                b"/First %s /Last %s /Count -%d" % (ref(kids[0]), ref(kids[-1]), len(kids))
            )
        objects.append((number[n], b" ".join(parts) + b" >>"))
    return objects


def add_outline(path: Path, entries: Sequence[OutlineEntry]) -> bool:
    """Append an outline of ``entries`` to the PDF at ``path``; False when it could not.

    Only the file's end (its trailer) and its catalog are read, found through the xref table:
    memory does not grow with the file (reading it whole took 5 KB a chapter, 20 MB for a
    4,000-chapter book)."""
    if not entries:
        return False
    with path.open("rb") as file:
        length = file.seek(0, os.SEEK_END)
        file.seek(max(0, length - TAIL_BYTES))
        tail = file.read()
        end = _STARTXREF.search(tail[-1024:])
        trailers = list(_TRAILER.finditer(tail))
        if end is None or not trailers:
            return False
        trailer = trailers[-1].group(1)
        size = re.search(rb"/Size\s+(\d+)", trailer)
        root = re.search(rb"/Root\s+(\d+)\s+(\d+)\s+R", trailer)
        if size is None or root is None:
            return False
        root_number, root_generation = int(root.group(1)), int(root.group(2))
        offset = _xref_offset(file, int(end.group(1)), root_number)
        if offset is None:
            return False  # not a classic xref table: not a file this knows how to update
        file.seek(offset)
        catalog = re.match(
            rb"\s*%d %d obj\s*<<(.*?)>>\s*endobj" % (root_number, root_generation),
            file.read(CATALOG_BYTES),
            re.DOTALL,
        )
    if catalog is None or b"<<" in catalog.group(1) or b"/Outlines" in catalog.group(1):
        return False
    first = int(size.group(1))
    objects = outline_objects(entries, first)
    new_catalog = (
        b"<<"
        + catalog.group(1).rstrip()
        + b"\n/Outlines %d 0 R\n/PageMode /UseOutlines\n>>" % first
    )

    # appended to the file as it is
    out = bytearray(b"" if tail.endswith(b"\n") else b"\n")
    base = length
    offsets: dict[int, int] = {}
    for number, body in [(root_number, new_catalog), *objects]:
        offsets[number] = base + len(out)
        generation = root_generation if number == root_number else 0
        out += b"%d %d obj\n%s\nendobj\n" % (number, generation, body)
    xref_at = base + len(out)
    out += b"xref\n%d 1\n%010d %05d n \n" % (root_number, offsets[root_number], root_generation)
    out += b"%d %d\n" % (first, len(objects))
    for number, _ in objects:
        out += b"%010d 00000 n \n" % offsets[number]
    extra = b"".join(
        m.group(0) + b" "
        for m in (
            re.search(rb"/Info\s+\d+\s+\d+\s+R", trailer),
            re.search(rb"/ID\s*\[[^\]]*\]", trailer),
        )
        if m is not None
    )
    out += b"trailer\n<< /Size %d /Root %d %d R %s/Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        first + len(objects),
        root_number,
        root_generation,
        extra,
        int(end.group(1)),
        xref_at,
    )
    with path.open("ab") as file:
        file.write(out)
    return True


def _xref_offset(file: BinaryIO, xref_at: int, number: int) -> int | None:
    """Where object ``number`` starts, from the classic xref table at ``xref_at`` (None: the
    table is not there, or does not list it)."""
    file.seek(xref_at)
    if file.readline().strip() != b"xref":
        return None
    while True:
        header = file.readline().split()
        if len(header) != 2 or not (header[0].isdigit() and header[1].isdigit()):
            return None  # the trailer: not listed here
        first, count = int(header[0]), int(header[1])
        if first <= number < first + count:
            file.seek((number - first) * XREF_ENTRY_BYTES, os.SEEK_CUR)
            entry = file.read(XREF_ENTRY_BYTES).split()
            in_use = len(entry) == 3 and entry[0].isdigit() and entry[2] == b"n"
            return int(entry[0]) if in_use else None
        file.seek(count * XREF_ENTRY_BYTES, os.SEEK_CUR)
