"""The fine-tune recipe, written once for ``colorstudio train`` and the training wizard.

- where runs live (``runs_dir()``, one folder a run, its checkpoint ``STATE_FILE``);
- ``TrainingRun``: everything needed to start or resume a run, saved as JSON in its folder, and where it
  stands (``trained``: its training ended; ``finished``: closed, its model saved or discarded);
- the split of the photos (``split_photos``), the same for the wizard's count and the run;
- the start rule (``start``): which model, loss, learning rate and warm-up a run begins with;
- ``build_trainer``: the Trainer of a run, datasets included; ``finish``: its model saved, the run closed;
- the time estimate (``seconds_per_step``, ``describe_estimate``);
- the comparison of the new model with the one it started from (``compare``), on the same held-out photos
  (at most ``VALIDATION_PHOTOS``) as the validation during training.

Torch is imported inside the functions that need it: the command line's parser reads this module.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from colorstudio import paths
from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.training.run_files import OLD_RUN_FILE, RUN_FILE, STATE_FILE

FINE_TUNE_LR_SHARE = 1 / 3  # a fine-tune starts from trained weights: a third of the learning rate
FINE_TUNE_WARMUP_STEPS = 20  # ...and needs a short warm-up only (Adam's moments); from scratch: 100
SCRATCH_WARMUP_STEPS = 100
VALIDATION_PHOTOS = 24  # held-out photos scored each epoch and by the comparison: the same photos for both


def runs_dir() -> Path:
    return paths.user_data_dir() / "runs"


@dataclass
class TrainingRun:
    """A planned or interrupted run: the photos, the start and the budget (``run.json`` in its folder)."""

    name: str
    folder: str
    train: list[str]
    val: list[str]
    base: str = ""  # model (name or file) to fine-tune; "" and no arch: the default model
    arch: str = ""  # or: this architecture, trained from its start
    loss: str = ""  # "": the start rule's choice
    minutes: float = 20.0
    epochs: int = 0  # when set, the minutes are not used
    size: int = 224
    batch: int = 16
    lr: float = 0.0  # 0: the start rule's choice
    augment: bool = True
    val_split: float = 0.1
    seed: int = 0
    device: str = "auto"
    workers: int = 1  # processes training data-parallel (colorstudio.cluster), each with ``batch`` photos a step
    trained: bool = False  # the training ended (its budget spent); the model may not be saved yet
    finished: bool = False  # closed: the model was saved (or discarded)
    extra: dict = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return runs_dir() / self.name

    def save(self) -> None:
        from colorstudio.core.imageio.writer import atomic_write

        data = json.dumps(asdict(self), indent=1).encode("utf-8")
        atomic_write(self.run_dir / RUN_FILE, lambda out: out.write(data), what="run plan")

    @classmethod
    def load(cls, run_dir: Path) -> TrainingRun:
        file = run_dir / RUN_FILE
        if not file.exists():
            file = run_dir / OLD_RUN_FILE
        data = json.loads(file.read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def _open_runs() -> list[TrainingRun]:
    """Runs with a checkpoint whose model was neither saved nor discarded, oldest name first."""
    found = []
    for run_dir in sorted(p for p in runs_dir().glob("*") if p.is_dir()):
        try:
            run = TrainingRun.load(run_dir)
        except (OSError, ValueError, TypeError):
            continue
        if not run.finished and (run.run_dir / STATE_FILE).exists():
            found.append(run)
    return found


def unfinished_runs() -> list[TrainingRun]:
    """Runs that stopped (closed, crashed, cancelled, interrupted) before their training ended: resumable."""
    return [run for run in _open_runs() if not run.trained]


def unsaved_runs() -> list[TrainingRun]:
    """Runs whose training ended but whose model was not saved yet (kept for later)."""
    return [run for run in _open_runs() if run.trained]


def mark_trained(run: TrainingRun) -> None:
    """The run's training ended: its checkpoint holds the trained model until it is saved or discarded."""
    run.trained = True
    run.save()


def discard(run: TrainingRun) -> None:
    """Throw the run's trained model away: its checkpoint goes, its plan and log stay (marked discarded)."""
    (run.run_dir / STATE_FILE).unlink(missing_ok=True)
    run.finished = True
    run.extra["discarded"] = True
    run.save()


def split_photos(folder: Path | str, usable: list[Path], val_split: float) -> tuple[list[Path], list[Path]]:
    """(training, held-out) photos of a run over ``usable`` photos of ``folder``: what ``plan_run`` uses."""
    from colorstudio.core.training.photos import split

    return split(usable, val_split, root=Path(folder))


