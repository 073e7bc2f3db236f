"""Big chapters render off the UI thread: a placeholder page first, then the chapter."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book, RenderedChapter
from handbook.core.render.renderer import Renderer
from handbook.ui.reader.background_render import BACKGROUND_BYTES
from handbook.ui.reader.chapter_cache import RenderChapter
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book
from tests.helpers.page_top import text_at_top

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

PARAGRAPH = "Words of a long chapter, with *emphasis* and `code`, to make it big.\n\n"
BIG_TEXT = PARAGRAPH * (BACKGROUND_BYTES // len(PARAGRAPH) + 100)
CHAPTERS = {
    "small.md": "# Small\n\nA short chapter.\n",
    "big.md": f"# Big\n\n{BIG_TEXT}## Far down\n\n{PARAGRAPH * 60}The end of the big one.\n",
}
SUMMARY = "# Summary\n\n- [Small](small.md)\n- [Big](big.md)\n"


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


class GatedRenderer:
    """The real renderer, except that big.md waits until ``release`` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, book: Book) -> RenderChapter:
        renderer = Renderer(book)

        def render(path: str) -> RenderedChapter:
            if path in ("big.md", "tiny.md"):
                assert self.release.wait(30)
            return renderer.render(path)

        return render


def make_window(
    qtbot: QtBot,
    book: Book,
    renderer: GatedRenderer | RecordingRenderer | None = None,
    at: str | None = None,
) -> MainWindow:
    """A window on ``book`` rendering with ``renderer``, at chapter ``at`` (else the first)."""
    window = MainWindow(book, make_renderer=renderer, open_external=lambda url: None)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    if at is None:
        window.open_first_chapter()
    else:
        window.open_section(at)
    return window


def test_a_big_chapter_shows_a_placeholder_then_the_chapter_at_its_anchor(
    qtbot: QtBot, book: Book
) -> None:
    gate = GatedRenderer()
    window = make_window(qtbot, book, gate)
    assert window.open_section("big.md#far-down")
    assert window.rendering() == "big.md"
    assert "Rendering Big" in window.viewer.toPlainText()
    assert window.statusBar().currentMessage().startswith("Rendering Big (")
    assert "The end of the big one" not in window.viewer.toPlainText()

    gate.release.set()
    qtbot.waitUntil(lambda: "The end of the big one" in window.viewer.toPlainText(), timeout=30_000)
    assert window.rendering() is None
    assert window.current_section() == "big.md#far-down"
    assert not window.statusBar().currentMessage().startswith("Rendering")

    window.open_section("small.md")
    window.open_section("big.md")  # kept in the chapter cache: shown at once
    assert window.rendering() is None
    assert text_at_top(window.viewer).startswith("Big")  # no placeholder: its first screen
    qtbot.waitUntil(lambda: not window.viewer.filling(), timeout=30_000)  # the rest, in slices
    assert "The end of the big one" in window.viewer.toPlainText()
    assert "Rendering" not in window.viewer.toPlainText()


def test_a_navigation_made_while_it_renders_wins(qtbot: QtBot, book: Book) -> None:
    gate = GatedRenderer()
    window = make_window(qtbot, book, gate)
    window.open_section("big.md")
    assert window.rendering() == "big.md"
    window.open_section("small.md")
    assert window.rendering() is None
    assert "A short chapter." in window.viewer.toPlainText()

    with qtbot.waitSignal(window.page.background._done, timeout=30_000):  # the stale page arrives
        gate.release.set()
    assert window.current_section() == "small.md"
    assert "A short chapter." in window.viewer.toPlainText()
    assert "big one" not in window.viewer.toPlainText()


def test_going_back_to_the_big_chapter_while_it_renders_keeps_one_render(
    qtbot: QtBot, book: Book
) -> None:
    gate = GatedRenderer()
    window = make_window(qtbot, book, gate)
    window.open_section("big.md")
    window.navigation.go_back()
    window.navigation.go_forward()  # big.md again: rendered afresh, the first page dropped
    assert window.rendering() == "big.md"
    gate.release.set()
    qtbot.waitUntil(lambda: "The end of the big one" in window.viewer.toPlainText(), timeout=30_000)
    assert window.current_section() == "big.md"


def test_the_real_renderer_renders_a_big_chapter_in_the_background(
    qtbot: QtBot, book: Book
) -> None:
    window = make_window(qtbot, book)
    window.open_section("big.md")
    assert "Rendering Big" in window.viewer.toPlainText()
    qtbot.waitUntil(lambda: "The end of the big one" in window.viewer.toPlainText(), timeout=30_000)
    assert window.rendering() is None


def test_small_chapters_are_shown_at_once(qtbot: QtBot, book: Book) -> None:
    window = make_window(qtbot, book)
    assert window.rendering() is None
    assert "A short chapter." in window.viewer.toPlainText()


