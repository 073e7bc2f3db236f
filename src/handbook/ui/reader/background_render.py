"""Chapters rendered off the UI thread: big ones, so the window stays responsive meanwhile, and
the ones a reader is likely to open next (:class:`RenderAhead`), so that they show at once.

The renderer is plain Python: each job gets a renderer of its own (never one the UI thread
uses), runs on a daemon ``threading.Thread`` and hands its page back to the UI thread through
a queued signal. Of big chapters, only the newest request is delivered: a chapter the reader
has navigated away from is dropped when it arrives. The GIL still switches between the threads
(every 5 ms by default), so the UI thread keeps getting time slices while the markdown converts.
"""

from __future__ import annotations

import contextlib
import html
import os
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from handbook.core.book.files import read_chapter_source
from handbook.core.book.includes import expanded_size
from handbook.core.book.model import Book, BookError, RenderedChapter
from handbook.ui.reader.chapter_cache import RenderChapter

BACKGROUND_BYTES = 128 * 1024  # from here, rendering prose takes over ~100-200 ms: off the UI
MAX_CHAPTER_BYTES = 5 * 1024 * 1024  # core.render's limit (not imported: markdown loads late)


def file_bytes(book: Book, path: str) -> int:
    try:
        return os.stat(book.src / path).st_size
    except (OSError, ValueError):
        return 0  # the renderer says what is wrong, at once


def source_bytes(book: Book, path: str) -> int:
    """The chapter's size with its includes expanded: what the renderer will convert."""
    size = file_bytes(book, path)
    if not 0 < size <= BACKGROUND_BYTES:
        return size  # big enough already, or nothing to read
    try:
        text = read_chapter_source(book, path)
    except BookError:
        return size  # the renderer says what is wrong, at once
    return expanded_size(text, book.src / path, book.root, stop_at=BACKGROUND_BYTES)


def renders_in_background(book: Book, path: str) -> bool:
    """A chapter renders off the UI thread when it is big once its includes are expanded (its
    own file over the limit is refused at once, unread)."""
    return (
        file_bytes(book, path) <= MAX_CHAPTER_BYTES and source_bytes(book, path) > BACKGROUND_BYTES
    )


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def placeholder_html(title: str, size: int) -> str:
    """The page shown while a chapter renders."""
    return (
        f"<p style='margin-top: 2em'><i>Rendering {html.escape(title)} ({size_text(size)})…</i></p>"
    )


class BackgroundRender(QObject):
    """One chapter at a time off the UI thread; the newest request wins."""

    finished = Signal(object)  # RenderedChapter of the request still wanted (UI thread)
    _done = Signal(int, object)  # request number, RenderedChapter (emitted from the worker)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._request = 0
        self._path: str | None = None
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def pending(self) -> str | None:
        """The chapter being rendered for the reader, if any."""
        return self._path

    def start(self, path: str, render: RenderChapter) -> None:
        """Render ``path`` with ``render`` (a renderer of its own) on another thread."""
        self._request += 1
        self._path = path
        worker = threading.Thread(
            target=self._run, args=(self._request, path, render), name="render", daemon=True
        )
        worker.start()

    def cancel(self) -> None:
        """Drop the pending chapter: its page is thrown away when it arrives."""
        self._request += 1
        self._path = None

    def _run(self, request: int, path: str, render: RenderChapter) -> None:
        rendered = render(path)  # Renderer.render never raises: an error is an error page
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile: nobody waits
            self._done.emit(request, rendered)

    @Slot(int, object)
    def _deliver(self, request: int, rendered: RenderedChapter) -> None:
        if request == self._request:
            self._path = None
            self.finished.emit(rendered)


class RenderAhead(QObject):
    """The chapters a reader is likely to open next, rendered on a thread of their own while
    they read, so that opening one renders nothing (see ``PageView``): each job gets a renderer
    of its own, pages come back to the UI thread through a queued signal. A newer job stops an
    older one between two chapters; a page already rendered still comes back (the cache judges
    it by its generation and its file's stamp)."""

    rendered = Signal(object, object)  # (RenderedChapter, the tag given to start) (UI thread)
    _done = Signal(object, object)  # emitted from the worker

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = 0
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def start(
        self,
        paths: list[str],
        render: RenderChapter,
        tag: Callable[[str], object],
        pause: float = 0.0,
    ) -> None:
        """Render each of ``paths`` in turn with ``render`` (its own), each delivered with
        ``tag(path)`` (taken on the worker just before the render); ``pause``: seconds the
        worker waits before each chapter, the UI thread free meanwhile."""
        self._job += 1
        if not paths:
            return
        worker = threading.Thread(
            target=self._run,
            args=(self._job, paths, render, tag, pause),
            name="render-ahead",
            daemon=True,
        )
        worker.start()

    def cancel(self) -> None:
        """Stop the job running before its next chapter."""
        self._job += 1

    def _run(
        self,
        job: int,
        paths: list[str],
        render: RenderChapter,
        tag: Callable[[str], object],
        pause: float,
    ) -> None:
        for path in paths:
            if pause:
                time.sleep(pause)
            if job != self._job:
                return
            label = tag(path)
            rendered = render(path)  # Renderer.render never raises: an error is an error page
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                self._done.emit(rendered, label)

    @Slot(object, object)
    def _deliver(self, rendered: RenderedChapter, tag: object) -> None:
        self.rendered.emit(rendered, tag)
