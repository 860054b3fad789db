"""Pack a folder of training photos small enough to travel to a rented GPU machine.

Each photo is shrunk to a 256 px short side and saved as WebP (quality 75): photos-train's 3,101 photos
(98 MB of JPEGs at up to 384 px) become about 36 MB. The held-out share is split here, with the same rule
and names as ``colorstudio train`` (``photos.split`` on the original names), into ``train/`` and ``val/``.

    python recipes/pack_photos.py ../shared/data/photos-train .gpu/photos
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
from tqdm import tqdm

from colorstudio.core.training.photos import list_photos, scan, split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--short-side", type=int, default=256)
    parser.add_argument("--quality", type=int, default=75)
    parser.add_argument("--val-split", type=float, default=0.05)
    args = parser.parse_args()
    report = scan(list_photos(args.source))  # gray, too small and duplicate photos left out, as the wizard does
    train, val = split(report.usable, args.val_split, root=args.source)
    total = 0
    for part, members in (("train", train), ("val", val)):
        folder = args.dest / part
        folder.mkdir(parents=True, exist_ok=True)
        for path in tqdm(members, desc=part):
            img = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if img is None:
                continue
            h, w = img.shape[:2]
            scale = args.short_side / min(h, w)
            if scale < 1:
                img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
            ok, data = cv2.imencode(".webp", img, [cv2.IMWRITE_WEBP_QUALITY, args.quality])
            (folder / f"{path.stem}.webp").write_bytes(data.tobytes())
            total += len(data)
    print(f"{len(train)} train, {len(val)} val, {len(report.skipped)} left out, {total / 1e6:.1f} MB in {args.dest}")


if __name__ == "__main__":
    main()
