"""Does the window stay responsive while it colorizes big photos, and is it as fast as the CLI?

Runs a batch of large photos through the real main window (offscreen unless DISPLAY is set) while a 5 ms
timer on the GUI thread measures the longest stall of the event loop; then colorizes the same photos with
the command line's code path (``batch.colorize_file`` in a loop, the model already loaded, as the window
has it) and prints the throughput ratio window / CLI.

    .venv/bin/python benchmarks/bench_gui.py [--photos 3] [--megapixels 24] [--model NAME] [--render-size 1024] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def run_window(photos: list[Path], out: Path, model: str, render_size: int) -> tuple[float, float, int]:
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
    from colorstudio.core import batch, catalog
    from colorstudio.core.pipeline import ColorizeOptions

    entry = catalog.resolve_model(model or None)
    net, _ = catalog.load(entry)
    options = ColorizeOptions(render_size=render_size, device="cpu")
    settings = batch.OutputSettings(out, overwrite=True)
    plan = batch.plan_batch(photos, settings)
    started = time.perf_counter()
    for job in plan.jobs:
        batch.colorize_file(job, net, entry.name, options, settings)
    seconds = time.perf_counter() - started
    print(f"CLI wrote: {', '.join(sorted(p.name for p in out.iterdir()))}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--model", default="")
    parser.add_argument("--render-size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=2, help="runs of each side, alternated; medians compared")
    args = parser.parse_args()
    from colorstudio.core import allocator

    allocator.tune()  # as `colorstudio` does at start-up
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photos = make_photos(folder, args.photos, args.megapixels)
        cli_runs, gui_runs, stalls, ticks = [], [], [], 0
        for rep in range(args.repeats):  # alternated, so drift of the machine hits both sides alike
            cli_runs.append(run_cli_path(photos, folder / f"cli{rep}", args.model, args.render_size))
            os.environ["COLORSTUDIO_HOME"] = str(folder / f"home{rep}")  # a fresh queue each time
            seconds, stall_ms, n = run_window(photos, folder / f"gui{rep}", args.model, args.render_size)
            gui_runs.append(seconds)
            stalls.append(stall_ms)
            ticks += n
    mp = args.photos * args.megapixels
    cli_seconds, gui_seconds = statistics.median(cli_runs), statistics.median(gui_runs)
    print(f"{args.photos} photos of {args.megapixels:g} MP, render size {args.render_size}, CPU, {args.repeats} runs each")
    print(f"CLI code path: {cli_seconds:.1f} s median ({mp / cli_seconds:.2f} MP/s); runs: "
          + ", ".join(f"{s:.1f}" for s in cli_runs))
    print(f"window:        {gui_seconds:.1f} s median ({mp / gui_seconds:.2f} MP/s); runs: "
          + ", ".join(f"{s:.1f}" for s in gui_runs))
    print(f"throughput window / CLI: {cli_seconds / gui_seconds:.3f}  (target >= 0.95)")
    print(f"longest event-loop stall: {max(stalls):.0f} ms over {ticks} timer ticks  (target < 50 ms)")

if __name__ == "__main__":
    main()
