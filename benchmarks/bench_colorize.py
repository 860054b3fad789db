"""Speed and memory of `colorize` on the CPU (or a GPU) for 1, 6, 24 and 60 megapixel grayscale scans.

Each measurement runs in a fresh process, so its peak memory (max RSS) is its own. Beside the full
read -> colorize -> write path it measures two floors on the same image in the same run:
  - io:      decode + encode alone (read the scan, write an RGB copy of it);
  - network: the network alone at the render size (the tile loop with no composing or I/O).

    .venv/bin/python benchmarks/bench_colorize.py [--sizes 1 6 24 60] [--render-size 1024] [--model NAME]
                                                  [--device cpu|cuda] [--engine torch openvino]
                                                  [--precision float32|fast] [--repeat 3]

Each engine asked for (both by default) is measured in the same run, and a last table puts them side by side
with the floor (decode + encode + network) and the network's speed-up with OpenVINO.

Each measurement first runs once untimed (what the first photo of a batch pays: OpenVINO compiling for the
tile shape, PyTorch creating its kernels, CUDA start-up; shown as "1st pass s"), then the median of
``--repeat`` timed passes is shown. On a GPU the table adds the GPU's peak allocated memory.

Input photos are made from ../shared/data/large (a real photo, converted to gray and resized to each
size) when it exists, otherwise from a synthetic pattern.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LARGE = ROOT.parent / "shared" / "data" / "large"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np, torch
from colorstudio.core import allocator, batch, catalog, imageio
allocator.tune()  # as `colorstudio` does at start-up
from colorstudio.core.inference import TileJob, TileRunner
from colorstudio.core.pipeline import ColorizeOptions, render_shape, scene_context, tiles_per_pass
from colorstudio.core.jobs import Colorizer
from colorstudio.core.options import JobSettings, OutputSettings
import cv2

kind, src, out, render_size, model_name, device_name = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
engine, precision, repeat = sys.argv[7], sys.argv[8], int(sys.argv[9])
options = ColorizeOptions(render_size=render_size, device=device_name, engine=engine, precision=precision)
entry = catalog.resolve_model(model_name or None)
model, card = catalog.load(entry)
gpu = device_name == "cuda"
device = torch.device(device_name)
from colorstudio.core import engines
model = engines.runtime_model(model, entry.path, engine, device, precision)
assert engines.engine_name(model) == {"torch": "PyTorch", "openvino": "OpenVINO"}[engine], engines.engine_name(model)
photo = imageio.read_image(src) if kind == "network" else None  # the network alone: decoded before

colorizer = Colorizer(model, entry, device_name)

def full():
    colorizer.colorize_file(batch.Job(src, out), JobSettings(entry.name, options, OutputSettings(out.parent, overwrite=True)))

def io():
    pixels = imageio.read_image(src).pixels
    rgb = np.repeat(pixels[:, :, None], 3, axis=2)
    imageio.write_image(out, rgb, format="jpeg", provenance=imageio.Provenance(model="none"))

def network():
    h, w = render_shape(*photo.pixels.shape[:2], render_size)
    render = cv2.resize(photo.pixels, (w, h), interpolation=cv2.INTER_AREA) if (h, w) != photo.pixels.shape[:2] else photo.pixels
    model.to(device)
    job = TileJob(render, scene_context(model, render, device), [], 1.0)
    TileRunner(model, device, options.tile_size, options.overlap, tiles_per_pass(options, device)).run(job, lambda y0, ab: None)

work = {"full": full, "io": io, "network": network}[kind]
# A first, untimed pass: CUDA start-up and kernel selection, OpenVINO compiling for the tile shape, PyTorch
# creating its kernels (once per shape and start; every later photo reuses them), the files in the page cache.
t0 = time.perf_counter()
work()
if gpu:
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
first = time.perf_counter() - t0
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
passes = []
for _ in range(repeat):  # the median of a few passes: one pass of a second or less is noisy on a shared machine
    t0 = time.perf_counter()
    work()
    if gpu:
        torch.cuda.synchronize()
    passes.append(time.perf_counter() - t0)
seconds = sorted(passes)[len(passes) // 2]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
gpu_peak = torch.cuda.max_memory_allocated() / 2**20 if gpu else None
print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "baseline_mib": base / 1024, "first": first,
                  "gpu_peak_mib": gpu_peak}))
"""


