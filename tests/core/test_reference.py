"""A reference colour photo guiding colorization (``core.reference``), on small synthetic scenes and the
shipped model (its encoder finds the matches)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from reference_scene import unrelated

from colorstudio.core import catalog, color
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import ColorHint
from colorstudio.core.pipeline import ColorizeOptions, colorize
from colorstudio.core.reference import Reference, colour_variety

OPTIONS = ColorizeOptions(device="cpu", engine="torch", render_size=256, tile_size=256)
# the scene's regions: (rows, cols) of the 192 x 256 scene, and their colour (a, b)
SKY = (slice(0, 80), slice(0, 256), (-5.0, -40.0))
BRICK = (slice(96, 192), slice(0, 120), (45.0, 30.0))
GRASS = (slice(96, 192), slice(136, 256), (-40.0, 45.0))


def scene(seed: int = 0) -> np.ndarray:
    """A colour scene (192, 256, 3): a smooth blue sky over red bricks beside green grass."""
    rng = np.random.default_rng(seed)
    h, w = 192, 256
    lab = np.zeros((h, w, 3), np.float32)
    lab[..., 0] = 70 + 15 * np.linspace(0, 1, h)[:, None]  # sky: a gentle gradient
    yy, xx = np.mgrid[0:h, 0:w]
    bricks = ((yy // 12 + (xx // 24) * 0) % 2 == 0) ^ ((xx + 12 * ((yy // 12) % 2)) % 24 < 2)
    lab[96:, :128, 0] = np.where(bricks[96:, :128], 45, 30) + rng.normal(0, 2, (96, 128))
    lab[96:, 128:, 0] = 50 + rng.normal(0, 9, (96, 128))  # grass: fine noise
    for rows, cols, (a, b) in (SKY, (slice(96, 192), slice(0, 128), BRICK[2]), (slice(96, 192), slice(128, 256), GRASS[2])):
        lab[rows, cols, 1], lab[rows, cols, 2] = a, b
    lab[80:96, :, 0], lab[80:96, :, 1:] = 20, 0  # a dark, colourless band between them
    return color.compose_rgb(lab[..., 0], lab[..., 1:], np.uint8)


@pytest.fixture(scope="module")
def model():
    loaded, _ = catalog.load(catalog.resolve_model(None), device="cpu")
    return loaded.eval()


def region_ab(rgb: np.ndarray, region) -> np.ndarray:
    rows, cols, _ = region
    return color.rgb_to_lab(rgb)[rows, cols, 1:].reshape(-1, 2).mean(axis=0)


@pytest.fixture(scope="module")
def photo():
    """The scene in gray: the photo to colour."""
    return color.compose_rgb(color.lightness(scene()), np.zeros((192, 256, 2), np.float32), np.uint8)[..., 0]


def guided(model, photo, reference_pixels, **kwargs) -> np.ndarray:
    return colorize(photo, model, OPTIONS, reference=Reference.from_pixels(reference_pixels), **kwargs)


@pytest.fixture(scope="module")
def automatic(model, photo):
    return colorize(photo, model, OPTIONS)


@pytest.fixture(scope="module")
def same(model, photo):
    """The photo guided by the scene itself."""
    return guided(model, photo, scene())


def test_the_reference_colours_the_regions_it_matches(same):
    out = same
    for region in (SKY, BRICK, GRASS):
        assert np.abs(region_ab(out, region) - region[2]).max() < 4.0  # automatic is far off (gray-ish)


@pytest.mark.parametrize("change", ["mirrored", "half", "double", "cropped"])
def test_a_mirrored_rescaled_or_cropped_reference_gives_the_same_colours(model, photo, same, change):
    reference = scene()
    changed = {"mirrored": lambda: reference[:, ::-1],
               "half": lambda: cv2.resize(reference, (128, 96), interpolation=cv2.INTER_AREA),
               "double": lambda: cv2.resize(reference, (512, 384), interpolation=cv2.INTER_LINEAR),
               "cropped": lambda: reference[40:, 60:]}[change]()
    other = guided(model, photo, np.ascontiguousarray(changed))
    for region in (SKY, BRICK, GRASS):
        assert np.abs(region_ab(other, region) - region_ab(same, region)).max() < 7.0, region


@pytest.mark.parametrize("kind", [0, 1], ids=["colour bands", "soft blobs"])
def test_an_unrelated_reference_leaves_the_automatic_colours(model, photo, automatic, kind):
    out = guided(model, photo, unrelated(kind))
    # (the right reference changes it by about 47 per channel; smooth colour bands still lend the sky a little)
    assert np.abs(out.astype(int) - automatic).mean() < 5.0


def test_a_larger_reference_is_shrunk_when_read():
    big = cv2.resize(scene(), (2048, 1536), interpolation=cv2.INTER_LINEAR)
    assert max(Reference.from_pixels(big).pixels.shape[:2]) == 1024


def test_point_hints_win_over_the_reference_where_they_are(model, photo):
    hint = ColorHint(60, 150, -10.0, -45.0, radius=4)  # the bricks are blue, says the person
    out = guided(model, photo, scene(), hints=[hint])
    hinted_only = colorize(photo, model, OPTIONS, hints=[hint])

    def at_hint(rgb):
        return color.rgb_to_lab(rgb)[146:155, 56:65, 1:].reshape(-1, 2).mean(axis=0)

    assert np.abs(at_hint(out) - at_hint(hinted_only)).max() < 3.0  # as the hint makes it without a reference
    assert at_hint(out)[1] < -25  # blue, not the reference's red brick
    assert np.abs(region_ab(out, SKY) - SKY[2]).max() < 4.0  # the sky still follows the reference


def test_strength_zero_is_the_automatic_colour(model, photo, automatic):
    out = colorize(photo, model, OPTIONS, reference=Reference.from_pixels(scene(), strength=0.0))
    assert np.array_equal(out, automatic)


def aged_scan(seed: int = 0) -> np.ndarray:
    """The scene as an old print scanned in colour: sepia toning strongest in the midtones, a bluish stain,
    a faded warm patch, colour grain (as real old-bw scans: colour variety 1.4-2.2)."""
    rng = np.random.default_rng(seed)
    lightness = color.lightness(scene())
    h, w = lightness.shape
    yy, xx = np.mgrid[0:h, 0:w]
    tone = (lightness * (100 - lightness) / 2500)[..., None] * np.array([3.0, 14.0])
    stain = np.exp(-(((yy - 140) / 30.0) ** 2 + ((xx - 60) / 45.0) ** 2))[..., None] * np.array([-2.0, -6.0])
    fade = np.exp(-(((yy - 40) / 50.0) ** 2 + ((xx - 200) / 60.0) ** 2))[..., None] * np.array([4.0, 3.0])
    ab = (tone + stain + fade + rng.normal(0, 1.2, (h, w, 2))).astype(np.float32)
    return color.compose_rgb(lightness, ab, np.uint8)


def test_a_gray_sepia_or_aged_reference_is_refused(photo, tmp_path):
    lightness = color.lightness(scene())
    tint = np.stack([lightness * 0.12, lightness * 0.3], axis=-1).astype(np.float32)  # sepia: one hue
    sepia = color.compose_rgb(lightness, tint, np.uint8)
    gray_rgb = np.repeat(photo[..., None], 3, axis=2)
    assert colour_variety(sepia) < 0.75 < colour_variety(aged_scan()) and colour_variety(scene()) > 5
    for pixels in (photo, gray_rgb, sepia, aged_scan()):
        with pytest.raises(ColorStudioError, match="colour photo"):
            Reference.from_pixels(pixels, "old.jpg")
    with pytest.raises(ColorStudioError, match="not available yet"):
        Reference.from_file(tmp_path)
    with pytest.raises(ColorStudioError, match="between 0 and 1"):
        Reference.from_pixels(scene(), strength=1.5)


def test_a_combined_reference_colours_from_whichever_part_matches(model, photo, automatic):
    """Two references, one of another scene and one of this: the combination colours like this scene's."""
    other = np.full((192, 256, 3), (200, 120, 220), np.uint8)
    other[::7] = (30, 200, 40)
    combined = Reference.combine([Reference.from_pixels(other, "other.jpg", "aa"),
                                  Reference.from_pixels(scene(), "same.jpg", "bb")])
    assert combined.name == "other.jpg, same.jpg" and combined.sha256 == "aa, bb"
    out = colorize(photo, model, OPTIONS, reference=combined)
    for region in (SKY, BRICK, GRASS):
        want = np.array(region[2])
        assert np.linalg.norm(region_ab(out, region) - want) < np.linalg.norm(region_ab(automatic, region) - want)
    with pytest.raises(ColorStudioError):
        Reference.combine([])
