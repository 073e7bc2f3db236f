"""The system-library check that runs before Qt: names what is missing, installs it as root."""

from __future__ import annotations

import io
from collections.abc import Sequence

from handbook.ui.app.syslibs import GUI_LIBRARIES, ensure_qt_libraries, required_libraries, uses_xcb

X11 = {"DISPLAY": ":0"}


def test_platform_choice_follows_qt() -> None:
    assert uses_xcb(X11, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb;wayland"}, "linux")
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb(X11, "darwin")
    assert required_libraries({"QT_QPA_PLATFORM": "offscreen"}, "linux") == GUI_LIBRARIES
    assert required_libraries(X11, "win32") == ()


def test_nothing_missing_says_nothing() -> None:
    out = io.StringIO()
    assert ensure_qt_libraries(X11, out, loads=lambda _: True)
    assert out.getvalue() == ""


def test_missing_libraries_are_named_with_their_packages() -> None:
    out = io.StringIO()
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    ok = ensure_qt_libraries(X11, out, loads=lambda soname: soname not in absent, is_root=False)
    assert not ok
    text = out.getvalue()
    assert "libxcb-icccm.so.4" in text
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in text


def test_as_root_they_are_installed_then_checked_again() -> None:
    out = io.StringIO()
    absent = {"libxcb-cursor.so.0"}
    asked: list[Sequence[str]] = []

    def install(packages: Sequence[str], _out: io.StringIO) -> bool:
        asked.append(list(packages))
        absent.clear()
        return True

    assert ensure_qt_libraries(
        X11, out, loads=lambda s: s not in absent, install=install, is_root=True
    )
    assert asked == [["libxcb-cursor0"]]


def test_a_failed_install_still_says_what_to_do() -> None:
    out = io.StringIO()
    ok = ensure_qt_libraries(
        X11,
        out,
        loads=lambda s: s != "libEGL.so.1",
        install=lambda packages, _out: False,
        is_root=True,
    )
    assert not ok
    assert "apt-get install libegl1" in out.getvalue()
