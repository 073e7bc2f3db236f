"""The search panel as a reader uses it: type, see results and their count, open one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import IndexCache, SearchHit, SearchIndex
from handbook.core.search.sections import Progress
from handbook.ui.app.services import open_services
from handbook.ui.reader.highlighter import PageHighlighter
from handbook.ui.search.panel import ResultsModel, SearchPanel
from handbook.ui.search.worker import SearchRunner
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book

# The offscreen platform warns on every shown top-level widget; nothing to do with search.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

SUMMARY = "# Summary\n\n- [Care](care.md)\n  - [Sleep](sleep.md)\n- [Diet](diet.md)\n"
CHAPTERS = {
    "care.md": "# Care\n\nTalk to your provider.\n\n## Meditation\n\nMeditation calms the mind.\n",
    "sleep.md": "# Sleep\n\nRest helps; meditation before sleep too.\n",
    "diet.md": "# Diet\n\nBalanced meals and protein.\n",
}


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "book", SUMMARY, CHAPTERS))


@pytest.fixture
def panel(qtbot: QtBot, book: Book, tmp_path: Path) -> Iterator[SearchPanel]:
    widget = SearchPanel(tmp_path / "cache")
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.runner.index_ready, timeout=10_000):
        widget.set_book(book)
    yield widget
    widget.runner.stop()


def titles(panel: SearchPanel) -> list[str]:
    return [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]


def test_typing_shows_results_and_their_count(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.field, "meditation")
    qtbot.waitUntil(lambda: panel.status_label.text() == "2 results", timeout=30_000)
    assert titles(panel) == ["Meditation", "Sleep"]
    hit = panel.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert isinstance(hit, SearchHit) and "<b>Meditation</b>" in hit.snippet


def test_results_follow_the_word_being_typed(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.field, "prot")
    qtbot.waitUntil(lambda: titles(panel) == ["Diet"], timeout=30_000)
    assert panel.status_label.text() == "1 result"


def test_enter_opens_the_current_hit_and_arrows_move(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.field, "meditation")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=30_000)
    with qtbot.waitSignal(panel.hit_activated) as opened:
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    assert opened.args[0].id == "care.md#meditation"
    assert opened.args[0].terms == ("meditation",)
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)  # stays on the last row
    with qtbot.waitSignal(panel.hit_activated) as opened:
        qtbot.keyClick(panel.field, Qt.Key.Key_Enter)
    assert opened.args[0].id == "sleep.md#sleep"
    qtbot.keyClick(panel.field, Qt.Key.Key_Up)
    assert panel.current_hit() is not None and panel.current_hit().id == "care.md#meditation"  # type: ignore[union-attr]


def test_clicking_a_result_opens_it(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.field, "protein")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=30_000)
    rect = panel.results_view.visualRect(panel.model.index(0, 0))
    with qtbot.waitSignal(panel.hit_activated) as opened:
        qtbot.mouseClick(
            panel.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert opened.args[0].id == "diet.md#diet"


def test_a_double_click_opens_once_and_enter_in_the_list_opens(
    qtbot: QtBot, panel: SearchPanel
) -> None:
    qtbot.keyClicks(panel.field, "meditation")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=30_000)
    opened: list[str] = []
    panel.hit_activated.connect(lambda hit: opened.append(hit.id))
    rect = panel.results_view.visualRect(panel.model.index(1, 0))
    qtbot.mouseClick(panel.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == ["sleep.md#sleep"]
    panel.results_view.setFocus()
    qtbot.keyClick(panel.results_view, Qt.Key.Key_Up)
    qtbot.keyClick(panel.results_view, Qt.Key.Key_Return)
    assert opened == ["sleep.md#sleep", "care.md#meditation"]


def test_escape_clears_then_asks_to_close(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.field, "sleep")
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=30_000)
    with qtbot.assertNotEmitted(panel.close_requested):
        qtbot.keyClick(panel.field, Qt.Key.Key_Escape)
    assert panel.field.text() == ""
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=30_000)
    assert panel.status_label.text() == ""
    with qtbot.waitSignal(panel.close_requested):
        qtbot.keyClick(panel.field, Qt.Key.Key_Escape)


def test_no_results_offers_a_suggestion_that_searches(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClicks(panel.field, "meditaton ")
    qtbot.waitUntil(lambda: "Did you mean" in panel.status_label.text(), timeout=30_000)
    assert ">meditation</a>?" in panel.status_label.text()
    panel.status_label.linkActivated.emit("suggestion")
    assert panel.field.text() == "meditation"
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=30_000)


def test_hostile_text_in_the_field_is_harmless(qtbot: QtBot, panel: SearchPanel) -> None:
    for text in ['C++ "x NEAR( a:b *', "AND OR NOT", "🙂 中文 ++ -"]:
        panel.field.setText(text)
        qtbot.wait(120)
    panel.field.setText("diet")
    qtbot.waitUntil(lambda: titles(panel) == ["Diet"], timeout=30_000)


def test_focus_search_selects_the_text(qtbot: QtBot, panel: SearchPanel) -> None:
    panel.field.setText("sleep")
    panel.results_view.setFocus()
    panel.focus_search()
    qtbot.waitUntil(panel.field.hasFocus)
    assert panel.field.selectedText() == "sleep"


def test_the_model_passes_qt_model_tester(qtmodeltester, panel: SearchPanel) -> None:  # type: ignore[no-untyped-def]
    model = ResultsModel()
    qtmodeltester.check(model, force_py=True)
    model.set_hits((SearchHit("a.md#b", "a.md", "b", "B", "A › B", "x <b>y</b>", 1.0, ("y",)),))
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "A › B"


def hits_titled(*titles: str, term: str = "y") -> tuple[SearchHit, ...]:
    return tuple(
        SearchHit(f"{t}.md", f"{t}.md", None, t, t, "x <b>y</b>", 1.0, (term,)) for t in titles
    )


def test_new_results_keep_the_rows_that_show_the_same(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ResultsModel()
    qtmodeltester.check(model, force_py=True)
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last: changed.append((first.row(), last.row())))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_hits(hits_titled("A", "B", "C", "D"))
    assert resets == [True]  # from nothing: a reset
    model.set_hits(hits_titled("A", "X", "C", "D", "E", term="yy"))
    assert changed == [(1, 1)]  # only B -> X shows something else; E added
    assert [model.hit(r).title for r in range(model.rowCount())] == ["A", "X", "C", "D", "E"]  # type: ignore[union-attr]
    assert model.hit(0).terms == ("yy",)  # type: ignore[union-attr]  # the new hits, same rows
    model.set_hits(hits_titled("A", "X"), total=40)
    assert model.rowCount() == 2 and model.total == 40 and changed == [(1, 1)]
    model.set_hits(())
    assert model.rowCount() == 0 and resets == [True, True]


def test_progress_shows_while_the_index_builds(qtbot: QtBot, book: Book) -> None:
    release = threading.Event()

    def slow_open(book: Book, progress: Progress) -> SearchIndex:
        while not release.wait(0.005):
            progress(1, 4)  # raises once the build is no longer wanted
        return IndexCache(None).open(book, progress)

    runner = SearchRunner(None, open_index=slow_open)
    panel = SearchPanel(None, runner=runner)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_book(book)
    qtbot.waitUntil(lambda: panel.progress_bar.value() == 1, timeout=30_000)
    assert panel.progress_bar.isVisible()
    assert panel.status_label.text() == "Indexing the book… 25%"
    assert not runner.is_ready()
    qtbot.keyClicks(panel.field, "sleep")  # typed while indexing: answered when ready
    with qtbot.waitSignal(runner.index_ready, timeout=10_000):
        release.set()
    qtbot.waitUntil(lambda: titles(panel) == ["Sleep"], timeout=30_000)
    assert not panel.progress_bar.isVisible()
    assert panel.status_label.text() == "1 result"
    runner.stop()


def test_the_index_is_built_when_the_book_is_given_not_when_shown(
    qtbot: QtBot, book: Book, tmp_path: Path
) -> None:
    panel = SearchPanel(tmp_path / "cache")
    qtbot.addWidget(panel)  # never shown
    panel.set_book(book)
    assert runner_is_building(panel.runner)
    qtbot.waitUntil(panel.runner.is_ready, timeout=10_000)
    assert not panel.isVisible()
    index = panel.runner.index()
    assert index is not None and index.section_count == 4
    assert IndexCache(tmp_path / "cache").path_for(book).is_file()  # type: ignore[union-attr]
    panel.field.setText("protein")  # queried on the UI thread, after the hand-over
    qtbot.waitUntil(lambda: titles(panel) == ["Diet"], timeout=30_000)
    panel.runner.stop()
    assert panel.runner.index() is None


def runner_is_building(runner: SearchRunner) -> bool:
    return runner.is_building() and not runner.is_ready()


def test_switching_books_mid_build_keeps_only_the_new_books_results(
    qtbot: QtBot, book: Book, tmp_path: Path
) -> None:
    other = load_book(
        write_book(
            tmp_path / "other", "# S\n\n- [Yoga](yoga.md)\n", {"yoga.md": "# Yoga\n\nPoses.\n"}
        )
    )
    release = threading.Event()
    stale_done = threading.Event()

    def open_index(which: Book, progress: Progress) -> SearchIndex:
        if which is book:  # the first book's build finishes late, deaf to cancellation
            release.wait(10)
            index = IndexCache(None).open(which)
            stale_done.set()
            return index
        return IndexCache(None).open(which, progress)

    runner = SearchRunner(None, open_index=open_index)
    panel = SearchPanel(None, runner=runner)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_book(book)
    qtbot.keyClicks(panel.field, "meditation")  # typed while the first book builds
    ready: list[int] = []
    runner.index_ready.connect(ready.append)
    panel.set_book(other)
    qtbot.waitUntil(lambda: ready == [1], timeout=10_000)
    release.set()  # now the first book's index arrives, stale
    assert stale_done.wait(10)
    qtbot.wait(50)  # its delivery is handled (and dropped)
    qtbot.waitUntil(lambda: panel.status_label.text() == "No results", timeout=30_000)
    assert ready == [1]
    index = runner.index()
    assert index is not None and index.section_count == 1
    panel.field.setText("poses")
    qtbot.waitUntil(lambda: titles(panel) == ["Yoga"], timeout=30_000)
    runner.stop()


def test_stop_during_a_build_returns_and_drops_it(qtbot: QtBot, book: Book) -> None:
    started = threading.Event()

    def endless(book: Book, progress: Progress) -> SearchIndex:
        started.set()
        while True:
            time.sleep(0.005)
            progress(1, 2)  # raises once stopped

    runner = SearchRunner(None, open_index=endless)
    runner.open_book(book)
    assert started.wait(30)
    with qtbot.assertNotEmitted(runner.index_ready), qtbot.assertNotEmitted(runner.failed):
        runner.stop()
        qtbot.wait(50)
    assert not runner.is_building() and not runner.is_ready()
    assert not [t for t in threading.enumerate() if t.name.startswith("search-index")]


def test_a_book_that_cannot_be_indexed_says_so(qtbot: QtBot, book: Book) -> None:
    def broken(book: Book, progress: Progress) -> SearchIndex:
        progress(0, 1)
        raise OSError("disk on fire")

    runner = SearchRunner(None, open_index=broken)
    panel = SearchPanel(None, runner=runner)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(runner.failed, timeout=30_000):
        panel.set_book(book)
    assert panel.status_label.text() == "Search is not available for this book: disk on fire"
    assert not panel.progress_bar.isVisible()


def test_a_second_book_replaces_the_first(qtbot: QtBot, panel: SearchPanel, tmp_path: Path) -> None:
    other = load_book(
        write_book(
            tmp_path / "other", "# S\n\n- [Yoga](yoga.md)\n", {"yoga.md": "# Yoga\n\nPoses.\n"}
        )
    )
    panel.field.setText("poses")
    with qtbot.waitSignal(panel.runner.index_ready, timeout=10_000):
        panel.set_book(other)
    qtbot.waitUntil(lambda: titles(panel) == ["Yoga"], timeout=30_000)
    panel.field.setText("meditation")
    qtbot.waitUntil(lambda: panel.status_label.text() == "No results", timeout=30_000)


def test_how_the_window_wires_search_to_the_page(qtbot: QtBot, panel: SearchPanel) -> None:
    """The main window's part, in miniature: open the hit, then light up its terms."""
    page = QTextBrowser()
    qtbot.addWidget(page)
    highlighter = PageHighlighter(page)

    def open_hit(hit: SearchHit) -> None:
        page.setHtml("<h1>Care</h1><h2 id='meditation'>Meditation</h2><p>Meditation calms.</p>")
        page.scrollToAnchor(hit.anchor or "")
        highlighter.highlight_terms(hit.terms)

    panel.hit_activated.connect(open_hit)
    qtbot.keyClicks(panel.field, "meditation")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=30_000)
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    assert highlighter.search_count() == 2
    assert [s.cursor.selectedText() for s in page.extraSelections()] == ["Meditation"] * 2


