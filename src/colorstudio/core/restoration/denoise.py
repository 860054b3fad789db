"""Film grain and JPEG noise reduction on L*, edge-preserving, without losing 16-bit precision.

Non-local means (OpenCV's ``fastNlMeansDenoising``) averages each pixel with pixels whose whole
neighbourhood looks alike, so edges and repeated texture survive while grain is averaged away. It
runs on a 16-bit copy of L* (OpenCV supports uint16 with ``NORM_L1``): a step of 100 / 65535 L* is far
below anything visible, whereas an 8-bit copy would band smooth gradients.

The filter strength ``h`` is set relative to the photo's own noise level (``estimate_noise``: the
median absolute response of a second-difference filter, which is what skimage's wavelet
``estimate_sigma`` measures, without needing PyWavelets, which is not a dependency), so the
same slider position removes "the grain" of a clean scan and of a very grainy one alike. The noise
level is a global property: for a large scan it is measured once (on a few crops spread over the
photo, ``sample_regions``) and passed to every tile, so tiles are filtered alike and no seam appears.
"""

from __future__ import annotations

import cv2
import numpy as np

U16_PER_L = 65535.0 / 100.0
TEMPLATE = 7  # patch compared between pixels (OpenCV's recommended size)
SEARCH = 17  # neighbourhood searched for similar patches; cost grows with its area
CONTEXT = TEMPLATE // 2 + SEARCH // 2  # pixels of context a tile needs around its core
CROP = 256  # side of the crops the noise is measured on
CROPS_PER_SIDE = 3


def sample_regions(height: int, width: int) -> list[tuple[slice, slice]]:
    """Crops (up to 3 x 3, ``CROP`` px) spread evenly over an image, for measuring global statistics
    at full resolution without reading the whole image (a downscaled copy would hide the grain)."""
    def starts(length: int) -> list[int]:
        if length <= CROP:
            return [0]
        return sorted({round(i * (length - CROP) / (CROPS_PER_SIDE - 1)) for i in range(CROPS_PER_SIDE)})

    size_y, size_x = min(CROP, height), min(CROP, width)
    return [(slice(y, y + size_y), slice(x, x + size_x)) for y in starts(height) for x in starts(width)]


_SECOND_DIFFERENCE = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)  # L2 norm 6


def noise_sigma(L: np.ndarray) -> float:
    """Noise sigma of one image (Immerkaer's filter, robust form): 1.4826 MAD of a filter that cancels
    linear ramps, divided by its gain on white noise. Edges touch few pixels, so the median ignores
    them; texture finer than 3 px does raise it."""
    response = cv2.filter2D(np.ascontiguousarray(L, np.float32), -1, _SECOND_DIFFERENCE)[1:-1, 1:-1]
    return float(1.4826 * np.median(np.abs(response)) / 6.0)


def noise_of_crops(crops: list[np.ndarray]) -> float:
    """Noise sigma (L* units) from full-resolution crops: ``noise_sigma`` per crop, then a low quantile
    over the crops, because textured crops overestimate the noise and flat ones do not."""
    sigmas = [noise_sigma(c) for c in crops if min(c.shape) >= 16]
    if not sigmas:
        return 0.0
    return float(np.percentile(sigmas, 30))


def estimate_noise(L: np.ndarray) -> float:
    """Grain / noise standard deviation of an L* image, in L* units."""
    return noise_of_crops([L[r] for r in sample_regions(*L.shape)])


def h_for(strength: float, sigma: float) -> float:
    """NLM ``h`` in L* units. With ``NORM_L1`` OpenCV weighs a patch by exp(-(d/h)^2), d being the mean
    absolute difference of two patches, which is ~1.13 sigma for two noisy copies of the same
    patch: h ~ sigma keeps those at weight ~e^-1, more smooths harder. A photo without measurable
    fine grain (a smooth, downscaled, re-compressed JPEG) is left alone."""
    strength = float(np.clip(strength, 0.0, 1.0))
    return sigma * (0.4 + 1.6 * strength)


def denoise(L: np.ndarray, strength: float, sigma: float | None = None) -> np.ndarray:
    """Grain-reduced copy of ``L`` (float32, L* in [0, 100]); ``strength`` in [0, 1], 0 = unchanged.

    ``sigma`` is the noise level (L* units) measured on the whole photo; by default it is estimated on
    ``L`` itself.
    """
    L = np.asarray(L, np.float32)
    if strength <= 0.0:
        return L.copy()
    if sigma is None:
        sigma = estimate_noise(L)
    h = h_for(strength, sigma) * U16_PER_L
    if h < 1.0:  # below one 16-bit step: nothing to remove
        return L.copy()
    scaled = np.clip(L * np.float32(U16_PER_L) + np.float32(0.5), 0, 65535).astype(np.uint16)
    out = cv2.fastNlMeansDenoising(scaled, [float(h)], None, TEMPLATE, SEARCH, cv2.NORM_L1)
    # keep the sub-step precision of the input where the filter did not move a pixel
    result = out.astype(np.float32) * np.float32(1.0 / U16_PER_L)
    unchanged = out == scaled
    result[unchanged] = L[unchanged]
    return result
