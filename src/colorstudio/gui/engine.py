"""The engine: one long-lived thread (``threads.WorkerThread``) whose worker owns the loaded model, a core
``jobs.Colorizer``, and runs one photo at a time through the same read-colorize-write as the command line.
The rest of the GUI only sends requests and connects to signals. Torch is imported inside the thread,
never at module level.

A finished photo is written by a second, short-lived helper (the saver) while the engine already
colorizes the next one: ``job_computed`` says the engine is free, ``job_finished`` that the file is on
disk. At most one photo waits to be written, so memory stays bounded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from colorstudio import logs
from colorstudio.core.run_control import RunControl
from colorstudio.gui.images import Pyramid, overlay_image
from colorstudio.gui.messages import HintView, JobRequest, JobResult
from colorstudio.gui.reference_photo import FolderOpener, GuidedPreview, ReferenceCache, note_for
from colorstudio.gui.threads import Flags, Latest, WorkerThread, gpu_turn


class ShownPhoto:
    """The photo the viewer shows (None: none selected, the next one done is shown). Set by the GUI thread,
    read and set by the saver; only that photo gets its before/after pyramids: for the others the halvings
    would take cores from the next photo's network, and their memory would be kept for nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._id: int | None = None

    def set(self, item_id: int | None) -> None:
        with self._lock:
            self._id = item_id

    def take(self, item_id: int) -> bool:
        """Whether ``item_id`` is shown; with none selected, it becomes the one shown."""
        with self._lock:
            if self._id is None:
                self._id = item_id
            return self._id == item_id