def test_the_window_indexes_a_book_when_it_opens(
    qtbot: QtBot, qapp: QApplication, book: Book, tmp_path: Path
) -> None:
    """Once the window is on screen, its book is indexed with the search panel hidden."""
    palette = qapp.palette()
    services = open_services(
        qapp,
        settings_path=tmp_path / "config" / "handbook.ini",
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
    )
    window = MainWindow(book, services=services)
    qtbot.addWidget(window)
    runner = window.search_panel.runner
    assert not runner.is_building()  # nothing before the window is on screen
    window.show()
    qtbot.waitUntil(runner.is_ready, timeout=10_000)
    assert window.search_dock.isHidden()
    window.search_handlers.show_search()  # the same book: not indexed again
    assert runner.is_ready()
    window.close()
    runner.stop()
    services.close()
    services.themes.deleteLater()
    services.bookmarks.deleteLater()
    qapp.styleHints().unsetColorScheme()
    qapp.setPalette(palette)


def test_a_build_whose_delivery_is_gone_ends_quietly(qapp: object) -> None:
    """A process quitting without stopping the runner (a script, a test) has Qt delete the
    build's delivery object; the build thread then ends without a traceback (it printed
    "Signal source has been deleted" twice)."""
    import threading

    import shiboken6

    from handbook.ui.search import worker

    delivery = worker.Delivery()
    shiboken6.delete(delivery)

    def open_index(_book: object, progress: object) -> object:
        progress(1, 2)  # type: ignore[operator]  # the first emit meets the deleted object
        raise AssertionError("not reached")

    worker._run_build(delivery, open_index, object(), 1, threading.Event())  # type: ignore[arg-type]
    live = worker.Delivery()  # one still there hears of the failure as before
    said: list[str] = []
    live.failed.connect(lambda _number, message: said.append(message))

    def failing(_book: object, _progress: object) -> object:
        raise RuntimeError("the disk went away")

    worker._run_build(live, failing, object(), 1, threading.Event())  # type: ignore[arg-type]
    assert said == ["the disk went away"]
