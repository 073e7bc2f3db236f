"""``handbook --install-desktop`` / ``--uninstall-desktop``: handbook in the desktop's menus.

Installs, for the current user (under ``$XDG_DATA_HOME``, by default ``~/.local/share``):

- ``applications/handbook.desktop``, whose ``Exec`` runs this very program: the executable
  itself for the packaged build, else the ``handbook`` script beside this Python;
- ``icons/hicolor/<N>x<N>/apps/handbook.png`` for each size, and the scalable SVG;
- ``metainfo/io.github.handbook.Handbook.metainfo.xml``, for software centres.

Uninstalling removes exactly those files. Both print one line per file. Linux and other
freedesktop.org desktops only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from handbook.resources import resource_path

DESKTOP_FILE = "handbook.desktop"
ICON_NAME = "handbook"
METAINFO_FILE = "io.github.handbook.Handbook.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@dataclass(frozen=True)
class Placement:
    source: Path  # the bundled file
    target: Path  # where it goes under the data folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: these are flags of the main command (see cli.py)."""


def run(args: argparse.Namespace) -> int:
    if sys.platform in ("win32", "darwin"):
        print("handbook: desktop menus are installed this way on Linux only", file=sys.stderr)
        return 2
    data_home = data_home_dir()
    if args.uninstall_desktop:
        return uninstall(data_home)
    return install(data_home, launch_command())


def data_home_dir() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def placements(data_home: Path) -> list[Placement]:
    icons = resource_path("icons")
    hicolor = data_home / "icons" / "hicolor"
    return [
        Placement(resource_path(DESKTOP_FILE), data_home / "applications" / DESKTOP_FILE),
        *(
            Placement(
                icons / f"handbook-{n}.png", hicolor / f"{n}x{n}" / "apps" / f"{ICON_NAME}.png"
            )
            for n in ICON_SIZES
        ),
        Placement(icons / "handbook.svg", hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg"),
        Placement(resource_path(METAINFO_FILE), data_home / "metainfo" / METAINFO_FILE),
    ]


def launch_command() -> list[str]:
    """The command that starts this installation of handbook."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.executable).parent / "handbook"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script.absolute())]
    found = shutil.which("handbook")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "handbook"]


def install(data_home: Path, command: list[str]) -> int:
    for placement in placements(data_home):
        placement.target.parent.mkdir(parents=True, exist_ok=True)
        if placement.target.name == DESKTOP_FILE:
            text = desktop_entry(placement.source.read_text(encoding="utf-8"), command)
            _write_atomically(placement.target, text.encode("utf-8"))
            print(f"installed {placement.target} (runs {' '.join(command)})")
        else:
            _write_atomically(placement.target, placement.source.read_bytes())
            print(f"installed {placement.target}")
    return 0


def uninstall(data_home: Path) -> int:
    removed = 0
    for placement in placements(data_home):
        if placement.target.is_file() or placement.target.is_symlink():
            placement.target.unlink()
            removed += 1
            print(f"removed {placement.target}")
    if not removed:
        print(f"handbook is not installed in the menus under {data_home}")
    return 0


def desktop_entry(template: str, command: list[str]) -> str:
    """The bundled desktop entry with Exec and TryExec running ``command``."""
    exec_line = " ".join(exec_argument(arg) for arg in command) + " %f"
    text = re.sub(r"(?m)^Exec=.*$", lambda _: f"Exec={exec_line}", template)
    return re.sub(r"(?m)^TryExec=.*$", lambda _: f"TryExec={command[0]}", text)


def exec_argument(arg: str) -> str:
    """One argument of an Exec key, quoted as the Desktop Entry Specification asks."""
    arg = arg.replace("%", "%%")
    if not re.search(r"[\s\"'\\><~|&;$*?#()`]", arg):
        return arg
    escaped = re.sub(r'(["`$\\])', r"\\\1", arg)
    # The desktop file format itself unescapes backslashes once more, before the quoting.
    return '"' + escaped.replace("\\", "\\\\") + '"'


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(target)
