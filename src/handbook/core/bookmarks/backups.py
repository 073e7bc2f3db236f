"""Files written so that a crash leaves the old or the new version, never a broken one.

:func:`atomic_write` writes a temp file in the same folder, flushes and fsyncs it, renames it over
the target and fsyncs the folder (Chromium's ImportantFileWriter, Qt's QSaveFile). A process
killed mid-write leaves a ``.*.tmp`` file behind: :func:`remove_orphan_temp_files` deletes those
at start. :class:`Backups` keeps one file a day, skipped when the content did not change, and never
lets a backup with fewer bookmarks replace one with more.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from handbook.core.storage.safefile import SpecialFile, TooLarge, read_regular

TEMP_SUFFIX = ".tmp"
DEFAULT_KEEP = 15  # as Firefox
MAX_BACKUP_BYTES = 512 * 1024 * 1024  # a backup is read whole


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one step; raises OSError (e.g. ENOSPC) and leaves the old."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not possible, nor needed, on Windows)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_orphan_temp_files(
    folder: Path, prefix: str = ".", older_than: float = 60.0
) -> list[Path]:
    """Delete temp files that a killed :func:`atomic_write` left in ``folder`` (and the
    journals SQLite kept beside a temp database, ``*.tmp-journal``, ``*.tmp-wal``,
    ``*.tmp-shm``). Only files older than ``older_than`` seconds go: another process's write
    in progress (a backup, a bookmark file being restored) is left alone."""
    removed = []
    now = time.time()
    with contextlib.suppress(OSError):
        for pattern in (
            f"*{TEMP_SUFFIX}",
            *(f"*{TEMP_SUFFIX}-{s}" for s in ("journal", "wal", "shm")),
        ):
            for temp in folder.glob(glob.escape(prefix) + pattern):
                with contextlib.suppress(OSError):
                    if now - temp.stat().st_mtime > older_than:
                        temp.unlink()
                        removed.append(temp)
    return removed


class Backups:
    """Backups in ``folder``, named ``<prefix>-<YYYY-MM-DD>-<version>-n<count>.json``.

    ``version`` names the state of the data (for the bookmarks: the database's id and revision),
    so that an unchanged state is recognised without reading or exporting anything; ``count``
    is how many bookmarks it holds. A new file is written only when the version differs from
    the newest backup's. A later change on the same day replaces that day's file, unless the
    new one holds fewer bookmarks: then both generations are kept (so an emptied or lost store
    never wipes a good backup). The newest ``keep`` files are kept, and always the newest one
    that holds anything (Firefox keeps 15 a day apart).
    """

    def __init__(self, folder: Path, prefix: str = "bookmarks", keep: int = DEFAULT_KEEP) -> None:
        self.folder = folder
        self.prefix = prefix
        self.keep = keep
        self._name = re.compile(
            rf"^{re.escape(prefix)}-(\d{{4}}-\d{{2}}-\d{{2}})-([0-9a-z]+)(?:-n(\d+))?\.json$"
        )

    def files(self) -> list[Path]:
        """Backups, newest first."""
        try:
            found = [p for p in self.folder.iterdir() if self._name.match(p.name)]
        except OSError:
            return []
        return sorted(found, key=lambda p: (self.day_of(p), _mtime(p)), reverse=True)

    def day_of(self, path: Path) -> str:
        return self._parts(path)[0]

    def count_of(self, path: Path) -> int:
        """How many bookmarks the backup holds (older files, without it in their name, are
        read); 0 when it cannot be told."""
        match = self._name.match(path.name)
        if match is None:
            return 0
        if match.group(3) is not None:
            return int(match.group(3))
        try:
            document = json.loads(read_regular(path, MAX_BACKUP_BYTES))
            return len(document.get("bookmarks", ())) + len(document.get("folders", ()))
        except (OSError, ValueError, SpecialFile, TooLarge, AttributeError, TypeError):
            return 0

    def _parts(self, path: Path) -> tuple[str, str]:
        match = self._name.match(path.name)
        return (match.group(1), match.group(2)) if match else ("", "")

    def write_if_changed(
        self, day: str, version: str, payload: Callable[[], bytes], count: int = 0
    ) -> Path | None:
        """Write ``payload()`` (holding ``count`` bookmarks) as the backup of ``day`` unless the
        newest one has ``version``."""
        if not re.fullmatch(r"[0-9a-z]+", version):
            raise ValueError(f"a backup version is made of 0-9 and a-z, not {version!r}")
        existing = self.files()
        if existing and self._parts(existing[0])[1] == version:
            return None
        data = payload()
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{self.prefix}-{day}-{version}-n{count}.json"
        atomic_write(target, data)
        for old in existing:
            if self.day_of(old) == day and old != target and self.count_of(old) <= count:
                with contextlib.suppress(OSError):
                    old.unlink()
        files = self.files()
        holding = next((p for p in files if self.count_of(p) > 0), None)
        for old in files[self.keep :]:
            if old != holding:
                with contextlib.suppress(OSError):
                    old.unlink()
        return target

    def remove_orphans(self) -> list[Path]:
        return remove_orphan_temp_files(self.folder)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
