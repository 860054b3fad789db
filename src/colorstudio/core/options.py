"""Options and names that the command line and the window need before the engine (torch) is loaded.

The window builds the same ``ColorizeOptions``, ``OutputSettings`` and ``JobSettings`` as the command line,
from the same defaults and choices, and validates them with the same rules as the user changes them
(an ``OptionError`` names the option, so the window can show it beside the control).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from colorstudio.core.errors import ColorStudioError
from colorstudio.core.imageio import DEFAULT_MAX_PIXELS, OUTPUT_FORMATS
from colorstudio.core.restoration import RestoreOptions

# What each device choice means, in words (the CLI's --device and the window's Device box).
DEVICES = {"auto": "Automatic (GPU if there is one)", "cpu": "CPU", "cuda": "NVIDIA GPU (CUDA)",
           "mps": "Apple GPU (MPS)"}
DEVICE_CHOICES = tuple(DEVICES)
# What runs the network (core.engines): auto = OpenVINO on the CPU, PyTorch on a GPU.
ENGINES = {"auto": "Automatic (OpenVINO on the CPU)", "openvino": "OpenVINO", "torch": "PyTorch"}
ENGINE_CHOICES = tuple(ENGINES)
# float32: the same results as PyTorch; fast: bfloat16 where the CPU has it (measured in the README)
PRECISION_CHOICES = ("float32", "fast")
# Output formats in words (None: the same format as the photo).
FORMAT_NAMES = {None: "Same as the photo", "png": "PNG", "jpeg": "JPEG", "tiff": "TIFF", "webp": "WebP"}
LOSSY_FORMATS = ("jpeg", "webp")  # the ones a quality applies to
# The registry's architectures (tests/core/test_models.py checks the two lists agree).
ARCHITECTURE_NAMES = ("unet-lite0", "unet-lite2", "seed-resnet18", "seed-cnn", "seed-vgg")
LOSSES = ("mse", "colourful", "classification")
# What a model card's colour response may hold (checked on load; ``evaluate --contrast`` takes the same).
COLOUR_GAIN_MAX = 4.0
COLOUR_CONTRAST_MAX = 2.0
STRENGTH_MAX = 4.0


class OptionError(ColorStudioError):
    """An option the user set is not valid; ``option`` names it (a ColorizeOptions/OutputSettings field)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


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
    engine: str = "auto"  # what runs the network (ENGINES)
    precision: str = "float32"  # OpenVINO's arithmetic on the CPU (PRECISION_CHOICES)

    def validate(self) -> None:
        try:
            self.restore.validate()
        except ColorStudioError as exc:
            raise OptionError("restore", str(exc)) from None
        if self.render_size < 0:
            raise OptionError("render_size", "render size must be 0 (full resolution) or a positive number of pixels")
        if self.tile_size < 32:
            raise OptionError("tile_size", "tile size must be at least 32 pixels")
        if not 0 <= self.overlap < self.tile_size:
            raise OptionError("overlap", "overlap must be at least 0 and smaller than the tile size")
        if not 0.0 <= self.strength <= STRENGTH_MAX:
            raise OptionError("strength", f"colour strength must be between 0 and {STRENGTH_MAX:g}")
        if self.device not in DEVICE_CHOICES and not self.device.startswith("cuda:"):
            raise OptionError("device", f"unknown device {self.device!r}; choose one of {', '.join(DEVICE_CHOICES)}")
        if self.engine not in ENGINE_CHOICES:
            raise OptionError("engine", f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINE_CHOICES)}")
        if self.precision not in PRECISION_CHOICES:
            raise OptionError("precision", f"unknown precision {self.precision!r}; choose one of "
                              f"{', '.join(PRECISION_CHOICES)}")


@dataclass(frozen=True)
class OutputSettings:
    folder: Path
    format: str | None = None  # "png", "jpeg", "tiff", "webp"; None = same as the input
    quality: int = 95
    overwrite: bool = False

    def validate(self) -> None:
        if not str(self.folder).strip():
            raise OptionError("folder", "choose an output folder")
        folder = Path(self.folder).expanduser() if isinstance(self.folder, (str, Path)) else self.folder  # or a URL
        if folder.exists() and not folder.is_dir():
            raise OptionError("folder", f"{folder} is a file, not a folder")
        if self.format is not None and self.format not in OUTPUT_FORMATS:
            raise OptionError("format", f"unknown output format {self.format!r}; use one of {', '.join(OUTPUT_FORMATS)}")
        if not 1 <= self.quality <= 100:
            raise OptionError("quality", "quality must be between 1 and 100")


@dataclass(frozen=True)
class JobSettings:
    """Everything a batch is run with: the model (a name or a model file; "" = the default one), how
    photos are colorized and where they go. A batch keeps the settings it was started with."""

    model: str = ""
    options: ColorizeOptions = ColorizeOptions()
    output: OutputSettings = field(default_factory=lambda: OutputSettings(Path(".")))
    max_pixels: int = DEFAULT_MAX_PIXELS

    def validate(self) -> None:
        self.options.validate()
        self.output.validate()
        if self.max_pixels <= 0:
            raise OptionError("max_pixels", "the largest photo size must be positive")
