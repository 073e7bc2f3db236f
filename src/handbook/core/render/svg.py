"""An SVG from the book, made safe to hand to QtSvg: it can reach no file and no network.

QtSvg opens whatever an SVG names: ``<image xlink:href="/abs/x.png">``, ``file:`` URLs and
relative paths (against the working folder, since it is given bytes), and the CSS file of an
``<?xml-stylesheet href=…?>``. So the SVG is parsed here (defusedxml: no entity, no DTD) and
written out again with every reference made harmless:

- ``#fragment`` (a gradient, a ``<use>`` of the same file) stays;
- a raster image (PNG, JPEG, GIF: told by its bytes, not its name) inside the book, or in a
  ``data:`` URL, is put inline as a ``data:`` URL, so that QtSvg opens no file at all;
- anything else (absolute paths, ``file:``, ``http:``, relative paths leaving the book, nested
  SVGs, CSS ``url(…)`` and ``@import``) is dropped, and named in :attr:`ConfinedSvg.dropped`.

Processing instructions and comments are not written out. Qt-free; the viewer and the print
document call :func:`confine_svg` before QtSvg sees the bytes.
"""

from __future__ import annotations

import base64
import copy
import gzip
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]

MAX_SVG_BYTES = 20 * 1024 * 1024  # the SVG's text (a .svgz once unpacked)
MAX_INLINED_BYTES = 20 * 1024 * 1024  # all the raster images it takes in, together

_RASTER = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)
_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
_SILENT = frozenset({"a"})  # a link in a drawing: no file is read, dropping it needs no note


class SvgError(ValueError):
    """The SVG cannot be used: malformed, too large, or built to attack its parser."""


@dataclass(frozen=True)
class ConfinedSvg:
    data: bytes  # plain (not gzipped) SVG that names no file
    dropped: tuple[str, ...]  # the references taken out, as written in the SVG


