"""The book's files on disk, as the window follows them: which to watch, and what changed.

A :class:`WatchPlan` names the files a book is made of (its layout files, its chapters) and the
folders holding them. The window's watcher (``ui/live/watcher.py``) watches the folders always
and the files while the system's inotify budget allows; whatever woke it up, it asks this
module what actually changed by comparing :func:`stamp` s (inode, size, mtime, mode), so an
editor's every way of saving (in place, truncate and write, a temporary file renamed over,
delete and recreate) comes down to the same answer: this file is not what it was.

Nothing here imports Qt; nothing here reads a file's content.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from handbook.core.book.locate import CONFIG, MARKDOWN_SUFFIXES
from handbook.core.book.model import Book

Stamp = tuple[int, int, int, int] | None  # (inode, size, mtime in ns, mode); None: not there


def stamp(path: Path) -> Stamp:
    """What a file is now, cheaply: a save of any kind changes at least one of these."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_mode)


def stamps(paths: Iterable[Path]) -> dict[Path, Stamp]:
    return {path: stamp(path) for path in paths}


@dataclass(frozen=True)
class WatchPlan:
    """The files a book is made of, and the folders they are in."""

    root: Path
    layout: frozenset[Path]  # SUMMARY.md, book.toml (present or not: one may appear)
    chapters: Mapping[Path, str] = field(default_factory=dict)  # file -> chapter path
    extra: Mapping[Path, str] = field(default_factory=dict)  # included file / image -> chapter
    listed: bool = False  # the folders' markdown files are the layout (a plain folder, MkDocs)
    # every chapter's included files and images -> the chapters using them (see book_uses)
    uses: Mapping[Path, frozenset[str]] = field(default_factory=dict)

    @property
    def files(self) -> frozenset[Path]:
        return self.layout | self.chapters.keys() | self.extra.keys() | self.uses.keys()

    def files_of_book(self) -> frozenset[Path]:
        """The files followed whatever page is on screen."""
        return self.layout | self.chapters.keys() | self.uses.keys()

    def pages_using(self, path: Path) -> frozenset[str]:
        """The chapters whose page shows file ``path`` (included or an image)."""
        on_screen = self.extra.get(path)
        used = self.uses.get(path, frozenset())
        return used if on_screen is None else used | {on_screen}

    @property
    def folders(self) -> frozenset[Path]:
        """The book folder, the folder holding it (where the book folder can be renamed or
        removed: its own watch does not say so) and every folder holding one of its files."""
        folders = {self.root, self.root.parent} | {path.parent for path in self.files}
        return frozenset(folders)

    def with_extra(self, extra: Mapping[Path, str]) -> WatchPlan:
        return dataclasses.replace(self, extra=dict(extra))

    def with_uses(self, uses: Mapping[Path, frozenset[str]]) -> WatchPlan:
        return dataclasses.replace(self, uses=dict(uses))


def plan_for(book: Book) -> WatchPlan:
    """What to watch in ``book``: its layout files and every chapter file it lists."""
    chapters = {book.src / node.path: node.path for node in book.chapters() if node.path}
    if book.format == "mdbook":
        layout = frozenset({book.summary_path, book.root / CONFIG})
    else:  # MkDocs' mkdocs.yml; a plain folder has none; a single file is its own layout
        layout = frozenset({book.summary_path}) - {book.root}
    return WatchPlan(book.root, layout, chapters, listed=book.format in ("folder", "mkdocs"))


def listing_changed(plan: WatchPlan, folders: Iterable[Path]) -> bool:
    """Whether markdown files came or went in ``folders`` (a plain folder's or an MkDocs
    site's pages are the markdown files found there)."""
    if not plan.listed:
        return False
    for folder in folders:
        if not folder.is_relative_to(plan.root):
            continue
        try:
            names = {
                folder / entry.name
                for entry in os.scandir(folder)
                if entry.name.lower().endswith(MARKDOWN_SUFFIXES) and entry.is_file()
            }
        except OSError:
            names = set()
        known = {path for path in plan.chapters if path.parent == folder}
        if names != known:
            return True
    return any(_holds_markdown(folder) for folder in new_folders(plan, folders))


