"""Bookmarks to and from files: JSON (our own, also the backups) and XBEL (browsers, Qt Assistant).

Reading validates the whole file before anything is returned: a malformed or foreign file, or
XML with entities (billion laughs, external entities), raises :class:`ImportFormatError` with a
message naming the problem, and the caller's store is never touched. XML is parsed with
defusedxml. In XBEL, a book is a top-level ``<folder>`` and a bookmark's ``href`` is
``handbook://<book-identity>/<chapter-path>#anchor``; the fields XBEL has no place for go in
``<info><metadata owner="handbook">``.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]

from handbook.core.book.model import split_section_id
from handbook.core.bookmarks.backups import atomic_write
from handbook.core.bookmarks.model import Bookmark, BookmarkStatus, Folder, Snapshot
from handbook.core.storage.pathtext import path_from_text, path_to_text

JSON_FORMAT = "handbook-bookmarks"
JSON_VERSION = 1
FORMATS = ("json", "xbel")
SCHEME = "handbook"
OWNER = "handbook"
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TEXT = 100_000  # characters in a note; other fields are shorter
MAX_SHORT_TEXT = 4_096
MAX_DEPTH = 64  # nested folders


class ImportFormatError(ValueError):
    """The file is not one we can read; the message says why, for the user."""


# -- files ------------------------------------------------------------------------------------


def format_for(path: Path, explicit: str | None = None) -> str:
    """``json`` or ``xbel``: ``explicit`` if given, else from the file's extension."""
    fmt = (explicit or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {path.name!r}: name it .xbel or .json, or give --format"
        )
    return fmt


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def describe_export(count: int, path: Path) -> str:
    return f"Exported {counted(count, 'bookmark')} to {path}."


def describe_import(added: int, skipped: int, folders_added: int, path: Path) -> str:
    text = f"Imported {counted(added, 'bookmark')}"
    if folders_added:
        text += f" and {counted(folders_added, 'folder')}"
    text += f" from {path}"
    if skipped:
        text += f"; {skipped} already here"
    return text + "."


def read_file(path: Path, fmt: str | None = None) -> Snapshot:
    """The bookmarks in ``path``; raises ImportFormatError (or OSError) and changes nothing."""
    fmt = format_for(path, fmt)
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(f"{path.name}: too large for a bookmarks file")
    try:
        text = data.decode("utf-8-sig") if fmt == "json" else data
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc
    try:
        return parse_json(text) if isinstance(text, str) else parse_xbel(text)
    except ImportFormatError as exc:
        raise ImportFormatError(f"{path.name}: {exc}") from exc


def write_file(path: Path, snapshot: Snapshot, fmt: str | None = None) -> None:
    fmt = format_for(path, fmt)
    text = to_json(snapshot) if fmt == "json" else to_xbel(snapshot)
    atomic_write(path, text.encode("utf-8"))


# -- JSON -------------------------------------------------------------------------------------


def to_json(snapshot: Snapshot) -> str:
    folders = [
        {
            "id": f.id,
            "book_identity": f.book_identity,
            "name": f.name,
            "parent_id": f.parent_id,
            "position": f.position,
            "created": _iso(f.created),
        }
        for f in snapshot.folders
    ]
    bookmarks = [_bookmark_record(b) for b in snapshot.bookmarks]
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "folders": folders,
        "bookmarks": bookmarks,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _bookmark_record(b: Bookmark) -> dict[str, Any]:
    return {
        "id": b.id,
        "book_identity": b.book_identity,
        "book_path": path_to_text(b.book_path),
        "book_title": b.book_title,
        "section_id": b.section_id,
        "scroll": b.scroll,
        "heading_text": b.heading_text,
        "breadcrumb": b.breadcrumb,
        "title": b.title,
        "note": b.note,
        "folder_id": b.folder_id,
        "position": b.position,
        "created": _iso(b.created),
        "chapter_index": b.chapter_index,
        "prev_chapter": b.prev_chapter,
        "next_chapter": b.next_chapter,
        "status": b.status.value,
        "place_offset": b.place_offset,
        "place_quote": b.place_quote,
    }


