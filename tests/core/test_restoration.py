"""Restoration of old photos before colorizing: each step measurably recovers a clean photo from a
synthetic damaged copy, leaves clean photos alone, keeps 16-bit precision, and tiles without seams.

The test set is built here: clean synthetic "photos" (gradients, smooth shapes with soft edges, dark
discs like buttons, a box with hard edges, optional fine texture and a fabric-like grating), and
damage added to them (specks, hairlines, scratches, grain, fading, a sepia cast). The PSNR gains
are printed (run with -s to see them).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core import color
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.restoration import (
    PRESETS,
    RestoreOptions,
    contrast,
    denoise,
    dust,
    restore,
    restore_tiled,
    tint,
)

SIZE = 256


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)
    return float(10 * np.log10(100.0**2 / max(mse, 1e-12)))


def report(name: str, damaged: float, restored: float) -> float:
    print(f"\n{name}: PSNR {damaged:.2f} dB -> {restored:.2f} dB (gain {restored - damaged:+.2f} dB)")
    return restored - damaged


def scene(seed: int, size: int = SIZE, textured: bool = True) -> np.ndarray:
    """A clean photo's L*, spanning about 2..98 (a print with a full tonal range)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    L = 35 + 35 * xx + 10 * np.sin(6 * yy + 2 * xx)
    for _ in range(6):
        cy, cx = rng.uniform(0.15, 0.85, 2)
        ry, rx = rng.uniform(0.05, 0.18, 2)
        L = np.where(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1, rng.uniform(15, 85), L)
    L[int(0.6 * size):int(0.9 * size), int(0.1 * size):int(0.4 * size)] = 75  # hard-edged box
    for k in range(4):  # buttons: dark discs 12-16 px wide
        cv2.circle(L, (int(size * (0.55 + 0.1 * k)), int(size * 0.2)), 6 + k % 3, 12.0, -1)
    L = cv2.GaussianBlur(L.astype(np.float32), (0, 0), 1.0)
    if textured:
        tex = cv2.GaussianBlur(rng.standard_normal((size, size)).astype(np.float32), (0, 0), 1.5)
        L += np.where((xx > 0.5) & (yy > 0.5), 4.0 * tex / tex.std(), 0)
        L += 2.0 * np.sin(2 * np.pi * xx * size / 6) * ((xx < 0.5) & (yy < 0.4))  # fabric-like grating
    lo, hi = np.percentile(L, [0.5, 99.5])
    return np.clip((L - lo) / (hi - lo) * 96 + 2, 0, 100).astype(np.float32)


def to_pixels(L: np.ndarray, dtype) -> np.ndarray:
    return color.compose_rgb(L, np.zeros(L.shape + (2,), np.float32), dtype)[..., 0]


def clean_photo(seed: int, dtype=np.uint16, textured: bool = True, size: int = SIZE) -> np.ndarray:
    """L* of the clean photo as stored at ``dtype`` (the reference every test compares with)."""
    return color.lightness(to_pixels(scene(seed, size, textured), dtype))


def add_specks(L, rng, n=60):
    L = L.copy()
    h, w = L.shape
    for _ in range(n):
        y, x, d = rng.integers(4, h - 8), rng.integers(4, w - 8), int(rng.integers(1, 5))  # 1-4 px
        value = rng.uniform(88, 100) if rng.random() < 0.5 else rng.uniform(0, 8)
        L[y:y + d, x:x + d] = value
        if d > 2:  # round the corners of the bigger ones
            for cy, cx in ((y, x), (y, x + d - 1), (y + d - 1, x), (y + d - 1, x + d - 1)):
                L[cy, cx] = (L[cy, cx] + L[cy - 1, cx - 1]) / 2
    return L


def add_hairs(L, rng, n=4):
    """Thin curved 1-px lines."""
    L = L.copy()
    h, w = L.shape
    for _ in range(n):
        t = np.linspace(0, 1, 200)
        x0, y0 = rng.uniform(0.1, 0.9, 2) * (w, h)
        angle, length, bend = rng.uniform(0, np.pi), rng.uniform(0.15, 0.35) * w, rng.uniform(-2, 2)
        theta = angle + bend * t
        pts = np.stack([x0 + length * t * np.cos(theta), y0 + length * t * np.sin(theta)], 1)
        cv2.polylines(L, [np.round(pts).astype(np.int32)], False, 96.0 if rng.random() < 0.5 else 3.0, 1)
    return L


