"""The fused join's kernel (see ``fused_join``): numba, imported only when the join first runs."""

from __future__ import annotations

import numba
import numpy as np

_OPTIONS = {"nogil": True, "fastmath": {"contract"}}  # contract: multiply-adds fused, nothing else relaxed
_inline = numba.njit(inline="always", **_OPTIONS)


def _jit(function):
    try:  # machine code cached on disk where numba can find this file (not in a frozen bundle's archive)
        return numba.njit(cache=True, **_OPTIONS)(function)
    except RuntimeError:
        return numba.njit(**_OPTIONS)(function)


@_inline
def finv(t):
    cube = t * t * t
    line = np.float32(3 * (6.0 / 29.0) ** 2) * (t - np.float32(4.0 / 29.0))
    return cube if t > np.float32(6.0 / 29.0) else line


@_inline
def linear(lightness, a, b, m):
    """Lab -> linear sRGB; ``m``: the 9 entries of ``color.LAB_TO_LINEAR`` as a tuple (kept in registers)."""
    fy = (lightness + np.float32(16.0)) * np.float32(1.0 / 116.0)
    x = finv(fy + a * np.float32(1.0 / 500.0))
    y = finv(fy)
    z = finv(fy + b * np.float32(-1.0 / 200.0))
    return (m[0] * x + m[1] * y + m[2] * z, m[3] * x + m[4] * y + m[5] * z, m[6] * x + m[7] * y + m[8] * z)


@_inline
def index(v):  # linear light -> the 8-bit table's index (1/65535 steps), clipped to [0, 1]
    v = min(max(v, np.float32(0.0)), np.float32(1.0))
    return np.int32(v * np.float32(65535.0) + np.float32(0.5))


@_inline
def outside(r, g, b, low, high):
    return (r < low) | (r > high) | (g < low) | (g > high) | (b < low) | (b > high)


@_jit
def join_rows(lightness, ab, y0, out_h, matrix, table, steps, tolerance, out):
    """``fused_join.join_rows``; ``matrix`` is ``color.LAB_TO_LINEAR``, ``table`` ``color.linear_to_srgb8_table()``.

    Written for LLVM's vectoriser: each row in passes over short row buffers (the chroma across, then at
    the output width, linear RGB, table indices, the 8-bit codes), the matrix in locals, and the few colours
    outside the gamut last, each bisected on its own (with short-circuit tests, which are faster there)."""
    rows, out_w = lightness.shape
    h, w = ab.shape[0], ab.shape[1]
    scale_y = np.float32(h / out_h)
    scale_x = np.float32(w / out_w)
    x0 = np.empty(out_w, np.int32)  # the horizontal sampling, the same for every row
    x1 = np.empty(out_w, np.int32)
    fx = np.empty(out_w, np.float32)
    for x in range(out_w):
        s = min(max((np.float32(x) + np.float32(0.5)) * scale_x - np.float32(0.5), np.float32(0.0)),
                np.float32(w - 1))
        x0[x] = np.int32(s)
        x1[x] = min(x0[x] + 1, w - 1)
        fx[x] = s - np.float32(x0[x])
    row_a = np.empty(w, np.float32)
    row_b = np.empty(w, np.float32)
    full_a = np.empty(out_w, np.float32)  # the row's chroma at the output width
    full_b = np.empty(out_w, np.float32)
    red = np.empty(out_w, np.float32)
    green = np.empty(out_w, np.float32)
    blue = np.empty(out_w, np.float32)
    code_r = np.empty(out_w, np.int32)
    code_g = np.empty(out_w, np.int32)
    code_b = np.empty(out_w, np.int32)
    bad = np.empty(out_w, np.uint8)
    m = (matrix[0, 0], matrix[0, 1], matrix[0, 2], matrix[1, 0], matrix[1, 1], matrix[1, 2], matrix[2, 0],
         matrix[2, 1], matrix[2, 2])  # in registers
    low = -tolerance
    high = np.float32(1.0) + tolerance
    for r in range(rows):
        s = min(max((np.float32(y0 + r) + np.float32(0.5)) * scale_y - np.float32(0.5), np.float32(0.0)),
                np.float32(h - 1))
        i0 = np.int32(s)
        i1 = min(i0 + 1, h - 1)
        fy = s - np.float32(i0)
        gy = np.float32(1.0) - fy
        for x in range(w):  # the chroma row at the render width, then across
            row_a[x] = gy * ab[i0, x, 0] + fy * ab[i1, x, 0]
            row_b[x] = gy * ab[i0, x, 1] + fy * ab[i1, x, 1]
        for x in range(out_w):
            j0 = x0[x]
            j1 = x1[x]
            f = fx[x]
            full_a[x] = row_a[j0] + f * (row_a[j1] - row_a[j0])
            full_b[x] = row_b[j0] + f * (row_b[j1] - row_b[j0])
        for x in range(out_w):  # contiguous loads only: this loop is vectorised (30% less time than fused in)
            red[x], green[x], blue[x] = linear(lightness[r, x], full_a[x], full_b[x], m)
        count = 0
        for x in range(out_w):
            o = outside(red[x], green[x], blue[x], low, high)
            bad[x] = o
            count += o
            code_r[x] = index(red[x])
            code_g[x] = index(green[x])
            code_b[x] = index(blue[x])
        for x in range(out_w):
            out[r, x, 0] = table[code_r[x]]
            out[r, x, 1] = table[code_g[x]]
            out[r, x, 2] = table[code_b[x]]
        if count == 0:
            continue
        for x in range(out_w):  # colours outside the gamut: their chroma bisected, the lightness kept
            if not bad[x]:
                continue
            a = full_a[x]
            b = full_b[x]
            lum = lightness[r, x]
            lo = np.float32(0.0)
            hi = np.float32(1.0)
            for _ in range(steps):
                mid = (lo + hi) * np.float32(0.5)
                cr, cg, cb = linear(lum, a * mid, b * mid, m)
                if low <= cr <= high and low <= cg <= high and low <= cb <= high:  # short-circuit
                    lo = mid
                else:
                    hi = mid
            cr, cg, cb = linear(lum, a * lo, b * lo, m)
            out[r, x, 0] = table[index(cr)]
            out[r, x, 1] = table[index(cg)]
            out[r, x, 2] = table[index(cb)]
