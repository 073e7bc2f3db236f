"""Open a book in the real main window (offscreen), show every chapter, follow every link on
every page, optionally search it; print a JSON report on stdout. Run under strace by the
reliability tests: ``python show_book.py BOOK [--search WORD ...] [--no-links]``.

External links go to a recorder, never to the system browser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from handbook.core.book.load import load_book
from handbook.core.search.index import IndexCache
from handbook.ui.search.panel import SearchPanel
from handbook.ui.window.main_window import MainWindow


class Recorder(QObject):
    """Records status messages, external links and search results."""

    def __init__(self) -> None:
        super().__init__()
        self.status: list[str] = []
        self.external: list[str] = []
        self.index_ready = False
        self.results: list[int] = []

    @Slot(str)
    def on_status(self, text: str) -> None:
        if text:
            self.status.append(text)

    @Slot()
    def on_index_ready(self) -> None:
        self.index_ready = True

    @Slot(int)
    def on_results(self, total: int) -> None:
        self.results.append(total)

    def open_external(self, url: QUrl) -> bool:
        self.external.append(url.toString())
        return True


def links_on_page(document: QTextDocument) -> list[str]:
    """Every link target on the page, in order."""
    hrefs: list[str] = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            href = fragments.fragment().charFormat().anchorHref()
            if href and href not in hrefs:
                hrefs.append(href)
            fragments += 1
        block = block.next()
    return hrefs


def on_screen(window: MainWindow) -> str | None:
    """The chapter whose page the window shows, None while one is still being rendered."""
    return None if window.rendering() is not None else window.viewer.current_chapter()


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def wait_for(app: QApplication, done: Callable[[], bool], seconds: float = 60) -> bool:
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    return done()


def search_in_panel(
    app: QApplication, window: MainWindow, recorder: Recorder, cache: Path, words: list[str]
) -> dict[str, int]:
    """Type each query in the search panel (the window's, or one made here until the window
    has it) and open the first hit in the window; the totals the panel showed."""
    panel = getattr(window, "search_panel", None)
    if panel is None:
        panel = SearchPanel(cache)
        panel.show()
    panel.runner.index_ready.connect(recorder.on_index_ready)
    panel.results_shown.connect(recorder.on_results)
    panel.set_book(window.book())
    wait_for(app, lambda: recorder.index_ready)
    totals: dict[str, int] = {}
    for word in words:
        recorder.results.clear()
        panel.field.setText(word)
        wait_for(app, lambda: bool(recorder.results), 10)
        totals[word] = recorder.results[-1] if recorder.results else -1
        hit = panel.model.hit(0)
        if hit is not None:
            window.open_section(hit.id)
            settle(app)
    panel.runner.stop()
    return totals


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("book")
    parser.add_argument("--search", nargs="*", default=[])
    parser.add_argument("--no-links", action="store_true")
    args = parser.parse_args()

    app = QApplication([sys.argv[0]])
    book = load_book(args.book)
    recorder = Recorder()
    window = MainWindow(book, open_external=recorder.open_external)
    window.statusBar().messageChanged.connect(recorder.on_status)
    window.resize(1000, 700)
    window.show()
    settle(app)

    report: dict[str, object] = {"chapters": {}, "external": recorder.external}
    chapters: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    for node in book.chapters():
        assert node.path is not None
        window.open_section(node.path)
        # a chapter over 128 KB is rendered off the UI thread: its page waited for, not
        # taken from the placeholder after a few turns of the event loop
        wait_for(app, lambda path=node.path: on_screen(window) == path)
        settle(app)
        viewer = window.viewer
        links = links_on_page(viewer.document())
        chapters[node.path] = {
            "shown": viewer.current_chapter() == node.path,
            "text": viewer.toPlainText()[:20000],
            "html": viewer.toHtml()[:200000],
            "links": links,
        }
        if not args.no_links:
            for href in links:
                viewer.anchorClicked.emit(QUrl(href))
                settle(app)
                if viewer.current_chapter() != node.path:
                    window.open_section(node.path)
                    settle(app)
        bar = viewer.verticalScrollBar()  # scroll through the page, a screen at a time: images
        for position in range(0, bar.maximum() + bar.pageStep(), max(bar.pageStep(), 1)):
            bar.setValue(position)  # are read when they are first painted
            settle(app)
        viewer.moveCursor(QTextCursor.MoveOperation.End)
        settle(app)
    report["chapters"] = chapters
    report["status"] = recorder.status
    report["render_seconds"] = time.perf_counter() - started

    if args.search:
        cache = Path(os.environ.get("XDG_CACHE_HOME", "")) / "handbook"
        index = IndexCache(cache if cache.is_absolute() else None).open(book)
        report["search"] = {word: index.search(word).total for word in args.search}
        report["search_panel"] = search_in_panel(app, window, recorder, cache, args.search)
    window.close()
    settle(app)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
