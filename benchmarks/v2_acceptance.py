"""Issue 17's acceptance figures for one or more models, from what `colorstudio evaluate --json` wrote.

    .venv/bin/python benchmarks/v2_acceptance.py LABEL:KIND=SWEEP.json[@S] ...
        [--oracle LABEL=SWEEP.json[,SWEEP.json]]

KIND is one of
- ``clean``: ``evaluate ../shared/data/photos-val``;
- ``degraded``: the same on the old-print copy of photos-val (``benchmarks/make_degraded_val.py``);
- ``hints``: ``evaluate ../shared/data/photos-val --hints 10``.
S picks one strength of a sweep (``evaluate --strength a,b,c``; default: the sweep's only one).

For each model it prints, against the issue's targets:
- photos-val: CIEDE2000 and its ratio to the gray floor (target <= 0.85), PSNR over gray (>= +1.5 dB),
  colourfulness ratio (0.85-1.05);
- the most colourful third of photos-val by the truth's colourfulness (from the clean run's per-photo
  scores: the model's colourfulness over its ratio): colourfulness ratio (>= 0.75) and CIEDE2000 against
  gray's on the same photos (below it);
- degraded: each of the three figures' change from the clean one (within 10%);
- with 10 true-colour hints: CIEDE2000 (below v1's 7.33).

--oracle shows what no colour response of the model can beat: each photo's colour strength chosen with its
truth, from one or more sweeps of the same photos. It prints the lowest CIEDE2000 so chosen, and the lowest
that keeps the mean colourfulness ratio at 0.85 or more, the issue's lower bound.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np
from ship_model import chosen_run  # (benchmarks/ is on the path of a script run from it)

KINDS = ("clean", "degraded", "hints")


def load_runs(path: str) -> list[dict]:
    """The runs of an evaluate JSON: one per strength (a single-strength file is its own run)."""
    with open(path) as fh:
        data = json.load(fh)
    return data.get("strengths", [data])


def read_run(spec: str) -> dict:
    """One strength's run of an evaluate JSON: ``PATH`` or ``PATH@S``."""
    path, _, strength = spec.partition("@")
    runs = load_runs(path)
    if strength:
        return chosen_run({"strengths": runs}, float(strength))
    if len(runs) != 1:
        raise SystemExit(f"{spec}: {path} holds several strengths; name one with @S")
    return runs[0]


def means(photos: list[dict], which: str = "model") -> dict:
    keys = ("psnr", "ciede2000", "colourfulness_ratio")
    return {k: float(np.nanmean([p[which][k] for p in photos])) for k in keys}


def truth_colourfulness(photo: dict) -> float:
    ratio = photo["model"]["colourfulness_ratio"]
    return photo["model"]["colourfulness"] / ratio if ratio > 0 else 0.0  # (False for NaN: a gray truth)


