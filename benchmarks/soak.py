"""A long batch in bounded memory: memory (RSS) against photos done, for the command line and the window.

    .venv/bin/python benchmarks/soak.py [--photos 3000] [--big 3] [--paths cli window]
                                        [--engines openvino torch] [--plot docs/soak.png] [--keep DIR]
    .venv/bin/python benchmarks/soak.py --table            # the issue's table: 300 small photos of 300 sizes

Photos are made first (from ../shared/data's real photos, cropped, resized and turned gray; a synthetic
pattern where that folder is missing): ``--photos`` of varied pixel sizes (48 to 1800 px, every one its own
size) and formats (JPEG, PNG, TIFF, WebP, GIF, BMP, PGM; gray and RGB), with ``--big`` scans of about 20
megapixels spread through the batch. ``--table`` makes 300 gray JPEGs of 300 sizes from 48 to 400 px instead.

Each run gets a fresh user folder (``COLORSTUDIO_HOME``, so an empty cache), in a process of its own:
  - ``cli``: ``colorstudio colorize FOLDER -o OUT --engine E``, as a person runs it;
  - ``window``: the main window (offscreen Qt), the folder added to its queue and Start pressed: its engine
    thread, queue, thumbnails and viewer, as a person's long session keeps them.
This process samples the run's RSS every 0.5 s and counts the outputs written. Printed per run: the time, the
peak RSS (the kernel's max RSS of that process), the RSS slope after warm-up (MB per photo, a least-squares
line over the samples after the first ``--warmup`` of the photos: the figure that says memory is flat) and the
size of the user cache folder afterwards. ``--plot`` draws RSS against photos done for every run (matplotlib).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FORMATS = (".jpg", ".png", ".tif", ".webp", ".gif", ".bmp", ".pgm")

WINDOW = r"""
import os, sys, time
from pathlib import Path
os.environ["QT_QPA_PLATFORM"] = "offscreen"
folder, out, engine = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
from PySide6.QtWidgets import QApplication
from colorstudio.core import allocator
allocator.tune()
app = QApplication([])
from colorstudio.gui.window_state import settings_store
store = settings_store()
store.setValue("settings/engine", engine)
store.setValue("settings/output_folder", str(out))
store.sync()
from colorstudio.gui.main_window import MainWindow
from colorstudio.core.queue import Status
window = MainWindow()
window.resize(1280, 800)
window.show()
def wait(condition, seconds):
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    return condition()
assert wait(lambda: "ready" in window.status_text.text(), 120), window.status_text.text()
window.add_paths([folder])
window.runner.start()
final = (Status.DONE, Status.FAILED, Status.SKIPPED, Status.CANCELLED)
items = window.queue_model.queue.items
wait(lambda: not window.runner.running and all(i.status in final for i in items), 36000)
failed = [i for i in items if i.status == Status.FAILED]
print(f"{len(items) - len(failed)} done, {len(failed)} failed", flush=True)
window.shutdown()
"""


# -- the photos -------------------------------------------------------------------------------------------
def _sources() -> list[Path]:
    found = []
    for name in ("photos-val", "old-bw", "photos-train"):
        found += sorted((DATA / name).glob("*.jpg"))
    return found


def _content(rng: np.random.Generator, sources: list[Path], h: int, w: int, cache: dict) -> np.ndarray:
    """An RGB (h, w) picture: a real photo cropped to the aspect and resized, else a pattern."""
    if sources:
        path = sources[int(rng.integers(len(sources)))]
        if path not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[path] = Image.open(path).convert("RGB")
        image = cache[path]
        iw, ih = image.size
        aspect = w / h
        cw, ch = (iw, max(1, round(iw / aspect))) if iw / ih < aspect else (max(1, round(ih * aspect)), ih)
        x, y = int(rng.integers(iw - cw + 1)), int(rng.integers(ih - ch + 1))
        return np.asarray(image.crop((x, y, x + cw, y + ch)).resize((w, h), Image.Resampling.LANCZOS))
    yy, xx = np.mgrid[0:h, 0:w]
    f = rng.uniform(5, 40)
    plane = 128 + 90 * np.sin(xx / f) * np.cos(yy / (f * 1.3))
    return np.repeat(np.clip(plane, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def _distinct_sizes(rng: np.random.Generator, count: int, low: int, high: int) -> list[tuple[int, int]]:
    sizes: set[tuple[int, int]] = set()
    while len(sizes) < count:
        long_side = int(np.exp(rng.uniform(np.log(low), np.log(high))))
        short = max(low, int(long_side * rng.uniform(0.5, 1.0)))
        sizes.add((long_side, short) if rng.random() < 0.5 else (short, long_side))
    return sorted(sizes, key=lambda _: rng.random())


def make_table_photos(folder: Path, count: int = 300, seed: int = 0) -> None:
    """``count`` gray JPEGs, each of its own size between 48 and 400 px (the issue's table)."""
    rng, sources, cache = np.random.default_rng(seed), _sources(), {}
    folder.mkdir(parents=True, exist_ok=True)
    sizes: set[tuple[int, int]] = set()
    while len(sizes) < count:
        sizes.add((int(rng.integers(48, 401)), int(rng.integers(48, 401))))
    for i, (w, h) in enumerate(sorted(sizes, key=lambda _: rng.random())):
        gray = Image.fromarray(_content(rng, sources, h, w, cache)).convert("L")
        gray.save(folder / f"photo{i:04d}.jpg", quality=92)


def make_photos(folder: Path, count: int, big: int, seed: int = 0) -> None:
    """``count`` photos of varied sizes and formats, ``big`` of them ~20 MP scans spread through the batch."""
    rng, sources, cache = np.random.default_rng(seed), _sources(), {}
    folder.mkdir(parents=True, exist_ok=True)
    sizes = _distinct_sizes(rng, count, 48, 1800)
    big_at = {round((k + 0.5) * count / big) for k in range(big)} if big else set()
    for i, (w, h) in enumerate(sizes):
        if i in big_at:
            w, h = (5472, 3648) if rng.random() < 0.5 else (3648, 5472)
        suffix = ".jpg" if i in big_at else FORMATS[i % len(FORMATS)]
        image = Image.fromarray(_content(rng, sources, h, w, cache))
        if suffix == ".pgm" or rng.random() < 0.7:
            image = image.convert("L")
        options = {"quality": 90} if suffix in (".jpg", ".webp") else {}
        image.save(folder / f"photo{i:05d}{suffix}", **options)


# -- a run ------------------------------------------------------------------------------------------------
def _count(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6 if folder.exists() else 0.0


def run(kind: str, engine: str, photos: Path, work: Path) -> dict:
    """One run in a fresh user folder: samples (seconds, photos done, RSS MB), peak, time, cache size."""
    home, out = work / f"home-{kind}-{engine}", work / f"out-{kind}-{engine}"
    env = {**os.environ, "COLORSTUDIO_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    if kind == "cli":
        command = [sys.executable, "-m", "colorstudio", "colorize", str(photos), "-o", str(out),
                   "--engine", engine]
    else:
        command = [sys.executable, "-c", WINDOW, str(photos), str(out), engine]
    started = time.monotonic()
    log = work / f"log-{kind}-{engine}.txt"  # a file, not a pipe: a full pipe would stop the run
    with open(log, "w") as output:
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    watched = psutil.Process(child.pid)
    samples = []
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)  # the kernel's max RSS of this child at its end
        if pid:
            break
        try:
            rss = watched.memory_info().rss / 1e6
        except psutil.Error:
            continue
        samples.append((time.monotonic() - started, _count(out) if out.exists() else 0, rss))
        time.sleep(0.5)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    tail = log.read_text(errors="replace")[-2000:]
    peak = usage.ru_maxrss / 1e3  # kilobytes on Linux
    return {"kind": kind, "engine": engine, "seconds": seconds, "peak_mb": peak, "samples": samples,
            "written": _count(out) if out.exists() else 0, "cache_mb": _size_mb(home / "cache"),
            "exit": child.returncode, "tail": tail}


def slope(samples: list, total: int, warmup: float) -> float:
    """MB of RSS per photo after the first ``warmup`` of ``total`` photos (least squares)."""
    # after the last photo the process only writes and exits (its memory falls): not counted
    points = np.array([(done, rss) for _, done, rss in samples if warmup * total <= done < total], float)
    if len(points) < 3 or np.ptp(points[:, 0]) == 0:
        return float("nan")
    return float(np.polyfit(points[:, 0], points[:, 1], 1)[0])


def plot(results: list[dict], target: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    for r in results:
        points = np.array([(done, rss) for _, done, rss in r["samples"]], float)
        ax.plot(points[:, 0], points[:, 1] / 1e3, label=r.get("label") or f"{r['kind']}, {r['engine']}")
    ax.set_xlabel("photos done")
    ax.set_ylabel("RSS (GB)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=3000)
    parser.add_argument("--big", type=int, default=3, help="~20 MP scans among the photos")
    parser.add_argument("--table", action="store_true", help="300 gray photos of 300 sizes, 48-400 px")
    parser.add_argument("--paths", nargs="+", default=["cli", "window"], choices=["cli", "window"])
    parser.add_argument("--engines", nargs="+", default=["openvino", "torch"], choices=["openvino", "torch"])
    parser.add_argument("--warmup", type=float, default=0.1,
                        help="share of the photos before the slope counts")
    parser.add_argument("--plot", type=Path, help="PNG of RSS against photos done")
    parser.add_argument("--title", default="", help="the plot's title")
    parser.add_argument("--keep", type=Path, help="work here (photos, outputs, samples) and keep it")
    parser.add_argument("--json", type=Path, help="write every run's figures and samples here")
    parser.add_argument("--from-json", nargs="+", type=Path, metavar="LABEL=FILE",
                        help="no run: plot the runs of earlier --json files, each labelled")
    args = parser.parse_args()
    if args.from_json:
        results = []
        for spec in map(str, args.from_json):
            label, _, name = spec.rpartition("=")
            for r in json.loads(Path(name).read_text()):
                results.append({**r, "label": f"{label}: {r['kind']}, {r['engine']}" if label else None})
        plot(results, args.plot or Path("soak.png"), args.title or "RSS against photos done")
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="colorstudio-soak-"))
    photos = work / "photos"
    total = 300 if args.table else args.photos
    if not photos.exists():
        print(f"making {total} photos in {photos} ...", flush=True)
        make_table_photos(photos) if args.table else make_photos(photos, args.photos, args.big)
    results = []
    print(f"{'path':<7} {'engine':<9} {'photos':>6} {'time s':>7} {'peak MB':>8} {'MB/photo':>9} "
          f"{'cache MB':>9}", flush=True)
    for kind in args.paths:
        for engine in args.engines:
            r = run(kind, engine, photos, work)
            r["slope"] = slope(r["samples"], total, args.warmup)
            results.append(r)
            print(f"{kind:<7} {engine:<9} {r['written']:>6} {r['seconds']:>7.1f} {r['peak_mb']:>8.0f} "
                  f"{r['slope']:>9.3f} {r['cache_mb']:>9.1f}", flush=True)
            if r["exit"] != 0 or r["written"] < total:
                print(f"  exit {r['exit']}, {r['written']} of {total} written; last output:\n{r['tail']}")
            if args.json:  # after every run: a long soak stopped half-way keeps what it measured
                args.json.write_text(json.dumps(results))
    if args.plot:
        plot(results, args.plot, args.title or f"{total} photos of varied sizes and formats")
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
