"""The results list as a reader meets it: every result reachable, whole lines, queries that
never hold the window up, and the same answer as ``handbook search``."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from handbook.cli import main
from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import (
    IndexCache,
    SearchCancelled,
    SearchHit,
    SearchIndex,
    SearchOptions,
    SearchResults,
)
from handbook.core.search.sections import Progress
from handbook.ui.search.panel import HIT_ROLE, SearchPanel, snippet_runs
from handbook.ui.search.worker import SearchRunner
from tests.conftest import GUIDE

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def open_panel(qtbot: QtBot, book: Book, folder: Path | None) -> SearchPanel:
    widget = SearchPanel(folder)
    qtbot.addWidget(widget)
    widget.resize(400, 600)
    widget.show()
    with qtbot.waitSignal(widget.runner.index_ready, timeout=60_000):
        widget.set_book(book)
    return widget


@pytest.fixture
def guide_panel(qtbot: QtBot, tmp_path: Path) -> Iterator[SearchPanel]:
    widget = open_panel(qtbot, load_book(GUIDE), tmp_path / "cache")
    yield widget
    widget.runner.stop()


def shown_ids(panel: SearchPanel) -> list[str]:
    model = panel.model
    return [model.index(r, 0).data(HIT_ROLE).id for r in range(model.rowCount())]


def every_row(qtbot: QtBot, panel: SearchPanel, text: str) -> list[str]:
    """Type ``text``, then scroll the list to its end until no more results come."""
    with qtbot.waitSignal(panel.results_shown, timeout=10_000):
        panel.field.setText(text)
    view = panel.results_view
    while panel.model.rowCount() < panel.model.total:
        rows = panel.model.rowCount()
        view.scrollToBottom()
        panel.model.fetchMore()  # what the view does when its end comes into sight
        qtbot.waitUntil(lambda rows=rows: panel.model.rowCount() > rows, timeout=10_000)  # type: ignore[misc]
    return shown_ids(panel)


def test_every_result_is_reachable_and_counted(qtbot: QtBot, guide_panel: SearchPanel) -> None:
    ids = every_row(qtbot, guide_panel, "hair")
    total = int(guide_panel.status_label.text().split()[0])
    assert len(ids) == total > 30 and len(set(ids)) == total
    assert guide_panel.status_label.text() == f"{total} results"


def test_the_list_asks_for_more_when_scrolled_to_its_end(
    qtbot: QtBot, guide_panel: SearchPanel
) -> None:
    with qtbot.waitSignal(guide_panel.results_shown, timeout=10_000):
        guide_panel.field.setText("hair")
    assert guide_panel.model.rowCount() == 30
    for _ in range(20):
        guide_panel.results_view.scrollToBottom()
        qtbot.wait(20)
    qtbot.waitUntil(lambda: guide_panel.model.rowCount() > 30, timeout=10_000)


def test_partial_matches_are_marked(qtbot: QtBot, guide_panel: SearchPanel) -> None:
    guide_panel.field.setText("meditation zebra")
    qtbot.waitUntil(lambda: "partial" in guide_panel.status_label.text(), timeout=10_000)
    assert guide_panel.status_label.text().startswith("No section has every word.")
    hit = guide_panel.model.index(0, 0).data(HIT_ROLE)
    assert isinstance(hit, SearchHit) and hit.partial


def test_a_snippet_shows_whole_lines_only(qtbot: QtBot, guide_panel: SearchPanel) -> None:
    delegate = guide_panel.delegate
    layout = delegate.snippet_layout("word " * 200, 200)
    assert layout.lineCount() == delegate.SNIPPET_LINES  # the rest is never laid out nor drawn
    first, second = layout.lineAt(0), layout.lineAt(1)
    assert layout.text()[first.textStart() : first.textStart() + first.textLength()].startswith(
        "word word"
    )
    assert second.textStart() == first.textLength()  # the second line goes on from the first
    row = delegate.sizeHint(QStyleOptionViewItem(), guide_panel.model.index(0, 0))
    title, crumbs, _ = delegate.fonts()
    lines = QFontMetrics(title).height() + QFontMetrics(crumbs).height()
    assert row.height() >= lines + second.y() + second.height()  # both lines fit in the row


def test_a_snippet_is_its_text_with_the_matches_bold() -> None:
    text, bold = snippet_runs("…use <b>Box&lt;T&gt;</b> for a <b>box</b> &amp; more…")
    assert text == "…use Box<T> for a box & more…"
    assert [text[start : start + length] for start, length in bold] == ["Box<T>", "box"]
    assert snippet_runs("no match") == ("no match", ())


def test_the_list_after_many_searches_looks_as_a_new_list_would(
    qtbot: QtBot, guide_panel: SearchPanel
) -> None:
    """The rows' text is laid out once and kept across searches: what the list shows after
    several searches is what it shows with nothing kept."""
    view = guide_panel.results_view
    widths = set()
    for text in ("hair", "health", "hai", "hair"):  # each fills the list: a scroll bar each
        with qtbot.waitSignal(guide_panel.results_shown, timeout=10_000):
            guide_panel.field.setText(text)
        qtbot.wait(20)
        view.viewport().grab()  # painted: its rows' text laid out and kept
        widths.add(view.viewport().width())
    assert len(widths) == 1  # one width: the rows of every search could be taken for another's
    kept = view.viewport().grab().toImage()
    guide_panel.delegate.forget()
    assert view.viewport().grab().toImage() == kept
    view.setCurrentIndex(guide_panel.model.index(1, 0))  # the selection's colours: drawn anew
    assert view.viewport().grab().toImage() != kept
    view.setCurrentIndex(guide_panel.model.index(0, 0))
    assert view.viewport().grab().toImage() == kept


def shown_list(panel: SearchPanel) -> QImage:
    """The results list as it is on the screen: what the window painted, not painted anew."""
    area = panel.results_view.geometry()
    x, y, width, height = area.x(), area.y(), area.width(), area.height()
    return panel.screen().grabWindow(panel.winId(), x, y, width, height).toImage()


def shown_rows(panel: SearchPanel, rows: int) -> list[tuple[str, str]]:
    """The title and snippet of the first ``rows`` rows."""
    hits = [panel.model.hit(row) for row in range(rows)]
    return [(hit.title, hit.snippet) for hit in hits if hit is not None]


def test_a_keystroke_repaints_the_rows_that_changed(qtbot: QtBot, guide_panel: SearchPanel) -> None:
    """'risk' then 'risks': some rows show the same, some not; only those are painted again,
    and the list on the screen is the list of 'risks', from its top, its first row current."""
    view = guide_panel.results_view
    with qtbot.waitSignal(guide_panel.results_shown, timeout=10_000):
        guide_panel.field.setText("risk")
    qtbot.wait(50)
    before = shown_rows(guide_panel, 9)
    view.scrollToBottom()
    view.setCurrentIndex(guide_panel.model.index(20, 0))
    qtbot.wait(50)
    with qtbot.waitSignal(guide_panel.results_shown, timeout=10_000):
        guide_panel.field.setText("risks")
    qtbot.wait(50)
    after = shown_rows(guide_panel, 9)
    assert 0 < sum(a == b for a, b in zip(before, after, strict=True)) < 9  # the test's premise
    expected = guide_panel.runner.index().search("risks", SearchOptions(limit=30))  # type: ignore[union-attr]
    assert shown_ids(guide_panel) == [h.id for h in expected.hits]
    assert guide_panel.model.hit(0).terms == expected.terms  # type: ignore[union-attr]
    assert view.currentIndex().row() == 0 and view.verticalScrollBar().value() == 0
    shown = shown_list(guide_panel)
    guide_panel.delegate.forget()
    guide_panel.repaint()  # every row painted anew, nothing kept
    qtbot.wait(50)
    assert shown_list(guide_panel) == shown


def test_rows_are_as_wide_as_the_list(qtbot: QtBot, guide_panel: SearchPanel) -> None:
    """A search that brings the scroll bar, then a narrower panel: every row fits the list,
    no sideways scrolling, no line cut at the right."""
    view = guide_panel.results_view
    for text in ("dose", "hair"):  # 2 results, then a page more than the list shows
        with qtbot.waitSignal(guide_panel.results_shown, timeout=10_000):
            guide_panel.field.setText(text)
        qtbot.wait(50)
    assert view.verticalScrollBar().isVisible()
    for width in (400, 300):
        guide_panel.resize(width, 600)
        qtbot.wait(50)
        assert view.visualRect(guide_panel.model.index(0, 0)).width() == view.viewport().width()
        assert not view.horizontalScrollBar().isVisible()


# --- queries off the UI thread, the newest first -----------------------------------------------


class SlowIndex:
    """A stand-in index: each query waits until it is interrupted or released."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.interrupted = threading.Event()
        self.release = threading.Event()
        self.started = threading.Event()
        self.closed = False
        self.section_count = 1

    def search(self, text: str, options: SearchOptions) -> SearchResults:
        self.threads.append(threading.current_thread())
        if text == "slow":
            self.started.set()
            while not self.release.wait(0.005):
                if self.interrupted.is_set():
                    self.interrupted.clear()
                    raise SearchCancelled
        return SearchResults(text, (), 0)

    def interrupt(self) -> None:
        self.interrupted.set()

    def close(self) -> None:
        self.closed = True


