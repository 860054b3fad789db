"""How well colour hints work: quality against the number of hints (and, with the live preview, latency).

Table 1 (--quality, on by default): each colour photo of the folder is turned into its lightness-only gray
version and colorized by the full pipeline with N hints sampled from its true colours, exactly as
`colorstudio evaluate DATA_DIR --hints N` does (``core.evaluation.evaluate``; the same points for the same
photo and N), for N = 0, 1, 2, 5, 10, 20. Printed as a markdown table: PSNR, CIEDE2000, CIEDE2000 as a
share of the gray floor (a = b = 0), PSNR above the gray floor; then the targets at 10 hints:
CIEDE2000 at most 0.60 x the gray floor and PSNR at least the gray floor + 3 dB (PASS/FAIL).

Table 2 (--latency): edit-to-view latency of the hint tool's live preview in the real window, 20 scripted
edits on a 12-megapixel scan, on the CPU (``hint_latency.py``; also runs alone, with --engine).

    .venv/bin/python benchmarks/bench_hints.py [DATA_DIR] [--counts 0 1 2 5 10 20] [--limit N] [--latency]
                                               [--no-quality] [--model NAME] [--device cpu|cuda]

DATA_DIR defaults to ../shared/data/photos-val (beside the repository). The full table on its 276 photos
takes about 20 minutes on one CPU thread (the network runs once per photo and hint count).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "photos-val"
COUNTS = (0, 1, 2, 5, 10, 20)
TARGET_HINTS = 10
TARGET_CIEDE_SHARE = 0.60  # CIEDE2000 at most this share of the gray floor's
TARGET_PSNR_GAIN = 3.0  # PSNR at least this many dB above the gray floor's


def _photos(data_dir: Path, limit: int) -> list[Path]:
    from colorstudio.core.training.photos import list_photos

    if not Path(data_dir).is_dir():
        raise SystemExit(f"No photos folder at {data_dir}: pass a folder of colour photos (the shared data is "
                         f"expected at {PHOTOS}).")
    photos = list_photos(Path(data_dir))
    photos = photos[:limit] if limit else photos
    if not photos:
        raise SystemExit(f"No photos found in {data_dir}.")
    return photos


def quality_table(data_dir: Path | str = PHOTOS, counts: Sequence[int] = COUNTS, limit: int = 0,
                  model_name: str = "", device: str = "auto") -> dict:
    """Mean scores with each number of hints, as ``colorstudio evaluate --hints N``; prints the table and
    returns {"gray": Scores, "hints": {N: Scores}, "photos": count, "pass": bool or None}."""
    from colorstudio.core.evaluation import evaluate
    from colorstudio.core.jobs import Colorizer
    from colorstudio.core.pipeline import ColorizeOptions

    photos = _photos(Path(data_dir), limit)
    loaded = Colorizer.load(model_name or None, device)
    options = ColorizeOptions(device=device)  # what `evaluate` builds from its defaults
    print(f"{loaded.entry.name} on {len(photos)} photos of {data_dir}, hints per photo: "
          f"{', '.join(map(str, counts))}", flush=True)
    means, gray, scored = {}, None, 0
    for count in counts:
        started = time.perf_counter()
        result = evaluate(photos, loaded.model, options, hints=count)
        if not result.photos:
            raise SystemExit(f"No colour photos to evaluate in {data_dir}.")
        means[count], gray, scored = result.mean("model"), result.mean("gray"), len(result.photos)
        print(f"  {count:>2} hints: PSNR {means[count].psnr:.2f}, CIEDE2000 {means[count].ciede2000:.2f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

    print("\n| hints | PSNR | CIEDE2000 | CIEDE2000 / gray floor | PSNR - gray |\n|---:|---:|---:|---:|---:|")
    print(f"| gray floor | {gray.psnr:.2f} | {gray.ciede2000:.2f} | 1.000 | 0.00 |")
    for count, s in means.items():
        print(f"| {count} | {s.psnr:.2f} | {s.ciede2000:.2f} | {s.ciede2000 / gray.ciede2000:.3f} | "
              f"{s.psnr - gray.psnr:+.2f} |")
    passed = None
    if TARGET_HINTS in means:
        s = means[TARGET_HINTS]
        ciede_ok = s.ciede2000 <= TARGET_CIEDE_SHARE * gray.ciede2000
        psnr_ok = s.psnr >= gray.psnr + TARGET_PSNR_GAIN
        passed = ciede_ok and psnr_ok
        print(f"\nTargets at {TARGET_HINTS} hints ({scored} photos):")
        print(f"  CIEDE2000 {s.ciede2000:.2f} <= {TARGET_CIEDE_SHARE:.2f} x gray floor "
              f"{gray.ciede2000:.2f} = {TARGET_CIEDE_SHARE * gray.ciede2000:.2f}: {'PASS' if ciede_ok else 'FAIL'}")
        print(f"  PSNR {s.psnr:.2f} >= gray floor {gray.psnr:.2f} + {TARGET_PSNR_GAIN:g} dB = "
              f"{gray.psnr + TARGET_PSNR_GAIN:.2f}: {'PASS' if psnr_ok else 'FAIL'}")
    return {"gray": gray, "hints": means, "photos": scored, "pass": passed}


# --- Table 2: latency of the live preview ------------------------------------------------------------------
def latency_table(*args, **kwargs):
    """Edit-to-view latency of hints in the live preview: ``hint_latency.latency_table`` (the real window, a
    12 MP scan, 20 scripted edits)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hint_latency import latency_table as measure

    return measure(*args, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=PHOTOS, metavar="DATA_DIR",
                        help="folder of colour photos (default: ../shared/data/photos-val)")
    parser.add_argument("--quality", action=argparse.BooleanOptionalAction, default=True,
                        help="table 1: quality against the number of hints (default on)")
    parser.add_argument("--latency", action="store_true", help="table 2: latency of the live preview")
    parser.add_argument("--counts", nargs="+", type=int, default=list(COUNTS), metavar="N")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos (0 = all), for quick runs")
    parser.add_argument("--model", default="")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = parser.parse_args(argv)
    if args.quality:
        quality_table(args.data, args.counts, args.limit, args.model, args.device)
    if args.latency:
        latency_table(12.0, 20, args.model)  # a 12 MP scan, 20 edits, on the CPU (its engine: auto)
    return 0


if __name__ == "__main__":
    sys.exit(main())
