"""The batch queue's state, without threads or Qt: items, their status, and a saved copy on disk so a
batch survives a crash or a quit (the window offers to continue where it stopped)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path

from colorstudio.core.batch import OutputPlanner, OutputSettings, find_photos
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import ColorHint, hint_json, hints_from_json
from colorstudio.core.restoration.strokes import Stroke

QUEUE_FORMAT = 2  # 2: hints as in hints files (1 kept lists [x, y, a, b(, radius)]: still read); a photo's
#                  reference photo ("reference": {"path", "strength"}) was added later: files without it still load


class Status(str, Enum):
    WAITING = "waiting"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self in (Status.DONE, Status.SKIPPED)


@dataclass(frozen=True)
class PhotoReference:
    """A photo's reference colour photo as the queue keeps it (issue 30): where it is and how much it guides
    (``strength`` 0..1). The photo itself is read when a photo is colorized (``core.reference.Reference``)."""

    path: Path
    strength: float = 1.0

    @property
    def name(self) -> str:
        return self.path.name

    def to_json(self) -> dict:
        return {"path": str(self.path), "strength": round(float(self.strength), 4)}

    @classmethod
    def from_json(cls, data) -> PhotoReference | None:
        """The saved reference; None for none (and for a value this version cannot read)."""
        if not isinstance(data, dict) or not data.get("path"):
            return None
        try:
            strength = min(1.0, max(0.0, float(data.get("strength", 1.0))))
        except (TypeError, ValueError):
            strength = 1.0
        return cls(Path(str(data["path"])), strength)


@dataclass
class QueueItem:
    id: int
    source: Path
    relative: Path  # output path below the output folder
    status: Status = Status.WAITING
    progress: float = 0.0  # 0..1 while working
    output: Path | None = None
    error: str = ""
    note: str = ""  # told to the user about its output (another photo has the same name: renamed)
    reading: str = ""  # told about the file when it was read (an animation: only its first frame is colorized)
    width: int = 0
    height: int = 0
    strokes: tuple[Stroke, ...] = ()  # the user's dust-mask edits, in order
    hints: tuple[ColorHint, ...] = ()  # the user's colour hints (photo pixels)
    previous: Path | None = None  # its earlier output, when it is colorized again (``again``): written over
    reference: PhotoReference | None = None  # the reference colour photo the user gave it (issue 30)
    reference_note: str = ""  # what its last colorizing said of its reference ("reference: beach.jpg")
    reference_detail: str = ""  # ...and where a folder chose it, which photos and how well each matched

    def to_json(self) -> dict:
        # the fields as they are (``asdict`` deep-copies every path and hint: 40 ms a save of 3,000 photos,
        # and the window saves after every photo)
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(source=str(self.source), relative=str(self.relative), status=self.status.value,
                    output=str(self.output) if self.output else None,
                    previous=str(self.previous) if self.previous else None,
                    hints=[hint_json(h) for h in self.hints], strokes=[s.to_json() for s in self.strokes],
                    reference=self.reference.to_json() if self.reference else None)
        return data

    @classmethod
    def from_json(cls, data: dict) -> QueueItem:
        item = cls(**{**data, "source": Path(data["source"]), "relative": Path(data["relative"]),
                      "status": Status(data["status"]),
                      "output": Path(data["output"]) if data.get("output") else None,
                      "previous": Path(data["previous"]) if data.get("previous") else None,
                      "hints": hints_from_json(data.get("hints", ()), f"{data['source']}: hint"),
                      "strokes": tuple(Stroke.from_json(s) for s in data.get("strokes", ())),
                      "reference": PhotoReference.from_json(data.get("reference"))})
        if item.status == Status.WORKING:  # interrupted mid-photo: nothing was written, do it again
            item.status, item.progress = Status.WAITING, 0.0
        return item


class PhotoTimes:
    """How long the photos of a batch take, learnt as they finish: seconds = a + b x megapixels.

    The network works at the render size whatever the scan's size, and only the full-resolution join grows
    with the megapixels, so a 24 MP scan is not 24 times a 1 MP one: a rate per megapixel, learnt on big
    scans, would make the estimate grow when small ones follow. With one photo done (or all of one size)
    every photo is expected to take as long as those did.
    """

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (megapixels, seconds)

    def add(self, megapixels: float, seconds: float) -> None:
        self.samples.append((megapixels, seconds))

    def predict(self, megapixels: float) -> float | None:
        line = self._line()
        return None if line is None else line[0] + line[1] * megapixels

    def _line(self) -> tuple[float, float] | None:
        """(seconds a photo, seconds a megapixel) learnt so far, or None while nothing is known."""
        if not self.samples:
            return None
        n = len(self.samples)
        mean_mp = sum(m for m, _ in self.samples) / n
        mean_s = sum(s for _, s in self.samples) / n
        spread = sum((m - mean_mp) ** 2 for m, _ in self.samples)
        if spread < 1e-6:
            return mean_s, 0.0
        slope = max(0.0, sum((m - mean_mp) * (s - mean_s) for m, s in self.samples) / spread)
        base = mean_s - slope * mean_mp
        if base < 0:  # the line would start below zero: through the origin instead
            slope, base = sum(m * s for m, s in self.samples) / sum(m * m for m, _ in self.samples), 0.0
        return base, slope

    def left(self, waiting_megapixels: list[float], current_megapixels: float | None, fraction: float) -> float:
        """Seconds left for the photos waiting and the rest of the current one; NaN while nothing is known.
        A photo whose size is not known yet (0) counts as one of the average size of those known.
        (The line is learnt once a call: asked at every tile, once a waiting photo made it O(photos²).)"""
        line = self._line()
        if line is None:
            return float("nan")
        base, slope = line
        known = [m for m in waiting_megapixels if m > 0] + [m for m, _ in self.samples]
        typical = sum(known) / len(known)
        total = sum(base + slope * (m or typical) for m in waiting_megapixels)
        if current_megapixels is not None:
            total += (base + slope * (current_megapixels or typical)) * (1 - fraction)
        return total


class Countdown:
    """The time left as a person is shown it: it counts down between estimates, eases a smaller new estimate
    in, and does not grow for a photo that took longer than foreseen (it holds still instead). A count that
    went "56 s, 29 s, 45 s" read as the batch getting slower; only a real change (photos added, far more
    left than shown) is shown at once."""

    EASE = 6.0  # seconds over which a lower estimate is mostly taken
    JUMP = 1.5  # an estimate this many times the count (and 10 s more) is a real change

    def __init__(self) -> None:
        self._shown: float | None = None
        self._at = 0.0

    def show(self, estimate: float, now: float) -> float:
        """Seconds left to show at monotonic time ``now`` for the estimate made then (NaN: none known)."""
        if estimate != estimate:  # NaN: nothing known (paused, or no photo done yet)
            self._shown = None
            return estimate
        if self._shown is None or estimate > self.JUMP * self._shown + 10:
            self._shown, self._at = estimate, now
            return estimate
        counted = max(0.0, self._shown - (now - self._at))
        taken = 1 - math.exp(-(now - self._at) / self.EASE)
        self._shown = min(counted + taken * (estimate - counted), self._shown)  # never up, at most still
        self._at = now
        return self._shown


@dataclass
class JobQueue:
    items: list[QueueItem] = field(default_factory=list)
    next_id: int = 1
    _positions: dict[int, int] = field(default_factory=dict, repr=False, compare=False)  # see ``_position``

    def add(self, inputs: list[Path], recursive: bool = True) -> tuple[list[QueueItem], list[tuple[Path, str]]]:
        """Add photos and folders (folders searched recursively); sources already queued are ignored."""
        found, missing = find_photos(inputs, recursive)
        queued = {item.source.resolve() for item in self.items}
        added = []
        for source, relative in found:
            # kept by its absolute path: the queue is found again from any folder (a desktop launcher's, the
            # next session's), not relative to where the photos were typed
            source = Path(os.path.abspath(source))
            if source.resolve() in queued:
                continue
            queued.add(source.resolve())
            item = QueueItem(self.next_id, source, relative)
            self.next_id += 1
            self.items.append(item)
            added.append(item)
        return added, missing

    def get(self, item_id: int) -> QueueItem | None:
        position = self._position(item_id)
        return self.items[position] if position is not None else None

    def index_of(self, item_id: int) -> int:
        position = self._position(item_id)
        if position is None:
            raise StopIteration(item_id)  # as before: callers catch it for a photo no longer queued
        return position

    def _position(self, item_id: int) -> int | None:
        """Where ``item_id`` is in ``items``: looked up in an index of positions, made again when the list
        changed under it (the window asks for every tile of a batch of thousands of photos)."""
        position = self._positions.get(item_id)
        if position is None or position >= len(self.items) or self.items[position].id != item_id:
            self._positions = {item.id: i for i, item in enumerate(self.items)}
            position = self._positions.get(item_id)
        return position

    def next_waiting(self) -> QueueItem | None:
        return next((item for item in self.items if item.status == Status.WAITING), None)

    def remove(self, ids: set[int]) -> None:
        self.items = [item for item in self.items if item.id not in ids or item.status == Status.WORKING]

    def clear_finished(self) -> None:
        self.items = [item for item in self.items if not item.status.finished]

    def retry(self, ids: set[int] | None = None) -> int:
        """Failed and cancelled photos (of ``ids``, or all) wait again; returns how many."""
        count = 0
        for item in self.items:
            if item.status in (Status.FAILED, Status.CANCELLED) and (ids is None or item.id in ids):
                item.status, item.error, item.progress = Status.WAITING, "", 0.0
                item.output, item.note = None, ""  # planned again when the batch reaches it
                count += 1
        return count

    def again(self, ids: set[int]) -> int:
        """Finished photos of ``ids`` wait again, to be colorized anew (after their hints changed): each
        writes over its own earlier output; returns how many."""
        count = 0
        for item in self.items:
            if item.id in ids and item.status == Status.DONE:
                item.previous = item.output or item.previous
                item.status, item.progress, item.output, item.note = Status.WAITING, 0.0, None, ""
                count += 1
        return count

    def move(self, item_id: int, delta: int) -> None:
        i = self.index_of(item_id)
        j = max(0, min(len(self.items) - 1, i + delta))
        self.items.insert(j, self.items.pop(i))

    def counts(self) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for item in self.items:
            counts[item.status] += 1
        return counts

    def unfinished(self) -> int:
        return sum(1 for item in self.items if item.status in (Status.WAITING, Status.WORKING))

    # -- a batch ---------------------------------------------------------------------------------
    def begin_batch(self, planner: OutputPlanner) -> None:
        """A new batch plans outputs afresh; the outputs of photos already finished stay theirs (another
        photo of the same name gets its own)."""
        self._own_outputs(planner)
        for item in self.items:
            if item.status == Status.WAITING:
                item.output, item.note = None, ""

    def _own_outputs(self, planner: OutputPlanner) -> None:
        """Tell ``planner`` the outputs finished photos have, and those waiting photos may write over."""
        for item in self.items:
            if item.status.finished and item.output is not None:
                planner.claim(item.source, item.output)
            elif item.status == Status.WAITING and item.previous is not None:
                planner.replace(item.source, item.previous)

    def preview_outputs(self, settings: OutputSettings) -> dict[int, Path]:
        """Where each waiting photo would be written if a batch started now with ``settings`` (nothing changes)."""
        planner = OutputPlanner(settings)
        self._own_outputs(planner)
        return {item.id: item.previous or planner.decide(item.source, item.relative).job.output
                for item in self.items if item.status == Status.WAITING}

    def plan_waiting(self, planner: OutputPlanner) -> list[QueueItem]:
        """Give every waiting photo not planned yet its output, in queue order (the command line's rule):
        refused ones fail, existing outputs are skipped. Returns the items planned (their ``note`` says
        what the user should be told)."""
        planned = []
        for item in self.items:
            if item.status != Status.WAITING or item.output is not None:
                continue
            if item.previous is not None:  # colorized again: it writes over its own earlier output, wherever
                item.output, item.note = item.previous, ""  # the output folder is set now
                planned.append(item)
                continue
            decision = planner.decide(item.source, item.relative)
            item.output, item.note = decision.job.output, decision.message
            if decision.action == "refuse":
                item.status, item.error, item.output, item.note = Status.FAILED, decision.message, None, ""
            elif decision.action == "skip":
                item.status = Status.SKIPPED
            planned.append(item)
        return planned

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: Path, extra: dict | None = None) -> None:
        """Atomically write the queue (and ``extra``, e.g. the output folder) as JSON."""
        data = {"format": QUEUE_FORMAT, "next_id": self.next_id, "items": [i.to_json() for i in self.items],
                "extra": extra or {}}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".queue.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> tuple[JobQueue, dict]:
        """The saved queue, or an empty one if there is none or it cannot be read."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            queue = cls([QueueItem.from_json(d) for d in data["items"]], int(data["next_id"]))
            return queue, dict(data.get("extra") or {})
        except (OSError, ValueError, KeyError, TypeError, ColorStudioError):
            return cls(), {}
