"""The new layouts hold RELIABILITY.md as mdBook books do: MkDocs' documentation read in the
real window (every page shown, every link followed, searched) opens no network socket and
reads nothing beside the site's folder; its pages show no raw MkDocs syntax."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handbook.core.book.load import load_book
from tests.conftest import SHARED
from tests.reliability.helpers import (
    SCRIPTS,
    child_env,
    network_sockets,
    python_command,
    run_traced,
    socket_families,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

MKDOCS_DOCS = SHARED / "corpora" / "mkdocs-docs"


@pytest.mark.skipif(not (MKDOCS_DOCS / "mkdocs.yml").is_file(), reason="../shared is absent")
def test_reading_and_searching_an_mkdocs_site_opens_no_socket_and_nothing_outside(
    tmp_path: Path,
) -> None:
    done = run_traced(
        python_command(str(SCRIPTS / "show_book.py"), str(MKDOCS_DOCS), "--search", "theme"),
        "socket,connect,open,openat",
        tmp_path / "strace.log",
        child_env(tmp_path),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    pages = report["chapters"]
    assert len(pages) == len(load_book(MKDOCS_DOCS).chapters())
    assert all(page["shown"] and page["text"].strip() for page in pages.values())
    for page in pages.values():
        assert "!!!" not in page["text"] and "--8<--" not in page["text"]
    assert report["search"]["theme"] > 0
    assert network_sockets(done.log) == [], socket_families(done.log)
    beside = str(MKDOCS_DOCS.parent)
    opened = re.findall(r'open(?:at)?\([^"]*"([^"]+)"', done.log)
    outside = {p for p in opened if p.startswith(beside) and not p.startswith(str(MKDOCS_DOCS))}
    assert outside == set()
