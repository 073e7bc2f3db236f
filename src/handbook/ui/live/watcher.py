"""The open book's files watched on disk: one ``changed`` signal once a burst of saves settles.

Qt's ``QFileSystemWatcher`` (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
Windows) was chosen over the ``watchdog`` package by measurement (the figures are in
docs/ARCHITECTURE.md): its events arrive on the Qt event loop with no thread of ours, nothing
runs while nothing changes, and it sees every way editors save. Watching only folders catches
a temporary file renamed over a chapter and delete + recreate, but not a write in place (Qt
does not ask inotify for changes inside a watched folder), so the book's files are watched
too, as long as that takes at most a quarter of the system's inotify watches
(:func:`file_budget`); past that, the layout files and the chapter on screen keep theirs and
the other chapters are followed through their folders (a save that replaces the file).

Whatever wakes the watcher up, :func:`handbook.core.book.live.changes_between` decides what changed
by comparing the files' stamps; nothing is reported until no event has come for ``settle_ms``
(an editor's save in steps, a ``git checkout`` of 500 files: one report), and a file that
vanished is given ``GONE_GRACE_MS`` more to come back (delete + recreate).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import sys
from collections.abc import Mapping
from pathlib import Path

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

from handbook.core.book.live import (
    BookChanges,
    Stamp,
    WatchPlan,
    changes_between,
    listing_changed,
    new_folders,
    stamps,
)

SETTLE_MS = 60  # no event for this long: the save is over
GONE_GRACE_MS = 250  # a file that vanished has this much longer to come back
DEFAULT_FILE_BUDGET = 4096  # where the system's limit cannot be read
INOTIFY_LIMIT = Path("/proc/sys/fs/inotify/max_user_watches")


@functools.cache
def file_budget() -> int:
    """How many files to watch one by one: a quarter of the user's inotify watches (shared by
    every program the user runs), so that the book never starves the rest of the system."""
    if not sys.platform.startswith("linux"):
        return DEFAULT_FILE_BUDGET
    try:
        return max(64, int(INOTIFY_LIMIT.read_text().strip()) // 4)
    except (OSError, ValueError):
        return DEFAULT_FILE_BUDGET


class BookWatcher(QObject):
    changed = Signal(object)  # BookChanges, once the files have settled

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        settle_ms: int = SETTLE_MS,
        budget: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._watcher: QFileSystemWatcher | None = None  # one inotify instance: only while used
        self._plan: WatchPlan | None = None
        self._known: dict[Path, Stamp] = {}
        self._dirty_files: set[Path] = set()
        self._dirty_folders: set[Path] = set()
        self._budget = file_budget() if budget is None else budget
        self._grace_given = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settle_ms)
        self._settle_ms = settle_ms
        self._timer.timeout.connect(self._on_settled)

    # -- what the window calls -------------------------------------------------------------

    def watch(self, plan: WatchPlan) -> None:
        """Follow the files of ``plan`` from now on (what was watched before is dropped)."""
        self.stop()
        self._plan = plan
        self._known = stamps(plan.files)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_file_changed)
        self._watcher.directoryChanged.connect(self._on_folder_changed)
        self._add_watches()

    def set_extra(self, extra: Mapping[Path, str]) -> None:
        """Follow these files too (the chapter on screen's included files and images)."""
        if self._plan is None or dict(self._plan.extra) == dict(extra):
            return
        dropped = self._plan.extra.keys() - extra.keys() - self._plan.files_of_book()
        self._plan = self._plan.with_extra(extra)
        if dropped and self._watcher is not None:
            self._watcher.removePaths([str(path) for path in dropped])
        for path in extra.keys() - self._known.keys():
            self._known.update(stamps([path]))
        self._add_watches()

    def set_uses(self, uses: Mapping[Path, frozenset[str]]) -> None:
        """Follow the files every chapter includes or shows (see ``core.live.book_uses``)."""
        plan = self._plan
        if plan is None or dict(plan.uses) == dict(uses):
            return
        dropped = plan.uses.keys() - uses.keys() - plan.files_of_book()
        self._plan = plan.with_uses(uses)
        if dropped and self._watcher is not None:
            watched = set(self._watcher.files())
            gone = [str(path) for path in dropped if str(path) in watched]
            if gone:
                self._watcher.removePaths(gone)
        for path in uses.keys() - self._known.keys():
            self._known.update(stamps([path]))
        self._add_watches()

    def uses(self) -> Mapping[Path, frozenset[str]]:
        return {} if self._plan is None else self._plan.uses

    def stop(self) -> None:
        """Watch nothing (the inotify instance is given back)."""
        self._timer.stop()
        self._plan = None
        self._known = {}
        self._dirty_files.clear()
        self._dirty_folders.clear()
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.fileChanged.disconnect(self._on_file_changed)
            watcher.directoryChanged.disconnect(self._on_folder_changed)
            watcher.setParent(None)
            shiboken6.delete(watcher)  # now, not at the next turn of the event loop

    def extra(self) -> Mapping[Path, str]:
        """The files followed besides the book's own (see :meth:`set_extra`)."""
        return {} if self._plan is None else self._plan.extra

    def is_watching(self) -> bool:
        return self._plan is not None

    def watched_counts(self) -> tuple[int, int]:
        """(files, folders) watched now."""
        if self._watcher is None:
            return 0, 0
        return len(self._watcher.files()), len(self._watcher.directories())

    # -- watches ---------------------------------------------------------------------------

    def _add_watches(self) -> None:
        """Watch the book's folders, and its files within the budget: the layout files and
        the chapter on screen (with what it includes and shows) first, then the others."""
        plan, watcher = self._plan, self._watcher
        if plan is None or watcher is None:
            return
        folders = {str(p) for p in plan.folders if p.is_dir()} - set(watcher.directories())
        ordered = dict.fromkeys(
            [*sorted(plan.layout), *sorted(plan.extra), *plan.chapters, *sorted(plan.uses)]
        )
        present = (str(path) for path in ordered if self._known.get(path) is not None)
        wanted = list(itertools.islice(present, max(self._budget, 0)))
        watched = set(watcher.files())
        surplus = watched - set(wanted)  # past the budget now: make room for the page's files
        if surplus:
            watcher.removePaths(sorted(surplus))
        added = [*sorted(folders), *(name for name in wanted if name not in watched)]
        if added:
            watcher.addPaths(added)  # one that fails stays followed through its folder

    def _watch_new_folders(self, plan: WatchPlan, folders: set[Path]) -> None:
        """A new subfolder of a plain folder or MkDocs site: watched at once, so that a page
        written in it later is seen (an empty one is not in the book's plan)."""
        added = new_folders(plan, folders)
        if added and self._watcher is not None:
            fresh = {str(p) for p in added} - set(self._watcher.directories())
            if fresh:
                self._watcher.addPaths(sorted(fresh))

    def _rewatch(self, paths: set[Path]) -> None:
        """Watch these files again: one replaced (a new inode) or recreated is not the file
        the old watch is on."""
        if self._watcher is None:
            return
        watched = set(self._watcher.files())
        stale = [str(p) for p in paths if str(p) in watched]
        if stale:
            self._watcher.removePaths(stale)
        self._add_watches()

    # -- events ----------------------------------------------------------------------------

    @Slot(str)
    def _on_file_changed(self, path: str) -> None:
        self._dirty_files.add(Path(path))
        self._restart()

    @Slot(str)
    def _on_folder_changed(self, path: str) -> None:
        self._dirty_folders.add(Path(path))
        self._restart()

    def _restart(self) -> None:
        self._grace_given = False
        self._timer.start(self._settle_ms)

    @Slot()
    def _on_settled(self) -> None:
        plan = self._plan
        if plan is None:
            return
        folders = self._dirty_folders - {plan.root.parent}  # that one: for the book folder
        paths = set(self._dirty_files) | {
            p for p in plan.files if not folders.isdisjoint(p.parents)
        }
        now = stamps(paths)
        changes = changes_between(plan, self._known, now)
        if not changes.layout and listing_changed(plan, folders):
            changes = dataclasses.replace(changes, layout=True, listing=True)  # a page came/went
        self._watch_new_folders(plan, folders)
        if changes.gone and not self._grace_given and not changes.book_gone:
            self._grace_given = True  # delete + recreate: the new file may be on its way
            self._timer.start(GONE_GRACE_MS)
            return
        self._dirty_files.clear()
        self._dirty_folders.clear()
        replaced = {p for p, value in now.items() if _inode(value) != _inode(self._known.get(p))}
        self._known.update(now)
        if changes.book_gone:
            self.stop()
        else:
            self._rewatch(replaced | {p for p in paths if p in plan.folders})
        if changes:
            self.changed.emit(changes)


def _inode(value: Stamp) -> int | None:
    return None if value is None else value[0]


__all__ = ["BookChanges", "BookWatcher", "file_budget"]
