"""The end of a ``colorstudio colorize`` batch, run here or on a cluster: its summary and its exit code."""

from __future__ import annotations

import logging

from colorstudio import logs
from colorstudio.cli.progress import format_duration, say


def finish(done: int, plan, failures, seconds: float, interrupted: bool, unexpected: bool) -> int:
    """The summary and the exit code of a batch (here or on a cluster)."""
    _summary(done, plan, failures, seconds, interrupted)
    if unexpected:
        say(f"The unexpected errors are in the log, with the details a bug report needs: {logs.log_file()}")
    if interrupted:
        return 130
    return 1 if failures else 0


def _summary(done: int, plan, failures, seconds: float, interrupted: bool) -> None:
    parts = [f"{done} colorized", f"{len(plan.skipped)} skipped (output exists; --overwrite to redo)",
             f"{len(failures)} failed"]
    outcome = "Interrupted: " if interrupted else "Done: "
    say(outcome + ", ".join(parts) + f" in {format_duration(seconds)}.")
    for source, reason in failures:
        say(f"  FAILED {source}: {reason}", level=logging.WARNING)
