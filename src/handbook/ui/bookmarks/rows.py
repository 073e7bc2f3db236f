"""The bookmarks tree's rows as plain data: which row (a :class:`RowKey`) and where rows were
dropped (a :class:`MoveRequest`).

Apart from the model (``ui/bookmarks/model.py``) so that the bookmark controller, opened at
start, does not import the model and its widgets with them.
"""

from __future__ import annotations

from dataclasses import dataclass

BOOK, FOLDER, BOOKMARK = "k", "f", "b"


@dataclass(frozen=True)
class RowKey:
    kind: str  # BOOK, FOLDER or BOOKMARK
    key: str  # the book identity, or the folder or bookmark id as text

    @property
    def id(self) -> int:
        return int(self.key)

    def __str__(self) -> str:
        return self.kind + self.key

    @staticmethod
    def parse(text: object) -> RowKey | None:
        if not isinstance(text, str) or len(text) < 2 or text[0] not in (BOOK, FOLDER, BOOKMARK):
            return None
        return RowKey(text[0], text[1:])


@dataclass(frozen=True)
class MoveRequest:
    """Rows dragged (``rows``, in order) and where they were dropped.

    ``book`` is the book the target belongs to, ``folder_id`` the folder (None: the book's top
    level) and ``row`` the place among that folder's bookmarks, or among its subfolders when
    folders are moved (-1: at the end).
    """

    rows: tuple[RowKey, ...]
    book: str
    folder_id: int | None
    row: int
