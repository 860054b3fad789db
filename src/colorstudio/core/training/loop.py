"""A plain training loop: Adam, MSE on ab, resumable checkpoints; callbacks for progress and cancel.

This is the interim engine that trained the first shipped model; the full engine (validation metrics,
EMA, hints, colourfulness-preserving losses) grows here.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from colorstudio.core.errors import Cancelled


@dataclass
class TrainState:
    step: int = 0
    epoch: int = 0
    seconds: float = 0.0
    last_loss: float = float("nan")


def save_state(path: Path, model, optimizer, state: TrainState) -> None:
    """Atomic resumable checkpoint (our own file, in the run folder; not a shipped model format)."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "state": asdict(state)}, tmp)
    os.replace(tmp, path)


def load_state(path: Path, model, optimizer) -> TrainState:
    data = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(data["model"])
    optimizer.load_state_dict(data["optimizer"])
    return TrainState(**data["state"])


def train(model, dataset, run_dir: Path, *, minutes: float, batch: int = 16, lr: float = 1e-3,
          progress: Callable[[TrainState], None] | None = None,
          should_cancel: Callable[[], bool] | None = None) -> TrainState:
    run_dir.mkdir(parents=True, exist_ok=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    ckpt = run_dir / "resume.pt"
    state = load_state(ckpt, model, optimizer) if ckpt.exists() else TrainState()
    loader = DataLoader(dataset, batch_size=batch, shuffle=True, drop_last=True, num_workers=0)
    model.train()
    started = time.monotonic() - state.seconds
    last_save = time.monotonic()
    while state.seconds < minutes * 60:
        for l_in, ab in loader:
            loss = F.mse_loss(model(l_in), ab)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            state.step += 1
            state.last_loss = float(loss.detach())
            state.seconds = time.monotonic() - started
            if progress:
                progress(state)
            if should_cancel and should_cancel():
                save_state(ckpt, model, optimizer, state)
                raise Cancelled()
            if time.monotonic() - last_save > 120:
                save_state(ckpt, model, optimizer, state)
                last_save = time.monotonic()
            if state.seconds >= minutes * 60:
                break
        state.epoch += 1
        save_state(ckpt, model, optimizer, state)
    (run_dir / "state.json").write_text(json.dumps(asdict(state)))
    return state
