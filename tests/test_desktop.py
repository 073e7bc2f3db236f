"""`handbook --install-desktop` / `--uninstall-desktop`, and the bundled desktop files.

conftest.py points XDG_DATA_HOME into tmp_path, so these install into the test's own folder.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.commands import desktop
from handbook.commands.desktop import ICON_SIZES, desktop_entry, exec_argument
from tests.conftest import REPO

RESOURCES = REPO / "resources"
METAINFO = RESOURCES / "io.github.handbook.Handbook.metainfo.xml"


def _installed(data: Path) -> list[Path]:
    hicolor = data / "icons" / "hicolor"
    return [
        data / "applications" / "handbook.desktop",
        *(hicolor / f"{n}x{n}" / "apps" / "handbook.png" for n in ICON_SIZES),
        hicolor / "scalable" / "apps" / "handbook.svg",
        data / "metainfo" / "io.github.handbook.Handbook.metainfo.xml",
    ]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _desktop_key(path: Path, key: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{key}="))


def test_install_puts_launcher_icons_and_metainfo_in_xdg_data_home(
    user_folders: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = user_folders / "data"
    assert main(["--install-desktop"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = _installed(data)
    assert [line.split(" (")[0] for line in out] == [f"installed {p}" for p in expected]
    assert all(p.is_file() for p in expected)
    for n in ICON_SIZES:
        assert _png_size(data / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "handbook.png") == (
            n,
            n,
        )
    launcher = data / "applications" / "handbook.desktop"
    command = desktop.launch_command()
    assert _desktop_key(launcher, "Exec") == " ".join(exec_argument(a) for a in command) + " %f"
    assert _desktop_key(launcher, "TryExec") == command[0]
    assert _desktop_key(launcher, "Icon") == "handbook"
    assert f"(runs {' '.join(command)})" in out[0]


def test_exec_runs_the_packaged_executable_when_frozen(
    user_folders: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    executable = tmp_path / "dist" / "handbook-0.1.0-linux-x86_64"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    assert main(["--install-desktop"]) == 0
    launcher = user_folders / "data" / "applications" / "handbook.desktop"
    assert _desktop_key(launcher, "Exec") == f"{executable} %f"


def test_exec_runs_the_handbook_script_beside_python(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "bin" / "handbook"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python3"))
    assert desktop.launch_command() == [str(script)]


def test_uninstall_removes_exactly_what_install_put(
    user_folders: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = user_folders / "data"
    other = data / "applications" / "someone-else.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\n")
    main(["--install-desktop"])
    capsys.readouterr()
    assert main(["--uninstall-desktop"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"removed {p}" for p in _installed(data)]
    assert not any(p.exists() for p in _installed(data))
    assert other.is_file()
    assert main(["--uninstall-desktop"]) == 0
    assert capsys.readouterr().out == f"handbook is not installed in the menus under {data}\n"


def test_exec_arguments_are_quoted_as_the_specification_asks() -> None:
    assert exec_argument("/usr/bin/handbook") == "/usr/bin/handbook"
    assert exec_argument("/opt/my apps/handbook") == '"/opt/my apps/handbook"'
    assert exec_argument('/opt/a$b"c') == '"/opt/a\\\\$b\\\\"c"'
    assert exec_argument("/opt/100%") == "/opt/100%%"
    entry = desktop_entry("[Desktop Entry]\nExec=handbook %f\nTryExec=handbook\n", ["/a b/hb"])
    assert entry == '[Desktop Entry]\nExec="/a b/hb" %f\nTryExec=/a b/hb\n'


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_bundled_and_installed_launchers_validate(user_folders: Path) -> None:
    main(["--install-desktop"])
    for launcher in (
        RESOURCES / "handbook.desktop",
        user_folders / "data" / "applications" / "handbook.desktop",
    ):
        done = subprocess.run(
            ["desktop-file-validate", str(launcher)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "error" not in done.stdout + done.stderr


def test_bundled_launcher_says_what_the_menus_need() -> None:
    launcher = RESOURCES / "handbook.desktop"
    assert _desktop_key(launcher, "Exec") == "handbook %f"
    assert _desktop_key(launcher, "Icon") == "handbook"
    assert _desktop_key(launcher, "Categories") == "Office;Viewer;Education;"


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream (appstreamcli) absent")
def test_metainfo_validates() -> None:
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
