"""SVGs with clip paths look as in a browser: QtSvg does not support ``<clipPath>`` and drew its
shapes over the drawing in black (the Rust book's Ferris on a black rectangle); the confined
SVG carries them as masks, which QtSvg does support."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.render.svg import confine_svg
from handbook.ui.reader.book_images import read_book_image
from handbook.ui.window.main_window import MainWindow
from tests.ui.conftest import MakeServices

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

CLIPPED = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="100" height="100" viewBox="0 0 100 100">
  <g>
    <defs><rect id="SVGID_1_" x="0" y="0" width="50" height="100"/></defs>
    <clipPath id="SVGID_2_"><use xlink:href="#SVGID_1_" overflow="visible"/></clipPath>
    <circle clip-path="url(#SVGID_2_)" fill="#ff0000" cx="50" cy="50" r="40"/>
  </g>
</svg>"""


def _dark_share(image: QImage) -> float:
    """How much of the image is opaque and near black."""
    step = max(1, image.width() // 40)
    seen = dark = 0
    for x in range(0, image.width(), step):
        for y in range(0, image.height(), step):
            colour = image.pixelColor(x, y)
            seen += 1
            dark += colour.alpha() > 200 and max(colour.red(), colour.green(), colour.blue()) < 40
    return dark / seen


def test_a_clip_path_clips_instead_of_drawing_black(qapp: object, tmp_path: Path) -> None:
    svg = tmp_path / "clipped.svg"
    svg.write_bytes(CLIPPED)
    image = read_book_image(svg, tmp_path, 100.0).image
    assert image is not None
    assert _dark_share(image) == 0
    red = image.pixelColor(int(image.width() * 0.3), image.height() // 2)
    assert (red.red(), red.green(), red.blue()) == (255, 0, 0)  # the half of the circle kept
    right = image.pixelColor(int(image.width() * 0.7), image.height() // 2)
    assert right.alpha() == 0  # the half outside the clip: not drawn


def test_the_clip_is_carried_as_a_mask(tmp_path: Path) -> None:
    out = confine_svg(CLIPPED, tmp_path / "clipped.svg", tmp_path).data.decode()
    assert "clipPath" not in out and "clip-path" not in out
    assert 'mask="url(#SVGID_2_)"' in out
    assert "<use" not in out


def test_the_rust_books_ferris_is_drawn_without_a_black_box(qapp: object, rust_book: Path) -> None:
    image = read_book_image(
        rust_book / "src" / "img" / "ferris" / "not_desired_behavior.svg", rust_book, 600.0
    ).image
    assert image is not None
    assert _dark_share(image) < 0.05  # its eyes only; the unclipped drawing was about half black


def window_at(
    qtbot: QtBot, make_services: MakeServices, root: Path, chapter: str, height: int
) -> MainWindow:
    """A window 1,100 px wide on the book at ``root``, ``chapter``'s whole page shown."""
    window = MainWindow(load_book(root), services=make_services())
    qtbot.addWidget(window)
    window.resize(1100, height)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_section(chapter)
    qtbot.waitUntil(window.viewer.page_complete)
    return window


def test_images_in_a_table_leave_its_text_room(
    qtbot: QtBot, make_services: MakeServices, rust_book: Path
) -> None:
    """The Rust book's Introduction: a table of three Ferris drawings (1,259 px wide each) and
    what they mean. Each drawing took the whole column and squeezed "This code does not
    produce the desired behavior." to a letter a line, the page wider than the window."""
    window = window_at(qtbot, make_services, rust_book, "ch00-00-introduction.md", 720)
    viewer = window.viewer
    document = viewer.document()
    block = document.begin()
    while block.isValid() and not block.text().startswith("This code does not produce"):
        block = block.next()
    assert block.isValid()
    qtbot.waitUntil(lambda: block.layout().lineCount() > 0)
    assert block.layout().lineCount() <= 2  # its words side by side, not a letter a line
    assert viewer.horizontalScrollBar().maximum() == 0  # the page fits the window's width


def test_a_window_made_narrower_shrinks_the_pages_images_and_wider_gives_them_back(
    qtbot: QtBot, make_services: MakeServices, tmp_path: Path
) -> None:
    """A wide image is read at the column's width; a window made narrower kept it at that
    width, the page wider than the window behind a sideways scroll bar (the Rust book's
    ownership chapter, in the README's narrow screenshot). mdBook's ``max-width: 100%``
    shrinks it with the window, and lets it grow back."""
    from tests.conftest import png, write_book

    chapter = "# Wide\n\nBefore the picture.\n\n![a wide picture](wide.png)\n\nAfter it.\n"
    root = write_book(tmp_path / "book", "# Summary\n\n- [Wide](wide.md)\n", {"wide.md": chapter})
    (root / "src" / "wide.png").write_bytes(png(1500, 300))
    window = window_at(qtbot, make_services, root, "wide.md", 700)
    viewer = window.viewer

    def image_width() -> float:
        block = viewer.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.isImageFormat():
                    width = fmt.toImageFormat().width()
                    if width > 0:
                        return float(width)
                    found = viewer.document().resource(
                        QTextDocument.ResourceType.ImageResource,
                        QUrl(fmt.toImageFormat().name()),
                    )
                    return float(found.width() / found.devicePixelRatio())
                it += 1
            block = block.next()
        raise AssertionError("no image on the page")

    wide = image_width()
    assert viewer.horizontalScrollBar().maximum() == 0
    window.resize(760, 700)  # as the README's narrow screenshot
    qtbot.waitUntil(lambda: viewer.viewport().width() < 500)
    qtbot.wait(50)
    assert viewer.horizontalScrollBar().maximum() == 0  # the page fits the narrow window
    assert image_width() < viewer.viewport().width() < wide
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: image_width() == wide)
    assert viewer.horizontalScrollBar().maximum() == 0
