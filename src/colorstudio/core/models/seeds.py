"""The reference networks of the small open-source colorizers colorstudio learned from.

They are kept as baselines the training wizard can train from scratch and compare against the
default architecture: plain regression of ab, no hints, no global context. Each normalises its
input itself (L in [0, 1] -> [-1, 1]) so every architecture takes the same tensors.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models import resnet18
from torchvision.models.vgg import cfgs as vgg_cfgs
from torchvision.models.vgg import make_layers as vgg_make_layers

from colorstudio.core.models.base import ColorNet
from colorstudio.core.models.layers import check_upsample_mode, conv_bn_relu, upsample2x


class SeedResNet18(ColorNet):
    """ResNet-18 trunk up to layer2 (128 channels at 1/8) + the seeds' upsampling decoder.

    The first conv takes 1 channel instead of RGB. ``upsample`` defaults to bilinear: the
    seeds used nearest, which leaves 8x8 blocks in the ab planes that show as colour bleeding
    along edges; nearest stays available to reproduce them exactly.
    """

    arch = "seed-resnet18"
    size_multiple = 8

    def __init__(self, upsample: str = "bilinear") -> None:
        super().__init__(upsample=check_upsample_mode(upsample))
        trunk = resnet18(weights=None)
        trunk.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        # conv1, bn1, relu, maxpool, layer1, layer2 -> 128 channels at stride 8.
        self.encoder = nn.Sequential(*list(trunk.children())[:6])
        self.decoder = nn.Sequential(
            conv_bn_relu(128, 128),
            upsample2x(upsample),
            conv_bn_relu(128, 64),
            conv_bn_relu(64, 64),
            upsample2x(upsample),
            conv_bn_relu(64, 32),
            nn.Conv2d(32, 2, kernel_size=3, padding=1),
            upsample2x(upsample),
        )

    def forward(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        return self.decoder(self.encoder(self.centred(l)))


class SeedCNN(ColorNet):
    """The strided-conv autoencoder of the Keras "beta" colorizer: no pooling, tanh output.

    Encoder 64/2, 128, 128/2, 256, 256/2, 512, 256; decoder 128, up, 64, up, 32, 2 (tanh), up.
    Dropout after every ReLU block (the seeds overfit small photo sets without it).
    """

    arch = "seed-cnn"
    size_multiple = 8

    _ENCODER = ((64, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1), (256, 1))

    def __init__(self, dropout: float = 0.1, upsample: str = "bilinear") -> None:
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        super().__init__(dropout=float(dropout), upsample=check_upsample_mode(upsample))
        layers: list[nn.Module] = []
        in_channels = 1
        for out_channels, stride in self._ENCODER:
            layers += self._block(in_channels, out_channels, stride, dropout)
            in_channels = out_channels
        layers += self._block(256, 128, 1, dropout)
        layers.append(upsample2x(upsample))
        layers += self._block(128, 64, 1, dropout)
        layers.append(upsample2x(upsample))
        layers += self._block(64, 32, 1, dropout)
        layers += [nn.Conv2d(32, 2, 3, padding=1), nn.Tanh(), upsample2x(upsample)]
        self.net = nn.Sequential(*layers)

    @staticmethod
    def _block(in_channels: int, out_channels: int, stride: int, dropout: float) -> list[nn.Module]:
        return [
            nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
        ]

    def forward(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        return self.net(self.centred(l))


class SeedVGG(ColorNet):
    """VGG-19 convolutions (torchvision's cfg "E"), 1 input channel, cut at stride 8, + conv decoder.

    Cut after conv4_4 (512 channels at 1/8), before pool4: colour edges need the spatial detail
    that a fourth pooling throws away (Zhang et al. likewise keep VGG at stride 8 and dilate
    afterwards), and conv5 would add 9.4 M weights that, with no ImageNet weights to start
    from here, are mostly extra to train. BatchNorm is on by default (torchvision's vgg19_bn
    layout) because a 16-conv stack trained from scratch converges poorly without it.
    """

    arch = "seed-vgg"
    size_multiple = 8

    _POOLS_KEPT = 3  # three 2x2 pools -> stride 8

    def __init__(self, batch_norm: bool = True, upsample: str = "bilinear") -> None:
        super().__init__(batch_norm=bool(batch_norm), upsample=check_upsample_mode(upsample))
        features = vgg_make_layers(vgg_cfgs["E"], batch_norm=batch_norm)
        first = features[0]
        features[0] = nn.Conv2d(1, first.out_channels, kernel_size=3, padding=1)
        self.encoder = nn.Sequential(*self._cut(features))
        self.decoder = nn.Sequential(
            conv_bn_relu(512, 256),
            upsample2x(upsample),
            conv_bn_relu(256, 128),
            upsample2x(upsample),
            conv_bn_relu(128, 64),
            upsample2x(upsample),
            conv_bn_relu(64, 32),
            nn.Conv2d(32, 2, 3, padding=1),
            nn.Tanh(),
        )

    @classmethod
    def _cut(cls, features: nn.Sequential) -> list[nn.Module]:
        """The layers before the (_POOLS_KEPT + 1)-th max-pool, whatever the BatchNorm setting."""
        kept: list[nn.Module] = []
        pools = 0
        for layer in features:
            if isinstance(layer, nn.MaxPool2d):
                pools += 1
                if pools > cls._POOLS_KEPT:
                    break
            kept.append(layer)
        return kept

    def forward(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        return self.decoder(self.encoder(self.centred(l)))
