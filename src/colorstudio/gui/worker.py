"""The engine thread: one long-lived QThread whose worker owns the loaded model and runs one photo at a
time. The rest of the GUI only sends requests and connects to signals; this is the only module that
knows about threads. Torch is imported inside the thread, never at module level.

A finished photo is written by a second, short-lived helper (the saver) while the engine already
colorizes the next one: ``job_computed`` says the engine is free, ``job_finished`` that the file is on
disk. At most one photo waits to be written, so memory stays bounded."""

from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from colorstudio.gui.images import Pyramid

# One GPU, two users: a photo of the queue holds it while it is colorized; a training run holds it for the
# whole run. Whoever comes second waits, and says so. Nothing is locked on the CPU.
GPU_LOCK = threading.Lock()


@dataclass(frozen=True)
class JobRequest:
    id: int
    source: Path
    output: Path | None  # None: a preview, nothing is written
    options: dict = field(default_factory=dict)  # ColorizeOptions fields
    quality: int = 95
    max_pixels: int = 400_000_000
    strokes: tuple = ()  # dust-mask edits, [x, y, radius, add] each


@dataclass
class JobResult:
    id: int
    output: Path | None
    before: Pyramid | None  # None for a photo the viewer was not showing (see EngineWorker.shown_id)
    after: Pyramid | None
    seconds: float  # colorizing (the engine's time; writing overlaps the next photo)


class gpu_turn:  # noqa: N801 - used like a function: `with gpu_turn(...)`
    """Hold the GPU for a block, telling the user when it has to wait for the other user."""

    def __init__(self, on_gpu: bool, notice, waiting_message: str) -> None:
        self.on_gpu, self.notice, self.message = on_gpu, notice, waiting_message

    def __enter__(self) -> None:
        if self.on_gpu and not GPU_LOCK.acquire(blocking=False):
            self.notice(self.message)
            GPU_LOCK.acquire()

    def __exit__(self, *exc) -> None:
        if self.on_gpu:
            GPU_LOCK.release()


