"""Colour-quality metrics of a colorized photo against its colour original (scikit-image where it has them).

- PSNR (dB), RMSE and SSIM on 8-bit sRGB; RMSE is the root-mean-square difference of the 8-bit R, G and
  B values, all three channels pooled, on the 0-255 scale, as the small open-source colorizers report it
  (PSNR = 20 log10(255 / RMSE));
- CIEDE2000: mean colour difference in Lab (lower is better; about 2.3 is a just-noticeable difference);
- colourfulness (Hasler and Suesstrunk 2003) of each, and their ratio output / original: a model that
  turns everything brown scores well on PSNR but has a ratio far below 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from skimage.color import deltaE_ciede2000
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from colorstudio.core import color


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler-Suesstrunk colourfulness of an 8-bit sRGB image (0 for gray)."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg = r - g
    yb = 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


@dataclass(frozen=True)
class Scores:
    psnr: float
    ssim: float
    ciede2000: float
    colourfulness: float
    colourfulness_ratio: float
    #: 0-255 RGB scale (see the module); NaN in scores recorded before it was measured
    rmse: float = float("nan")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def rmse(output: np.ndarray, truth: np.ndarray) -> float:
    """Root-mean-square difference of two 8-bit RGB images, over every pixel and channel, on the 0-255
    scale."""
    diff = output.astype(np.float64) - truth.astype(np.float64)
    return float(np.sqrt(np.mean(diff * diff)))


def score(output: np.ndarray, truth: np.ndarray) -> Scores:
    """Compare two 8-bit sRGB (H, W, 3) images of the same size."""
    if output.shape != truth.shape or output.dtype != np.uint8 or truth.dtype != np.uint8:
        raise ValueError(f"need two uint8 images of one shape, got {output.shape}/{output.dtype} "
                         f"and {truth.shape}/{truth.dtype}")
    identical = np.array_equal(truth, output)
    psnr = 100.0 if identical else peak_signal_noise_ratio(truth, output, data_range=255)
    ssim = structural_similarity(truth, output, channel_axis=2, data_range=255)
    delta = deltaE_ciede2000(color.rgb_to_lab(truth), color.rgb_to_lab(output))
    c_out, c_true = colourfulness(output), colourfulness(truth)
    return Scores(float(min(psnr, 100.0)), float(ssim), float(delta.mean()), c_out,
                  c_out / c_true if c_true > 1e-6 else float("nan"), rmse(output, truth))


def mean_scores(items: list[Scores]) -> Scores:
    fields = Scores.__dataclass_fields__
    return Scores(**{name: float(np.nanmean([getattr(s, name) for s in items])) for name in fields})


def lightness_only(rgb: np.ndarray) -> np.ndarray:
    """The gray photo a colour original becomes when only its L* is kept (a = b = 0), as 8-bit RGB."""
    lab = color.rgb_to_lab(rgb)
    return color.compose_rgb(lab[..., 0], np.zeros(lab.shape[:2] + (2,), np.float32), np.uint8)