def parse_json(text: str) -> Snapshot:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportFormatError(f"not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        raise ImportFormatError(
            f'not a handbook bookmarks file (it has no "format": "{JSON_FORMAT}")'
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFormatError('"version" must be a whole number')
    if version > JSON_VERSION:
        raise ImportFormatError(f"written by a newer handbook (format version {version})")
    folder_items = _list(document, "folders")
    bookmark_items = _list(document, "bookmarks")
    folders = [_folder_from(Record(item, f"folders[{i}]")) for i, item in enumerate(folder_items)]
    bookmarks = [
        _bookmark_from(Record(item, f"bookmarks[{i}]")) for i, item in enumerate(bookmark_items)
    ]
    return _checked(Snapshot(tuple(folders), tuple(bookmarks)))


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise ImportFormatError(f'"{key}" must be a list')
    return value


class Record:
    """One JSON object (or XBEL element's fields), read with a check of every value."""

    def __init__(self, item: object, where: str) -> None:
        if not isinstance(item, dict):
            raise ImportFormatError(f"{where} must be an object")
        self.item: dict[str, Any] = item
        self.where = where

    def _fail(self, key: str, what: str) -> ImportFormatError:
        return ImportFormatError(f'{self.where}: "{key}" must be {what}')

    def text(self, key: str, default: str | None = None, limit: int = MAX_SHORT_TEXT) -> str:
        value = self.item.get(key, default)
        if not isinstance(value, str) or len(value) > limit or "\x00" in value:
            raise self._fail(key, f"text (up to {limit} characters)")
        return value

    def name(self, key: str) -> str:
        value = self.text(key)
        if not value.strip():
            raise self._fail(key, "non-empty text")
        return value

    def integer(
        self, key: str, default: int | None = None, *, optional: bool = False
    ) -> int | None:
        value = self.item.get(key, default)
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**53:
            raise self._fail(key, "a whole number")
        return value

    def number(self, key: str) -> int:
        value = self.integer(key)
        assert value is not None
        return value

    def time(self, key: str) -> float:
        value = self.item.get(key)
        if value is None:
            return 0.0
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise self._fail(key, "a date and time (ISO 8601)") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.timestamp()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise self._fail(key, "a date and time (ISO 8601)")


def _folder_from(r: Record) -> Folder:
    return Folder(
        id=r.number("id"),
        book_identity=r.name("book_identity"),
        name=r.name("name"),
        parent_id=r.integer("parent_id", optional=True),
        position=r.number("position") if "position" in r.item else 0,
        created=r.time("created"),
    )


def _bookmark_from(r: Record) -> Bookmark:
    title = r.text("title")
    scroll = r.integer("scroll", optional=True)
    if scroll is not None and scroll < 0:
        raise ImportFormatError(f'{r.where}: "scroll" must not be negative')
    status = r.text("status", "ok")
    if status not in {s.value for s in BookmarkStatus}:
        raise ImportFormatError(f'{r.where}: "status" must be "ok" or "missing"')
    section_id = r.name("section_id")
    if not split_section_id(section_id)[0]:
        raise ImportFormatError(f'{r.where}: "section_id" has no chapter path')
    return Bookmark(
        id=r.number("id") if "id" in r.item else 0,
        book_identity=r.name("book_identity"),
        book_path=path_from_text(r.text("book_path", "")),
        book_title=r.text("book_title", ""),
        section_id=section_id,
        scroll=scroll,
        heading_text=r.text("heading_text", title),
        breadcrumb=r.text("breadcrumb", ""),
        title=title,
        note=r.text("note", "", limit=MAX_TEXT),
        folder_id=r.integer("folder_id", optional=True),
        position=r.number("position") if "position" in r.item else 0,
        created=r.time("created"),
        chapter_index=r.number("chapter_index") if "chapter_index" in r.item else -1,
        prev_chapter=r.text("prev_chapter", ""),
        next_chapter=r.text("next_chapter", ""),
        status=BookmarkStatus(status),
        place_offset=max(r.number("place_offset"), 0) if "place_offset" in r.item else 0,
        place_quote=r.text("place_quote", ""),
    )


def _checked(snapshot: Snapshot) -> Snapshot:
    """Folder references point at folders of the same book, with no cycles; ids are unique."""
    folders = {f.id: f for f in snapshot.folders}
    if len(folders) != len(snapshot.folders):
        raise ImportFormatError("two folders have the same id")
    for folder in snapshot.folders:
        seen = {folder.id}
        parent_id = folder.parent_id
        while parent_id is not None:
            parent = folders.get(parent_id)
            if parent is None or parent.book_identity != folder.book_identity:
                raise ImportFormatError(f"folder {folder.name!r} is inside an unknown folder")
            if parent_id in seen or len(seen) > MAX_DEPTH:
                raise ImportFormatError(f"folder {folder.name!r} is inside itself")
            seen.add(parent_id)
            parent_id = parent.parent_id
    for bookmark in snapshot.bookmarks:
        if bookmark.folder_id is None:
            continue
        holder = folders.get(bookmark.folder_id)
        if holder is None or holder.book_identity != bookmark.book_identity:
            raise ImportFormatError(f"bookmark {bookmark.title!r} is in an unknown folder")
    return snapshot


def _iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# -- XBEL -------------------------------------------------------------------------------------

_META_FIELDS: tuple[tuple[str, str], ...] = (
    ("book-path", "book_path"),
    ("book-title", "book_title"),
    ("heading", "heading_text"),
    ("breadcrumb", "breadcrumb"),
    ("scroll", "scroll"),
    ("chapter-index", "chapter_index"),
    ("prev-chapter", "prev_chapter"),
    ("next-chapter", "next_chapter"),
    ("status", "status"),
    ("place-offset", "place_offset"),
    ("place-quote", "place_quote"),
)
_NUMBER_FIELDS = {"scroll", "chapter_index", "place_offset"}


def href_for(book_identity: str, section_id: str) -> str:
    path, anchor = split_section_id(section_id)
    href = f"{SCHEME}://{quote(book_identity, safe='')}/{quote(path)}"
    return f"{href}#{quote(anchor)}" if anchor else href


def parse_href(href: str) -> tuple[str, str] | None:
    """``(book_identity, section_id)`` of a handbook link; None for any other link."""
    parts = urlsplit(href)
    if parts.scheme != SCHEME or not parts.netloc or len(parts.path) < 2:
        return None
    path = unquote(parts.path[1:])
    anchor = unquote(parts.fragment)
    return unquote(parts.netloc), f"{path}#{anchor}" if anchor else path


def to_xbel(snapshot: Snapshot) -> str:
    root = ET.Element("xbel", version="1.0")
    books: dict[str, ET.Element] = {}
    by_book: dict[str, list[Bookmark]] = {}
    for bookmark in snapshot.bookmarks:
        by_book.setdefault(bookmark.book_identity, []).append(bookmark)
    identities = list(dict.fromkeys([*by_book, *(f.book_identity for f in snapshot.folders)]))
    for identity in identities:
        first = by_book.get(identity, [None])[0]
        book = ET.SubElement(root, "folder")
        ET.SubElement(book, "title").text = first.book_title if first else identity
        meta = _metadata(book)
        ET.SubElement(meta, "book-identity").text = identity
        if first is not None:
            ET.SubElement(meta, "book-path").text = path_to_text(first.book_path)
        books[identity] = book
    _fill_xbel(snapshot, books)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xbel>\n{body}\n'


def _fill_xbel(snapshot: Snapshot, books: dict[str, ET.Element]) -> None:
    children: dict[int | None, list[Folder]] = {}
    for folder in sorted(snapshot.folders, key=lambda f: (f.position, f.id)):
        children.setdefault(folder.parent_id, []).append(folder)
    marks: dict[int | None, list[Bookmark]] = {}
    for bookmark in sorted(snapshot.bookmarks, key=lambda b: (b.position, b.id)):
        marks.setdefault(bookmark.folder_id, []).append(bookmark)

    def fill(element: ET.Element, book: str, folder_id: int | None) -> None:
        for folder in children.get(folder_id, []):
            if folder.book_identity != book:
                continue
            child = ET.SubElement(element, "folder", added=_iso(folder.created))
            ET.SubElement(child, "title").text = folder.name
            fill(child, book, folder.id)
        for bookmark in marks.get(folder_id, []):
            if bookmark.book_identity == book:
                _xbel_bookmark(element, bookmark)

    for identity, element in books.items():
        fill(element, identity, None)


def _xbel_bookmark(parent: ET.Element, b: Bookmark) -> None:
    href = href_for(b.book_identity, b.section_id)
    element = ET.SubElement(parent, "bookmark", href=href, added=_iso(b.created))
    ET.SubElement(element, "title").text = b.title
    meta = _metadata(element)
    record = _bookmark_record(b)
    for tag, key in _META_FIELDS:
        if record[key] is not None:
            ET.SubElement(meta, tag).text = str(record[key])
    if b.note:
        ET.SubElement(element, "desc").text = b.note


def _metadata(element: ET.Element) -> ET.Element:
    info = ET.SubElement(element, "info")
    return ET.SubElement(info, "metadata", owner=OWNER)


def parse_xbel(data: bytes | str) -> Snapshot:
    try:
        root = SafeET.fromstring(data, forbid_dtd=False)
    except DefusedXmlException as exc:
        raise ImportFormatError(
            f"the XML declares entities or external references, which are refused ({exc})"
        ) from exc
    except ET.ParseError as exc:
        raise ImportFormatError(f"not well-formed XML ({exc})") from exc
    if root.tag != "xbel":
        raise ImportFormatError(f"not an XBEL file (its root element is <{root.tag}>)")
    reader = _XbelReader()
    reader.read(root)
    if not reader.bookmarks and not reader.folders:
        found = f" ({reader.foreign} links to other places)" if reader.foreign else ""
        raise ImportFormatError(f"it holds no handbook bookmarks{found}")
    return _checked(Snapshot(tuple(reader.folders), tuple(reader.bookmarks)))


class _XbelReader:
    """Walks an XBEL tree: book folders (with our metadata) hold folders and bookmarks."""

    def __init__(self) -> None:
        self.folders: list[Folder] = []
        self.bookmarks: list[Bookmark] = []
        self.foreign = 0
        self._folder_ids: dict[tuple[str, tuple[str, ...]], int] = {}
        self._positions: dict[tuple[str, str, int | None], int] = {}

    def read(self, root: ET.Element) -> None:
        # (element, book identity or None, folder names below the book folder, depth)
        Entry = tuple[ET.Element, str | None, tuple[str, ...], int]
        stack: list[Entry] = [(root, None, (), 0)]
        while stack:
            element, book, path, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise ImportFormatError(f"folders are nested more than {MAX_DEPTH} deep")
            pending: list[Entry] = []
            for child in element:
                if child.tag == "bookmark":
                    self._bookmark(child, book, path)
                elif child.tag == "folder":
                    identity = _meta_text(child, "book-identity")
                    if identity:
                        pending.append((child, identity, (), depth + 1))
                    else:
                        name = _child_text(child, "title") or "Untitled folder"
                        if book is not None:
                            self._folder(book, (*path, name), _added(child))
                        pending.append((child, book, (*path, name), depth + 1))
            stack.extend(reversed(pending))

    def _folder(self, book: str, path: tuple[str, ...], created: str | None) -> int:
        key = (book, path)
        if key in self._folder_ids:
            return self._folder_ids[key]
        parent = self._folder(book, path[:-1], None) if len(path) > 1 else None
        folder_id = len(self._folder_ids) + 1
        self._folder_ids[key] = folder_id
        record = Record(
            {
                "id": folder_id,
                "book_identity": book,
                "name": path[-1],
                "parent_id": parent,
                "position": self._next_position("folder", book, parent),
                "created": created,
            },
            f"folder {path[-1]!r}",
        )
        self.folders.append(_folder_from(record))
        return folder_id

    def _bookmark(self, element: ET.Element, book: str | None, path: tuple[str, ...]) -> None:
        target = parse_href(element.get("href", ""))
        if target is None:
            self.foreign += 1
            return
        identity, section_id = target
        folder_id = self._folder(identity, path, None) if path else None
        fields: dict[str, Any] = {
            "id": len(self.bookmarks) + 1,
            "book_identity": identity,
            "section_id": section_id,
            "title": _child_text(element, "title") or section_id,
            "note": _child_text(element, "desc"),
            "folder_id": folder_id,
            "position": self._next_position("bookmark", identity, folder_id),
            "created": _added(element),
        }
        for tag, key in _META_FIELDS:
            value = _meta_text(element, tag)
            if value is not None:
                fields[key] = _meta_number(value, tag) if key in _NUMBER_FIELDS else value
        where = f"bookmark {fields['title']!r}"
        self.bookmarks.append(_bookmark_from(Record(fields, where)))

    def _next_position(self, kind: str, book: str, folder_id: int | None) -> int:
        key = (kind, book, folder_id)
        self._positions[key] = self._positions.get(key, -1) + 1
        return self._positions[key]


def _child_text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _meta_text(element: ET.Element, tag: str) -> str | None:
    for meta in element.iterfind("info/metadata"):
        if meta.get("owner") == OWNER:
            child = meta.find(tag)
            if child is not None:
                return child.text or ""
    return None


def _meta_number(value: str, tag: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ImportFormatError(f"<{tag}> must be a whole number, not {value!r}") from None


def _added(element: ET.Element) -> str | None:
    return element.get("added") or None
