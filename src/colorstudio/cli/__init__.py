"""The command line: ``colorstudio colorize|train|evaluate|models`` over the same core functions as the window.

Exit codes: 0 all done, 1 some photos failed (each listed with its reason), 2 usage errors.
This package never imports the window's (``colorstudio.gui``); ``colorstudio.__main__`` decides which runs.
"""

from __future__ import annotations

import argparse
import difflib
import sys

from colorstudio import __version__
from colorstudio.cli import colorize_cmd, evaluate_cmd, models_cmd, train_cmd
from colorstudio.core import allocator

COMMANDS = {"colorize": colorize_cmd, "train": train_cmd, "evaluate": evaluate_cmd, "models": models_cmd}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="colorstudio",
        description="Bring old black-and-white photographs back to life, on your own computer. "
                    "Without a command (or with photos and folders) it opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"colorstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_parser(sub)
    return parser


def _unknown(word: str) -> int:
    """A first word that is neither a command nor a file: say so, with the commands (exit 2)."""
    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    print(f"colorstudio: error: '{word}' is not a command, nor a photo or folder that exists.{hint}\n"
          f"Commands: {', '.join(COMMANDS)} (colorstudio COMMAND --help); "
          f"`colorstudio [photos or folders]` opens the window.", file=sys.stderr)
    return 2


def run(argv: list[str]) -> int:
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        return _unknown(argv[0])
    allocator.tune()  # before any thread starts: see core/allocator.py
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        return 2
    return COMMANDS[args.command].main(args, parser)
