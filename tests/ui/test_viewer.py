"""The viewer: links followed or refused, resources confined to the book, the top section."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book, Heading, RenderedChapter
from handbook.core.reading.place import Place
from handbook.core.render.renderer import Renderer
from handbook.ui.reader import book_images
from handbook.ui.reader.viewer import Viewer
from tests.conftest import png, write_book

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
    b'<rect width="40" height="30"/></svg>'
)


class Opener:
    """Stands in for QDesktopServices.openUrl: records, opens nothing."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.opened.append(url.toString())
        return True


@pytest.fixture
def book(tmp_path: Path) -> Book:
    root = write_book(
        tmp_path / "book",
        "# Summary\n\n- [Intro](intro.md)\n- [Guide](guide/index.md)\n  - [Deep](guide/deep.md)\n",
        {
            "intro.md": "# Intro\n",
            "guide/index.md": "# Guide\n",
            "guide/deep.md": "# Deep\n\n## Part A\n\n## Part B\n",
        },
    )
    (root / "src" / "img").mkdir()
    (root / "src" / "img" / "dot.png").write_bytes(png(30, 20))
    (root / "src" / "img" / "shape.svg").write_bytes(SVG)
    (root / "src" / "notes.txt").write_text("not an image")
    (tmp_path / "outside.png").write_bytes(png(50, 50))
    (root / "src" / "img" / "sneaky.png").symlink_to(tmp_path / "outside.png")
    return load_book(root)


@pytest.fixture
def opener() -> Opener:
    return Opener()


@pytest.fixture
def viewer(qtbot: QtBot, book: Book, opener: Opener) -> Viewer:
    widget = Viewer(book, opener)
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def page(path: str, body: str, headings: tuple[Heading, ...] = ()) -> RenderedChapter:
    return RenderedChapter(path, f"<html><body>{body}</body></html>", headings)


def click_text(qtbot: QtBot, viewer: Viewer, text: str) -> None:
    """Click the middle of ``text`` on the page, as a reader would."""
    cursor = viewer.document().find(text)
    assert not cursor.isNull(), text
    start = viewer.cursorRect(cursor)
    cursor.setPosition(cursor.selectionStart())
    left = viewer.cursorRect(cursor)
    where = QPoint((left.left() + start.right()) // 2, start.center().y())
    qtbot.mouseClick(viewer.viewport(), Qt.MouseButton.LeftButton, pos=where)


LINKS = """
<p><a href="deep.md#part-b">to part b</a></p>
<p><a href="#part-a">to part a here</a></p>
<p><a href="../intro.html">to intro page</a></p>
<p><a href="https://example.org/x?y=1">to the web</a></p>
<p><a href="mailto:someone@example.org">to mail</a></p>
<p><a href="file:///etc/passwd">to passwd</a></p>
<p><a href="javascript:alert(1)">to script</a></p>
<p><a href="ftp://example.org/f">to ftp</a></p>
<p><a href="data:text/html,hi">to data</a></p>
<p><a href="../../../outside.md">to outside</a></p>
<p><a href="img/dot.png">to an image</a></p>
"""


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("to part b", "guide/deep.md#part-b"),
        ("to part a here", "guide/deep.md#part-a"),
        ("to intro page", "intro.md"),
    ],
)
def test_links_inside_the_book_ask_for_their_section(
    qtbot: QtBot, viewer: Viewer, opener: Opener, text: str, section: str
) -> None:
    viewer.show_chapter(page("guide/deep.md", LINKS))
    with qtbot.wait_signal(viewer.section_requested) as asked:
        click_text(qtbot, viewer, text)
    assert asked.args == [section]
    assert opener.opened == []


@pytest.mark.parametrize(
    ("text", "url"),
    [("to the web", "https://example.org/x?y=1"), ("to mail", "mailto:someone@example.org")],
)
def test_web_and_mail_links_go_to_the_system_browser(
    qtbot: QtBot, viewer: Viewer, opener: Opener, text: str, url: str
) -> None:
    viewer.show_chapter(page("guide/deep.md", LINKS))
    with qtbot.assert_not_emitted(viewer.section_requested):
        click_text(qtbot, viewer, text)
    assert opener.opened == [url]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("to passwd", "file"),
        ("to script", "javascript"),
        ("to ftp", "ftp"),
        ("to data", "data"),
        ("to outside", "outside the book"),
        ("to an image", "not a chapter"),
    ],
)
def test_other_links_are_refused_with_a_message(
    qtbot: QtBot, viewer: Viewer, opener: Opener, text: str, said: str
) -> None:
    viewer.show_chapter(page("guide/deep.md", LINKS))
    with (
        qtbot.assert_not_emitted(viewer.section_requested),
        qtbot.wait_signal(viewer.status_message) as message,
    ):
        click_text(qtbot, viewer, text)
    assert said in message.args[0]
    assert opener.opened == []


