"""A private user profile for a program started by a benchmark or test: its own settings,
bookmarks and cache, so that what an earlier run (or the person at the machine) left in the
real ones does not change what is measured. The first start in it is a first start ever; the
next ones find what that one saved, as a returning reader's do."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def private_profile(env: dict[str, str]) -> Iterator[Path]:
    """Point ``env``'s XDG config, data and cache folders into a temporary folder (yielded)."""
    with tempfile.TemporaryDirectory(prefix="handbook-profile-") as folder:
        root = Path(folder)
        for variable, name in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            env[variable] = str(root / name)
        yield root