def test_a_small_chapter_that_includes_a_big_file_renders_in_the_background(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Include amplification: a 20-byte chapter that includes a big file is a big chapter."""
    chapters = {
        "small.md": "# Small\n\nA short chapter.\n",
        "tiny.md": "{{#include big.txt}}\n",
        "big.txt": f"# Included\n\n{BIG_TEXT}The end of the included one.\n",
    }
    summary = "# Summary\n\n- [Small](small.md)\n- [Tiny](tiny.md)\n"
    book = load_book(write_book(tmp_path / "book", summary, chapters))
    gate = GatedRenderer()
    window = make_window(qtbot, book, gate)
    assert window.open_section("tiny.md")
    assert window.rendering() == "tiny.md"
    assert "Rendering Tiny" in window.viewer.toPlainText()
    assert "The end of the included one" not in window.viewer.toPlainText()

    gate.release.set()
    qtbot.waitUntil(
        lambda: "The end of the included one" in window.viewer.toPlainText(), timeout=30_000
    )


class RecordingRenderer:
    """The real renderer, recording which chapter each render was for and on which thread."""

    def __init__(self) -> None:
        self.renders: list[tuple[str, str]] = []

    def __call__(self, book: Book) -> RenderChapter:
        renderer = Renderer(book)

        def render(path: str) -> RenderedChapter:
            self.renders.append((path, threading.current_thread().name))
            return renderer.render(path)

        return render


def test_the_chapters_next_to_the_page_are_rendered_ahead_and_shown_without_rendering(
    qtbot: QtBot, tmp_path: Path
) -> None:
    chapters = {
        "one.md": "# One\n\nThe first chapter.\n",
        "two.md": "# Two\n\nThe second chapter.\n",
        "three.md": "# Three\n\nThe third chapter.\n",
        "four.md": "# Four\n\nThe fourth chapter.\n",
    }
    summary = "# Summary\n\n" + "".join(f"- [{p[:-3]}]({p})\n" for p in chapters)
    book = load_book(write_book(tmp_path / "book", summary, chapters))
    recorder = RecordingRenderer()
    window = make_window(qtbot, book, recorder, at="two.md")
    ahead = {("one.md", "render-ahead"), ("three.md", "render-ahead")}
    qtbot.waitUntil(lambda: ahead <= set(recorder.renders) and window.page.holds("three.md"))
    order = [path for path, _thread in recorder.renders]
    if "four.md" in order:  # the rest of the book, once indexed: after the neighbours
        assert order.index("four.md") > max(order.index("one.md"), order.index("three.md"))

    before = len(recorder.renders)
    window.open_section("three.md")  # the reader goes on: the page is there already
    assert "The third chapter." in window.viewer.toPlainText()
    assert recorder.renders[before:] == []


def test_a_chapter_rendered_ahead_and_changed_on_disk_since_is_rendered_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    chapters = {"one.md": "# One\n\nThe first chapter.\n", "two.md": "# Two\n\nOld words.\n"}
    summary = "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n"
    root = write_book(tmp_path / "book", summary, chapters)
    window = make_window(qtbot, load_book(root))  # one.md
    qtbot.waitUntil(lambda: window.page.holds("two.md"))
    (root / "src" / "two.md").write_text("# Two\n\nNew words, a few more of them.\n")
    window.open_section("two.md")
    assert "New words" in window.viewer.toPlainText()


def render_threads(window: MainWindow) -> bool:
    return any(t.name == "render-ahead" and t.is_alive() for t in threading.enumerate())


def test_once_the_book_is_indexed_a_click_on_a_far_chapter_renders_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    chapters = {f"c{n:02d}.md": f"# Chapter {n}\n\nThe words of chapter {n}.\n" for n in range(30)}
    summary = "# Summary\n\n" + "".join(f"- [{p[:-3]}]({p})\n" for p in chapters)
    book = load_book(write_book(tmp_path / "book", summary, chapters))
    recorder = RecordingRenderer()
    window = make_window(qtbot, book, recorder, at="c00.md")
    qtbot.waitUntil(lambda: all(window.page.holds(p) for p in chapters))  # the book settled
    assert {thread for path, thread in recorder.renders if path != "c00.md"} == {"render-ahead"}

    before = len(recorder.renders)
    window.toc_panel.section_activated.emit("c27.md")  # a click on a far row in the tree
    assert "The words of chapter 27." in window.viewer.toPlainText()
    assert recorder.renders[before:] == []


def test_rendering_a_book_ahead_stops_at_the_cache_bound_keeping_the_nearest_chapters(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generated_books import write_generated_book

    from handbook.ui.reader import chapter_cache

    bound = 400_000  # HTML characters: about a hundred of these chapters
    monkeypatch.setattr(chapter_cache, "CACHE_HTML_CHARS", bound)
    book = load_book(write_generated_book(tmp_path / "book", 5000))
    recorder = RecordingRenderer()
    window = make_window(qtbot, book, recorder, at="ch02500.md")
    cache = window.shelf.chapters(book)
    qtbot.waitUntil(lambda: cache.html_chars() > bound * 0.9, timeout=120_000)
    qtbot.waitUntil(lambda: not render_threads(window), timeout=60_000)
    qtbot.wait(300)  # a page shown meanwhile would start another pass: none is
    assert not render_threads(window)

    assert cache.html_chars() <= bound
    kept = sorted(int(path[2:7]) for path in cache.kept())
    assert 2500 in kept
    assert kept == list(range(kept[0], kept[-1] + 1))  # the nearest, none missing
    assert kept[-1] - 2500 <= 2500 - kept[0] + 1 and 2500 - kept[0] <= kept[-1] - 2500 + 1
    assert len(recorder.renders) < 2 * len(kept)  # stopped at the bound, not the whole book
