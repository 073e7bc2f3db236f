"""Keyboard focus between the window's panes: the Tab chain, and F6 / Shift+F6 cycling."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def set_tab_order(chain: Sequence[QWidget | None]) -> None:
    """Tab goes along ``chain``; a None (a panel not built yet) is left out."""
    for first, second in itertools.pairwise([w for w in chain if w is not None]):
        QWidget.setTabOrder(first, second)


def focus_next_pane(panes: Sequence[QWidget], step: int) -> QWidget | None:
    """Focus the pane ``step`` away from the one holding the focus (visible ones only)."""
    shown = [p for p in panes if p.isVisible() and p.isEnabled()]
    if not shown:
        return None
    focused = QApplication.focusWidget()
    at = next(
        (i for i, p in enumerate(shown) if focused is p or (focused and p.isAncestorOf(focused))),
        None,
    )
    target = shown[0 if at is None else (at + step) % len(shown)]
    target.setFocus(Qt.FocusReason.ShortcutFocusReason)
    return target
