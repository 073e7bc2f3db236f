"""A window with tabs, to kill: the real window on a book, its session restored, saying what
it shows.

    python tab_opener.py open BOOK OTHER DATA_DIR   # open OTHER's SECTION in a second tab, wait
    python tab_opener.py reopen BOOK DATA_DIR        # open the window, print its tabs, quit

(the window opens on the book of the tab shown last, as start-up does; else on BOOK).

Lines on stdout, each flushed at once:

- ``OPENED``: (open) the second tab is shown and the session committed to disk;
- ``TABS <n> <active>``: (reopen) how many tabs, which is shown;
- ``TAB <i> <title>``: (reopen) each tab's title, in order;
- ``PAGE <text>``: (reopen) the start of the active tab's page text.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from handbook.core.book.load import load_book
    from handbook.ui.app.services import open_services
    from handbook.ui.app.settings import LAST_BOOK
    from handbook.ui.window.main_window import MainWindow

    mode, book_path = argv[0], Path(argv[1])
    data_dir = Path(argv[-1])
    app = QApplication([sys.argv[0], "-style", "Fusion"])
    services = open_services(
        app,
        settings_path=data_dir / "handbook.ini",
        data_dir=data_dir,
        cache_dir=data_dir / "cache",
    )
    last = services.settings.get(LAST_BOOK)  # as start-up: the book of the tab shown last
    window = MainWindow(load_book(Path(last) if last else book_path), services=services)
    window.resize(900, 650)
    window.show()
    place = window.restore_session()
    if not (place and window.open_place(place)):
        window.restore_place()
    if mode == "reopen":
        print("TABS", window.tabs.count(), window.tabs.currentIndex(), flush=True)
        for index in range(window.tabs.count()):
            print("TAB", index, json.dumps(window.tabs.tabToolTip(index)), flush=True)
        print("PAGE", json.dumps(window.viewer.toPlainText()[:80]), flush=True)
        window.close()
        services.close()
        return 0
    window.open_book_at(Path(argv[2]), new_tab=True)
    print("OPENED", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
