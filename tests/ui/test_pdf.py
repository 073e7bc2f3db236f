"""PDF export and print preview: pages, chapter starts, page numbers, contents, outline, links."""

from __future__ import annotations

import errno
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtPrintSupport import QPrintPreviewWidget

from handbook.core.book.load import load_book
from handbook.core.book.model import Book, RenderedChapter
from handbook.core.paper.print_book import chapter_anchor, safe_name
from handbook.ui.paper import pdf_export
from handbook.ui.paper.pdf_export import (
    BookPrint,
    ExportCancelled,
    PdfExport,
    PrintProgress,
    export_pdf,
)
from handbook.ui.paper.print_support import preview_dialog, suggested_pdf_name
from tests.conftest import write_book

SUMMARY = """# Summary

[Preface](preface.md)

# Part One

- [First Chapter](first.md)
    - [Nested Détail](sub/nested.md)
- [Second Chapter](second.md)
"""

CHAPTERS = {
    "preface.md": "# Preface\n\nWelcome. See [the second](second.md#two-b).\n",
    "first.md": "# First Chapter\n\nText one.\n\n## One A\n\nMore, [outside](https://example.org).\n",
    "sub/nested.md": "# Nested Détail\n\nNested text.\n\n## Élan vital\n\nx\n",
    "second.md": "# Second Chapter\n\nText two.\n\n## Two B\n\nEnd. [Up](#second-chapter)\n",
}
TITLES = ["Preface", "First Chapter", "Nested Détail", "Second Chapter"]


@pytest.fixture(autouse=True)
def _gui(qapp) -> None:  # type: ignore[no-untyped-def]
    """Painting needs a QGuiApplication."""


@pytest.fixture
def small_book(tmp_path: Path) -> Book:
    root = write_book(tmp_path / "book", SUMMARY, CHAPTERS, toml='[book]\ntitle = "Small Book"\n')
    return load_book(root)


def renderer(book: Book):  # type: ignore[no-untyped-def]
    from handbook.core.render.renderer import Renderer
    from handbook.core.render.theme import LIGHT

    return Renderer(book, theme=LIGHT).render


def squeeze(text: str) -> str:
    """PDF text extraction splits words and lines freely (and reads ligatures as one letter):
    compare without any whitespace, ligatures spelled out."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [squeeze(page.extract_text()) for page in reader.pages]


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_whole_book(small_book: Book, tmp_path: Path) -> None:
    out = tmp_path / "book.pdf"
    result = export_pdf(small_book, renderer(small_book), out)
    reader = pypdf.PdfReader(out)

    # a contents page, then every chapter on a page of its own
    assert len(reader.pages) == result.pages == 1 + len(TITLES)
    texts = page_texts(reader)
    for n, title in enumerate(TITLES, start=2):
        assert squeeze(title) in texts[n - 1]
        assert texts[n - 1].endswith(f"{n}/{len(TITLES) + 1}")  # the footer
    assert [c.first_page for c in result.chapters] == [2, 3, 4, 5]

    # the printed table of contents, with page numbers
    contents = texts[0]
    assert "SmallBook" in contents
    assert "Contents" in contents
    assert "PartOne" in contents
    for title, page in zip(TITLES, [2, 3, 4, 5], strict=True):
        assert f"{squeeze(title)}{page}" in contents

    # the outline (bookmarks), chapters nested as in SUMMARY.md, headings beneath
    assert result.outline
    assert outline(reader) == [
        (0, "Contents", 1),
        (0, "Preface", 2),
        (0, "1. First Chapter", 3),
        (1, "One A", 3),
        (1, "1.1. Nested Détail", 4),
        (2, "Élan vital", 4),
        (0, "2. Second Chapter", 5),
        (1, "Two B", 5),
    ]
    assert reader.metadata is not None
    assert reader.metadata.title == "Small Book"


def link_targets(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """(page, target) of every link: a destination's page as 'page N', or the URI."""
    names = {
        name: reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }
    found = []
    for n, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            assert link["/Subtype"] == "/Link"
            if "/Dest" in link:
                found.append((n, f"page {names[str(link['/Dest'])]}"))
            else:
                found.append((n, str(link["/A"]["/URI"])))
    return found


def test_links_inside_the_book_stay_clickable(small_book: Book, tmp_path: Path) -> None:
    out = tmp_path / "book.pdf"
    export_pdf(small_book, renderer(small_book), out)
    links = link_targets(pypdf.PdfReader(out))
    # contents entries go to their chapters
    assert [(1, f"page {n}") for n in (2, 3, 4, 5)] == [link for link in links if link[0] == 1]
    assert (2, "page 5") in links  # preface -> second.md#two-b
    assert (3, "https://example.org") in links  # the web stays the web
    assert (5, "page 5") in links  # #second-chapter within the chapter


