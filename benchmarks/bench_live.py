"""The book follows its files: save to page updated, index update, idle CPU, watcher choice.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=src .venv/bin/python benchmarks/bench_live.py [BOOK]
        [--saves N] [--idle SECONDS]

Prints one table; asserts nothing. Works on a copy of the book in a temporary folder. Measures,
in one run:

- save to page updated: the book's largest chapter on screen, scrolled to its middle; each save
  (a line added, the file written whole) until the page holds the new line, is at the same
  text and has been painted (p50 / p95 over ``--saves``); baseline: the same chapter rendered
  and shown anew by opening it (its page not cached), p50 / p95 over as many runs;
- the search index updated for that one chapter (``IndexCache.update``: split, replace its rows,
  checksum, cache file saved) against the whole index built and saved again;
- CPU used by the process while idle with the book open and followed, over ``--idle`` seconds,
  against the same window with View > Follow Changes on Disk off;
- the watcher's choice: for QFileSystemWatcher on folders only, QFileSystemWatcher on folders
  and files, and watchdog on folders (when installed: it is not a dependency), which ways of
  saving are seen, the median delay to the event, the inotify instances and watches and the
  threads each uses.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6
from PySide6.QtCore import QEvent, QEventLoop, QFileSystemWatcher, QObject, QPoint, QTimer, Signal
from PySide6.QtWidgets import QApplication

from handbook.core.book.load import load_book
from handbook.core.search.index import IndexCache
from handbook.ui.window.main_window import MainWindow

DEFAULT_BOOK = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "rust-book"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def spin(app: QApplication, until: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if until():
            return True
        time.sleep(0.0005)
    return False


def idle(seconds: float) -> float:
    """CPU seconds this process used over ``seconds`` of an event loop with nothing to do."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    start = time.process_time()
    loop.exec()
    return time.process_time() - start


class PaintSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted += 1
        return False


def top_text(window: MainWindow) -> str:
    return window.viewer.cursorForPosition(QPoint(0, 0)).block().text()


def save_to_page(app: QApplication, window: MainWindow, path: Path, saves: int) -> list[float]:
    spy = PaintSpy()
    window.viewer.viewport().installEventFilter(spy)
    text = path.read_text(encoding="utf-8")
    times: list[float] = []
    for n in range(saves):
        reading = top_text(window)
        marker = f"Saved line number {n} for the benchmark."
        text = text + f"\n{marker}\n"
        before = spy.painted
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        saved = time.perf_counter()
        seen = spin(
            app,
            lambda m=marker, b=before: (
                m in window.viewer.document().toPlainText() and spy.painted > b
            ),
        )
        if seen:
            times.append(time.perf_counter() - saved)
        if top_text(window) != reading:
            print(f"  (save {n}: the top of the page moved: {reading!r} -> {top_text(window)!r})")
        spin(app, lambda: False, 0.15)  # the tree and index follow; then the next save
    return times


def reopen_chapter(app: QApplication, window: MainWindow, chapter: str, runs: int) -> list[float]:
    other = next(n.path for n in window.book().chapters() if n.path and n.path != chapter)
    times: list[float] = []
    for _ in range(runs):
        window.open_section(other)
        window.page.forget(frozenset({chapter}))
        spin(app, lambda: False, 0.02)
        start = time.perf_counter()
        window.open_section(chapter)
        window.viewer.viewport().repaint()
        times.append(time.perf_counter() - start)
    return times


def index_update(book_root: Path, chapter: str, runs: int) -> tuple[list[float], list[float]]:
    cache_dir = Path(tempfile.mkdtemp())
    book = load_book(book_root)
    full: list[float] = []
    for _ in range(runs):
        shutil.rmtree(cache_dir / "search", ignore_errors=True)
        start = time.perf_counter()
        index = IndexCache(cache_dir).open(book)
        full.append(time.perf_counter() - start)
        index.close()
    index = IndexCache(cache_dir).open(book)
    path = book.src / chapter
    text = path.read_text(encoding="utf-8")
    incremental: list[float] = []
    for n in range(runs):
        path.write_text(text + f"\nIndexed line {n}.\n", encoding="utf-8")
        start = time.perf_counter()
        IndexCache(cache_dir).update(index, book, [chapter])
        incremental.append(time.perf_counter() - start)
    index.close()
    shutil.rmtree(cache_dir)
    return incremental, full


