"""A progress bar on stderr for batches: one redrawn line on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class BatchProgress:
    """Overall progress of ``total`` files, with the current file's fraction and an ETA."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.index = 0
        self.name = ""
        self.fraction = 0.0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0

    def start_file(self, index: int, name: str) -> None:
        self.index, self.name, self.fraction = index, name, 0.0
        self._draw(force=True)

    def update(self, done: int, total: int) -> None:
        self.fraction = done / max(total, 1)
        self._draw()

    def end_file(self, status: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(f"[{self.index + 1}/{self.total}] {self.name}: {status}\n")
        self.stream.flush()

    def note(self, message: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(f"  {message}\n")
        self.stream.flush()

    def line(self) -> str:
        overall = (self.index + self.fraction) / max(self.total, 1)
        elapsed = time.monotonic() - self.started
        eta = format_duration(elapsed / overall - elapsed) if overall > 0.01 else "--:--"
        filled = int(self.width * self.fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        return (f"[{self.index + 1}/{self.total}] |{bar}| {self.fraction:4.0%} {self.name}  "
                f"elapsed {format_duration(elapsed)}, left {eta}")

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()
