"""The standalone executable: build it with packaging/build.sh, then use it as a user would.

Slow (one PyInstaller build, about half a minute), and run by CI all the same: only the built
program shows a module, Qt plugin, data file or system library the build left out. Skipped
only where PyInstaller is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from handbook import __version__
from handbook.core.book.load import load_book
from tests.conftest import GUIDE, REPO
from tests.helpers.xvfb import xvfb

pytestmark = [pytest.mark.build, pytest.mark.slow]

ONEFILE = f"handbook-{__version__}-linux-x86_64"
SIZE_BUDGET_MB = 40
WINDOW_TIMEOUT_S = 60  # only a failing run waits it out: a loaded machine starts slowly


@pytest.fixture(scope="module")
def executable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (bash scripts/setup.sh dev installs it)")
    out = tmp_path_factory.mktemp("build")
    done = subprocess.run(
        [
            "bash",
            str(REPO / "packaging" / "build.sh"),
            "--onefile-only",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"build.sh failed:\n{done.stdout[-5000:]}\n{done.stderr[-5000:]}"
    built = out / "dist" / ONEFILE
    assert built.is_file(), f"build.sh did not write {built}:\n{done.stdout}"
    return built


def _clean_env(**extra: str) -> dict[str, str]:
    """The user's environment as a packaged program sees it: none of the checkout's Python."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_"))}
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "VIRTUAL_ENV"):
        env.pop(key, None)
    env.update(extra)
    return env


def test_single_file_fits_its_budget(executable: Path) -> None:
    size_mb = executable.stat().st_size / 1e6
    assert size_mb <= SIZE_BUDGET_MB, f"{executable.name} is {size_mb:.1f} MB"
    assert os.access(executable, os.X_OK)


def test_bundle_holds_what_handbook_uses_and_not_the_rest(executable: Path) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    names = set(CArchiveReader(str(executable)).toc)
    plugins = {n.split("Qt/plugins/", 1)[1] for n in names if "Qt/plugins/" in n}
    assert {"platforms/libqxcb.so", "platforms/libqoffscreen.so"} <= plugins
    assert {p for p in plugins if p.startswith("imageformats/")} == {
        f"imageformats/libq{f}.so" for f in ("gif", "ico", "jpeg", "svg")
    }
    assert not [p for p in plugins if p.startswith(("platformthemes/", "tls/", "sqldrivers/"))]
    unwanted = re.compile(
        r"Qt6(Network|Qml|Quick|WebEngine|Multimedia|3D|Pdf)|/translations/|libgtk"
    )
    assert not sorted(n for n in names if unwanted.search(n))
    for resource in (
        "resources/guide/book.toml",
        "resources/guide/src/SUMMARY.md",
        "resources/icons/handbook.svg",
        "resources/handbook.desktop",
        "resources/io.github.handbook.Handbook.metainfo.xml",
    ):
        assert resource in names


def test_built_program_passes_its_self_test(executable: Path) -> None:
    done = subprocess.run(
        [str(executable), "--self-test"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5 and all(line.startswith("ok   ") for line in lines), done.stdout


def test_built_program_installs_a_launcher_that_runs_itself(
    executable: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    done = subprocess.run(
        [str(executable), "--install-desktop"],
        env=_clean_env(XDG_DATA_HOME=str(data)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    launcher = (data / "applications" / "handbook.desktop").read_text(encoding="utf-8")
    assert f"Exec={executable} %f" in launcher.splitlines()
    assert (data / "icons" / "hicolor" / "48x48" / "apps" / "handbook.png").is_file()


def _window_ids(display: str, title_pattern: str) -> list[str]:
    done = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", title_pattern],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return done.stdout.split()


@pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xdotool")),
    reason="Xvfb and xdotool are not installed (bash scripts/setup.sh dev installs them)",
)
def test_built_program_shows_the_guide_in_a_real_x_window(executable: Path, tmp_path: Path) -> None:
    title = load_book(GUIDE).title
    pattern = re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", title.split(":")[0])
    log = tmp_path / "handbook.log"
    with xvfb() as display, log.open("w") as output:
        program = subprocess.Popen(
            [str(executable)],
            env=_clean_env(DISPLAY=display, HOME=str(tmp_path)),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + WINDOW_TIMEOUT_S
            windows: list[str] = []
            while not windows and time.monotonic() < deadline and program.poll() is None:
                time.sleep(0.25)
                windows = _window_ids(display, pattern)
        finally:
            program.terminate()
            try:
                program.wait(timeout=10)
            except subprocess.TimeoutExpired:
                program.kill()
                program.wait()
    assert windows, (
        f"no visible window titled {title!r} within {WINDOW_TIMEOUT_S} s "
        f"(exit status {program.returncode}):\n{log.read_text(errors='replace')}"
    )
