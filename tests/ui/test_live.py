"""The book follows its files: real files changed under a real (offscreen) window.

Each way an editor saves, a burst of 500 saves, a chapter deleted or made unreadable, a folder
renamed, the layout changed, the search index updated for one chapter only; what the reader
sees is checked: the text at the top of the page, the page's words, the tree, the bar.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.core.search.index import SearchIndex
from handbook.ui.app.settings import FOLLOW_DISK
from handbook.ui.window.main_window import MainWindow
from tests.conftest import write_book

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

WAIT_MS = 30_000  # generous: a loaded machine; nothing here asserts a time


def paragraphs(tag: str, count: int) -> str:
    return "\n\n".join(f"{tag} paragraph number {i} says something." for i in range(count))


LONG = f"# Long\n\n{paragraphs('Early', 60)}\n\n## Middle\n\n{paragraphs('Later', 60)}\n"
SUMMARY = """# Summary

- [Long](long.md)
- [Guide](guide/index.md)
  - [Inner](guide/inner.md)
- [Short](short.md)
"""
CHAPTERS = {
    "long.md": LONG,
    "guide/index.md": "# Guide\n\nThe guide starts here.\n",
    "guide/inner.md": "# Inner\n\nInner workings.\n",
    "short.md": "# Short\n\nA short chapter about otters.\n",
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", SUMMARY, CHAPTERS)


def open_window(qtbot: QtBot, book: Book) -> MainWindow:
    win = MainWindow(book)
    qtbot.addWidget(win)
    win.resize(900, 600)
    win.show()
    qtbot.waitExposed(win)
    win.open_first_chapter()
    qtbot.waitUntil(win.live.watcher.is_watching, timeout=WAIT_MS)  # from the next turn
    return win


@pytest.fixture
def window(qtbot: QtBot, root: Path) -> MainWindow:
    return open_window(qtbot, load_book(root))


def top_text(window: MainWindow) -> str:
    """The line of text at the top of the page's view."""
    return window.viewer.cursorForPosition(QPoint(0, 0)).block().text()


def page_text(window: MainWindow) -> str:
    return window.viewer.document().toPlainText()


def scroll_to_text(qtbot: QtBot, window: MainWindow, text: str) -> None:
    document = window.viewer.document()
    block = document.find(text).block()
    top = round(document.documentLayout().blockBoundingRect(block).top())
    window.viewer.verticalScrollBar().setValue(top)
    qtbot.waitUntil(lambda: top_text(window) == text, timeout=WAIT_MS)


def wait_for_page(qtbot: QtBot, window: MainWindow, words: str) -> None:
    qtbot.waitUntil(lambda: words in page_text(window), timeout=WAIT_MS)


# -- the page follows ----------------------------------------------------------------------------


def write_in_place(path: Path, text: str) -> None:
    with open(path, "r+", encoding="utf-8") as file:
        file.write(text)  # the new text is longer: it covers the old
        file.truncate()


