"""``unet-lite0`` and ``unet-lite2``: colorstudio's colorizers, chosen for colour quality at a CPU's speed.

- Encoder: EfficientNet-Lite0 or -Lite2 (optionally ImageNet-pretrained), fed L as 3 identical channels.
- Colour hints: [a, b, mask] go through a small conv branch added to the stem's features. Its
  convs have no bias and the last one starts at zero, so no hints (all zeros) contributes
  exactly nothing and a freshly built model behaves like the hint-less encoder.
- Global context (Iizuka et al. 2016, "Let there be Color!"): the same encoder sees the whole
  photo at ``context_size`` x ``context_size``; its pooled 1280-d head features go through an
  MLP to a ``context_dim`` scene embedding, broadcast over every tile's stride-32 bottleneck,
  concatenated and fused by a 1x1 conv. Tiles of a large photo thus agree on what the scene is.
- Decoder: U-Net with skips at strides 16, 8, 4, 2 and the input L itself at stride 1.
- Head: ``regression`` (2 channels, tanh -> ab / AB_SCALE) or ``classification`` (logits over
  the ab bins of ``ab_bins``, decoded with the annealed mean).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from colorstudio.core.models import ab_bins
from colorstudio.core.models.base import ColorNet, context_input
from colorstudio.core.models.layers import UNetDecoder, conv_bn_relu
from colorstudio.core.models.lite_encoder import LiteEncoder

HEADS = ("regression", "classification")
DEFAULT_WIDTHS = (128, 96, 64, 48, 32)


class HintBranch(nn.Module):
    """[a, b, mask] at full resolution -> stem-sized features (stride 2) to add to the encoder's stem.

    No biases and no normalisation: a zero input must give an exactly zero output, so that
    ``hints=None`` can skip the branch and still equal all-zero hints.
    """

    def __init__(self, out_channels: int, hidden: int = 16) -> None:
        super().__init__()
        self.down = nn.Conv2d(3, hidden, 3, stride=2, padding=1, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.out = nn.Conv2d(hidden, out_channels, 3, padding=1, bias=False)
        nn.init.zeros_(self.out.weight)

    def forward(self, hints: Tensor) -> Tensor:
        return self.out(self.act(self.down(hints)))


class UNetLite(ColorNet):
    """EfficientNet-Lite U-Net with colour hints and a fused global scene embedding (subclasses pick the encoder)."""

    arch = ""
    encoder_variant = ""
    size_multiple = 32
    uses_context = True
    accepts_hints = True

    def __init__(
        self,
        pretrained: bool = False,
        head: str = "regression",
        decoder_widths: Sequence[int] = DEFAULT_WIDTHS,
        context_size: int = 224,
        context_dim: int = 256,
        temperature: float = ab_bins.DEFAULT_TEMPERATURE,
    ) -> None:
        widths = [int(w) for w in decoder_widths]
        if head not in HEADS:
            raise ValueError(f"head must be one of {', '.join(HEADS)}, got {head!r}")
        if len(widths) != 5 or min(widths) < 1:
            raise ValueError(f"decoder_widths needs 5 positive widths (strides 16..1), got {widths}")
        if context_size < self.size_multiple or context_size % self.size_multiple:
            raise ValueError(f"context_size must be a positive multiple of {self.size_multiple}, got {context_size}")
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        # 'pretrained' only decides the initial weights; it is left out of config() so that
        # rebuilding a saved model never reads the ImageNet file.
        super().__init__(
            head=head,
            decoder_widths=widths,
            context_size=int(context_size),
            context_dim=int(context_dim),
            temperature=float(temperature),
        )
        self.context_size = int(context_size)
        self.temperature = float(temperature)
        self.head_kind = head

        self.encoder = LiteEncoder(pretrained, self.encoder_variant)
        skips = self.encoder.channels  # strides 2, 4, 8, 16, 32
        self.hints = HintBranch(self.encoder.stem_channels)
        self.context_mlp = nn.Sequential(
            nn.Linear(self.encoder.head_channels, 512),
            nn.ReLU(inplace=True),
            nn.Linear(512, context_dim),
            nn.ReLU(inplace=True),
        )
        self.fusion = conv_bn_relu(skips[-1] + context_dim, context_dim, kernel_size=1)
        # Skips deepest first; the last "skip" is the input L itself, for crisp colour edges.
        self.decoder = UNetDecoder(context_dim, [*reversed(skips[:-1]), 1], widths)
        out_channels = 2 if head == "regression" else ab_bins.num_bins()
        self.out = nn.Conv2d(widths[-1], out_channels, kernel_size=1)

    def encode_context(self, l_small: Tensor) -> Tensor:
        """Whole photo's L at low resolution, (N, 1, S, S) -> scene embedding (N, context_dim).

        S is normally ``context_size`` (use ``base.context_input`` to make it); any multiple of
        32 works, since the features are average-pooled.
        """
        self.check_input(l_small)
        return self._context_from(self.encoder(self.encoder.normalise(l_small))[-1])

    def _context_from(self, deepest: Tensor) -> Tensor:
        return self.context_mlp(self.encoder.head(deepest).mean(dim=(2, 3)))

    def forward(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        """(N, 1, H, W) -> ab / AB_SCALE (N, 2, H, W) with tanh, or logits (N, Q, H, W).

        ``context`` may have batch 1 for a batch of tiles from the same photo.
        """
        self.check_input(l, hints)
        stem_extra = self.hints(hints) if hints is not None else None
        features = self.encoder(self.encoder.normalise(l), stem_extra)
        if context is None:
            if stem_extra is None and tuple(l.shape[-2:]) == (self.context_size, self.context_size):
                # the input is exactly what encode_context would see: reuse its features (training speed)
                context = self._context_from(features[-1])
            else:
                context = self.encode_context(context_input(l, self.context_size))
        bottleneck = features[-1]
        n, _, h, w = bottleneck.shape
        scene = context[:, :, None, None].expand(n, -1, h, w)
        x = self.fusion(torch.cat([bottleneck, scene], dim=1))
        x = self.decoder(x, [*reversed(features[:-1]), self.centred(l)])
        x = self.out(x)
        return torch.tanh(x) if self.head_kind == "regression" else x

    def predict_ab(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        """ab / AB_SCALE in [-1, 1]; a classification head is decoded with the annealed mean."""
        out = self.forward(l, hints, context)
        if self.head_kind == "classification":
            out = ab_bins.annealed_mean(out, self.temperature)
        return out.clamp(-1.0, 1.0)


class UNetLite0(UNetLite):
    """The EfficientNet-Lite0 U-Net: colorstudio-unet-v1."""

    arch = "unet-lite0"
    encoder_variant = "lite0"


class UNetLite2(UNetLite):
    """The EfficientNet-Lite2 U-Net: a stronger encoder (ImageNet top-1 77.6% vs 75.1%); a 512 px tile costs about a
    fifth more than Lite0's on a CPU (the decoder dominates)."""

    arch = "unet-lite2"
    encoder_variant = "lite2"
