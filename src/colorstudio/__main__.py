"""Entry point: ``colorstudio`` (console script), ``python -m colorstudio`` and the frozen application.

``colorstudio`` alone, or followed by photos and folders, opens the window (with those photos queued);
``colorstudio COMMAND ...`` runs a command of the command line, which never loads the window's code.
A first word that is neither a command nor an existing file or folder is an error (exit 2), so a typo
such as ``colorstudio colourize x`` says so instead of opening the window.
Both start by setting up the log (``colorstudio.logs``): a file in the user log folder, and, where there
is no console at all (the Windows bundle), what would have been printed.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def _opens_the_window(argv: list[str]) -> bool:
    from colorstudio.cli import COMMANDS

    if not argv:
        return True
    first = argv[0]
    return first not in COMMANDS and not first.startswith("-") and Path(first).exists()


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # data-loader workers re-launch the executable when frozen
    argv = sys.argv[1:] if argv is None else argv
    window = _opens_the_window(argv)
    from colorstudio import logs

    logs.configure(session="window" if window else "command line")
    if window:
        from colorstudio.gui.app import main as gui_main

        return gui_main(argv)
    from colorstudio.cli import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
