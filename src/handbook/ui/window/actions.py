"""Every QAction of the window, declared in one place.

An action is described by an :class:`ActionSpec` (label, shortcut, tips, icon) apart from its
construction; :class:`Actions` builds them all. To add one: write its spec below, add one line
in ``Actions.__init__``, connect its ``triggered`` in ``MainWindow._connect_signals`` and put it
in a menu or tool bar in ``MainWindow._build_menus``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
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
    more_shortcuts: tuple[str, ...] = ()  # further keys, after the first


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
    "Open another book: an mdBook book, an MkDocs site or a folder of markdown",
    QKeySequence.StandardKey.Open,
    "document-open",
    QStyle.StandardPixmap.SP_DialogOpenButton,
)
OPEN_FILE = ActionSpec(
    "Open &File…",
    "Open a markdown file (the book around it, at that page) or an mkdocs.yml",
    "Ctrl+Shift+O",
)
LIBRARY = ActionSpec(
    "&Library…",
    "Every book you have opened or added: open one, or remove it from the library",
    "Ctrl+Shift+L",
)
# -- tabs ------------------------------------------------------------------------------------
NEW_TAB = ActionSpec(
    "New &Tab…",
    "Open a book in a new tab: the Library, with this book chosen (Enter: this page again)",
    QKeySequence.StandardKey.AddTab,
    "tab-new",
)
CLOSE_TAB = ActionSpec(
    "Clos&e Tab",
    "Close this tab (the last one stays open)",
    "Ctrl+W",
    "tab-close",
    more_shortcuts=("Ctrl+F4",),
)
REOPEN_TAB = ActionSpec(
    "Reope&n Closed Tab",
    "Open the tab closed last again, at the place it showed",
    "Ctrl+Shift+T",
)
NEXT_TAB = ActionSpec("Ne&xt Tab", "Show the next tab", "Ctrl+Tab")
PREVIOUS_TAB = ActionSpec(
    "Previous T&ab",
    "Show the previous tab",
    "Ctrl+Shift+Tab",
    more_shortcuts=("Ctrl+Shift+Backtab",),  # what Shift+Tab is on X11 and Wayland
)

QUIT = ActionSpec(
    "&Quit",
    "Close handbook",
    QKeySequence.StandardKey.Quit,
    "application-exit",
    role=QAction.MenuRole.QuitRole,
)

PRINT = ActionSpec(
    "&Print Chapter…",
    "Print the chapter you are reading, with a preview",
    QKeySequence.StandardKey.Print,
    "document-print",
)
EXPORT_CHAPTER_PDF = ActionSpec(
    "Export &Chapter as PDF…",
    "Save the chapter you are reading as a PDF file",
    "Ctrl+Shift+E",
    "document-export",
)
EXPORT_BOOK_PDF = ActionSpec(
    "Export &Book as PDF…",
    "Save the whole book as one PDF file, with its contents as PDF bookmarks",
    "Ctrl+Alt+E",
)

# -- edit ------------------------------------------------------------------------------------
FIND = ActionSpec(
    "&Find in Page…",
    "Find text in the page you are reading",
    QKeySequence.StandardKey.Find,
    "edit-find",
)
FIND_NEXT = ActionSpec(
    "Find &Next", "Go to the next match in the page", QKeySequence.StandardKey.FindNext
)
FIND_PREVIOUS = ActionSpec(
    "Find Pre&vious",
    "Go to the previous match in the page",
    QKeySequence.StandardKey.FindPrevious,
)
SEARCH = ActionSpec(
    "&Search the Book…",
    "Search every chapter of the book (also / from the page)",
    "Ctrl+K",
    "system-search",
    icon_text="Search",
    more_shortcuts=("Ctrl+Shift+F",),
)
CLEAR_HIGHLIGHTS = ActionSpec(
    "C&lear Search Highlights",
    "Remove the search terms' highlights from the page (Esc on the page)",
)
COPY = ActionSpec(
    "&Copy", "Copy the selected text of the page", QKeySequence.StandardKey.Copy, "edit-copy"
)
SELECT_ALL = ActionSpec(
    "Select &All", "Select the whole page", QKeySequence.StandardKey.SelectAll, "edit-select-all"
)

# -- view ------------------------------------------------------------------------------------
SHOW_CONTENTS = ActionSpec(
    "&Contents",
    "Show or hide the table of contents",
    "F9",
    checkable=True,
)
SHOW_SEARCH = ActionSpec(
    "&Search Panel",
    "Show or hide the search panel",
    checkable=True,
)
ZOOM_IN = ActionSpec(
    "Zoom &In",
    "Make the page's text larger (also Ctrl+mouse wheel)",
    QKeySequence.StandardKey.ZoomIn,
    "zoom-in",
    more_shortcuts=("Ctrl+=",),
)
ZOOM_OUT = ActionSpec(
    "Zoom &Out",
    "Make the page's text smaller (also Ctrl+mouse wheel)",
    QKeySequence.StandardKey.ZoomOut,
    "zoom-out",
)
RESET_ZOOM = ActionSpec("&Reset Zoom", "Show the page at 100 %", "Ctrl+0", "zoom-original")
PAGE_FONT = ActionSpec("Page &Font…", "Choose the font of the page (remembered for this book)")
RESET_PAGE_FONT = ActionSpec("Reset Page Fo&nt", "Show the page in the default font again")
WIDE_PAGE = ActionSpec(
    "&Wide Page",
    "Let the page's text fill the window (else a centred column of about 80 characters)",
    checkable=True,
)
THEME_LIGHT = ActionSpec("&Light", "Light window and page", checkable=True)
THEME_DARK = ActionSpec("&Dark", "Dark window and page", checkable=True)
THEME_SYSTEM = ActionSpec(
    "Follow the &System", "Light or dark as the desktop is set", checkable=True
)
FOLLOW_DISK = ActionSpec(
    "Follow Changes on &Disk",
    "Show a chapter again when its file is saved; the contents and search follow the book",
    checkable=True,
)
NEXT_PANE = ActionSpec("Next &Pane", "Move the keyboard focus to the next pane", "F6")
PREVIOUS_PANE = ActionSpec(
    "Previous Pa&ne",
    "Move the keyboard focus to the previous pane",
    "Shift+F6",
)

# -- bookmarks -------------------------------------------------------------------------------
ADD_BOOKMARK = ActionSpec(
    "&Bookmark This Section",
    "Bookmark the section you are reading (shows it when it already is)",
    "Ctrl+D",
    "bookmark-new",
)
TOGGLE_BOOKMARK = ActionSpec(
    "Section &Bookmarked",
    "Bookmark the section you are reading, or remove its bookmark",
    checkable=True,
    icon_text="Bookmark",
)
SHOW_BOOKMARKS = ActionSpec(
    "Show Bookmark&s",
    "Show or hide the bookmarks of every book",
    "Ctrl+B",
    checkable=True,
)
IMPORT_BOOKMARKS = ActionSpec(
    "&Import Bookmarks…",
    "Add the bookmarks of an XBEL or JSON file (Qt Assistant, browsers, handbook)",
)
EXPORT_BOOKMARKS = ActionSpec(
    "&Export Bookmarks…",
    "Save every bookmark, with its notes and folders, as an XBEL or JSON file",
)

# -- help ------------------------------------------------------------------------------------
SHOW_SHORTCUTS = ActionSpec(
    "&Keyboard Shortcuts",
    "Every command and its keys (also ? from the page)",
    QKeySequence.StandardKey.HelpContents,
    "preferences-desktop-keyboard-shortcuts",
)
ABOUT = ActionSpec(
    "&About handbook",
    "The version of handbook and what it is",
    theme_icon="help-about",
    role=QAction.MenuRole.AboutRole,
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
    if spec.more_shortcuts:
        extra = [QKeySequence(keys) for keys in spec.more_shortcuts]
        action.setShortcuts([*action.shortcuts(), *extra])
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
        self.open_file = make_action(OPEN_FILE, parent)
        self.library = make_action(LIBRARY, parent)
        # tabs
        self.new_tab = make_action(NEW_TAB, parent)
        self.close_tab = make_action(CLOSE_TAB, parent)
        self.reopen_tab = make_action(REOPEN_TAB, parent)
        self.next_tab = make_action(NEXT_TAB, parent)
        self.previous_tab = make_action(PREVIOUS_TAB, parent)
        self.quit = make_action(QUIT, parent)
        self.print = make_action(PRINT, parent)
        self.export_chapter_pdf = make_action(EXPORT_CHAPTER_PDF, parent)
        self.export_book_pdf = make_action(EXPORT_BOOK_PDF, parent)
        # edit
        self.find = make_action(FIND, parent)
        self.find_next = make_action(FIND_NEXT, parent)
        self.find_previous = make_action(FIND_PREVIOUS, parent)
        self.search = make_action(SEARCH, parent)
        self.clear_highlights = make_action(CLEAR_HIGHLIGHTS, parent)
        self.copy = make_action(COPY, parent)
        self.select_all = make_action(SELECT_ALL, parent)
        # view
        self.show_contents = make_action(SHOW_CONTENTS, parent)
        self.show_search = make_action(SHOW_SEARCH, parent)
        self.zoom_in = make_action(ZOOM_IN, parent)
        self.zoom_out = make_action(ZOOM_OUT, parent)
        self.reset_zoom = make_action(RESET_ZOOM, parent)
        self.page_font = make_action(PAGE_FONT, parent)
        self.reset_page_font = make_action(RESET_PAGE_FONT, parent)
        self.wide_page = make_action(WIDE_PAGE, parent)
        self.theme_light = make_action(THEME_LIGHT, parent)
        self.theme_dark = make_action(THEME_DARK, parent)
        self.theme_system = make_action(THEME_SYSTEM, parent)
        self.theme_group = QActionGroup(parent)
        for theme_action in self.themes().values():
            self.theme_group.addAction(theme_action)
        self.follow_disk = make_action(FOLLOW_DISK, parent)
        self.next_pane = make_action(NEXT_PANE, parent)
        self.previous_pane = make_action(PREVIOUS_PANE, parent)
        # bookmarks
        self.add_bookmark = make_action(ADD_BOOKMARK, parent)
        self.toggle_bookmark = make_action(TOGGLE_BOOKMARK, parent)
        self.show_bookmarks = make_action(SHOW_BOOKMARKS, parent)
        self.import_bookmarks = make_action(IMPORT_BOOKMARKS, parent)
        self.export_bookmarks = make_action(EXPORT_BOOKMARKS, parent)
        # help
        self.show_shortcuts = make_action(SHOW_SHORTCUTS, parent)
        self.about = make_action(ABOUT, parent)

    def themes(self) -> dict[str, QAction]:
        """The theme actions by mode ("light", "dark", "system")."""
        return {"light": self.theme_light, "dark": self.theme_dark, "system": self.theme_system}

    def all(self) -> list[QAction]:
        return [value for value in vars(self).values() if isinstance(value, QAction)]
