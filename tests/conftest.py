"""Shared fixtures: offscreen Qt, the user's folders redirected into tmp_path, book locations."""

from __future__ import annotations

import os
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A wait for a condition gives up after WAIT_DEADLINE_MS, not pytest-qt's 5 s: on this loaded
# 2-core machine (and CI on it) an index build or a page's layout can take longer than 5 s of
# wall time while the test is right. Only a failing test waits the deadline out; nothing here
# shortens or times anything the product does.
WAIT_DEADLINE_MS = 30_000


def _raise_pytest_qt_wait_deadlines() -> None:
    from pytestqt.qtbot import QtBot

    for name in (
        "waitUntil",
        "waitSignal",
        "waitSignals",
        "waitExposed",
        "waitActive",
        "waitCallback",
    ):
        defaults = getattr(QtBot, name).__kwdefaults__
        if defaults.get("timeout") == 5000:
            defaults["timeout"] = WAIT_DEADLINE_MS


_raise_pytest_qt_wait_deadlines()

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
RUST_BOOK = SHARED / "corpora" / "rust-book"
GUIDE = REPO / "resources" / "guide"


@pytest.fixture(autouse=True)
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data, cache and config folders (QStandardPaths reads XDG_*)."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
    ):
        folder = home / sub
        folder.mkdir(parents=True)
        monkeypatch.setenv(var, str(folder))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home))
    os.chmod(home, 0o700)
    yield home


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    """A small FTS5 table with the search index's own tokenizer and prefix indexes."""
    from handbook.core.search.index import TOKENIZE

    db = sqlite3.connect(":memory:")
    db.execute(
        f"CREATE VIRTUAL TABLE t USING fts5(title, body, cjk, tokenize = '{TOKENIZE}', "
        "prefix = '2 3')"
    )
    db.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [
            ("Pain", "Chronic pains, borrowing and café culture", ""),
            ("Box<T>", "don't use C++ here; 38.101", ""),
        ],
    )
    yield db
    db.close()


@pytest.fixture
def rust_book() -> Path:
    if not (RUST_BOOK / "src" / "SUMMARY.md").is_file():
        pytest.skip(f"the Rust book is not at {RUST_BOOK} (../shared is absent)")
    return RUST_BOOK


@pytest.fixture
def guide() -> Path:
    return GUIDE


def child_env(**more: str) -> dict[str, str]:
    """The environment of a child Python running this checkout's code (its src first, then the
    repository for tests' helpers; not whatever handbook the venv has installed), Qt offscreen."""
    path = [str(REPO / "src"), str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join(path),
        **more,
    }


def write_book(root: Path, summary: str, chapters: dict[str, str], toml: str | None = None) -> Path:
    """Write an mdBook-layout book under ``root`` and return its folder."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    if toml is not None:
        (root / "book.toml").write_text(toml, encoding="utf-8")
    (src / "SUMMARY.md").write_text(summary, encoding="utf-8")
    for name, text in chapters.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def png(width: int = 8, height: int = 6) -> bytes:
    """A real PNG of one colour (#2080c0), written byte by byte: no image library needed."""
    raw = b"".join(b"\x00" + b"\x20\x80\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
