"""Training losses. Plain MSE (the seeds' recipe) averages plausible colours into brown; the other two
keep colours alive, in the two ways the literature does:

- ``colourful``: smooth-L1 regression plus a penalty on predicted chroma falling short of the true one;
- ``classification``: cross-entropy over quantised ab bins, each pixel weighted by the rarity of its true
  colour (class rebalancing, Zhang et al. 2016); decoded at inference by the annealed mean.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from colorstudio.core.models import ab_bins
from colorstudio.core.options import LOSSES


def _chroma(ab: Tensor) -> Tensor:
    return torch.sqrt(ab[:, 0] ** 2 + ab[:, 1] ** 2 + 1e-8)


def bin_weights(prior: Tensor, mix: float = 0.5) -> Tensor:
    """Rebalancing weights from the empirical bin distribution ``prior`` (Q,), smoothed toward uniform and
    normalised so that the expected weight under the prior is 1."""
    q = prior.numel()
    w = 1.0 / ((1 - mix) * prior + mix / q)
    return w / (prior * w).sum()


def estimate_prior(ab_batches, q: int | None = None, blur: float = 1.0) -> Tensor:
    """Empirical distribution of the nearest ab bins over some batches of true ab (N, 2, H, W)."""
    q = q or ab_bins.num_bins()
    counts = torch.zeros(q)
    for ab in ab_batches:
        counts += torch.bincount(ab_bins.encode_nearest(ab).flatten(), minlength=q).float()
    prior = counts + blur  # a little mass everywhere: no bin has infinite weight
    return prior / prior.sum()


class ColourLoss:
    """``loss(output, ab_true) -> scalar`` for one of :data:`LOSSES`."""

    def __init__(self, kind: str, prior: Tensor | None = None, chroma_weight: float = 0.5) -> None:
        if kind not in LOSSES:
            raise ValueError(f"unknown loss {kind!r}; choose one of {', '.join(LOSSES)}")
        self.kind = kind
        self.chroma_weight = chroma_weight
        self.weights = bin_weights(prior) if kind == "classification" and prior is not None else None

    def __call__(self, output: Tensor, ab: Tensor) -> Tensor:
        if self.kind == "mse":
            return F.mse_loss(output, ab)
        if self.kind == "colourful":
            shortfall = F.relu(_chroma(ab) - _chroma(output))
            return F.smooth_l1_loss(output, ab, beta=0.05) + self.chroma_weight * shortfall.mean()
        target = ab_bins.encode_nearest(ab)
        loss = F.cross_entropy(output.float(), target, reduction="none")
        if self.weights is not None:
            loss = loss * self.weights.to(loss.device)[target]
        return loss.mean()

    def head(self) -> str:
        """The model head this loss trains."""
        return "classification" if self.kind == "classification" else "regression"
