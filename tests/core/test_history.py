from __future__ import annotations

from handbook.core.reading.history import History, HistoryEntry


def test_empty_history_goes_nowhere() -> None:
    history = History()
    assert history.current is None
    assert not history.can_go_back()
    assert not history.can_go_forward()
    assert history.back() is None
    assert history.forward() is None


def test_back_returns_where_the_reader_left_and_forward_comes_back() -> None:
    history = History()
    history.visit(HistoryEntry("a.md"))
    history.visit(HistoryEntry("b.md#x"), leaving=HistoryEntry("a.md#deep", 420))

    assert history.back(leaving=HistoryEntry("b.md#y", 90)) == HistoryEntry("a.md#deep", 420)
    assert history.can_go_forward()
    assert history.forward() == HistoryEntry("b.md#y", 90)
    assert not history.can_go_forward()


def test_visiting_after_going_back_drops_the_entries_ahead() -> None:
    history = History()
    for name in ("a.md", "b.md", "c.md"):
        history.visit(HistoryEntry(name))
    history.back()
    history.visit(HistoryEntry("d.md"))

    assert not history.can_go_forward()
    assert history.back() == HistoryEntry("b.md")
    assert history.back() == HistoryEntry("a.md")
    assert history.back() is None


def test_revisiting_the_current_section_adds_no_step() -> None:
    history = History()
    history.visit(HistoryEntry("a.md"))
    history.visit(HistoryEntry("a.md"), leaving=HistoryEntry("a.md", 0))
    assert not history.can_go_back()

    history.visit(HistoryEntry("a.md", 300), leaving=HistoryEntry("a.md", 0))
    assert history.back() == HistoryEntry("a.md", 0)


def test_history_keeps_only_the_newest_entries() -> None:
    history = History(limit=3)
    for n in range(10):
        history.visit(HistoryEntry(f"{n}.md"))
    steps = []
    while (entry := history.back()) is not None:
        steps.append(entry.section)
    assert steps == ["8.md", "7.md"]
