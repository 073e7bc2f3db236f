"""Is there a display to show the window on? Checked before Qt starts.

Without one, Qt's X11 plugin aborts the process (exit status 134) with a message about
reinstalling the application and xcb-cursor0, which misleads. So before the ``QApplication``
is made, the display Qt would use is tried the way Qt tries it: the Wayland socket is looked
for, and the X server connected to with libxcb (the library Qt's own plugin uses). That
connection is kept until Qt has its own (:func:`release_display_probe`): an X server whose last
client leaves resets, and a fresh Xvfb (CI's, xvfb-run's) has no other client, so a probe closed
at once made Qt's connection fail during the reset (about 1 connection in 3 right after it,
measured here) and the process abort with the very message this check is there to replace.
Platforms that need no display (offscreen, minimal, vnc, eglfs...) and systems other than Linux
are not checked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

# the platform plugins that show windows on a display server
_DISPLAY_PLATFORMS = frozenset({"", "xcb", "wayland", "wayland-egl", "wayland-brcm"})


def _requested_platforms(environ: Mapping[str, str]) -> list[str]:
    value = environ.get("QT_QPA_PLATFORM", "")
    return [part.split(":")[0].strip() for part in value.split(";")] if value else [""]


def wayland_available(environ: Mapping[str, str]) -> bool:
    name = environ.get("WAYLAND_DISPLAY", "")
    if not name:
        return False
    if not os.path.isabs(name):
        runtime = environ.get("XDG_RUNTIME_DIR", "")
        if not runtime:
            return False
        name = os.path.join(runtime, name)
    import socket  # here: not imported when no display server is asked for (offscreen...)

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2.0)
            sock.connect(name)
    except OSError:
        return False
    return True


def x11_available(environ: Mapping[str, str]) -> bool:
    display = environ.get("DISPLAY", "")
    if not display:
        return False
    import ctypes

    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:  # Qt's X11 plugin cannot load either: syslibs.py names the package
        return True
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    if connection is None:
        return False
    if xcb.xcb_connection_has_error(connection) != 0:
        xcb.xcb_disconnect(connection)  # also frees the error connection object
        return False
    _held.append((xcb, connection))  # until Qt has connected: see the module docstring
    return True


_held: list[tuple[Any, int]] = []  # the probe's open connections to the X server


def release_display_probe() -> None:
    """Close the check's connection to the X server; call it once the QApplication exists."""
    while _held:
        xcb, connection = _held.pop()
        xcb.xcb_disconnect(connection)


def no_display_message(environ: Mapping[str, str] | None = None, platform: str = "") -> str:
    """One line for stderr when there is no display for the window; "" when there is one."""
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return ""
    requested = _requested_platforms(environ)
    if any(name not in _DISPLAY_PLATFORMS for name in requested):
        return ""  # offscreen, vnc, eglfs...: Qt needs no display server for these
    wants_x = any(name in ("", "xcb") for name in requested)
    wants_wayland = any(name != "xcb" for name in requested)
    if wants_wayland and wayland_available(environ):
        return ""
    if wants_x and x11_available(environ):
        return ""
    tried = environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    reason = f" ({tried} cannot be reached)" if tried else " (DISPLAY is not set)"
    return (
        f"handbook: there is no display to show the window on{reason}; "
        "'handbook toc', 'search', 'show' and 'pdf' work without one"
    )
