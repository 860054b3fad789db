"""The training thread: scans folders, trains, evaluates. Owns the Trainer; talks to the wizard by signals.
Torch is imported inside the thread only."""

from __future__ import annotations

import json
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from colorstudio import paths
from colorstudio.gui.images import to_qimage

MIN_PHOTOS = 20


def runs_dir() -> Path:
    return paths.user_data_dir() / "runs"


@dataclass
class WizardRun:
    """Everything needed to start or resume a wizard training run (saved as wizard.json in its folder)."""

    name: str
    folder: str
    train: list[str]
    val: list[str]
    base: str = ""
    minutes: float = 20.0
    epochs: int = 0
    size: int = 224
    batch: int = 16
    lr: float = 0.0  # 0: default for the base model
    augment: bool = True
    device: str = "auto"
    finished: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return runs_dir() / self.name

    def save(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "wizard.json").write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> WizardRun:
        return cls(**json.loads((run_dir / "wizard.json").read_text(encoding="utf-8")))


def unfinished_runs() -> list[WizardRun]:
    """Wizard runs that stopped (closed, crashed, cancelled) before they were saved as a model."""
    found = []
    for wizard_file in sorted(runs_dir().glob("*/wizard.json")):
        try:
            run = WizardRun.load(wizard_file.parent)
        except (OSError, ValueError, TypeError):
            continue
        if not run.finished and (run.run_dir / "state.safetensors").exists():
            found.append(run)
    return found