def test_queries_run_off_the_ui_thread_and_a_newer_one_interrupts_the_older(
    qtbot: QtBot, tmp_path: Path
) -> None:
    index = SlowIndex()

    def open_index(book: Book, progress: Progress) -> SearchIndex:
        return index  # type: ignore[return-value]

    runner = SearchRunner(None, open_index=open_index)
    with qtbot.waitSignal(runner.index_ready, timeout=30_000):
        runner.open_book(load_book(GUIDE))
    answered: list[str] = []
    runner.results_ready.connect(lambda _request, results: answered.append(results.query))
    runner.search("slow")
    assert index.started.wait(30)  # running, and the UI thread is free meanwhile
    qtbot.wait(50)
    with qtbot.waitSignal(runner.results_ready, timeout=30_000):
        runner.search("fast")  # interrupts "slow", which never answers
    qtbot.wait(50)
    assert answered == ["fast"]
    assert index.threads and all(t is not threading.main_thread() for t in index.threads)
    runner.stop()
    assert index.closed


class RacedIndex(SlowIndex):
    """A stand-in index whose first query is stopped by SQLite's interrupt without the
    index saying it was cancelled (the race an interrupt can land in)."""

    def search(self, text: str, options: SearchOptions) -> SearchResults:
        self.threads.append(threading.current_thread())
        if len(self.threads) == 1:
            raise sqlite3.OperationalError("interrupted")
        return SearchResults(text, (), 0)


