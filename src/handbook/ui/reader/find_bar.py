"""Find in page: a bar above the page, incremental, every match highlighted, "3 of 12".

Enter / F3 go to the next match, Shift+Enter / Shift+F3 to the previous one (wrapping around);
Esc closes the bar and clears its highlights. Case and diacritics are ignored unless "Match
case" is on. Matches are drawn by the page's :class:`PageHighlighter`, which the search
highlights share. The bar follows the page: when the page changes, it finds again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QToolButton,
    QWidget,
)

from handbook.ui.reader.highlighter import PageHighlighter, Span, find_spans, literal_pattern


class FindBar(QWidget):
    closed = Signal()  # the reader closed the bar (the window gives the page its focus back)
    matches_changed = Signal(int, int)  # (current match, 1-based or 0; number of matches)

    def __init__(
        self, browser: QTextBrowser, highlighter: PageHighlighter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        self._browser = browser
        self._highlighter = highlighter
        self._spans: list[Span] = []
        self._current: int | None = None
        self._build()
        self._connect_signals()
        self.hide()

    def _build(self) -> None:
        self.field = QLineEdit(self)
        self.field.setObjectName("find_field")
        self.field.setPlaceholderText("Find in page")
        self.field.setAccessibleName("Find in page")
        self.field.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("find_count")
        self.count_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("9999 of 9999"))
        self.previous_button = self._button("↑", "Previous match (Shift+F3)")
        self.next_button = self._button("↓", "Next match (F3)")
        self.match_case = QCheckBox("Match &case", self)
        self.match_case.setObjectName("find_match_case")
        self.close_button = self._button("✕", "Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        for widget in (self.field, self.count_label, self.previous_button, self.next_button):
            layout.addWidget(widget)
        layout.addWidget(self.match_case)
        layout.addStretch(1)
        layout.addWidget(self.close_button)
        self.field.installEventFilter(self)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoRaise(True)
        return button

    def _connect_signals(self) -> None:
        # typing finds as you go
        self.field.textChanged.connect(self._find)
        self.match_case.toggled.connect(self._find)
        # moving between matches
        self.next_button.clicked.connect(self.find_next)
        self.previous_button.clicked.connect(self.find_previous)
        self.close_button.clicked.connect(self.close_bar)
        # a new page: find again once it is in place
        self._browser.textChanged.connect(self._on_page_changed)

    # -- opening and closing ---------------------------------------------------------------

    @Slot()
    def open_bar(self) -> None:
        """Show the bar with the field focused (Ctrl+F); text already there is found again."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self._find()

    @Slot()
    def close_bar(self) -> None:
        self.hide()
        self._spans, self._current = [], None
        self._highlighter.clear_find()
        self.closed.emit()

    # -- matches ---------------------------------------------------------------------------

    def match_count(self) -> int:
        return len(self._spans)

    def current_match(self) -> int | None:
        """The current match, 0-based, or None."""
        return self._current

    @Slot()
    def find_next(self) -> None:
        self._step(+1)

    @Slot()
    def find_previous(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        if not self.isVisible():
            self.open_bar()
            return
        if self._spans:
            start = self._current if self._current is not None else -step
            self._set_current((start + step) % len(self._spans))

    @Slot()
    def _find(self) -> None:
        """Find the field's text again, keeping the current match where the reader is."""
        if not self.isVisible():
            return
        before = self._spans[self._current][0] if self._current is not None else None
        match_case = self.match_case.isChecked()
        pattern = literal_pattern(self.field.text(), match_case)
        text = self._highlighter.page_text()
        self._spans = [] if pattern is None else find_spans(text, pattern, match_case)
        if not self._spans:
            self._current = None
            self._show()
            return
        anchor = before if before is not None else self._viewport_top()
        following = [i for i, (start, _) in enumerate(self._spans) if start >= anchor]
        self._set_current(following[0] if following else 0)

    def _set_current(self, index: int) -> None:
        self._current = index
        self._scroll_to(self._spans[index])
        self._show()

    def _show(self) -> None:
        self._highlighter.set_find_matches(self._spans, self._current)
        total = len(self._spans)
        current = self._current + 1 if self._current is not None else 0
        if not self.field.text():
            self.count_label.setText("")
        elif total:
            self.count_label.setText(f"{current} of {total}")
        else:
            self.count_label.setText("No matches")
        self.matches_changed.emit(current, total)

    def _viewport_top(self) -> int:
        # the layout finished first: Qt's hit test reads only what it has laid out (a new page
        # is laid out lazily), and answers the end of that for a point past it
        self._browser.document().documentLayout().documentSize()
        return self._browser.cursorForPosition(self._browser.viewport().rect().topLeft()).position()

    def _scroll_to(self, span: Span) -> None:
        """Bring a match into view (centred) without moving the reader's selection."""
        cursor = QTextCursor(self._browser.document())
        cursor.setPosition(span[0])
        rect = self._browser.cursorRect(cursor)
        viewport = self._browser.viewport().rect()
        if not viewport.contains(rect):
            bar = self._browser.verticalScrollBar()
            bar.setValue(bar.value() + rect.center().y() - viewport.height() // 2)

    @Slot()
    def _on_page_changed(self) -> None:
        self.find_again()

    @Slot()
    def find_again(self) -> None:
        """The page changed or grew: find the field's text again once it has its layout."""
        if self.isVisible() and self.field.text():
            self._current = None
            QTimer.singleShot(0, self, self._find)  # after the page has its new text and layout

    # -- keys in the field -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3):
                self._step(-1 if shift else +1)
                return True
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
