"""What running on Ray costs on this machine: colorizing and training, plain against ``--cluster``.

Colorizing: the same photos (24 by default, gray scans of ``--megapixels`` made from ../shared/data/large,
or a synthetic pattern without it) with the plain command, with ``--cluster local --workers 1`` and with
``--workers 2``; each a fresh ``colorstudio colorize`` process into an empty folder, timed from start to
exit (so the cluster's start-up, the workers' model loading and Ray's scheduling are all counted). Ray's
overhead is the 1-worker time over the plain time.

Training: photos per second of one process and of 2 data-parallel processes (``train --workers 2``) on the
same photos (``--train-photos`` of ../shared/data/photos-train), from the run's log (training time only,
not start-up or validation).

Where the benchmark runs as root it puts each run in a network namespace with only the loopback interface
(Ray then stays on 127.0.0.1, as the tests do).

    .venv/bin/python benchmarks/bench_cluster.py [--photos 24] [--megapixels 6] [--train-photos 256]
                                                 [--skip-training] [--skip-colorize]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from cluster_scenarios import _own_network  # noqa: E402 - the same loopback-only namespace as the tests

DATA = ROOT.parent / "shared" / "data"
COLORSTUDIO = [sys.executable, "-m", "colorstudio"]


def make_photos(folder: Path, count: int, megapixels: float) -> None:
    sources = sorted((DATA / "large").glob("*.jpg")) if (DATA / "large").is_dir() else []
    folder.mkdir(parents=True)
    for i in range(count):
        if sources:
            image = Image.open(sources[i % len(sources)]).convert("L")
        else:
            ramp = np.add.outer(np.arange(600), np.arange(800)) % 256
            image = Image.fromarray(ramp.astype(np.uint8))
        scale = (megapixels * 1e6 / (image.width * image.height)) ** 0.5
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        if i >= len(sources):  # not the same file twice: a different crop of the same scene
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT if i % 2 else Image.Transpose.FLIP_TOP_BOTTOM)
        image.save(folder / f"scan{i:03d}.png")


def timed(command: list[str], env: dict) -> float:
    started = time.monotonic()
    done = subprocess.run([*_own_network(), *command], env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")
    return seconds


def bench_colorize(work: Path, count: int, megapixels: float, env: dict) -> dict:
    photos = work / "scans"
    make_photos(photos, count, megapixels)
    # the first start converts the model for OpenVINO into the user cache: pay it before timing anything
    timed([*COLORSTUDIO, "colorize", str(photos / "scan000.png"), "-o", str(work / "warm")], env)
    runs = {"plain": [], "cluster, 1 worker": ["--cluster", "local", "--workers", "1"],
            "cluster, 2 workers": ["--cluster", "local", "--workers", "2"]}
    seconds = {}
    for name, extra in runs.items():
        out = work / name.replace(" ", "").replace(",", "-")
        seconds[name] = timed([*COLORSTUDIO, "colorize", str(photos), "-o", str(out), *extra], env)
        written = len(list(out.glob("*.png")))
        assert written == count, f"{name}: {written} of {count} photos written"
        print(f"  {name}: {seconds[name]:.1f} s", flush=True)
    return seconds


def bench_training(work: Path, photos: int, env: dict) -> dict:
    source = sorted((DATA / "photos-train").glob("*"))[:photos]
    if not source:
        print("  no ../shared/data/photos-train: training not measured")
        return {}
    folder = work / "train-photos"
    folder.mkdir()
    for path in source:
        shutil.copy(path, folder / path.name)
    results = {}
    for workers in (1, 2):
        name = f"bench-{workers}"
        command = [*COLORSTUDIO, "train", str(folder), "--out", name, "--epochs", "1", "--size", "224",
                   "--batch", "8", "--device", "cpu", *(["--workers", str(workers)] if workers > 1 else [])]
        timed(command, env)
        entry = json.loads((Path(env["COLORSTUDIO_HOME"]) / "data" / "runs" / name / "log.jsonl")
                           .read_text().splitlines()[-1])
        images = entry["step"] * 8 * workers
        results[workers] = images / entry["seconds"]
        print(f"  {workers} process(es): {entry['step']} steps of {8 * workers} photos in {entry['seconds']:.1f} s "
              f"= {results[workers]:.1f} photos/s", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--megapixels", type=float, default=6)
    parser.add_argument("--train-photos", type=int, default=256)
    parser.add_argument("--skip-colorize", action="store_true")
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; network namespace: {'loopback only' if _own_network() else 'the machine'}")
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "COLORSTUDIO_HOME": str(work / "home")}
        if not args.skip_colorize:
            print(f"Colorizing {args.photos} photos of {args.megapixels:g} MP:")
            seconds = bench_colorize(work, args.photos, args.megapixels, env)
            plain = seconds["plain"]
            print("\n| run | wall s | photos/hour | vs plain |\n|---|---:|---:|---:|")
            for name, value in seconds.items():
                print(f"| {name} | {value:.1f} | {args.photos / value * 3600:.0f} | {value / plain:.2f}x |")
            print(f"\nRay's overhead with 1 worker: {(seconds['cluster, 1 worker'] / plain - 1) * 100:+.1f}% "
                  f"(target: at most +15%)")
        if not args.skip_training:
            print(f"\nTraining, 1 epoch over {args.train_photos} photos at 224 px, batch 8 a process:")
            rates = bench_training(work, args.train_photos, env)
            if len(rates) == 2:
                print(f"\n2 processes vs 1: {rates[2] / rates[1]:.2f}x the photos per second")


if __name__ == "__main__":
    main()
