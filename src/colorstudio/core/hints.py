"""Colour hints: a few points where the user knows the colour ("the dress was blue").

A hints file is JSON: ``{"hints": [{"x": 120, "y": 340, "color": "#2a4f9c"}, ...]}`` with x, y in pixels of
the original photo (after EXIF orientation); a colour is ``"#rrggbb"``, ``"rgb": [r, g, b]`` (0-255)
or ``"ab": [a, b]`` (CIELab chroma). Only the chroma of a hint is used: the photo's own lightness stays.
"""

from __future__ import annotations

import json
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


def hint_from_rgb(x: float, y: float, rgb: tuple[int, int, int]) -> ColorHint:
    lab = color.rgb_to_lab(np.array([[rgb]], dtype=np.uint8))[0, 0]
    return ColorHint(float(x), float(y), float(lab[1]), float(lab[2]))


def _parse_one(item: dict, where: str) -> ColorHint:
    try:
        x, y = float(item["x"]), float(item["y"])
        if "ab" in item:
            a, b = (float(v) for v in item["ab"])
            return ColorHint(x, y, a, b)
        if "rgb" in item:
            r, g, b = (int(v) for v in item["rgb"])
            return hint_from_rgb(x, y, (r, g, b))
        text = str(item["color"]).lstrip("#")
        if len(text) != 6:
            raise ValueError(f"colour {item['color']!r} is not #rrggbb")
        return hint_from_rgb(x, y, tuple(int(text[i : i + 2], 16) for i in (0, 2, 4)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ColorStudioError(f"{where}: a hint needs x, y and one of color/rgb/ab ({exc})") from None


def load_hints(path: str | Path) -> list[ColorHint]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ColorStudioError(f"Cannot read hints file {path}: {exc}") from None
    items = data.get("hints") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ColorStudioError(f"{path}: expected {{\"hints\": [...]}}")
    return [_parse_one(item, f"{path} hint {i + 1}") for i, item in enumerate(items)]


def hints_json(hints: list[ColorHint]) -> dict:
    """The hints as the JSON ``load_hints`` reads (chroma as ``ab``: exact, whatever the lightness)."""
    return {"hints": [{"x": round(h.x, 2), "y": round(h.y, 2), "ab": [round(h.a, 4), round(h.b, 4)]}
                      for h in hints]}


def save_hints(path: str | Path, hints: list[ColorHint]) -> Path:
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


def rasterize(hints: list[ColorHint], scale: float, rows: tuple[int, int], cols: tuple[int, int],
              radius: int = 1) -> np.ndarray:
    """Hint planes (3, h, w) = [a / AB_SCALE, b / AB_SCALE, mask] for one tile of the render image.

    ``scale`` maps original-photo pixels to render pixels; ``rows``/``cols`` are the tile's span in render
    pixels. Each hint marks a small square of ``2 * radius + 1`` pixels, as in Zhang et al. 2017.
    """
    (y0, y1), (x0, x1) = rows, cols
    planes = np.zeros((3, y1 - y0, x1 - x0), np.float32)
    for hint in hints:
        cy, cx = int(hint.y * scale) - y0, int(hint.x * scale) - x0
        ys = slice(max(cy - radius, 0), max(cy + radius + 1, 0))
        xs = slice(max(cx - radius, 0), max(cx + radius + 1, 0))
        planes[0, ys, xs] = hint.a / color.AB_SCALE
        planes[1, ys, xs] = hint.b / color.AB_SCALE
        planes[2, ys, xs] = 1.0
    return planes
