"""mdBook's ``{{#include}}`` and ``{{#rustdoc_include}}`` links, expanded before markdown.

Follows mdBook's ``preprocess/links.rs``: the path is relative to the file holding the link,
``file:anchor`` takes the lines between ``ANCHOR: anchor`` and ``ANCHOR_END: anchor``,
``file:10:20`` / ``file:10:`` / ``file::20`` / ``file:10`` take 1-based line ranges,
``ANCHOR`` lines themselves are dropped, included text is expanded again (10 levels deep at
most) and ``\\{{#include x}}`` stays literal text. ``{{#rustdoc_include}}`` takes the same
selection; mdBook keeps the other lines as hidden ``# `` lines, which a reader never sees, so
we leave them out. ``{{#title}}`` is dropped (its text is the page's title). Links work
inside code fences too.

Unlike mdBook, nothing outside the book folder is ever read: ``../../../etc/passwd`` and a
symlink that leaves the book are refused. Every refusal and every missing file becomes a
visible note in place of the link and an :class:`IncludeNote` for the status bar.

:func:`expanded_chapter` is a chapter's text after its includes, made once per state of its
files: the book's load (its headings), the page and the search index all start from it, and a
chapter or an included file saved since is read and expanded again.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handbook.core.kept import Kept

MAX_DEPTH = 10  # as mdBook
MAX_INCLUDED_BYTES = 5 * 1024 * 1024  # one included file
MAX_EXPANDED_CHARS = 5 * 1024 * 1024  # a chapter with all its includes expanded

_LINK = re.compile(
    r"""\\\{\{\#.*?\}\}                # escaped link: left as text, minus the backslash
      | \{\{\s*\#([A-Za-z0-9_]+)\s+    # link type
        ([^}]+)                        # path and properties
        \}\}""",
    re.VERBOSE,
)
_ANCHOR_START = re.compile(r"ANCHOR:\s*([\w-]+)")
_ANCHOR_END = re.compile(r"ANCHOR_END:\s*([\w-]+)")
_NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: "²".isdigit() is True
_INCLUDING = frozenset({"include", "rustdoc_include", "playground", "playpen"})


@dataclass(frozen=True)
class IncludeNote:
    """Why a link was not (fully) replaced; ``line`` is the link's line in the chapter."""

    line: int
    message: str


@dataclass(frozen=True)
class Expanded:
    text: str
    notes: tuple[IncludeNote, ...]
    title: str | None = None  # the last {{#title ...}}: the page's own title


NoteFormatter = Callable[[str], str]

# A note's stand-in in the text (see NoteMarkers): a run of letters, one word to every lexer.
NOTE_MARKER = re.compile(r"QZHBNOTE([A-P]+)ZQ")
NOTE_WORD = "QZHBNOTE"  # how every marker starts
_HEX_LETTERS = "ABCDEFGHIJKLMNOP"
_TO_LETTERS = str.maketrans("0123456789abcdef", _HEX_LETTERS)


class NoteMarkers:
    """Stand-ins for include notes that survive markdown, Pygments and the sanitizer.

    A note may land inside a code fence, where no markup can be written; a run of letters
    passes through every lexer as one word. The renderer swaps each for its styled note; the
    search index parses the same text (so that a chapter rendered is not parsed again for its
    words) and leaves the markers out of its sections. Numbered from 0 in each chapter.
    """

    def __init__(self, messages: list[str] | None = None) -> None:
        self.messages: list[str] = messages if messages is not None else []

    def marker(self, message: str) -> str:
        self.messages.append(message)
        n = len(self.messages) - 1
        return f"QZHBNOTE{f'{n:x}'.translate(_TO_LETTERS)}ZQ"

    def message(self, letters: str) -> str | None:
        """The note a marker's letters stand for (None for letters no marker of ours has)."""
        index = int("".join(f"{_HEX_LETTERS.index(c):x}" for c in letters), 16)
        return self.messages[index] if index < len(self.messages) else None


def plain_note(message: str) -> str:
    """The text put where a link could not be followed."""
    return f"⚠ {message}"


def expand_includes(
    text: str,
    chapter_file: Path,
    book_root: Path,
    note_text: NoteFormatter = plain_note,
) -> Expanded:
    """Replace the include links of ``text`` (the source of ``chapter_file``).

    ``note_text`` turns a note's message into what is put in the text (the renderer passes
    a function returning a placeholder that it later swaps for styled HTML).
    """
    return _expand(text, chapter_file, book_root, note_text, root_real=False)[0]


def _expand(
    text: str, chapter_file: Path, book_root: Path, note_text: NoteFormatter, root_real: bool
) -> tuple[Expanded, _Expander]:
    """:func:`expand_includes`, and its expander (what it looked for: ``found``, ``missing``)."""
    expander = _Expander(book_root, note_text, root_real)
    expander.budget -= len(text)  # the limit is on the whole text, the chapter's own included
    chapter = _resolved(chapter_file)
    out = expander.expand(text, chapter, depth=0, chain=(chapter,), line=None)
    return Expanded(out, tuple(expander.notes), expander.title), expander


# --- a chapter expanded once per state of its files ---------------------------------------------

# A file's state: (device, inode, size, mtime, ctime); None when it is not there.
_Stamp = tuple[int, int, int, int, int] | None
# A file written within this long of a read may be written again with the same mtime (file
# systems keep mtimes to a tick: 1-4 ms on Linux, 2 s on FAT): what is read then is not kept.
_RACY_NS = 2_000_000_000


def _stamp(path: str) -> _Stamp:
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


@dataclass(frozen=True)
class _KeptText:
    stamps: tuple[tuple[str, _Stamp], ...]  # the chapter's file, then every file it looked for
    expanded: Expanded


# The Rust book's 111 chapters are 1.2 million characters once expanded: books three times
# that size are kept whole (the words parse_chapter keeps are bounded alike).
_EXPANDED: Kept[tuple[str, ...], _KeptText] = Kept(limit=4_000_000)


def expanded_chapter(
    chapter_file: Path,
    book_root: Path,
    read: Callable[[], str],
    key: tuple[str, ...] = (),
    *,
    root_real: bool = False,
) -> Expanded:
    """The text of ``chapter_file`` (``read()`` gives it: it may raise) after its includes,
    each note as a :class:`NoteMarkers` marker (``NoteMarkers([n.message for n in
    expanded.notes])`` gives them back), as :func:`expand_includes` makes it.

    Made once per state of the chapter's file and of every file it includes (or looked for and
    did not find): as long as none of them changed (device, inode, size, mtime, ctime), the
    same text is given back without reading anything. ``key`` tells apart readers that would
    read the same file differently (the book's folders); ``root_real``: ``book_root`` has its
    symlinks resolved already."""
    file = os.fspath(chapter_file)
    full_key = (file, os.fspath(book_root), *key)
    kept = _EXPANDED.get(full_key)
    if kept is not None and all(_stamp(path) == stamp for path, stamp in kept.stamps):
        return kept.expanded
    since = time.time_ns()
    stamp = _stamp(file)
    text = read()
    stamps: tuple[tuple[str, _Stamp], ...] = ((file, stamp),)
    if "{{" not in text:  # without "{{", no link to follow
        expanded = Expanded(text, ())
    else:
        expanded, expander = _expand(text, chapter_file, book_root, NoteMarkers().marker, root_real)
        stamps += _stamps(expander)
    if all(s is not None and s[3] < since - _RACY_NS for _, s in stamps):
        _EXPANDED.put(full_key, _KeptText(stamps, expanded), len(expanded.text))
    return expanded


def _stamps(expander: _Expander) -> tuple[tuple[str, _Stamp], ...]:
    """The states of the files ``expander`` looked for: of each one found, and for one missing,
    of the nearest folder above it that is there (a file appearing there, or a folder on its
    way, changes that folder's mtime): a book whose listings are missing has hundreds of them,
    under a few folders."""
    root = expander.root_text
    stamps = {path: _stamp(path) for path in dict.fromkeys(expander.found)}
    known: dict[str, _Stamp] = {root: _stamp(root)}
    for path in dict.fromkeys(expander.missing):
        nearest = root
        for part in path[len(root) :].strip(os.sep).split(os.sep):  # from the book's folder down
            below = os.path.join(nearest, part)
            if below not in known:
                known[below] = _stamp(below)
            if known[below] is None:
                break
            nearest = below
        stamps[nearest] = known[nearest]
    return tuple(stamps.items())


def expanded_size(text: str, chapter_file: Path, book_root: Path, stop_at: int) -> int:
    """About how long ``text`` becomes once its includes are expanded, counted until it passes
    ``stop_at``: a 37-byte chapter that includes a 5 MB file is a 5 MB chapter.

    An upper bound (whole files, before line selection), cheap enough for the UI thread: files
    are sized with ``stat`` and read (to follow their own includes) only while the count is
    under ``stop_at``. The same confinement as :func:`expand_includes`: nothing outside the book
    is touched.
    """
    expander = _Expander(book_root, plain_note)
    chapter = _resolved(chapter_file)
    return expander.measure(text, chapter, (chapter,), len(text), stop_at)


class _Refusal(Exception):
    """A link that cannot be followed; the message is shown in its place."""


class _Expander:
    def __init__(self, book_root: Path, note_text: NoteFormatter, root_real: bool = False) -> None:
        self.root = book_root if root_real else _resolved(book_root)
        self.root_text = str(self.root)
        self.note_text = note_text
        self.notes: list[IncludeNote] = []
        self.budget = MAX_EXPANDED_CHARS
        self.title: str | None = None
        # the files links named inside the book: there (or not a file, or leading out of it)
        self.found: list[str] = []
        self.missing: list[str] = []  # not there

    def expand(
        self, text: str, file: Path, depth: int, chain: tuple[Path, ...], line: int | None
    ) -> str:
        """``text`` with its links replaced; ``file`` is resolved, ``line`` the chapter's line."""
        if "{{" not in text:
            return text
        pieces: list[str] = []
        last = 0
        lineno, counted_to = 1, 0
        for m in _LINK.finditer(text):
            pieces.append(text[last : m.start()])
            last = m.end()
            if m.group(1) is None:  # escaped
                pieces.append(m.group(0)[1:])
                continue
            lineno += text.count("\n", counted_to, m.start())
            counted_to = m.start()
            where = line if line is not None else lineno
            try:
                pieces.append(self._link(m, file, depth, chain, where))
            except _Refusal as refusal:
                self.notes.append(IncludeNote(where, str(refusal)))
                pieces.append(self.note_text(str(refusal)))
        pieces.append(text[last:])
        return "".join(pieces)

    def measure(
        self, text: str, file: Path, chain: tuple[Path, ...], total: int, stop_at: int
    ) -> int:
        """``total`` plus the size of what ``text``'s links include (see expanded_size)."""
        if "{{" not in text:
            return total
        for m in _LINK.finditer(text):
            if total > stop_at or len(chain) >= MAX_DEPTH:
                break
            if m.group(1) not in _INCLUDING:
                continue
            rel_path = m.group(2).strip().partition(" ")[0].partition(":")[0]
            try:
                found = self._locate(file.parent, rel_path, chain)
                size = found.stat().st_size
                if size > MAX_INCLUDED_BYTES:
                    continue  # refused when expanded: a note, not the file
                total += size
                if total <= stop_at:
                    nested = self._read(found)
                    total = self.measure(nested, found, (*chain, found), total, stop_at)
            except (_Refusal, OSError):
                continue  # a note when expanded
        return total

    def _link(
        self, m: re.Match[str], file: Path, depth: int, chain: tuple[Path, ...], line: int
    ) -> str:
        kind, args = m.group(1), m.group(2)
        if kind == "title":
            self.title = " ".join(args.split()) or self.title
            return ""
        if kind not in _INCLUDING:
            return m.group(0)
        target, _, props = args.strip().partition(" ")
        rel_path, _, selector = target.partition(":")
        found = self._locate(file.parent, rel_path, chain)
        if depth + 1 >= MAX_DEPTH:
            raise _Refusal(f"Includes nested more than {MAX_DEPTH} deep: {self._show(found)}")
        selected = select_lines(self._read(found), selector)
        warning = ""
        _, colon, end = selector.partition(":")
        if colon and end and not _NUMBER.fullmatch(end):
            # mdBook reads "10:x" as "10:"; say so, since it is most likely a typo
            message = (
                f"Line range '{selector}' not understood, read as '{selector.partition(':')[0]}:'"
            )
            self.notes.append(IncludeNote(line, f"{message}: {self._show(found)}"))
            warning = self.note_text(self.notes[-1].message) + "\n"
        if selected is None:
            raise _Refusal(f"Anchor '{selector}' not found in {self._show(found)}")
        selected = self.expand(selected, found, depth + 1, (*chain, found), line)
        if len(selected) > self.budget:
            raise _Refusal(f"Included text too large, left out: {self._show(found)}")
        self.budget -= len(selected)
        if kind in ("playground", "playpen"):
            attrs = "".join("," + a for a in props.split())
            return f"{warning}```rust{attrs}\n{selected}\n```\n"
        return warning + selected

    def _locate(self, base: Path, rel_path: str, chain: tuple[Path, ...]) -> Path:
        """The resolved file inside the book that a link names."""
        # as strings until the file is found: a book whose listings are missing has hundreds
        lexical_text = os.path.normpath(os.path.join(base, rel_path))
        if not _inside_text(lexical_text, self.root_text):
            raise _Refusal(f"Include refused, outside the book: {rel_path}")
        try:
            os.lstat(lexical_text)  # one call says "missing" (resolve walks every component first)
        except FileNotFoundError:
            self.missing.append(lexical_text)
            raise _Refusal(f"Included file not found: {self._show_text(lexical_text)}") from None
        except (OSError, ValueError):
            pass  # resolve says what it is
        self.found.append(lexical_text)
        lexical = Path(lexical_text)
        shown = self._show(lexical)
        try:
            real = lexical.resolve(strict=True)
        except FileNotFoundError:
            raise _Refusal(f"Included file not found: {shown}") from None
        except (OSError, RuntimeError, ValueError):  # a symlink loop, no permission, a NUL...
            raise _Refusal(f"Included file cannot be opened: {shown}") from None
        if not _inside(real, self.root):
            raise _Refusal(f"Include refused, a link leads outside the book: {shown}")
        if real in chain:
            names = " → ".join(self._show(p) for p in (*chain, real))
            raise _Refusal(f"Include cycle stopped: {names}")
        if not real.is_file():
            raise _Refusal(f"Included path is not a file: {shown}")
        return real

    def _read(self, path: Path) -> str:
        shown = self._show(path)
        try:
            size = path.stat().st_size
            if size > MAX_INCLUDED_BYTES:
                raise _Refusal(f"Included file too large ({size // 1024} KiB): {shown}")
            data = path.read_bytes()
        except OSError as exc:
            raise _Refusal(f"Included file cannot be read ({exc.strerror}): {shown}") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad_line = data[: exc.start].count(b"\n") + 1
            raise _Refusal(f"Included file is not UTF-8 text (line {bad_line}): {shown}") from None

    def _show_text(self, path: str) -> str:
        """:meth:`_show` of a normalized absolute path inside the book, given as text."""
        if path == self.root_text:
            return "."
        return path[len(self.root_text) :].lstrip(os.sep).replace(os.sep, "/")

    def _show(self, path: Path) -> str:
        """A path as the reader knows it: relative to the book folder, POSIX separators."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def select_lines(content: str, selector: str) -> str | None:
    """mdBook's line selection (``parse_range_or_anchor``); None for an anchor not found."""
    lines = content.splitlines()
    first, colon, rest = selector.partition(":")
    if first and not _NUMBER.fullmatch(first):
        return _anchored(lines, first)
    start = max(int(first) - 1, 0) if first else 0
    end: int | None
    if not colon:
        end = start + 1 if first else None  # file:10 is line 10 alone
    else:
        end = int(rest) if _NUMBER.fullmatch(rest) else None
    picked = lines[start:end]
    return "\n".join(ln for ln in picked if not _is_anchor_line(ln))


def _anchored(lines: list[str], anchor: str) -> str | None:
    kept: list[str] = []
    inside = found = False
    for ln in lines:
        if inside:
            end = _ANCHOR_END.search(ln)
            if end is not None:
                if end.group(1) == anchor:
                    inside = False
                continue
            if not _ANCHOR_START.search(ln):
                kept.append(ln)
        else:
            start = _ANCHOR_START.search(ln)
            if start is not None and start.group(1) == anchor:
                inside = found = True
    return "\n".join(kept) if found else None


def _is_anchor_line(line: str) -> bool:
    return "ANCHOR" in line and bool(_ANCHOR_START.search(line) or _ANCHOR_END.search(line))


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _inside(path: Path, root: Path) -> bool:
    """``path`` is ``root`` or under it (both absolute and normalized)."""
    return _inside_text(str(path), str(root))


def _inside_text(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer if outer.endswith(os.sep) else outer + os.sep)