def image_resource(viewer: Viewer, src: str) -> object:
    return viewer.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(src))


def test_in_book_images_are_served_png_and_svg(viewer: Viewer) -> None:
    viewer.show_chapter(page("intro.md", '<p><img src="img/dot.png"><img src="img/shape.svg"></p>'))
    dot = image_resource(viewer, "img/dot.png")
    shape = image_resource(viewer, "img/shape.svg")
    assert isinstance(dot, QImage)
    assert (dot.width(), dot.height()) == (30, 20)
    assert isinstance(shape, QImage)
    assert (shape.width(), shape.height()) == (40, 30)


def outside_pixels(viewer: Viewer) -> int:
    """Pixels on screen in the colour of the test PNGs (none but in-book images have it)."""
    shot = viewer.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    colour = QColor(0x20, 0x80, 0xC0).rgb()
    return sum(
        shot.pixel(x, y) == colour for y in range(0, shot.height()) for x in range(shot.width())
    )


@pytest.mark.parametrize(
    "src",
    [
        "/etc/passwd",
        "file:///etc/passwd",
        "../../outside.png",
        "{outside}",  # the same file by its absolute path
        "img/sneaky.png",  # a symlink leaving the book
        "notes.txt",  # inside the book, but not an image
        "http://example.org/track.png",
    ],
)
def test_nothing_outside_the_book_is_read(
    qtbot: QtBot, viewer: Viewer, book: Book, monkeypatch: pytest.MonkeyPatch, src: str
) -> None:
    src = src.format(outside=book.root.parent / "outside.png")
    # Qt's own fallback reads the src as a path from the working folder: make that succeed
    monkeypatch.chdir(book.src)
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", f'<p>x<img src="{src}">y</p>'))
    assert "Not shown" in message.args[0]
    # what the page holds for it is a small placeholder, and nothing of the outside image shows
    resource = image_resource(viewer, src)
    assert isinstance(resource, QImage)
    assert (resource.width(), resource.height()) == (16, 16)
    assert outside_pixels(viewer) == 0


def test_in_book_images_are_drawn(viewer: Viewer) -> None:
    viewer.show_chapter(page("intro.md", '<p>x<img src="img/dot.png">y</p>'))
    assert outside_pixels(viewer) == 30 * 20 * round(viewer.devicePixelRatioF()) ** 2


def test_load_resource_refuses_passwd_directly(viewer: Viewer) -> None:
    viewer.show_chapter(page("intro.md", "<p>x</p>"))
    for url in (QUrl.fromLocalFile("/etc/passwd"), QUrl("../../../../etc/passwd")):
        image = viewer.loadResource(QTextDocument.ResourceType.ImageResource, url)
        assert isinstance(image, QImage)
        assert (image.width(), image.height()) == (16, 16)  # the placeholder
        sheet = viewer.loadResource(QTextDocument.ResourceType.StyleSheetResource, url)
        assert not sheet


def long_page() -> RenderedChapter:
    headings = (Heading(1, "Deep", "deep"), Heading(2, "Part A", "part-a"))
    headings += (Heading(2, "Part B", "part-b"), Heading(2, "Part C", "part-c"))
    filler = "<p>" + "words " * 400 + "</p>"
    body = "".join(
        f'<h{h.level} id="{h.anchor}"><a name="{h.anchor}"></a>{h.title}</h{h.level}>{filler}'
        for h in headings
    )
    return page("guide/deep.md", body, headings)


def test_top_section_is_the_heading_shown_and_follows_scrolling(
    qtbot: QtBot, viewer: Viewer
) -> None:
    viewer.show_chapter(long_page(), Place("guide/deep.md#part-b"))
    assert viewer.current_section() == "guide/deep.md#part-b"
    assert viewer.scroll_position() > 0

    with qtbot.wait_signal(viewer.top_section_changed) as moved:
        viewer.set_scroll_position(0)
    assert moved.args == ["guide/deep.md"]  # the top of the chapter

    viewer.show_chapter(long_page(), Place("guide/deep.md#part-a"))
    part_a = viewer.scroll_position()
    viewer.go_to(Place("guide/deep.md#part-c"))
    with qtbot.wait_signal(viewer.top_section_changed) as moved:
        viewer.set_scroll_position(part_a + 5)
    assert moved.args == ["guide/deep.md#part-a"]


def test_the_last_heading_stays_current_when_the_page_cannot_scroll_to_it(
    qtbot: QtBot, viewer: Viewer
) -> None:
    body = '<h1 id="a"><a name="a"></a>A</h1>' + "<p>text</p>" * 60
    body += '<h2 id="b"><a name="b"></a>B</h2><p>short</p>'
    headings = (Heading(1, "A", "a"), Heading(2, "B", "b"))
    viewer.show_chapter(page("intro.md", body, headings), Place("intro.md#b"))
    assert viewer.current_section() == "intro.md#b"


