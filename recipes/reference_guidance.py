"""Teach the colorization network to take a reference photo's guidance as dense hint planes (issue 30's next
step; an experiment, not used by the app). Two steps:

    .venv/bin/python recipes/reference_guidance.py pack DATA_DIR PACK_DIR [--limit 400]
    .venv/bin/python recipes/reference_guidance.py finetune PACK_DIR OUT.safetensors [--val VAL_PACK_DIR]
        [--steps 900] [--device cpu|cuda]

``pack``: split-scene pairs as ``benchmarks/bench_reference.py`` builds them (a photo at 1024 px: its left 45%
the reference, its right 45% in gray the photo). Each photo is matched with its own reference, another
scene's (half the list away) and the most similar other one (by the folder descriptor,
``core.reference_folder``). For each, at half the render size: the matched chroma
(``core.reference.pixel_chroma``), the cell confidence (``core.reference_confidence``) and the shipped guide
(its chroma and weight); with the photo's L*, the truth's chroma and the automatic chroma. One ``.npz`` file a
pair (no pickles).

``finetune``: the default model, every weight (batch norms kept as they are), trained on random crops with
the hint planes ``[a c / AB_SCALE, b c / AB_SCALE, c]`` (``a, b`` the matched chroma, ``c`` its confidence) to
give the truth's chroma (L1). Every 300 steps it prints, on ``--val`` (a pack of photos-val), the mean
CIEDE2000 of the network given the planes, of the shipped guide blended over it, of the shipped guide over
the automatic colour (the app today) and of the automatic colour, at the pack's half size.

Session 18, on the 2-core CPU: 342 photos-train pairs packed in 10 minutes; 900 steps of 6 crops of 224 px
took 20 minutes. See docs/benchmarks.md ("A reference photo") for what it gave.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
KINDS = ("own", "other", "similar")  # the references each photo is matched with


def _half(pixels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    pixels = np.ascontiguousarray(pixels, np.float32)
    return cv2.resize(pixels, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def guidance(reference, lightness: np.ndarray, shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """What the app's matching gives a photo with render-size L* ``lightness``, at ``shape``: the matched
    chroma, its confidence, and the shipped guide's chroma and weight (float16)."""
    import cv2

    from colorstudio.core import reference_confidence
    from colorstudio.core.reference import make_guide, pixel_chroma
    from colorstudio.core.reference_match import encoder_of, match

    encoder = encoder_of()
    found = match(reference.cells(encoder), encoder, lightness)
    sure = cv2.resize(reference_confidence.confidence(found), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    guide = make_guide(reference, None, lightness)
    parts = {"chroma": _half(pixel_chroma(found, lightness), shape), "sure": sure,
             "guide_chroma": _half(guide.ab, shape), "guide_weight": _half(guide.weight[..., 0], shape)}
    return {key: value.astype(np.float16) for key, value in parts.items()}


def pack(data_dir: Path, out: Path, limit: int) -> int:
    from bench_reference import pairs_of

    from colorstudio.core import color, metrics
    from colorstudio.core.jobs import Colorizer, render_lightness
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    from colorstudio.core.reference import Reference
    from colorstudio.core.reference_folder import descriptor, reference_descriptor
    from colorstudio.core.reference_match import encoder_of, photo_features

    pairs, refused = pairs_of(data_dir, limit)
    print(f"{len(pairs)} pairs from {data_dir} ({refused} left out: reference too colourless)", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    model, encoder = Colorizer.load(None, "cpu").model, encoder_of()
    options = ColorizeOptions(device="cpu")
    references = [Reference.from_pixels(reference, name) for name, reference, _ in pairs]
    descriptors = np.stack([reference_descriptor(encoder, r) for r in references])
    started = time.perf_counter()
    for i, (name, _, truth) in enumerate(pairs):
        gray = metrics.lightness_only(truth)
        lightness = render_lightness(gray[..., 0], options.render_size)
        if lightness.shape != truth.shape[:2]:
            raise SystemExit("the pairs must be at most the render size")
        shape = (max(8, round(lightness.shape[0] / 2)), max(8, round(lightness.shape[1] / 2)))
        automatic = color.rgb_to_lab(colorize(gray[..., 0], model, options))[..., 1:]
        similar = descriptors @ descriptor(photo_features(encoder, lightness))
        similar[i] = -np.inf
        other = (i + len(pairs) // 2) % len(pairs)
        arrays = {"lightness": _half(lightness, shape), "truth": _half(color.rgb_to_lab(truth)[..., 1:], shape),
                  "automatic": _half(automatic, shape)}
        for kind, j in zip(KINDS, (i, other, int(np.argmax(similar)))):
            # a fresh Reference each time: the cells it computes are not kept (memory stays bounded)
            fresh = Reference.from_pixels(references[j].pixels, references[j].name)
            for key, value in guidance(fresh, lightness, shape).items():
                arrays[f"{kind}_{key}"] = value
        np.savez(out / f"{i:04d}.npz", name=np.array(name), **{k: v.astype(np.float16) for k, v in arrays.items()})
        if (i + 1) % 10 == 0:
            print(f"  {i + 1}/{len(pairs)} ({time.perf_counter() - started:.0f} s)", flush=True)
    return len(pairs)


def read_pack(folder: Path) -> list[dict[str, np.ndarray]]:
    files = sorted(folder.glob("*.npz"))
    if not files:
        raise SystemExit(f"No pack at {folder} (make one with the pack step).")
    return [dict(np.load(f, allow_pickle=False)) for f in files]


def hint_planes(chroma: np.ndarray, sure: np.ndarray) -> np.ndarray:
    """(3, h, w) float32: the matched chroma times its confidence, in the network's scale, and the confidence."""
    from colorstudio.core import color

    sure = sure.astype(np.float32)
    scaled = chroma.astype(np.float32).transpose(2, 0, 1) / np.float32(color.AB_SCALE)
    return np.concatenate([scaled * sure[None], sure[None]])


def network_chroma(model, lightness: np.ndarray, planes: np.ndarray, device: str = "cpu") -> np.ndarray:
    """The network's chroma (h, w, 2), Lab units, for one whole photo given hint planes."""
    import torch

    from colorstudio.core import color
    from colorstudio.core.models.base import context_input

    h, w = lightness.shape
    pad = ((0, -h % 32), (0, -w % 32))
    l_in = torch.from_numpy(np.pad(lightness.astype(np.float32) / 100, pad, mode="reflect")[None, None]).to(device)
    hints = torch.from_numpy(np.pad(planes, ((0, 0), *pad))[None]).to(device)
    with torch.inference_mode():
        context = model.encode_context(context_input(l_in, model.context_size))
        out = model.predict_ab(l_in, hints, context)[0].float().cpu().numpy()
    return out.transpose(1, 2, 0)[:h, :w] * np.float32(color.AB_SCALE)


def scores(model, pairs: list[dict], device: str = "cpu") -> dict[str, list[float]]:
    """Mean CIEDE2000 at the pack's size, own and another scene's reference: [network given the planes,
    shipped guide over it, shipped guide over the automatic colour, automatic]."""
    from skimage.color import deltaE_ciede2000

    from colorstudio.core import color

    def error(pair, chroma):
        lightness = pair["lightness"].astype(np.float32)
        truth, output = (color.rgb_to_lab(color.compose_rgb(lightness, ab.astype(np.float32), np.uint8))
                         for ab in (pair["truth"], chroma))
        return float(deltaE_ciede2000(truth, output).mean())

    table: dict[str, list[list[float]]] = {}
    for pair in pairs:
        automatic = pair["automatic"].astype(np.float32)
        for kind in KINDS[:2]:
            planes = hint_planes(pair[f"{kind}_chroma"], pair[f"{kind}_sure"])
            net = network_chroma(model, pair["lightness"], planes, device)
            weight = pair[f"{kind}_guide_weight"].astype(np.float32)[..., None]
            towards = pair[f"{kind}_guide_chroma"].astype(np.float32)
            table.setdefault(kind, []).append([error(pair, net), error(pair, net + weight * (towards - net)),
                                               error(pair, automatic + weight * (towards - automatic)),
                                               error(pair, automatic)])
    return {kind: np.mean(rows, axis=0).round(3).tolist() for kind, rows in table.items()}


def crops(pairs: list[dict], rng: np.random.Generator, count: int, size: int):
    """``count`` random crops (L*/100, hint planes, truth / AB_SCALE), each from a random pair and reference,
    mirrored half of the time; a side smaller than ``size`` is reflected out to it."""
    from colorstudio.core import color

    ls, hints, truths = [], [], []
    for _ in range(count):
        pair, kind = pairs[rng.integers(len(pairs))], KINDS[rng.integers(len(KINDS))]
        stack = np.concatenate([pair["lightness"].astype(np.float32)[None] / 100,
                                hint_planes(pair[f"{kind}_chroma"], pair[f"{kind}_sure"]),
                                pair["truth"].astype(np.float32).transpose(2, 0, 1) / np.float32(color.AB_SCALE)])
        h, w = stack.shape[1:]
        stack = np.pad(stack, ((0, 0), (0, max(0, size - h)), (0, max(0, size - w))), mode="reflect")
        y, x = rng.integers(stack.shape[1] - size + 1), rng.integers(stack.shape[2] - size + 1)
        stack = stack[:, y:y + size, x:x + size]
        if rng.random() < 0.5:
            stack = stack[:, :, ::-1]
        ls.append(stack[:1]), hints.append(stack[1:4]), truths.append(stack[4:])
    return (np.ascontiguousarray(np.stack(part), np.float32) for part in (ls, hints, truths))


def finetune(pack_dir: Path, out: Path, val_dir: Path | None, steps: int, batch: int, size: int,
             device: str, seed: int = 0):
    import torch

    from colorstudio.core import catalog
    from colorstudio.core.checkpoint import save_model
    from colorstudio.core.models.base import context_input

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pairs, val = read_pack(pack_dir), read_pack(val_dir) if val_dir else []
    entry = catalog.resolve_model(None)
    model, card = catalog.load(entry, device=device)
    model.eval()  # batch norms keep their statistics
    hint_weights = list(model.hints.parameters())
    rest = [p for name, p in model.named_parameters() if not name.startswith("hints.")]
    optimiser = torch.optim.Adam([{"params": hint_weights, "lr": 2e-3}, {"params": rest, "lr": 1e-4}])
    if val:
        print("start [network with planes, guide over it, guide over automatic, automatic]:", scores(model, val, device),
              flush=True)
    started, running = time.perf_counter(), None
    for step in range(steps):
        l_in, hints, truth = (torch.from_numpy(a).to(device) for a in crops(pairs, rng, batch, size))
        context = model.encode_context(context_input(l_in, model.context_size))
        loss = (model.predict_ab(l_in, hints, context) - truth).abs().mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 50 == 0:
            print(f"step {step}: L1 {running:.4f} ({time.perf_counter() - started:.0f} s)", flush=True)
        if val and (step + 1) % 300 == 0:
            print(f"step {step + 1}:", scores(model, val, device), flush=True)
    card = {**card, "title": f"{card.get('title', entry.name)}, tuned on dense reference guidance (experiment)",
            "default": False, "reference_guidance": {"pairs": len(pairs), "steps": steps, "batch": batch,
                                                     "crop": size}}
    save_model(out, model.cpu(), card)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    packing = steps.add_parser("pack", help="match split-scene pairs and write what the matching gives")
    packing.add_argument("data", type=Path)
    packing.add_argument("out", type=Path)
    packing.add_argument("--limit", type=int, default=400, help="pairs, photos taken evenly")
    tuning = steps.add_parser("finetune", help="train the default model on a pack")
    tuning.add_argument("pack", type=Path)
    tuning.add_argument("out", type=Path)
    tuning.add_argument("--val", type=Path, default=None, help="a pack of photos-val, scored every 300 steps")
    tuning.add_argument("--steps", type=int, default=900)
    tuning.add_argument("--batch", type=int, default=6)
    tuning.add_argument("--crop", type=int, default=224)
    tuning.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    if args.step == "pack":
        if not args.data.is_dir():
            raise SystemExit(f"No photos folder at {args.data}.")
        pack(args.data, args.out, args.limit)
    else:
        finetune(args.pack, args.out, args.val, args.steps, args.batch, args.crop, args.device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
