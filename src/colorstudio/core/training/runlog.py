"""A run's log, ``log.jsonl`` in its folder: one line a pass over the photos (epoch, step, the last step's
loss, seconds trained, the validation scores). The wizard redraws a resumed or reopened run's curves from
it, so it is kept in step with the checkpoint: a fresh start empties it, a resume drops the passes the
checkpoint does not hold. No torch here: the wizard reads it on the GUI thread."""

from __future__ import annotations

import json
from pathlib import Path

LOG_FILE = "log.jsonl"


def append(run_dir: Path, entry: dict) -> None:
    with open(Path(run_dir) / LOG_FILE, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def read(run_dir: Path) -> list[dict]:
    """The run's passes in order. A pass logged again (a run started over, or redone after a crash between
    the log and the checkpoint) replaces the earlier one and everything logged after it."""
    file = Path(run_dir) / LOG_FILE
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    entries: list[dict] = []
    for line in lines:
        try:
            entry = json.loads(line)
            epoch = int(entry["epoch"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash
        entries = [e for e in entries if e["epoch"] < epoch] + [entry]
    return entries


def keep_until(run_dir: Path, epoch: int) -> None:
    """Keep the passes up to ``epoch`` (the checkpoint's), as they were logged; 0 empties the log."""
    file = Path(run_dir) / LOG_FILE
    kept = [e for e in read(run_dir) if e["epoch"] <= epoch]
    if kept:
        file.write_text("".join(json.dumps(e) + "\n" for e in kept), encoding="utf-8")
    else:
        file.unlink(missing_ok=True)
