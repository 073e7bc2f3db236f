"""Packaged handbook against a packaged bare PySide6 window: size and time to the first window.

    .venv/bin/python benchmarks/bench_package.py [--runs 5] [--no-build] [--out build/bench-package]

Builds, into --out, handbook with packaging/build.sh (a single file and a folder, trimmed) and
packaging/bare_window.py with packaging/bare_window.spec (the same two ways, PyInstaller's
default Qt collection, nothing trimmed); then starts each program --runs times, interleaved, on
a private Xvfb screen (the xcb platform, as on a desktop) and prints one table: the single
file's size, the folder's size, and the median time from starting the process to its first
window being exposed (each program prints ``HANDBOOK_BENCH window <unix time> ...`` then quits
when HANDBOOK_BENCH_EXIT=1). Asserts nothing. Targets: handbook's single file at most 40 MB and
at most 0.6x the bare single file's time; handbook's folder at most 1.1x the bare folder's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
from handbook import __version__  # noqa: E402

sys.path.insert(0, str(REPO))
from tests.helpers.profile import private_profile  # noqa: E402
from tests.helpers.xvfb import xvfb  # noqa: E402

ONEFILE_SIZE_TARGET_MB = 40.0
ONEFILE_TIME_TARGET = 0.6  # x the bare single file
FOLDER_TIME_TARGET = 1.1  # x the bare folder


@dataclass
class Build:
    label: str
    onefile: Path
    folder_executable: Path
    onefile_ms: list[float] = field(default_factory=list)
    folder_ms: list[float] = field(default_factory=list)

    @property
    def onefile_mb(self) -> float:
        return self.onefile.stat().st_size / 1e6

    @property
    def folder_mb(self) -> float:
        folder = self.folder_executable.parent
        files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
        return sum(p.stat().st_size for p in files) / 1e6


def builds_in(out: Path) -> tuple[Build, Build]:
    dist = out / "dist"
    handbook = Build(
        "handbook",
        dist / f"handbook-{__version__}-linux-x86_64",
        dist / "handbook" / "handbook",
    )
    bare = Build(
        "bare PySide6 window",
        dist / "bare_window-onefile",
        dist / "bare_window" / "bare_window",
    )
    return handbook, bare


def run_builds(out: Path) -> None:
    dist, work = out / "dist", out / "work"
    started = time.monotonic()
    subprocess.run(
        [
            "bash",
            str(REPO / "packaging" / "build.sh"),
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "handbook"),
        ],
        check=True,
    )
    print(f"bench_package: handbook built in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "bare"),
            str(REPO / "packaging" / "bare_window.spec"),
        ],
        check=True,
    )
    print(f"bench_package: bare window built in {time.monotonic() - started:.0f} s")


def time_to_window(executable: Path, env: dict[str, str]) -> float:
    """Milliseconds from starting ``executable`` to its first window being exposed."""
    start = time.time()
    done = subprocess.run(
        [str(executable)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[:2] == ["HANDBOOK_BENCH", "window"]:
            return (float(parts[2]) - start) * 1000
    raise SystemExit(f"bench_package: {executable} reported no window\n{done.stdout}{done.stderr}")


def measure(builds: tuple[Build, Build], runs: int) -> None:
    if not shutil.which("Xvfb"):
        raise SystemExit("bench_package: Xvfb is not installed (Debian: apt-get install xvfb)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "HANDBOOK_BENCH_EXIT": "1"}
    env.pop("WAYLAND_DISPLAY", None)
    with xvfb() as display, private_profile(env):
        env["DISPLAY"] = display
        for b in builds:  # warm-up: the first start reads the files from disk
            time_to_window(b.onefile, env)
            time_to_window(b.folder_executable, env)
        for _ in range(runs):  # interleaved, so a busy moment weighs on all alike
            for b in builds:
                b.onefile_ms.append(time_to_window(b.onefile, env))
                b.folder_ms.append(time_to_window(b.folder_executable, env))


def table(handbook: Build, bare: Build, runs: int) -> None:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    rows = [["", "single file", "folder", "single file → window", "folder → window"]]
    for b in (handbook, bare):
        rows.append(
            [
                b.label,
                f"{b.onefile_mb:.1f} MB",
                f"{b.folder_mb:.1f} MB",
                f"{median(b.onefile_ms):.0f} ms",
                f"{median(b.folder_ms):.0f} ms",
            ]
        )
    rows.append(
        [
            "handbook ÷ bare",
            f"{handbook.onefile_mb / bare.onefile_mb:.2f}",
            f"{handbook.folder_mb / bare.folder_mb:.2f}",
            f"{median(handbook.onefile_ms) / median(bare.onefile_ms):.2f}",
            f"{median(handbook.folder_ms) / median(bare.folder_ms):.2f}",
        ]
    )
    rows.append(
        [
            "target",
            f"≤ {ONEFILE_SIZE_TARGET_MB:.0f} MB",
            "",
            f"≤ {ONEFILE_TIME_TARGET}",
            f"≤ {FOLDER_TIME_TARGET}",
        ]
    )
    print(f"\nPackaged start-up: median of {runs} starts each, Xvfb (xcb platform)\n")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    every = {b.label: (b.onefile_ms, b.folder_ms) for b in (handbook, bare)}
    print("\nall starts (ms), single file | folder:")
    for label, (onefile, folder) in every.items():
        print(
            f"  {label}: {' '.join(f'{v:.0f}' for v in onefile)} | "
            f"{' '.join(f'{v:.0f}' for v in folder)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="starts per program (default 5)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "bench-package")
    parser.add_argument("--no-build", action="store_true", help="reuse the builds in --out")
    args = parser.parse_args()
    if not args.no_build:
        run_builds(args.out)
    builds = builds_in(args.out)
    for b in builds:
        for path in (b.onefile, b.folder_executable):
            if not path.is_file():
                raise SystemExit(f"bench_package: {path} is missing (run without --no-build)")
    measure(builds, args.runs)
    table(*builds, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
