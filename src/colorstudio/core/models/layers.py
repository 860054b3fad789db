"""Small building blocks shared by the architectures (kept here so no module copies another)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

UPSAMPLE_MODES = ("bilinear", "nearest")


def conv_bn_relu(in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1) -> nn.Sequential:
    """Conv (no bias: the BatchNorm after it has one) + BatchNorm + ReLU, 'same' padding."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


def check_upsample_mode(mode: str) -> str:
    if mode not in UPSAMPLE_MODES:
        raise ValueError(f"upsample must be one of {', '.join(UPSAMPLE_MODES)}, got {mode!r}")
    return mode


def upsample2x(mode: str) -> nn.Upsample:
    """x2 upsampling layer; bilinear uses align_corners=False so tiles and whole images agree."""
    check_upsample_mode(mode)
    if mode == "nearest":
        return nn.Upsample(scale_factor=2, mode="nearest")
    return nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)


class UpStage(nn.Module):
    """One U-Net decoder stage: upsample x2, concatenate the encoder's skip, then 1 or 2 conv blocks."""

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int, convs: int) -> None:
        super().__init__()
        layers = [conv_bn_relu(in_channels + skip_channels, out_channels)]
        layers += [conv_bn_relu(out_channels, out_channels) for _ in range(convs - 1)]
        self.convs = nn.Sequential(*layers)

    def forward(self, x: Tensor, skip: Tensor) -> Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.convs(torch.cat([x, skip], dim=1))


class UNetDecoder(nn.Module):
    """Decoder from the deepest features back up through ``len(widths)`` skips (deepest skip first).

    The stages at the two finest resolutions get a single conv block: at full resolution a
    second 3x3 conv would cost about as much as the whole encoder on a CPU, for little gain.
    """

    def __init__(self, in_channels: int, skip_channels: list[int], widths: list[int]) -> None:
        super().__init__()
        if len(skip_channels) != len(widths):
            raise ValueError(f"decoder needs {len(skip_channels)} widths, got {len(widths)}")
        stages = []
        for i, (skip, width) in enumerate(zip(skip_channels, widths)):
            fine = i >= len(widths) - 2
            stages.append(UpStage(in_channels, skip, width, convs=1 if fine else 2))
            in_channels = width
        self.stages = nn.ModuleList(stages)

    def forward(self, x: Tensor, skips: list[Tensor]) -> Tensor:
        for stage, skip in zip(self.stages, skips):
            x = stage(x, skip)
        return x
