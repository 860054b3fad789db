"""Training photos kept on the GPU, cropped, flipped and converted to Lab there, a whole batch at once.

On a large GPU a training step of the colorizer takes milliseconds, and making its batch on CPU threads
(decode, crop, Lab, one photo at a time: ``PhotoPairs``) becomes the bottleneck. Here the photos are
decoded once, kept as 8-bit RGB in one padded tensor on the device (3,000 photos at a 256 px short side
are about 1 GB), and each batch is made with one ``grid_sample`` (random scale, position and mirror per
photo) and one Lab conversion. Batches are fixed by (seed, epoch, index), so a resumed run continues with
the same ones.

It has the duck-typed interface the training loop asks of a data set: ``len()`` and
``epoch_batches(epoch, batch, skip, seed, shard)`` (``shard``: see ``batches.epoch_batches``).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
import torch.nn.functional as F

from colorstudio.core import color
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.training.dataset import prepared
from colorstudio.core.training.lab_torch import rgb_to_lab

MIN_SCALE = 0.6  # the crop's side, as a share of the photo's short side


class DevicePhotos:
    def __init__(self, paths: list[Path], size: int, device: torch.device, short_side: int = 256,
                 threads: int = 8) -> None:
        self.size = size
        self.device = device
        with ThreadPoolExecutor(threads) as pool:
            decoded = [img for img in pool.map(lambda p: prepared(p, short_side), paths) if img is not None]
        if not decoded:
            raise ColorStudioError("no usable colour photos")
        # landscape and portrait alike stored with the short side first, padded to the longest long side
        decoded = [img if img.shape[0] <= img.shape[1] else img.transpose(1, 0, 2) for img in decoded]
        long_side = max(img.shape[1] for img in decoded)
        self.pixels = torch.zeros((len(decoded), 3, short_side, long_side), dtype=torch.uint8, device=device)
        self.widths = torch.tensor([img.shape[1] for img in decoded], device=device, dtype=torch.float32)
        for i, img in enumerate(decoded):
            self.pixels[i, :, :, : img.shape[1]] = torch.from_numpy(img).permute(2, 0, 1).to(device)
        self.short_side = short_side

    def __len__(self) -> int:
        return self.pixels.shape[0]

    def _crops(self, index: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Random square crops (scale, position, mirror), as float RGB in [0, 1], (B, 3, size, size)."""
        b = index.numel()
        rand = torch.rand((b, 4), generator=generator, device=self.device)
        height = float(self.short_side)
        width = self.widths[index]
        side = height * (MIN_SCALE + (1 - MIN_SCALE) * rand[:, 0])  # crop side in pixels
        y0 = (height - side) * rand[:, 1]
        x0 = (width - side) * rand[:, 2]
        mirror = torch.where(rand[:, 3] < 0.5, -1.0, 1.0)
        # the padded tensor's normalised coordinates run over its full width, the photo only over ``width``
        full_w = float(self.pixels.shape[-1])
        theta = torch.zeros((b, 2, 3), device=self.device)
        theta[:, 0, 0] = side / full_w * mirror
        theta[:, 0, 2] = (2 * x0 + side) / full_w - 1
        theta[:, 1, 1] = side / height
        theta[:, 1, 2] = (2 * y0 + side) / height - 1
        grid = F.affine_grid(theta, [b, 3, self.size, self.size], align_corners=False)
        source = self.pixels[index].float() / 255.0
        return F.grid_sample(source, grid, mode="bilinear", padding_mode="border", align_corners=False).clamp_(0, 1)

    def epoch_batches(self, epoch: int, batch: int, skip: int, seed: int,
                      shard: tuple[int, int] = (0, 1)) -> Iterator[dict]:
        """Batches ``skip``.. of the epoch as {"l": (B,1,S,S), "ab": (B,2,S,S)} in network units, on the device."""
        order = torch.randperm(len(self), generator=torch.Generator().manual_seed(hash((seed, epoch)) & 0xFFFFFFFF))
        generator = torch.Generator(device=self.device)
        rank, workers = shard
        for number in range(skip, len(self) // (batch * workers)):
            part = number * workers + rank  # this process's part of the global batch ``number``
            generator.manual_seed(hash((seed, epoch, part)) & 0xFFFFFFFF)
            index = order[part * batch : (part + 1) * batch].to(self.device)
            lab = rgb_to_lab(self._crops(index, generator))
            yield {"l": lab[:, :1] / color.L_SCALE, "ab": lab[:, 1:] / color.AB_SCALE}