def add_scratches(L, rng, n=3):
    """Longer straight 1-2 px lines."""
    L = L.copy()
    h, w = L.shape
    for _ in range(n):
        x0, y0 = rng.uniform(0, 1, 2) * (w, h)
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.4, 0.8) * w
        p1 = (int(x0 + length * np.cos(angle)), int(y0 + length * np.sin(angle)))
        cv2.line(L, (int(x0), int(y0)), p1, 97.0 if rng.random() < 0.6 else 3.0, int(rng.integers(1, 3)))
    return L


def add_grain(L, rng, sigma):
    return np.clip(L + rng.normal(0, sigma, L.shape).astype(np.float32), 0, 100)


def fade(L, keep=0.5):
    """A faded print: the range compressed toward mid-gray."""
    return (50 + (L - 50) * keep).astype(np.float32)


def sepia(gray_pixels: np.ndarray) -> np.ndarray:
    """A toned colour scan of a gray print: a warm tint applied to the sRGB values, paper not quite white."""
    unit = color.to_unit_float(gray_pixels)
    tone = np.array([1.0, 0.86, 0.66], np.float32) * 0.95
    rgb = np.clip(unit[..., None] * tone, 0, 1)
    peak = color.max_value_of(gray_pixels.dtype)
    return (rgb * peak + 0.5).astype(gray_pixels.dtype)


def damaged(L, seed):
    rng = np.random.default_rng(100 + seed)
    return add_scratches(add_hairs(add_specks(L, rng), rng), rng)


# --- tint -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_neutralize_recovers_the_lightness_of_a_sepia_scan(dtype):
    gray = to_pixels(scene(0), dtype)
    clean = color.lightness(gray)
    scan = sepia(gray)
    plain = psnr(color.lightness(scan), clean)
    average = psnr(color.lightness(scan.mean(axis=2).astype(dtype)), clean)
    gain = report(f"tint ({np.dtype(dtype).name})", max(plain, average), psnr(tint.neutralize(scan), clean))
    assert gain > 5.0
    assert tint.cast_strength(scan) > 8.0
    assert tint.cast_strength(gray) == 0.0
    assert tint.cast_strength(np.repeat(gray[..., None], 3, axis=2)) < 0.5


def test_neutralize_of_a_neutral_scan_is_its_lightness():
    rgb = np.repeat(to_pixels(scene(1), np.uint8)[..., None], 3, axis=2)
    np.testing.assert_array_equal(tint.neutralize(rgb), color.lightness(rgb))


# --- dust and scratches -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dust_removal_recovers_specks_hairs_and_scratches(seed):
    clean = clean_photo(seed)
    photo = add_grain(damaged(clean, seed), np.random.default_rng(seed), 0.5)
    restored, mask = dust.remove_dust(photo, 0.7)
    gain = report(f"dust seed {seed}", psnr(photo, clean), psnr(restored, clean))
    assert gain > 4.0
    defects = np.abs(photo - clean) > 10
    assert (mask & defects).sum() > 0.8 * defects.sum()