class EngineWorker(QObject):
    model_ready = Signal(str, str)  # model name, device description
    model_failed = Signal(str)
    job_started = Signal(int)
    job_progress = Signal(int, int, int)  # id, tiles done, tiles total
    job_computed = Signal(int)  # id: colorized, now being written; the engine takes the next photo
    job_finished = Signal(object)  # JobResult: written (or, for a preview, ready)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    mask_ready = Signal(int, object)  # item id, QImage overlay (red where the photo will be inpainted)
    notice = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.model = None
        self.model_name = ""
        self.device = "auto"
        self._cancel = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="colorstudio-save")
        self._saving: Future | None = None
        # The photo the viewer shows (None: none selected, the next one done is shown). Only that one gets
        # its before/after pyramids: for the others the halvings would take cores from the next photo's
        # network, and their memory would be kept for nothing (the viewer reads the files if asked).
        self.shown_id: int | None = None

    # -- called from the GUI thread (thread-safe flags) ---------------------------------------------
    def cancel_current(self) -> None:
        self._cancel.set()
        self._running.set()

    def set_paused(self, paused: bool) -> None:
        if paused:
            self._running.clear()
        else:
            self._running.set()

    def _should_cancel(self) -> bool:
        """Checked between tiles: waits while paused, True once cancelled."""
        while not self._running.wait(0.1):
            if self._cancel.is_set():
                break
        return self._cancel.is_set()

    # -- slots, run in the engine thread --------------------------------------------------------------
    @Slot(str, str)
    def load_model(self, name: str, device: str) -> None:
        try:
            from colorstudio.core import catalog
            from colorstudio.core.device import describe_device, resolve_device

            entry = catalog.resolve_model(name or None)
            dev = resolve_device(device)
            model, _ = catalog.load(entry, device="cpu")
            # what every job needs, imported now rather than inside the first photo's time
            from colorstudio.core import batch, imageio, pipeline  # noqa: F401

            model.to(dev)
            self.model, self.model_name, self.device = model, entry.name, device
            self.model_ready.emit(entry.name, describe_device(dev))
        except Exception as exc:  # noqa: BLE001 - reported to the user, the thread lives on
            self.model = None
            self.model_failed.emit(str(exc))

    @Slot()
    def release_memory(self) -> None:
        """Hand the memory a batch kept for reuse back to the system (the queue has gone idle)."""
        from colorstudio.core import allocator

        self.wait_for_saving()
        allocator.release()

    @Slot(object)
    def compute_mask(self, request: JobRequest) -> None:
        """The dust mask the restoration settings and the user's strokes give (for the viewer's overlay)."""
        try:
            from colorstudio.core import imageio
            from colorstudio.core.restoration import RestoreOptions, Stroke, restore_tiled

            photo = imageio.read_image(request.source, max_pixels=request.max_pixels)
            restore = RestoreOptions(**request.options.get("restore", {}))
            _, mask = restore_tiled(photo.pixels, restore, strokes=[Stroke.from_json(s) for s in request.strokes])
            if mask is None:
                import numpy as np

                mask = np.zeros(photo.pixels.shape[:2], bool)
            self.mask_ready.emit(request.id, overlay_image(mask))
        except Exception as exc:  # noqa: BLE001 - reported, the thread lives on
            self.notice.emit(f"Could not compute the dust mask: {exc}")

    @Slot(object)
    def run_job(self, request: JobRequest) -> None:
        self._cancel.clear()
        self.job_started.emit(request.id)
        started = time.monotonic()
        with _JobReport(self, request.id):
            from colorstudio.core import imageio
            from colorstudio.core.device import is_accelerator, resolve_device
            from colorstudio.core.errors import ColorStudioError
            from colorstudio.core.pipeline import ColorizeOptions, colorize
            from colorstudio.core.restoration import RestoreOptions, Stroke

            if self.model is None:
                raise ColorStudioError("no model is loaded")
            photo = imageio.read_image(request.source, max_pixels=request.max_pixels)
            restore = RestoreOptions(**request.options.get("restore", {}))
            strokes = [Stroke.from_json(s) for s in request.strokes]
            options = ColorizeOptions(**{**request.options, "device": self.device, "restore": restore})
            with gpu_turn(is_accelerator(resolve_device(self.device)), self.notice.emit,
                          "The queue waits: a training run is using the GPU."):
                result = colorize(photo.pixels, self.model, options, strokes=strokes,
                                  progress=lambda d, t: self.job_progress.emit(request.id, d, t),
                                  should_cancel=self._should_cancel, on_notice=self.notice.emit)
            if request.output is None:  # a preview: nothing to write
                self.job_finished.emit(JobResult(request.id, None, Pyramid(photo.pixels), Pyramid(result),
                                                 time.monotonic() - started))
                return
            self.wait_for_saving()  # one photo at a time waits to be written
            self._saving = self._saver.submit(self._save, request, photo, result, time.monotonic() - started)
            self.job_computed.emit(request.id)

    def _save(self, request: JobRequest, photo, result, seconds: float) -> None:
        """On the saver thread: write the output atomically, then hand the before/after to the window."""
        with _JobReport(self, request.id):
            from colorstudio.core.batch import write_result

            write_result(request.output, result, photo, self.model_name, request.quality)
            if self.shown_id is None:  # none selected: the window shows (and selects) the first one done
                self.shown_id = request.id
            shown = self.shown_id == request.id
            self.job_finished.emit(JobResult(request.id, request.output, Pyramid(photo.pixels) if shown else None,
                                             Pyramid(result) if shown else None, seconds))

    def wait_for_saving(self) -> None:
        """Block until the photo being written (if any) is on disk."""
        if self._saving is not None:
            self._saving.result()
            self._saving = None

    def close(self) -> None:
        """Finish writing and stop the saver (after the engine thread has ended)."""
        self.wait_for_saving()
        self._saver.shutdown(wait=True)


