"""The contract between colorization networks and the rest of colorstudio.

The inference pipeline, the training engine and the model files only ever talk to a
:class:`ColorNet`, so a new architecture is added by subclassing it and registering it in
``registry.py``; nothing else has to change.

Tensor conventions (see ``colorstudio.core.color``):

- ``l``: (N, 1, H, W) = L* / L_SCALE, in [0, 1].
- ``hints``: (N, 3, H, W) = [a / AB_SCALE, b / AB_SCALE, mask in {0, 1}], or ``None`` (no hints).
- ``context``: (N, C) scene embedding from :meth:`RuntimeModel.encode_context`, or ``None``.
- ab predictions: (N, 2, H, W) = ab / AB_SCALE, in [-1, 1].
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import torch.nn.functional as F
from torch import Tensor, nn

from colorstudio.core.models.runtime import RuntimeModel


def context_input(l: Tensor, size: int) -> Tensor:
    """The whole photo's L, squashed to ``size`` x ``size``, as :meth:`ColorNet.encode_context` wants it.

    One function for every caller (the pipeline computing the embedding once per photo, and a
    model computing it itself when ``context=None``) so that both paths give the same embedding.
    Anti-aliased bilinear: a plain bilinear downscale of a big photo would alias fine textures.
    """
    if l.shape[-2:] == (size, size):
        return l
    return F.interpolate(l, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


class ColorNet(RuntimeModel, nn.Module):
    """Base class of every colorization network: reads L, predicts ab; run through the
    :class:`~colorstudio.core.models.runtime.RuntimeModel` interface.

    Subclasses set the class attributes (``arch``, ``size_multiple`` and the runtime features they
    offer), call ``super().__init__(**config)`` with the JSON-serialisable settings that rebuild them
    (``build(arch, **model.config())``), and implement :meth:`forward`. Models that take no hints or
    context ignore those arguments, so a caller may pass them uniformly; it should read
    :attr:`accepts_hints` to know whether hints do anything.
    """

    arch: ClassVar[str]
    size_multiple: ClassVar[int]

    def __init__(self, **config: Any) -> None:
        super().__init__()
        self._config = dict(config)

    def config(self) -> dict:
        """Settings that rebuild this architecture (not its weights): ``build(self.arch, **config)``."""
        return copy.deepcopy(self._config)

    def predict_ab(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        """Inference output: ab / AB_SCALE, (N, 2, H, W), clamped to [-1, 1].

        The default suits regression models whose :meth:`forward` already predicts ab; a
        classification model overrides this to decode its logits. Call it under
        ``torch.inference_mode()``: it does not switch off autograd itself, so that a training
        engine can still use it for previews with gradients if it wants.
        """
        self.check_input(l, hints)
        return self.forward(l, hints, context).clamp(-1.0, 1.0)

    def forward(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        """Training output: ab / AB_SCALE for a regression model, logits for a classification model."""
        raise NotImplementedError

    def check_input(self, l: Tensor, hints: Tensor | None = None) -> None:
        """Fail early with a readable message instead of a shape error deep inside a conv layer."""
        if l.ndim != 4 or l.shape[1] != 1:
            raise ValueError(f"{self.arch}: expected L as (N, 1, H, W), got {tuple(l.shape)}")
        height, width = l.shape[-2:]
        m = self.size_multiple
        if height % m or width % m:
            raise ValueError(f"{self.arch}: height and width must be multiples of {m}, got {height}x{width}")
        if hints is not None and self.accepts_hints:
            expected = (l.shape[0], 3, height, width)
            if tuple(hints.shape) != expected:
                raise ValueError(f"{self.arch}: expected hints of shape {expected}, got {tuple(hints.shape)}")

    @staticmethod
    def centred(l: Tensor) -> Tensor:
        """L in [0, 1] -> [-1, 1]: the zero-centred input that networks trained from scratch learn best from."""
        return l * 2.0 - 1.0
