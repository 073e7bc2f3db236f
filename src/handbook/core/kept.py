"""What a step made, kept for the next time it is asked the same: the last values put, up to a
size in all (each value's size said when it is put), the oldest dropped first; any thread.

The book's load, the page and the search index ask for the same chapters' work (a chapter's
text after its includes, its ``<Listing>`` rewrite, its words, a code block's colours): each
keeps its last results in a :class:`Kept`, bounded by characters, so that a big book is not
done twice while memory stays bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """The values put last under their keys, up to ``limit`` in size in all."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._kept: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept under ``key`` (now the last one dropped), or None."""
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            self._kept.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` under ``key`` in place of any before it, dropping the oldest values
        until all fit; a value bigger than the whole limit is not kept."""
        if size > self._limit:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._kept[key] = (value, size)
            self._size += size
            while self._size > self._limit:
                _, (_, dropped) = self._kept.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._size = 0
