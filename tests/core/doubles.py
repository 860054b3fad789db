"""Small networks with known behaviour that follow the runtime model interface, for pipeline tests."""

from __future__ import annotations

import torch
from torch import nn

from colorstudio.core.models.runtime import RuntimeModel


class ConvDouble(RuntimeModel, nn.Module):
    """``depth`` k x k convolutions (zero padding): receptive-field radius ``depth * (k // 2)``."""

    size_multiple = 8
    uses_context = False
    accepts_hints = False
    context_size = 64

    def __init__(self, depth: int = 3, kernel: int = 3, seed: int = 0, gain: float = 0.2) -> None:
        super().__init__()
        self.gain = gain
        generator = torch.Generator().manual_seed(seed)
        layers: list[nn.Module] = []
        channels = 1
        for i in range(depth):
            out = 2 if i == depth - 1 else 8
            conv = nn.Conv2d(channels, out, kernel, padding=kernel // 2)
            with torch.no_grad():
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * 0.5)
                conv.bias.copy_(torch.randn(conv.bias.shape, generator=generator) * 0.1)
            layers += [conv, nn.Tanh()]
            channels = out
        self.net = nn.Sequential(*layers)

    @property
    def radius(self) -> int:
        return sum(m.kernel_size[0] // 2 for m in self.net if isinstance(m, nn.Conv2d))

    def predict_ab(self, l, hints=None, context=None):
        return self.net(l * 2 - 1) * self.gain


class HintEcho(RuntimeModel, nn.Module):
    """Returns the hint planes' ab where the mask is set and zero elsewhere."""

    size_multiple = 8
    uses_context = False
    accepts_hints = True
    context_size = 64

    def predict_ab(self, l, hints=None, context=None):
        if hints is None:
            return torch.zeros(l.shape[0], 2, *l.shape[2:])
        return hints[:, :2] * hints[:, 2:3]


class ContextEcho(RuntimeModel, nn.Module):
    """Colour is the scene embedding (the photo's mean lightness), the same for every tile."""

    size_multiple = 8
    uses_context = True
    accepts_hints = False
    context_size = 32

    def __init__(self) -> None:
        super().__init__()
        self.context_calls = 0

    def encode_context(self, l_small):
        self.context_calls += 1
        return l_small.mean(dim=(2, 3))

    def predict_ab(self, l, hints=None, context=None):
        if context is None:
            context = self.encode_context(l)
        return context[:, :, None, None].expand(-1, 2, *l.shape[2:]) * 0.1


class OutOfMemoryDouble(ConvDouble):
    """Raises CUDA's out-of-memory error for tiles larger than ``max_tile`` or while ``always`` is set."""

    def __init__(self, max_tile: int, always: bool = False) -> None:
        super().__init__()
        self.max_tile = max_tile
        self.always = always
        self.sizes: list[int] = []

    def predict_ab(self, l, hints=None, context=None):
        self.sizes.append(l.shape[-1])
        if self.always or max(l.shape[-2:]) > self.max_tile:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated by the test double)")
        return super().predict_ab(l)
