"""The shortcuts dialog lists every action given, with its keys, and filters them."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from handbook.ui.window.shortcuts_dialog import ShortcutsDialog, plain_label

NATIVE = QKeySequence.SequenceFormat.NativeText


def make_actions(parent: QWidget) -> list[QAction]:
    zoom_in = QAction("Zoom &In", parent)
    zoom_in.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
    find = QAction("&Find in Page…", parent)
    find.setShortcuts(QKeySequence.StandardKey.Find)
    find.setStatusTip("Find text in the page shown")
    pdf = QAction("Export as &PDF…", parent)  # no shortcut
    rnd = QAction("Salt && Pepper", parent)
    rnd.setShortcut(QKeySequence("F7"))
    return [zoom_in, find, pdf, rnd]


def test_lists_every_action_with_its_keys(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.add_widget(parent)
    actions = make_actions(parent)
    dialog = ShortcutsDialog(actions, extra=[("Zoom with the wheel", "Ctrl+Wheel")])
    qtbot.add_widget(dialog)
    rows = dict(dialog.rows())
    assert set(rows) == {
        "Zoom In",
        "Find in Page",
        "Export as PDF",
        "Salt & Pepper",
        "Zoom with the wheel",
    }
    assert QKeySequence("Ctrl+=").toString(NATIVE) in rows["Zoom In"]
    assert QKeySequence(QKeySequence.StandardKey.Find).toString(NATIVE) in rows["Find in Page"]
    assert rows["Export as PDF"] == ""
    assert rows["Salt & Pepper"] == "F7"


def test_the_filter_matches_names_keys_and_tips(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.add_widget(parent)
    dialog = ShortcutsDialog(make_actions(parent))
    qtbot.add_widget(dialog)
    qtbot.keyClicks(dialog.filter, "zoom")
    assert [name for name, _ in dialog.rows()] == ["Zoom In"]
    dialog.filter.setText("f7")
    assert [name for name, _ in dialog.rows()] == ["Salt & Pepper"]
    dialog.filter.setText("page shown")  # the status tip
    assert [name for name, _ in dialog.rows()] == ["Find in Page"]
    dialog.filter.setText("nothing like this")
    assert dialog.rows() == []
    assert not dialog.empty.isHidden()
    dialog.filter.clear()
    assert len(dialog.rows()) == 4
    assert dialog.empty.isHidden()


def test_widgets_have_accessible_names(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog([])
    qtbot.add_widget(dialog)
    for widget in (dialog, dialog.filter, dialog.table):
        assert widget.accessibleName()
        assert widget.accessibleDescription()


def test_plain_label() -> None:
    assert plain_label("&Open Book…") == "Open Book"
    assert plain_label("Salt && &Pepper") == "Salt & Pepper"
    assert plain_label("Trailing &") == "Trailing"
