"""Resumable training state in safetensors + JSON (no pickle anywhere, even for our own run folders).

Tensors: ``model.*``, ``ema.*`` and the optimizer's per-parameter state ``opt.<index>.<name>``;
everything else (step, epoch, schedule, optimizer hyper-parameters, config) is JSON in the metadata.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import safetensors.torch
import torch

from colorstudio.core.errors import ColorStudioError


def save(path: Path, tensors: dict[str, dict[str, torch.Tensor]], optimizer: torch.optim.Optimizer,
         info: dict) -> None:
    flat: dict[str, torch.Tensor] = {}
    for prefix, state in tensors.items():
        flat.update({f"{prefix}.{k}": v.detach().cpu().contiguous() for k, v in state.items()})
    opt = optimizer.state_dict()
    scalars: dict[str, dict] = {}
    for index, state in opt["state"].items():
        for name, value in state.items():
            if torch.is_tensor(value) and value.dim() > 0:
                flat[f"opt.{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[name] = float(value)
    meta = {"info": json.dumps(info), "param_groups": json.dumps(opt["param_groups"]),
            "opt_scalars": json.dumps(scalars)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        safetensors.torch.save_file(flat, tmp, metadata=meta)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(path: Path) -> tuple[dict[str, dict[str, torch.Tensor]], dict, dict]:
    """Returns ({prefix: state_dict}, info, optimizer state_dict)."""
    try:
        with safetensors.safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            flat = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:  # noqa: BLE001 - any damage means the same thing to the user
        raise ColorStudioError(f"Cannot resume from {path}: {exc}") from None
    groups: dict[str, dict[str, torch.Tensor]] = {}
    opt_state: dict[int, dict] = {}
    for key, value in flat.items():
        prefix, rest = key.split(".", 1)
        if prefix == "opt":
            index, name = rest.split(".", 1)
            opt_state.setdefault(int(index), {})[name] = value
        else:
            groups.setdefault(prefix, {})[rest] = value
    for index, scalars in json.loads(meta.get("opt_scalars", "{}")).items():
        for name, value in scalars.items():
            opt_state.setdefault(int(index), {})[name] = torch.tensor(value)
    optimizer_state = {"state": opt_state, "param_groups": json.loads(meta["param_groups"])}
    return groups, json.loads(meta.get("info", "{}")), optimizer_state
