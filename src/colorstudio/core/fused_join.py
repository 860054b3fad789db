"""The full-resolution join in one pass a pixel: a numba kernel, with ``color.compose_lab`` as its fallback.

What it does for each output pixel, as the OpenCV/numpy path does in six passes over memory (upsample the
chroma, put the photo's L* in, Lab -> sRGB, round, find the clipped pixels, compose those again): the
render-size chroma is upsampled bilinearly (half-pixel centres, as ``cv2.resize``), joined with the pixel's
L*, converted to linear sRGB by the formulas of ``color._compose_exact``, its chroma bisected
(``color.GAMUT_STEPS`` halvings) where the colour is outside the gamut, and encoded with the same 8-bit table.
So the result is the formula path's (within 1 level, gray exact; ``tests/core/test_fused_join.py``).

Measured on this project's 2-core machine (docs/benchmarks.md): a 60 MP photo's join takes 0.15 s instead of
the OpenCV path's 0.43, and it scales with the threads (it is no longer memory-bound).

numba compiles the kernel on its first use (about 1.5 s); the machine code is cached on disk (in colorstudio's
cache folder, ``numba/``, unless NUMBA_CACHE_DIR says otherwise), so later starts load it in 0.3 s. Where
numba is missing or cannot compile (an unusual platform, a frozen bundle without it) ``available()`` is False,
the reason is logged once, and the pipeline keeps the OpenCV path: same colours, slower.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import threading
import time

import numpy as np

from colorstudio import paths
from colorstudio.core import color

log = logging.getLogger(__name__)

_kernel = None
_state: str | None = None  # None: not tried yet; "ok"; or why the kernel cannot be used
_lock = threading.Lock()


def available() -> bool:
    """Whether the kernel can run here (compiled on the first call; False, with the reason logged once, where
    numba is missing or fails)."""
    global _kernel, _state
    if _state is None:
        with _lock:
            if _state is None:
                try:
                    start = time.perf_counter()
                    # the compiled code in colorstudio's cache folder, not numba's own (~/.cache/numba) nor
                    # the installation's; numba reads this when it is imported: here, not at start-up (0.2 s)
                    os.environ.setdefault("NUMBA_CACHE_DIR", str(paths.user_cache_dir() / "numba"))
                    kernel = importlib.import_module("colorstudio.core._join_kernel").join_rows
                    _run(kernel, np.zeros((1, 2), np.float32), np.zeros((1, 1, 2), np.float32), 0, 1,
                         np.empty((1, 2, 3), np.uint8))  # compiles (or loads the cached code) now
                    _kernel, _state = kernel, "ok"
                    log.info("Full-resolution join: one pass a pixel (numba), ready in %.1f s",
                             time.perf_counter() - start)
                except Exception as error:  # noqa: BLE001 - any failure means: use the OpenCV path
                    _state = f"{type(error).__name__}: {error}"
                    log.info("The fast full-resolution join is not available (%s); using OpenCV's.", _state)
    return _state == "ok"


@contextlib.contextmanager
def switched_off():
    """The OpenCV path for the time of the block (the benchmarks compare the two paths)."""
    global _state
    available()
    before, _state = _state, "switched off"
    try:
        yield
    finally:
        _state = before


def _run(kernel, lightness, ab, y0, out_h, out) -> None:
    kernel(lightness, ab, y0, out_h, color.LAB_TO_LINEAR, color.linear_to_srgb8_table(), color.GAMUT_STEPS,
           np.float32(color.GAMUT_TOLERANCE), out)


def join_rows(lightness: np.ndarray, ab: np.ndarray, y0: int, out_h: int, out: np.ndarray) -> None:
    """Rows ``y0 .. y0 + len(lightness)`` of the 8-bit output: ``lightness`` (rows, W) is their L*, ``ab``
    (h, w, 2) the chroma at the render size (already scaled), upsampled to (``out_h``, W); written into
    ``out`` (rows, W, 3) uint8. Only when ``available()``."""
    if not available():
        raise RuntimeError(f"the fused join is not available: {_state}")
    _run(_kernel, np.ascontiguousarray(lightness, np.float32), np.ascontiguousarray(ab, np.float32), int(y0),
         int(out_h), out)