class PreparedPreview:
    """The live preview of the photo being edited (``reference_photo.GuidedPreview`` over
    ``core.hint_preview.HintPreview``: the photo read and shrunk, the network run once), what it was prepared
    for, and the edit whose quick view was shown last."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.key: tuple | None = None  # (item id, source, settings)
        self.preview = None
        self.version = -1
        self.plain_for: tuple | None = ()  # the reference its hint-less colours were sent with (): not yet

    def prepared(self, key: tuple, preview) -> None:
        self.key, self.preview, self.version, self.plain_for = key, preview, -1, ()


class EngineWorker(QObject):
    model_ready = Signal(str, str)  # model name, device description
    model_failed = Signal(str)
    job_started = Signal(int)
    job_progress = Signal(int, int, int)  # id, tiles done, tiles total (of the step it is at)
    job_stage = Signal(int, str)  # id, "restoring" or "colorizing" (see core.run_control.RunControl)
    job_computed = Signal(int)  # id: colorized, now being written; the engine takes the next photo
    job_finished = Signal(object)  # JobResult: written (or, for a preview, ready)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    mask_ready = Signal(int, object)  # item id, QImage overlay (red where the photo will be inpainted)
    hint_view_ready = Signal(object)  # HintView
    hint_plain_ready = Signal(int, object)  # item id, Pyramid: the photo without hints (with its reference)
    hint_suggestions = Signal(object, object)  # the point asked about, core.hint_suggest.Suggestions or None
    notice = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.colorizer = None  # core.jobs.Colorizer, once loaded
        self._loaded: tuple[str, str] | None = None  # (model, device) it was loaded for
        self.flags = Flags()
        self.shown = ShownPhoto()
        self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="colorstudio-save")
        self._saving: Future | None = None
        self.hint_requests = Latest()  # (JobRequest, version, exact): the newest edit only
        self.prepared = PreparedPreview()  # the hint preview of the photo being edited
        self.references = ReferenceCache()  # reference photos read (the window reads dropped ones through it)
        self.folders = FolderOpener()  # Settings > Colour from a folder of my colour photos, once per batch

    # -- run on the engine thread ------------------------------------------------------------------------
    def _ensure_model(self, name: str, options):
        """The colorizer for ``name`` on ``options``' device and engine, loaded if it is not the one in memory."""
        wanted = (name, options.device, options.engine, options.precision)
        if self.colorizer is None or self._loaded != wanted:
            from colorstudio.core.jobs import Colorizer

            self.colorizer, self._loaded = None, None
            self.colorizer = Colorizer.load(name, options.device, options.engine, options.precision,
                                            RunControl(on_notice=self.notice.emit))
            self._loaded = wanted
            self.model_ready.emit(self.colorizer.name, self._device_words(options))
        return self.colorizer

    def _device_words(self, options) -> str:
        """Where and how the model runs, for the status bar ("CPU, 2 threads · OpenVINO · bfloat16")."""
        from colorstudio.core.device import describe_device, resolve_device

        words = f"{describe_device(resolve_device(options.device))} · {self.colorizer.engine}"
        number_format = self.colorizer.model.number_format
        return words if number_format == "float32" else f"{words} · {number_format}"

    def load_model(self, name: str, options) -> None:
        try:
            self._ensure_model(name, options)
        except Exception as exc:  # noqa: BLE001 - reported to the user, the thread lives on
            _unless_expected(exc, "while loading the model")
            self.model_failed.emit(str(exc))

    def release_memory(self) -> None:
        """Hand the memory a batch kept for reuse back to the system (the queue has gone idle)."""
        from colorstudio.core import allocator

        self.wait_for_saving()
        allocator.release()

    def compute_mask(self, request: JobRequest) -> None:
        """The dust mask the restoration settings and the user's strokes give (for the viewer's overlay)."""
        try:
            from colorstudio.core import imageio
            from colorstudio.core.restoration import restore_tiled

            photo = imageio.read_image(request.source, max_pixels=request.settings.max_pixels)
            _, mask = restore_tiled(photo.pixels, request.settings.options.restore, strokes=request.strokes)
            if mask is None:
                import numpy as np

                mask = np.zeros(photo.pixels.shape[:2], bool)
            self.mask_ready.emit(request.id, overlay_image(mask))
        except Exception as exc:  # noqa: BLE001 - reported, the thread lives on
            _unless_expected(exc, "while computing the dust mask")
            self.notice.emit(f"Could not compute the dust mask: {exc}")

    def run_job(self, request: JobRequest) -> None:
        self.job_started.emit(request.id)
        started = time.monotonic()
        with _JobReport(self, request):
            from colorstudio.core.device import is_accelerator, resolve_device

            settings = request.settings
            colorizer = self._ensure_model(settings.model, settings.options)
            reference = self._reference_for(request, colorizer)
            with gpu_turn(is_accelerator(resolve_device(settings.options.device)), self.notice.emit,
                          "The queue waits: a training run is using the GPU."):
                rendered = colorizer.render(
                    request.source, settings.options, strokes=request.strokes, hints=request.hints,
                    reference=reference, max_pixels=settings.max_pixels,
                    control=RunControl(progress=lambda d, t: self.job_progress.emit(request.id, d, t),
                                       should_cancel=self.flags.should_cancel, on_notice=self.notice.emit,
                                       on_stage=lambda stage: self.job_stage.emit(request.id, stage)))
            seconds = time.monotonic() - started
            if request.output is None:  # a preview: nothing to write
                self.job_finished.emit(JobResult(request.id, None, Pyramid(rendered.photo.pixels),
                                                 Pyramid(rendered.pixels), seconds, **_notes(rendered)))
                return
            self.wait_for_saving()  # one photo at a time waits to be written
            self._saving = self._saver.submit(self._save, colorizer, request, rendered, seconds)
            self.job_computed.emit(request.id)

    def _own_reference(self, request: JobRequest):
        """The photo's own reference photo (read once, cached), or None."""
        return self.references.get(request.reference) if request.reference is not None else None

    def _reference_for(self, request: JobRequest, colorizer):
        """The photo's own reference (read once, cached), else the batch's folder (opened once), else None."""
        if request.reference is not None:
            return self._own_reference(request)
        if request.folder is None:
            return None
        name = request.folder.folder.name
        return self.folders.get(request.folder, colorizer.model, RunControl(
            progress=lambda done, total: self.notice.emit(f"Reading the colour photos of {name}: {done} of {total}"),
            should_cancel=self.flags.should_cancel, on_notice=self.notice.emit))

    def show_hints(self) -> None:
        """The live preview of the newest hint edit: quick (spread only) at once, then, when asked and no
        newer edit waits, exact (the network sees the hints); the exact one stops for a newer edit."""
        from colorstudio.core.errors import Cancelled, ColorStudioError

        while (task := self.hint_requests.take()) is not None:
            request, version, exact = task
            try:
                preview = self._hint_preview(request)
                hints = request.hints
                reference = self._own_reference(request)
                if version != self.prepared.version:
                    self._emit_hint_view(request, version, preview.quick(hints, reference), False)
                    self.prepared.version = version
                if exact and not self.hint_requests.waiting():
                    pixels = preview.exact(hints, reference, RunControl(should_cancel=self.hint_requests.waiting))
                    self._emit_hint_view(request, version, pixels, True)
            except Cancelled:
                continue  # a newer edit is waiting: it is next
            except (ColorStudioError, MemoryError) as exc:
                self.prepared.forget()
                self.notice.emit(f"The live preview stopped: {exc}")
            except Exception as exc:  # noqa: BLE001 - a bug: reported, the thread lives on
                self.prepared.forget()
                logs.report_unexpected("while previewing colour hints", exc)

    def suggest_hint(self, request: JobRequest, x: float, y: float, radius: float, point) -> None:
        """The model's colours for photo point (x, y) (``core.hint_suggest``), from the prepared preview."""
        try:
            suggestions = self._hint_preview(request).suggest(x, y, radius)
        except Exception as exc:  # noqa: BLE001 - the chooser says there are none; a bug is reported
            _unless_expected(exc, "while suggesting hint colours")
            suggestions = None
        self.hint_suggestions.emit(point, suggestions)

    def _hint_preview(self, request: JobRequest):
        """The photo's prepared preview (read, shrunk, the network run once), made again when the photo or
        the settings change."""
        key = (request.id, request.source, request.settings)  # not the hints: those are what changes
        if self.prepared.key != key:
            from colorstudio.core import imageio
            from colorstudio.core.hint_preview import HintPreview

            self.prepared.forget()
            settings = request.settings
            colorizer = self._ensure_model(settings.model, settings.options)
            photo = imageio.read_image(request.source, max_pixels=settings.max_pixels)
            self.prepared.prepared(key, GuidedPreview(HintPreview(colorizer.model, photo.pixels, settings.options)))
        reference = self._own_reference(request)
        said = None if reference is None else (reference.name, reference.sha256, reference.strength)
        if self.prepared.plain_for != said:  # a new hint starts from the colour shown without hints (with this)
            self.prepared.plain_for = said
            h, w = self.prepared.preview.photo_shape
            self.hint_plain_ready.emit(request.id, Pyramid(self.prepared.preview.quick([], reference), size=(w, h)))
        return self.prepared.preview

    def _emit_hint_view(self, request: JobRequest, version: int, pixels, exact: bool) -> None:
        h, w = self.prepared.preview.photo_shape
        after = Pyramid(pixels, size=(w, h))
        self.hint_view_ready.emit(HintView(request.id, version, after, exact))

    def _save(self, colorizer, request: JobRequest, rendered, seconds: float) -> None:
        """On the saver thread: write the output atomically, then hand the before/after to the window."""
        with _JobReport(self, request):
            colorizer.write(request.output, rendered, request.settings.output.quality)
            shown = self.shown.take(request.id)
            self.job_finished.emit(JobResult(request.id, request.output,
                                             Pyramid(rendered.photo.pixels) if shown else None,
                                             Pyramid(rendered.pixels) if shown else None, seconds,
                                             **_notes(rendered)))

    def wait_for_saving(self) -> None:
        """Block until the photo being written (if any) is on disk."""
        if self._saving is not None:
            self._saving.result()
            self._saving = None

    def close(self) -> None:
        """Finish writing and stop the saver (after the engine thread has ended)."""
        self.wait_for_saving()
        self._saver.shutdown(wait=True)


