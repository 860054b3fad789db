"""``colorstudio train ... --workers N``: the one training loop, data-parallel under Ray Train.

Why Ray Train's ``TorchTrainer`` rather than ``torchrun``: the archive's cluster is a Ray cluster already (the
same ``--cluster`` address as ``colorize``, the same dashboard), Ray places one worker a GPU across its
nodes, sets up ``torch.distributed`` (gloo on CPUs, NCCL on GPUs) and starts the workers again after a
failure; ``torchrun`` would need its own rendezvous host and a launch on every node.

Every worker runs ``worker`` below: the run planned by the command (``run.json``), its Trainer built by the
recipe exactly as for one process, resumed from the run's checkpoint when there is one (``--resume``, or
Ray restarting the workers after one died), then trained. ``core.training.distributed`` makes the loop
data-parallel: each worker takes its share of every batch, DDP averages the gradients, rank 0 alone
validates, logs and writes the checkpoint, in the same resumable format. At the end each worker records a
digest of its weights; rank 0 checks they agree, and saves the model.

The run's folder must be one that every worker sees (one machine, or a shared filesystem): it holds the
checkpoint that a resume reads.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from colorstudio.cluster.connect import Workers, plan_workers
from colorstudio.core.errors import ColorStudioError

log = logging.getLogger(__name__)

WORKERS_FOLDER = "workers"  # in the run's folder: each worker's final record (rank, step, weights digest)
MAX_FAILURES = 3  # times Ray starts the workers again after one died; each time they resume the checkpoint


def plan_shape(workers: int, device: str) -> Workers:
    """The processes of a training run on the joined cluster: ``workers`` (0: one a GPU, else 2), sized by
    the colorize job's rule (``connect.plan_workers``) with no memory reserved."""
    return plan_workers(workers, device, memory=0, cpu_default=2)


def worker(config: dict) -> None:
    """One training process (run by Ray Train on every worker; see the module). A ColorStudioError (no usable
    photos, a diverged loss: the same on every worker) is recorded for the command to tell, not retried."""
    run_dir = Path(config["run_dir"])
    folder = run_dir / WORKERS_FOLDER
    try:
        _train_worker(config, run_dir, folder)
    except ColorStudioError as exc:
        from colorstudio.core.training.distributed import shard

        rank = shard()[0]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"rank{rank}.json").write_text(json.dumps({"rank": rank, "error": str(exc)}), encoding="utf-8")


def _train_worker(config: dict, run_dir: Path, folder: Path) -> None:
    import torch

    from colorstudio.core.training import distributed, recipe

    if config["cpus"]:
        torch.set_num_threads(config["cpus"])
    run = recipe.TrainingRun.load(run_dir)
    trainer = recipe.build_trainer(run)
    trainer.run_dir = run_dir
    if trainer.state_path.exists():  # --resume, or Ray starting the workers again after a failure
        trainer.resume()
    printer = None
    if trainer.rank == 0:
        printer = config["show"]() if config["show"] else None
        print(f"Training {run.name} on {trainer.workers} processes from step {trainer.progress.step}, "
              f"{trainer.steps_per_epoch} steps per epoch of {run.batch} x {trainer.workers} photos, "
              f"learning rate {trainer.config.lr:.3g}.", file=sys.__stdout__, flush=True)
    trainer.run(on_event=printer)
    distributed.share_buffers(trainer.model, trainer.ema)  # the weights then agree, buffers included
    record = {"rank": trainer.rank, "workers": trainer.workers, "step": trainer.progress.step,
              "epoch": trainer.progress.epoch, "weights": distributed.weights_digest(trainer.model),
              "ema": distributed.weights_digest(trainer.ema)}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"rank{trainer.rank}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    torch.distributed.barrier()
    if trainer.rank == 0:
        digests = {json.loads(p.read_text(encoding="utf-8"))["weights"] for p in folder.glob("rank*.json")}
        if len(digests) != 1:
            raise ColorStudioError(f"the training processes ended with different weights ({len(digests)} "
                                   f"versions); the model was not saved")
        recipe.mark_trained(run)
        recipe.finish(trainer, run, Path(config["out"]))


def train(run_dir: Path, out: Path, shape: Workers, show: Callable[[], Callable] | None = None) -> None:
    """Train the run planned in ``run_dir`` on ``shape`` processes of the joined cluster and save the model
    at ``out``; rank 0 shows its progress through ``show()``'s event callback (made in the worker). Raises
    ColorStudioError when the training fails (its checkpoint stays for --resume)."""
    from ray.train import FailureConfig, RunConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    for stale in (run_dir / WORKERS_FOLDER).glob("rank*.json"):
        stale.unlink()  # an earlier attempt's records must not be mistaken for this one's
    trainer = TorchTrainer(
        worker,
        train_loop_config={"run_dir": str(run_dir), "out": str(out), "cpus": 0 if shape.gpus else shape.cpus,
                           "show": show},
        scaling_config=ScalingConfig(num_workers=shape.count, use_gpu=bool(shape.gpus),
                                     resources_per_worker=None if shape.gpus else {"CPU": shape.cpus}),
        run_config=RunConfig(name=run_dir.name, storage_path=str(run_dir.resolve() / "ray"),
                             failure_config=FailureConfig(max_failures=MAX_FAILURES)))
    try:
        trainer.fit()
    except Exception as exc:  # noqa: BLE001 - Ray's TrainingFailedError and kin: say why, keep the checkpoint
        raise ColorStudioError(f"the training processes failed: {exc}") from None
    errors = [record["error"] for record in worker_records(run_dir) if "error" in record]
    if errors:
        raise ColorStudioError(errors[0])


def worker_records(run_dir: Path) -> list[dict]:
    """What each worker recorded at the end of the last run (rank order)."""
    files = sorted((run_dir / WORKERS_FOLDER).glob("rank*.json"), key=lambda p: int(p.stem[4:]))
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]
