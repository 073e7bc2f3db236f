"""Zoom and page font: steps, Ctrl+wheel, per-book memory, and surviving a re-render."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QTextBrowser

from handbook.ui.app import settings as s
from handbook.ui.reader.zoom import READING_POINT_SIZE, ZOOM_STEPS, ZoomController

PAGE = (
    "<html><body><h1>Title</h1>"
    + "<p>Some words to lay out on the page.</p>" * 30
    + "</body></html>"
)


@pytest.fixture
def settings(tmp_path: Path) -> s.Settings:
    return s.open_settings(tmp_path / "handbook.ini")


@pytest.fixture
def page(qtbot) -> QTextBrowser:  # type: ignore[no-untyped-def]
    browser = QTextBrowser()
    browser.resize(500, 400)
    qtbot.add_widget(browser)
    browser.setHtml(PAGE)
    return browser


def text_height(browser: QTextBrowser) -> float:
    browser.document().setTextWidth(480)
    return browser.document().size().height()


def point_size(browser: QTextBrowser) -> float:
    return browser.document().defaultFont().pointSizeF()


def test_zoom_in_out_and_reset_change_the_page(page, settings) -> None:  # type: ignore[no-untyped-def]
    zoom = ZoomController(page, settings)
    zoom.set_book("book-a")
    size, height = point_size(page), text_height(page)

    zoom.zoom_in()
    assert zoom.zoom() == 110
    assert point_size(page) == pytest.approx(size * 1.1)
    assert text_height(page) > height

    zoom.reset_zoom()
    zoom.zoom_out()
    assert zoom.zoom() == 90
    assert text_height(page) < height

    zoom.reset_zoom()
    assert point_size(page) == pytest.approx(size)
    assert text_height(page) == pytest.approx(height)


def test_zoom_stops_at_the_ends(page, settings) -> None:  # type: ignore[no-untyped-def]
    zoom = ZoomController(page, settings)
    for _ in range(30):
        zoom.zoom_in()
    assert zoom.zoom() == ZOOM_STEPS[-1]
    for _ in range(30):
        zoom.zoom_out()
    assert zoom.zoom() == ZOOM_STEPS[0]


def test_zoom_survives_a_new_page(page, settings) -> None:  # type: ignore[no-untyped-def]
    zoom = ZoomController(page, settings)
    base = zoom.page_font().pointSizeF()  # the page's size at 100 %
    zoom.zoom_in()
    zoom.zoom_in()
    zoomed = text_height(page)
    page.setHtml(PAGE)  # what the viewer does for every chapter and theme switch
    assert point_size(page) == pytest.approx(base * 1.25)
    assert text_height(page) == pytest.approx(zoomed)


def test_zoom_is_reapplied_after_set_document(page, settings) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QTextDocument

    zoom = ZoomController(page, settings)
    base = zoom.page_font().pointSizeF()  # the page's size at 100 %
    zoom.zoom_in()
    document = QTextDocument(page)
    document.setHtml(PAGE)
    page.setDocument(document)
    zoom.apply()
    assert point_size(page) == pytest.approx(base * 1.1)


def test_zoom_and_font_are_remembered_per_book(page, settings) -> None:  # type: ignore[no-untyped-def]
    zoom = ZoomController(page, settings)
    zoom.set_book("book-a")
    zoom.zoom_in()
    zoom.set_page_font("Serif", 14)
    zoom.set_book("book-b")
    assert zoom.zoom() == 100
    settings.sync()

    again = ZoomController(page, s.open_settings(Path(settings.store.fileName())))
    again.set_book("book-a")
    assert again.zoom() == 110
    assert page.font().family() == again.page_font().family()
    assert point_size(page) == pytest.approx(14 * 1.1)
    again.reset_page_font()
    again.set_book("book-a")
    reading = max(QApplication.font().pointSizeF(), READING_POINT_SIZE)
    assert point_size(page) == pytest.approx(reading * 1.1)


def test_a_bad_stored_zoom_gives_100(page, settings) -> None:  # type: ignore[no-untyped-def]
    settings.store.setValue(s.BOOK_ZOOM.key.format(book=s.book_key("b")), "1e9")
    zoom = ZoomController(page, settings)
    zoom.set_book("b")
    assert zoom.zoom() == 100


def wheel(page: QTextBrowser, delta: int, modifiers: Qt.KeyboardModifier) -> None:
    event = QWheelEvent(
        QPointF(10, 10),
        QPointF(page.viewport().mapToGlobal(QPoint(10, 10))),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(page.viewport(), event)


def test_ctrl_wheel_zooms_by_steps(page, settings, qtbot) -> None:  # type: ignore[no-untyped-def]
    zoom = ZoomController(page, settings)
    with qtbot.wait_signal(zoom.zoom_changed) as changed:
        wheel(page, 120, Qt.KeyboardModifier.ControlModifier)
    assert changed.args == [110]
    wheel(page, 60, Qt.KeyboardModifier.ControlModifier)  # half a notch (touchpad): not yet
    assert zoom.zoom() == 110
    wheel(page, 60, Qt.KeyboardModifier.ControlModifier)
    assert zoom.zoom() == 125
    wheel(page, -240, Qt.KeyboardModifier.ControlModifier)
    assert zoom.zoom() == 100
    with qtbot.assert_not_emitted(zoom.zoom_changed):
        wheel(page, 120, Qt.KeyboardModifier.NoModifier)  # a plain wheel scrolls


def test_the_page_is_read_at_a_comfortable_size_by_default(page, settings) -> None:  # type: ignore[no-untyped-def]
    """At 100 % the page's text is at least mdBook's 16 px (12 pt), whatever the desktop font."""
    zoom = ZoomController(page, settings)
    zoom.set_book("a")
    assert zoom.zoom() == 100
    assert point_size(page) >= READING_POINT_SIZE
    assert point_size(page) >= QApplication.font().pointSizeF()
