"""The book follows its files: what a tab does when the watcher reports a change on disk (one
:class:`LiveHandlers` per tab's reader, watching once the tab is first shown).

In this order, so that the reader sees the page first: the chapter on screen is rendered again
and shown at the same text (its search highlights lit again; the find bar finds again by
itself), then, once that page is painted, the book is read again for the contents
tree (its open rows and selection kept), the bookmarks (re-anchored as when a book opens) and
the search index (the changed chapters only; the whole of it when the layout changed). Print
and PDF render from disk with the window's book, so they follow too.

What went away is said, never hidden: a chapter on screen deleted or made unreadable keeps its
last text under a bar saying so and where it was, until the reader moves on (or the file comes
back); a book folder that vanished says so once and offers to close the book (its tab).
The book read again is announced (``book_reloaded``): the window gives it to every tab on the
book, the contents tree and the search.

Tabs on one book each watch it (each follows its own page's included files and images), so a
change reaches each of them: each shows its page anew, but the book is read again once (a tab
whose peer has just read the same files again only follows the new book), and a book folder
gone is asked about once, its "Close the Book" closing every tab on it.

Slots only, and the notice bar; ``MainWindow._connect_signals`` connects them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSignalBlocker, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QWidget

from handbook.core.book.live import BookChanges, book_uses, chapter_extras, plan_for, status_text
from handbook.core.book.model import Book, RenderedChapter
from handbook.ui.app.settings import FOLLOW_DISK
from handbook.ui.live.watcher import BookWatcher

if TYPE_CHECKING:
    from handbook.ui.app.settings import Settings
    from handbook.ui.reader.tab import Reader

UPDATED_MS = 3000  # how long the status bar says "Updated from disk" (or what was deleted)
RELOAD_AFTER_MS = 50  # the book read again once the new page is painted, not before
FOLLOW_AFTER_MS = 1  # a page's included files and images followed once it is painted
PEER_READ_KEPT_S = 5.0  # a change a peer tab read the book again for, kept this long

ChangeKey = tuple[bool, frozenset[str], bool]  # what a book read again depends on


class DiskNotice(QFrame):
    """The bar above a page whose file went away: what happened, and where the file was."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("disk_notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setObjectName("disk_notice_text")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(self.label.textInteractionFlags())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        self.chapter: str | None = None  # the chapter the notice is about
        self.hide()

    def tell(self, chapter: str, text: str) -> None:
        self.chapter = chapter
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def withdraw(self) -> None:
        self.chapter = None
        self.label.clear()
        self.hide()


