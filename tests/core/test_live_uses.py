"""Which files a book's chapters include or show: a change to one makes their pages stale."""

from __future__ import annotations

from pathlib import Path

from handbook.core.book.live import book_uses, changes_between, plan_for, stamps
from handbook.core.book.load import load_book
from tests.conftest import png, write_book

SUMMARY = "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n- [Three](three.md)\n"


def test_every_chapters_includes_and_images_are_followed(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "book",
        SUMMARY,
        {
            "one.md": "# One\n\n{{#include shared.txt}}\n\n![a fish](img/fish.png)\n",
            "two.md": '# Two\n\n{{#include shared.txt:2}}\n\n<img src="img/cat.png">\n',
            "three.md": "# Three\n\n![outside](../../outside.png)\n",
        },
    )
    src = root / "src"
    (src / "shared.txt").write_text("a\nb\n", encoding="utf-8")
    (src / "img").mkdir()
    (src / "img" / "fish.png").write_bytes(png())
    (src / "img" / "cat.png").write_bytes(png())
    (tmp_path / "outside.png").write_bytes(png())
    book = load_book(root)

    uses = book_uses(book)

    real = src.resolve()
    assert uses == {
        real / "shared.txt": frozenset({"one.md", "two.md"}),
        real / "img" / "fish.png": frozenset({"one.md"}),
        real / "img" / "cat.png": frozenset({"two.md"}),
    }
    plan = plan_for(book).with_uses(uses)
    before = stamps(plan.files)
    (src / "shared.txt").write_text("a\nb\nc\n", encoding="utf-8")
    changes = changes_between(plan, before, stamps(plan.files))
    assert changes.pages == {"one.md", "two.md"}


def test_a_saved_chapter_is_looked_at_again_alone(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "book",
        SUMMARY,
        {"one.md": "# One\n\n{{#include a.txt}}\n", "two.md": "# Two\n", "three.md": "# 3\n"},
    )
    src = root / "src"
    (src / "a.txt").write_text("a\n", encoding="utf-8")
    (src / "b.txt").write_text("b\n", encoding="utf-8")
    book = load_book(root)
    before = book_uses(book)
    (src / "one.md").write_text("# One\n\n{{#include b.txt}}\n", encoding="utf-8")

    after = book_uses(book, ["one.md"], before)

    assert after == {src.resolve() / "b.txt": frozenset({"one.md"})}
