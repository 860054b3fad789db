"""Every thread of the window, in one place.

- ``WorkerThread``: one long-lived QThread that runs the calls sent to it in order (the engine, which owns
  the loaded model; the training run). Its worker object lives in that thread, so the worker's signals
  reach the window's slots as queued calls on the GUI thread.
- ``Flags``: the cancel/pause pair a long job checks between its steps (tiles, training steps). Set from
  the GUI thread, read by the job: ``threading.Event``s, nothing else is shared.
- ``TaskPool``: small functions (a thumbnail, a photo for the viewer) run on a pool and their results
  handed to a callback on the GUI thread.
- ``gpu_turn``: the queue and a training run take turns on one GPU.
- ``Latest``: a one-place mailbox where a newer request replaces an older one not yet taken (the hint
  tool's live preview: the newest edit wins, none is queued behind another).

superqt's thread workers were considered for ``TaskPool``: they wrap every task in
``warnings.catch_warnings()``, which swaps the process's warning filters and is not thread-safe
(Python's documentation says so), and several thumbnails run at once; they also bring qtpy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from colorstudio import logs

# One GPU, two users: a photo of the queue holds it while it is colorized; a training run holds it for the
# whole run. Whoever comes second waits, and says so. Nothing is locked on the CPU.
GPU_LOCK = threading.Lock()


class gpu_turn:  # noqa: N801 - used like a function: `with gpu_turn(...)`
    """Hold the GPU for a block, telling the user when it has to wait for the other user."""

    def __init__(self, on_gpu: bool, notice: Callable[[str], None], waiting_message: str) -> None:
        self.on_gpu, self.notice, self.message = on_gpu, notice, waiting_message

    def __enter__(self) -> None:
        if self.on_gpu and not GPU_LOCK.acquire(blocking=False):
            self.notice(self.message)
            GPU_LOCK.acquire()

    def __exit__(self, *exc) -> None:
        if self.on_gpu:
            GPU_LOCK.release()


class Flags:
    """Cancel and pause for a long job: set from the GUI thread, checked by the job between steps."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()  # a paused job wakes up to see it is cancelled

    def set_paused(self, paused: bool) -> None:
        (self._running.clear if paused else self._running.set)()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def reset(self) -> None:
        """A new job starts: not cancelled (a pause stays as the user set it)."""
        self._cancel.clear()

    def should_cancel(self) -> bool:
        """Checked between steps: waits while paused; True once cancelled."""
        while not self._running.wait(0.1):
            if self._cancel.is_set():
                break
        return self._cancel.is_set()


class Latest:
    """Holds the newest request only: ``put`` replaces one not yet taken; ``take`` empties it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item = None

    def put(self, item) -> bool:
        """Leave ``item`` (not None); True when the box was empty (nobody is yet due to take it)."""
        with self._lock:
            was_empty, self._item = self._item is None, item
            return was_empty

    def take(self):
        with self._lock:
            item, self._item = self._item, None
            return item

    def waiting(self) -> bool:
        """Whether a request is waiting (a job in progress for an older one may stop)."""
        with self._lock:
            return self._item is not None


class _Calls(QObject):
    """Lives in a WorkerThread and runs what is sent to it."""

    @Slot(object)
    def run(self, call) -> None:
        function, args = call
        function(*args)


class WorkerThread(QObject):
    """A long-lived thread for ``worker``: ``submit(worker.method, args...)`` runs the call there, in order."""

    _submit = Signal(object)

    def __init__(self, name: str, worker: QObject, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.worker = worker
        worker.moveToThread(self.thread)
        self._calls = _Calls()
        self._calls.moveToThread(self.thread)
        self._submit.connect(self._calls.run)
        self.thread.start()

    def submit(self, function: Callable, *args) -> None:
        self._submit.emit((function, args))

    def stop(self, timeout_ms: int = 30000) -> bool:
        """End the thread once the call in progress returns; True if it ended in time."""
        self.thread.quit()
        return self.thread.wait(timeout_ms)


class _TaskSignals(QObject):
    done = Signal(object, object)  # callback, result


class _Task(QRunnable):
    def __init__(self, function: Callable, args: tuple, callback: Callable, signals: _TaskSignals) -> None:
        super().__init__()
        self.function, self.args, self.callback, self.signals = function, args, callback, signals

    def run(self) -> None:
        try:
            result = self.function(*self.args)
        except Exception as exc:  # noqa: BLE001 - a task handles its expected errors; a bug: reported, not fatal
            logs.report_unexpected("in a background task", exc)
            return
        self.signals.done.emit(self.callback, result)


class TaskPool(QObject):
    """Runs small functions off the GUI thread; ``then(result)`` is called on the GUI thread."""

    def __init__(self, threads: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._signals = _TaskSignals()
        self._signals.done.connect(self._deliver)  # a method of an object of the GUI thread: queued there

    def run(self, function: Callable, *args, then: Callable) -> None:
        self.pool.start(_Task(function, args, then, self._signals))

    def _deliver(self, callback: Callable, result) -> None:
        callback(result)

    def wait(self, timeout_ms: int = 5000) -> bool:
        return self.pool.waitForDone(timeout_ms)