def truncate_and_write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def temp_and_rename(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def delete_and_recreate(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text, encoding="utf-8")


SAVES: dict[str, Callable[[Path, str], None]] = {
    "in place": write_in_place,
    "truncate and write": truncate_and_write,
    "temporary file renamed over": temp_and_rename,
    "delete and recreate": delete_and_recreate,
}


@pytest.mark.parametrize("save", SAVES.values(), ids=SAVES.keys())
def test_each_way_of_saving_shows_the_new_text_at_the_same_place(
    qtbot: QtBot, window: MainWindow, root: Path, save: Callable[[Path, str], None]
) -> None:
    reading = "Later paragraph number 20 says something."
    scroll_to_text(qtbot, window, reading)
    inserted = "\n\n".join(f"Inserted line {i} above the reader." for i in range(15))
    new = LONG.replace("## Middle", f"{inserted}\n\n## Middle").replace(
        "number 59 says something.\n", "number 59 says something.\n\nA brand new ending.\n"
    )

    save(root / "src" / "long.md", new)

    wait_for_page(qtbot, window, "A brand new ending.")
    assert "Inserted line 14 above the reader." in page_text(window)
    assert top_text(window) == reading
    assert window.statusBar().currentMessage() == "Updated from disk"


def test_a_half_written_file_is_never_shown(qtbot: QtBot, window: MainWindow, root: Path) -> None:
    shown: list[str] = []
    window.page.chapter_shown.connect(lambda rendered: shown.append(rendered.html))
    window.live.watcher._settle_ms = 1000  # a wide margin on a loaded machine
    path = root / "src" / "long.md"
    new = LONG + "\nThe very last words.\n"
    with open(path, "w", encoding="utf-8") as file:
        file.write(new[: len(new) // 2])
        file.flush()
        qtbot.wait(100)  # an editor between two writes
        file.write(new[len(new) // 2 :])

    wait_for_page(qtbot, window, "The very last words.")
    qtbot.wait(200)
    assert shown and all("The very last words." in html for html in shown)


def test_the_old_page_stays_until_a_big_chapter_is_rendered_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    big = "# Big\n\n" + paragraphs("Bulky", 3000)  # over 128 KB: rendered off the UI thread
    root = write_book(tmp_path / "big", "# Summary\n\n- [Big](big.md)\n", {"big.md": big})
    window = open_window(qtbot, load_book(root))
    wait_for_page(qtbot, window, "Bulky paragraph number 2999")
    reading = "Bulky paragraph number 1500 says something."
    scroll_to_text(qtbot, window, reading)
    painted: list[str] = []

    class Spy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(page_text(window)[:40])
            return False

    spy = Spy(window)
    window.viewer.viewport().installEventFilter(spy)
    (root / "src" / "big.md").write_text(big + "\n\nA freshly added end.\n", encoding="utf-8")

    wait_for_page(qtbot, window, "A freshly added end.")
    assert top_text(window) == reading
    assert painted and all(text.startswith("Big") for text in painted)  # no placeholder, no blank


def test_search_highlights_and_find_matches_are_kept(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    window.highlighter.highlight_terms(["paragraph"])
    window.find_bar.open_bar()
    window.find_bar.field.setText("says something")
    qtbot.waitUntil(lambda: window.find_bar.match_count() == 120, timeout=WAIT_MS)

    (root / "src" / "long.md").write_text(LONG + "\nOne more paragraph says something.\n")

    wait_for_page(qtbot, window, "One more paragraph")
    assert window.highlighter.search_count() == 121
    qtbot.waitUntil(lambda: window.find_bar.match_count() == 121, timeout=WAIT_MS)
    assert window.find_bar.count_label.text().endswith("of 121")


def test_a_chapter_left_and_come_back_to_shows_what_is_on_disk(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    window.action_set.follow_disk.setChecked(False)  # not followed: still never stale
    window.open_section("short.md")
    window.open_section("long.md")  # cached now
    (root / "src" / "long.md").write_text("# Long\n\nRewritten while away.\n", encoding="utf-8")
    window.open_section("short.md")
    qtbot.wait(300)

    window.open_section("long.md")

    assert "Rewritten while away." in page_text(window)


def test_follow_changes_on_disk_is_a_view_toggle_kept_in_the_settings(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    toggle = window.action_set.follow_disk
    assert toggle in window.menus.view.actions() and toggle.isChecked()
    toggle.setChecked(False)
    assert window.settings.get(FOLLOW_DISK) is False
    (root / "src" / "long.md").write_text("# Long\n\nChanged unseen.\n", encoding="utf-8")
    qtbot.wait(400)
    assert "Changed unseen." not in page_text(window)

    toggle.setChecked(True)  # on again: what is on disk now

    wait_for_page(qtbot, window, "Changed unseen.")
    assert window.settings.get(FOLLOW_DISK) is True


# -- the rest follows ----------------------------------------------------------------------------


def tree_texts(window: MainWindow, parent: QModelIndex | None = None) -> list[str]:
    model = window.toc_panel.model()
    parent = parent if parent is not None else QModelIndex()
    texts: list[str] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        texts.append(str(index.data()))
        texts.extend(tree_texts(window, index))
    return texts


def find_row(window: MainWindow, text: str, parent: QModelIndex | None = None) -> QModelIndex:
    model = window.toc_panel.model()
    parent = parent if parent is not None else QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if str(index.data()).endswith(text):
            return index
        found = find_row(window, text, index)
        if found.isValid():
            return found
    return QModelIndex()


def test_a_file_included_by_a_chapter_not_on_screen_is_followed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    chapters = {**CHAPTERS, "short.md": "# Short\n\n{{#include snippet.txt}}\n"}
    root = write_book(tmp_path / "book", SUMMARY, chapters)
    (root / "src" / "snippet.txt").write_text("Otters float on their backs.\n", encoding="utf-8")
    window = open_window(qtbot, load_book(root))
    window.open_section("short.md")
    wait_for_page(qtbot, window, "Otters float on their backs.")
    window.open_section("long.md")  # the included file's chapter is no longer on screen
    window.statusBar().clearMessage()

    write_in_place(root / "src" / "snippet.txt", "Otters hold hands while they sleep.\n")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=WAIT_MS)
    window.open_section("short.md")

    wait_for_page(qtbot, window, "Otters hold hands while they sleep.")


def test_a_layout_change_updates_the_tree_keeping_open_rows_and_selection(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    window.open_section("guide/inner.md")
    tree = window.toc_panel.tree
    guide = find_row(window, "Guide")
    tree.expand(guide)
    assert tree.isExpanded(guide)
    (root / "src" / "fresh.md").write_text("# Fresh\n\nA new chapter.\n", encoding="utf-8")
    summary = SUMMARY.replace("- [Short](short.md)\n", "- [Fresh](fresh.md)\n")

    (root / "src" / "SUMMARY.md").write_text(summary, encoding="utf-8")

    qtbot.waitUntil(lambda: any(t.endswith("Fresh") for t in tree_texts(window)), timeout=WAIT_MS)
    assert not any(t.endswith("Short") for t in tree_texts(window))  # gone from the layout
    assert tree.isExpanded(find_row(window, "Guide"))
    assert str(tree.currentIndex().data()).endswith("Inner")
    assert "Inner workings." in page_text(window)
    assert window.book().chapter("fresh.md") is not None  # print and PDF use this book
    window.open_section("fresh.md")
    assert "A new chapter." in page_text(window)


def test_a_new_heading_in_a_chapter_appears_in_the_tree(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    (root / "src" / "short.md").write_text(
        "# Short\n\nOtters.\n\n## Sea otters\n\nThey float.\n", encoding="utf-8"
    )
    qtbot.waitUntil(lambda: "Sea otters" in tree_texts(window), timeout=WAIT_MS)


def built_index(qtbot: QtBot, window: MainWindow) -> SearchIndex:
    window.show_search()
    runner = window.search_panel.runner
    qtbot.waitUntil(runner.is_ready, timeout=WAIT_MS)
    index = runner.index()
    assert index is not None
    return index


def index_rows(index: SearchIndex) -> dict[int, str]:
    with index._lock:
        return dict(index._db.execute("SELECT rowid, sid FROM section").fetchall())


def test_the_search_index_is_updated_for_the_changed_chapter_only(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    index = built_index(qtbot, window)
    before = index_rows(index)
    panel = window.search_panel

    with qtbot.wait_signal(panel.runner.index_ready, timeout=WAIT_MS):
        (root / "src" / "short.md").write_text("# Short\n\nBeavers now.\n", encoding="utf-8")

    assert panel.runner.index() is index  # the same index, not one built anew
    after = index_rows(index)
    unchanged = {r: sid for r, sid in before.items() if not sid.startswith("short.md")}
    assert {r: sid for r, sid in after.items() if not sid.startswith("short.md")} == unchanged
    assert [hit.id for hit in index.search("beavers").hits] == ["short.md#short"]
    assert index.search("otters").hits == ()


def test_a_burst_of_500_saves_is_followed_in_one_go(qtbot: QtBot, tmp_path: Path) -> None:
    chapters = {f"part{i // 100}/c{i}.md": f"# Chapter {i}\n\nOld text {i}.\n" for i in range(500)}
    summary = "# Summary\n\n" + "".join(f"- [C{i}](part{i // 100}/c{i}.md)\n" for i in range(500))
    root = write_book(tmp_path / "many", summary, chapters)
    window = open_window(qtbot, load_book(root))
    index = built_index(qtbot, window)
    reports: list[object] = []
    window.live.watcher.changed.connect(reports.append)

    for name in chapters:  # as a git checkout would: every file replaced
        temp_and_rename(root / "src" / name, chapters[name].replace("Old", "New"))

    wait_for_page(qtbot, window, "New text 0.")
    qtbot.waitUntil(lambda: window.search_panel.runner.is_ready(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(_hits(window, "new")), timeout=WAIT_MS)
    assert len(reports) <= 3  # a handful of reports, not 500
    assert len(_hits(window, "new")) == 30  # results shown (the list's limit)
    assert index is not None


def _hits(window: MainWindow, word: str) -> list[str]:
    index = window.search_panel.runner.index()
    return [] if index is None else [hit.id for hit in index.search(word).hits]


def test_a_big_book_is_followed_within_the_watch_budget(qtbot: QtBot, tmp_path: Path) -> None:
    chapters = {f"d{i % 10}/c{i}.md": f"# C{i}\n\nText {i}.\n" for i in range(300)}
    summary = "# Summary\n\n" + "".join(f"- [C{i}](d{i % 10}/c{i}.md)\n" for i in range(300))
    root = write_book(tmp_path / "big", summary, chapters)
    book = load_book(root)
    win = MainWindow(book)
    qtbot.addWidget(win)
    win.live.watcher._budget = 20  # as if the system had few inotify watches left
    win.live.book_opened(book)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(win.live.watcher.is_watching, timeout=WAIT_MS)
    win.open_section("d9/c299.md")  # the last chapter: no file watch of its own at first

    files, folders = win.live.watcher.watched_counts()
    assert files <= 20 and folders == 13  # the book, the folder holding it, src, d0..d9
    temp_and_rename(root / "src" / "d9" / "c299.md", "# C299\n\nReplaced, seen by its folder.\n")
    wait_for_page(qtbot, win, "Replaced, seen by its folder.")
    write_in_place(root / "src" / "d9" / "c299.md", "# C299\n\nWritten in place, on screen.\n")
    wait_for_page(qtbot, win, "Written in place, on screen.")


# -- what went away ------------------------------------------------------------------------------


def test_a_deleted_chapter_keeps_its_text_under_a_bar_until_the_reader_moves_on(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    window.open_section("short.md")
    (root / "src" / "short.md").unlink()

    notice = window.live.notice
    qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    assert "is gone" in notice.label.text()
    assert str(root / "src" / "short.md") in notice.label.text()
    assert "A short chapter about otters." in page_text(window)

    window.open_section("long.md")
    assert not notice.isVisible()


def test_a_deletion_alone_is_said_as_such_in_the_status_bar(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    (root / "src" / "short.md").unlink()  # not the chapter on screen

    qtbot.waitUntil(lambda: "short.md" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    message = window.statusBar().currentMessage()
    assert message.startswith("Deleted on disk:")
    assert "Updated" not in message


def test_a_chapter_deleted_and_back_again_is_shown_without_the_bar(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    window.open_section("short.md")
    path = root / "src" / "short.md"
    path.unlink()
    qtbot.waitUntil(window.live.notice.isVisible, timeout=WAIT_MS)

    path.write_text("# Short\n\nOtters are back.\n", encoding="utf-8")

    wait_for_page(qtbot, window, "Otters are back.")
    assert not window.live.notice.isVisible()


@pytest.mark.skipif(os.name == "posix" and os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_chapter_says_so(qtbot: QtBot, window: MainWindow, root: Path) -> None:
    window.open_section("short.md")
    path = root / "src" / "short.md"
    path.chmod(0)
    try:
        qtbot.waitUntil(window.live.notice.isVisible, timeout=WAIT_MS)
        assert "cannot be read" in window.live.notice.label.text()
        assert "A short chapter about otters." in page_text(window)
    finally:
        path.chmod(0o644)


def test_a_renamed_chapter_folder_leaves_its_chapters_gone(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    window.open_section("guide/inner.md")

    (root / "src" / "guide").rename(root / "src" / "handbook")

    qtbot.waitUntil(window.live.notice.isVisible, timeout=WAIT_MS)
    assert str(root / "src" / "guide" / "inner.md") in window.live.notice.label.text()
    assert "Inner workings." in page_text(window)


def test_a_removed_book_folder_says_so_once_and_offers_to_close(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    root.rename(root.with_name("moved"))

    qtbot.waitUntil(lambda: window.live.gone_box is not None, timeout=WAIT_MS)
    box = window.live.gone_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert str(root) in box.text()
    assert "Long" in page_text(window)
    shutil.rmtree(root.with_name("moved"))
    qtbot.wait(300)
    assert window.live.gone_box is box  # said once
    close = next(b for b in box.buttons() if b.text() == "Close the Book")

    close.click()

    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)


def two_tabs(qtbot: QtBot, window: MainWindow) -> None:
    """A second tab on the window's book, at the short chapter, both following the disk."""
    assert window.open_section_in_new_tab("short.md")
    qtbot.waitUntil(
        lambda: len(window.readers()) == 2
        and all(window.tab_set.live(r).watcher.is_watching() for r in window.readers()),
        timeout=WAIT_MS,
    )


def test_tabs_on_one_book_read_a_change_once_and_each_shows_it(
    qtbot: QtBot, window: MainWindow, root: Path
) -> None:
    two_tabs(qtbot, window)
    first, second = window.readers()
    reads: list[object] = []
    for reader in (first, second):
        window.tab_set.live(reader).book_reloaded.connect(lambda book, _saved: reads.append(book))

    (root / "src" / "short.md").write_text(
        "# Short\n\nOtters.\n\n## Sea otters\n\nThey float.\n", encoding="utf-8"
    )

    qtbot.waitUntil(
        lambda: "They float." in second.viewer.document().toPlainText(), timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: "Sea otters" in tree_texts(window), timeout=WAIT_MS)
    qtbot.wait(500)  # the other tab's report of the same change has come and gone
    assert len(reads) == 1  # the book read again once, for both tabs
    assert first.book() is second.book() is reads[0]
    assert "Sea otters" in tree_texts(window)


def test_a_removed_book_folder_open_in_two_tabs_asks_once_and_closes_both(
    qtbot: QtBot, window: MainWindow, root: Path, other_book: Book
) -> None:
    two_tabs(qtbot, window)
    window.open_book_at(other_book.location(), new_tab=True)
    qtbot.waitUntil(lambda: len(window.readers()) == 3, timeout=WAIT_MS)

    root.rename(root.with_name("moved"))

    def boxes() -> list[QMessageBox]:
        return [b for b in window.findChildren(QMessageBox) if b.isVisible()]

    qtbot.waitUntil(lambda: len(boxes()) >= 1, timeout=WAIT_MS)
    qtbot.wait(500)  # the other tab's watcher has seen it too
    (box,) = boxes()  # asked once
    assert str(root) in box.text()
    close = next(b for b in box.buttons() if b.text() == "Close the Book")

    close.click()

    qtbot.waitUntil(lambda: len(window.readers()) == 1, timeout=WAIT_MS)
    assert window.isVisible()
    assert window.book().location() == other_book.location()


# -- other layouts -------------------------------------------------------------------------------


def test_a_plain_folder_follows_pages_added_and_removed(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "index.md").write_text("# Notes\n\nThe first page.\n", encoding="utf-8")
    (folder / "apples.md").write_text("# Apples\n\nRed ones.\n", encoding="utf-8")
    window = open_window(qtbot, load_book(folder))

    (folder / "bananas.md").write_text("# Bananas\n\nYellow ones.\n", encoding="utf-8")
    qtbot.waitUntil(lambda: any("Bananas" in t for t in tree_texts(window)), timeout=WAIT_MS)
    (folder / "apples.md").unlink()
    qtbot.waitUntil(lambda: not any("Apples" in t for t in tree_texts(window)), timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "Deleted on disk: apples.md"
    (folder / "index.md").write_text("# Notes\n\nThe first page, edited.\n", encoding="utf-8")
    wait_for_page(qtbot, window, "The first page, edited.")


def test_a_plain_folder_follows_a_new_subfolder_of_pages(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "index.md").write_text("# Notes\n\nThe first page.\n", encoding="utf-8")
    window = open_window(qtbot, load_book(folder))

    (folder / "fruit").mkdir()
    (folder / "fruit" / "cherries.md").write_text("# Cherries\n\nDark ones.\n", encoding="utf-8")
    qtbot.waitUntil(lambda: any("Cherries" in t for t in tree_texts(window)), timeout=WAIT_MS)

    (folder / "veg").mkdir()  # empty at first: its page comes after the folder has settled
    qtbot.wait(400)
    (folder / "veg" / "leeks.md").write_text("# Leeks\n\nLong ones.\n", encoding="utf-8")
    qtbot.waitUntil(lambda: any("Leeks" in t for t in tree_texts(window)), timeout=WAIT_MS)


def test_an_mkdocs_site_follows_its_mkdocs_yml(qtbot: QtBot, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# Home\n\nWelcome home.\n", encoding="utf-8")
    (site / "docs" / "more.md").write_text("# More\n\nMore to read.\n", encoding="utf-8")
    config = "site_name: Site\nnav:\n  - Home: index.md\n"
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    window = open_window(qtbot, load_book(site))
    assert not any("More" in t for t in tree_texts(window))

    (site / "mkdocs.yml").write_text(config + "  - More: more.md\n", encoding="utf-8")

    qtbot.waitUntil(lambda: any("More" in t for t in tree_texts(window)), timeout=WAIT_MS)
    (site / "docs" / "index.md").write_text("# Home\n\nWelcome back.\n", encoding="utf-8")
    wait_for_page(qtbot, window, "Welcome back.")
