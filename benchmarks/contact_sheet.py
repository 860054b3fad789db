"""Contact sheets of real old photos before and after, for a person to judge: ../shared/data/old-bw/.

    .venv/bin/python benchmarks/contact_sheet.py [OUT_DIR] [--model NAME] [--beside NAME ...] [--per-sheet 12]
        [--per-row 3] [--restore PRESET] [--photos DIR --truth] [--match TEXT] [--limit N]

Every photo is colorized with the same pipeline as `colorstudio colorize` (default settings) and shown as
a pair, original | colorized, with its name; the pairs are laid out --per-row to a row, --per-sheet to a
sheet. --beside adds another model's colours after the first's (original | model | beside), to compare two
models on the same photos; the band under each photo names the models in order.
With --truth the photos are colour photos (e.g. --photos ../shared/data/photos-val --match deepface, to
look at faces): each is made gray (its L* only) and shown as gray | colorized | the true colours.
Writes OUT_DIR/contact-NN.jpg (default benchmarks/out/contact, git-ignored).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "old-bw"
CELL = 300  # px, the height of each photo on the sheet


def pair(images: list[np.ndarray], name: str) -> np.ndarray:
    def fit(rgb: np.ndarray) -> np.ndarray:
        rgb = rgb if rgb.ndim == 3 else np.dstack([rgb] * 3)
        h, w = rgb.shape[:2]
        scale = min(CELL / h, CELL / w)
        small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        cell = np.full((CELL, CELL, 3), 255, np.uint8)
        y, x = (CELL - small.shape[0]) // 2, (CELL - small.shape[1]) // 2
        cell[y : y + small.shape[0], x : x + small.shape[1]] = small
        return cell

    gap = np.full((CELL, 4, 3), 255, np.uint8)
    body = np.hstack([part for image in images for part in (fit(image), gap)][:-1])
    band = np.full((24, body.shape[1], 3), 255, np.uint8)
    text = name[: body.shape[1] // 8]  # about 8 px a character at this font size
    cv2.putText(band, text, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (40, 40, 40), 1, cv2.LINE_AA)
    return np.vstack([body, band])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "benchmarks" / "out" / "contact")
    parser.add_argument("--model", default="")
    parser.add_argument("--beside", action="append", default=[], metavar="NAME",
                        help="another model (name or file) shown after the first; repeatable")
    parser.add_argument("--per-sheet", type=int, default=12)
    parser.add_argument("--per-row", type=int, default=3)
    parser.add_argument("--restore", default="off", help="off, clean-scan or damaged-print")
    parser.add_argument("--photos", type=Path, default=PHOTOS, help="folder of photos (default: old-bw)")
    parser.add_argument("--truth", action="store_true", help="colour photos: gray | colorized | truth")
    parser.add_argument("--match", default="", help="only photos whose name contains this")
    parser.add_argument("--limit", type=int, default=0, help="at most N photos (0 = all)")
    args = parser.parse_args()
    from colorstudio.core import allocator, catalog, imageio, metrics
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    from colorstudio.core.restoration import PRESETS, RestoreOptions
    from colorstudio.core.training.photos import list_photos

    allocator.tune()
    entries = [catalog.resolve_model(name or None) for name in [args.model, *args.beside]]
    models = [catalog.load(entry)[0] for entry in entries]
    caption = " | ".join(entry.name for entry in entries)
    restore = RestoreOptions() if args.restore == "off" else PRESETS[args.restore.replace("-", " ")]
    options = ColorizeOptions(device="cpu", restore=restore)
    photos = [p for p in list_photos(args.photos) if args.match in p.name]
    photos = photos[: args.limit] if args.limit else photos
    if not photos:
        raise SystemExit(f"no photos in {args.photos}" + (f" matching {args.match!r}" if args.match else ""))
    args.out.mkdir(parents=True, exist_ok=True)
    cells = []
    for path in photos:
        photo = imageio.read_image(path)
        name = f"{path.stem}: {caption}" if args.beside else path.stem
        if not args.truth:
            cells.append(pair([photo.pixels, *(colorize(photo.pixels, m, options) for m in models)], name))
        elif not photo.is_gray:  # what the model makes of the photo's gray version, beside the truth
            truth = photo.pixels if photo.pixels.dtype == np.uint8 else (photo.pixels // 257).astype(np.uint8)
            gray = metrics.lightness_only(truth)
            cells.append(pair([gray, *(colorize(gray[..., 0], m, options) for m in models), truth], name))
    blank = np.full_like(cells[0], 255)
    per_row = max(1, args.per_row)
    for n, start in enumerate(range(0, len(cells), args.per_sheet)):
        chunk = cells[start : start + args.per_sheet]
        chunk += [blank] * (-len(chunk) % per_row)
        rows = [np.hstack([c for cell in chunk[i : i + per_row]
                           for c in (cell, np.full((cell.shape[0], 12, 3), 255, np.uint8))])
                for i in range(0, len(chunk), per_row)]
        sheet = np.vstack(rows)
        target = args.out / f"contact-{n + 1:02d}.jpg"
        cv2.imwrite(str(target), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88])
        print(f"wrote {target} ({len(chunk)} photos)")
    print(f"{len(cells)} photos of {args.photos} with {caption}")


if __name__ == "__main__":
    main()
