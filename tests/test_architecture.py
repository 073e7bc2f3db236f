"""The shape of the code: every module imports alone, the core imports no Qt, no import cycles.

Each module is imported in a fresh child process (forked from a parent that has imported
nothing of handbook), so a module that works only when another was imported first fails here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import import_cycles  # noqa: E402  (scripts/import_cycles.py)

_IMPORT_EACH = textwrap.dedent(
    """
    import os, sys, traceback
    names, preload = sys.argv[2:], sys.argv[1]
    if preload == "qt":
        import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets  # shared by the children
    failed = 0
    for name in names:
        pid = os.fork()
        if pid == 0:
            try:
                __import__(name)
                if preload == "none" and any(m.startswith("PySide6") for m in sys.modules):
                    print(f"{name}: imports Qt", flush=True)
                    os._exit(1)
            except BaseException:
                print(f"{name}: cannot be imported alone")
                traceback.print_exc(file=sys.stdout)
                sys.stdout.flush()
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        failed += status != 0
    sys.exit(1 if failed else 0)
    """
)


def _modules(prefix: str) -> list[str]:
    return sorted(name for name in import_cycles.module_names() if name.startswith(prefix))


def _import_each(names: list[str], preload: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, preload, *names],
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO / "src"),
        },
    )


def test_the_core_imports_no_qt_and_each_core_module_imports_alone() -> None:
    names = _modules("handbook.core")
    assert len(names) > 40
    done = _import_each(names, "none")
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_module_imports_alone() -> None:
    names = [n for n in _modules("handbook") if not n.startswith("handbook.core")]
    assert "handbook.ui.window.main_window" in names
    done = _import_each(names, "qt")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_new_import_cycles(capsys: object) -> None:
    """scripts/import_cycles.py, as CI runs it: every import counts (lazy, TYPE_CHECKING)."""
    assert import_cycles.main([]) == 0


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles.cycles(graph) == [["a", "b", "c"]]
    assert import_cycles.cycles({"a": {"b"}, "b": set()}) == []


def test_no_controller_imports_the_main_window() -> None:
    """Controllers are given what they use: only start-up (ui/app/run.py) knows MainWindow."""
    modules = import_cycles.module_names()
    known = set(modules)
    importers = sorted(
        name
        for name, path in modules.items()
        if "handbook.ui.window.main_window" in import_cycles.imports_of(path, name, known)
    )
    assert importers == ["handbook.ui.app.run"]
    assert import_cycles.KNOWN == {}  # every cycle fails the check
