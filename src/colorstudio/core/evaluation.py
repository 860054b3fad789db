"""``evaluate``: colorize the L-only version of colour photos and score the result against the originals.

The gray floor (a = b = 0, i.e. the gray photo itself) is scored on the same photos, so a model's numbers
can be read against what doing nothing achieves. With ``hints=N``, N colour hints are sampled from each
photo's true colours (as a person would click them), to measure how well a model follows hints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from colorstudio.core import color, imageio, metrics
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import ColorHint
from colorstudio.core.pipeline import ColorizeOptions, colorize_strengths


@dataclass
class PhotoResult:
    path: Path
    model: metrics.Scores
    gray: metrics.Scores


@dataclass
class Evaluation:
    photos: list[PhotoResult] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def mean(self, which: str) -> metrics.Scores:
        """The mean of each score over the photos (``which``: "model" or "gray"); RMSE too is the mean of
        the photos' RMSEs, as PSNR is the mean of their PSNRs."""
        return metrics.mean_scores([getattr(p, which) for p in self.photos])

    def as_dict(self) -> dict:
        return {
            "photos": len(self.photos),
            "mean": {"model": self.mean("model").as_dict(), "gray_floor": self.mean("gray").as_dict()},
            "per_photo": [{"path": str(p.path), "model": p.model.as_dict(), "gray_floor": p.gray.as_dict()}
                          for p in self.photos],
            "skipped": [{"path": str(p), "reason": r} for p, r in self.skipped],
        }


def read_truth(path: Path) -> np.ndarray | str:
    """The colour photo as 8-bit RGB, or why it cannot be scored."""
    try:
        photo = imageio.read_image(path)
    except ColorStudioError as exc:
        return str(exc)
    if photo.is_gray:
        return "already grayscale: no colours to compare with"
    pixels = photo.pixels
    return pixels if pixels.dtype == np.uint8 else (pixels / 257 + 0.5).astype(np.uint8)


def sample_true_hints(truth: np.ndarray, count: int, seed: int, radius: int = 1) -> list[ColorHint]:
    """``count`` hints at random points of the photo, each carrying the true mean ab of the small square
    the pipeline marks there; the same points for the same (photo size, seed)."""
    if count <= 0:
        return []
    h, w = truth.shape[:2]
    rng = np.random.default_rng([seed, h, w])
    lab = color.rgb_to_lab(truth)
    hints = []
    for _ in range(count):
        y, x = int(rng.integers(radius, h - radius)), int(rng.integers(radius, w - radius))
        patch = lab[y - radius : y + radius + 1, x - radius : x + radius + 1, 1:]
        a, b = patch.reshape(-1, 2).mean(axis=0)
        hints.append(ColorHint(float(x), float(y), float(a), float(b)))
    return hints


def evaluate(paths: Iterable[Path], model, options: ColorizeOptions,
             on_photo: Callable[[PhotoResult | None, int, int], None] | None = None,
             hints: int = 0, seed: int = 0) -> Evaluation:
    """Score ``model`` at ``options.strength`` on the colour photos in ``paths``."""
    return evaluate_strengths(paths, model, options, [options.strength], on_photo, hints, seed)[0]


def evaluate_strengths(paths: Iterable[Path], model, options: ColorizeOptions, strengths: Sequence[float],
                       on_photo: Callable[[PhotoResult | None, int, int], None] | None = None,
                       hints: int = 0, seed: int = 0) -> list[Evaluation]:
    """One :class:`Evaluation` per colour strength, the network run once per photo (``on_photo`` is told
    about the first strength's result). The gray floor is the same in all of them."""
    paths = list(paths)
    results = [Evaluation() for _ in strengths]
    for index, path in enumerate(paths):
        truth = read_truth(path)
        if isinstance(truth, str):
            for result in results:
                result.skipped.append((path, truth))
            if on_photo:
                on_photo(None, index + 1, len(paths))
            continue
        gray = metrics.lightness_only(truth)
        outputs = colorize_strengths(gray[..., 0], model, options, strengths,
                                     hints=sample_true_hints(truth, hints, seed + index))
        gray_scores = metrics.score(gray, truth)
        for result, output in zip(results, outputs):
            result.photos.append(PhotoResult(path, metrics.score(output, truth), gray_scores))
        if on_photo:
            on_photo(results[0].photos[-1], index + 1, len(paths))
    return results
