"""Validation during training: metrics on held-out photos and a few before/after samples."""

from __future__ import annotations

import numpy as np
import torch

from colorstudio.core import color, metrics
from colorstudio.core.training.dataset import PhotoPairs


def _to_rgb(l_chan: torch.Tensor, ab: torch.Tensor) -> np.ndarray:
    l_np = l_chan[0].numpy() * color.L_SCALE
    ab_np = ab.permute(1, 2, 0).numpy() * color.AB_SCALE
    return color.compose_rgb(l_np, ab_np, np.uint8)


@torch.no_grad()
def validate(model, data: PhotoPairs, device: torch.device, limit: int = 48, batch: int = 8,
             samples: int = 4) -> tuple[dict[str, float], list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Mean scores of ``model`` on up to ``limit`` centre crops, and ``samples`` (gray, output, truth)."""
    was_training = model.training
    model.eval()
    scores, shown = [], []
    count = min(limit, len(data))
    for first in range(0, count, batch):
        items = [data[i] for i in range(first, min(first + batch, count))]
        l_in = torch.stack([it["l"] for it in items]).to(device)
        ab = model.predict_ab(l_in).float().cpu()
        for it, pred in zip(items, ab):
            truth = _to_rgb(it["l"], it["ab"])
            output = _to_rgb(it["l"], pred)
            scores.append(metrics.score(output, truth))
            if len(shown) < samples:
                shown.append((metrics.lightness_only(truth), output, truth))
    model.train(was_training)
    return (metrics.mean_scores(scores).as_dict() if scores else {}), shown


def sample_sheet(samples: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """Rows of gray | model | original, for a quick look (saved as PNG by the training run)."""
    rows = [np.concatenate(triple, axis=1) for triple in samples]
    return np.concatenate(rows, axis=0)
