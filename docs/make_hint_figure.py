"""The README's before/after of colour hints: a real old photo as scanned, the model's automatic colours, and
the same with a few hints (drawn as rings filled with their colour), side by side.

    .venv/bin/python docs/make_hint_figure.py PHOTO HINTS.json OUT.jpg [--height 420] [--crop x0,y0,x1,y1]

HINTS.json is what the window's Queue > Export colour hints… writes (the same file `colorize --hints` reads).
Both colour versions are rendered by the one pipeline (``jobs.Colorizer``), default settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo", type=Path)
    parser.add_argument("hints", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--height", type=int, default=420)
    parser.add_argument("--crop", default="", help="x0,y0,x1,y1 in photo pixels (default: the whole photo)")
    args = parser.parse_args()
    from colorstudio.core import color
    from colorstudio.core.hints import load_hints
    from colorstudio.core.jobs import Colorizer
    from colorstudio.core.options import ColorizeOptions

    hints = load_hints(args.hints)
    colorizer = Colorizer.load(None, "cpu")
    automatic = colorizer.render(args.photo, ColorizeOptions(device="cpu"))
    guided = colorizer.render(args.photo, ColorizeOptions(device="cpu"), hints=hints)
    gray = automatic.photo.pixels
    gray = np.repeat(gray[..., None], 3, axis=2) if gray.ndim == 2 else gray
    panels = [gray, automatic.pixels, guided.pixels]
    x0, y0, x1, y1 = (int(v) for v in args.crop.split(",")) if args.crop else (0, 0, gray.shape[1], gray.shape[0])
    scale = args.height / (y1 - y0)
    width = round((x1 - x0) * scale)
    images = [Image.fromarray(np.ascontiguousarray(p[y0:y1, x0:x1]).astype(np.uint8)).resize((width, args.height),
                                                                                             Image.LANCZOS)
              for p in panels]
    draw = ImageDraw.Draw(images[2])
    for hint in hints:
        cx, cy = (hint.x - x0) * scale, (hint.y - y0) * scale
        rgb = color.lab_to_rgb(np.array([[[65.0, hint.a, hint.b]]], np.float32))[0, 0]
        fill = tuple(int(v * 255) for v in rgb)
        draw.ellipse([cx - 7, cy - 7, cx + 7, cy + 7], fill=fill, outline="white", width=2)
    gap, label_h = 8, 26
    figure = Image.new("RGB", (3 * width + 2 * gap, args.height + label_h), "white")
    font = ImageFont.load_default(size=16)
    titles = ["The scan", "Automatic colours", f"With {len(hints)} colour hints"]
    for i, (image, title) in enumerate(zip(images, titles)):
        x = i * (width + gap)
        figure.paste(image, (x, label_h))
        ImageDraw.Draw(figure).text((x + 4, 4), title, fill="black", font=font)
    figure.save(args.out, quality=90)
    print(f"wrote {args.out} ({figure.width} x {figure.height})")


if __name__ == "__main__":
    main()
