"""The one door to the bookmark store for the whole window.

The star button asks :meth:`BookmarkController.is_bookmarked`, Ctrl+D calls
:meth:`BookmarkController.add_bookmark`, the panel edits through the rest. The controller keeps
the bookmarks in memory, equal to the store: every change is saved first and shown after, and
is one undo step. A change the store refuses (disk full, locked too long) is reported through
:attr:`BookmarkController.error` and everything is read again from the database, so that what
the window shows is what is on disk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from handbook.core.book.model import Book
from handbook.core.bookmarks.model import AnchorChange, Bookmark, Folder, Placements, Snapshot
from handbook.core.bookmarks.reanchor import draft_for, open_target, reanchor
from handbook.core.bookmarks.store import BookmarkStore
from handbook.core.reading.place import Place
from handbook.core.storage.sqlite import StorageError
from handbook.ui.bookmarks.rows import BOOKMARK, FOLDER, MoveRequest, RowKey


class _Step(QUndoCommand):
    """An undo step for a change already made: the first redo() (from push) does nothing."""

    def __init__(
        self,
        controller: BookmarkController,
        text: str,
        redo: Callable[[], None],
        undo: Callable[[], None],
    ) -> None:
        super().__init__(text)
        self._controller = controller
        self._redo = redo
        self._undo = undo
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if not self._controller.attempt(self._redo):
            self.setObsolete(True)  # the store refused: drop the step, the error is shown

    def undo(self) -> None:
        if not self._controller.attempt(self._undo):
            self.setObsolete(True)


class BookmarkController(QObject):
    """Bookmarks in memory, kept equal to the store; every change goes through here."""

    reset = Signal()  # anything may have changed: rebuild from bookmarks() and folders()
    bookmark_added = Signal(object)  # Bookmark
    bookmark_changed = Signal(object)  # Bookmark: renamed, or its note changed
    bookmarks_removed = Signal(object)  # list of ids
    changed = Signal()  # after any change, however small (the star button listens)
    error = Signal(str)  # a change was refused: the message for the user
    notice = Signal(str)  # the file was deleted or replaced under the store: what was done
    removed = Signal(str)  # "Bookmark deleted": an undo bar is worth showing

    def __init__(self, store: BookmarkStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self._book: Book | None = None
        self._bookmarks: dict[int, Bookmark] = {}
        self._folders: dict[int, Folder] = {}
        self._sections: Counter[tuple[str, str]] = Counter()
        self.load_error: str | None = None  # why the bookmarks could not be read at start
        try:
            self._load()
        except StorageError as exc:
            self.load_error = str(exc)

    # -- state ------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self.store.enabled

    @property
    def disabled_reason(self) -> str | None:
        return self.store.disabled_reason

    @property
    def current_book(self) -> Book | None:
        return self._book

    def bookmarks(self) -> list[Bookmark]:
        return list(self._bookmarks.values())

    def folders(self) -> list[Folder]:
        return list(self._folders.values())

    def bookmark(self, bookmark_id: int) -> Bookmark | None:
        return self._bookmarks.get(bookmark_id)

    def folder(self, folder_id: int) -> Folder | None:
        return self._folders.get(folder_id)

    def books(self) -> list[tuple[str, str]]:
        """``(identity, title)`` of every book with bookmarks or folders, the open one first."""
        titles: dict[str, str] = {}
        for bookmark in self._bookmarks.values():
            titles.setdefault(bookmark.book_identity, bookmark.book_title or "Untitled book")
        for folder in self._folders.values():
            titles.setdefault(folder.book_identity, "Untitled book")
        current = self._book.identity if self._book else None
        if self._book is not None and current in titles:
            titles[self._book.identity] = self._book.title
        return sorted(titles.items(), key=lambda item: (item[0] != current, item[1].casefold()))

    def is_bookmarked(self, book_identity: str, section_id: str) -> bool:
        return self._sections[(book_identity, section_id)] > 0

    def bookmarks_at(self, book_identity: str, section_id: str) -> list[Bookmark]:
        return [
            b
            for b in self._bookmarks.values()
            if b.book_identity == book_identity and b.section_id == section_id
        ]

    # -- the window's calls -----------------------------------------------------------------

    def set_book(self, book: Book) -> list[AnchorChange]:
        """The window opened ``book``: it is listed first, its bookmarks re-anchored."""
        self._book = book
        changes = reanchor(self.bookmarks(), book)
        if changes and self.enabled:
            self.attempt(lambda: self.store.apply(changes))
            self.reload()
        else:
            self.reset.emit()  # the same bookmarks, another book first
        return changes

    def add_bookmark(
        self, book: Book, section_id: str, heading_text: str = "", place: Place | None = None
    ) -> Bookmark | None:
        """Bookmark a section (at ``place`` in it, if given); None when bookmarking is off or
        the store refused (shown)."""
        draft = draft_for(book, section_id, heading_text, place)
        added: list[Bookmark] = []
        if not self.attempt(lambda: added.append(self.store.add(draft)), reload=False):
            return None
        bookmark = added[0]
        self._remember(bookmark)
        self.bookmark_added.emit(bookmark)
        self.changed.emit()
        kept = Snapshot((), (bookmark,))
        self.undo_stack.push(
            _Step(
                self,
                f"Add bookmark “{bookmark.title}”",
                self._and_reload(lambda: self.store.restore(kept)),
                self._and_reload(lambda: self.store.remove([bookmark.id])),
            )
        )
        return bookmark

    def remove(self, bookmark_ids: Sequence[int]) -> bool:
        """Delete bookmarks (undoable); False if the store refused (the error is shown)."""
        ids = [i for i in bookmark_ids if i in self._bookmarks]
        if not ids:
            return False
        removed: list[Snapshot] = []
        if not self.attempt(lambda: removed.append(self.store.remove(ids))):
            return False
        for bookmark_id in ids:
            self._forget(bookmark_id)
        self.bookmarks_removed.emit(ids)
        self.changed.emit()
        text = (
            f"Bookmark “{removed[0].bookmarks[0].title}” deleted"
            if len(ids) == 1
            else f"{len(ids)} bookmarks deleted"
        )
        snapshot = removed[0]
        self.undo_stack.push(
            _Step(
                self,
                text,
                self._and_reload(lambda: self.store.remove(ids)),
                self._and_reload(lambda: self.store.restore(snapshot)),
            )
        )
        self.removed.emit(text)
        return True

    def toggle_bookmark(
        self, book: Book, section_id: str, heading_text: str = "", place: Place | None = None
    ) -> bool:
        """The star button: remove the section's bookmarks, or add one. True if now bookmarked."""
        existing = [b.id for b in self.bookmarks_at(book.identity, section_id)]
        if existing:
            self.remove(existing)
        else:
            self.add_bookmark(book, section_id, heading_text, place)
        return self.is_bookmarked(book.identity, section_id)

    def open_target(self, bookmark_id: int, book: Book) -> Place | None:
        """Where to open a bookmark in ``book`` (after :meth:`set_book` re-anchored it)."""
        bookmark = self._bookmarks.get(bookmark_id)
        if bookmark is None:
            return None
        return open_target(bookmark, book)

    # -- the panel's calls ------------------------------------------------------------------

    def rename(self, key: RowKey, name: str) -> None:
        if key.kind == BOOKMARK:
            old = self._bookmarks.get(key.id)
            if old is not None and name != old.title:
                self._update(old, f"Rename bookmark “{old.title}”", title=(old.title, name))
        elif key.kind == FOLDER:
            folder = self._folders.get(key.id)
            if folder is not None and name != folder.name:
                previous = folder.name
                self._change(
                    f"Rename folder “{previous}”",
                    lambda: self.store.rename_folder(folder.id, name),
                    lambda: self.store.rename_folder(folder.id, previous),
                )

    def set_note(self, bookmark_id: int, note: str) -> None:
        old = self._bookmarks.get(bookmark_id)
        if old is not None and note != old.note:
            self._update(old, f"Edit note of “{old.title}”", note=(old.note, note))

    def create_folder(self, book_identity: str, name: str, parent_id: int | None = None) -> None:
        made: list[Folder] = []
        if not self.attempt(
            lambda: made.append(self.store.create_folder(book_identity, name, parent_id))
        ):
            return
        folder = made[0]
        kept = Snapshot((folder,), ())
        self.undo_stack.push(
            _Step(
                self,
                f"New folder “{name}”",
                self._and_reload(lambda: self.store.restore(kept)),
                self._and_reload(lambda: self.store.remove_folder(folder.id)),
            )
        )
        self.reload()

    def remove_folder(self, folder_id: int) -> None:
        folder = self._folders.get(folder_id)
        if folder is None:
            return
        removed: list[Snapshot] = []
        if not self.attempt(lambda: removed.append(self.store.remove_folder(folder_id))):
            return
        snapshot = removed[0]
        count = len(snapshot.bookmarks)
        text = f"Folder “{folder.name}” deleted" + (
            f" with {count} bookmark{'s' if count != 1 else ''}" if count else ""
        )
        self.undo_stack.push(
            _Step(
                self,
                text,
                self._and_reload(lambda: self.store.remove_folder(folder_id)),
                self._and_reload(lambda: self.store.restore(snapshot)),
            )
        )
        self.reload()
        self.removed.emit(text)

    def move(self, request: MoveRequest) -> None:
        """Move dragged rows, or rows sent with "Move to folder…" (undoable)."""
        if not request.rows:
            return
        before: list[Placements] = []

        def apply() -> None:
            before.append(self.store.placements(request.book))
            if request.rows[0].kind == BOOKMARK:
                ids = [k.id for k in request.rows]
                self.store.move_bookmarks(ids, request.folder_id, request.row)
            else:
                for offset, key in enumerate(request.rows):
                    row = request.row + offset if request.row >= 0 else -1
                    self.store.move_folder(key.id, request.folder_id, row)

        if not self.attempt(apply):
            return
        old = before[0]
        after = self.store.placements(request.book)
        self.undo_stack.push(
            _Step(
                self,
                "Move bookmarks" if request.rows[0].kind == BOOKMARK else "Move folder",
                self._and_reload(lambda: self.store.set_placements(after)),
                self._and_reload(lambda: self.store.set_placements(old)),
            )
        )
        self.reload()

    # -- export and import ------------------------------------------------------------------

    def export_file(self, path: Path) -> str | None:
        """Every bookmark to ``path`` (.xbel or .json): what to tell the reader, or None after
        an error (already reported through :attr:`error`)."""
        from handbook.core.bookmarks import (
            exchange as bookmark_io,  # only when asked: defusedxml and friends
        )

        try:
            snapshot = self.store.snapshot()
            bookmark_io.write_file(path, snapshot)
        except (OSError, ValueError, StorageError) as exc:
            self.error.emit(f"Cannot export bookmarks to {path}: {exc}")
            return None
        return bookmark_io.describe_export(len(snapshot.bookmarks), path)

    def import_file(self, path: Path) -> str | None:
        """Merge the bookmarks of ``path`` without duplicates; a bad file changes nothing."""
        from handbook.core.bookmarks import exchange as bookmark_io

        try:
            snapshot = bookmark_io.read_file(path)
        except (OSError, ValueError) as exc:  # ImportFormatError is a ValueError
            self.error.emit(f"Cannot import {path.name}: {exc}; nothing was changed")
            return None
        merged = []
        if not self.attempt(lambda: merged.append(self.store.merge(snapshot))):
            return None
        self.reload()
        r = merged[0]
        return bookmark_io.describe_import(r.added, r.skipped, r.folders_added, path)

    # -- keeping memory and disk equal ------------------------------------------------------

    def attempt(self, change: Callable[[], object], *, reload: bool = True) -> bool:
        """Run a store change; on an environment error show it and reload from the database."""
        ok = False
        try:
            change()
            ok = True
        except StorageError as exc:
            self.error.emit(str(exc))
            reload = reload or bool(self.store.disabled_reason)
        except (KeyError, ValueError) as exc:  # a row changed under us (another instance)
            self.error.emit(f"That change could not be made: {exc}")
            reload = True
        notices = self.store.take_notices()  # the file was deleted or replaced under us
        if notices:
            self.notice.emit(" ".join(notices))
            reload = True  # a file merged into gives other ids
        if reload and (notices or not ok):
            self.reload()
        return ok

    def reload(self) -> None:
        """Read everything again from the database and rebuild the views."""
        try:
            self._load()
        except StorageError as exc:
            self._bookmarks, self._folders, self._sections = {}, {}, Counter()
            self.error.emit(str(exc))
        self.reset.emit()
        self.changed.emit()

    def _load(self) -> None:
        bookmarks = self.store.bookmarks()
        folders = self.store.folders()
        self._bookmarks = {b.id: b for b in bookmarks}
        self._folders = {f.id: f for f in folders}
        self._sections = Counter((b.book_identity, b.section_id) for b in bookmarks)

    def _and_reload(self, change: Callable[[], object]) -> Callable[[], None]:
        """``change``, then everything read again: how an undo or redo step runs."""

        def run() -> None:
            change()
            self.reload()

        return run

    def _remember(self, bookmark: Bookmark) -> None:
        if bookmark.id in self._bookmarks:  # already read back (after a reload)
            self._forget(bookmark.id)
        self._bookmarks[bookmark.id] = bookmark
        self._sections[(bookmark.book_identity, bookmark.section_id)] += 1

    def _forget(self, bookmark_id: int) -> None:
        bookmark = self._bookmarks.pop(bookmark_id, None)
        if bookmark is not None:
            self._sections[(bookmark.book_identity, bookmark.section_id)] -= 1

    def _update(
        self,
        old: Bookmark,
        text: str,
        title: tuple[str, str] | None = None,
        note: tuple[str, str] | None = None,
    ) -> None:
        def set_to(which: int) -> Callable[[], None]:
            def apply() -> None:
                saved = self.store.update(
                    old.id,
                    title=title[which] if title else None,
                    note=note[which] if note else None,
                )
                self._bookmarks[saved.id] = saved
                self.bookmark_changed.emit(saved)
                self.changed.emit()

            return apply

        if self.attempt(set_to(1)):
            self.undo_stack.push(_Step(self, text, set_to(1), set_to(0)))

    def _change(self, text: str, redo: Callable[[], object], undo: Callable[[], object]) -> None:
        if self.attempt(redo):
            self.undo_stack.push(_Step(self, text, self._and_reload(redo), self._and_reload(undo)))
            self.reload()