def test_a_heading_asked_for_at_the_very_top_is_the_top_section(viewer: Viewer) -> None:
    body = '<h1 id="a"><a name="a"></a>A</h1><p>x</p><h1 id="b"><a name="b"></a>B</h1>'
    headings = (Heading(1, "A", "a"), Heading(1, "B", "b"))
    viewer.show_chapter(page("intro.md", body, headings), Place("intro.md#a"))
    assert viewer.scroll_position() == 0
    assert viewer.current_section() == "intro.md#a"
    viewer.show_chapter(page("intro.md", body, headings))
    assert viewer.current_section() == "intro.md"


def test_the_top_section_is_read_right_before_qt_has_laid_the_page_out(
    viewer: Viewer, tmp_path: Path
) -> None:
    """Qt lays a new page out lazily and hit-tests only what it has laid out (past that it
    answers the end of it): the section at the top of a page scrolled before then is the
    heading the reader sees above the top, as on the page laid out whole."""
    code = '```rust\nfn main() {\n    let x = 5;\n    println!("{x}");\n}\n```\n\n'
    words = "Some words of the section, " * 8 + "\n\n"
    chapter = "# Parts\n\n" + "".join(f"## Part {n}\n\n{words}{code}{words}" for n in range(40))
    root = write_book(
        tmp_path / "parts", "# Summary\n\n- [Parts](parts.md)\n", {"parts.md": chapter}
    )
    rendered = Renderer(load_book(root)).render("parts.md")
    shown, laid_out = [], []
    for scroll in range(100, 9000, 300):
        viewer.show_chapter(rendered)
        viewer.set_scroll_position(scroll)  # no event between: the page is not laid out yet
        shown.append(viewer.current_section())
        viewer.document().documentLayout().documentSize()  # laid out whole
        viewer.set_scroll_position(scroll + 1)
        viewer.set_scroll_position(scroll)
        laid_out.append(viewer.current_section())
    assert len(set(laid_out)) > 10
    assert shown == laid_out


def formula_page(tex: str, colour: str = "#c01010") -> RenderedChapter:
    from handbook.core.render.formula import formula_html

    return page("intro.md", f"<p>before {formula_html(tex, False, colour, '#ff0000')} after</p>")


def test_a_formula_is_drawn_in_its_colour(viewer: Viewer) -> None:
    viewer.show_chapter(formula_page(r"\frac{a}{b} + \sqrt{x}"))
    shot = viewer.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    red = sum(
        QColor(shot.pixel(x, y)).red() > 150 and QColor(shot.pixel(x, y)).green() < 100
        for y in range(shot.height())
        for x in range(shot.width())
    )
    assert red > 30  # the formula's strokes, not a placeholder frame


def test_copying_a_formula_gives_its_tex(viewer: Viewer) -> None:
    viewer.show_chapter(formula_page(r"E = mc^2"))
    viewer.selectAll()
    assert viewer.createMimeDataFromSelection().text() == "before E = mc^2 after"


