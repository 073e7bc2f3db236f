"""A reader to kill: the real window on a book, moving through it, saying where it is.

    python place_mover.py move BOOK DATA_DIR SEED   # move for ever (until killed)
    python place_mover.py moves BOOK DATA_DIR SEED N  # N moves, then wait (for SIGTERM)
    python place_mover.py reopen BOOK DATA_DIR      # open the window, print where it is, quit

Lines on stdout, each flushed at once (a place is JSON: [section, offset, quote]):

- ``MOVE <place>``: the reader moved; this is the place now at the top of the page;
- ``SAVED <place>``: that place is committed to disk (printed after the commit);
- ``AT <place>``: (reopen) where the window opened.

Moves are Ctrl+PgDn, a scroll of a few lines, a random section: what a reader does.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _say(kind: str, place: object) -> None:
    section, offset, quote = place.section, place.offset, place.quote  # type: ignore[attr-defined]
    print(kind, json.dumps([section, offset, quote]), flush=True)


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from handbook.core.book.load import load_book
    from handbook.ui.app.run import install_quit_signals
    from handbook.ui.app.services import open_services
    from handbook.ui.window.main_window import MainWindow

    mode, book_path, data_dir = argv[0], Path(argv[1]), Path(argv[2])
    app = QApplication([sys.argv[0], "-style", "Fusion"])
    services = open_services(
        app,
        settings_path=data_dir / "handbook.ini",
        data_dir=data_dir,
        cache_dir=data_dir / "cache",
    )
    book = load_book(book_path)
    window = MainWindow(book, services=services)
    window.resize(900, 650)
    window.show()
    window.restore_place()
    install_quit_signals(app, window)
    app.aboutToQuit.connect(services.close)
    if mode == "reopen":
        _say("AT", window.viewer.place())
        window.close()
        return 0
    window.place_keeper.saved.connect(lambda place: _say("SAVED", place))
    rng = random.Random(int(argv[3]))
    sections = [c.path for c in book.chapters() if c.path]
    sections += [f"{c.path}#{h.anchor}" for c in book.chapters() for h in c.headings]
    left = [int(argv[4])] if mode == "moves" else [-1]

    def move() -> None:
        if left[0] == 0:
            return
        left[0] -= 1
        choice = rng.random()
        if choice < 0.3:
            window.action_set.next_chapter.trigger()
        elif choice < 0.8:
            bar = window.viewer.verticalScrollBar()
            bar.setValue(bar.value() + rng.randint(20, 600))
        else:
            window.open_section(rng.choice(sections))
        _say("MOVE", window.viewer.place())
        QTimer.singleShot(rng.randint(20, 250), move)

    QTimer.singleShot(0, move)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
