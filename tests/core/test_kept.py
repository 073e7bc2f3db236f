"""The bounded store the book's load, the page and the index keep their work in."""

from __future__ import annotations

from handbook.core.kept import Kept


def test_the_oldest_values_go_first_once_the_limit_is_passed() -> None:
    kept: Kept[str, str] = Kept(limit=10)
    kept.put("a", "A", 4)
    kept.put("b", "B", 4)
    assert kept.get("a") == "A"  # now the last to go
    kept.put("c", "C", 4)
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c")) == ("A", "C")


def test_a_value_put_again_replaces_the_old_and_its_size() -> None:
    kept: Kept[str, str] = Kept(limit=10)
    kept.put("a", "old", 8)
    kept.put("a", "new", 2)
    kept.put("b", "B", 8)  # fits beside the new size, not the old
    assert (kept.get("a"), kept.get("b")) == ("new", "B")


def test_a_value_bigger_than_the_limit_is_not_kept_and_nothing_goes_for_it() -> None:
    kept: Kept[str, str] = Kept(limit=10)
    kept.put("a", "A", 5)
    kept.put("huge", "H", 11)
    assert (kept.get("huge"), kept.get("a")) == (None, "A")
    kept.clear()
    assert kept.get("a") is None
