"""Choosing and describing the compute device. CUDA/MPS specifics stay in this one small module."""

from __future__ import annotations

import torch

from colorstudio.core.errors import ColorStudioError
from colorstudio.core.options import DEVICE_CHOICES


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA, then Apple's MPS, then the CPU; an explicit choice that is unavailable is an error."""
    name = (name or "auto").lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ColorStudioError("CUDA was requested but no CUDA GPU is available; use --device cpu or auto.")
        return torch.device(name)
    if name == "mps":
        if not _mps_available():
            raise ColorStudioError("MPS was requested but is not available on this computer; use --device cpu.")
        return torch.device("mps")
    if name == "cpu":
        return torch.device("cpu")
    raise ColorStudioError(f"Unknown device {name!r}; choose one of {', '.join(DEVICE_CHOICES)}.")


def describe_device(device: torch.device) -> str:
    """Short text for a status bar: 'CUDA: <name>', 'Apple GPU (MPS)' or 'CPU, N threads'."""
    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU, {torch.get_num_threads()} threads"


def is_accelerator(device: torch.device) -> bool:
    return device.type != "cpu"


def is_out_of_memory(error: BaseException) -> bool:
    """True for a GPU out-of-memory error (CUDA raises a dedicated type, MPS a RuntimeError)."""
    if isinstance(error, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def release_cached_memory(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps" and hasattr(torch, "mps"):
        torch.mps.empty_cache()
