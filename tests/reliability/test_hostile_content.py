"""A chapter written to attack its reader: nothing in it runs, nothing outside the book is read.

The book (see hostile_book.py) holds ``<script>``, ``on*=`` handlers, ``javascript:``,
``data:`` and ``file:`` URLs, ``<img src="/etc/passwd">``, images and links to
``../../outside``, an absolute path to an image outside the book, includes of
``../../../etc/passwd`` and of a file outside, a symlink leaving the book used as an image, as
an include and as a chapter, and a chapter that links to and includes itself.

Proof that nothing outside is read comes from two places: an audit hook on Python's ``open``
(the book loader, the include resolver, the viewer's own image reads) and strace on a child
process showing every page in the real window (Qt's C++ reads, which no audit hook sees).
tests/ui/test_viewer.py checks the viewer's links and ``loadResource`` one URL at a time.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.render.renderer import Renderer
from tests.reliability import hostile_book
from tests.reliability.helpers import (
    SCRIPTS,
    calls_on,
    child_env,
    network_sockets,
    python_command,
    run_traced,
)
from tests.reliability.hostile_book import PASSWD_LINE, SENTINEL, HostileBook

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


@pytest.fixture
def hostile(tmp_path: Path) -> HostileBook:
    return hostile_book.build(tmp_path / "library")


@pytest.fixture
def book(hostile: HostileBook) -> Book:
    return load_book(hostile.root)


class Messages(QObject):
    """Collects a signal's messages (a method, not a lambda: see scripts/show_book.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    @Slot(str)
    def add(self, text: str) -> None:
        self.seen.append(text)


def count_pixels(image: QImage, colour: QColor) -> int:
    """How many pixels of ``image`` are exactly ``colour``."""
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    data = bytes(argb.constBits())[: argb.sizeInBytes()]
    pixel = colour.rgba().to_bytes(4, sys.byteorder)
    return sum(1 for i in range(0, len(data), 4) if data[i : i + 4] == pixel)


def body_of(html: str) -> str:
    return html[html.index("<body") :]


# --- what the renderer lets through ------------------------------------------------------------

NOT_IN_THE_PAGE = [
    "<script", "<iframe", "<object", "<embed", "<svg", "<form", "<input", "<meta", "<base",
    "<link", "<style", "javascript:", "data:", "file:", "alert(", "url(", "@import",
    "document.title",
]  # fmt: skip


def test_scripts_handlers_and_unsafe_urls_are_removed(book: Book) -> None:
    page = Renderer(book).render("hostile.md")
    body = body_of(page.html).lower()
    for unsafe in NOT_IN_THE_PAGE:
        assert unsafe not in body, unsafe
    assert not re.search(r"\son[a-z]+\s*=", page.html.lower())
    assert "url(" not in page.html.lower()  # the page's own style sheet fetches nothing either
    assert SENTINEL not in page.html and PASSWD_LINE not in page.html
    # the text around them is still there, and the in-book image too
    for kept in ("Click text.", "js link", "styled text", "End of the hostile page."):
        assert kept in page.html
    assert '<img src="pic.png"' in page.html


def test_refused_includes_are_notes_on_the_page_and_in_the_status_bar(
    hostile: HostileBook, book: Book, open_window: Callable[[Book], object]
) -> None:
    window = open_window(book)
    assert window.open_section("hostile.md")  # type: ignore[attr-defined]
    page = window.viewer.toPlainText()  # type: ignore[attr-defined]
    status = window.statusBar().currentMessage()  # type: ignore[attr-defined]
    for line, target in [
        (33, "../../../etc/passwd"),
        (35, "../../outside/secret.md"),
        (37, "src/escape.md"),
        (39, str(hostile.outside / "secret.md")),
    ]:
        note = next(n for n in page.splitlines() if n.endswith(target))
        assert note.startswith("⚠ Include refused")
        assert f"hostile.md:{line}: Include refused" in status
    assert SENTINEL not in page and PASSWD_LINE not in page
    assert window.windowTitle().startswith("Hostile")  # type: ignore[attr-defined]


