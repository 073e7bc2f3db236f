"""The offline guarantee, observed from outside the process: no IPv4/IPv6 socket, ever.

strace follows every thread and child of a real ``python -m handbook --self-test`` and of the
real main window reading, following the links of and searching the Rust book; an AF_INET or
AF_INET6 ``socket()`` or ``connect()`` fails the test (AF_UNIX is fine: Qt and D-Bus use it).
Remote images and links in a page are checked against a listener of our own: nothing connects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from handbook.core.book.load import load_book
from handbook.core.book.model import Book
from tests.conftest import write_book
from tests.reliability.helpers import (
    REPO,
    SCRIPTS,
    child_env,
    listening,
    network_sockets,
    python_command,
    run_traced,
    socket_families,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen

NETWORK_CALLS = "socket,connect"


def test_the_socket_check_sees_a_network_socket(tmp_path: Path) -> None:
    """The check itself: a process that makes an AF_INET socket is caught."""
    done = run_traced(
        python_command("-c", "import socket; socket.socket(socket.AF_INET6).close()"),
        NETWORK_CALLS,
        tmp_path / "strace.log",
        child_env(tmp_path),
    )
    assert done.returncode == 0
    assert network_sockets(done.log)


def test_the_self_test_opens_no_network_socket(tmp_path: Path) -> None:
    if not (REPO / "src" / "handbook" / "commands" / "selftest.py").is_file():
        pytest.fail("handbook --self-test does not exist yet (commands/selftest.py)")
    done = run_traced(
        python_command("-m", "handbook", "--self-test"),
        NETWORK_CALLS,
        tmp_path / "strace.log",
        child_env(tmp_path),
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert network_sockets(done.log) == [], socket_families(done.log)


SEARCHES = ["ownership", "borrow checker", "async await", "Box<T>", "C++", '"x', "NEAR("]


def test_reading_and_searching_the_rust_book_opens_no_network_socket(
    rust_book: Path, tmp_path: Path
) -> None:
    """Every chapter shown in the real window, every link on every page followed; searched in
    the core and through the search panel (its worker thread builds and caches the index)."""
    done = run_traced(
        python_command(str(SCRIPTS / "show_book.py"), str(rust_book), "--search", *SEARCHES),
        NETWORK_CALLS,
        tmp_path / "strace.log",
        child_env(tmp_path),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    chapters = report["chapters"]
    assert len(chapters) == len(load_book(rust_book).chapters())
    assert all(page["shown"] and page["text"].strip() for page in chapters.values())
    assert sum(len(page["links"]) for page in chapters.values()) > 250  # 299 distinct
    assert any(url.startswith("https://") for url in report["external"])  # to the recorder
    assert report["search"]["ownership"] > 0 and report["search"]["borrow checker"] > 0
    assert report["search_panel"]["ownership"] > 0  # typed into the search panel, off-thread
    assert network_sockets(done.log) == [], socket_families(done.log)


# --- remote resources in a page ----------------------------------------------------------------


def remote_book(tmp_path: Path, port: int) -> Book:
    base = f"127.0.0.1:{port}"
    page = f"""# Remote

![markdown image](http://{base}/md.png)

<img src="https://{base}/html.png" alt="html image">
<img src="//{base}/scheme-relative.png" alt="scheme-relative image">
<img srcset="http://{base}/srcset.png 2x" src="http://{base}/src.png" alt="srcset">
<p style="background-image: url(http://{base}/style.png)">styled</p>
<link rel="stylesheet" href="http://{base}/style.css">
<style>@import url(http://{base}/import.css);</style>
<video src="http://{base}/video.mp4"></video>
<audio src="http://{base}/audio.mp3"></audio>

[a web link](http://{base}/page) and <a href="https://{base}/other">another</a>
"""
    root = write_book(
        tmp_path / "book", "# Summary\n\n- [Remote](remote.md)\n", {"remote.md": page}
    )
    return load_book(root)


def test_remote_images_and_links_are_never_fetched(
    qtbot: QtBot, tmp_path: Path, open_window: Callable[[Book], object]
) -> None:
    with listening() as listener:
        window = open_window(remote_book(tmp_path, listener.port))
        window.open_first_chapter()  # type: ignore[attr-defined]
        viewer = window.viewer  # type: ignore[attr-defined]
        assert "Remote" in viewer.toPlainText()
        viewer.verticalScrollBar().setValue(viewer.verticalScrollBar().maximum())
        viewer.resize(400, 300)  # relayout: images asked for again
        qtbot.wait(1500)
        for name in ("md.png", "html.png", "src.png", "style.css"):  # asked for directly too
            url = QUrl(f"http://127.0.0.1:{listener.port}/{name}")
            for kind in (
                QTextDocument.ResourceType.ImageResource,
                QTextDocument.ResourceType.StyleSheetResource,
            ):
                answer = viewer.loadResource(kind, url)
                assert not isinstance(answer, QByteArray) or answer.isEmpty()
        qtbot.wait(200)
        assert listener.connections == []
