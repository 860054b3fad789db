"""The OpenVINO engine's folder in the user cache: one converted network per model file, bounded in size.

A model converted for OpenVINO (a few seconds, once) is kept as IR under
``<cache>/<content key>-ov<version>/`` so a later start reads it instead (``openvino_net``). That is all that
is kept: compiled networks (one per input shape, 14 MB each, 0.05 s saved a start when cached, measured) are not written any more, and the
``compiled/`` folders earlier versions left there (2 GB after a few batches of photos of many sizes) are
removed. The folder is held under ``LIMIT_MB``: when a model is opened its entry is marked as just used, and
the entries used longest ago go first. The entry in use is never removed.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

LIMIT_MB = 300  # unet-v1 converted (its two networks) takes 32 MB: about 9 models fit
LEGACY = "compiled"  # OpenVINO's compiled-model cache (CACHE_DIR), written by colorstudio 0.1.0


def size_bytes(folder: Path) -> int:
    """Bytes held by the files under ``folder`` (0 when it does not exist)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:  # removed meanwhile (another process pruning)
                pass
    return total


def describe(folder: Path) -> str:
    """"<folder> (12.3 MB)": where the cache is and how big, for ``colorstudio models`` and the README."""
    return f"{folder} ({size_bytes(folder) / 1e6:.1f} MB, at most {LIMIT_MB} MB)"


def open_entry(cache: Path, name: str, limit_mb: float | None = None) -> Path:
    """The entry ``name`` of ``cache``, marked as just used, with the cache pruned around it to ``limit_mb``
    (``LIMIT_MB`` by default; see the module)."""
    entry = cache / name
    try:
        entry.mkdir(parents=True, exist_ok=True)
        os.utime(entry)
    except OSError as exc:
        log.warning("could not use the cache folder %s: %s", entry, exc)
        return entry
    prune(cache, keep=entry, limit_bytes=int((LIMIT_MB if limit_mb is None else limit_mb) * 1e6))
    return entry


def prune(cache: Path, keep: Path | None, limit_bytes: int) -> list[Path]:
    """Remove the legacy compiled-model folders, then the entries used longest ago until ``cache`` holds at
    most ``limit_bytes`` (``keep`` stays whatever its size). Returns what was removed."""
    removed = []
    try:
        entries = [p for p in cache.iterdir() if p.is_dir()]
    except OSError:
        return removed
    for entry in entries:
        if (entry / LEGACY).is_dir():
            _remove(entry / LEGACY, removed)
    sizes = {entry: size_bytes(entry) for entry in entries}
    total = sum(sizes.values())
    for entry in sorted(entries, key=_last_used):
        if total <= limit_bytes:
            break
        if keep is not None and entry.resolve() == keep.resolve():
            continue
        if _remove(entry, removed):
            total -= sizes[entry]
    return removed


def _last_used(entry: Path) -> float:
    try:
        return entry.stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path, removed: list[Path]) -> bool:
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return True  # another process pruned it first
    except OSError as exc:
        log.warning("could not remove %s from the cache: %s", path, exc)
        return False
    log.info("removed %s from the cache", path)
    removed.append(path)
    return True
