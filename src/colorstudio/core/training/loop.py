"""The training engine behind ``colorstudio train`` and the training wizard.

Adam with warm-up and a cosine schedule (over epochs, or over the time budget), EMA weights, gradient
clipping, mixed precision on CUDA, a NaN guard, validation every epoch, an atomic resumable checkpoint
every epoch (and every few minutes), progress events and a cancel check between steps.

Time is training time: while the cancel check waits (the run is paused) the clock stands still, so a
paused run keeps its whole time budget, and ``Progress.seconds`` never counts a pause.

The same loop trains data-parallel when a launcher started it in several processes (``distributed``): each
process takes its share of every batch, and rank 0 alone validates, logs and writes the checkpoint.
"""

from __future__ import annotations

import copy
import json
import math
import platform
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch

from colorstudio import __version__
from colorstudio.core import checkpoint, imageio
from colorstudio.core import device as devices
from colorstudio.core.errors import Cancelled, ColorStudioError
from colorstudio.core.training import distributed, runlog, state_io
from colorstudio.core.training.batches import epoch_batches, loader_threads
from colorstudio.core.training.dataset import PhotoPairs
from colorstudio.core.training.degrade import degrade
from colorstudio.core.training.hint_sampling import sample_hints
from colorstudio.core.training.losses import ColourLoss, estimate_prior
from colorstudio.core.training.run_files import STATE_FILE
from colorstudio.core.training.validation import sample_sheet, validate

SAVE_EVERY_SECONDS = 300


@dataclass
class TrainConfig:
    loss: str = "mse"
    size: int = 224
    batch: int = 16
    lr: float = 1e-3
    epochs: int = 0  # 0: use the time budget
    minutes: float = 0.0  # 0: use the epochs
    warmup_steps: int = 100
    ema_decay: float = 0.999
    clip_grad: float = 1.0
    hints: bool = True  # sample random colour hints, for models that take them
    degrade: bool = False  # show the network old-print lightness (grain, blur, fading...; training/degrade.py)
    val_limit: int = 48
    val_every: int = 1  # validate (and save the resumable state) every this many epochs
    channels_last: bool = True  # on a GPU: NHWC tensors (depthwise convolutions in half precision are far faster)
    seed: int = 0
    device: str = "auto"

    def validate(self) -> None:
        if (self.epochs <= 0) == (self.minutes <= 0):
            raise ColorStudioError("give either a number of epochs or a time budget in minutes")
        if self.size % 32 or self.size < 64:
            raise ColorStudioError("the photo size must be a multiple of 32, at least 64")
        if self.batch < 1 or self.lr <= 0:
            raise ColorStudioError("batch size and learning rate must be positive")


@dataclass
class TrainEvent:
    kind: str  # "step", "epoch" or "done"
    step: int
    epoch: int
    loss: float
    lr: float
    seconds: float
    eta_seconds: float
    val: dict = field(default_factory=dict)
    samples: list = field(default_factory=list)


@dataclass
class Progress:
    step: int = 0
    epoch: int = 0
    batches_done: int = 0  # within the current epoch
    seconds: float = 0.0  # training time: pauses are not counted
    best: dict = field(default_factory=dict)


