"""Fixtures shared by the window's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from handbook.ui.app.services import Services, open_services

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
