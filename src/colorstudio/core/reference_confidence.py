"""How much a reference's matched colour counts in each cell of a photo (``core.reference``): a logistic
model of what the match says about itself, fitted on photos-train.

A cell's weight is ``sigmoid(bias + coefficients . features)``; the features (``FEATURES``) say how well the
cell matched (its best similarity, how that compares with the photo's other cells, how sure the ranking of
its candidates is), how much its candidates agree on a colour, and how well the reference shows the photo's
scene at all (the photo's median and quantiles of best similarity, its share of cells above 0.5). The last
group is what keeps another scene's reference from recolouring a photo: the model learnt it from pairs with
another scene's reference, whose best weight is none.

The coefficients come from ``recipes/fit_reference_confidence.py``: photos-train split-scene pairs (as
``benchmarks/bench_reference.py`` builds them from photos-val), each photo with its own reference and two
other scenes'; the weight of each cell is fitted so that the network's chroma blended towards the matched
chroma by it is closest to the truth (mean ab distance, cell means). It replaced hand-set ramps (best
similarity 0.30-0.50, candidates' spread, a scene gate on the median best similarity 0.45-0.55): on the
53 photos-val pairs of ``benchmarks/bench_reference.py`` CIEDE2000 with the right reference 6.22 -> 5.61,
another scene's reference still no worse than the automatic colour (-0.04 on average). Adding the other
scenes most like each photo to what it learns from made it more careful with a merely similar reference and
worse on those pairs (6.13). A model that also read the network's
own chroma or the cell's lightness, or a small two-layer one, did no better on photos-val.

The coefficients were fitted with the matching of session 16 (one colour a cell, the nearest cell) and are
kept with session 17's (2 x 2 samples a cell, the four nearest cells). Fitted again with 704 px features,
samples and four cells, they did worse on photos-val (5.98 with the right reference, against 5.34 with these
at 704 px).

Session 18 tried two ways past it, and kept neither. A small convolutional network reading these features,
the photo's lightness, the matched and the automatic chroma around each pixel (five dilated 3 x 3 layers and
a pooled whole-photo branch, trained on 342 photos-train pairs with their own, another and the most similar
other reference) was no better on photos-val. Trusting a reference the person gave more than a folder's
guess (2 added to the logit) took the right reference on photos-val from 5.53 to 5.31 with another scene's
still harmless there (-0.03); but on 62 photos-train pairs another scene's then made photos worse by 0.55 on
average (the worst by 8.2; with the logit as it is: +0.08), and on photos-val the most similar other photo
by 0.93 (+0.23 as it is).
"""

from __future__ import annotations

import cv2
import numpy as np

from colorstudio.core.reference_match import Match

FEATURES = ("best similarity", "photo's median best", "candidates' colour spread", "ranking margin",
            "neighbourhood's best", "photo's share above 0.5", "best less the median", "photo's 90th percentile",
            "photo's 10th percentile")
# ``recipes/fit_reference_confidence.py`` on 119 photos-train pairs (seed 0; session 16's matching); the
# features' standardisation is folded in, so these apply to the raw features
BIAS = -13.3594
COEFFICIENTS = np.array([3.8111, 5.5408, -0.6713, 0.0277, 6.2688, 1.4060, -3.3544, -2.5582, 19.0430], np.float32)


def features(found: Match) -> np.ndarray:
    """The features (gh, gw, len(FEATURES)) of each cell of a match."""
    best = found.best.astype(np.float32)
    median = float(np.median(best))
    chroma = found.chroma.mean(axis=3)  # each candidate's colour: the mean of its samples
    mean = np.einsum("hwk,hwkc->hwc", found.weights, chroma)[:, :, None]
    spread = np.einsum("hwk,hwk->hw", found.weights, ((chroma - mean) ** 2).sum(axis=-1))
    margin = (found.scores[..., 0] - found.scores.mean(axis=-1)) * 10
    whole = lambda value: np.full_like(best, value)  # noqa: E731 - one value for every cell
    return np.stack([
        best, whole(median), np.log1p(spread) / 5, margin, cv2.blur(best, (5, 5)), whole((best > 0.5).mean()),
        best - median, whole(np.quantile(best, 0.9)), whole(np.quantile(best, 0.1)),
    ], axis=-1).astype(np.float32)


def confidence(found: Match) -> np.ndarray:
    """Each cell's weight 0..1 (gh, gw) for the reference's colour."""
    logit = features(found) @ COEFFICIENTS + np.float32(BIAS)
    return (1.0 / (1.0 + np.exp(-logit))).astype(np.float32)
