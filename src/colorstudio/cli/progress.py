"""What the command line tells the user while a batch runs: a tqdm progress bar on a terminal (as wide as
the terminal, however long the paths), plain lines otherwise, and every message in the log too.

``say`` is how the commands talk: the line goes to stderr (between redraws of the bar) and to the log file.
With no console (the Windows bundle, see ``colorstudio.logs``) it goes to the log only.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from tqdm import tqdm

from colorstudio import logs

log = logging.getLogger("colorstudio.cli")
BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar}| {elapsed}<{remaining}"
ROOM_FOR_THE_BAR = 40  # the percentage, a short bar and the times, beside the photo's name


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def say(message: str, stream: TextIO | None = None, level: int = logging.INFO) -> None:
    """A message for the user: on stderr (or ``stream``) when there is a console, and in the log."""
    stream = stream if stream is not None else sys.stderr
    if stream is not None and not isinstance(stream, logs.LogStream):
        tqdm.write(message, file=stream)  # clears a bar on that stream first, redraws it after
    log.log(level, "%s", message, extra={"on_console": True})


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, the middle left out: "scan_0…church.png"."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def terminal_width(stream: TextIO, default: int = 80) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or default
    except (AttributeError, OSError, ValueError):
        return default


class BatchProgress:
    """Overall progress of ``total`` files, with the current file's fraction and the time left.

    On a terminal, one tqdm bar that fits the terminal's width (the photo's name shortened to leave room
    for the bar; tqdm trims what is left over), and the per-file lines written above it. Not on a terminal
    (a pipe, a file, no console): only the per-file lines, no carriage returns."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        console = self.stream is not None and not isinstance(self.stream, logs.LogStream)
        self.tty = console and bool(getattr(self.stream, "isatty", lambda: False)())
        self.index = 0
        self.name = ""
        self.bar = tqdm(total=total, file=self.stream, disable=not self.tty, dynamic_ncols=True, leave=False,
                        bar_format=BAR_FORMAT, mininterval=0.1)

    def start_file(self, index: int, name: str) -> None:
        self.index, self.name = index, name
        log.debug("[%d/%d] %s", index + 1, self.total, name)
        if self.tty:
            width = max(12, terminal_width(self.stream) - ROOM_FOR_THE_BAR)
            counter = f"[{index + 1}/{self.total}]"
            self.bar.set_description_str(f"{counter} {shorten(os.path.basename(name), width - len(counter))}",
                                         refresh=False)
            self._move_to(index)
            self.bar.refresh()

    def update(self, done: int, total: int) -> None:
        if self.tty:
            self._move_to(self.index + done / max(total, 1))

    def end_file(self, status: str) -> None:
        say(f"[{self.index + 1}/{self.total}] {self.name}: {status}", self.stream)

    def note(self, message: str) -> None:
        say(f"  {message}", self.stream)

    def close(self) -> None:
        """Take the bar off the screen (before the summary)."""
        self.bar.close()

    def __enter__(self) -> BatchProgress:  # noqa: PYI034 - Python 3.10 has no typing.Self
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _move_to(self, position: float) -> None:
        self.bar.update(position - self.bar.n)  # tqdm redraws at most every mininterval