class _JobReport:
    """Turns what goes wrong in a job into the right signal; the threads live on."""

    def __init__(self, worker: EngineWorker, job_id: int) -> None:
        self.worker, self.job_id = worker, job_id

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None:
            return False
        from colorstudio.core.errors import Cancelled, ColorStudioError

        w = self.worker
        if isinstance(exc, Cancelled):
            w.job_cancelled.emit(self.job_id)
        elif isinstance(exc, ColorStudioError):
            w.job_failed.emit(self.job_id, str(exc))
        elif isinstance(exc, MemoryError):
            w.job_failed.emit(self.job_id, "not enough memory for this photo; lower the render size")
        elif isinstance(exc, Exception):  # a bug must fail the job, not kill the thread
            traceback.print_exception(kind, exc, tb)
            w.job_failed.emit(self.job_id, f"unexpected error: {kind.__name__}: {exc}")
        else:
            return False  # KeyboardInterrupt, SystemExit: not ours to swallow
        return True


def overlay_image(mask, longest: int = 2048):
    """A translucent red QImage of ``mask`` (bool), at most ``longest`` px, for the viewer."""
    import cv2
    import numpy as np
    from PySide6.QtGui import QImage

    h, w = mask.shape
    scale = min(1.0, longest / max(h, w))
    small = cv2.resize(mask.astype(np.uint8) * 255, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else mask.astype(np.uint8) * 255
    rgba = np.zeros(small.shape + (4,), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 3] = (small.astype(np.uint16) * 170 // 255).astype(np.uint8)
    return QImage(rgba.data, rgba.shape[1], rgba.shape[0], 4 * rgba.shape[1],
                  QImage.Format.Format_RGBA8888).copy()


class Engine(QObject):
    """Owns the engine thread. Send work with ``load_model``/``run``; connect to ``worker``'s signals."""

    _load = Signal(str, str)
    _run = Signal(object)
    _mask = Signal(object)
    _release = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("colorstudio-engine")
        self.worker = EngineWorker()
        self.worker.moveToThread(self.thread)
        self._load.connect(self.worker.load_model)
        self._run.connect(self.worker.run_job)
        self._mask.connect(self.worker.compute_mask)
        self._release.connect(self.worker.release_memory)
        self.busy = False  # the engine thread is colorizing a photo (a photo being written does not count)
        self._current: int | None = None
        self.worker.job_started.connect(self._started)
        self.worker.job_computed.connect(self._idle)
        self.worker.job_failed.connect(self._failed)
        self.worker.job_cancelled.connect(self._idle)
        self.worker.job_finished.connect(self._finished)
        self.thread.start()

    def _started(self, job_id: int) -> None:
        self.busy, self._current = True, job_id

    # Methods, not lambdas: a lambda has no thread of its own and would run on the emitting thread.
    def _idle(self, job_id: int) -> None:
        if job_id == self._current:  # not a photo the saver finished while the next one runs
            self.busy, self._current = False, None

    def _failed(self, job_id: int, _reason: str) -> None:
        self._idle(job_id)

    def _finished(self, result: JobResult) -> None:
        self._idle(result.id)

    def load_model(self, name: str, device: str) -> None:
        self._load.emit(name, device)

    def run(self, request: JobRequest) -> None:
        self.busy, self._current = True, request.id
        self._run.emit(request)

    def compute_mask(self, request: JobRequest) -> None:
        self._mask.emit(request)

    def release_memory(self) -> None:
        self._release.emit()

    def pause(self, paused: bool) -> None:
        self.worker.set_paused(paused)

    def cancel(self) -> None:
        self.worker.cancel_current()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Stop the current job between tiles, finish writing a photo already colorized, and end the
        threads; True if the engine thread ended in time."""
        self.worker.cancel_current()
        self.thread.quit()
        ended = self.thread.wait(timeout_ms)
        self.worker.close()
        return ended