MAX_NEW_FOLDERS = 256  # folders looked into below one that changed (a tree copied in)


def new_folders(plan: WatchPlan, folders: Iterable[Path]) -> frozenset[Path]:
    """Folders that appeared in ``folders`` (and below them) holding no page the plan knows
    of: a plain folder's or an MkDocs site's new subfolder of pages, to be watched too (it may
    be empty yet)."""
    if not plan.listed:
        return frozenset()
    known = plan.folders
    found: set[Path] = set()
    todo = [folder for folder in folders if folder.is_relative_to(plan.root)]
    while todo and len(found) < MAX_NEW_FOLDERS:
        try:
            with os.scandir(todo.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith(".") or path in known or path in found:
                continue
            if entry.is_dir(follow_symlinks=False):
                found.add(path)
                todo.append(path)
    return frozenset(found)


def _holds_markdown(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(
                entry.name.lower().endswith(MARKDOWN_SUFFIXES) and entry.is_file()
                for entry in entries
            )
    except OSError:
        return False


@dataclass(frozen=True)
class BookChanges:
    """What changed on disk since the last look, as the window acts on it."""

    layout: bool = False  # SUMMARY.md or book.toml: the contents (and every chapter) anew
    chapters: frozenset[str] = frozenset()  # chapter files changed, gone or back
    extra_for: frozenset[str] = frozenset()  # chapters whose included files or images changed
    gone: frozenset[str] = frozenset()  # of ``chapters``: the file is not there (or no file)
    unreadable: frozenset[str] = frozenset()  # of ``chapters``: there, but cannot be read
    book_gone: bool = False  # the book folder itself is gone (deleted, moved, renamed)
    listing: bool = False  # of ``layout``: pages came or went in a plain folder or MkDocs site

    def __bool__(self) -> bool:
        return bool(self.layout or self.chapters or self.extra_for or self.book_gone)

    @property
    def pages(self) -> frozenset[str]:
        """Chapters whose rendered page is out of date."""
        return self.chapters | self.extra_for


def status_text(changes: BookChanges) -> str:
    """What the status bar says happened: a deletion is said as one, not as an update."""
    said = []
    if changes.gone:
        said.append(f"Deleted on disk: {_names(changes.gone)}")
    if changes.unreadable:
        said.append(f"No longer readable: {_names(changes.unreadable)}")
    updated = changes.chapters - changes.gone - changes.unreadable | changes.extra_for
    # pages gone from a plain folder change its listing: that is the deletion already said
    layout = changes.layout and not (changes.listing and changes.gone)
    if updated or layout or not said:
        said.append("Updated from disk")
    return "; ".join(said)


def _names(chapters: frozenset[str], shown: int = 3) -> str:
    names = sorted(chapters)
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def changes_between(
    plan: WatchPlan, before: Mapping[Path, Stamp], now: Mapping[Path, Stamp]
) -> BookChanges:
    """What differs between two looks at the files of ``plan`` (only paths in ``now``)."""
    changed = {path for path, value in now.items() if before.get(path) != value}
    chapters = frozenset(plan.chapters[p] for p in changed if p in plan.chapters)
    gone = frozenset(
        plan.chapters[p] for p in changed if p in plan.chapters and not _is_file(now[p])
    )
    unreadable = frozenset(
        plan.chapters[p]
        for p in changed
        if p in plan.chapters and _is_file(now[p]) and not os.access(p, os.R_OK)
    )
    return BookChanges(
        layout=bool(changed & plan.layout),
        chapters=chapters,
        extra_for=frozenset(chapter for p in changed for chapter in plan.pages_using(p)),
        gone=gone,
        unreadable=unreadable,
        book_gone=not plan.root.is_dir(),
    )


def _is_file(value: Stamp) -> bool:
    return value is not None and stat.S_ISREG(value[3])


# "{{" first, the backslash looked for behind it: a literal start lets re skip to each "{{"
# (4.9 MB of prose: 87 -> 7 ms, on the UI thread each time a chapter including it is shown)
_INCLUDE = re.compile(
    r"\{\{(?<!\\\{\{)\s*#(?:include|rustdoc_include|playground|playpen)\s+([^}\s:]+)"
)
MAX_INCLUDE_DEPTH = 10  # as core/book/includes.py (mdBook)
MAX_SCANNED_BYTES = 5 * 1024 * 1024  # as core/book/includes.py's limit for one file


def included_files(book: Book, path: str) -> frozenset[Path]:
    """The files chapter ``path`` includes (``{{#include}}`` and its kin, nested), inside the
    book only: when one changes, the chapter's page is out of date."""
    if book.format != "mdbook":  # other layouts show an include line as text
        return frozenset()
    root = book.root.resolve()
    found: set[Path] = set()
    try:
        chapter = (book.src / path).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop
        return frozenset()
    if not chapter.is_relative_to(root):  # a chapter that leads out of the book: not read
        return frozenset()
    todo = [(chapter, 0)]
    while todo:
        file, depth = todo.pop()
        text = _read_regular_file(file)
        if text is None:
            continue
        for match in _INCLUDE.finditer(text):
            try:
                target = (file.parent / match.group(1)).resolve()
            except (OSError, RuntimeError, ValueError):
                continue
            if target in found or not target.is_relative_to(root) or not target.is_file():
                continue
            found.add(target)
            if depth + 1 < MAX_INCLUDE_DEPTH:
                todo.append((target, depth + 1))
    return frozenset(found)


def _read_regular_file(file: Path) -> str | None:
    """The text of a regular file of at most :data:`MAX_SCANNED_BYTES`; None for anything
    else (a FIFO named as a chapter would block a plain ``open``)."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_SCANNED_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as raw:
            return raw.read(MAX_SCANNED_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    finally:
        os.close(fd)


_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def page_images(book: Book, path: str, page_html: str) -> frozenset[Path]:
    """The image files inside the book that chapter ``path``'s rendered page shows."""
    import html
    from urllib.parse import unquote, urlsplit

    root = book.root.resolve()
    folder = (book.src / path).parent
    found: set[Path] = set()
    for match in _IMG_SRC.finditer(page_html):
        url = urlsplit(html.unescape(match.group(1)))
        if url.scheme not in ("", "file") or url.netloc or not url.path:
            continue
        target = Path(unquote(url.path))
        try:
            target = (target if target.is_absolute() else folder / target).resolve()
        except (OSError, RuntimeError):
            continue
        if target.is_relative_to(root):
            found.add(target)
    return frozenset(found)


_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)")


def source_images(book: Book, path: str) -> frozenset[Path]:
    """The image files inside the book that chapter ``path``'s markdown names (``![](src)``,
    ``<img src>``), found without rendering it."""
    try:
        chapter = (book.src / path).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop
        return frozenset()
    if not chapter.is_relative_to(book.root.resolve()):  # leads out of the book: not read
        return frozenset()
    text = _read_regular_file(chapter)
    if text is None:
        return frozenset()
    names = [m.group(1) for m in _MD_IMAGE.finditer(text)]
    names += [m.group(1) for m in _IMG_SRC.finditer(text)]
    page = "".join(f'<img src="{html_lib.escape(name)}">' for name in names)
    return page_images(book, path, page)


def book_uses(
    book: Book,
    chapters: Iterable[str] | None = None,
    before: Mapping[Path, frozenset[str]] | None = None,
) -> dict[Path, frozenset[str]]:
    """Every chapter's included files and images, and the chapters using each (a file
    included by several chapters makes all of them out of date). With ``chapters`` and
    ``before``: ``before`` with only those chapters looked at again (they were saved)."""
    again = None if chapters is None else frozenset(chapters)
    uses: dict[Path, set[str]] = {}
    for file, users in (before or {}).items():
        kept = users - again if again is not None else users
        if kept:
            uses[file] = set(kept)
    for node in book.chapters():
        if node.path and (again is None or node.path in again):
            for file in included_files(book, node.path) | source_images(book, node.path):
                uses.setdefault(file, set()).add(node.path)
    return {file: frozenset(users) for file, users in uses.items()}


def chapter_extras(book: Book, path: str, page_html: str) -> dict[Path, str]:
    """What else chapter ``path``'s page is made of: its included files and its images."""
    return {file: path for file in included_files(book, path) | page_images(book, path, page_html)}