def test_one_chapter(small_book: Book, tmp_path: Path) -> None:
    out = tmp_path / "chapter.pdf"
    result = export_pdf(small_book, renderer(small_book), out, ["second.md"])
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == result.pages == 1
    text = page_texts(reader)[0]
    assert text.startswith("SecondChapter")  # no contents page for a single chapter
    assert "Preface" not in text
    assert [title for _, title, _ in outline(reader)] == ["2. Second Chapter", "Two B"]
    assert reader.metadata is not None
    assert reader.metadata.title == "Second Chapter — Small Book"


def test_a_link_to_a_chapter_left_out_is_plain_text(small_book: Book, tmp_path: Path) -> None:
    out = tmp_path / "preface.pdf"
    export_pdf(small_book, renderer(small_book), out, ["preface.md"])
    assert link_targets(pypdf.PdfReader(out)) == []


def test_a_long_chapter_flows_over_pages_and_the_next_starts_fresh(tmp_path: Path) -> None:
    long_text = "# Long\n\n" + "".join(
        f"Paragraph {n} with some words in it.\n\n" for n in range(400)
    )
    root = write_book(
        tmp_path / "b",
        "# Summary\n\n- [Long](long.md)\n- [Short](short.md)\n",
        {"long.md": long_text, "short.md": "# Short\n\nOnly this.\n"},
    )
    book = load_book(root)
    out = tmp_path / "long.pdf"
    result = export_pdf(book, renderer(book), out)
    reader = pypdf.PdfReader(out)
    assert result.pages == len(reader.pages) >= 5
    short_page = result.chapters[1].first_page
    assert short_page == result.pages  # the short chapter has the last page to itself
    assert page_texts(reader)[short_page - 1].startswith("Short")
    assert f"Short{short_page}" in page_texts(reader)[0]


# -- mechanics, with HTML made by hand -------------------------------------------------------------


def fake_render(pages: dict[str, str]):  # type: ignore[no-untyped-def]
    def render(path: str) -> RenderedChapter:
        return RenderedChapter(path, f"<html><body>{pages[path]}</body></html>", ())

    return render


def one_chapter_book(tmp_path: Path) -> Book:
    return load_book(write_book(tmp_path / "b", "# Summary\n\n- [Pic](pic.md)\n", {"pic.md": "x"}))


def image_count(path: Path) -> int:
    return sum(
        len(
            [
                x
                for x in (page["/Resources"].get("/XObject") or {}).values()
                if x.get_object()["/Subtype"] == "/Image"
            ]
        )
        for page in pypdf.PdfReader(path).pages
    )


def test_images_only_from_inside_the_book(tmp_path: Path) -> None:
    book = one_chapter_book(tmp_path)
    picture = QImage(40, 30, QImage.Format.Format_RGB32)
    picture.fill(QColor("red"))
    assert picture.save(str(book.src / "inside.png"))
    assert picture.save(str(tmp_path / "outside.png"))

    out = tmp_path / "in.pdf"
    export_pdf(book, fake_render({"pic.md": '<p><img src="inside.png"></p>'}), out)
    assert image_count(out) == 1

    for src in (
        "../../outside.png",
        str(tmp_path / "outside.png"),
        f"file://{tmp_path}/outside.png",
    ):
        out = tmp_path / "out.pdf"
        result = export_pdf(
            book, fake_render({"pic.md": f'<p><img src="{src}" alt="A map"></p>'}), out
        )
        assert image_count(out) == 0, src
        assert any(src in note for note in result.notes)
        assert "[Amap]" in page_texts(pypdf.PdfReader(out))[0]


def test_a_chapter_that_fails_to_render_does_not_lose_the_book(
    small_book: Book, tmp_path: Path
) -> None:
    real = renderer(small_book)

    def render(path: str) -> RenderedChapter:
        if path == "first.md":
            raise RuntimeError("boom")
        return real(path)

    out = tmp_path / "book.pdf"
    result = export_pdf(small_book, render, out)
    assert any("first.md" in note and "boom" in note for note in result.notes)
    assert len(pypdf.PdfReader(out).pages) == 5


def test_the_unfinished_file_never_replaces_a_good_one(small_book: Book, tmp_path: Path) -> None:
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF- an older export")

    def render(path: str) -> RenderedChapter:
        raise KeyboardInterrupt  # anything escaping mid-way

    with pytest.raises(KeyboardInterrupt):
        export_pdf(small_book, render, out)
    assert out.read_bytes() == b"%PDF- an older export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != "") == ["book.pdf"]


def test_anchor_names_are_ascii() -> None:
    assert safe_name("élan-vital_2") == "_e9_lan-vital_2"
    assert chapter_anchor(3, "x y") == "c3-x_20_y"


