"""Entry point: ``colorstudio`` (console script), ``python -m colorstudio`` and the frozen application."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # data-loader workers re-launch the executable when frozen
    from colorstudio.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
