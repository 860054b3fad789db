"""A 60-megapixel scan is colorized with bounded memory (measured in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import json, resource, sys, time

    def peak_kib():
        # this process's own peak: Linux's ru_maxrss starts at the parent's (the test runner's) peak when forked
        try:
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    import numpy as np, torch
    from colorstudio.core import allocator
    allocator.tune()  # as colorstudio does at start-up: freed buffers are kept for reuse, the peak must hold
    from colorstudio.core.models import registry
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    torch.manual_seed(0)
    model = registry.build("unet-lite0")
    h, w = 6000, 10000  # 60 megapixels, 8-bit gray
    image = np.empty((h, w), np.uint8)
    x = np.sin(np.linspace(0, 12, w, dtype=np.float32))[None, :]
    for y0 in range(0, h, 500):  # made in strips, so making it does not raise the peak we measure
        y = np.cos(np.linspace(9 * y0 / h, 9 * (y0 + 500) / h, 500, dtype=np.float32))[:, None]
        image[y0:y0 + 500] = (x * y * 100 + 128).astype(np.uint8)
    before = peak_kib()
    started = time.time()
    out = colorize(image, model, ColorizeOptions(render_size=int(sys.argv[1]), tile_size=512, device="cpu"))
    peak = peak_kib()
    print(json.dumps({"peak_mib": peak / 1024, "before_mib": before / 1024, "seconds": time.time() - started,
                      "shape": list(out.shape), "mean_chroma": float(np.abs(out.astype(np.int16)[..., 0] - out[..., 2]).mean())}))
""")


@pytest.mark.slow
def test_60_megapixel_gray_image_peak_memory_under_2_gib():
    result = subprocess.run([sys.executable, "-c", SCRIPT, "1024"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["shape"] == [6000, 10000, 3]
    assert report["peak_mib"] < 2048, report
    assert report["mean_chroma"] > 0  # it really was coloured (random weights colour everything)