def colourful_third(photos: list[dict]) -> list[dict]:
    ranked = sorted(photos, key=truth_colourfulness, reverse=True)
    return ranked[: len(ranked) // 3]


def mark(ok: bool) -> str:
    return "yes" if ok else "NO"


def report(label: str, runs: dict[str, dict]) -> None:
    print(f"\n== {label}")
    clean = runs.get("clean")
    if clean:
        m, g = means(clean["per_photo"]), means(clean["per_photo"], "gray_floor")
        ratio, gain = m["ciede2000"] / g["ciede2000"], m["psnr"] - g["psnr"]
        print(f"photos-val ({clean['photos']}): CIEDE2000 {m['ciede2000']:.2f} = {ratio:.3f} x gray "
              f"{g['ciede2000']:.2f} [<= 0.85: {mark(ratio <= 0.85)}]; PSNR {m['psnr']:.2f} = gray "
              f"{gain:+.2f} dB [>= 1.5: {mark(gain >= 1.5)}]; colourfulness {m['colourfulness_ratio']:.3f} "
              f"[0.85-1.05: {mark(0.85 <= m['colourfulness_ratio'] <= 1.05)}]")
        third = colourful_third(clean["per_photo"])
        t, tg = means(third), means(third, "gray_floor")
        print(f"colourful third ({len(third)}): colourfulness {t['colourfulness_ratio']:.3f} "
              f"[>= 0.75: {mark(t['colourfulness_ratio'] >= 0.75)}]; CIEDE2000 {t['ciede2000']:.2f} against "
              f"gray {tg['ciede2000']:.2f} [below: {mark(t['ciede2000'] < tg['ciede2000'])}]")
    degraded = runs.get("degraded")
    if degraded and clean:
        d, m = means(degraded["per_photo"]), means(clean["per_photo"])
        changes = {k: d[k] / m[k] - 1 for k in d}
        text = ", ".join(f"{k} {d[k]:.3f} ({changes[k]:+.1%})" for k in d)
        print(f"degraded: {text} [all within 10%: {mark(all(abs(c) <= 0.10 for c in changes.values()))}]")
    hints = runs.get("hints")
    if hints:
        h = means(hints["per_photo"])
        print(f"{hints['hints']} true-colour hints: CIEDE2000 {h['ciede2000']:.2f} [< 7.33: "
              f"{mark(h['ciede2000'] < 7.33)}], PSNR {h['psnr']:.2f}, "
              f"colourfulness {h['colourfulness_ratio']:.3f}")


def oracle(label: str, paths: str, colourfulness: float = 0.85) -> None:
    """Per-photo strengths chosen with the truth: the lowest CIEDE2000 over all, and the lowest that keeps
    the mean colourfulness ratio at ``colourfulness`` (minimising CIEDE2000 - lambda x ratio photo by photo,
    lambda raised until the mean ratio reaches it)."""
    runs = {r["strength"]: r for path in paths.split(",") for r in load_runs(path)}
    runs = [runs[s] for s in sorted(runs)]
    count = len(runs[0]["per_photo"])
    if any(len(r["per_photo"]) != count for r in runs):
        raise SystemExit(f"{paths}: the sweeps scored different photos")

    def table(key: str) -> np.ndarray:  # (photo, strength)
        return np.array([[r["per_photo"][i]["model"][key] for r in runs] for i in range(count)])

    ciede, ratio, psnr = table("ciede2000"), table("colourfulness_ratio"), table("psnr")
    rows = np.arange(count)
    strengths = ", ".join(f"{r['strength']:g}" for r in runs)
    print(f"\n== {label}: each photo at its own strength of ({strengths}), chosen with the truth")

    def pick(lam: float) -> np.ndarray:  # each photo's strength minimising CIEDE2000 - lam x ratio
        return np.argmin(ciede - lam * np.nan_to_num(ratio), axis=1)

    def show(what: str, chosen: np.ndarray) -> None:
        print(f"{what}: CIEDE2000 {ciede[rows, chosen].mean():.2f}, PSNR {psnr[rows, chosen].mean():.2f}, "
              f"colourfulness {np.nanmean(ratio[rows, chosen]):.3f}")

    show("lowest CIEDE2000", pick(0.0))
    for lam in np.arange(0.05, 40.0, 0.05):
        chosen = pick(lam)
        if np.nanmean(ratio[rows, chosen]) >= colourfulness:
            show(f"lowest CIEDE2000 at colourfulness >= {colourfulness}", chosen)
            break
    else:
        print(f"no choice of these strengths reaches colourfulness {colourfulness}")
    for run in runs:
        r = means(run["per_photo"])
        print(f"  strength {run['strength']:<6g} for all: CIEDE2000 {r['ciede2000']:.2f}, "
              f"PSNR {r['psnr']:.2f}, colourfulness {r['colourfulness_ratio']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="*", metavar="LABEL:KIND=SWEEP.json[@S]")
    parser.add_argument("--oracle", action="append", default=[], metavar="LABEL=SWEEP.json[,SWEEP.json]")
    args = parser.parse_args()
    models: dict[str, dict[str, dict]] = defaultdict(dict)
    for spec in args.runs:
        head, _, path = spec.partition("=")
        label, _, kind = head.rpartition(":")
        if kind not in KINDS or not label or not path:
            raise SystemExit(f"{spec}: expected LABEL:KIND=SWEEP.json[@S], KIND one of {', '.join(KINDS)}")
        models[label][kind] = read_run(path)
    for label, runs in models.items():
        report(label, runs)
    for spec in args.oracle:
        label, _, path = spec.partition("=")
        oracle(label, path)


if __name__ == "__main__":
    main()
