"""Paths as text that SQLite, JSON, XML and QSettings can hold, and back again.

A file name that is not valid UTF-8 reaches Python with lone surrogates in it (PEP 383), which
cannot be encoded as UTF-8: SQLite refuses it ("surrogates not allowed") and QSettings drops
them, so a book in such a folder lost its bookmarks and was forgotten as the book read last.
Such a path is kept as a ``file://`` URI with its bytes percent-encoded; any other path (all of
them, nearly always) as itself. A book's path is absolute, so it never starts with ``file://``.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote, unquote_to_bytes

PREFIX = "file://"
_SURROGATE = re.compile("[\ud800-\udfff]")


def path_to_text(path: str) -> str:
    """``path`` as valid Unicode text (:func:`path_from_text` gives it back)."""
    if not _SURROGATE.search(path):
        return path
    return PREFIX + quote(os.fsencode(path))


def path_from_text(text: str) -> str:
    if not text.startswith(PREFIX):
        return text
    return os.fsdecode(unquote_to_bytes(text[len(PREFIX) :]))


def displayable(text: str) -> str:
    """``text`` with any lone surrogate (a byte of a non-UTF-8 name) shown as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