def test_a_query_stopped_by_a_late_interrupt_is_asked_again_not_failed(qtbot: QtBot) -> None:
    index = RacedIndex()

    def open_index(book: Book, progress: Progress) -> SearchIndex:
        return index  # type: ignore[return-value]

    runner = SearchRunner(None, open_index=open_index)
    with qtbot.waitSignal(runner.index_ready, timeout=30_000):
        runner.open_book(load_book(GUIDE))
    failures: list[str] = []
    runner.failed.connect(failures.append)
    with qtbot.waitSignal(runner.results_ready, timeout=30_000) as answer:
        request = runner.search("samovar")
    assert answer.args is not None and answer.args[0] == request
    assert answer.args[1].query == "samovar" and failures == []
    assert len(index.threads) == 2  # asked again
    runner.stop()


# --- one search, two faces ---------------------------------------------------------------------

APP_AND_CLI = ["?", "hair thin", "borrow checker", "Box<T>", "cargo build --release", "lifetim"]


def test_the_app_and_the_cli_give_the_same_hits_in_the_same_order(
    qtbot: QtBot, rust_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel = open_panel(qtbot, load_book(rust_book), tmp_path / "cache")
    try:
        for text in APP_AND_CLI:
            in_app = every_row(qtbot, panel, text)
            status = main(["search", text, str(rust_book), "--limit", "0", "--json"])
            in_cli = [hit["id"] for hit in json.loads(capsys.readouterr().out)]
            assert status == (0 if in_cli else 1)
            assert in_app == in_cli, text
    finally:
        panel.runner.stop()


def test_the_guide_gives_the_same_count_for_a_prefix_in_both(
    qtbot: QtBot, guide_panel: SearchPanel, capsys: pytest.CaptureFixture[str]
) -> None:
    in_app = every_row(qtbot, guide_panel, "hair thin")
    assert main(["search", "hair thin", "--limit", "0", "--json"]) == 0
    assert [hit["id"] for hit in json.loads(capsys.readouterr().out)] == in_app
    assert IndexCache(None).open(load_book(GUIDE)).search("hair thin").total == len(in_app)
