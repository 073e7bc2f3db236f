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
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from handbook.core.book import load_book
from handbook.core.search import IndexCache
from handbook.ui.main_window import MainWindow
from handbook.ui.signals import emit


class Recorder(QObject):
    """Records status messages and external links. A method, not a lambda, is connected:
    with PySide 6.12 a lambda called from a C++ signal was seen to lose a reference to None."""

    def __init__(self) -> None:
        super().__init__()
        self.status: list[str] = []
        self.external: list[str] = []

    @Slot(str)
    def on_status(self, text: str) -> None:
        if text:
            self.status.append(text)

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


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


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
                emit(viewer.anchorClicked, QUrl(href))
                settle(app)
                if viewer.current_chapter() != node.path:
                    window.open_section(node.path)
                    settle(app)
        viewer.moveCursor(QTextCursor.MoveOperation.End)  # scroll through the page: lazy images
        settle(app)
    report["chapters"] = chapters
    report["status"] = recorder.status
    report["render_seconds"] = time.perf_counter() - started

    if args.search:
        cache = Path(os.environ.get("XDG_CACHE_HOME", "")) / "handbook"
        index = IndexCache(cache if cache.is_absolute() else None).open(book)
        report["search"] = {word: index.search(word).total for word in args.search}
        panel = getattr(window, "search_panel", None)
        report["search_panel"] = panel is not None
    window.close()
    settle(app)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
