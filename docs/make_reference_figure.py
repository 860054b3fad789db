"""The README's before/after of a reference photo: real old photos as scanned, the model's automatic colours,
the same coloured like a colour reference photo, and the reference, one row per photo.

    .venv/bin/python docs/make_reference_figure.py OUT.jpg PHOTO=REFERENCE [PHOTO=REFERENCE ...] [--height 300]

REFERENCE is a colour photo or a folder of them (chosen per photo, as ``colorize --reference FOLDER`` does).
Every version is rendered by the one pipeline (``jobs.Colorizer``), default settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GAP, LABEL_H = 8, 24


def panel(pixels: np.ndarray, height: int) -> Image.Image:
    pixels = np.repeat(pixels[..., None], 3, axis=2) if pixels.ndim == 2 else pixels
    image = Image.fromarray(np.ascontiguousarray(pixels).astype(np.uint8))
    return image.resize((round(image.width * height / image.height), height), Image.LANCZOS)


def row(colorizer, photo: Path, reference_path: Path, height: int) -> tuple[list[Image.Image], list[str]]:
    from colorstudio.core.options import ColorizeOptions
    from colorstudio.core.reference import Reference
    from colorstudio.core.reference_folder import ReferenceFolder

    options = ColorizeOptions(device="cpu")
    if reference_path.is_dir():
        reference = ReferenceFolder.open(reference_path, colorizer.model)
    else:
        reference = Reference.from_file(reference_path)
    automatic = colorizer.render(photo, options)
    guided = colorizer.render(photo, options, reference=reference)
    used = guided.reference
    print(f"{photo.name}: {guided.reference_note or (used.name if used else 'no reference')}")
    shown = used.parts[0] if used is not None and used.parts else used
    images = [panel(automatic.photo.pixels, height), panel(automatic.pixels, height), panel(guided.pixels, height)]
    titles = ["The scan", "Automatic colours", "Coloured like the reference" if used else "No reference matched"]
    if shown is not None:
        images.append(panel(shown.pixels, height))
        titles.append(f"Reference: {shown.name}")
    return images, titles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("pairs", nargs="+", metavar="PHOTO=REFERENCE")
    parser.add_argument("--height", type=int, default=300)
    args = parser.parse_args()
    from colorstudio.core.jobs import Colorizer

    colorizer = Colorizer.load(None, "cpu")
    rows = [row(colorizer, Path(photo), Path(reference), args.height)
            for photo, reference in (pair.split("=", 1) for pair in args.pairs)]
    width = max(sum(image.width for image in images) + GAP * (len(images) - 1) for images, _ in rows)
    figure = Image.new("RGB", (width, len(rows) * (args.height + LABEL_H + GAP)), "white")
    font = ImageFont.load_default(size=15)
    draw = ImageDraw.Draw(figure)
    for r, (images, titles) in enumerate(rows):
        x, y = 0, r * (args.height + LABEL_H + GAP)
        for image, title in zip(images, titles):
            figure.paste(image, (x, y + LABEL_H))
            draw.text((x + 4, y + 4), title[:60], fill="black", font=font)
            x += image.width + GAP
    figure.save(args.out, quality=88)
    print(f"wrote {args.out} ({figure.width} x {figure.height})")


if __name__ == "__main__":
    main()
