"""Data-parallel training: what the one training loop needs when it runs in several processes at once.

The processes are started by a launcher (Ray Train's ``TorchTrainer`` in ``colorstudio.cluster``; ``torchrun``
would do the same), which also sets up ``torch.distributed`` (gloo on CPUs, NCCL on GPUs). Nothing here
starts a process. With no process group (a plain ``colorstudio train``, the wizard) every function is the
single-process identity: rank 0 of 1, the model unwrapped, values unchanged.

Each process trains on its own share of every batch (``batches.epoch_batches(shard=...)``); PyTorch's
``DistributedDataParallel`` averages the gradients, so the weights stay identical on every process. What
decides the loop's course is agreed on by all processes: the loss (so a diverged step stops them all, not
one) and the training time (rank 0's clock, so a time budget ends them all at the same step).
"""

from __future__ import annotations

import hashlib

import torch
import torch.distributed as dist


def active() -> bool:
    return dist.is_available() and dist.is_initialized()


def shard() -> tuple[int, int]:
    """(rank, number of processes): (0, 1) outside data-parallel training."""
    if not active():
        return 0, 1
    return dist.get_rank(), dist.get_world_size()


def wrap(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """``model`` as the module the forward and backward passes go through: in data-parallel training a
    ``DistributedDataParallel`` around it (which first copies rank 0's weights to every process)."""
    if shard()[1] == 1:
        return model
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def agree(loss: torch.Tensor, seconds: float) -> tuple[float, float]:
    """(the loss averaged over the processes, rank 0's training time); one small all-reduce per step."""
    rank, workers = shard()
    if workers == 1:
        return float(loss.detach()), seconds
    values = torch.stack([loss.detach().float().reshape(()) / workers,
                          torch.tensor(seconds if rank == 0 else 0.0, device=loss.device)])
    dist.all_reduce(values)
    mean, clock = values.tolist()
    return mean, clock


def share_buffers(*modules: torch.nn.Module) -> None:
    """Give every process rank 0's buffers (batch normalisation's running statistics). DDP sends them at the
    start of each forward pass, so after the last step each process still holds the statistics of its own
    last batch; rank 0's are the ones its checkpoint and model file hold."""
    if shard()[1] == 1:
        return
    for module in modules:
        for buffer in module.buffers():
            dist.broadcast(buffer, src=0)


def weights_digest(model: torch.nn.Module) -> str:
    """A SHA-256 of every parameter and buffer, in order: equal on every process when they agree."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()
