"""Start-up with a bad settings file, against a start with a good one, side by side.

    .venv/bin/python benchmarks/bench_settings_file.py [--runs 3] [--mb 50]

Prints one table; asserts nothing. Each start is ``python -m handbook`` on the bundled guide
(offscreen, HANDBOOK_BENCH_EXIT=1: it quits once the first page is shown) in a private user
profile whose settings file is, before every start:

- baseline: the small file a previous start saved;
- garbage: --mb MB of random bytes (the issue measured 3.2 s and 258 MB with 50 MB kept and
  rewritten at every start; now it is set aside before Qt reads it);
- fifo: a named pipe (the issue: open() blocked for ever before any window).

For each: the median time from spawning the process to the first page shown, the peak memory
then (VmHWM), and what the start said on stderr about the settings. A start that does not show
its page within --timeout seconds is counted as hung.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.helpers.profile import private_profile  # noqa: E402

GUIDE = REPO / "resources" / "guide"


def settings_file(profile: Path) -> Path:
    return profile / "config" / "handbook" / "handbook" / "handbook.ini"


def start(env: dict[str, str], timeout: float) -> tuple[float | None, int, str]:
    """(seconds to the first page or None if hung, VmHWM KiB then, stderr's settings line)."""
    spawned = time.time()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "handbook", str(GUIDE)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return None, 0, "(hung: killed)"
    page = [line.split() for line in done.stdout.splitlines() if line.startswith("HANDBOOK_BENCH")]
    page = [parts for parts in page if len(parts) >= 5 and parts[1] == "page"]
    said = next((line for line in done.stderr.splitlines() if "settings" in line), "")
    if not page:
        return None, 0, said or done.stderr.strip()[-120:]
    return float(page[0][2]) - spawned, int(page[0][4]), said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    env = {
        **os.environ,
        "HANDBOOK_BENCH_EXIT": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO / "src"),
    }
    garbage = random.Random(12).randbytes(args.mb * 1024 * 1024)

    def baseline(path: Path) -> None:
        pass  # what the uncounted first start saved

    def junk(path: Path) -> None:
        path.unlink(missing_ok=True)
        path.write_bytes(garbage)

    def fifo(path: Path) -> None:
        path.unlink(missing_ok=True)
        os.mkfifo(path)

    cases = (("baseline (saved settings)", baseline), (f"garbage ({args.mb} MB)", junk))
    cases += (("fifo", fifo),)
    results: dict[str, list[tuple[float | None, int, str]]] = {name: [] for name, _ in cases}
    with private_profile(env) as profile:
        start(env, args.timeout)  # uncounted: creates the profile's settings and caches
        good = settings_file(profile).read_bytes()
        for _ in range(args.runs):
            for name, prepare in cases:  # interleaved: a slow moment weighs on all alike
                path = settings_file(profile)
                path.unlink(missing_ok=True)
                path.write_bytes(good)
                prepare(path)
                results[name].append(start(env, args.timeout))
                for aside in path.parent.glob("handbook.ini.*"):
                    aside.unlink()

    print(f"{'settings file':28} {'first page (median)':>20} {'peak memory':>12}  said on stderr")
    for name, runs in results.items():
        times = [t for t, _, _ in runs if t is not None]
        hung = len(runs) - len(times)
        shown = f"{statistics.median(times):.2f} s" if times else "—"
        if hung:
            shown += f" ({hung} hung)"
        memory = max(m for _, m, _ in runs) / 1024
        said = runs[-1][2].replace(str(profile), "~")[:110]
        print(f"{name:28} {shown:>20} {memory:>9.0f} MB  {said}")


if __name__ == "__main__":
    main()