def test_suggested_file_name(small_book: Book) -> None:
    assert suggested_pdf_name(small_book, None) == "Small Book.pdf"
    assert suggested_pdf_name(small_book, ["sub/nested.md"]) == "Nested Détail - Small Book.pdf"


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # the offscreen platform
def test_print_preview_shows_the_pages(small_book: Book, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = preview_dialog(None, small_book, renderer(small_book))
    qtbot.add_widget(dialog)
    with qtbot.wait_signal(dialog.paintRequested):
        dialog.show()
    qtbot.wait_until(lambda: dialog.pages > 0)
    assert dialog.pages == 5
    preview = dialog.findChild(QPrintPreviewWidget)
    assert preview is not None
    qtbot.wait_until(lambda: preview.pageCount() == 5)
    assert dialog.accessibleName()


def test_the_bundled_guide(guide: Path, tmp_path: Path) -> None:
    if not (guide / "src" / "SUMMARY.md").is_file():
        pytest.skip("no bundled guide in this checkout")
    book = load_book(guide)
    out = tmp_path / "guide.pdf"
    result = export_pdf(book, renderer(book), out)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == result.pages > len(result.chapters)
    texts = page_texts(reader)
    for chapter in result.chapters:
        assert squeeze(chapter.title) in texts[chapter.first_page - 1], chapter
    assert len(outline(reader)) >= len(result.chapters)
    assert link_targets(reader)  # every internal link names a destination that exists


def test_book_print_lays_out_for_any_page_size(small_book: Book) -> None:
    from PySide6.QtCore import QSizeF

    job = BookPrint(small_book, renderer(small_book))
    job.build(QSizeF(400, 300))
    small = job.pages
    job.build(QSizeF(800, 1200))
    assert small >= job.pages == 5


def test_links_to_an_old_anchor_beside_a_heading_resolve(tmp_path: Path) -> None:
    """The Rust book keeps old link targets as ``<a id="old"></a>`` just before a heading: two
    names on one spot, of which Qt's PDF engine keeps one. Links to either must still work."""
    chapter = (
        "# Top\n\nSee [new](#new-name) and [old](#old-name).\n\n"
        + "Filler.\n\n" * 80
        + '<a id="old-name"></a>\n\n## New name\n\nHere.\n'
    )
    root = write_book(tmp_path / "b", "# Summary\n\n- [Top](top.md)\n", {"top.md": chapter})
    book = load_book(root)
    out = tmp_path / "alias.pdf"
    export_pdf(book, renderer(book), out)
    reader = pypdf.PdfReader(out)
    last = len(reader.pages)
    assert last >= 2
    assert link_targets(reader) == [(1, f"page {last}"), (1, f"page {last}")]
    assert outline(reader) == [(0, "1. Top", 1), (1, "New name", last)]


def test_footnote_links_resolve(tmp_path: Path) -> None:
    chapter = (
        "# Notes\n\nA claim.[^src]\n\n" + "Filler.\n\n" * 80 + "[^src]: Where it comes from.\n"
    )
    root = write_book(tmp_path / "b", "# Summary\n\n- [Notes](notes.md)\n", {"notes.md": chapter})
    book = load_book(root)
    out = tmp_path / "notes.pdf"
    export_pdf(book, renderer(book), out)
    reader = pypdf.PdfReader(out)
    last = len(reader.pages)
    links = link_targets(reader)  # raises KeyError on a link to no destination
    assert (1, f"page {last}") in links  # the reference goes to the note
    assert (last, "page 1") in links  # and the note's back-link to the reference


@pytest.mark.slow
def test_the_rust_book(rust_book: Path, tmp_path: Path) -> None:
    book = load_book(rust_book)
    out = tmp_path / "rust.pdf"
    result = export_pdf(book, renderer(book), out)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == result.pages > len(result.chapters) > 100
    assert len(link_targets(reader)) > 300  # and every internal one has its destination
    assert [c.first_page for c in result.chapters] == sorted(c.first_page for c in result.chapters)


# -- long exports: progress, stopping, absurd sizes, a full disk --------------------------------


def test_progress_is_reported_for_each_chapter(small_book: Book, tmp_path: Path) -> None:
    seen: list[PrintProgress] = []
    export_pdf(small_book, renderer(small_book), tmp_path / "book.pdf", progress=seen.append)
    assert [s.done for s in seen] == list(range(1, len(seen) + 1))
    assert {s.total for s in seen} == {len(seen)}
    stages = [s.stage for s in seen]
    assert stages == sorted(stages, key=["Rendering", "Laying out", "Writing"].index)
    assert stages.count("Rendering") == len(TITLES)
    assert [s.chapter for s in seen[-len(TITLES) :]] == list(CHAPTERS)


def test_an_export_stopped_midway_leaves_no_file(small_book: Book, tmp_path: Path) -> None:
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF- an older export")
    export = PdfExport(small_book, renderer(small_book), out)
    steps = export.steps()
    for step in steps:
        if step.stage == "Writing":
            break
    steps.close()  # what Cancel does
    assert export.result is None
    assert out.read_bytes() == b"%PDF- an older export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["book.pdf"]


def test_a_chapter_listed_many_times_is_printed_each_time_but_the_reader_is_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SUMMARY.md with 10,000 links to one file made an 8,523-page PDF without a word."""
    monkeypatch.setattr(pdf_export, "SANE_PAGES", 20)
    summary = "# Summary\n\n" + "".join(f"- [Again {n}](again.md)\n" for n in range(30))
    book = load_book(write_book(tmp_path / "b", summary, {"again.md": "# Again\n\nSame.\n"}))
    out = tmp_path / "again.pdf"
    result = export_pdf(book, renderer(book), out)
    assert len(pypdf.PdfReader(out).pages) == result.pages == 31  # contents + 30 listings
    assert (
        "the PDF would have 31 pages; again.md is listed 30 times in SUMMARY.md "
        "and printed each time"
    ) in result.notes

    asked: list[str] = []

    def refuse(warning: str) -> bool:
        asked.append(warning)
        return False

    out.unlink()
    with pytest.raises(ExportCancelled):
        for _ in PdfExport(book, renderer(book), out, confirm=refuse).steps():
            pass
    assert asked == ["the PDF would have 31 pages; again.md is listed 30 times in SUMMARY.md "
                     "and printed each time"]  # fmt: skip
    assert list(tmp_path.glob("again.pdf*")) == []


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 96 KB file system (tmpfs): a real full disk. Needs root (mount); skips without."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_says_the_disk_is_full(tiny_disk: Path, tmp_path: Path) -> None:
    chapters = {f"c{n}.md": f"# Chapter {n}\n\n" + "Words on a page. " * 600 for n in range(40)}
    summary = "# Summary\n\n" + "".join(f"- [C{n}](c{n}.md)\n" for n in range(40))
    book = load_book(write_book(tmp_path / "b", summary, chapters))
    out = tiny_disk / "book.pdf"
    with pytest.raises(OSError, match="the disk is full") as raised:
        export_pdf(book, renderer(book), out)
    assert raised.value.errno == errno.ENOSPC
    assert list(tiny_disk.iterdir()) == []  # no PDF cut short, no .part


# -- from the window: in slices, with progress and Cancel ---------------------------------------


def many_chapters(tmp_path: Path, count: int = 40) -> Book:
    chapters = {
        f"c{n:02}.md": f"# Chapter {n}\n\n" + "Words on a page. " * 200 for n in range(count)
    }
    summary = "# Summary\n\n" + "".join(f"- [C{n}](c{n:02}.md)\n" for n in range(count))
    return load_book(write_book(tmp_path / "many", summary, chapters))


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # the offscreen platform
def test_the_window_keeps_working_while_a_pdf_is_written(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer

    from handbook.ui.paper.print_support import PdfExportRun

    book = many_chapters(tmp_path)
    out = tmp_path / "many.pdf"
    run = PdfExportRun(PdfExport(book, renderer(book), out), None)
    ticks_while_writing = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks_while_writing.append(run.dialog.value()))
    heartbeat.start()
    with qtbot.wait_signal(run.finished, timeout=120_000) as written:
        run.start()
    heartbeat.stop()
    assert written.args[0].pages == len(pypdf.PdfReader(out).pages) > 40
    # the event loop ran between the chapters: the progress went up while other events came in
    seen = sorted(set(ticks_while_writing))
    assert len(seen) > 10 and 0 < seen[-1] <= run.dialog.maximum()


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_cancel_stops_the_export_and_leaves_no_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from handbook.ui.paper.print_support import PdfExportRun

    book = many_chapters(tmp_path)
    out = tmp_path / "many.pdf"
    run = PdfExportRun(PdfExport(book, renderer(book), out), None)
    run.dialog.show()
    run.start()
    qtbot.wait_until(lambda: run.dialog.value() > 90)  # writing: rendered and laid out
    assert out.with_name("many.pdf.part").exists()
    with qtbot.assert_not_emitted(run.finished):
        qtbot.mouseClick(run.dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
        qtbot.wait(50)
    assert run.done
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_export_book_from_the_window_says_saved_when_written(  # type: ignore[no-untyped-def]
    qtbot, small_book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from handbook.ui.window.main_window import MainWindow

    out = tmp_path / "from-window.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window = MainWindow(small_book, open_external=lambda url: None)
    qtbot.add_widget(window)
    window.show()
    window.open_first_chapter()
    window.action_set.export_book_pdf.trigger()
    assert not out.exists()  # not written before the window is back to its events
    qtbot.wait_until(lambda: window.statusBar().currentMessage() == f"Saved {out}", timeout=60_000)
    assert len(pypdf.PdfReader(out).pages) == 5