def _notes(rendered) -> dict[str, str]:
    """What a photo's row says of the reference it took (``reference_note``: "references: beach.jpg +2"), and
    where a folder chose it, the core's whole account for its tooltip (``reference_detail``: which photos,
    how well each matched, or that none did)."""
    why = getattr(rendered, "reference_note", "")
    said = note_for(rendered.reference) if rendered.reference is not None else why
    return {"reference_note": said, "reference_detail": why if why != said else ""}


def _unless_expected(exc: Exception, where: str) -> None:
    """A bug (not one of colorstudio's own errors): to the log with its traceback, and the error dialog."""
    from colorstudio.core.errors import ColorStudioError

    if not isinstance(exc, ColorStudioError):
        logs.report_unexpected(where, exc)


class _JobReport:
    """Turns what goes wrong in a job into the right signal; the threads live on. An unexpected error (a bug)
    also goes to the log with its traceback and to the window's error dialog (``colorstudio.logs``)."""

    def __init__(self, worker: EngineWorker, request: JobRequest) -> None:
        self.worker, self.job_id, self.source = worker, request.id, request.source

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
            logs.report_unexpected(f"while colorizing {self.source.name}", exc)
            w.job_failed.emit(self.job_id, f"unexpected error: {kind.__name__}: {exc}")
        else:
            return False  # KeyboardInterrupt, SystemExit: not ours to swallow
        return True


