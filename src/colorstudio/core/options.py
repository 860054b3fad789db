"""Options and names that the command line and the window need before the engine (torch) is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from colorstudio.core.errors import ColorStudioError
from colorstudio.core.restoration import RestoreOptions

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
# The registry's architectures (tests/core/test_models.py checks the two lists agree).
ARCHITECTURE_NAMES = ("unet-lite0", "seed-resnet18", "seed-cnn", "seed-vgg")
LOSSES = ("mse", "colourful", "classification")
# What a model card's colour response may hold (checked on load; ``evaluate --contrast`` takes the same).
COLOUR_GAIN_MAX = 4.0
COLOUR_CONTRAST_MAX = 2.0


@dataclass(frozen=True)
class ColorizeOptions:
    render_size: int = 1024  # longest side seen by the network; 0 = the photo's own resolution
    tile_size: int = 512
    overlap: int = 64
    strength: float = 1.0  # chroma gain: 0 = gray, 1 = as predicted, >1 = more vivid
    device: str = "auto"
    tile_batch: int = 0  # tiles per forward pass; 0 = automatic (4 on a GPU, 1 on the CPU)
    min_tile_size: int = 128  # smallest tile tried after out-of-memory errors
    restore: RestoreOptions = RestoreOptions()  # clean-up of the lightness before colour (off by default)
    spread_hints: bool = True  # colour hints recolour the region they are in, not only their point

    def validate(self) -> None:
        self.restore.validate()
        if self.render_size < 0:
            raise ColorStudioError("render size must be 0 (full resolution) or a positive number of pixels")
        if self.tile_size < 32:
            raise ColorStudioError("tile size must be at least 32 pixels")
        if not 0 <= self.overlap < self.tile_size:
            raise ColorStudioError("overlap must be at least 0 and smaller than the tile size")
        if not 0.0 <= self.strength <= 4.0:
            raise ColorStudioError("colour strength must be between 0 and 4")
