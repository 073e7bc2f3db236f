"""Add an outline (the bookmarks pane of PDF readers) to a PDF written by Qt.

Qt 6.12's ``QPdfWriter`` writes named destinations for ``<a name>`` anchors but has no API for an
outline. This appends one as a PDF *incremental update* (ISO 32000-1, 7.5.6): new outline
objects, a new catalog pointing at them, an xref section and a trailer with ``/Prev``. The bytes
Qt wrote are left as they are, so a reader that ignores the update still sees Qt's file.

Only the shape Qt writes is handled (a classic xref table and a flat catalog dictionary); any
other shape is left untouched and :func:`add_outline` answers False.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


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
    """Append an outline of ``entries`` to the PDF at ``path``; False when it could not."""
    if not entries:
        return False
    data = path.read_bytes()
    end = _STARTXREF.search(data[-1024:])
    trailers = list(_TRAILER.finditer(data))
    if end is None or not trailers or b"\nxref" not in data:
        return False  # not a classic xref table: not a file this knows how to update
    trailer = trailers[-1].group(1)
    size = re.search(rb"/Size\s+(\d+)", trailer)
    root = re.search(rb"/Root\s+(\d+)\s+(\d+)\s+R", trailer)
    if size is None or root is None:
        return False
    root_number, root_generation = int(root.group(1)), int(root.group(2))
    catalog = re.search(
        rb"(?<![0-9])%d %d obj\s*<<(.*?)>>\s*endobj" % (root_number, root_generation),
        data,
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

    # appended to the file as it is (a 5,000-chapter PDF is not read back into a second copy)
    out = bytearray(b"" if data.endswith(b"\n") else b"\n")
    base = len(data)
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