class TrainWorker(QObject):
    scanned = Signal(object)  # ScanReport
    scan_failed = Signal(str)
    step = Signal(int, float, float, float)  # step, loss, seconds, eta seconds
    epoch = Signal(int, dict, list)  # epoch, validation scores, [(gray, output, truth) QImages]
    trained = Signal(dict)  # final validation scores
    evaluated = Signal(dict, dict, list)  # base means, new means, [(gray, base, new, truth) QImages]
    saved = Signal(str)  # path of the new model
    estimated = Signal(float)  # seconds per training step on this device
    failed = Signal(str)
    notice = Signal(str)
    cancelled = Signal()
    paused = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.trainer = None

    # -- flags from the GUI thread ------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()

    def set_paused(self, paused: bool) -> None:
        (self._running.clear if paused else self._running.set)()
        self.paused.emit(paused)

    def _should_cancel(self) -> bool:
        while not self._running.wait(0.1):
            if self._cancel.is_set():
                break
        return self._cancel.is_set()

    # -- slots (training thread) ---------------------------------------------------------------------
    @Slot(str)
    def scan(self, folder: str) -> None:
        try:
            from colorstudio.core.training.photos import list_photos, scan

            root = Path(folder)
            if not root.is_dir():
                raise OSError(f"{folder} is not a folder")
            self.scanned.emit(scan(list_photos(root)))
        except OSError as exc:
            self.scan_failed.emit(f"Cannot read {folder}: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001
            self.scan_failed.emit(f"Cannot scan {folder}: {exc}")

    @Slot(object, bool)
    def train(self, run: WizardRun, resume: bool) -> None:
        self._cancel.clear()
        try:
            from colorstudio.core.errors import Cancelled, ColorStudioError

            from colorstudio.core.device import is_accelerator, resolve_device
            from colorstudio.gui.worker import gpu_turn

            try:
                trainer = self._make_trainer(run)
                if resume:
                    trainer.resume()
                self.trainer = trainer
                with gpu_turn(is_accelerator(resolve_device(run.device)), self.notice.emit,
                              "Training waits: the batch queue is colorizing a photo on the GPU."):
                    best = trainer.run(on_event=self._on_event, should_cancel=self._should_cancel)
                self.trained.emit(best)
            except Cancelled:
                self.cancelled.emit()
            except ColorStudioError as exc:
                self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must end the run with a message, not kill the thread
            traceback.print_exc()
            self.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")

    def _make_trainer(self, run: WizardRun):
        from colorstudio.core import catalog
        from colorstudio.core.training.dataset import PhotoPairs
        from colorstudio.core.training.loop import Trainer, TrainConfig

        entry = catalog.resolve_model(run.base or None)
        model, card = catalog.load(entry)
        head = model.config().get("head", "regression")
        loss = "classification" if head == "classification" else card.get("training", {}).get("loss", "colourful")
        lr = run.lr or (5e-4 if model.arch == "unet-lite0" else 1e-3) / 3
        config = TrainConfig(loss=loss, size=run.size, batch=run.batch, lr=lr, epochs=run.epochs,
                             minutes=0 if run.epochs else run.minutes, warmup_steps=20, device=run.device)
        train = PhotoPairs([Path(p) for p in run.train], size=run.size, augment=run.augment)
        val = PhotoPairs([Path(p) for p in run.val], size=run.size, augment=False) if run.val else None
        info = {"base_model": entry.name, "training": {"data": run.folder, "photos_train": len(train),
                                                       "photos_val": len(run.val)}}
        return Trainer(model, train, val, run.run_dir, config, info)

    def _on_event(self, event) -> None:
        if event.kind == "step":
            self.step.emit(event.step, event.loss, event.seconds, event.eta_seconds)
        elif event.kind == "epoch":
            images = [tuple(to_qimage(a) for a in triple) for triple in event.samples]
            self.epoch.emit(event.epoch, event.val, images)

    @Slot(object, str)
    def save(self, run: WizardRun, name: str) -> None:
        try:
            target = paths.user_models_dir() / f"{name}.safetensors"
            self.trainer.export(target, name)
            run.finished = True
            run.save()
            self.saved.emit(str(target))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"Could not save the model: {exc}")

    @Slot(str, int, int, str)
    def estimate(self, base: str, size: int, batch: int, device: str) -> None:
        """Time two training steps of the base model on random data (the first one warms up)."""
        try:
            import torch

            from colorstudio.core import catalog
            from colorstudio.core.device import resolve_device

            dev = resolve_device(device)
            model, _ = catalog.load(catalog.resolve_model(base or None), device=dev)
            model.train()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-5)
            l_in = torch.rand(batch, 1, size, size, device=dev)
            seconds = 0.0
            for i in range(2):
                started = time.monotonic()
                loss = model(l_in).float().pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                seconds = time.monotonic() - started
            self.estimated.emit(seconds)
        except Exception as exc:  # noqa: BLE001 - an estimate is optional
            self.estimated.emit(float("nan"))

    @Slot(object)
    def evaluate(self, run: WizardRun) -> None:
        """The new model (EMA weights) against the base model, on the validation photos, full pipeline."""
        try:
            from colorstudio.core import catalog, metrics
            from colorstudio.core.evaluation import evaluate
            from colorstudio.core.pipeline import ColorizeOptions, colorize

            base, _ = catalog.load(catalog.resolve_model(run.base or None))
            new = self.trainer.ema
            options = ColorizeOptions(device=run.device)
            photos = [Path(p) for p in run.val][:24]
            base_eval = evaluate(photos, base, options)
            new_eval = evaluate(photos, new, options)
            samples = []
            for item in new_eval.photos[:3]:
                from colorstudio.core import imageio

                truth = imageio.read_image(item.path).pixels
                gray = metrics.lightness_only(truth)
                samples.append(tuple(to_qimage(x) for x in (
                    gray, colorize(gray[..., 0], base, options), colorize(gray[..., 0], new, options), truth)))
            self.evaluated.emit(base_eval.mean("model").as_dict(), new_eval.mean("model").as_dict(), samples)
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            self.failed.emit(f"Could not compare the models: {exc}")


class TrainingThread(QObject):
    """Owns the training QThread and forwards requests to its worker."""

    _scan = Signal(str)
    _train = Signal(object, bool)
    _evaluate = Signal(object)
    _save = Signal(object, str)
    _estimate = Signal(str, int, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("colorstudio-training")
        self.worker = TrainWorker()
        self.worker.moveToThread(self.thread)
        self._scan.connect(self.worker.scan)
        self._train.connect(self.worker.train)
        self._evaluate.connect(self.worker.evaluate)
        self._save.connect(self.worker.save)
        self._estimate.connect(self.worker.estimate)
        self.thread.start()

    def estimate(self, base: str, size: int, batch: int, device: str) -> None:
        self._estimate.emit(base, size, batch, device)

    def scan(self, folder: str) -> None:
        self._scan.emit(folder)

    def train(self, run: WizardRun, resume: bool = False) -> None:
        self._train.emit(run, resume)

    def evaluate(self, run: WizardRun) -> None:
        self._evaluate.emit(run)

    def save(self, run: WizardRun, name: str) -> None:
        self._save.emit(run, name)

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        self.worker.cancel()
        self.thread.quit()
        return self.thread.wait(timeout_ms)
