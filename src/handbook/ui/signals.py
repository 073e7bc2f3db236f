"""Emit Qt signals from Python without PySide6 6.12's reference-count loss.

With PySide6 6.12.0 on Python 3.11, every ``SignalInstance.emit()`` called from Python drops one
reference to ``True`` (on any thread, connected or not; a signal Qt emits from C++ does not).
``True`` is not immortal before Python 3.12, so after some hundreds to thousands of emits the
interpreter aborts: "Fatal Python error: bool_dealloc". :func:`emit` emits, then gives the
reference back, where a probe on first use shows the loss (elsewhere it only emits).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    fired = Signal()


@functools.cache
def true_refs_lost_per_emit() -> int:
    """1 where PySide loses a reference to True on each emit, 0 where it does not."""
    probe = _Probe()
    for _ in range(3):  # another thread may touch True meanwhile: retry on a blurred reading
        before = sys.getrefcount(True)
        for _ in range(8):
            probe.fired.emit()
        lost = before - sys.getrefcount(True)
        give_back_true(lost)  # what the probe itself cost
        if lost in (0, 8):
            return lost // 8
    return 0


@functools.cache
def _incref() -> Callable[[object], None]:
    import ctypes  # here: start-up does without it until the first emit

    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    return incref  # type: ignore[no-any-return]


def give_back_true(count: int) -> None:
    """Return ``count`` references to True (one more reference to it is always harmless)."""
    if count > 0:
        incref = _incref()
        for _ in range(count):
            incref(True)


def emit(signal: SignalInstance, *args: object) -> None:
    """``signal.emit(*args)``, minus the reference PySide 6.12 loses."""
    signal.emit(*args)
    give_back_true(true_refs_lost_per_emit())