def make_input(megapixels: float, folder: Path) -> Path:
    import cv2
    import numpy as np

    sources = sorted(LARGE.glob("*.jpg")) if LARGE.is_dir() else []
    if sources:
        base = cv2.imread(str(sources[2 % len(sources)]), cv2.IMREAD_GRAYSCALE)
    else:
        y, x = np.mgrid[0:600, 0:900]
        base = (128 + 90 * np.sin(x / 37.0) * np.cos(y / 23.0)).astype(np.uint8)
    h, w = base.shape
    scale = (megapixels * 1e6 / (h * w)) ** 0.5
    size = (round(w * scale), round(h * scale))
    path = folder / f"scan_{megapixels:g}mp.jpg"
    cv2.imwrite(str(path), cv2.resize(base, size, interpolation=cv2.INTER_CUBIC), [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def measure(kind: str, src: Path, out: Path, render_size: int, model: str, device: str, engine: str = "torch",
            precision: str = "float32", repeat: int = 3) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, kind, str(src), str(out), str(render_size), model, device,
                             engine, precision, str(repeat)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed on {src.name}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1, 6, 24, 60])
    parser.add_argument("--render-size", type=int, default=1024)
    parser.add_argument("--model", default="")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--engine", nargs="+", default=["torch", "openvino"], choices=["torch", "openvino"],
                        help="engines to measure in the same run, side by side (default both)")
    parser.add_argument("--precision", default="float32", choices=["float32", "fast"])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per measurement, the median shown")
    args = parser.parse_args()
    from colorstudio.core import allocator

    allocator.tune()  # as `colorstudio` does at start-up
    import torch

    gpu = args.device == "cuda"
    where = torch.cuda.get_device_name() if gpu else "CPU"
    print(f"{where}, CPU threads: {torch.get_num_threads()}, render size {args.render_size or 'native'}, "
          f"model {args.model or 'default'}")
    if "openvino" in args.engine:  # convert once before timing anything (a user's first start does it once)
        from colorstudio.core import catalog, engines

        entry = catalog.resolve_model(args.model or None)
        engines.runtime_model(catalog.load(entry)[0], entry.path, "openvino", torch.device("cpu"), args.precision)
    header = (f"{'MP':>5} {'engine':>9} {'stage':>8} {'seconds':>8} {'MP/s':>7} {'peak MiB':>9} {'(idle MiB)':>10}"
              f" {'1st pass s':>10}")
    header += f" {'GPU MiB':>8}" if gpu else ""
    print(header)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for mp in args.sizes:
            src = make_input(mp, folder)
            for engine in args.engine:
                times = {}
                for kind in ("full", "io", "network"):
                    r = measure(kind, src, folder / f"out_{kind}.jpg", args.render_size, args.model, args.device,
                                engine, args.precision, args.repeat)
                    times[kind] = r
                    line = (f"{mp:>5g} {engine:>9} {kind:>8} {r['seconds']:>8.2f} {mp / r['seconds']:>7.2f} "
                            f"{r['peak_mib']:>9.0f} {r['baseline_mib']:>10.0f} {r['first'] or 0:>10.2f}")
                    if gpu:
                        line += f" {r['gpu_peak_mib'] or 0:>8.0f}"
                    print(line, flush=True)
                rows.append((mp, engine, times))
    print("\n| MP | engine | network (s) | end to end (s) | floor: decode + encode + network (s) | end to end / floor "
          "| peak memory (MiB) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for mp, engine, t in rows:
        floor = t["io"]["seconds"] + t["network"]["seconds"]
        print(f"| {mp:g} | {engine} | {t['network']['seconds']:.2f} | {t['full']['seconds']:.2f} | {floor:.2f} | "
              f"{t['full']['seconds'] / floor:.2f} | {t['full']['peak_mib']:.0f} |")
    by = {(mp, engine): t for mp, engine, t in rows}
    for mp in args.sizes:
        if (mp, "torch") in by and (mp, "openvino") in by:
            speedup = by[mp, "torch"]["network"]["seconds"] / by[mp, "openvino"]["network"]["seconds"]
            print(f"{mp:g} MP: the network is {speedup:.2f}x as fast with OpenVINO ({args.precision})")


if __name__ == "__main__":
    main()
