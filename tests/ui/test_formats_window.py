"""The window with every layout: an MkDocs site's tree and pages, a plain folder, a file opened
straight at a section (``handbook FILE#anchor``), the About box naming the format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.ui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

FILLER = "\n\n".join(f"Paragraph {i} of filler text to make the page long." for i in range(80))


def tree_lines(window: MainWindow, parent: QModelIndex | None = None, depth: int = 0) -> list[str]:
    model = window.toc_panel.model()
    parent = parent or QModelIndex()
    lines: list[str] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        lines.append("  " * depth + str(index.data()))
        lines.extend(tree_lines(window, index, depth + 1))
    return lines


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "docs" / "guide").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: My Site\nmarkdown_extensions:\n  - admonition\n"
        "nav:\n  - Home: index.md\n  - Guide:\n    - guide/first.md\n"
        "  - Source: https://example.com/source/\n",
        encoding="utf-8",
    )
    (root / "docs" / "index.md").write_text(
        '# Welcome\n\n!!! note "Read me"\n    The admonition body.\n', encoding="utf-8"
    )
    (root / "docs" / "guide" / "first.md").write_text("# First\n", encoding="utf-8")
    return root


@pytest.fixture
def opened() -> list[str]:
    return []


@pytest.fixture
def window_for(qtbot: QtBot, opened: list[str]) -> Iterator[object]:
    def make(path: Path) -> MainWindow:
        window = MainWindow(
            load_book(path), open_external=lambda url: opened.append(url.toString())
        )
        qtbot.addWidget(window)
        window.resize(900, 600)
        window.show()
        qtbot.waitExposed(window)
        window.open_first_chapter()
        return window

    yield make


def test_an_mkdocs_site_in_the_window(window_for, site: Path) -> None:  # type: ignore[no-untyped-def]
    window = window_for(site)
    assert window.windowTitle().endswith("My Site")
    assert tree_lines(window) == ["Home", "Guide", "  First", "Source"]
    page = window.viewer.toPlainText()
    assert "Read me" in page and "The admonition body." in page
    assert "!!!" not in page
    window.show_about()
    assert "This book is an MkDocs site" in window._dialog.text()  # type: ignore[union-attr]
    window._dialog.close()  # type: ignore[union-attr]


def test_an_mkdocs_nav_link_opens_in_the_browser(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window_for, site: Path, opened: list[str]
) -> None:
    window = window_for(site)
    model = window.toc_panel.model()
    link = next(
        model.index(r, 0) for r in range(model.rowCount()) if model.index(r, 0).data() == "Source"
    )
    tree = window.toc_panel.tree
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(link).center())
    assert opened == ["https://example.com/source/"]
    assert window.viewer.current_chapter() == "index.md"


def test_a_plain_folder_in_the_window(window_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes" / "2-b").mkdir(parents=True)
    (tmp_path / "notes" / "README.md").write_text("# Notes\n\nHello notes.\n", encoding="utf-8")
    (tmp_path / "notes" / "2-b" / "x.md").write_text("# X page\n", encoding="utf-8")
    window = window_for(tmp_path / "notes")
    assert tree_lines(window) == ["Notes", "2 b", "  X page"]
    assert "Hello notes." in window.viewer.toPlainText()
    window.show_about()
    assert "This book is a plain folder of markdown" in window._dialog.text()  # type: ignore[union-attr]
    window._dialog.close()  # type: ignore[union-attr]


def test_a_file_at_an_anchor_opens_there(qtbot: QtBot, tmp_path: Path) -> None:
    from handbook.ui.app import run as app_module
    from handbook.ui.app.settings import open_settings

    page = tmp_path / "notes.md"
    page.write_text(f"# Notes\n\n{FILLER}\n\n## The Part\n\n{FILLER}\n", encoding="utf-8")
    settings = open_settings(tmp_path / "settings.ini")
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app_module._build(window, qapp, settings, f"{page}#the-part")
    try:
        qtbot.waitUntil(lambda: window.viewer.current_section() == "notes.md#the-part")
    finally:
        window.services.close()


def test_a_single_file_is_reopened_as_itself(qtbot: QtBot, tmp_path: Path) -> None:
    from handbook.ui.app.run import last_book

    (tmp_path / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")
    book = load_book(tmp_path / "notes.md")
    assert book.location() == (tmp_path / "notes.md").resolve()
    again = last_book(str(book.location()))
    assert again is not None and (again.format, again.title) == ("file", "Notes")


def test_a_file_at_an_anchor_it_lacks_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    """``handbook FILE#typo``: the page opens and the status bar names the missing section (it
    said "The section you were at is no longer in this chapter", of a place never visited)."""
    from handbook.ui.app import run as app_module
    from handbook.ui.app.settings import open_settings

    page = tmp_path / "notes.md"
    page.write_text(f"# Notes\n\n{FILLER}\n\n## The Part\n\n{FILLER}\n", encoding="utf-8")
    settings = open_settings(tmp_path / "settings.ini")
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app_module._build(window, qapp, settings, f"{page}#no-such-part")
    try:
        qtbot.waitUntil(lambda: window.viewer.current_chapter() == "notes.md")
        qtbot.waitUntil(lambda: "#no-such-part" in window.statusBar().currentMessage())
        message = window.statusBar().currentMessage()
        assert message == "No section #no-such-part in notes.md: showing the nearest section"
    finally:
        window.services.close()
