"""Fixtures shared by the window's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from handbook.ui.app.services import Services, open_services
from tests.conftest import write_book

MakeServices = Callable[[], Services]


@pytest.fixture
def make_services(tmp_path: Path, qapp: QApplication) -> Iterator[MakeServices]:
    """Services over files in tmp_path (each call opens them again, as a restarted app does);
    closed after the test, the app's palette and colour scheme put back."""
    palette = qapp.palette()
    opened: list[Services] = []

    def make() -> Services:
        services = open_services(
            qapp,
            settings_path=tmp_path / "config" / "handbook.ini",
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
        )
        opened.append(services)
        return services

    yield make
    for services in opened:
        services.close()
        services.themes.deleteLater()
        services.bookmarks.deleteLater()
    qapp.styleHints().unsetColorScheme()
    qapp.setPalette(palette)


# A second small book, for tests that open two (tabs, the session)
OTHER_SUMMARY = """# Summary

- [Harbour](harbour.md)
- [Lighthouse](lighthouse.md)
"""

OTHER_CHAPTERS = {
    "harbour.md": "# Harbour\n\nBoats rest in the harbour.\n",
    "lighthouse.md": "# Lighthouse\n\nA light on the rocks.\n",
}


@pytest.fixture
def other_book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "other", OTHER_SUMMARY, OTHER_CHAPTERS))
