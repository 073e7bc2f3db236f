"""An image file of the book read for the page or for paper, and why when it cannot be.

Both the viewer (``ui/reader/viewer.py``) and the print document (``ui/paper/pdf_export.py``) read
images
here, after they have checked that the file is inside the book. An SVG goes through
:func:`handbook.core.render.svg.confine_svg` first, so QtSvg is never given a reference to a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QSize
from PySide6.QtGui import QImage, QImageReader

from handbook.core.render.svg import SvgError, confine_svg

RASTER_FORMATS = frozenset({b"png", b"jpeg", b"jpg", b"gif"})
SVG_FORMATS = frozenset({b"svg", b"svgz"})
SVG_SUFFIXES = frozenset({".svg", ".svgz"})
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # decoded or drawn: 200 MB of memory at 4 bytes a pixel


@dataclass(frozen=True)
class BookImage:
    image: QImage | None  # None: not shown, ``problem`` says why
    problem: str = ""
    dropped: tuple[str, ...] = ()  # references an SVG made that were left out


def read_book_image(path: Path, book_root: Path, fit_width: float, ratio: float = 1.0) -> BookImage:
    """The image in ``path`` (a file inside the book), no wider than ``fit_width`` layout
    pixels, at ``ratio`` device pixels per layout pixel."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return BookImage(
                None,
                f"too large: {size / 1024 / 1024:.1f} MB; images over "
                f"{MAX_IMAGE_BYTES // 1024 // 1024} MB are not shown",
            )
        data = path.read_bytes()
    except OSError as exc:
        return BookImage(None, f"cannot be read: {exc.strerror or exc}")
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    found = bytes(QImageReader(buffer).format().data()).lower()
    dropped: tuple[str, ...] = ()
    if found in SVG_FORMATS or path.suffix.lower() in SVG_SUFFIXES:
        try:
            confined = confine_svg(data, path, book_root)
        except SvgError as exc:
            return BookImage(None, f"not a valid SVG image: {exc}")
        buffer = QBuffer()
        buffer.setData(QByteArray(confined.data))
        found, dropped = b"svg", confined.dropped
    elif found not in RASTER_FORMATS:
        return BookImage(None, "damaged, or not a PNG, JPEG, GIF or SVG image")
    reader = QImageReader(buffer, found)  # the buffer is kept in a name: the reader does not own it
    image, problem = _read(reader, found, fit_width, ratio)
    return BookImage(image, problem, dropped)


def _read(
    reader: QImageReader, found: bytes, fit_width: float, ratio: float
) -> tuple[QImage | None, str]:
    size = reader.size()
    if size.isValid() and found != b"svg" and size.width() * size.height() > MAX_IMAGE_PIXELS:
        return None, f"too large: {size.width()} × {size.height()} pixels"
    fit = fit_width * ratio
    if size.isValid() and size.width() > fit > 0:
        target = QSize(int(fit), max(1, round(size.height() * fit / size.width())))
    elif size.isValid():
        target = QSize(max(1, round(size.width() * ratio)), max(1, round(size.height() * ratio)))
    else:
        target = QSize()
    if target.isValid():
        if target.width() * target.height() > MAX_IMAGE_PIXELS:
            return None, f"too large: {size.width()} × {size.height()} pixels"
        reader.setScaledSize(target)
    image = reader.read()
    if image.isNull():
        return None, f"damaged, it cannot be read ({reader.errorString()})"
    return image, ""
