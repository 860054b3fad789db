"""Small photos and shortcuts shared by the window's tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from colorstudio.core.queue import Status


def photo(path: Path, size=(96, 72), seed=0) -> Path:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((rng.random(size[::-1]) * 255).astype(np.uint8)).save(path)
    return path


def statuses(window) -> list[Status]:
    return [item.status for item in window.queue_model.queue.items]


def colorized(window, qtbot, path: Path):
    """``path`` queued alone and colorized by a batch; its queue item, done."""
    window.add_paths([path])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    return window.queue_model.queue.items[0]


def slow_settings(window) -> None:
    """Full-resolution rendering with small tiles: a 1600 px photo takes many tiles."""
    panel = window.settings_panel
    panel.render_size.setValue(0)
    panel.tile_size.setValue(128)
    panel.overlap.setValue(16)


def start_slow_batch(window, qtbot, folder: Path, count: int = 2) -> None:
    """Start a batch of ``count`` big photos with slow settings; returns once its first tile is done."""
    slow_settings(window)
    window.add_paths([photo(folder / f"p{i}.png", size=(1400, 1000), seed=i) for i in range(count)])
    with qtbot.waitSignal(window.engine.worker.job_progress, timeout=30000):
        window.runner.start()