def plan_run(name: str, folder: Path | str, usable: list[Path], val_split: float = 0.1,
             **settings) -> TrainingRun:
    """A run over the usable photos of ``folder``, split deterministically into training and validation."""
    train, val = split_photos(folder, usable, val_split)
    return TrainingRun(name=name, folder=str(folder), train=[str(p) for p in train], val=[str(p) for p in val],
                       val_split=val_split, **settings)


# -- the start rule ------------------------------------------------------------------------------------
def default_loss(arch: str) -> str:
    return "colourful" if arch.startswith("unet-lite") else "mse"


def default_lr(arch: str, fine_tune: bool) -> float:
    lr = 5e-4 if arch.startswith("unet-lite") else 1e-3
    return lr * FINE_TUNE_LR_SHARE if fine_tune else lr


@dataclass
class Start:
    """What a run begins with: the model and how it is trained."""

    model: object  # a ColorNet
    loss: str
    lr: float
    warmup_steps: int
    card: dict  # for the new model's card: base_model when fine-tuning


def start(base: str = "", arch: str = "", loss: str = "", lr: float = 0.0) -> Start:
    """Fine-tune ``base`` (a name or file; "" the default model), or train ``arch`` from its start.

    The loss: ``loss`` if given; else classification for a classification head, else the loss the base was
    trained with (its card), else colourful for the unet-lite models and mse for the seeds. The learning rate:
    ``lr`` if given, else 5e-4 for the unet-lite models and 1e-3 otherwise, a third of that when fine-tuning.
    """
    if arch:
        from colorstudio.core.models import registry

        loss = loss or default_loss(arch)
        config = {}
        if arch.startswith("unet-lite"):
            config = {"pretrained": True, "head": "classification" if loss == "classification" else "regression"}
        model, card, warmup = registry.build(arch, **config), {}, SCRATCH_WARMUP_STEPS
    else:
        entry = catalog.resolve_model(base or None)
        model, base_card = catalog.load(entry)
        if model.config().get("head") == "classification":
            loss = loss or "classification"
        loss = loss or base_card.get("training", {}).get("loss") or default_loss(model.arch)
        card, warmup = {"base_model": entry.name}, FINE_TUNE_WARMUP_STEPS
    if (loss == "classification") != (model.config().get("head") == "classification"):
        raise ColorStudioError(f"the {loss} loss does not fit this model's head")
    return Start(model, loss, lr or default_lr(model.arch, fine_tune=not arch), warmup, card)


def scaled_lr(lr: float, workers: int) -> float:
    """The default learning rate for ``workers`` data-parallel processes, each with the single-process batch:
    the batch grows ``workers``-fold and Adam's rate by its square root (the square-root scaling rule; the
    linear rule is SGD's and overshoots with Adam)."""
    return lr * math.sqrt(max(1, workers))


def train_config(run: TrainingRun, begin: Start):
    """The run's TrainConfig (checked: raises ColorStudioError for impossible settings). The learning rate is
    the run's own when it gave one, else the start rule's, scaled for its workers (``scaled_lr``)."""
    from colorstudio.core.training.loop import TrainConfig

    if run.workers < 1:
        raise ColorStudioError("the number of training processes must be at least 1")
    lr = begin.lr if run.lr else scaled_lr(begin.lr, run.workers)
    config = TrainConfig(loss=begin.loss, size=run.size, batch=run.batch, lr=lr, epochs=run.epochs,
                         minutes=0 if run.epochs else run.minutes, warmup_steps=begin.warmup_steps,
                         seed=run.seed, device=run.device, val_limit=VALIDATION_PHOTOS)
    config.validate()
    return config


def build_trainer(run: TrainingRun, begin: Start | None = None):
    """The Trainer of ``run`` (its model from ``begin``, else from the start rule), with its photos."""
    from colorstudio.core.training.dataset import PhotoPairs
    from colorstudio.core.training.loop import Trainer

    begin = begin or start(run.base, run.arch, run.loss, run.lr)
    config = train_config(run, begin)
    train = PhotoPairs([Path(p) for p in run.train], size=run.size, augment=run.augment, seed=run.seed)
    val = PhotoPairs([Path(p) for p in run.val], size=run.size, augment=False) if run.val else None
    card = {**begin.card, "training": {"data": run.folder, "photos_train": len(run.train),
                                       "photos_val": len(run.val)}}
    return Trainer(begin.model, train, val, run.run_dir, config, card)


def load_trained(run: TrainingRun):
    """The Trainer of ``run`` at its checkpoint (a run trained in an earlier session, to compare and save)."""
    trainer = build_trainer(run)
    trainer.resume()
    return trainer


def finish(trainer, run: TrainingRun, target: Path) -> Path:
    """Save the trained model at ``target`` (named after its file) and mark the run finished."""
    trainer.export(target, target.stem)
    run.finished = True
    run.save()
    return target