def svg_drawing(*inside: str) -> bytes:
    """An SVG of 200x100 on red, holding ``inside`` (elements, in the xlink namespace too)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="200" height="100"><rect width="200" height="100" fill="#ff0000"/>'
        + "".join(inside)
        + "</svg>"
    ).encode()


@pytest.mark.parametrize(
    "reference",
    [
        '<image width="50" height="50" xlink:href="{outside}"/>',
        '<image width="50" height="50" href="{outside}"/>',
        '<image width="50" height="50" xlink:href="file://{outside}"/>',
        '<image width="50" height="50" xlink:href="../../../outside.png"/>',
        '<image width="50" height="50" xlink:href="sneaky.png"/>',  # a symlink leaving the book
        '<image width="50" height="50" xlink:href="http://127.0.0.1:9/x.png"/>',
    ],
    ids=["absolute", "svg2-href", "file-url", "relative-out", "symlink-out", "http"],
)
def test_an_svg_draws_nothing_from_outside_the_book(
    qtbot: QtBot, viewer: Viewer, book: Book, monkeypatch: pytest.MonkeyPatch, reference: str
) -> None:
    """QtSvg opens whatever an SVG names (absolute, file:, relative to the working folder):
    the viewer hands it an SVG whose references were taken out, and says so."""
    outside = book.root.parent / "outside.png"
    (book.src / "img" / "hostile.svg").write_bytes(svg_drawing(reference.format(outside=outside)))
    monkeypatch.chdir(book.src / "img")  # where a relative reference would otherwise be read
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", '<p><img src="img/hostile.svg"></p>'))
    assert message.args[0].startswith("In img/hostile.svg, left out: ")
    drawn = image_resource(viewer, "img/hostile.svg")
    assert isinstance(drawn, QImage)
    assert (drawn.width(), drawn.height()) == (200, 100)  # the rest of the drawing is shown
    assert outside_pixels(viewer) == 0


def test_an_svg_draws_images_inside_the_book(viewer: Viewer, book: Book) -> None:
    (book.src / "img" / "framed.svg").write_bytes(
        svg_drawing('<image width="30" height="20" xlink:href="dot.png"/>')
    )
    viewer.show_chapter(page("intro.md", '<p><img src="img/framed.svg"></p>'))
    assert outside_pixels(viewer) == 30 * 20 * round(viewer.devicePixelRatioF()) ** 2


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (png(10, 10)[:40], "damaged"),  # a PNG cut short
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 60, "damaged"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "not a valid SVG image"),
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
            b"<svg xmlns='http://www.w3.org/2000/svg'><text>&a;&a;</text></svg>",
            "refused for safety",
        ),
    ],
    ids=["png-cut-short", "png-of-zeros", "svg-cut-short", "svg-with-entities"],
)
def test_a_malformed_image_says_so(
    qtbot: QtBot, viewer: Viewer, book: Book, content: bytes, said: str
) -> None:
    name = "bad.svg" if content.lstrip().startswith(b"<") else "bad.png"
    (book.src / "img" / name).write_bytes(content)
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", f'<p><img src="img/{name}"></p>'))
    assert message.args[0].startswith(f"Not shown: img/{name} (")
    assert said in message.args[0]
    assert "only images inside the book" not in message.args[0]


def test_an_image_too_large_says_so(
    qtbot: QtBot, viewer: Viewer, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a PNG whose header says 20000 x 20000 pixels (1.6 GB decoded), its data a 2 x 2 one's
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr
    header += struct.pack(">I", zlib.crc32(ihdr))
    (book.src / "img" / "huge.png").write_bytes(header + png(2, 2)[33:])
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", '<p><img src="img/huge.png"></p>'))
    assert message.args[0] == "Not shown: img/huge.png (too large: 20000 × 20000 pixels)"

    monkeypatch.setattr(book_images, "MAX_IMAGE_BYTES", 10)
    viewer.clear()
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", '<p><img src="img/dot.png"></p>'))
    assert message.args[0] == (
        "Not shown: img/dot.png (too large: 0.0 MB; images over 0 MB are not shown)"
    )


def details_page(extra: str = "") -> RenderedChapter:
    from handbook.core.render.details import mark_details

    body = mark_details(
        "<p>Intro.</p><details><summary>Answer</summary><p>Folded text.</p></details>"
        f"{extra}<p>After.</p>"
    )
    return page("intro.md", body)


def test_details_are_folded_until_their_summary_is_clicked(qtbot: QtBot, viewer: Viewer) -> None:
    viewer.show_chapter(details_page())
    assert viewer.toPlainText().split("\n") == ["Intro.", "▶ Answer", "After."]
    click_text(qtbot, viewer, "Answer")
    assert viewer.toPlainText().split("\n") == ["Intro.", "▼ Answer", "Folded text.", "After."]
    click_text(qtbot, viewer, "Answer")
    assert "Folded text." not in viewer.toPlainText()


def test_details_unfold_from_the_keyboard(qtbot: QtBot, viewer: Viewer) -> None:
    viewer.show_chapter(details_page())
    viewer.setFocus()
    qtbot.keyClick(viewer, Qt.Key.Key_Tab)  # to the first link on the page: the summary
    assert viewer.textCursor().charFormat().anchorHref() == "#details-0"
    qtbot.keyClick(viewer, Qt.Key.Key_Return)
    assert "Folded text." in viewer.toPlainText()
    qtbot.keyClick(viewer, Qt.Key.Key_Return)  # the link keeps the keyboard: Enter folds again
    assert "Folded text." not in viewer.toPlainText()


def test_details_open_starts_unfolded(viewer: Viewer) -> None:
    opened = "<details open><summary>Shown</summary><p>Open.</p></details>"
    viewer.show_chapter(details_page(opened))
    assert "▼ Shown\nOpen." in viewer.toPlainText()


def test_a_missing_image_inside_the_book_says_it_is_not_there(qtbot: QtBot, viewer: Viewer) -> None:
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", '<p><img src="img/gone.png" alt="Gone"></p>'))
    assert message.args[0].endswith("(no such file in the book)")
    assert "only images inside the book" not in message.args[0]


def test_an_image_outside_the_book_is_still_refused_as_outside(
    qtbot: QtBot, viewer: Viewer
) -> None:
    with qtbot.wait_signal(viewer.status_message) as message:
        viewer.show_chapter(page("intro.md", '<p><img src="../../elsewhere.png"></p>'))
    assert message.args[0].endswith("(only images inside the book are)")
