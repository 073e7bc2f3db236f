"""Print with a preview, and export to PDF from the window: the dialogs around
ui/paper/pdf_export.py.

The export runs in slices on the UI thread (:class:`PdfExportRun`), with progress and Cancel.

Printing always uses the light page theme (paper is white), whatever the window shows: the
window passes a render function made with ``Renderer(book, theme=LIGHT)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPageLayout
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from handbook.core.book.model import Book
from handbook.core.paper.print_book import RenderChapter
from handbook.ui.paper.pdf_export import (
    MARGINS_MM,
    BookPrint,
    ExportCancelled,
    PdfExport,
    default_page_size,
)


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


class PdfExportRun(QObject):
    """A PDF written in slices on the UI thread, one chapter per turn of the event loop: the
    window stays responsive, a progress dialog shows how far it is, and its Cancel stops it
    (the unfinished file removed). A PDF of an absurd size is written only if the reader agrees.
    """

    finished = Signal(object)  # PdfResult, once the file is in place
    failed = Signal(str)  # why nothing was written (not on Cancel)

    def __init__(self, export: PdfExport, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._parent = parent
        self._export = export
        export.confirm = self._confirm
        self._steps = export.steps()
        self.done = False
        self.dialog = QProgressDialog(
            f"Writing {export.out.name}…", "Cancel", 0, export.job.steps_total(), parent
        )
        self.dialog.setWindowTitle("Export as PDF")
        self.dialog.setWindowModality(Qt.WindowModality.NonModal)  # reading goes on meanwhile
        self.dialog.setMinimumDuration(400)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        self._timer.start()

    @Slot()
    def cancel(self) -> None:
        """Stop where it is; nothing is written (the .part file is removed)."""
        if self.done:
            return
        self._timer.stop()
        self._steps.close()
        self._finish()

    @Slot()
    def _step(self) -> None:
        try:
            progress = next(self._steps)
        except StopIteration:
            self._finish()
            self.finished.emit(self._export.result)
            return
        except ExportCancelled:
            self._finish()
            return
        except (OSError, ValueError) as exc:
            self._finish()
            why = exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
            message = f"Could not write {self._export.out}:\n{why}"
            QMessageBox.warning(self._parent, "Export as PDF", message)
            self.failed.emit(message)
            return
        self.dialog.setMaximum(progress.total)
        self.dialog.setValue(progress.done)
        self.dialog.setLabelText(f"{progress.stage} {progress.chapter}…")
        self._timer.start()

    def _confirm(self, warning: str) -> bool:
        answer = QMessageBox.question(
            self._parent,
            "Export as PDF",
            f"{warning[0].upper()}{warning[1:]}.\n\nWrite it anyway?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _finish(self) -> None:
        self.done = True
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()


def export_pdf_interactively(
    parent: QWidget | None,
    book: Book,
    render: RenderChapter,
    chapters: Sequence[str] | None = None,
    folder: Path | None = None,
) -> PdfExportRun | None:
    """Ask where to save, then start writing the PDF (its ``finished`` says when it is written,
    a failure is told to the reader); None when the reader chose no file."""
    start = (folder or Path.home()) / suggested_pdf_name(book, chapters)
    name, _ = QFileDialog.getSaveFileName(parent, "Export as PDF", str(start), "PDF (*.pdf)")
    if not name:
        return None
    out = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    try:
        run = PdfExportRun(PdfExport(book, render, out, chapters), parent)
    except ValueError as exc:
        QMessageBox.warning(parent, "Export as PDF", f"Could not write {out}:\n{exc}")
        return None
    run.start()
    return run
