"""Joining a Ray cluster, and how many workers of what size a job gets on it.

``--cluster auto`` joins the cluster this machine belongs to (``ray start`` was run here, or ``RAY_ADDRESS``
names one) and starts a private one on this machine when there is none; ``local`` always starts a private
one (gone when the command ends); anything else is a cluster's address (``HOST:6379``, ``ray://HOST:10001``).
A process that already joined a cluster (a notebook, the tests) keeps using it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from colorstudio.cluster import require_ray
from colorstudio.core.errors import ColorStudioError

log = logging.getLogger(__name__)

TARGETS = ("auto", "local")  # or an address
# What one worker reserves of a node's memory (Ray's "memory" resource): a 60 MP scan peaks at about 1.6 GiB
# (docs/benchmarks.md), so Ray never puts more workers on a node than its memory holds.
WORKER_MEMORY = 2 << 30
GPU_WORKER_CPUS = 4  # a GPU worker's CPU threads: decoding, the join and encoding are its CPU work


def target_problem(target: str) -> str | None:
    """Why ``target`` (the value of ``--cluster``) cannot be a cluster, or None. ``--cluster`` may stand alone,
    so ``--cluster scans/`` takes the folder for an address: that is said, with the way around it."""
    if target in TARGETS or ":" in target:
        return None
    return (f"--cluster {target!r} is not a cluster: give auto, local or an address (HOST:6379, "
            f"ray://HOST:10001); right before photos or folders, write --cluster=auto")


def _start(address: str | None, notice) -> None:
    import ray

    # Ray's own INFO lines would bury the job's progress; its warnings still show
    context = ray.init(address=address, logging_level=logging.WARNING)
    if address is None and getattr(context, "dashboard_url", None):
        notice(f"Started a Ray cluster on this machine for this run; its dashboard: http://{context.dashboard_url}")


@contextmanager
def connect(target: str = "auto", on_notice=None) -> Iterator[None]:
    """Joined to the cluster ``target`` names (see the module) for the block; raises ColorStudioError."""
    require_ray()
    import ray

    if ray.is_initialized():
        _quiet_ray_data()
        yield
        return
    notice = on_notice or (lambda message: log.info("%s", message))
    try:
        if target == "local":
            _start(None, notice)
        elif target == "auto":
            try:
                _start("auto", notice)
            except ConnectionError:
                notice("No running Ray cluster found (ray start, or RAY_ADDRESS); starting one on this machine.")
                _start(None, notice)
        else:
            _start(target, notice)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ColorStudioError(f"cannot join the Ray cluster {target!r}: {exc}") from None
    try:
        _quiet_ray_data()
        yield
    finally:
        ray.shutdown()


def _quiet_ray_data() -> None:
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the command shows its own progress, photo by photo
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "progress bars disabled": we know


@dataclass(frozen=True)
class Workers:
    """``count`` Ray actors, each reserving ``cpus`` CPUs (its threads), ``gpus`` GPUs and ``memory`` bytes."""

    count: int
    cpus: int
    gpus: int
    memory: int = WORKER_MEMORY

    def describe(self, names: tuple[str, str] = ("worker", "workers")) -> str:
        cpus = f"{self.cpus} CPU{'s' if self.cpus != 1 else ''}"
        each = f"1 GPU and {cpus}" if self.gpus else cpus
        return f"{self.count} {names[self.count != 1]} ({each} each)"


def plan_workers(requested: int, device: str, photos: int = 0, memory: int = WORKER_MEMORY,
                 cpu_default: int = 0) -> Workers:
    """The workers for a job of ``photos`` photos (0: not known) on the joined cluster, each reserving
    ``memory`` bytes (0: none); ``requested`` (0: ``cpu_default`` on CPUs, or as many as fit) sets the count,
    never more than there are photos.

    With GPUs (and ``device`` allowing them) one worker a GPU, with ``GPU_WORKER_CPUS`` threads. Else one
    worker a CPU, as many as the memory holds, sharing the CPUs out: measured here (bench_cluster.py), two
    workers of one thread colorize 24 MP scans 1.5x faster than one worker of two, since decoding and
    encoding a scan use one core and two photos at once keep both busy."""
    import ray

    resources = ray.cluster_resources()
    cpus, gpus = int(resources.get("CPU", 0)), int(resources.get("GPU", 0))
    room = max(1, int(resources.get("memory", 0)) // memory) if memory else cpus
    if requested < 0:
        raise ColorStudioError("the number of workers must be positive")
    if gpus and device != "cpu":
        count = requested or gpus
        if count > gpus:
            raise ColorStudioError(f"the cluster has {gpus} GPU(s): at most {gpus} GPU workers")
        count = min(count, photos or count)
        return Workers(count, max(1, min(GPU_WORKER_CPUS, cpus // count)), 1, memory)
    if device not in ("auto", "cpu"):
        raise ColorStudioError(f"--device {device}: the Ray cluster has no GPU")
    if cpus < 1:
        raise ColorStudioError("the Ray cluster has no CPU to run on")
    count = requested or cpu_default or min(cpus, room)
    if count > cpus:
        raise ColorStudioError(f"the cluster has {cpus} CPUs: at most {cpus} workers (one CPU each)")
    if count > room:
        raise ColorStudioError(f"the cluster's memory holds {room} workers of {memory >> 30} GiB: ask for "
                               f"at most {room}")
    count = min(count, photos or count)
    return Workers(count, cpus // count, 0, memory)