class Engine(QObject):
    """Owns the engine thread. Send work with ``load_model``/``run``; connect to ``worker``'s signals."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = EngineWorker()
        self._thread = WorkerThread("colorstudio-engine", self.worker, self)
        self.thread = self._thread.thread
        self.busy = False  # the engine thread is colorizing a photo (a photo being written does not count)
        self._current: int | None = None
        self.worker.job_started.connect(self._started)
        self.worker.job_computed.connect(self._idle)
        self.worker.job_failed.connect(self._failed)
        self.worker.job_cancelled.connect(self._idle)
        self.worker.job_finished.connect(self._finished)

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

    def load_model(self, name: str, options) -> None:
        self._thread.submit(self.worker.load_model, name, options)

    def run(self, request: JobRequest) -> None:
        self.busy, self._current = True, request.id
        # A new job is not cancelled; a cancel from now on (even before it starts) stops it.
        self.worker.flags.reset()
        self._thread.submit(self.worker.run_job, request)

    def compute_mask(self, request: JobRequest) -> None:
        self._thread.submit(self.worker.compute_mask, request)

    def suggest_hint(self, request: JobRequest, x: float, y: float, radius: float, point) -> None:
        self._thread.submit(self.worker.suggest_hint, request, x, y, radius, point)

    def preview_hints(self, request: JobRequest, version: int, exact: bool) -> None:
        """Show edit ``version`` of a photo's hints live (see ``EngineWorker.show_hints``); a newer call
        replaces this one if the engine has not taken it yet."""
        if self.worker.hint_requests.put((request, version, exact)):
            self._thread.submit(self.worker.show_hints)

    def release_memory(self) -> None:
        self._thread.submit(self.worker.release_memory)

    def set_shown(self, item_id: int | None) -> None:
        self.worker.shown.set(item_id)

    def pause(self, paused: bool) -> None:
        self.worker.flags.set_paused(paused)

    def cancel(self) -> None:
        self.worker.flags.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Stop the current job between tiles, finish writing a photo already colorized, and end the
        threads; True if the engine thread ended in time."""
        self.worker.flags.cancel()
        ended = self._thread.stop(timeout_ms)
        self.worker.close()
        return ended
