"""``colorize(image, model, options) -> image``: the one pipeline behind the CLI, the GUI and the tests.

1. The photo is resized to the render size (the resolution at which the network sees it; colour is
   low-frequency, and the network's sense of what things are works best near its training scale).
2. A global scene embedding is computed once from the whole photo (for models that use one), so every
   tile agrees on what the scene is.
3. The network runs tile by tile (see ``inference``), finished rows of chroma stream out.
4. The chroma is shaped by the model's colour response (contrast, gain: chosen on validation photos, stored in
   its card) and the user's colour strength; a reference photo's matched colours are blended in where they
   match (``reference``); colour hints correct it over their regions (``hint_spread``).
5. It is upsampled to full resolution strip by strip and joined with the photo's own full-resolution
   lightness. Only colour is added; detail is never resampled.

On a GPU out-of-memory error the photo is redone from the start with a smaller batch, then smaller
tiles, then on the CPU, and the user is told; a tile computed before the error is never reused.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext

import cv2
import numpy as np
import torch

from colorstudio.core import color, fused_join, hint_spread
from colorstudio.core import device as devices
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import ColorHint
from colorstudio.core.inference import TileJob, TileRunner, lightness_tensor
from colorstudio.core.models.base import context_input
from colorstudio.core.options import ColorizeOptions  # noqa: F401 - re-exported, the usual import path
from colorstudio.core.reference import Guide, Reference
from colorstudio.core.restoration import Stroke, restore_tiled
from colorstudio.core.run_control import RunControl

COMPOSE_WORKERS = max(1, min(4, os.cpu_count() or 1))
STRIP_ROWS = 256  # full-resolution rows composed at a time: bounds the memory of the final step


def render_shape(height: int, width: int, render_size: int) -> tuple[int, int]:
    """Size (h, w) at which the network sees a photo: shrunk to ``render_size``, never enlarged."""
    longest = max(height, width)
    if render_size <= 0 or longest <= render_size:
        return height, width
    scale = render_size / longest
    return max(1, round(height * scale)), max(1, round(width * scale))


def _check_image(image: np.ndarray) -> None:
    if image.dtype not in (np.uint8, np.uint16):
        raise ColorStudioError(f"expected 8- or 16-bit pixels, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        return
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ColorStudioError(f"expected a gray (H, W) or RGB (H, W, 3) image, got shape {image.shape}")


def scene_context(model, render: np.ndarray, device: torch.device) -> torch.Tensor | None:
    """The scene embedding (1, C) of the whole photo (``render``: 8/16-bit pixels, or float32 L*), computed
    once; None for a model without one. The photo is first shrunk cheaply (area averaging, on the pixels) to
    twice the context size, then the model's own ``context_input`` makes the final size, as it does in
    training."""
    if not model.uses_context:
        return None
    side = model.context_size
    h, w = render.shape[:2]
    small = render
    if max(h, w) > 2 * side:
        shrink = 2 * side / max(h, w)
        small = cv2.resize(np.ascontiguousarray(render), (max(1, round(w * shrink)), max(1, round(h * shrink))),
                           interpolation=cv2.INTER_AREA)
    with torch.inference_mode():
        return model.encode_context(context_input(lightness_tensor(small[None]).to(device), side))


def colour_response(model, ab: np.ndarray) -> np.ndarray:
    """Network ab (Lab units) as the pipeline shows it at strength 1: the model's colour contrast, then its
    gain (both chosen on validation photos and stored in its card)."""
    return color.expand_chroma(ab, model.colour_contrast) * np.float32(model.colour_gain)


def _upsample_rows(ab: np.ndarray, y0: int, y1: int, out_h: int, out_w: int) -> np.ndarray:
    """Rows ``y0..y1`` of ``ab`` (any channels) bilinearly resized to (out_h, out_w), computed for that strip only."""
    h, w = ab.shape[:2]
    ys = (np.arange(y0, y1, dtype=np.float32) + 0.5) * (h / out_h) - 0.5
    ys = np.clip(ys, 0, h - 1)
    i0 = np.floor(ys).astype(np.intp)
    i1 = np.minimum(i0 + 1, h - 1)
    f = (ys - i0).astype(np.float32)[:, None, None]  # float32 throughout: OpenCV's conversions need it
    rows = ab[i0] * (1 - f) + ab[i1] * f
    if w == out_w:
        return rows.astype(np.float32, copy=False)
    return cv2.resize(rows, (out_w, y1 - y0), interpolation=cv2.INTER_LINEAR)


class _Composer:
    """Joins predicted chroma with the photo's full-resolution lightness, into the output array.

    ``lightness`` is the restored L* when restoration ran; otherwise L* is computed from ``image`` row by row.
    The model's colour contrast is applied to the chroma as it arrives; the strength when composing.
    ``spread`` (render-size L*, hints in render pixels) spreads the hints' corrections (``hint_spread``)
    once the whole chroma is known; ``guide`` (a reference photo's, ``reference``) is blended in before.
    """

    def __init__(self, image: np.ndarray, render_hw: tuple[int, int], strength: float,
                 lightness: np.ndarray | None = None, keep_chroma: bool = False, contrast: float = 0.0,
                 spread: tuple[np.ndarray, list[ColorHint]] | None = None,
                 pool: ThreadPoolExecutor | None = None, guide: Guide | None = None) -> None:
        self.image = image
        self.lightness = lightness
        self.strength = np.float32(strength)
        self.contrast = contrast
        self.spread = spread
        self.guide = guide
        self.out = np.empty(image.shape[:2] + (3,), image.dtype)
        # At the render size the chroma streams straight into the output, unless it is kept to be
        # composed again at other strengths (``colorize_strengths``) or corrected by hints.
        self.native = render_hw == image.shape[:2] and not keep_chroma and spread is None and guide is None
        self.ab_render = None if self.native else np.zeros(render_hw + (2,), np.float32)
        # With a pool (on a GPU), streamed rows are composed on its threads, strip by strip, while the
        # network goes on with the next tiles; at most two strips per thread wait (bounded memory).
        self.pool = pool if self.native else None
        self.pending: deque[Future] = deque()
        self.render, self.scale = None, 1.0

    def set_source(self, render: np.ndarray, scale: float) -> None:
        """Keep what the network saw (the photo at the render size) and the photo -> render scale."""
        self.render, self.scale = render, scale

    def clear_spread(self) -> None:
        """Spread no hints over the chroma when finishing: the caller passes its own (``finish(spread=...)``)."""
        self.spread = None

    def sink(self, y0: int, ab: np.ndarray) -> None:
        if not self.native:
            self.ab_render[y0 : y0 + ab.shape[0]] = color.expand_chroma(ab, self.contrast)
        elif self.pool is None:
            self._stream(y0, ab)
        else:
            for s in range(0, ab.shape[0], STRIP_ROWS):
                self.pending.append(self.pool.submit(self._stream, y0 + s, ab[s : s + STRIP_ROWS]))
            while len(self.pending) > 2 * COMPOSE_WORKERS:
                self.pending.popleft().result()

    def _stream(self, y0: int, ab: np.ndarray) -> None:
        lab = np.empty(ab.shape[:2] + (3,), np.float32)
        lab[..., 1:] = color.expand_chroma(ab, self.contrast) * self.strength
        self._compose(y0, lab, self.out)

    def wait(self) -> None:
        """Wait for the rows still being composed (re-raises what failed there)."""
        while self.pending:
            self.pending.popleft().result()

    def _compose(self, y0: int, lab: np.ndarray, out: np.ndarray) -> None:
        """Rows from ``y0``: ``lab`` (rows, W, 3) holds their chroma; its L channel is set to the photo's own."""
        y1 = y0 + lab.shape[0]
        lab[..., 0] = self._lightness(y0, y1)
        out[y0:y1] = color.compose_lab(lab, self.image.dtype)

    def _lightness(self, y0: int, y1: int) -> np.ndarray:
        """L* of the photo's rows ``y0..y1``: the restored one, or the scan's own."""
        return self.lightness[y0:y1] if self.lightness is not None else color.lightness(self.image[y0:y1])

    def finish(self, strength: float | None = None, spread: tuple[np.ndarray, list[ColorHint]] | None = None
               ) -> np.ndarray:
        """The colorized photo; ``strength`` (kept chroma only) composes a new one at another strength, and
        ``spread`` (kept chroma only) with other hints spread over it than those the network saw."""
        out = self.out if strength is None and spread is None else np.empty_like(self.out)
        if self.native:
            return out
        ab = self.ab_render * (self.strength if strength is None else np.float32(strength))
        if self.guide is not None:
            ab = self.guide.apply(ab)
        spread = spread or self.spread
        if spread is not None:
            lightness, hints = spread
            ab += hint_spread.correction_field(lightness, ab, hints)
        height, width = self.image.shape[:2]
        if out.dtype == np.uint8 and fused_join.available():  # one pass a pixel (``fused_join``)
            def strip(y0: int) -> None:
                y1 = min(y0 + STRIP_ROWS, height)
                fused_join.join_rows(self._lightness(y0, y1), ab, y0, height, out[y0:y1])
        else:
            # upsampled with a (dummy) L channel: OpenCV resizes 3 channels several times faster than 2, and
            # the strip is then the interleaved Lab its conversion wants (the L is the photo's own, put in after)
            lab = np.zeros(ab.shape[:2] + (3,), np.float32)
            lab[..., 1:] = ab

            def strip(y0: int) -> None:
                y1 = min(y0 + STRIP_ROWS, height)
                self._compose(y0, _upsample_rows(lab, y0, y1, height, width), out)

        # Strips are independent and numba/numpy/OpenCV release the GIL on them: on a big scan this step
        # costs more than the network, so it uses every core (memory: one strip per worker).
        with ThreadPoolExecutor(max_workers=COMPOSE_WORKERS) as pool:
            list(pool.map(strip, range(0, height, STRIP_ROWS)))
        return out


def tiles_per_pass(options: ColorizeOptions, device: torch.device) -> int:
    """Tiles per forward pass: as asked, else 4 on a GPU and 1 on the CPU."""
    return options.tile_batch or (4 if devices.is_accelerator(device) else 1)


def _compose_pool(device: torch.device):
    """Threads that compose streamed rows beside the network on a GPU; on the CPU the network has every
    core, and rows are composed in line (a null context)."""
    if devices.is_accelerator(device):
        return ThreadPoolExecutor(COMPOSE_WORKERS, "colorstudio-compose")
    return nullcontext()


def _fallbacks(options: ColorizeOptions, device: torch.device, batch: int):
    """(device, tile, batch, what changed) to try in turn after out-of-memory errors:
    as asked, one tile at a time, smaller tiles, then the CPU (when the device is a GPU)."""
    tile = options.tile_size
    yield device, tile, batch, ""
    if batch > 1:
        batch = 1
        yield device, tile, batch, "one tile at a time"
    while tile // 2 >= options.min_tile_size:
        tile //= 2
        yield device, tile, batch, f"with {tile}px tiles"
    if devices.is_accelerator(device):
        yield torch.device("cpu"), options.tile_size, 1, "on the CPU"


def colorize(
    image: np.ndarray,
    model,
    options: ColorizeOptions = ColorizeOptions(),
    *,
    hints: Sequence[ColorHint] = (),
    strokes: Sequence[Stroke] = (),
    reference: Reference | None = None,
    control: RunControl = RunControl(),
) -> np.ndarray:
    """Colorize a gray or colour photo (colour is re-predicted from its lightness).

    ``image``: (H, W) or (H, W, 3), uint8 or uint16. Returns (H, W, 3) RGB of the same dtype.
    ``strokes``: the user's edits of the dust mask (see ``restoration.strokes``).
    ``reference``: a colour photo whose colours guide the photo's where they match (``core.reference``);
    hints win over it where they are.
    ``control.progress(done, total)`` is called after every batch of tiles; ``control.should_cancel()`` is
    checked before every batch (raise nothing, return True: ``Cancelled`` is raised and nothing is returned);
    retries after running out of memory are told to ``control.notice``.
    The colour strength is ``options.strength`` times the model's own ``colour_gain`` (chosen on
    validation photos and stored in its card; 1 for most models).
    """
    return _predict(image, model, options, hints, strokes, control, reference=reference).finish()


def colorize_strengths(image: np.ndarray, model, options: ColorizeOptions, strengths: Sequence[float], *,
                       hints: Sequence[ColorHint] = (), reference: Reference | None = None) -> list[np.ndarray]:
    """The photo colorized at each of ``strengths`` (times the model's gain), the network run once:
    what ``colorize`` returns with ``options.strength`` set to each in turn. For choosing a strength."""
    composer = _predict(image, model, options, hints, (), RunControl(), keep_chroma=True, reference=reference)
    return [composer.finish(strength * model.colour_gain) for strength in strengths]


class Prediction:
    """The network's chroma for a photo, kept to be composed again: with other hints spread over it
    (the hint tool's live preview: the network runs once, each edit only spreads and composes)."""

    def __init__(self, composer: _Composer, spreads: bool) -> None:
        self._composer, self._spreads = composer, spreads
        composer.clear_spread()  # spread here, with the hints ``compose`` is given
        self._render, self._scale = composer.render, composer.scale
        self._lightness = None

    @property
    def render(self) -> np.ndarray:
        """What the network saw (the photo at the render size)."""
        return self._render

    @property
    def scale(self) -> float:
        """Photo pixels -> render pixels."""
        return self._scale

    def compose(self, hints: Sequence[ColorHint] = ()) -> np.ndarray:
        """The photo as ``colorize`` gives it, but with ``hints`` (photo pixels) spread over the kept chroma
        (the network's own response to hints is in it only for those it was predicted with)."""
        if not (hints and self._spreads):
            return self._composer.finish(self._composer.strength)
        if self._lightness is None:
            self._lightness = _spread(self._render, hints, self._scale)[0]
        return self._composer.finish(spread=(self._lightness, [h.scaled(self._scale) for h in hints]))


def predict(image: np.ndarray, model, options: ColorizeOptions = ColorizeOptions(), *,
            hints: Sequence[ColorHint] = (), reference: Reference | None = None,
            control: RunControl = RunControl()) -> Prediction:
    """What ``colorize`` computes before composing, kept: ``predict(...).compose(hints)`` is
    ``colorize(..., hints=hints)`` when the network saw the same hints."""
    composer = _predict(image, model, options, hints, (), control, keep_chroma=True, reference=reference)
    return Prediction(composer, options.spread_hints)


def _render_lightness(render: np.ndarray) -> np.ndarray:
    """L* of what the network saw (a restored render already is L*)."""
    return render if render.dtype == np.float32 else color.lightness(render)


def _spread(render: np.ndarray, hints: Sequence[ColorHint], scale: float):
    """(render-size L*, hints in render pixels) for the composer, or None without hints."""
    if not hints:
        return None
    return _render_lightness(render), [h.scaled(scale) for h in hints]


def _predict(image, model, options: ColorizeOptions, hints, strokes, control: RunControl,
             keep_chroma: bool = False, reference: Reference | None = None) -> _Composer:
    options.validate()
    _check_image(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    device = devices.resolve_device(options.device)
    batch = tiles_per_pass(options, device)
    height, width = image.shape[:2]
    restored = None
    if options.restore.enabled or strokes:
        control.stage("restoring")  # (minutes on a big damaged scan: its own progress)
        restored, _mask = restore_tiled(image, options.restore, strokes=strokes, progress=control.progress)
    control.stage("colorizing")
    source = image if restored is None else restored  # the network sees the restored lightness
    render_hw = render_shape(height, width, options.render_size)
    render = source if render_hw == (height, width) else cv2.resize(
        source, render_hw[::-1], interpolation=cv2.INTER_AREA)
    scale = render_hw[1] / width
    model.eval()
    guide = None
    if reference is not None and reference.strength > 0:
        guide = reference.guide(model, _render_lightness(render))  # once: it does not change with the tiles
    last_error: BaseException | None = None
    for dev, tile, tile_batch, change in _fallbacks(options, device, batch):
        if change:
            devices.release_cached_memory(device)
            control.notice(f"Out of memory; trying again {change}.")
        try:
            model.to(dev)
            job = TileJob(render, scene_context(model, render, dev), list(hints), scale)
            with _compose_pool(dev) as pool:
                composer = _Composer(image, render_hw, options.strength * model.colour_gain, restored, keep_chroma,
                                     model.colour_contrast,
                                     _spread(render, hints, scale) if options.spread_hints else None, pool, guide)
                composer.set_source(render, scale)
                TileRunner(model, dev, tile, options.overlap, tile_batch).run(job, composer.sink, control)
                composer.wait()
            return composer
        except Exception as error:  # noqa: BLE001 - only out-of-memory is retried, the rest re-raised
            if not devices.is_out_of_memory(error):
                raise
            last_error = error
            composer = job = None
    raise ColorStudioError(
        f"Out of memory even with {options.min_tile_size}px tiles on the CPU; close other programs "
        f"or lower the render size. ({last_error})")