# -- the watcher's choice --------------------------------------------------------------------------


def inotify_use() -> tuple[int, int]:
    instances = watches = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
                watches += sum(1 for line in info if line.startswith("inotify wd:"))
            instances += 1
        except OSError:
            continue
    return instances, watches


def save_patterns(path: Path) -> dict[str, Callable[[], None]]:
    def in_place() -> None:
        with open(path, "a", encoding="utf-8") as file:
            file.write("\nappended\n")

    def truncate_write() -> None:
        path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")

    def rename_over() -> None:
        temp = path.with_name(path.name + ".tmp~")
        temp.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        os.replace(temp, path)

    def delete_recreate() -> None:
        text = path.read_text(encoding="utf-8")
        path.unlink()
        path.write_text(text, encoding="utf-8")

    return {
        "in place": in_place,
        "truncate+write": truncate_write,
        "temp+rename": rename_over,
        "delete+recreate": delete_recreate,
    }


class Relay(QObject):
    seen = Signal(float)


def compare_watcher(
    app: QApplication, kind: str, root: Path, target: Path, files: bool
) -> list[str] | None:
    src = target.parent
    relay = Relay()
    seen: list[float] = []
    relay.seen.connect(seen.append)
    threads = threading.active_count()
    stop: Callable[[], None]
    if kind == "watchdog":
        try:
            from watchdog.events import FileSystemEvent, FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return None

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                names = {event.src_path, getattr(event, "dest_path", "")}
                if event.event_type not in ("opened", "closed_no_write") and str(target) in names:
                    relay.seen.emit(time.perf_counter())

        observer = Observer()
        for folder in (root, src):
            observer.schedule(Handler(), str(folder), recursive=False)
        observer.start()

        def stop() -> None:
            observer.stop()
            observer.join()
    else:
        watcher = QFileSystemWatcher([str(root), str(src)])
        if files:
            watcher.addPaths([str(p) for p in src.glob("*.md")])

        def on_event(name: str) -> None:
            if name in (str(target), str(src)):
                relay.seen.emit(time.perf_counter())
            if files and name == str(target) and str(target) not in watcher.files():
                watcher.addPath(str(target))  # replaced: watch the new file

        watcher.fileChanged.connect(on_event)
        watcher.directoryChanged.connect(on_event)

        def stop() -> None:
            watcher.removePaths(watcher.files() + watcher.directories())
            shiboken6.delete(watcher)  # its inotify instance closed now

    spin(app, lambda: False, 0.2)
    instances, watches = inotify_use()
    extra_threads = threading.active_count() - threads
    cells: list[str] = []
    for save in save_patterns(target).values():
        delays: list[float] = []
        for _ in range(10):
            if files and kind != "watchdog" and str(target) not in watcher.files():
                watcher.addPath(str(target))
            spin(app, lambda: False, 0.03)
            seen.clear()
            start = time.perf_counter()
            save()
            if spin(app, lambda: bool(seen), 1.0):
                delays.append(seen[0] - start)
        median = f" {statistics.median(delays) * 1000:.1f} ms" if delays else ""
        cells.append(f"{len(delays)}/10{median}")
    stop()
    cells.append(f"{instances} / {watches} / {extra_threads}")
    return cells