class Trainer:
    def __init__(self, model, train_data: PhotoPairs, val_data: PhotoPairs | None, run_dir: Path,
                 config: TrainConfig, card: dict | None = None) -> None:
        config.validate()
        self.rank, self.workers = distributed.shard()
        if len(train_data) < config.batch * self.workers:
            raise ColorStudioError(f"{len(train_data)} training photos is fewer than one batch of {config.batch}"
                                   + (f" for each of {self.workers} processes" if self.workers > 1 else ""))
        self.config = config
        self.device = devices.resolve_device(config.device)
        self.model = model.to(self.device).train()
        cuda = self.device.type == "cuda"
        # bfloat16 where the GPU has it (no loss scaling needed), else float16 with a scaler; float32 on the CPU
        self.amp_dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float16
        self.memory_format = torch.channels_last if cuda and config.channels_last else torch.contiguous_format
        self.model = self.model.to(memory_format=self.memory_format)
        # what the steps run: the model, or DDP around it (which first gives every process rank 0's weights)
        self.net = distributed.wrap(self.model, self.device)
        self.ema = copy.deepcopy(self.model).eval()
        self.train_data, self.val_data = train_data, val_data
        self.run_dir = Path(run_dir)
        self.card = dict(card or {})
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        self.scaler = torch.amp.GradScaler("cuda", enabled=cuda and self.amp_dtype == torch.float16)
        self.progress = Progress()
        prior = None
        if config.loss == "classification":
            first = self._batches(0, 0, config.seed + 1, batch=8, shard=(0, 1))  # the same photos in every process
            prior = estimate_prior(b["ab"].cpu() for b, _ in zip(first, range(8)))
        self.loss = ColourLoss(config.loss, prior)
        self.use_hints = config.hints and model.accepts_hints
        self.steps_per_epoch = len(train_data) // (config.batch * self.workers)
        self.generator = torch.Generator(device=self.device)
        self._started = time.monotonic()  # when training time began (``_train`` sets it; pauses move it)

    def _batches(self, epoch: int, skip: int, seed: int, pool: ThreadPoolExecutor | None = None, threads: int = 0,
                 pin: bool = False, batch: int = 0, shard: tuple[int, int] | None = None):
        """An epoch's batches (this process's share of them): from the data set itself when it makes them
        (``DevicePhotos``), else on threads."""
        batch = batch or self.config.batch
        shard = shard or (self.rank, self.workers)
        if hasattr(self.train_data, "epoch_batches"):
            return self.train_data.epoch_batches(epoch, batch, skip, seed, shard)
        return epoch_batches(self.train_data, epoch, batch, skip, seed, pool, threads, pin, shard)

    # -- schedule ---------------------------------------------------------------------------------
    def fraction_done(self) -> float:
        c, p = self.config, self.progress
        if c.epochs:
            return p.step / max(1, c.epochs * self.steps_per_epoch)
        return p.seconds / (c.minutes * 60)

    def lr_now(self) -> float:
        warm = min(1.0, (self.progress.step + 1) / max(1, self.config.warmup_steps))
        cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, self.fraction_done())))
        return self.config.lr * warm * (0.05 + 0.95 * cosine)

    # -- checkpoints ------------------------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.run_dir / STATE_FILE

    def save_state(self) -> None:
        """The resumable checkpoint (rank 0 writes it; the other processes hold the same weights)."""
        if self.rank:
            return
        info = {"progress": asdict(self.progress), "config": asdict(self.config), "card": self.card,
                "arch": self.model.arch, "model_config": self.model.config()}
        state_io.save(self.state_path, {"model": self.model.state_dict(), "ema": self.ema.state_dict()},
                      self.optimizer, info)

    def resume(self) -> None:
        if not self.state_path.exists():
            raise ColorStudioError(f"nothing to resume in {self.run_dir}")
        groups, info, optimizer_state = state_io.load(self.state_path)
        if info.get("arch") != self.model.arch or info.get("model_config") != self.model.config():
            raise ColorStudioError(f"{self.run_dir} holds a run of another model; start a new run instead")
        self.optimizer.load_state_dict(optimizer_state)
        self.model.load_state_dict(groups["model"])
        self.ema.load_state_dict(groups["ema"])
        self.progress = Progress(**info["progress"])
        if not self.rank:  # (one process rewrites the log: two at once could lose it)
            runlog.keep_until(self.run_dir, self.progress.epoch)  # passes logged after this checkpoint are redone

    # -- the loop ---------------------------------------------------------------------------------
    def _step(self, batch: dict) -> float:
        """One optimisation step; also sets the training time (rank 0's, in data-parallel training)."""
        l_in = batch["l"].to(self.device, non_blocking=True)
        ab = batch["ab"].to(self.device, non_blocking=True)
        # hints and old-print looks are drawn on the device, seeded by the step: a resumed run repeats them
        key = (self.config.seed, self.progress.step, 11) + ((self.rank,) if self.rank else ())  # each its own draw
        self.generator.manual_seed(hash(key) & 0xFFFFFFFF)
        hints = sample_hints(ab, self.generator) if self.use_hints else None
        if self.config.degrade:
            l_in = degrade(l_in, ab, self.generator)
        l_in = l_in.contiguous(memory_format=self.memory_format)
        if hints is not None:
            hints = hints.contiguous(memory_format=self.memory_format)
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr_now()
        with torch.autocast("cuda", dtype=self.amp_dtype, enabled=self.device.type == "cuda"):
            loss = self.loss(self.net(l_in, hints), ab)
        # agreed by all processes before the backward pass, so a diverged step stops them all
        value, self.progress.seconds = distributed.agree(loss, time.monotonic() - self._started)
        if not math.isfinite(value):
            raise ColorStudioError(
                f"Training diverged at step {self.progress.step} (the loss became {value}); nothing was "
                f"saved from this step. Try a lower learning rate (now {self.config.lr:g}).")
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.clip_grad)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self._update_ema()
        return value

    @torch.no_grad()
    def _update_ema(self) -> None:
        decay = min(self.config.ema_decay, (1 + self.progress.step) / (10 + self.progress.step))
        averaged = list(self.ema.parameters())  # one fused update for all: on a GPU, two kernels, not two per tensor
        torch._foreach_mul_(averaged, decay)
        torch._foreach_add_(averaged, [p.detach() for p in self.model.parameters()], alpha=1 - decay)
        for e, b in zip(self.ema.buffers(), self.model.buffers()):
            e.copy_(b)

    def _finished(self) -> bool:
        c, p = self.config, self.progress
        return p.epoch >= c.epochs if c.epochs else p.seconds >= c.minutes * 60

    def _event(self, kind: str, loss: float, **extra) -> TrainEvent:
        p = self.progress
        done = self.fraction_done()
        eta = p.seconds * (1 - done) / done if done > 0 else float("nan")
        return TrainEvent(kind, p.step, p.epoch, loss, self.lr_now(), p.seconds, eta, **extra)

    def _end_epoch(self, loss: float, on_event) -> None:
        p = self.progress
        p.epoch += 1
        p.batches_done = 0
        val, samples = {}, []
        checking = p.epoch % self.config.val_every == 0 or self._finished()
        if self.rank:  # the other processes go on; rank 0 validates, logs and saves
            return
        if checking and self.val_data is not None and len(self.val_data):
            val, samples = validate(self.ema, self.val_data, self.device, self.config.val_limit)
            p.best = val if not p.best or val["ciede2000"] < p.best.get("ciede2000", 1e9) else p.best
            imageio.write_image(self.run_dir / f"samples_epoch{p.epoch:03d}.png", sample_sheet(samples),
                                format="png", provenance=imageio.Provenance(model="training samples"))
        runlog.append(self.run_dir, {"epoch": p.epoch, "step": p.step, "loss": loss, "seconds": p.seconds,
                                     "val": val})
        if checking:
            self.save_state()
        if on_event:
            on_event(self._event("epoch", loss, val=val, samples=samples))

    def run(self, on_event: Callable[[TrainEvent], None] | None = None,
            should_cancel: Callable[[], bool] | None = None) -> dict:
        """Train until the epochs or the time budget are spent; returns the last validation scores."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if not self.progress.step and not self.rank:
            runlog.keep_until(self.run_dir, 0)  # a fresh start: an earlier attempt's log would mix in
        threads = loader_threads(self.device)
        pool = ThreadPoolExecutor(threads, thread_name_prefix="colorstudio-batches") if threads else None
        try:
            loss = self._train(on_event, should_cancel, pool, threads)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        if self.progress.batches_done:  # stopped by the time budget inside an epoch: validate what we have
            self._end_epoch(loss, on_event)
        if on_event:
            on_event(self._event("done", loss, val=self.progress.best))
        return self.progress.best

    def _train(self, on_event, should_cancel, pool: ThreadPoolExecutor | None, threads: int) -> float:
        p = self.progress
        self._started = time.monotonic() - p.seconds
        last_save = time.monotonic()
        loss = float("nan")
        pin = pool is not None and self.device.type == "cuda"
        while not self._finished():
            batches = self._batches(p.epoch, p.batches_done, self.config.seed, pool, threads, pin)
            with closing(batches):
                for batch in batches:
                    if should_cancel:
                        asked = time.monotonic()
                        cancelled = should_cancel()
                        self._started += time.monotonic() - asked  # waiting while paused is not training time
                        if cancelled:
                            self.save_state()
                            raise Cancelled("training paused; resume continues from the last step")
                    loss = self._step(batch)
                    p.step += 1
                    p.batches_done += 1
                    if on_event:
                        on_event(self._event("step", loss))
                    if time.monotonic() - last_save > SAVE_EVERY_SECONDS:
                        self.save_state()
                        last_save = time.monotonic()
                    if self.config.minutes and self._finished():
                        return loss
            self._end_epoch(loss, on_event)
        return loss

    def export(self, path: Path, name: str) -> Path:
        """Save the EMA weights as a model file with its card (atomic)."""
        card = {
            **self.card,
            "name": name,
            "architecture": self.model.arch,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "software": f"colorstudio {__version__}",
            "training": {**self.card.get("training", {}), "steps": self.progress.step,
                         "epochs": self.progress.epoch, "minutes": round(self.progress.seconds / 60, 1),
                         "loss": self.config.loss, "photo_size": self.config.size, "batch": self.config.batch,
                         "lr": self.config.lr, "machine": f"{platform.machine()}, {devices.describe_device(self.device)}"},
            "validation": self.progress.best,
        }
        checkpoint.save_model(path, self.ema.cpu(), card)
        path.with_suffix(".json").write_text(json.dumps(card, indent=2), encoding="utf-8")
        self.ema.to(self.device)
        return path