def test_what_the_sanitizer_removes_is_announced(
    book: Book, open_window: Callable[[Book], object]
) -> None:
    """The issue asks that every refusal be visible, on the page or in the status bar. Include
    refusals and outside images and links are; what the sanitizer removes is not: a
    ``javascript:``, ``data:`` or ``file:`` link keeps its text but silently loses its target,
    and a ``data:`` or ``file:`` image vanishes without a word."""
    window = open_window(book)
    window.open_section("hostile.md")  # type: ignore[attr-defined]
    said = (
        window.statusBar().currentMessage()  # type: ignore[attr-defined]
        + "\n"
        + window.viewer.toPlainText()  # type: ignore[attr-defined]
    ).lower()
    for removed in ("javascript:", "data:", "file:"):
        assert removed in said, f"nothing tells the reader that a {removed} link was removed"


def shown_url(message: str) -> str:
    """The URL a "Not shown: URL (only images inside the book are)" message names (its start,
    when the viewer shortened it)."""
    return message.removeprefix("Not shown: ").rsplit(" (only", 1)[0].rstrip("…")


def test_images_outside_the_book_are_refused_and_never_shown(
    qtbot: QtBot, hostile: HostileBook, book: Book, open_window: Callable[[Book], object]
) -> None:
    """``../../outside/secret.png`` and the absolute path are one URL once resolved; the
    image behind ``escape.png`` (a symlink) is outside too. Each is refused in the status bar,
    and none is drawn: when loadResource refuses with an empty QByteArray, Qt's image handler
    goes on to call ``QImage::load(src)`` itself, which this catches."""
    window = open_window(book)
    viewer = window.viewer  # type: ignore[attr-defined]
    messages = Messages()
    viewer.status_message.connect(messages.add)
    window.open_section("hostile.md")  # type: ignore[attr-defined]
    qtbot.wait(50)
    refused = [shown_url(m) for m in messages.seen if m.startswith("Not shown: ")]
    for path in ("/etc/passwd", hostile.outside / "secret.png", hostile.src / "escape.png"):
        url = QUrl.fromLocalFile(str(path)).toDisplayString()
        assert any(url.startswith(shown) for shown in refused), (url, refused)
    # What the reader sees: the in-book picture (8x6), and none of the outside one (50x50),
    # both drawn in the same colour.
    shot = viewer.viewport().grab().toImage()
    painted = count_pixels(shot, QColor(0x20, 0x80, 0xC0))
    in_book = 8 * 6 * round(shot.devicePixelRatio()) ** 2
    assert painted == in_book, f"{painted - in_book} pixels of an image from outside the book"


def test_links_out_of_the_book_are_refused_and_the_web_goes_to_the_browser(
    book: Book, open_window: Callable[[Book], object]
) -> None:
    window = open_window(book)
    viewer = window.viewer  # type: ignore[attr-defined]
    messages = Messages()
    viewer.status_message.connect(messages.add)
    window.open_section("hostile.md")  # type: ignore[attr-defined]
    for href in ("../../outside/secret.md", "http://127.0.0.1:9/page"):
        viewer.anchorClicked.emit(QUrl(href))
    assert viewer.current_chapter() == "hostile.md"
    assert "Link not opened: ../../outside/secret.md is outside the book" in messages.seen
    assert window.opened_externally == ["http://127.0.0.1:9/page"]  # type: ignore[attr-defined]


def test_a_chapter_that_is_a_symlink_out_of_the_book_is_an_error_page(
    book: Book, open_window: Callable[[Book], object]
) -> None:
    window = open_window(book)
    assert window.open_section("leak.md")  # type: ignore[attr-defined]
    page = window.viewer.toPlainText()  # type: ignore[attr-defined]
    assert "leads outside the book" in page and SENTINEL not in page
    assert "SUMMARY.md:5" in window.statusBar().currentMessage()  # type: ignore[attr-defined]
    window.navigation.next_chapter()  # type: ignore[attr-defined]
    assert "Nothing special here." in window.viewer.toPlainText()  # type: ignore[attr-defined]


