"""Runs the queue through the engine one photo at a time: plans outputs with the command line's rule
(``batch.OutputPlanner``), skips finished ones, keeps the queue saved on disk after every change, pauses,
cancels, and estimates the time left.

A batch keeps the settings it was started with (``self.batch``): changing a setting while it runs applies to
the next batch (the settings panel says so), never to the photos still waiting. Photos added while it runs
join it, with its settings.

The engine colorizes the next photo while the previous one is written (see worker.py): ``current`` is the
photo being colorized, ``saving`` those being written; an item is Done when its file is on disk."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from colorstudio.core.batch import OutputPlanner
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.options import JobSettings
from colorstudio.core.queue import Countdown, PhotoTimes, Status
from colorstudio.gui.engine import Engine
from colorstudio.gui.messages import FolderChoice, JobRequest, JobResult
from colorstudio.gui.queue_model import QueueModel

SAVE_EVERY_MS = 1000


class BatchRunner(QObject):
    progress = Signal(int, int, float, float)  # photos finished, photos in the run, current fraction, eta s
    runningChanged = Signal(bool)
    pausedChanged = Signal(bool)
    itemFinished = Signal(int, object)  # item id, JobResult
    previewReady = Signal(int, object)
    finished = Signal(dict)  # counts by status name
    message = Signal(str)

    def __init__(self, model: QueueModel, engine: Engine, settings: Callable[[], JobSettings],
                 state_path: Path, reference_folder: Callable[[], Path | None] = lambda: None) -> None:
        """``settings()`` returns the window's current settings (raising ``OptionError`` when one is invalid);
        ``reference_folder()`` the folder of colour photos a batch takes references from (None: none)."""
        super().__init__()
        self.reference_folder = reference_folder
        self.folder: FolderChoice | None = None  # the running batch's
        self._batches = 0
        self.model, self.engine, self.settings, self.state_path = model, engine, settings, state_path
        self.running = False
        self.paused = False
        self.batch: JobSettings | None = None  # the settings the running batch was started with
        self._planner: OutputPlanner | None = None
        self.current: int | None = None
        self.saving: set[int] = set()
        self.closing = False  # the window is closing: a photo stopped now is redone next time
        self.interrupted = False  # the window closed while the batch ran
        self._previews: set[int] = set()
        self.batch_ids: list[int] = []  # the photos of the current (or last) batch, in order
        self.times = PhotoTimes()
        self.countdown = Countdown()  # the time left as shown (eased, never growing for a slow photo)
        self.outcome = ""  # how the last batch ended: "finished" or "cancelled" ("" while none has)
        # During a batch the queue is saved at most once a second (each save writes every photo's row: after
        # every photo, a batch of 3,000 spent more time saving than colorizing); ``save()`` saves at once.
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_EVERY_MS)
        self._save_timer.timeout.connect(self.save)
        w = engine.worker
        w.job_stage.connect(self._on_stage)
        for signal, slot in ((w.job_progress, self._on_progress), (w.job_computed, self._on_computed),
                             (w.job_finished, self._on_finished), (w.job_failed, self._on_failed),
                             (w.job_cancelled, self._on_cancelled)):
            signal.connect(slot)

    @property
    def queue(self):
        return self.model.queue

    def close(self) -> None:
        """The window is closing: a batch running now is interrupted (the next start offers to continue it),
        and the photo being colorized stays waiting on disk."""
        self.interrupted = self.running
        self.running = False
        self.closing = True

    def save(self) -> None:
        """The queue on disk, and whether a batch was running (the next start offers to continue only then)."""
        self._save_timer.stop()
        self.queue.save(self.state_path, {"batch_running": self.running or self.interrupted})

    def _save_soon(self) -> None:
        if not self._save_timer.isActive():
            self._save_timer.start()

    def _current_settings(self, doing: str) -> JobSettings | None:
        try:
            return self.settings()
        except ColorStudioError as exc:
            self.message.emit(f"Cannot {doing}: {exc}.")
            return None

    # -- control -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self.paused:
            self.set_paused(False)
        if not self.running:
            settings = self._current_settings("start")
            if settings is None:
                return
            cancelled = {item.id for item in self.queue.items if item.status == Status.CANCELLED}
            if cancelled:  # stopped by the user, not by a fault: a new batch takes them again
                self.model.reset(lambda: self.queue.retry(cancelled))
            self._begin(settings)
        self._plan_waiting()  # photos added to a running batch show their outputs at once
        self._next()

    def _begin(self, settings: JobSettings) -> None:
        self.batch = settings
        self._batches += 1
        folder = self.reference_folder()
        self.folder = FolderChoice(folder, self._batches) if folder is not None else None
        self._planner = OutputPlanner(settings.output)
        self.queue.begin_batch(self._planner)
        self.batch_ids, self.times, self.countdown, self.outcome = [], PhotoTimes(), Countdown(), ""
        self.running = True
        self.runningChanged.emit(True)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.model.paused = paused
        self.engine.pause(paused)
        if self.current is not None:
            self.model.refresh(self.current)
        self.pausedChanged.emit(paused)
        self._emit_progress()
        if not paused:
            self._next()

    def cancel(self) -> None:
        """Stop the batch; the current photo stops between tiles and nothing of it is written."""
        if not self.running:
            return
        self.running = False
        if self.engine.busy:  # first: a paused photo wakes up cancelled, it does not finish its last tiles
            self.engine.cancel()
        if self.paused:
            self.set_paused(False)
        self._end("cancelled")

    def preview(self, item_id: int) -> None:
        item = self.queue.get(item_id)
        if item is None or self.engine.busy:
            self.message.emit("Preview waits until the current photo is done.")
            return
        settings = self._current_settings("preview")
        if settings is None:
            return
        self._previews.add(item_id)
        folder = self.reference_folder()
        self.engine.run(JobRequest.for_item(item, settings, folder=FolderChoice(folder, 0) if folder else None))

    # -- the loop ----------------------------------------------------------------------------------
    def _plan_waiting(self) -> None:
        for item in self.queue.plan_waiting(self._planner):
            if item.id not in self.batch_ids:  # at the start, or added to the running batch
                self.batch_ids.append(item.id)
            if item.note or item.status == Status.FAILED:
                self.message.emit(f"{item.source.name}: {item.note or item.error}.")
            self.model.refresh(item.id)

    def _next(self) -> None:
        if not self.running or self.paused or self.engine.busy:
            return
        self._plan_waiting()
        item = self.queue.next_waiting()
        if item is not None:
            item.status, item.progress = Status.WORKING, 0.0
            self.current = item.id
            self.model.refresh(item.id)
            self._save_soon()
            self.engine.run(JobRequest.for_item(item, self.batch, item.output, self.folder))
            self._emit_progress()
            return
        if self.saving:  # the last photos are still being written: finished when they are on disk
            return
        self.running = False
        self.current = None
        self.engine.release_memory()  # the batch kept its buffers for reuse; idle now, give them back
        self._end("finished")
        self.finished.emit({status.value: n for status, n in self.counts().items()})

    def _end(self, outcome: str) -> None:
        """The batch is over: photos it did not reach show where they would go again (planned afresh next time)."""
        self.outcome = outcome
        for item in self.queue.items:
            if item.status == Status.WAITING and item.output is not None:
                item.output, item.note = None, ""
        self.save()
        self.model.refresh_all()
        self.runningChanged.emit(False)
        self._emit_progress()

    def _finish_item(self, item_id: int, status: Status, error: str = "") -> None:
        item = self.queue.get(item_id)
        if item is not None:
            item.status, item.error = status, error
            if status != Status.DONE:
                item.progress, item.output = 0.0, None  # nothing was written: name no output
            self.model.refresh(item_id)
        if item_id == self.current:
            self.current = None
        self.saving.discard(item_id)
        self._save_soon()
        self._emit_progress()
        self._next()

    def _on_computed(self, item_id: int) -> None:
        """Colorized and being written: the engine is free for the next photo."""
        if item_id != self.current:  # already written and finished (the saver was quicker)
            return
        self.current = None
        self.saving.add(item_id)
        self._next()

    def _on_stage(self, item_id: int, stage: str) -> None:
        """The photo is restored first (its row says "Restoring n%"), then colorized from 0% again."""
        if item_id in self._previews:
            return
        self.model.restoring = item_id if stage == "restoring" else None
        item = self.queue.get(item_id)
        if item is not None:
            item.progress = 0.0
            self.model.refresh(item_id)

    def _on_progress(self, item_id: int, done: int, total: int) -> None:
        if item_id in self._previews:
            return
        item = self.queue.get(item_id)
        if item is not None:
            item.progress = done / max(1, total)
            self.model.refresh(item_id)
            self._emit_progress()

    def _on_finished(self, result: JobResult) -> None:
        if result.id in self._previews:
            self._previews.discard(result.id)
            self.previewReady.emit(result.id, result)
            self._next()
            return
        item = self.queue.get(result.id)
        if item is not None:
            item.status = Status.DONE  # already, for the window: a photo done is shown from its files
            item.reference_note = result.reference_note  # (its row says which reference it took)
            item.reference_detail = result.reference_detail
            self.times.add(item.width * item.height / 1e6, result.seconds)
        self.itemFinished.emit(result.id, result)
        self._finish_item(result.id, Status.DONE)

    def _on_failed(self, item_id: int, reason: str) -> None:
        if item_id in self._previews:
            self._previews.discard(item_id)
            self.message.emit(f"Preview failed: {reason}")
            return
        self._finish_item(item_id, Status.FAILED, reason)

    def _on_cancelled(self, item_id: int) -> None:
        if item_id in self._previews:
            self._previews.discard(item_id)
            return
        if self.closing:  # stays Working on disk, so the next session does it again
            return
        self._finish_item(item_id, Status.CANCELLED, "cancelled; nothing was written")

    # -- what the window shows: one source for the status line, the bar and the time left ---------------
    def batch_items(self) -> list:
        return [item for item in map(self.queue.get, self.batch_ids) if item is not None]

    def counts(self) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for item in self.batch_items():
            counts[item.status] += 1
        return counts

    def status(self) -> tuple[str, int, int, float, float]:
        """(status line, photos finished, photos in the batch, fraction of the current one, seconds left)."""
        items = self.batch_items()
        # (a cancelled photo is not finished: after Cancel the bar shows the photos done, not one more)
        finished = sum(1 for i in items if i.status not in (Status.WAITING, Status.WORKING, Status.CANCELLED))
        current = self.queue.get(self.current) if self.current is not None else None
        # (the time left counts the network's tiles; a photo being restored has not begun them)
        restoring = current is not None and self.model.restoring == current.id
        fraction = current.progress if current is not None and not restoring else 0.0
        if not self.running:
            counts = self.counts()
            parts = [f"{counts[s]} {s.value}" for s in Status if counts[s] and s != Status.WAITING]
            if counts[Status.WAITING]:
                parts.append(f"{counts[Status.WAITING]} not started")
            text = f"Batch {self.outcome}: {', '.join(parts) or 'nothing to do'}." if self.outcome else ""
            return text, finished, len(items), 0.0, float("nan")
        position = f"{min(finished + 1, len(items))} of {len(items)}"
        if self.paused:
            name = current.source.name if current is not None else "the batch"
            return f"Paused: {name} ({position}). Pause again (Ctrl+P) to continue.", finished, \
                len(items), fraction, float("nan")
        waiting = [i.width * i.height / 1e6 for i in items if i.status == Status.WAITING]
        eta = self.times.left(waiting, current.width * current.height / 1e6 if current else None, fraction)
        doing = "Restoring" if restoring else "Colorizing"
        text = f"{doing} {current.source.name} ({position})…" if current else "Writing the last photo…"
        return text, finished, len(items), fraction, eta

    def _emit_progress(self) -> None:
        _, finished, total, fraction, eta = self.status()
        self.progress.emit(finished, total, fraction, self.countdown.show(eta, time.monotonic()))
