"""An epoch's batches in a fixed shuffled order, made ahead on threads when the model runs on a GPU.

On a GPU a training step takes a few milliseconds, less than making its batch (random crop, Lab conversion,
hint sampling for every photo), so the next batches are made on background threads while the GPU works.
OpenCV and numpy release the GIL, so threads run in parallel with no process start-up and no copies of the
decoded photos. On the CPU the model needs every core and batches are made in line. Either way the batches
are the same (each item is seeded by (seed, epoch, index)), so a resumed run continues exactly.

In data-parallel training (``shard=(rank, workers)``) the epoch's order is the same on every process and
each global batch of ``batch * workers`` photos is split in turn: process ``rank`` takes its ``rank``-th
``batch``. One process (``(0, 1)``) gets exactly the batches it always did.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice

import numpy as np
import torch

from colorstudio.core.training.dataset import PhotoPairs


def loader_threads(device: torch.device) -> int:
    """Threads that make batches ahead: none on the CPU, up to 6 (leaving a core for the loop) on a GPU."""
    if device.type == "cpu":
        return 0
    return max(1, min(6, (os.cpu_count() or 2) - 1))


def epoch_batches(data: PhotoPairs, epoch: int, batch: int, skip: int, seed: int,
                  pool: ThreadPoolExecutor | None = None, ahead: int = 2, pin: bool = False,
                  shard: tuple[int, int] = (0, 1)) -> Iterator[dict]:
    """Batches ``skip``.. of the epoch, in an order fixed by (seed, epoch): this process's share (``shard``,
    see the module). With a pool, ``ahead`` batches (the pool's thread count) are made ahead, pinned for a
    fast copy to the GPU when ``pin``."""
    data.epoch = epoch
    order = np.random.default_rng([seed, epoch, 7]).permutation(len(data))
    rank, workers = shard

    def make(b: int) -> dict:
        first = (b * workers + rank) * batch
        items = [data[int(i)] for i in order[first : first + batch]]
        stacked = {k: torch.stack([it[k] for it in items]) for k in items[0]}
        return {k: v.pin_memory() for k, v in stacked.items()} if pin else stacked

    numbers = iter(range(skip, len(data) // (batch * workers)))
    if pool is None:
        yield from map(make, numbers)
        return
    if ahead < 1:
        raise ValueError(f"ahead must be at least 1, not {ahead}")
    waiting: deque[Future] = deque(pool.submit(make, b) for b in islice(numbers, ahead))
    try:
        while waiting:
            done = waiting.popleft().result()
            following = next(numbers, None)
            if following is not None:
                waiting.append(pool.submit(make, following))
            yield done
    finally:  # the loop stopped early (time budget, cancel): drop what was made ahead for nothing
        for future in waiting:
            future.cancel()
        for future in waiting:
            if not future.cancelled():
                future.exception()
