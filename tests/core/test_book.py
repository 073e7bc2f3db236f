"""Opening books: where they are, book.toml, chapters, and every way a folder can be wrong."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from handbook.core.book import files as files_module
from handbook.core.book.files import book_identity, read_chapter_source
from handbook.core.book.load import load_book, reload_chapters
from handbook.core.book.model import Book, BookError, NodeKind
from tests.conftest import write_book

SIMPLE = "# Summary\n\n[Intro](intro.md)\n\n- [One](one.md)\n  - [Two](two.md)\n"
CHAPTERS = {"intro.md": "# Intro\n", "one.md": "# One\n\n## Part A\n", "two.md": "# Two\n"}


def simple_book(tmp_path: Path, toml: str | None = '[book]\ntitle = "Simple"\n') -> Path:
    return write_book(tmp_path / "simple", SIMPLE, CHAPTERS, toml)


def problems(book: Book) -> list[str]:
    return [str(p) for p in book.problems]


# --- the Rust book ------------------------------------------------------------------------------


def test_rust_book_opens_with_every_chapter(rust_book: Path) -> None:
    book = load_book(rust_book)
    summary_text = (rust_book / "src" / "SUMMARY.md").read_text(encoding="utf-8")
    assert book.problems == ()
    assert book.title == "The Rust Programming Language"
    assert book.authors[0] == "Steve Klabnik"
    assert len(book.chapters()) == summary_text.count("](")
    assert all(node.problem is None and node.headings for node in book.chapters())
    chapter = book.chapter("ch04-02-references-and-borrowing.md")
    assert chapter is not None
    assert chapter.number == "4.2."
    assert chapter.headings[0].title == "References and Borrowing"


def test_rust_book_chapter_source(rust_book: Path) -> None:
    book = load_book(rust_book / "src" / "SUMMARY.md")
    assert book.root == rust_book.resolve()
    assert read_chapter_source(book, "ch01-00-getting-started.md").startswith("# Getting Started")


# --- where the book is --------------------------------------------------------------------------


def test_every_way_to_name_a_book(tmp_path: Path) -> None:
    root = simple_book(tmp_path)
    for given in (root, root / "src", root / "src" / "SUMMARY.md", root / "book.toml"):
        book = load_book(given)
        assert (book.root, book.src) == (root.resolve(), (root / "src").resolve()), given
        assert book.title == "Simple"


def test_summary_at_the_folder_root_without_book_toml(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "SUMMARY.md").write_text("- [A](a.md)\n", encoding="utf-8")
    (folder / "a.md").write_text("# A\n", encoding="utf-8")
    book = load_book(folder)
    assert book.root == book.src == folder.resolve()
    assert book.title == "notes"
    assert [n.path for n in book.chapters()] == ["a.md"]


def test_src_key_in_book_toml_is_honoured(tmp_path: Path) -> None:
    root = tmp_path / "b"
    (root / "text").mkdir(parents=True)
    (root / "book.toml").write_text('[book]\nsrc = "text"\n', encoding="utf-8")
    (root / "text" / "SUMMARY.md").write_text("- [A](a.md)\n", encoding="utf-8")
    (root / "text" / "a.md").write_text("# A\n", encoding="utf-8")
    assert load_book(root).src == (root / "text").resolve()
    assert load_book(root / "text" / "SUMMARY.md").root == root.resolve()


def test_src_outside_the_book_is_refused(tmp_path: Path) -> None:
    root = simple_book(tmp_path, '[book]\nsrc = "../elsewhere"\n')
    book = load_book(root)
    assert book.src == (root / "src").resolve()
    assert problems(book) == [
        f"{root.resolve() / 'book.toml'}: src = '../elsewhere' is outside the book"
    ]


# --- book.toml and the title ------------------------------------------------------------------


def test_metadata_from_book_toml(tmp_path: Path) -> None:
    toml = '[book]\ntitle = "T"\nauthors = ["A", "B"]\nlanguage = "de"\ndescription = "D"\n'
    book = load_book(simple_book(tmp_path, toml))
    assert (book.title, book.authors, book.language, book.description) == (
        "T",
        ("A", "B"),
        "de",
        "D",
    )


def test_title_falls_back_to_summary_title_then_folder_name(tmp_path: Path) -> None:
    titled = write_book(tmp_path / "one", "# My Notes\n- [A](a.md)\n", {"a.md": "x"}, "[book]\n")
    assert load_book(titled).title == "My Notes"
    plain = write_book(tmp_path / "two", "# Summary\n- [A](a.md)\n", {"a.md": "x"})
    assert load_book(plain).title == "two"
    assert load_book(plain).language == "en"


def test_broken_book_toml_is_a_problem_and_the_book_opens(tmp_path: Path) -> None:
    root = simple_book(tmp_path, '[book]\ntitle = "Unclosed\n')
    book = load_book(root)
    assert book.title == "simple"
    (message,) = problems(book)
    assert message.startswith(f"{root.resolve() / 'book.toml'}:2: not valid TOML")
    assert len(book.chapters()) == 3


def test_wrong_types_in_book_toml(tmp_path: Path) -> None:
    book = load_book(simple_book(tmp_path, "[book]\ntitle = 3\nauthors = 'me'\n"))
    assert book.title == "simple"
    assert [p.message for p in book.problems] == [
        "[book] title must be text; it is ignored",
        "[book] authors must be a list of names; ignored",
    ]


def test_non_utf8_book_toml(tmp_path: Path) -> None:
    root = simple_book(tmp_path, None)
    (root / "book.toml").write_bytes(b'[book]\ntitle = "\xff"\n')
    book = load_book(root)
    assert problems(book) == [
        f"{root.resolve() / 'book.toml'}:2: not UTF-8 text (byte 0xff); save the file as UTF-8"
    ]


# --- chapters: headings, encodings --------------------------------------------------------------


def test_headings_are_read_into_the_tree(tmp_path: Path) -> None:
    book = load_book(simple_book(tmp_path))
    one = book.chapter("one.md")
    assert one is not None
    assert [(h.level, h.title, h.anchor, h.line) for h in one.headings] == [
        (1, "One", "one", 1),
        (2, "Part A", "part-a", 3),
    ]
    assert one.children[0].headings[0].title == "Two"


def test_bom_and_crlf_chapters(tmp_path: Path) -> None:
    root = simple_book(tmp_path)
    (root / "src" / "one.md").write_bytes(b"\xef\xbb\xbf# One\r\n\r\ntext\r\n## Two\r\n")
    book = load_book(root)
    one = book.chapter("one.md")
    assert one is not None and one.problem is None
    assert [(h.title, h.line) for h in one.headings] == [("One", 1), ("Two", 4)]
    assert read_chapter_source(book, "one.md") == "# One\n\ntext\n## Two\n"


def test_drafts_are_not_problems(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path / "b", "- [A](a.md)\n- [Later]()\n", {"a.md": "# A"}))
    assert book.problems == ()
    assert [n.title for n in book.nodes() if n.draft] == ["Later"]
    assert [n.path for n in book.chapters()] == ["a.md"]


# --- chapters that cannot be shown: the node says why, the rest opens ---------------------------


def broken(tmp_path: Path, summary: str, chapters: dict[str, str] | None = None) -> Book:
    return load_book(write_book(tmp_path / "b", summary, {"ok.md": "# Ok\n", **(chapters or {})}))


def summary_of(tmp_path: Path) -> Path:
    return (tmp_path / "b" / "src" / "SUMMARY.md").resolve()


def test_missing_chapter_file(tmp_path: Path) -> None:
    book = broken(tmp_path, "- [Ok](ok.md)\n- [Gone](gone.md)\n")
    expected = f"{summary_of(tmp_path)}:2: chapter 'gone.md' not found"
    assert problems(book) == [expected]
    gone = book.chapter("gone.md")
    assert gone is not None and gone.problem == expected
    ok = book.chapter("ok.md")
    assert ok is not None and ok.problem is None and ok.headings


def test_non_utf8_chapter_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "- [Ok](ok.md)\n- [Latin](latin.md)\n", {"ok.md": "# Ok"})
    (root / "src" / "latin.md").write_bytes(b"# Latin\n\nfine\ncaf\xe9\n")
    book = load_book(root)
    latin = (root / "src").resolve() / "latin.md"
    expected = f"{latin}:4: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    assert problems(book) == [expected]
    with pytest.raises(BookError) as caught:
        read_chapter_source(book, "latin.md")
    assert str(caught.value) == expected


def test_folder_named_as_chapter(tmp_path: Path) -> None:
    book = broken(tmp_path, "- [Ok](ok.md)\n- [Dir](dir)\n", {"dir/inner.md": "x"})
    assert problems(book) == [f"{summary_of(tmp_path)}:2: chapter 'dir' is a folder, not a file"]


@pytest.mark.parametrize("path", ["../outside.md", "/etc/hostname", "sub/../../outside.md"])
def test_paths_escaping_src_are_refused(tmp_path: Path, path: str) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "outside.md").write_text("# Outside\n", encoding="utf-8")
    book = broken(tmp_path, f"- [Ok](ok.md)\n- [Out]({path})\n")
    (message,) = problems(book)
    assert message.startswith(f"{summary_of(tmp_path)}:2: chapter '")
    assert message.endswith("is outside the book's src folder; it is not opened")
    with pytest.raises(BookError, match="outside the book's src folder"):
        read_chapter_source(book, path)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_leading_out_of_the_book_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n", encoding="utf-8")
    root = write_book(tmp_path / "b", "- [Ok](ok.md)\n- [Link](link.md)\n", {"ok.md": "# Ok"})
    (root / "src" / "link.md").symlink_to(secret)
    (root / "src" / "inside.md").symlink_to(root / "src" / "ok.md")
    book = load_book(root)
    (message,) = problems(book)
    assert "chapter 'link.md' leads outside the book" in message
    assert message.startswith(f"{summary_of(tmp_path)}:2:")
    with pytest.raises(BookError, match="leads outside the book"):
        read_chapter_source(book, "link.md")
    assert read_chapter_source(book, "inside.md") == "# Ok"  # a link within the book is fine


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "- [Ok](ok.md)\n- [Loop](loop.md)\n", {"ok.md": "# Ok"})
    (root / "src" / "loop.md").symlink_to(root / "src" / "loop2.md")
    (root / "src" / "loop2.md").symlink_to(root / "src" / "loop.md")
    book = load_book(root)
    assert problems(book) == [f"{summary_of(tmp_path)}:2: chapter 'loop.md' is a symlink loop"]
    looped = tmp_path / "looped"
    looped.symlink_to(looped)
    with pytest.raises(BookError, match="looped: "):
        load_book(looped)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_as_chapter_is_refused_without_blocking(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", "- [Ok](ok.md)\n- [Pipe](pipe.md)\n", {"ok.md": "# Ok"})
    os.mkfifo(root / "src" / "pipe.md")
    book = load_book(root)
    assert problems(book) == [f"{summary_of(tmp_path)}:2: chapter 'pipe.md' is not a regular file"]


def test_oversized_chapter_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", 2**20)
    book = broken(tmp_path, "- [Ok](ok.md)\n- [Big](big.md)\n", {"big.md": "x" * (3 * 2**20)})
    assert problems(book) == [
        f"{summary_of(tmp_path)}:2: chapter 'big.md' is 3.0 MB; files over 1 MB are not opened"
    ]


def test_unreadable_chapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied (simulated: root reads any file, see RELIABILITY.md)."""
    root = write_book(tmp_path / "b", "- [Ok](ok.md)\n- [Locked](locked.md)\n", {"ok.md": "x"})
    (root / "src" / "locked.md").write_text("# Locked\n", encoding="utf-8")
    real_open = os.open

    def guarded_open(path: str | Path, flags: int, *args: int) -> int:
        if str(path).endswith("locked.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded_open)
    book = load_book(root)
    assert problems(book) == [
        f"{summary_of(tmp_path)}:2: chapter 'locked.md' cannot be read: permission denied"
    ]


def test_summary_that_links_to_itself(tmp_path: Path) -> None:
    book = broken(tmp_path, "- [Ok](ok.md)\n- [Contents](./SUMMARY.md)\n")
    assert problems(book) == [
        f"{summary_of(tmp_path)}:2: chapter 'SUMMARY.md' is SUMMARY.md itself, not a chapter"
    ]


def test_invalid_summary_lines_are_problems_and_the_rest_opens(tmp_path: Path) -> None:
    book = broken(tmp_path, "- [Ok](ok.md)\n- Not a link\n")
    assert problems(book) == [
        f"{summary_of(tmp_path)}:2: a list item must be a link like '- [Title](file.md)', "
        "not '- Not a link'"
    ]
    assert [n.path for n in book.chapters()] == ["ok.md"]


# --- no book at all: BookError naming the path ------------------------------------------------


def test_not_existing(tmp_path: Path) -> None:
    with pytest.raises(BookError, match="no such file or folder") as caught:
        load_book(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(caught.value)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(BookError, match=r"not a book: no markdown \(\.md\) file here, no SUMMARY"):
        load_book(tmp_path)


def test_a_chapter_file_opens_its_book(tmp_path: Path) -> None:
    root = simple_book(tmp_path)
    book = load_book(root / "src" / "one.md")
    assert (book.format, book.root) == ("mdbook", root.resolve())


def test_a_file_that_is_not_markdown_is_not_a_book(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(BookError, match=r"not a book: give a markdown file, a folder"):
        load_book(tmp_path / "notes.txt")


def test_book_toml_without_summary(tmp_path: Path) -> None:
    (tmp_path / "book.toml").write_text("[book]\n", encoding="utf-8")
    with pytest.raises(BookError, match=r"src/SUMMARY\.md: not found"):
        load_book(tmp_path)


def test_non_utf8_summary_names_its_line(tmp_path: Path) -> None:
    root = simple_book(tmp_path)
    (root / "src" / "SUMMARY.md").write_bytes(b"# Summary\n\n- [A](a.md)\n- [\xff](b.md)\n")
    with pytest.raises(BookError) as caught:
        load_book(root)
    summary = (root / "src" / "SUMMARY.md").resolve()
    assert str(caught.value) == f"{summary}:4: not UTF-8 text (byte 0xff); save the file as UTF-8"
    assert (caught.value.file, caught.value.line) == (summary, 4)


def test_summary_with_nothing_useful(tmp_path: Path) -> None:
    root = write_book(tmp_path / "empty", "# Summary\n", {})
    with pytest.raises(BookError, match="lists no chapters"):
        load_book(root)
    root = write_book(tmp_path / "bad", "# Summary\n\n- Just text\n", {})
    with pytest.raises(BookError, match=r"SUMMARY\.md:3: no chapters could be read: a list item"):
        load_book(root)


# --- identity -----------------------------------------------------------------------------------


def test_identity_survives_edits_and_differs_between_folders(tmp_path: Path) -> None:
    root = simple_book(tmp_path)
    first = load_book(root)
    (root / "src" / "one.md").write_text("# Rewritten\n", encoding="utf-8")
    (root / "book.toml").write_text('[book]\ntitle = "Renamed"\n', encoding="utf-8")
    again = load_book(root / "src" / "SUMMARY.md")
    other = load_book(write_book(tmp_path / "other", SIMPLE, CHAPTERS))
    assert first.identity == again.identity == book_identity(again)
    assert len(first.identity) == 16 and int(first.identity, 16) >= 0
    assert other.identity != first.identity


def test_chapter_outside_the_toc_can_still_be_read(tmp_path: Path) -> None:
    root = simple_book(tmp_path)
    (root / "src" / "extra.md").write_text("extra", encoding="utf-8")
    book = load_book(root)
    assert read_chapter_source(book, "extra.md") == "extra"
    with pytest.raises(BookError, match=r"extra2\.md: not found"):
        read_chapter_source(book, "extra2.md")


def test_the_kinds_of_nodes(tmp_path: Path) -> None:
    summary = "[Intro](intro.md)\n\n# Part\n- [One](one.md)\n  - [Two](two.md)\n\n---\n"
    book = load_book(write_book(tmp_path / "k", summary, CHAPTERS))
    assert [n.kind for n in book.toc] == [
        NodeKind.CHAPTER,
        NodeKind.PART,
        NodeKind.CHAPTER,
        NodeKind.SEPARATOR,
    ]


def test_reloading_a_saved_chapter_reads_it_alone(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "book",
        "# Summary\n\n- [One](one.md)\n  - [Two](two.md)\n- [Three](three.md)\n",
        {"one.md": "# One\n", "two.md": "# Two\n", "three.md": "# Three\n"},
    )
    book = load_book(root)
    (root / "src" / "one.md").write_text("# One\n\n## Added\n", encoding="utf-8")
    (root / "src" / "three.md").write_text("# Three again\n", encoding="utf-8")
    (root / "src" / "two.md").unlink()

    again = reload_chapters(book, ["one.md", "two.md"])

    one, two = again.chapter("one.md"), again.chapter("two.md")
    assert one is not None and [h.title for h in one.headings] == ["One", "Added"]
    assert [child.path for child in one.children] == ["two.md"]  # the tree's shape kept
    assert two is not None and two.problem is not None and "two.md" in two.problem
    assert [str(p) for p in again.problems] == [two.problem]
    three = again.chapter("three.md")
    assert three is not None and [h.title for h in three.headings] == ["Three"]  # not re-read