def confine_svg(data: bytes, svg_file: Path, book_root: Path) -> ConfinedSvg:
    """``data`` (the bytes of ``svg_file``, gzipped or not) with every outside reference gone.

    Raises :class:`SvgError` when the SVG is malformed or too large.
    """
    text = _unpacked(data)
    try:
        root = SafeET.fromstring(text)
    except DefusedXmlException as exc:
        raise SvgError(f"it uses XML features refused for safety ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise SvgError(f"it is not well-formed XML ({exc})") from None
    if _local(root.tag) != "svg":
        raise SvgError("it is not an SVG drawing")
    cleaner = _Cleaner(svg_file.parent, book_root)
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        if not cleaner.clean(element) and element in parents:
            parents[element].remove(element)
    _clips_as_masks(root)
    root.set("xmlns", _SVG)  # written as plain names: QtSvg reads "xlink:href" literally
    root.set("xmlns:xlink", _XLINK)
    try:
        out = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    except RecursionError:
        raise SvgError("its elements are nested too deeply") from None
    return ConfinedSvg(out, tuple(cleaner.dropped))


def _clips_as_masks(root: ET.Element) -> None:
    """Every ``<clipPath>`` made a ``<mask>`` of the same shapes in opaque white, and every
    ``clip-path`` that names one a ``mask``: QtSvg does not support ``<clipPath>`` (Qt's
    "Extended Features" page) and draws its shapes as part of the drawing, black; it does
    support masks, and a white opaque mask shows what the clip would. Illustrator clips that
    way (``<clipPath id="SVGID_2_"><use xlink:href="#SVGID_1_"/>``): the Rust book's Ferris
    came out on a black rectangle. A ``<use>`` in a clip is replaced by what it names."""
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    clips: set[str] = set()
    for clip in list(root.iter()):
        if _local(clip.tag) != "clipPath":
            continue
        for index, use in enumerate(list(clip)):
            if _local(use.tag) == "use":
                clip.remove(use)
                shape = _used_shape(use, by_id)
                if shape is not None:
                    clip.insert(index, shape)
        clip.tag = clip.tag[: len(clip.tag) - len("clipPath")] + "mask"
        units = clip.attrib.pop("clipPathUnits", None)
        if units:
            clip.set("maskContentUnits", units)
        for shape in clip.iter():
            if shape is not clip:
                shape.attrib.pop("style", None)
                shape.set("fill", "#ffffff")
                shape.set("stroke", "none")
        if clip.get("id"):
            clips.add(clip.get("id", ""))
    for element in root.iter():
        value = element.attrib.pop("clip-path", None)
        if value is not None and value.strip() in {f"url(#{c})" for c in clips}:
            element.set("mask", value.strip())


def _used_shape(use: ET.Element, by_id: dict[str | None, ET.Element]) -> ET.Element | None:
    """A copy of the shape ``use`` names (in the same file), placed where ``use`` puts it."""
    href = next((v for k, v in use.attrib.items() if _local(k).endswith("href")), "")
    target = by_id.get(href[1:]) if href.startswith("#") else None
    if target is None or _local(target.tag) in ("use", "clipPath", "mask", "svg", "g"):
        return None
    shape = copy.deepcopy(target)
    shape.attrib.pop("id", None)
    x, y = use.get("x", "0"), use.get("y", "0")
    moves = [use.get("transform", "")]
    if (x, y) != ("0", "0"):
        moves.append(f"translate({x},{y})")
    moves.append(target.get("transform", ""))
    transform = " ".join(m for m in moves if m)
    if transform:
        shape.set("transform", transform)
    return shape


def _unpacked(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        if len(data) > MAX_SVG_BYTES:
            raise SvgError(f"it is over {MAX_SVG_BYTES // 1024 // 1024} MB")
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
            text = packed.read(MAX_SVG_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise SvgError(f"its compressed data is damaged ({exc})") from None
    if len(text) > MAX_SVG_BYTES:
        raise SvgError(f"it unpacks to over {MAX_SVG_BYTES // 1024 // 1024} MB")
    return text


class _Cleaner:
    def __init__(self, folder: Path, book_root: Path) -> None:
        self.folder = folder
        try:
            self.root = book_root.resolve()
        except (OSError, RuntimeError):
            self.root = book_root
        self.dropped: list[str] = []
        self.inlined = 0  # bytes taken in so far

    def clean(self, element: ET.Element) -> bool:
        """Make ``element`` safe in place; False when it is to be removed (another namespace's
        metadata, or an image or ``<use>`` whose reference was dropped)."""
        if not isinstance(element.tag, str) or _namespace(element.tag) not in ("", _SVG):
            return False
        local = element.tag = _local(element.tag)
        for name, value in list(element.attrib.items()):
            del element.attrib[name]
            space, attribute = _namespace(name), _local(name)
            if space == _XML:
                element.attrib[name] = value
            elif attribute == "href" and space in ("", _XLINK):
                safe = self._reference(value.strip(), silent=local in _SILENT)
                if safe is None:
                    return local in _SILENT
                element.attrib["xlink:href"] = safe
            elif space == "":
                lowered = value.lower()
                unsafe = "url(" in lowered or "@import" in lowered
                element.attrib[name] = self._css(value) if unsafe else value
        if local == "style" and element.text:
            element.text = self._css(element.text)
        return True

    def _reference(self, value: str, silent: bool = False) -> str | None:
        """What a reference may stay as (None: dropped)."""
        if value.startswith("#"):
            return value
        inline = self._inline(value)
        if inline is None and not silent:
            self.dropped.append(value)
        return inline

    def _inline(self, value: str) -> str | None:
        """A raster image inside the book or in a data: URL, as a data: URL; else None."""
        if value.lower().startswith("data:"):
            raw = _data_url_bytes(value)
        else:
            raw = self._book_file(value)
        if raw is None:
            return None
        kind = next((mime for magic, mime in _RASTER if raw.startswith(magic)), None)
        if kind is None or self.inlined + len(raw) > MAX_INLINED_BYTES:
            return None  # an SVG in an SVG would be read by QtSvg with its own references
        self.inlined += len(raw)
        return f"data:{kind};base64,{base64.b64encode(raw).decode('ascii')}"

    def _book_file(self, value: str) -> bytes | None:
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return None
        try:
            path = (self.folder / unquote(parts.path)).resolve(strict=True)
            if not path.is_relative_to(self.root) or not path.is_file():
                return None
            if path.stat().st_size > MAX_INLINED_BYTES - self.inlined:
                return None
            return path.read_bytes()
        except (OSError, RuntimeError, ValueError):
            return None

    def _css(self, css: str) -> str:
        def url(m: re.Match[str]) -> str:
            target = m.group(2).strip()
            if target.startswith("#"):
                return m.group(0)
            self.dropped.append(target)
            return "none"

        def imported(m: re.Match[str]) -> str:
            self.dropped.append(m.group(0).strip())
            return ""

        return _CSS_URL.sub(url, _CSS_IMPORT.sub(imported, css))


def _namespace(name: str) -> str:
    return name[1:].partition("}")[0] if name.startswith("{") else ""


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _data_url_bytes(url: str) -> bytes | None:
    header, comma, payload = url.partition(",")
    if not comma:
        return None
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
        return unquote(payload).encode("latin-1")
    except (ValueError, UnicodeEncodeError):
        return None
