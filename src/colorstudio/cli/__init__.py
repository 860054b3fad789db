"""The command line: ``colorstudio colorize|train|evaluate|models`` over the same core functions as the window.

Exit codes: 0 all done, 1 some photos failed (each listed with its reason), 2 usage errors.
Every run is written to the log (``colorstudio.logs``); ``--verbose`` shows its info and debug lines on stderr
too. With no console at all (the Windows bundle) what the commands print goes to the log.
This package never imports the window's (``colorstudio.gui``); ``colorstudio.__main__`` decides which runs.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import shlex
import sys

from colorstudio import __version__, logs
from colorstudio.cli import colorize_cmd, evaluate_cmd, models_cmd, train_cmd
from colorstudio.core import allocator

COMMANDS = {"colorize": colorize_cmd, "train": train_cmd, "evaluate": evaluate_cmd, "models": models_cmd}
VERBOSE_HELP = "also show info and debug lines on stderr (they are in the log file anyway)"
log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="colorstudio",
        description="Bring old black-and-white photographs back to life, on your own computer. "
                    "Without a command (or with photos and folders) it opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"colorstudio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for _name, module in COMMANDS.items():
        module.add_parser(sub)
    for command in sub.choices.values():  # also after the command: `colorstudio colorize ... --verbose`
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help=VERBOSE_HELP)
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
    logs.configure(session="command line")  # first: with no console, even a usage error reaches the log
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        return _unknown(argv[0])
    allocator.tune()  # before any thread starts: see core/allocator.py
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(verbose=args.verbose)
    log.info("colorstudio %s", shlex.join(argv))
    if args.command is None:
        parser.print_usage(sys.stderr)
        return 2
    code = COMMANDS[args.command].main(args, parser)
    log.info("colorstudio %s: exit code %d", args.command, code)
    return code
