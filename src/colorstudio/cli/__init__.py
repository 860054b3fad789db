"""The command line: ``colorstudio colorize|train|evaluate|models`` over the same core functions as the window.

Exit codes: 0 all done, 1 some photos failed (each listed with its reason), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys

from colorstudio import __version__
from colorstudio.cli import colorize_cmd, evaluate_cmd, models_cmd, train_cmd
from colorstudio.core import allocator

COMMANDS = {"colorize": colorize_cmd, "train": train_cmd, "evaluate": evaluate_cmd, "models": models_cmd}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="colorstudio",
        description="Bring old black-and-white photographs back to life, on your own computer.",
    )
    parser.add_argument("--version", action="version", version=f"colorstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_parser(sub)
    return parser


def run(argv: list[str]) -> int:
    allocator.tune()  # before any thread starts: see core/allocator.py
    parser = build_parser()
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        from colorstudio.gui.app import main as gui_main  # `colorstudio [photos or folders]` opens the window

        return gui_main(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        return 2
    return COMMANDS[args.command].main(args, parser)
