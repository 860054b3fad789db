"""The training thread: scans folders, trains, evaluates, over the recipe of ``core.training.recipe``.
Talks to the wizard by signals; torch is imported on the thread only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from colorstudio import logs
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.training.recipe import TrainingRun
from colorstudio.gui.images import to_qimage
from colorstudio.gui.threads import Flags, WorkerThread, gpu_turn


class TrainWorker(QObject):
    """Lives on the training thread; its methods are run there by ``TrainingThread``."""

    scanned = Signal(object)  # ScanReport
    scan_failed = Signal(str)
    step = Signal(int, float, float, float)  # step, loss, seconds, eta seconds
    epoch = Signal(int, dict, list)  # epoch, validation scores, [(gray, output, truth) QImages]
    trained = Signal(dict)  # final validation scores
    evaluated = Signal(object, list)  # recipe.Comparison, [(gray, base, new, truth) QImages]
    saved = Signal(str)  # path of the new model
    estimated = Signal(float)  # seconds per training step on this device
    failed = Signal(str)  # the training run ended with an error
    result_failed = Signal(str)  # comparing or saving the trained model did not work
    notice = Signal(str)
    cancelled = Signal()
    paused = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.flags = Flags()
        self.trainer = None

    # -- from the GUI thread: flags, never queued behind a training run ----------------------------------
    def cancel(self) -> None:
        self.flags.cancel()

    def set_paused(self, paused: bool) -> None:
        self.flags.set_paused(paused)
        self.paused.emit(paused)

    # -- on the training thread --------------------------------------------------------------------------
    def scan(self, folder: str) -> None:
        try:
            from colorstudio.core.training.photos import list_photos, scan

            root = Path(folder)
            if not root.is_dir():
                raise OSError(f"{folder} is not a folder")
            self.scanned.emit(scan(list_photos(root)))
        except OSError as exc:
            self.scan_failed.emit(f"Cannot read {folder}: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - a bug: logged and reported, the wizard says it failed
            logs.report_unexpected(f"while looking at the photos in {folder}", exc)
            self.scan_failed.emit(f"Cannot scan {folder}: {exc}")

    def train(self, run: TrainingRun, resume: bool) -> None:
        """Train ``run``, from its checkpoint when ``resume`` (and one was written). The flags are reset by
        ``TrainingThread.train`` on the GUI thread, before this call is queued: a Stop pressed while it
        waits in the queue is not lost."""
        try:
            from colorstudio.core.device import is_accelerator, resolve_device
            from colorstudio.core.errors import Cancelled, ColorStudioError
            from colorstudio.core.training import recipe

            try:
                trainer = recipe.build_trainer(run)
                if resume and trainer.state_path.exists():
                    trainer.resume()
                self.trainer = trainer
                with gpu_turn(is_accelerator(resolve_device(run.device)), self.notice.emit,
                              "Training waits: the batch queue is colorizing a photo on the GPU."):
                    best = trainer.run(on_event=self._on_event, should_cancel=self.flags.should_cancel)
                recipe.mark_trained(run)  # kept for later if the wizard is closed before the model is saved
                self.trained.emit(best)
            except Cancelled:
                self.cancelled.emit()
            except ColorStudioError as exc:
                self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must end the run with a message, not kill the thread
            logs.report_unexpected("while training", exc)
            self.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")

    def _on_event(self, event) -> None:
        if event.kind == "step":
            self.step.emit(event.step, event.loss, event.seconds, event.eta_seconds)
        elif event.kind == "epoch":
            self.epoch.emit(event.epoch, event.val, _images(event.samples))

    def _trained(self, run: TrainingRun):
        """The trainer of ``run``: this session's, or a run trained earlier loaded from its checkpoint."""
        from colorstudio.core.training import recipe

        if self.trainer is None:
            self.trainer = recipe.load_trained(run)
        return self.trainer

    def save(self, run: TrainingRun, target: str) -> None:
        try:
            from colorstudio.core.training import recipe

            self.saved.emit(str(recipe.finish(self._trained(run), run, Path(target))))
        except ColorStudioError as exc:
            self.result_failed.emit(f"Could not save the model: {exc}")
        except Exception as exc:  # noqa: BLE001 - a bug: logged and reported, the page says it failed
            logs.report_unexpected("while saving the model", exc)
            self.result_failed.emit(f"Could not save the model: {exc}")

    def estimate(self, base: str, size: int, batch: int, device: str) -> None:
        try:
            from colorstudio.core.training import recipe

            self.estimated.emit(recipe.seconds_per_step(recipe.start(base).model, size, batch, device))
        except Exception:  # noqa: BLE001 - an estimate is optional
            self.estimated.emit(float("nan"))

    def evaluate(self, run: TrainingRun) -> None:
        """The new model (EMA weights) against the one it started from, on the validation photos."""
        try:
            from colorstudio.core.training import recipe

            result = recipe.compare(recipe.base_model(run), self._trained(run).ema, run.val, run.device,
                                    crop_size=run.size)
            self.evaluated.emit(result, _images(result.samples))
        except Exception as exc:  # noqa: BLE001
            logs.report_unexpected("while comparing the models", exc)
            self.result_failed.emit(f"Could not compare the models: {exc}")


def _images(samples: list) -> list:
    return [tuple(to_qimage(a) for a in images) for images in samples]


class TrainingThread(WorkerThread):
    """The training thread and its worker; requests run on it in order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("colorstudio-training", TrainWorker(), parent)

    def scan(self, folder: str) -> None:
        self.submit(self.worker.scan, folder)

    def estimate(self, base: str, size: int, batch: int, device: str) -> None:
        self.submit(self.worker.estimate, base, size, batch, device)

    def train(self, run: TrainingRun, resume: bool = False) -> None:
        # Not cancelled from now on: reset here, before the call waits in the queue, not when it begins
        # (a Stop pressed meanwhile would be lost); as gui/worker.py's Engine.run does.
        self.worker.flags.reset()
        self.submit(self.worker.train, run, resume)

    def evaluate(self, run: TrainingRun) -> None:
        self.submit(self.worker.evaluate, run)

    def save(self, run: TrainingRun, target: str) -> None:
        self.submit(self.worker.save, run, target)

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Stop a training run between steps (its checkpoint stays) and end the thread."""
        self.worker.cancel()
        return self.stop(timeout_ms)
