"""The Qt binding itself must not lose references: PySide6 6.12.0 did, and aborted the app.

With 6.12.0 on Python 3.11, every Python call of a void Qt method dropped a reference to None
and every signal emit one to True; after a few thousand calls the interpreter died with
"Fatal Python error: none_dealloc". pyproject.toml keeps PySide6 below 6.12 for that reason.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal(bool)


def test_void_calls_keep_references_to_none(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("page")
    assert sys.getrefcount(None) - before > -50


def test_emits_keep_references_to_true(qtbot: QtBot) -> None:
    emitter = _Emitter()
    seen: list[bool] = []
    emitter.fired.connect(seen.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit(True)
    assert len(seen) == 200
    assert sys.getrefcount(True) - before > -50
