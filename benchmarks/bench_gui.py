"""Does the window stay responsive while it colorizes big photos, and is it as fast as the CLI?

Runs a batch of large photos through the real main window (offscreen unless DISPLAY is set) and colorizes
the same photos with the command line's code path (``jobs.Colorizer.colorize_file`` in a loop, the model already
loaded, as the window has it); prints the throughput ratio window / CLI.

The longest stall of the event loop is measured in separate window runs, by a probe timer on the GUI thread
(every 5 ms). The probe is not part of the window: waking the GUI thread 200 times a second takes the GIL
from the engine thread and a core from torch's threads, so it slows the batch it measures. Its runs' own
throughput is printed too, to show what it costs.

    .venv/bin/python benchmarks/bench_gui.py [--photos 3] [--megapixels 24] [--model NAME] [--render-size 1024] [--repeats 3]

Every run is a fresh process, as a user's window or command is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LARGE = ROOT.parent / "shared" / "data" / "large"


def make_photos(folder: Path, count: int, megapixels: float) -> list[Path]:
    import cv2
    import numpy as np

    sources = sorted(LARGE.glob("*.jpg")) if LARGE.is_dir() else []
    paths = []
    for i in range(count):
        if sources:
            base = cv2.imread(str(sources[i % len(sources)]), cv2.IMREAD_GRAYSCALE)
        else:
            y, x = np.mgrid[0:600, 0:900]
            base = (128 + 90 * np.sin(x / (30.0 + i)) * np.cos(y / 23.0)).astype(np.uint8)
        h, w = base.shape
        scale = (megapixels * 1e6 / (h * w)) ** 0.5
        path = folder / f"scan{i}.jpg"
        cv2.imwrite(str(path), cv2.resize(base, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC),
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        paths.append(path)
    return paths


def run_window(photos: list[Path], out: Path, model: str, render_size: int,
               probe: bool) -> tuple[float, float, int]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from colorstudio.gui.main_window import MainWindow
    from colorstudio.gui.window_state import settings_store

    # The settings a returning user has: remembered, so the window loads its model once, on the CPU.
    # (Changing them on the open window would reload the model on the engine thread, inside the timing.)
    store = settings_store()
    for key, value in {"device": "cpu", "render_size": render_size, "output_folder": str(out),
                       "overwrite": True, **({"model": model} if model else {})}.items():
        store.setValue(f"settings/{key}", value)
    store.sync()
    window = MainWindow()
    values = window.settings_panel.values()
    assert values["device"] == "cpu" and values["render_size"] == render_size and values["overwrite"], values
    window.show()
    ready = {"done": False}
    window.engine.worker.model_ready.connect(lambda *a: ready.update(done=True))
    while not ready["done"]:
        app.processEvents()
        time.sleep(0.01)
    window.add_paths(photos)
    clock = QElapsedTimer()
    worst = {"gap": 0.0, "ticks": 0}
    timer = QTimer()
    timer.setInterval(5)

    def tick() -> None:
        gap = clock.restart()
        if worst["ticks"] > 2:
            worst["gap"] = max(worst["gap"], gap - 5)
        worst["ticks"] += 1

    timer.timeout.connect(tick)
    finished = {"at": None}
    loop = QEventLoop()  # the event loop a user's window runs, idle between events (no polling)

    def done(_counts) -> None:
        finished.update(at=time.perf_counter())
        loop.quit()

    window.runner.finished.connect(done)
    clock.start()
    if probe:
        timer.start()
    started = time.perf_counter()
    window.runner.start()
    if finished["at"] is None:
        loop.exec()
    timer.stop()
    outputs = sorted(p.name for p in out.iterdir())
    print(f"window wrote: {', '.join(outputs)}")
    seconds = finished["at"] - started
    window.shutdown()
    window.close()
    return seconds, worst["gap"], worst["ticks"]


def run_cli_path(photos: list[Path], out: Path, model: str, render_size: int) -> float:
    from colorstudio.core import batch
    from colorstudio.core.jobs import Colorizer
    from colorstudio.core.options import ColorizeOptions, JobSettings, OutputSettings

    colorizer = Colorizer.load(model, "cpu")
    settings = JobSettings(model, ColorizeOptions(render_size=render_size, device="cpu"), OutputSettings(out, overwrite=True))
    plan = batch.plan_batch(photos, settings.output)
    started = time.perf_counter()
    for job in plan.jobs:
        colorizer.colorize_file(job, settings)
    seconds = time.perf_counter() - started
    print(f"CLI wrote: {', '.join(sorted(p.name for p in out.iterdir()))}")
    return seconds


def run_side(side: str, photos: list[Path], out: Path, args) -> dict:
    """One timed run in a fresh process, as a user runs either: state left by one side (torch's OpenMP
    thread pool belongs to the thread that first used it; a second pool in the same process makes both
    spin less and sleep more) must not slow the other."""
    command = [sys.executable, __file__, "--side", side, "--out", str(out), "--model", args.model,
               "--render-size", str(args.render_size), *map(str, photos)]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise SystemExit(f"the {side} run failed:\n{done.stdout}\n{done.stderr}")


def child(args) -> None:
    from colorstudio.core import allocator

    allocator.tune()  # as `colorstudio` does at start-up
    photos = [Path(p) for p in args.photos_in]
    if args.side == "cli":
        result = {"seconds": run_cli_path(photos, args.out, args.model, args.render_size)}
    else:
        seconds, stall, ticks = run_window(photos, args.out, args.model, args.render_size, args.side == "probe")
        result = {"seconds": seconds, "stall": stall, "ticks": ticks}
    result["outputs"] = len(list(args.out.iterdir()))
    print("RESULT " + json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--model", default="")
    parser.add_argument("--render-size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side, alternated; medians compared")
    parser.add_argument("--side", choices=["cli", "window", "probe"], help=argparse.SUPPRESS)  # a child run
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("photos_in", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    if args.side:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photos = make_photos(folder, args.photos, args.megapixels)
        runs: dict[str, list[dict]] = {"cli": [], "window": [], "probe": []}
        for rep in range(args.repeats):  # alternated, so drift of the machine hits all sides alike
            for side in runs:
                os.environ["COLORSTUDIO_HOME"] = str(folder / f"home-{side}{rep}")  # a fresh queue each time
                runs[side].append(run_side(side, photos, folder / f"{side}{rep}", args))
    short = [side for side, results in runs.items() if any(r["outputs"] != args.photos for r in results)]
    if short:
        raise SystemExit(f"some runs did not write every photo: {short}")
    mp = args.photos * args.megapixels
    seconds = {side: statistics.median(r["seconds"] for r in results) for side, results in runs.items()}

    def line(label: str, side: str) -> str:
        return (f"{label:<24}{seconds[side]:.1f} s median ({mp / seconds[side]:.2f} MP/s); runs: "
                + ", ".join(f"{r['seconds']:.1f}" for r in runs[side]))

    print(f"{args.photos} photos of {args.megapixels:g} MP, render size {args.render_size}, CPU, "
          f"{args.repeats} runs each, each in a fresh process")
    print(line("CLI code path:", "cli"))
    print(line("window:", "window"))
    print(line("window + 5 ms probe:", "probe"))
    print(f"throughput window / CLI: {seconds['cli'] / seconds['window']:.3f}  (target >= 0.95); "
          f"with the probe running: {seconds['cli'] / seconds['probe']:.3f}")
    stall = max(r["stall"] for r in runs["probe"])
    ticks = sum(r["ticks"] for r in runs["probe"])
    print(f"longest event-loop stall: {stall:.0f} ms over {ticks} timer ticks  (target < 50 ms)")


if __name__ == "__main__":
    main()
