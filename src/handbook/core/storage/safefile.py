"""Only regular files are opened: settings, bookmarks, backups and caches are checked first.

``open()`` of a FIFO blocks until a writer comes (forever), a symlink to itself raises deep
inside ``Path.resolve``, ``/dev/null`` reads as empty and swallows every write, and a folder
cannot be read at all. :func:`check_regular` says which of these a path is, without opening it;
:func:`read_regular` opens with ``O_NONBLOCK`` and checks what it opened, so nothing can slip in
between the check and the read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class SpecialFile(Exception):
    """The path is there but is no regular file (``str(exc)`` names it and says what it is)."""


def describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _special(path: Path, what: str) -> SpecialFile:
    link = ""
    if os.path.islink(path):
        try:
            link = f"a symbolic link to {os.readlink(path)}, which is "
        except OSError:
            link = "a symbolic link to "
    return SpecialFile(f"{path} is {link}{what}, not a file")


def check_regular(path: Path) -> bool:
    """True: a regular file (symbolic links followed); False: nothing there (or a dangling
    link). Raises :class:`SpecialFile` for anything else, OSError when it cannot be looked at."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecialFile(f"{path} is a symbolic link that loops, not a file") from exc
        raise
    if stat.S_ISREG(mode):
        return True
    raise _special(path, describe_mode(mode))


def open_regular(path: Path, max_bytes: int) -> int:
    """A descriptor open for reading on the regular file ``path``, opened without blocking
    (a FIFO or a device never holds it up) and checked after opening.

    Raises :class:`SpecialFile` for anything but a regular file, :class:`TooLarge` past
    ``max_bytes``, OSError (``FileNotFoundError`` too) when it cannot be opened.
    """
    try:
        fd = os.open(path, _READ_FLAGS | _BINARY)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecialFile(f"{path} is a symbolic link that loops, not a file") from exc
        if exc.errno == errno.ENXIO:  # a socket
            raise _special(path, "a socket") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _special(path, describe_mode(info.st_mode))
        if info.st_size > max_bytes:
            raise TooLarge(path, info.st_size, max_bytes)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_readable(path: Path, max_bytes: int) -> bool:
    """:func:`open_regular`, closed at once: True when ``path`` can be read, False when it is
    not there; raises as :func:`open_regular` does."""
    try:
        fd = open_regular(path, max_bytes)
    except FileNotFoundError:
        return False
    os.close(fd)
    return True


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`)."""
    with os.fdopen(open_regular(path, max_bytes), "rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(path, len(data), max_bytes)
    return data


class TooLarge(Exception):
    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path} is {_size(size)}; files over {_size(limit)} are not read")
        self.path = path
        self.size = size
        self.limit = limit


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
