"""Colour hints: a few points where the user knows the colour ("the dress was blue").

A hints file is JSON: ``{"hints": [{"x": 120, "y": 340, "color": "#2a4f9c"}, ...]}`` with x, y in pixels of
the original photo (after EXIF orientation); a colour is ``"#rrggbb"``, ``"rgb": [r, g, b]`` (0-255)
or ``"ab": [a, b]`` (CIELab chroma). Only the chroma of a hint is used: the photo's own lightness stays.
An optional ``"radius"`` (photo pixels) makes the hint a patch: the colour of the square of that
half-width around the point (the patch size of the window's hint tool); without one, a hint is a point.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from colorstudio.core import color
from colorstudio.core.errors import ColorStudioError


@dataclass(frozen=True)
class ColorHint:
    x: float
    y: float
    a: float
    b: float
    radius: float = 0.0  # half-width of the hint's patch, in photo pixels (0: a point)

    def scaled(self, scale: float) -> ColorHint:
        """The same hint in pixels of an image ``scale`` times the photo's size."""
        return ColorHint(self.x * scale, self.y * scale, self.a, self.b, self.radius * scale)


def _rgb_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    lab = color.rgb_to_lab(np.array([[rgb]], dtype=np.uint8))[0, 0]
    return float(lab[0]), float(lab[1]), float(lab[2])


def hint_from_rgb(x: float, y: float, rgb: tuple[int, int, int], radius: float = 0.0) -> ColorHint:
    _, a, b = _rgb_lab(rgb)
    return ColorHint(float(x), float(y), a, b, float(radius))


def _parse_one(item: dict, where: str) -> ColorHint:
    try:
        x, y = float(item["x"]), float(item["y"])
        radius = float(item.get("radius", 0.0))
        if not 0 <= radius < 1e6:
            raise ValueError(f"radius {radius} is not a size in pixels")
        if "ab" in item:
            a, b = (float(v) for v in item["ab"])
        elif "rgb" in item:
            _, a, b = _rgb_lab(tuple(int(v) for v in item["rgb"]))
        else:
            text = str(item["color"]).lstrip("#")
            if len(text) != 6:
                raise ValueError(f"colour {item['color']!r} is not #rrggbb")
            _, a, b = _rgb_lab(tuple(int(text[i : i + 2], 16) for i in (0, 2, 4)))
        return ColorHint(x, y, a, b, radius)
    except (KeyError, TypeError, ValueError) as exc:
        raise ColorStudioError(f"{where}: a hint needs x, y and one of color/rgb/ab ({exc})") from None


def _legacy(item: list, where: str) -> ColorHint:
    """A hint as queues saved before version 2 kept it: ``[x, y, a, b]`` or ``[x, y, a, b, radius]``."""
    try:
        x, y, a, b, radius = (float(v) for v in (list(item) + [0.0])[:5])
    except (TypeError, ValueError) as exc:
        raise ColorStudioError(f"{where}: a hint needs x, y, a and b ({exc})") from None
    return ColorHint(x, y, a, b, radius)


def hints_from_json(items: list, where: str = "hints") -> tuple[ColorHint, ...]:
    """The hints of a JSON list in ``load_hints``' format (a window queue's too); the lists an older queue file
    kept are read as well."""
    return tuple(_legacy(item, f"{where} {i + 1}") if isinstance(item, list) else _parse_one(item, f"{where} {i + 1}")
                 for i, item in enumerate(items))


def load_hints(path: str | Path) -> list[ColorHint]:
    path = Path(path) if isinstance(path, str) else path  # a Path, or a storage URL's path object (cluster)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ColorStudioError(f"Cannot read hints file {path}: {exc}") from None
    items = data.get("hints") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ColorStudioError(f"{path}: expected {{\"hints\": [...]}}")
    return list(hints_from_json(items, f"{path} hint"))


def hint_json(hint: ColorHint) -> dict:
    """One hint as ``load_hints`` reads it (chroma as ``ab``: exact, whatever the lightness; nothing rounded,
    so a hint read back, or sent to a cluster's workers, is the same hint)."""
    return {"x": hint.x, "y": hint.y, "ab": [hint.a, hint.b], **({"radius": hint.radius} if hint.radius else {})}


def hints_json(hints: Sequence[ColorHint]) -> dict:
    """The hints as the JSON ``load_hints`` reads."""
    return {"hints": [hint_json(h) for h in hints]}


def save_hints(path: str | Path, hints: Sequence[ColorHint]) -> Path:
    """Write a hints file atomically (the file ``colorize --hints`` and ``--hints-dir`` read)."""
    from colorstudio.core.imageio.writer import atomic_write

    data = json.dumps(hints_json(hints), indent=1).encode("utf-8")
    atomic_write(Path(path), lambda out: out.write(data), what="hints file")
    return Path(path)


def hints_file_for(photo: Path, folder: Path) -> Path | None:
    """The hints file of ``photo`` in ``folder``: ``<name>.json`` (``scan001.jpg.json``), else
    ``<stem>.json`` (``scan001.json``); None if it has none."""
    for candidate in (folder / f"{photo.name}.json", folder / f"{photo.stem}.json"):
        if candidate.is_file():
            return candidate
    return None


def rasterize(hints: Sequence[ColorHint], scale: float, rows: tuple[int, int], cols: tuple[int, int],
              radius: int = 1) -> np.ndarray:
    """Hint planes (3, h, w) = [a / AB_SCALE, b / AB_SCALE, mask] for one tile of the render image.

    ``scale`` maps original-photo pixels to render pixels; ``rows``/``cols`` are the tile's span in render
    pixels. Each hint marks a small square of ``2 * radius + 1`` pixels, as in Zhang et al. 2017, or its
    own patch (``ColorHint.radius``) where that is larger.
    """
    (y0, y1), (x0, x1) = rows, cols
    planes = np.zeros((3, y1 - y0, x1 - x0), np.float32)
    point = radius
    for hint in hints:
        radius = max(point, round(hint.radius * scale))
        cy, cx = int(hint.y * scale) - y0, int(hint.x * scale) - x0
        ys = slice(max(cy - radius, 0), max(cy + radius + 1, 0))
        xs = slice(max(cx - radius, 0), max(cx + radius + 1, 0))
        planes[0, ys, xs] = hint.a / color.AB_SCALE
        planes[1, ys, xs] = hint.b / color.AB_SCALE
        planes[2, ys, xs] = 1.0
    return planes