class LiveHandlers(QObject):
    book_reloaded = Signal(object, object)  # (Book read again, its chapters saved; None: all)
    close_requested = Signal()  # "Close the Book" on a book whose folder went away

    def __init__(
        self,
        reader: Reader,
        settings: Settings,
        follow_disk: QAction,
        peers: Callable[[], Iterable[LiveHandlers]] = tuple,
    ) -> None:
        """``follow_disk``: View > Follow Changes on Disk (checked: the book is followed);
        ``peers``: the other tabs' handlers on the same book."""
        super().__init__(reader)
        self._reader = reader
        self._peers = peers
        self._read_by_peer: dict[ChangeKey, float] = {}  # changes a peer read the book for
        self._settings = settings
        self._follow_disk = follow_disk
        self.watcher = BookWatcher(self)
        self.notice = DiskNotice(reader)
        reader.add_notice(self.notice)
        self._book_gone_told = False
        self._shown: RenderedChapter | None = None  # the page on screen
        self._follow_waits = False  # its files are followed once it is painted
        self.gone_box: QMessageBox | None = None

    # -- following on and off --------------------------------------------------------------

    def book_opened(self, book: Book) -> None:
        """Follow ``book``'s files (when the reader wants it), from the next turn of the event
        loop."""
        self._book_gone_told = False
        self._shown = None
        self.notice.withdraw()
        following = self._settings.get(FOLLOW_DISK)
        with QSignalBlocker(self._follow_disk):
            self._follow_disk.setChecked(following)
        self.watcher.stop()
        if following:  # once the first page is shown: start-up does not wait for it
            QTimer.singleShot(0, self, self._watch_open_book)

    def _watch_open_book(self) -> None:
        if self._follow_disk.isChecked() and not self.watcher.is_watching():
            book = self._reader.book()
            self.watcher.watch(plan_for(book).with_uses(book_uses(book)))
            if self._shown is not None:
                self._follow_page(self._shown)

    @Slot(bool)
    def set_following(self, follow: bool) -> None:
        """View > Follow Changes on Disk: remembered; turned on, the book is read again now."""
        reader = self._reader
        if follow == self.watcher.is_watching():
            return
        self._settings.set(FOLLOW_DISK, follow)
        if not follow:
            self.watcher.stop()
            return
        book = reader.book()
        self.watcher.watch(plan_for(book).with_uses(book_uses(book)))
        reader.page.forget(frozenset(node.path for node in book.chapters() if node.path))
        if reader.viewer.current_chapter() is not None:
            reader.refresh()
        self._reload_book(None)

    @Slot(object)
    def on_chapter_shown(self, rendered: RenderedChapter) -> None:
        """A page is on screen: follow its included files and images too; a notice about
        another chapter goes (the reader moved on)."""
        self._shown = rendered
        if self.notice.chapter is not None and self.notice.chapter != rendered.path:
            self.notice.withdraw()
        if self.watcher.is_watching() and not self._follow_waits:
            # after the page is painted: finding its included files and images is not what
            # the reader waits for (a timer, not a queued call: the paint is a posted event of
            # low priority, which queued calls go before, timers after)
            self._follow_waits = True
            QTimer.singleShot(FOLLOW_AFTER_MS, self, self._follow_shown)

    @Slot()
    def _follow_shown(self) -> None:
        self._follow_waits = False
        if self._shown is not None and self.watcher.is_watching():
            self._follow_page(self._shown)

    def _follow_page(self, rendered: RenderedChapter) -> None:
        book = self._reader.book()
        extras = chapter_extras(book, rendered.path, rendered.html)
        extras[book.src / rendered.path] = rendered.path  # watched first, past the budget
        self.watcher.set_extra(extras)

    # -- a change on disk ------------------------------------------------------------------

    @Slot(object)
    def on_disk_changed(self, changes: BookChanges) -> None:
        reader = self._reader
        if changes.book_gone:
            self._tell_book_gone()
            return
        reader.page.forget(changes.pages)
        shown = reader.viewer.current_chapter()
        if shown in changes.gone or shown in changes.unreadable:
            self._tell_chapter_gone(shown, unreadable=shown in changes.unreadable)
        elif shown is not None and shown in changes.pages:
            self.notice.withdraw()
            reader.refresh()
        QTimer.singleShot(RELOAD_AFTER_MS, self, lambda: self._reload_book(changes))
        reader.status.emit(status_text(changes), UPDATED_MS)

    def _reload_book(self, changes: BookChanges | None) -> None:
        """The book read again (contents, headings, problems), the window following it; once
        for the tabs on it (a peer that read the same files again already: only followed)."""
        from handbook.core.book.load import load_book, reload_chapters
        from handbook.core.book.model import BookError

        reader = self._reader
        old = reader.book()
        saved = None if changes is None or changes.layout else changes.chapters
        if changes is not None and self._read_by_a_peer(changes):
            self._follow_read_book(old, saved)
            return
        try:  # only the chapters saved, unless the layout changed: a big book stays quick
            if saved is None or old.format != "mdbook":  # others read headings their own way
                book = load_book(old.location())
            else:
                book = reload_chapters(old, saved)
        except BookError as exc:
            reader.status.emit(f"The book's contents could not be read again: {exc}", 0)
            return
        if changes is not None:
            for peer in self._peers():
                peer._read_by_peer[_key(changes)] = time.monotonic()
        self.book_reloaded.emit(book, saved)  # every tab on it follows, the tree, the search
        self._follow_read_book(book, saved)

    def _read_by_a_peer(self, changes: BookChanges) -> bool:
        """Whether a tab on the same book has just read it again for these changes."""
        now = time.monotonic()
        for key, when in list(self._read_by_peer.items()):
            if now - when > PEER_READ_KEPT_S:
                del self._read_by_peer[key]
        return self._read_by_peer.pop(_key(changes), None) is not None

    def _follow_read_book(self, book: Book, saved: frozenset[str] | None) -> None:
        """The watcher follows the book read again: its layout, what its chapters include."""
        reader = self._reader
        if saved is None and self.watcher.is_watching():
            plan = plan_for(book).with_uses(book_uses(book))
            self.watcher.watch(plan.with_extra(self.watcher.extra()))
            shown = reader.viewer.current_chapter()
            if shown is not None and book.chapter(shown) is None:
                self.notice.tell(
                    shown,
                    f"This chapter is no longer in the book's contents ({book.summary_path}); "
                    "its last text is shown until you move on.",
                )
        if saved and self.watcher.is_watching():  # what the saved chapters include now
            self.watcher.set_uses(book_uses(book, saved, self.watcher.uses()))

    # -- what went away --------------------------------------------------------------------

    def _tell_chapter_gone(self, chapter: str, *, unreadable: bool) -> None:
        where = self._reader.book().src / chapter
        what = "cannot be read any more" if unreadable else "is gone (deleted or moved)"
        self.notice.tell(
            chapter,
            f"This chapter's file {what}: {where}. Its last text is shown until you move on.",
        )

    def _tell_book_gone(self) -> None:
        if self._book_gone_told:
            return
        self._book_gone_told = True
        reader = self._reader
        root = reader.book().root
        text = (
            f"The folder of “{reader.book().title}” is gone: {root}\n"
            "It was deleted, moved or renamed. The page shown stays until you close the book."
        )
        self.notice.tell(reader.viewer.current_chapter() or "", text)
        reader.status.emit(f"The book's folder is gone: {root}", 0)
        if any(peer._book_gone_told for peer in self._peers()):
            return  # asked once for the tabs on the book
        box = QMessageBox(QMessageBox.Icon.Warning, "The book is gone", text, parent=reader)
        close = box.addButton("Close the Book", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep Reading", QMessageBox.ButtonRole.RejectRole)
        close.clicked.connect(self.close_requested)
        box.open()
        self.gone_box = box


def _key(changes: BookChanges) -> ChangeKey:
    return (changes.layout, changes.chapters, changes.listing)