# -- the time estimate ---------------------------------------------------------------------------------
def seconds_per_step(model, size: int, batch: int, device: str = "auto") -> float:
    """Seconds one training step of ``model`` takes on this device: two steps on random photos (the first
    warms up), on a copy, so ``model`` is not changed."""
    import torch

    from colorstudio.core.device import resolve_device

    dev = resolve_device(device)
    probe = copy.deepcopy(model).to(dev).train()
    optimizer = torch.optim.Adam(probe.parameters(), lr=1e-5)
    l_in = torch.rand(batch, 1, size, size, device=dev)
    seconds = 0.0
    for _ in range(2):
        started = time.monotonic()
        loss = probe(l_in).float().pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        seconds = time.monotonic() - started
    return seconds


def duration_text(seconds: float) -> str:
    if seconds != seconds or math.isinf(seconds):
        return "…"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def describe_estimate(seconds: float, steps_per_epoch: int, minutes: float = 0, epochs: int = 0) -> str:
    """What a run of ``minutes`` (or ``epochs``) will do at ``seconds`` a step, in a sentence."""
    if seconds != seconds:
        return "The speed of this computer could not be measured."
    steps_per_epoch = max(1, steps_per_epoch)
    if epochs:
        return (f"About {duration_text(epochs * steps_per_epoch * seconds)} for {epochs} passes over the photos "
                f"on this computer ({seconds:.1f} s a step).")
    steps = minutes * 60 / seconds
    return (f"About {steps:.0f} training steps ({steps / steps_per_epoch:.1f} passes over the photos) in "
            f"{minutes:g} min, at {seconds:.1f} s a step on this computer.")


# -- the comparison ------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """Mean scores of the base and the new model on the same photos, and a few (gray, base, new, truth)
    8-bit RGB samples."""

    base: dict
    new: dict
    photos: int
    samples: list = field(default_factory=list)
    crops_base: dict = field(default_factory=dict)  # the scores during training measure: centre crops at
    crops_new: dict = field(default_factory=dict)  # ``crop_size`` px of the same photos (when asked for)
    crop_size: int = 0

    @property
    def improved(self) -> bool:
        return self.new.get("ciede2000", math.inf) < self.base.get("ciede2000", -math.inf)


def base_model(run: TrainingRun):
    """The model ``run`` started from, loaded afresh (the trained one has changed)."""
    if run.arch:
        raise ColorStudioError(f"this run trained {run.arch} from its start: there is no model to compare with")
    model, _ = catalog.load(catalog.resolve_model(run.base or None))
    return model


def crop_scores(model, photos: list, size: int, device: str = "auto", limit: int = VALIDATION_PHOTOS) -> dict:
    """Mean scores of ``model`` on centre crops at ``size`` px of up to ``limit`` photos: the measure of the
    validation during training (``Trainer`` validates its EMA weights this way every epoch)."""
    from colorstudio.core.device import resolve_device
    from colorstudio.core.training.dataset import PhotoPairs
    from colorstudio.core.training.validation import validate

    dev = resolve_device(device)
    data = PhotoPairs([Path(p) for p in photos[:limit]], size=size, augment=False)
    return validate(model.to(dev), data, dev, limit)[0]


def compare(base, new, photos: list, device: str = "auto", limit: int = VALIDATION_PHOTOS, samples: int = 3,
            crop_size: int = 0) -> Comparison:
    """Both models on up to ``limit`` colour photos with the full pipeline (as ``colorstudio evaluate``),
    and, with ``crop_size``, also as during training (``crop_scores``), so both measures can be shown."""
    from colorstudio.core import metrics
    from colorstudio.core.evaluation import evaluate, read_truth
    from colorstudio.core.options import ColorizeOptions
    from colorstudio.core.pipeline import colorize

    options = ColorizeOptions(device=device)
    chosen = [Path(p) for p in photos][:limit]
    base_eval, new_eval = evaluate(chosen, base, options), evaluate(chosen, new, options)
    tuples = []
    for item in new_eval.photos[:samples]:
        truth = read_truth(item.path)
        gray = metrics.lightness_only(truth)
        tuples.append((gray, colorize(gray[..., 0], base, options), colorize(gray[..., 0], new, options),
                       truth))
    crops = {"crops_base": crop_scores(base, chosen, crop_size, device, limit),
             "crops_new": crop_scores(new, chosen, crop_size, device, limit)} if crop_size else {}
    return Comparison(base_eval.mean("model").as_dict(), new_eval.mean("model").as_dict(),
                      len(new_eval.photos), tuples, crop_size=crop_size, **crops)
