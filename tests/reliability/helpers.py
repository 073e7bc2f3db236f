"""What the reliability tests share: strace runs and their logs, a hang guard, a TCP listener."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import child_env as conftest_child_env

REPO = Path(__file__).resolve().parents[2]

SCRIPTS = Path(__file__).resolve().parent / "scripts"
STRACE = shutil.which("strace")
HANG_GUARD_S = 10.0  # a hang guard, not a timing assertion: times are recorded in the doc

T = TypeVar("T")


def need_strace() -> str:
    if STRACE is None:
        pytest.skip(
            "strace is not installed, so sockets and file opens cannot be observed at the OS "
            "level ('bash scripts/setup.sh dev' installs it)"
        )
    return STRACE


def child_env(home: Path) -> dict[str, str]:
    """The environment of a child Python: offscreen Qt, the source tree, the test's folders."""
    env = conftest_child_env(HOME=str(home))
    env.pop("http_proxy", None)
    env.pop("https_proxy", None)
    return env


@dataclass
class Traced:
    """A finished process run under strace: its exit status, output and syscall log."""

    returncode: int
    stdout: str
    stderr: str
    log: str
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = self.log.splitlines()


def run_traced(
    args: Sequence[str],
    trace: str,
    log: Path,
    env: dict[str, str],
    timeout: float = 120.0,
    cwd: Path | None = None,
) -> Traced:
    """Run ``args`` under ``strace -f -e trace=<trace>``, every thread and child followed."""
    strace = need_strace()
    command = [strace, "-f", "-qq", "-s", "4096", "-e", f"trace={trace}", "-o", str(log), *args]
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return Traced(done.returncode, done.stdout, done.stderr, text)


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


_SOCKET = re.compile(r"\bsocket\((AF_\w+|PF_\w+|\d+),")


def socket_families(log: str) -> dict[str, int]:
    """How many sockets of each address family the traced process asked for."""
    counts: dict[str, int] = {}
    for m in _SOCKET.finditer(log):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def network_sockets(log: str) -> list[str]:
    """The strace lines creating or connecting an IPv4/IPv6 socket (AF_UNIX is fine)."""
    return [
        line
        for line in log.splitlines()
        if re.search(r"\b(socket|connect)\(", line) and re.search(r"\b[AP]F_INET6?\b", line)
    ]


_FILE_CALL = re.compile(
    r"\b(open|openat|openat2|creat|stat|lstat|newfstatat|fstatat64|statx|readlink|readlinkat|"
    r"access|faccessat|faccessat2|execve)\((?:AT_FDCWD|\d+(?:<[^>]*>)?)?,?\s*\"((?:[^\"\\]|\\.)*)\""
)
_RESULT = re.compile(r"\)\s*=\s*(-?\d+)")


@dataclass(frozen=True)
class FileCall:
    call: str
    path: str
    result: int | None  # None: the call's result is on a later "resumed" line

    @property
    def succeeded(self) -> bool:
        return self.result is not None and self.result >= 0

    @property
    def opened(self) -> bool:
        return self.call in ("open", "openat", "openat2", "creat")


_RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (\w+) resumed>.*?=\s*(-?\d+)")


def file_calls(log: str) -> Iterator[FileCall]:
    """Every syscall in the log that names a file, with its path and result: a call another
    thread interrupted (``<unfinished ...>``) gets the result of its ``<... resumed>`` line."""
    pending: dict[tuple[str, str], tuple[str, str]] = {}  # (pid, call) -> (call, path)
    for line in log.splitlines():
        resumed = _RESUMED.match(line)
        if resumed is not None:
            call = pending.pop((resumed.group(1), resumed.group(2)), None)
            if call is not None:
                yield FileCall(call[0], call[1], int(resumed.group(3)))
            continue
        m = _FILE_CALL.search(line)
        if m is None:
            continue
        path = _unescape(m.group(2))
        if line.rstrip().endswith("<unfinished ...>"):
            pending[(line.split(maxsplit=1)[0], m.group(1))] = (m.group(1), path)
            continue
        result = _RESULT.search(line, m.end())
        yield FileCall(m.group(1), path, int(result.group(1)) if result else None)
    for call, path in pending.values():  # never resumed (the process ended)
        yield FileCall(call, path, None)


def _unescape(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")


def calls_on(log: str, paths: Sequence[Path | str]) -> list[FileCall]:
    """The calls that name one of ``paths`` (or anything beneath a folder among them)."""
    wanted = [str(p).rstrip("/") for p in paths]
    return [
        c for c in file_calls(log) if any(c.path == w or c.path.startswith(w + "/") for w in wanted)
    ]


def within(limit: float, work: Callable[[], T]) -> tuple[T, float]:
    """``work()``'s result and its time in seconds; fails (not hangs) past ``limit`` seconds.

    The work runs in a daemon thread: a hang leaves it running, but the test ends and says so.
    """
    box: dict[str, object] = {}

    def run() -> None:
        start = time.perf_counter()
        try:
            box["value"] = work()
        except BaseException as exc:  # reported in the test's thread
            box["error"] = exc
        box["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        pytest.fail(f"still running after {limit:.0f} s: a hang, not a slow input")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"], float(box["seconds"])  # type: ignore[return-value]


class Listener:
    """A local TCP server that only counts the connections made to it."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.05)
        self.port: int = self.server.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, address = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(address)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.server.close()


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()
