"""Print with a preview, and export to PDF from the window: the dialogs around ui/pdf_export.py.

Printing always uses the light page theme (paper is white), whatever the window shows: the
window passes a render function made with ``Renderer(book, theme=LIGHT)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPageLayout
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from handbook.core.model import Book
from handbook.core.print_book import RenderChapter
from handbook.ui.pdf_export import MARGINS_MM, BookPrint, PdfResult, default_page_size, export_pdf


@contextmanager
def _busy() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def document_title(book: Book, chapters: Sequence[str] | None) -> str:
    if chapters is not None and len(chapters) == 1:
        node = book.chapter(chapters[0])
        if node is not None:
            return f"{node.title} — {book.title}"
    return book.title


def make_printer(title: str) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageLayout(
        QPageLayout(
            default_page_size(),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    return printer


class PrintPreview(QPrintPreviewDialog):
    """A print preview that owns its printer and its pages (Qt's dialog owns neither)."""

    def __init__(self, job: BookPrint, printer: QPrinter, parent: QWidget | None) -> None:
        super().__init__(printer, parent)
        self.job = job
        self._printer = printer  # Qt keeps only a pointer to it
        self.pages = 0
        self.paintRequested.connect(self._paint)

    def _paint(self, device: QPrinter) -> None:
        with _busy():
            try:
                self.pages = self.job.paint(device)
            except OSError as exc:
                QMessageBox.warning(self, "Print", f"Could not print: {exc}")


def preview_dialog(
    parent: QWidget | None,
    book: Book,
    render: RenderChapter,
    chapters: Sequence[str] | None = None,
) -> PrintPreview:
    """A print preview of ``chapters`` (default: the whole book); its Print button prints."""
    with _busy():
        job = BookPrint(book, render, chapters)
    title = document_title(book, chapters)
    dialog = PrintPreview(job, make_printer(title), parent)
    dialog.setWindowTitle(f"Print Preview — {title}")
    dialog.setAccessibleName("Print preview")
    dialog.setAccessibleDescription(f"The pages of {title} as they will be printed")
    return dialog


def print_with_preview(
    parent: QWidget | None,
    book: Book,
    render: RenderChapter,
    chapters: Sequence[str] | None = None,
) -> bool:
    """Show the preview; True when the reader printed."""
    dialog = preview_dialog(parent, book, render, chapters)
    try:
        return bool(dialog.exec())
    finally:
        dialog.deleteLater()


def suggested_pdf_name(book: Book, chapters: Sequence[str] | None) -> str:
    stem = document_title(book, chapters).replace(" — ", " - ")
    safe = "".join(c if c.isalnum() or c in " -_.," else "_" for c in stem).strip() or "handbook"
    return f"{safe}.pdf"


def export_pdf_interactively(
    parent: QWidget | None,
    book: Book,
    render: RenderChapter,
    chapters: Sequence[str] | None = None,
    folder: Path | None = None,
) -> PdfResult | None:
    """Ask where to save, write the PDF, tell the reader when it failed; None when cancelled."""
    start = (folder or Path.home()) / suggested_pdf_name(book, chapters)
    name, _ = QFileDialog.getSaveFileName(parent, "Export as PDF", str(start), "PDF (*.pdf)")
    if not name:
        return None
    out = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    try:
        with _busy():
            return export_pdf(book, render, out, chapters)
    except (OSError, ValueError) as exc:
        QMessageBox.warning(parent, "Export as PDF", f"Could not write {out}:\n{exc}")
        return None