@pytest.mark.parametrize("textured", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("grain", [0.0, 1.5])
def test_detector_marks_almost_nothing_on_clean_photos(seed, textured, grain):
    clean = add_grain(clean_photo(seed, textured=textured), np.random.default_rng(seed), grain)
    fraction = dust.detect_defects(clean, 0.7).mean()
    print(f"\nclean photo seed {seed} textured {textured} grain {grain}: {fraction:.3%} flagged")
    assert fraction < 0.005


def test_big_legitimate_structures_are_not_flagged():
    canvas = np.full((SIZE, SIZE), 204, np.uint8)
    for i, word in enumerate(["Hotel Ritz 1908", "BANK of 3 mil"]):  # text on a shop sign
        cv2.putText(canvas, word, (8, 40 + 50 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.8 + 0.3 * i, 38, 1 + i,
                    cv2.LINE_AA)
    L = canvas.astype(np.float32) / 2.55
    for x in (40, 110, 180):  # eyes: a light almond with a dark iris, and buttons
        cv2.ellipse(L, (x, 170), (14, 7), 0, 0, 360, 88.0, -1)
        cv2.circle(L, (x, 170), 5, 15.0, -1)
        cv2.circle(L, (x, 225), 7, 10.0, -1)
    L = add_grain(cv2.GaussianBlur(L, (0, 0), 0.8), np.random.default_rng(0), 1.0)
    assert dust.detect_defects(L, 0.7).mean() < 0.0005


def test_inpaint_changes_only_masked_pixels_and_keeps_16_bit_values():
    L = color.lightness(to_pixels(damaged(scene(3), 3), np.uint16))
    mask = np.zeros(L.shape, bool)
    mask[50:54, 60:200] = True
    mask[120:123, 30:33] = True
    out = dust.inpaint(L, mask)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[~mask], L[~mask])
    assert not np.array_equal(out[mask], L[mask])
    np.testing.assert_array_equal(dust.inpaint(L, np.zeros_like(mask)), L)


# --- denoise ----------------------------------------------------------------------------------------

def test_noise_estimate_is_close_to_the_added_grain():
    for sigma in (1.0, 3.0, 6.0):
        noisy = add_grain(clean_photo(0, textured=False), np.random.default_rng(1), sigma)
        assert denoise.estimate_noise(noisy) == pytest.approx(sigma, rel=0.2)


@pytest.mark.parametrize("strength", [0.3, 0.5, 1.0])
def test_denoise_reduces_grain(strength):
    clean = clean_photo(1)
    noisy = add_grain(clean, np.random.default_rng(7), 4.0)
    restored = denoise.denoise(noisy, strength)
    gain = report(f"denoise strength {strength}", psnr(noisy, clean), psnr(restored, clean))
    assert gain > 4.0


def test_denoise_at_zero_strength_changes_nothing():
    noisy = add_grain(clean_photo(1), np.random.default_rng(7), 4.0)
    np.testing.assert_array_equal(denoise.denoise(noisy, 0.0), noisy)


# --- contrast ---------------------------------------------------------------------------------------

def test_contrast_restores_a_faded_print():
    clean = clean_photo(2)
    faded = fade(clean)
    levels = report("auto levels", psnr(faded, clean), psnr(contrast.auto_levels(faded), clean))
    restored = contrast.restore_contrast(faded, 0.5)
    full = report("restore_contrast 0.5", psnr(faded, clean), psnr(restored, clean))
    assert levels > 10.0 and full > 8.0
    np.testing.assert_array_equal(contrast.restore_contrast(faded, 0.0), faded)


def test_clahe_applied_strip_by_strip_equals_the_whole_image():
    L = clean_photo(2)
    tables = contrast.clahe_tables(L, contrast.default_cell(*L.shape))
    whole = contrast.apply_clahe(L, tables)
    strips = np.vstack([contrast.apply_clahe(L[y:y + 37], tables, (y, 0)) for y in range(0, SIZE, 37)])
    np.testing.assert_allclose(strips, whole, atol=1e-4)


# --- the whole chain --------------------------------------------------------------------------------

def test_all_options_off_returns_the_plain_lightness():
    gray16 = to_pixels(scene(0), np.uint16)
    rgb8 = sepia(to_pixels(scene(1), np.uint8))
    for pixels in (gray16, gray16[..., None], to_pixels(scene(0), np.uint8), rgb8):
        L, mask = restore(pixels, RestoreOptions())
        np.testing.assert_array_equal(L, color.lightness(pixels))
        assert mask is None
    assert not RestoreOptions().enabled and not PRESETS["off"].enabled
    assert PRESETS["clean scan"].enabled and PRESETS["damaged print"].enabled


def test_strengths_outside_zero_to_one_are_refused():
    with pytest.raises(ColorStudioError):
        restore(to_pixels(scene(0), np.uint8), RestoreOptions(dust=1.5))


def test_damaged_print_preset_recovers_a_damaged_sepia_print():
    clean = clean_photo(0)
    L = add_grain(fade(damaged(clean, 0), 0.6), np.random.default_rng(3), 2.0)
    scan = sepia(to_pixels(L, np.uint16))
    before = psnr(color.lightness(scan), clean)
    restored, mask = restore(scan, PRESETS["damaged print"])
    assert restored.dtype == np.float32 and restored.shape == clean.shape and mask.dtype == bool
    assert report("damaged print preset (all damage)", before, psnr(restored, clean)) > 8.0


def test_16_bit_gradient_keeps_its_precision():
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    smooth = 30 + 40 * (xx + 0.37 * yy) / (1.37 * SIZE)  # a sky: thousands of distinct 16-bit codes
    clean = color.lightness(to_pixels(smooth, np.uint16))
    pixels = to_pixels(add_specks(smooth, np.random.default_rng(0), 40), np.uint16)
    # dust and denoise: away from the specks the 16-bit lightness comes out exactly as it went in (an
    # 8-bit copy anywhere in the chain would be off by up to ~0.2 L*)
    restored, mask = restore(pixels, RestoreOptions(dust=0.7, denoise=0.5))
    far = cv2.dilate(mask.view(np.uint8), np.ones((15, 15), np.uint8)) == 0
    assert far.mean() > 0.5
    assert np.abs(restored - clean)[far].max() < 0.01
    # the whole preset (contrast included): many distinct values and no banding along the gradient
    restored, mask = restore(pixels, PRESETS["damaged print"])
    region = restored[100:200, 100:200][~mask[100:200, 100:200]]
    assert len(np.unique(region)) > 1000  # an 8-bit round trip would leave at most 256 values
    steps = np.diff(restored[150, 20:236])
    kept = ~mask[150, 20:236]
    steps = np.abs(steps[kept[1:] & kept[:-1]])
    assert np.mean(steps == 0) < 0.02
    assert steps.max() < 4 * np.median(steps)


def _big_damaged_photo() -> np.ndarray:
    tiles = [[scene(s, 300) for s in (0, 1)], [scene(s, 300) for s in (2, 3)]]
    L = np.vstack([np.hstack(row) for row in tiles])[:560, :600]
    rng = np.random.default_rng(5)
    L = add_grain(add_scratches(add_hairs(add_specks(L, rng, 150), rng, 8), rng, 5), rng, 2.0)
    return sepia(to_pixels(fade(L, 0.7), np.uint16))


def test_tiled_restore_matches_the_whole_image_without_seams(monkeypatch):
    pixels = _big_damaged_photo()
    options = PRESETS["damaged print"]
    whole, whole_mask = restore(pixels, options)
    calls = {"noise": 0, "params": 0, "levels": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(denoise, "noise_of_crops", counted("noise", denoise.noise_of_crops))
    monkeypatch.setattr(dust, "defect_params", counted("params", dust.defect_params))
    monkeypatch.setattr(contrast, "measure_levels", counted("levels", contrast.measure_levels))
    seen = []
    tiled, tiled_mask = restore_tiled(pixels, options, tile=200, overlap=64,
                                      progress=lambda done, total: seen.append((done, total)))
    assert calls == {"noise": 1, "params": 1, "levels": 1}  # global statistics measured once
    assert seen[-1] == (9, 9)
    difference = np.abs(tiled - whole)
    differ = (tiled_mask != whole_mask).sum()
    print(f"\ntiled vs whole: max |diff| {difference.max():.2e} L*, masks differ at {differ} px")
    assert difference.max() < 0.05
    assert (tiled_mask != whole_mask).mean() < 0.0005
    # no seam: the step across every tile border is no larger than in the whole-image result
    for b in (200, 400):
        for axis in (0, 1):
            step_tiled = np.abs(np.take(tiled, b, axis) - np.take(tiled, b - 1, axis))
            step_whole = np.abs(np.take(whole, b, axis) - np.take(whole, b - 1, axis))
            assert np.abs(step_tiled - step_whole).max() < 0.05


def test_brush_strokes_add_to_and_erase_from_the_dust_mask():
    from colorstudio.core.restoration import RestoreOptions, Stroke, restore

    y, x = np.mgrid[0:160, 0:200]
    clean = (100 + 60 * np.sin(x / 25.0) * np.cos(y / 31.0)).astype(np.uint8)
    damaged = clean.copy()
    damaged[40:43, 50:53] = 255  # a speck the detector finds
    damaged[100:140, 150:152] = 0  # something the user wants removed by hand
    _, auto = restore(damaged, RestoreOptions(dust=0.7))
    assert auto[41, 51]
    erase = [Stroke(51, 41, 4, add=False)]
    _, kept = restore(damaged, RestoreOptions(dust=0.7), strokes=erase)
    assert not kept[41, 51]  # the user said: that is not dust
    painted, mask = restore(damaged, RestoreOptions(), strokes=[Stroke(151, y, 3) for y in range(100, 141, 3)])
    assert mask[120, 151] and not mask[41, 51]  # dust removal off: only what was painted
    from colorstudio.core import color

    plain = color.lightness(damaged)
    assert abs(painted[120, 151] - color.lightness(clean)[120, 151]) < abs(plain[120, 151] - color.lightness(clean)[120, 151])
    untouched = ~mask
    assert np.array_equal(painted[untouched], plain[untouched])