def test_a_chapter_that_links_to_and_includes_itself_does_not_loop(
    book: Book, open_window: Callable[[Book], object]
) -> None:
    window = open_window(book)
    viewer = window.viewer  # type: ignore[attr-defined]
    assert window.open_section("loop.md")  # type: ignore[attr-defined]
    assert "⚠ Include cycle stopped: src/loop.md → src/loop.md" in viewer.toPlainText()
    for _ in range(100):
        for href in ("loop.md", "#loop", "loop.html"):
            viewer.anchorClicked.emit(QUrl(href))
    assert viewer.current_chapter() == "loop.md"
    assert viewer.toPlainText().count("Loop text.") == 1
    window.navigation.next_chapter()  # type: ignore[attr-defined]
    assert viewer.current_chapter() == "leak.md"


# --- proof that nothing outside the book is opened ---------------------------------------------


class _OpenAudit:
    """Python-level opens (builtins.open, os.open, pathlib) while ``watching`` is set.

    An audit hook cannot be removed: one is installed per process and does nothing unless a
    test watches.
    """

    installed = False
    watching = False
    opened: ClassVar[list[str]] = []

    @classmethod
    def hook(cls, event: str, args: tuple[object, ...]) -> None:
        if cls.watching and event == "open" and isinstance(args[0], (str, bytes, Path)):
            cls.opened.append(str(args[0]))

    @classmethod
    def watch(cls) -> Iterator[list[str]]:
        if not cls.installed:
            sys.addaudithook(cls.hook)
            cls.installed = True
        cls.opened = []
        cls.watching = True
        try:
            yield cls.opened
        finally:
            cls.watching = False


@pytest.fixture
def python_opens() -> Iterator[list[str]]:
    yield from _OpenAudit.watch()


def is_outside(path: str, hostile: HostileBook) -> bool:
    real = Path(path).resolve()
    return real == Path("/etc/passwd") or real.is_relative_to(hostile.outside.resolve())


def test_python_opens_nothing_outside_the_book(
    qtbot: QtBot,
    hostile: HostileBook,
    python_opens: list[str],
    open_window: Callable[[Book], object],
) -> None:
    book = load_book(hostile.root)
    window = open_window(book)
    for node in book.chapters():
        assert node.path is not None
        window.open_section(node.path)  # type: ignore[attr-defined]
        qtbot.wait(10)
    opened = list(python_opens)
    assert any(p.endswith("hostile.md") for p in opened)  # the hook does see the book's reads
    assert any(p.endswith("pic.png") for p in opened)
    assert [p for p in opened if is_outside(p, hostile)] == []


def test_the_window_opens_nothing_outside_the_book_under_strace(
    hostile: HostileBook, tmp_path: Path
) -> None:
    """Every page shown in the real window and every link on it followed, in a child process
    whose working folder is the book's src folder (where Qt would resolve a bare file name):
    no file outside the book opened, no program started, no network socket."""
    done = run_traced(
        python_command(str(SCRIPTS / "show_book.py"), str(hostile.root)),
        "%file,socket,connect",
        tmp_path / "strace.log",
        child_env(tmp_path),
        cwd=hostile.src,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    pages = " ".join(page["text"] for page in report["chapters"].values())
    assert SENTINEL not in pages and PASSWD_LINE not in pages
    assert report["external"] == ["http://127.0.0.1:9/page"]
    # the log is complete: it shows the book's own files being opened
    assert any(c.opened and c.succeeded for c in calls_on(done.log, [hostile.src / "pic.png"]))
    # metadata lookups (realpath's lstat, readlink of the book's own symlinks) are not reads
    reads = [c for c in calls_on(done.log, hostile.outside_paths()) if c.opened]
    reads += [
        c
        for c in calls_on(done.log, [Path("../../outside"), Path("../outside")])
        if c.opened  # relative to the working folder, as Qt's fallback would open them
    ]
    assert reads == []
    assert [line for line in done.lines if "execve(" in line][1:] == []  # nothing started
    assert network_sockets(done.log) == []  # the http link went to the browser (a recorder)
