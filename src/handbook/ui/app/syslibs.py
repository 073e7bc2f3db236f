"""The system libraries Qt needs (QtGui's, and its X11 plugin's), checked before Qt loads.

Without them `import PySide6.QtGui` fails, or Qt aborts with "could not load the Qt platform
plugin xcb", which names neither the missing library nor the package to install. Here each
library is opened by its soname (``dlopen``: the lookup the dynamic loader does for Qt), and
the Debian packages that provide the missing ones are named, or installed with apt-get
when running as root.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, TextIO


class SystemLibrary(NamedTuple):  # not a dataclass: imported before start-up's first frame
    soname: str
    package: str  # the Debian / Ubuntu package that provides it


# What PySide6 6.12's libraries need beyond the C runtime and what PySide6 bundles
# (`objdump -p <lib> | grep NEEDED`). QtGui needs these on any platform: a missing one makes
# `import PySide6.QtGui` itself fail.
GUI_LIBRARIES: tuple[SystemLibrary, ...] = (
    SystemLibrary("libglib-2.0.so.0", "libglib2.0-0"),
    SystemLibrary("libX11.so.6", "libx11-6"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0"),
    SystemLibrary("libEGL.so.1", "libegl1"),
    SystemLibrary("libGL.so.1", "libgl1"),
    SystemLibrary("libfreetype.so.6", "libfreetype6"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3"),
)
# ...and the X11 platform plugin (libqxcb.so, libQt6XcbQpa) these. libxcb-xinerama0, which
# Qt 5 needed, is no longer among them.
XCB_LIBRARIES: tuple[SystemLibrary, ...] = (
    SystemLibrary("libxcb.so.1", "libxcb1"),
    SystemLibrary("libX11-xcb.so.1", "libx11-xcb1"),
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0"),
    SystemLibrary("libxcb-glx.so.0", "libxcb-glx0"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0"),
    SystemLibrary("libxcb-render.so.0", "libxcb-render0"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0"),
    SystemLibrary("libxcb-shm.so.0", "libxcb-shm0"),
    SystemLibrary("libxcb-sync.so.1", "libxcb-sync1"),
    SystemLibrary("libxcb-util.so.1", "libxcb-util1"),
    SystemLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will start on its X11 platform plugin (Qt's own choice, without a window)."""
    if not platform.startswith("linux"):
        return False
    requested = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested == "xcb"
    in_wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return not in_wayland


def _loads(soname: str) -> bool:
    # ctypes' own dlopen, without the ctypes package around it (about 1.5 ms of start-up, before
    # the first frame): what ctypes.CDLL(soname) does, the library then kept loaded as it is
    from _ctypes import dlopen  # type: ignore[import-not-found]

    try:
        dlopen(soname, 0)  # ctypes.DEFAULT_MODE (RTLD_NOW is added)
    except OSError:
        return False
    return True


def required_libraries(
    environ: Mapping[str, str], platform: str = sys.platform
) -> tuple[SystemLibrary, ...]:
    if not platform.startswith("linux"):
        return ()
    return GUI_LIBRARIES + XCB_LIBRARIES if uses_xcb(environ, platform) else GUI_LIBRARIES


def missing_libraries(
    libraries: Sequence[SystemLibrary],
    loads: Callable[[str], bool] = _loads,
) -> list[SystemLibrary]:
    return [lib for lib in libraries if not loads(lib.soname)]


def _install(packages: Sequence[str], out: TextIO) -> bool:
    import shutil  # here, not at the top: start-up does not pay for what is rarely needed
    import subprocess

    if not shutil.which("apt-get"):
        return False
    print(f"handbook: installing with apt-get: {' '.join(packages)}", file=out)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ):
        if subprocess.run(command, stdout=subprocess.DEVNULL, env=env, check=False).returncode:
            return False
    return True


def ensure_qt_libraries(
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    loads: Callable[[str], bool] = _loads,
    install: Callable[[Sequence[str], TextIO], bool] = _install,
    is_root: bool | None = None,
) -> bool:
    """True when Qt can start: every library it needs is there, or was installed just now.

    Otherwise prints what is missing and the command that installs it, and returns False.
    """
    environ = os.environ if environ is None else environ
    out = sys.stderr if out is None else out
    missing = missing_libraries(required_libraries(environ), loads=loads)
    if not missing:
        return True
    packages = sorted({lib.package for lib in missing})
    names = ", ".join(lib.soname for lib in missing)
    print(f"handbook: Qt needs system libraries that are missing: {names}", file=out)
    root = (os.geteuid() == 0) if is_root is None else is_root
    if root:
        if install(packages, out) and not missing_libraries(missing, loads=loads):
            return True
        print("handbook: apt-get could not install them all.", file=out)
    print(f"handbook: on Debian or Ubuntu: sudo apt-get install {' '.join(packages)}", file=out)
    return False
