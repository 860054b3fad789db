"""Which inference engine runs the network: PyTorch, or OpenVINO (``openvino_net``) on CPUs.

``auto`` (the default) is OpenVINO on the CPU, where its network is about twice as fast as PyTorch's, and
PyTorch on CUDA and Apple's MPS. Anything OpenVINO cannot do (it is not installed, the model does not convert,
the CPU is not supported) falls back to PyTorch with a notice saying why: a photo is never lost to the engine.
Training always uses PyTorch.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import torch

from colorstudio.core.run_control import RunControl

log = logging.getLogger(__name__)


def openvino_installed() -> bool:
    return importlib.util.find_spec("openvino") is not None


def engine_name(model) -> str:
    """"OpenVINO" or "PyTorch": what runs ``model``'s network."""
    return model.engine


def runtime_model(model, weights: Path | None, engine: str, device: torch.device, precision: str = "float32",
                  control: RunControl = RunControl(), threads: int = 0):
    """``model`` as it will run: wrapped for OpenVINO when ``engine`` (auto/openvino) and ``device`` call for
    it and it works, else the PyTorch model itself (told through ``control.notice`` when OpenVINO was asked for
    by name, or failed). ``threads``: OpenVINO's CPU threads (0: its own choice)."""
    notice = control.notice
    if engine == "torch":
        return model
    if device.type != "cpu":
        if engine == "openvino":
            notice(f"OpenVINO runs on the CPU; on {device.type.upper()} PyTorch runs the network.")
        return model
    if not openvino_installed():
        if engine == "openvino":
            notice("OpenVINO is not installed; PyTorch runs the network.")
        return model
    from colorstudio import paths
    from colorstudio.core.openvino_net import OpenVinoNet

    try:
        return OpenVinoNet(model, weights, precision, cache=paths.user_cache_dir() / "openvino", threads=threads)
    except Exception as exc:  # noqa: BLE001 - any failure of the optional engine: the photo goes on with PyTorch
        log.warning("OpenVINO could not take the model", exc_info=True)
        notice(f"OpenVINO could not prepare this model ({type(exc).__name__}: {exc}); PyTorch runs it instead.")
        return model
