"""The reader's place under SIGKILL at random moments, and under SIGTERM: the real window
moving through the Rust book in a child process (tests/helpers/place_mover.py)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from handbook.core.book.load import load_book
from handbook.core.reading.place import Place
from handbook.core.reading.places import FILE_NAME, PlaceStore
from tests.conftest import REPO, child_env

MOVER = REPO / "tests" / "helpers" / "place_mover.py"
KILLS = 30

pytestmark = pytest.mark.slow


def _mover(*args: str) -> subprocess.Popen[str]:
    env = child_env()
    return subprocess.Popen(
        [sys.executable, str(MOVER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _lines(output: str, kind: str) -> list[Place]:
    places = []
    for line in output.splitlines():
        name, _, rest = line.partition(" ")
        if name == kind:
            section, offset, quote = json.loads(rest)
            places.append(Place(section, offset, quote))
    return places


def _on_disk(data: Path, identity: str) -> Place | None:
    with sqlite3.connect(data / FILE_NAME) as db:
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
    store = PlaceStore.open(data)
    try:
        saved = store.last_place(identity)
    finally:
        store.close()
    return saved.place if saved is not None else None


def test_sigkill_at_random_moments_loses_at_most_the_moves_since_the_last_save(
    rust_book: Path, tmp_path: Path
) -> None:
    identity = load_book(rust_book).identity
    rng = random.Random(15)
    acknowledged_total = 0
    for kill in range(KILLS):
        mover = _mover("move", str(rust_book), str(tmp_path), str(kill))
        assert mover.stdout is not None
        first = mover.stdout.readline()  # the window is up and moving
        assert first.startswith("MOVE "), first
        if rng.random() < 0.7:  # mostly once it has saved: the kill lands among saves
            while "SAVED " not in first:
                line = mover.stdout.readline()
                assert line, "the mover stopped"
                first += line
            time.sleep(rng.uniform(0.0, 1.5))
        else:  # anywhere from its first move on
            time.sleep(rng.uniform(0.0, 1.8))
        mover.send_signal(signal.SIGKILL)
        rest, _ = mover.communicate()
        assert mover.returncode == -signal.SIGKILL
        lines = (first + rest).splitlines()
        on_disk = _on_disk(tmp_path, identity)
        last_save = max(
            (i for i, line in enumerate(lines) if line.startswith("SAVED ")), default=-1
        )
        if last_save < 0:
            continue  # killed before its first save: the last run's place (checked then)
        acknowledged_total += 1
        (saved,) = _lines(lines[last_save], "SAVED")
        before = _lines("\n".join(lines[:last_save]), "MOVE")
        assert saved == before[-1]  # a save writes the place of the last move
        # on disk: the place acknowledged last, or one the reader moved to after it (committed,
        # then killed before it said so); never an older one, never a broken file
        later = _lines("\n".join(lines[last_save:]), "MOVE")
        assert on_disk in [saved, *later], (on_disk, saved, later)
    assert acknowledged_total >= KILLS // 2  # most kills landed while places were being saved

    reopened = _mover("reopen", str(rust_book), str(tmp_path))
    output, _ = reopened.communicate(timeout=60)
    (at,) = _lines(output, "AT")
    assert at == _on_disk(tmp_path, identity)  # the window reopens at the place on disk


def test_sigterm_saves_the_place_and_closes_cleanly(rust_book: Path, tmp_path: Path) -> None:
    identity = load_book(rust_book).identity
    mover = _mover("moves", str(rust_book), str(tmp_path), "3", "8")
    assert mover.stdout is not None
    moves: list[Place] = []
    while len(moves) < 8:
        line = mover.stdout.readline()
        assert line, "the mover stopped"
        moves += _lines(line, "MOVE")
    mover.send_signal(signal.SIGTERM)  # at once: before the save a second after the last move
    mover.communicate(timeout=60)
    assert mover.returncode == 0
    assert _on_disk(tmp_path, identity) == moves[-1]