def big_book(app: QApplication, folder: Path, chapters: int = 5000) -> str:
    """A generated book of ``chapters`` files in 50 folders: what is watched, and how long
    starting to watch it takes."""
    from handbook.core.book.live import plan_for
    from handbook.ui.live.watcher import BookWatcher, file_budget

    src = folder / "src"
    lines = ["# Summary", ""]
    for i in range(chapters):
        path = src / f"part{i % 50}" / f"c{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Chapter {i}\n\nText {i}.\n", encoding="utf-8")
        lines.append(f"- [C{i}](part{i % 50}/c{i}.md)")
    (src / "SUMMARY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = load_book(folder)
    watcher = BookWatcher()
    start = time.perf_counter()
    watcher.watch(plan_for(book))
    took = time.perf_counter() - start
    files, folders = watcher.watched_counts()
    _, watches = inotify_use()
    watcher.stop()
    return (
        f"{chapters}-chapter book: {files} files + {folders} folders watched "
        f"(budget {file_budget()} files: a quarter of max_user_watches), "
        f"{watches} inotify watches in the process, started in {took * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("book", nargs="?", type=Path, default=DEFAULT_BOOK)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--idle", type=float, default=60.0)
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):  # not the user's own
        os.environ[name] = str(temp / name.lower())
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    root = temp / "book"
    shutil.copytree(args.book, root, symlinks=True)
    try:
        run(app, root, args.saves, args.idle)
        print()
        print(big_book(app, temp / "big"))
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def run(app: QApplication, root: Path, saves: int, idle_seconds: float) -> None:
    book = load_book(root)
    chapter = max(
        (n.path for n in book.chapters() if n.path), key=lambda p: (book.src / p).stat().st_size
    )
    size = (book.src / chapter).stat().st_size
    window = MainWindow(book)
    window.resize(1000, 750)
    window.show()
    spin(app, lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
    window.open_section(chapter)
    spin(app, window.live.watcher.is_watching)
    bar = window.viewer.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    spin(app, lambda: False, 0.3)
    files, folders = window.live.watcher.watched_counts()

    baseline = reopen_chapter(app, window, chapter, saves)
    bar.setValue(bar.maximum() // 2)
    spin(app, lambda: False, 0.3)
    followed = save_to_page(app, window, book.src / chapter, saves)
    incremental, full = index_update(root, chapter, 10)
    spin(app, lambda: False, 1.0)
    idle_followed = idle(idle_seconds)
    window.action_set.follow_disk.setChecked(False)
    spin(app, lambda: False, 1.0)
    idle_off = idle(idle_seconds)
    window.close()

    ms = 1000.0
    print(
        f"book: {root.name} copy, {len(book.chapters())} chapters; watched: {files} files, "
        f"{folders} folders"
    )
    print(f"largest chapter: {chapter} ({size // 1024} KB)")
    print()
    print(f"{'measure':62} {'p50':>9} {'p95':>9}")
    print(
        f"{'save -> page updated, same text at top, painted (' + str(len(followed)) + ')':62} "
        f"{statistics.median(followed) * ms:7.0f} ms {percentile(followed, 0.95) * ms:6.0f} ms"
    )
    print(
        f"{'  baseline: the chapter opened anew, rendered + shown':62} "
        f"{statistics.median(baseline) * ms:7.0f} ms {percentile(baseline, 0.95) * ms:6.0f} ms"
    )
    print(
        f"{'index: that chapter updated, cache saved (10; worker thread)':62} "
        f"{statistics.median(incremental) * ms:7.0f} ms "
        f"{percentile(incremental, 0.95) * ms:6.0f} ms"
    )
    print(
        f"{'  baseline: the whole index built and saved (10)':62} "
        f"{statistics.median(full) * ms:7.0f} ms {percentile(full, 0.95) * ms:6.0f} ms"
    )
    print(
        f"{f'idle CPU over {idle_seconds:.0f} s, book open and followed':62} "
        f"{idle_followed * ms:7.1f} ms"
    )
    print(f"{'  baseline: the same window, Follow Changes on Disk off':62} {idle_off * ms:7.1f} ms")
    print()
    target = book.src / chapter
    print(
        f"{'watcher (folders: the book and src)':34} "
        + " ".join(f"{name:>16}" for name in save_patterns(target))
        + f" {'inotify inst/watches/threads':>30}"
    )
    for kind, with_files in (
        ("QFileSystemWatcher", False),
        ("QFileSystemWatcher", True),
        ("watchdog", False),
    ):
        label = f"{kind}{' + files' if with_files else ''}"
        cells = compare_watcher(app, kind, root, target, with_files)
        if cells is None:
            print(f"{label:34} (not installed)")
            continue
        print(f"{label:34} " + " ".join(f"{c:>16}" for c in cells[:-1]) + f" {cells[-1]:>30}")


if __name__ == "__main__":
    main()
