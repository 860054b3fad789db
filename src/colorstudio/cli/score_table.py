"""The table of scores printed by ``colorstudio evaluate``, and by ``colorstudio train`` for its comparison of
the new model with the one it started from: a header line, then one line a model or photo."""

from __future__ import annotations

_ROW = "{:<44} {:>7} {:>6} {:>9} {:>7}"  # name, PSNR, SSIM, CIEDE2000, colour
_ROW_RMSE = "{:<44} {:>7} {:>6} {:>6} {:>9} {:>7}"  # name, PSNR, RMSE, SSIM, CIEDE2000, colour


def header(first: str, rmse: bool = False) -> str:
    """The column names, ``first`` over the names of the rows; with ``rmse`` the RMSE column too."""
    if rmse:
        return _ROW_RMSE.format(first, "PSNR", "RMSE", "SSIM", "CIEDE2000", "colour")
    return _ROW.format(first, "PSNR", "SSIM", "CIEDE2000", "colour")


def row(name: str, s, rmse: bool = False) -> str:
    """One line of scores (``core.metrics.Scores``) under ``header``'s columns (RMSE on the 0-255 scale)."""
    values = [f"{s.psnr:.2f}", f"{s.ssim:.3f}", f"{s.ciede2000:.2f}", f"{s.colourfulness_ratio:.2f}"]
    if rmse:
        return _ROW_RMSE.format(name[-44:], values[0], f"{s.rmse:.2f}", *values[1:])
    return _ROW.format(name[-44:], *values)
