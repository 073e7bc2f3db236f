"""Command line: ``handbook [PATH]`` opens the window; subcommands work without one.

Each subcommand lives in ``handbook.commands.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; modules are imported only when their command runs, to keep start-up fast.
For the same reason ``handbook`` and ``handbook PATH`` open the window without argparse.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from handbook import __version__

if TYPE_CHECKING:
    import argparse

SUBCOMMANDS: dict[str, str] = {
    "toc": "print the section tree of a book",
    "search": "search a book's full text",
    "bookmarks": "list, export or import bookmarks",
    "pdf": "write a book or one chapter to a PDF file",
    "show": "print one chapter as the reader sees it (its text, or its HTML)",
    "library": "list the books opened or added; add or remove one (or a folder of books)",
}


def _open_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="handbook",
        description="An offline reader for markdown handbooks: mdBook books, MkDocs sites, "
        "plain folders of markdown and single .md files. With no PATH, opens the bundled guide.",
        epilog="commands: "
        + "; ".join(f"'handbook {name} --help' to {what}" for name, what in SUBCOMMANDS.items()),
    )
    parser.add_argument(
        "path",
        nargs="?",
        help="a book: a folder (mdBook, MkDocs or plain markdown), SUMMARY.md, mkdocs.yml, or a "
        ".md file; FILE#anchor opens it at that section",
    )
    parser.add_argument("--version", action="version", version=f"handbook {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check the program works, then exit"
    )
    parser.add_argument(
        "--install-desktop", action="store_true", help="add handbook to the desktop's menus"
    )
    parser.add_argument(
        "--uninstall-desktop", action="store_true", help="remove handbook from the menus"
    )
    return parser


def _command_module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"handbook.commands.{name}")


QUIET_QT_RULES = "*.debug=false;*.info=false;*.warning=false"


def _quiet_qt_log() -> None:
    """Qt's own log lines (font database warnings...) are not a command's output: only its
    critical messages may reach stderr. Set as logging rules before Qt is loaded (a Python
    message handler could be called while the interpreter shuts down); a process that has
    loaded Qt already (a test, a host) keeps its own."""
    import os

    if "PySide6.QtCore" not in sys.modules:
        os.environ["QT_LOGGING_RULES"] = QUIET_QT_RULES


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        import argparse

        name = args_list[0]
        _quiet_qt_log()
        module = _command_module(name)
        parser = argparse.ArgumentParser(prog=f"handbook {name}", description=SUBCOMMANDS[name])
        module.add_arguments(parser)
        rest = args_list[1:]
        try:  # options and paths in any order; after "--" only positionals (a query "--x")
            args = parser.parse_args(rest) if "--" in rest else parser.parse_intermixed_args(rest)
        except TypeError:  # a command with sub-commands (bookmarks): argparse cannot intermix
            args = parser.parse_args(rest)
        return int(module.run(args))

    if len(args_list) <= 1 and not any(arg.startswith("-") for arg in args_list):
        from handbook.ui.app.run import run_app  # the window, at once: no options to parse

        return run_app(args_list[0] if args_list else None)
    args = _open_parser().parse_intermixed_args(args_list)
    if args.self_test:
        return int(_command_module("selftest").run(args))
    if args.install_desktop or args.uninstall_desktop:
        return int(_command_module("desktop").run(args))
    from handbook.ui.app.run import run_app

    return run_app(args.path)
