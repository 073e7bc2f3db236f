"""An SVG from the book loses every reference to a file before QtSvg sees it."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest

from handbook.core.render.svg import SvgError, confine_svg
from tests.conftest import png

HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" height="10">'
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "book" / "src").mkdir(parents=True)
    (tmp_path / "book" / "src" / "dot.png").write_bytes(png())
    (tmp_path / "book" / "src" / "fake.png").write_bytes(b"<svg><image href='/etc/passwd'/></svg>")
    (tmp_path / "outside.png").write_bytes(png())
    return tmp_path / "book"


def confine(book: Path, body: str, before: str = "") -> tuple[str, tuple[str, ...]]:
    data = (before + HEAD + body + "</svg>").encode()
    confined = confine_svg(data, book / "src" / "drawing.svg", book)
    return confined.data.decode(), confined.dropped


def test_references_to_files_are_dropped_and_named(book: Path) -> None:
    outside = book.parent / "outside.png"
    text, dropped = confine(
        book,
        f'<image xlink:href="{outside}"/><image href="file://{outside}"/>'
        '<image xlink:href="../../outside.png"/><image xlink:href="http://example.org/x.png"/>'
        '<use xlink:href="other.svg#x"/><image xlink:href="fake.png"/>',
    )
    assert dropped == (
        str(outside),
        f"file://{outside}",
        "../../outside.png",
        "http://example.org/x.png",
        "other.svg#x",
        "fake.png",  # an SVG named .png: QtSvg would read its references in turn
    )
    assert "<image" not in text and "<use" not in text
    assert "outside" not in text and "http" not in text.replace("http://www.w3.org", "")


def test_images_inside_the_book_and_local_fragments_stay_without_a_file_name(book: Path) -> None:
    inline = "data:image/png;base64," + base64.b64encode(png()).decode()
    text, dropped = confine(
        book,
        '<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use xlink:href="#g"/>'
        f'<image xlink:href="dot.png"/><image xlink:href="{inline}"/>',
    )
    assert dropped == ()
    assert text.count(f'xlink:href="{inline}"') == 2
    assert 'fill="url(#g)"' in text and 'xlink:href="#g"' in text


def test_css_urls_imports_and_stylesheet_instructions_are_dropped(book: Path) -> None:
    svg_inside = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    text, dropped = confine(
        book,
        "<style>@import url(/etc/x.css); rect { fill: url(/etc/x.png) }</style>"
        f'<rect style="fill: url(file:///etc/x.png)"/><image xlink:href="{svg_inside}"/>'
        '<inkscape:thing xlink:href="/etc/passwd"/><!-- a comment -->',
        before='<?xml-stylesheet type="text/css" href="/etc/x.css"?>',
    )
    assert dropped == ("@import url(/etc/x.css);", "/etc/x.png", "file:///etc/x.png", svg_inside)
    assert "/etc" not in text and "xml-stylesheet" not in text and "inkscape" not in text


def test_a_compressed_svg_is_unpacked_and_confined(book: Path) -> None:
    data = gzip.compress((HEAD + '<image xlink:href="/etc/passwd"/></svg>').encode())
    confined = confine_svg(data, book / "src" / "d.svgz", book)
    assert confined.dropped == ("/etc/passwd",)
    assert confined.data.startswith(b"<?xml")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"<svg", "not well-formed"),
        (b'<!DOCTYPE svg [<!ENTITY a "x">]><svg>&a;</svg>', "refused for safety"),
        (b"<html/>", "not an SVG"),
        (b"\x1f\x8b\x08\x00garbage", "compressed data is damaged"),
    ],
)
def test_a_malformed_or_hostile_svg_is_refused_saying_why(
    book: Path, data: bytes, said: str
) -> None:
    with pytest.raises(SvgError, match=said):
        confine_svg(data, book / "src" / "d.svg", book)


def test_a_doctype_is_not_followed_nor_written_out(book: Path) -> None:
    """Illustrator and Inkscape write a DOCTYPE naming the SVG 1.1 DTD: kept working, never read."""
    data = b'<!DOCTYPE svg SYSTEM "/etc/passwd">' + HEAD.encode() + b"</svg>"
    confined = confine_svg(data, book / "src" / "d.svg", book)
    assert b"DOCTYPE" not in confined.data and b"passwd" not in confined.data
