"""``handbook --self-test``: check that this installation works, without a window.

Loads the bundled guide, renders every chapter into a Qt text document (offscreen when there
is no display), reads the image formats books use, runs a search (and a "did you mean"), and
adds and removes a bookmark in a temporary profile, so the user's own files are never touched.
One line per check, ``ok   <check>: <what was seen>`` or ``FAIL <check>: <what went wrong>``;
exit status 0 when every check passed, 1 otherwise. Run in the packaged program, this is what
catches a module, Qt plugin or data file the build left out.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handbook.core.book.model import Book

OK, FAIL = "ok  ", "FAIL"
IMAGE_FORMATS = ("png", "jpeg", "gif", "svg", "ico")  # what Qt must read for a book's pages


@dataclass
class Context:
    """What the checks share: the temporary profile, and the guide once it has loaded."""

    profile: Path
    book: Book | None = None
    notes: list[str] = field(default_factory=list)


class CheckFailed(Exception):
    """A check saw something wrong; the message says what, for the user."""


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{OK if self.ok else FAIL} {self.name}: {self.detail}"


Check = Callable[[Context], str]  # returns what it saw, raises CheckFailed (or anything) if not


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: ``--self-test`` is a flag of the main command (see cli.py)."""


def run(args: argparse.Namespace | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="handbook-self-test-") as folder:
        context = Context(profile=Path(folder))
        outcomes = []
        for name, check in CHECKS:
            outcome = run_check(name, check, context)
            print(outcome.line(), flush=True)
            outcomes.append(outcome)
    return 0 if all(o.ok for o in outcomes) else 1


def run_check(name: str, check: Check, context: Context) -> Outcome:
    try:
        return Outcome(name, True, check(context))
    except CheckFailed as exc:
        return Outcome(name, False, str(exc))
    except ImportError as exc:
        missing = exc.name or str(exc)
        return Outcome(name, False, f"module missing ({missing}: {exc})")
    except Exception as exc:  # a self-test reports every failure, whatever it is
        return Outcome(name, False, f"{type(exc).__name__}: {exc}")


def _book(context: Context) -> Book:
    if context.book is None:
        raise CheckFailed("not run, the guide did not load")
    return context.book


# --- the checks ----------------------------------------------------------------------------------


def check_guide(context: Context) -> str:
    from handbook.core.book.load import load_book
    from handbook.resources import guide_path

    book = load_book(guide_path())
    chapters = book.chapters()
    if not chapters:
        raise CheckFailed(f"{book.summary_path} lists no chapters")
    unreadable = [f"{c.path}: {c.problem}" for c in chapters if c.problem]
    if book.problems or unreadable:
        problems = [str(p) for p in book.problems] + unreadable
        raise CheckFailed(f"{len(problems)} problem(s): " + "; ".join(problems[:3]))
    context.book = book
    return f"{len(chapters)} chapters"


def check_render(context: Context) -> str:
    book = _book(context)
    from handbook.core.render.renderer import Renderer

    _ensure_qt_application()
    from PySide6.QtWidgets import QTextBrowser

    renderer = Renderer(book)
    browser = QTextBrowser()
    browser.resize(800, 600)
    size = 0
    for chapter in book.chapters():
        assert chapter.path is not None
        try:
            rendered = renderer.render(chapter.path)
        except Exception as exc:
            raise CheckFailed(f"{chapter.path}: {type(exc).__name__}: {exc}") from exc
        if rendered.notes:  # include and read problems: none belong in the bundled guide
            raise CheckFailed("; ".join(rendered.notes[:3]))
        browser.setHtml(rendered.html)
        document = browser.document()
        document.setTextWidth(760)
        if not document.toPlainText().strip() or document.size().height() <= 0:
            raise CheckFailed(f"{chapter.path} rendered to an empty page")
        size += len(rendered.html)
    browser.deleteLater()
    platform = _platform_name()
    return f"{len(book.chapters())} chapters, {size // 1024} KiB of HTML laid out ({platform})"


def check_images(context: Context) -> str:
    _ensure_qt_application()
    from PySide6.QtGui import QImage, QImageReader

    from handbook.resources import resource_path

    formats = QImageReader.supportedImageFormats()
    readable = {bytes(f.data()).decode("ascii").lower() for f in formats}
    missing = [f for f in IMAGE_FORMATS if f not in readable]
    if missing:
        raise CheckFailed(f"Qt cannot read {', '.join(missing)} (its image format plugins)")
    for name in ("handbook.svg", "handbook-64.png"):
        path = resource_path("icons", name)
        if QImage(str(path)).isNull():
            raise CheckFailed(f"cannot read {path}")
    return ", ".join(IMAGE_FORMATS) + " readable; the SVG and PNG icons load"


def check_search(context: Context) -> str:
    book = _book(context)
    from handbook.core.search.index import IndexCache

    word = _search_word(book)
    index = IndexCache(context.profile / "cache").open(book)
    try:
        results = index.search(word)
        if not results.hits:
            raise CheckFailed(f"{word!r} finds nothing in the guide")
        typo = word[:2] + "q" + word[3:]
        suggestion = index.search(typo).suggestion
    finally:
        index.close()
    if not suggestion or word not in suggestion.lower():
        raise CheckFailed(f"{typo!r} suggests {suggestion!r}, not {word!r}")
    return (
        f"{word!r} finds {results.total} sections (index {index.origin.value}); "
        f"{typo!r} suggests {suggestion!r}"
    )


def check_bookmarks(context: Context) -> str:
    book = _book(context)
    from handbook.core.bookmarks.reanchor import draft_for
    from handbook.core.bookmarks.store import BookmarkStore

    chapter = book.chapters()[0]
    assert chapter.path is not None
    with BookmarkStore.open(context.profile / "data") as store:
        if not store.enabled:
            raise CheckFailed(store.disabled_reason or "bookmarks are turned off")
        bookmark = store.add(draft_for(book, chapter.path))
        if not store.is_bookmarked(book.identity, chapter.path):
            raise CheckFailed(f"the bookmark of {chapter.path} was not saved")
        store.remove([bookmark.id])
        if store.is_bookmarked(book.identity, chapter.path):
            raise CheckFailed(f"the bookmark of {chapter.path} was not removed")
    return f"added and removed {bookmark.title!r} in a temporary profile"


CHECKS: tuple[tuple[str, Check], ...] = (
    ("guide loads", check_guide),
    ("chapters render", check_render),
    ("images", check_images),
    ("search", check_search),
    ("bookmarks", check_bookmarks),
)


# --- helpers -------------------------------------------------------------------------------------


def _search_word(book: Book) -> str:
    """A word the guide certainly contains: the first long word of its title."""
    words = re.findall(r"[^\W\d_]{5,}", book.title)
    if not words:
        raise CheckFailed(f"no word of five letters or more in the title {book.title!r}")
    return str(words[0]).lower()


def _ensure_qt_application() -> None:
    """A QApplication for the rendering checks: offscreen unless a display is there."""
    global _application
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        if not (
            os.environ.get("QT_QPA_PLATFORM")
            or os.environ.get("DISPLAY")
            or os.environ.get("WAYLAND_DISPLAY")
            or sys.platform in ("win32", "darwin")
        ):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _application = QApplication(sys.argv[:1])


def _platform_name() -> str:
    from PySide6.QtGui import QGuiApplication

    return f"Qt platform {QGuiApplication.platformName()}"


_application: object = None  # kept alive for the whole self-test once created
