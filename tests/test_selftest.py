"""`handbook --self-test`: one line per check, exit 0 when all pass, a clear FAIL line if not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.commands import selftest
from handbook.commands.selftest import CHECKS, Context, run_check
from handbook.core.book.load import load_book
from tests.conftest import GUIDE, REPO

CHECK_NAMES = [name for name, _ in CHECKS]


def _guide_chapters() -> int:
    return len(load_book(GUIDE).chapters())


def _run_self_test(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "handbook", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_self_test_passes_with_one_line_per_check(user_folders: Path) -> None:
    pytest.importorskip("handbook.core.render.renderer", reason="no renderer")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # no display at all: the self-test must go offscreen itself
    done = _run_self_test(env)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line.split(":")[0] for line in lines] == [f"ok   {name}" for name in CHECK_NAMES]
    assert lines[0] == f"ok   guide loads: {_guide_chapters()} chapters"
    assert "(Qt platform offscreen)" in lines[1]
    assert lines[3].startswith("ok   search: 'kratom' finds ")
    assert "suggests 'kratom'" in lines[3]
    assert lines[4] == "ok   bookmarks: added and removed 'About this guide' in a temporary profile"


def test_self_test_leaves_the_users_profile_alone(user_folders: Path) -> None:
    pytest.importorskip("handbook.core.render.renderer", reason="no renderer")
    done = _run_self_test(dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p for p in user_folders.rglob("*") if p.is_file()] == []


def test_a_missing_module_is_named(tmp_path: Path) -> None:
    def needs_missing(context: Context) -> str:
        import handbook.core.no_such_module  # type: ignore[import-not-found]  # noqa: F401

        return "unreachable"

    outcome = run_check("search", needs_missing, Context(profile=tmp_path))
    assert not outcome.ok
    assert outcome.line().startswith(
        "FAIL search: module missing (handbook.core.no_such_module: No module named"
    )


def test_any_error_becomes_a_fail_line(tmp_path: Path) -> None:
    def broken(context: Context) -> str:
        raise OSError("disk on fire")

    assert run_check("bookmarks", broken, Context(profile=tmp_path)).line() == (
        "FAIL bookmarks: OSError: disk on fire"
    )


def test_checks_that_need_the_guide_say_so_when_it_did_not_load(tmp_path: Path) -> None:
    context = Context(profile=tmp_path)  # check_guide failed: no book
    for check in (selftest.check_render, selftest.check_search, selftest.check_bookmarks):
        outcome = run_check("x", check, context)
        assert outcome.line() == "FAIL x: not run, the guide did not load"


def test_one_failure_makes_exit_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fine(context: Context) -> str:
        return "fine"

    def broken(context: Context) -> str:
        raise selftest.CheckFailed("'kratom' finds nothing in the guide")

    monkeypatch.setattr(selftest, "CHECKS", (("guide loads", fine), ("search", broken)))
    assert selftest.run(None) == 1
    assert capsys.readouterr().out.splitlines() == [
        "ok   guide loads: fine",
        "FAIL search: 'kratom' finds nothing in the guide",
    ]


def test_guide_search_and_bookmarks_in_process(tmp_path: Path) -> None:
    """The Qt-free checks, run here so that a failure shows its traceback."""
    context = Context(profile=tmp_path)
    assert selftest.check_guide(context) == f"{_guide_chapters()} chapters"
    assert "'krqtom' suggests 'kratom'" in selftest.check_search(context)
    assert "temporary profile" in selftest.check_bookmarks(context)
