"""Every QAction of the window, declared in one place.

An action is described by an :class:`ActionSpec` (label, shortcut, tips, icon) apart from its
construction; :class:`Actions` builds them all. To add one: write its spec below, add one line
in ``Actions.__init__``, connect its ``triggered`` in ``MainWindow._connect_signals`` and put it
in a menu or tool bar in ``MainWindow._build_menus``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QStyle

Shortcut = QKeySequence.StandardKey | str


@dataclass(frozen=True)
class ActionSpec:
    text: str  # menu label, with & before the mnemonic
    tip: str  # tool tip and status bar tip
    shortcut: Shortcut | None = None  # a StandardKey wherever Qt has one, else portable text
    theme_icon: str | None = None  # freedesktop icon name
    fallback_icon: QStyle.StandardPixmap | None = None  # when the icon theme has none
    checkable: bool = False
    role: QAction.MenuRole = QAction.MenuRole.NoRole
    icon_text: str | None = None  # a shorter label for tool bars


# -- navigation ------------------------------------------------------------------------------
BACK = ActionSpec(
    "&Back",
    "Go back to the previous place you read",
    QKeySequence.StandardKey.Back,
    "go-previous",
    QStyle.StandardPixmap.SP_ArrowBack,
)
FORWARD = ActionSpec(
    "&Forward",
    "Go forward again",
    QKeySequence.StandardKey.Forward,
    "go-next",
    QStyle.StandardPixmap.SP_ArrowForward,
)
PREVIOUS_CHAPTER = ActionSpec(
    "&Previous Chapter",
    "Open the previous chapter in reading order",
    "Ctrl+PgUp",
    "go-up",
    QStyle.StandardPixmap.SP_ArrowUp,
    icon_text="Previous",
)
NEXT_CHAPTER = ActionSpec(
    "&Next Chapter",
    "Open the next chapter in reading order",
    "Ctrl+PgDown",
    "go-down",
    QStyle.StandardPixmap.SP_ArrowDown,
    icon_text="Next",
)

# -- book ------------------------------------------------------------------------------------
OPEN_BOOK = ActionSpec(
    "&Open Book…",
    "Open another book: a folder in mdBook's layout",
    QKeySequence.StandardKey.Open,
    "document-open",
    QStyle.StandardPixmap.SP_DialogOpenButton,
)
QUIT = ActionSpec(
    "&Quit",
    "Close handbook",
    QKeySequence.StandardKey.Quit,
    "application-exit",
    role=QAction.MenuRole.QuitRole,
)

# -- panels ----------------------------------------------------------------------------------
SHOW_CONTENTS = ActionSpec(
    "&Contents",
    "Show or hide the table of contents",
    "F9",
    checkable=True,
)


def _icon(spec: ActionSpec) -> QIcon | None:
    icon = QIcon.fromTheme(spec.theme_icon) if spec.theme_icon else QIcon()
    if icon.isNull() and spec.fallback_icon is not None:
        style = QApplication.style()
        icon = style.standardIcon(spec.fallback_icon) if style is not None else QIcon()
    return None if icon.isNull() else icon


def make_action(spec: ActionSpec, parent: QObject) -> QAction:
    action = QAction(spec.text, parent)
    action.setStatusTip(spec.tip)
    if isinstance(spec.shortcut, QKeySequence.StandardKey):
        action.setShortcuts(spec.shortcut)  # every binding the platform has for it
    elif spec.shortcut is not None:
        action.setShortcut(QKeySequence(spec.shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{spec.tip} ({keys})" if keys else spec.tip)
    icon = _icon(spec)
    if icon is not None:
        action.setIcon(icon)
    action.setCheckable(spec.checkable)
    if spec.icon_text:
        action.setIconText(spec.icon_text)
    action.setMenuRole(spec.role)
    return action


class Actions:
    """The window's actions, built once and handed to the panels that show them."""

    def __init__(self, parent: QObject) -> None:
        # navigation
        self.back = make_action(BACK, parent)
        self.forward = make_action(FORWARD, parent)
        self.previous_chapter = make_action(PREVIOUS_CHAPTER, parent)
        self.next_chapter = make_action(NEXT_CHAPTER, parent)
        # book
        self.open_book = make_action(OPEN_BOOK, parent)
        self.quit = make_action(QUIT, parent)
        # panels
        self.show_contents = make_action(SHOW_CONTENTS, parent)

    def all(self) -> list[QAction]:
        return [value for value in vars(self).values() if isinstance(value, QAction)]
