"""The user's folders, found by Qt's QStandardPaths (the only Qt used outside ui/).

Core modules never call this: they receive the paths they need. Tests redirect these
folders by setting XDG_DATA_HOME / XDG_CACHE_HOME / XDG_CONFIG_HOME (see tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths

from handbook import APP_NAME, ORGANIZATION


def _ensure_names() -> None:
    if QCoreApplication.applicationName() != APP_NAME:
        QCoreApplication.setApplicationName(APP_NAME)
        QCoreApplication.setOrganizationName(ORGANIZATION)


def _location(kind: QStandardPaths.StandardLocation) -> Path:
    _ensure_names()
    return Path(QStandardPaths.writableLocation(kind))


def data_dir() -> Path:
    """Where bookmarks live (AppDataLocation)."""
    return _location(QStandardPaths.StandardLocation.AppDataLocation)


def cache_dir() -> Path:
    """Where the search index cache lives (CacheLocation); holds no user data."""
    return _location(QStandardPaths.StandardLocation.CacheLocation)


def config_dir() -> Path:
    return _location(QStandardPaths.StandardLocation.AppConfigLocation)
