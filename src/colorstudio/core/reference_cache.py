"""The descriptors of a reference folder (``core.reference_folder``) kept on disk between runs.

One .npz per folder in the user cache folder (``cache_file``), read with ``allow_pickle=False`` and written
atomically (a run stopped halfway leaves the last complete file). It holds, per file of the folder: its path
relative to the folder, size, modification time (ns), why it was skipped ("" for a usable colour photo) and
its descriptor (zeros for a skipped one); and the key of the encoder that made the descriptors (another
model's file is not used). A file that cannot be read is as if there were none: everything is read again.
The folder keeps the files of the ``KEEP`` folders used last (a file's modification time is when its folder
was last used): the cache stays bounded however many folders a person tries.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from colorstudio import paths
from colorstudio.core.imageio.writer import atomic_write

log = logging.getLogger(__name__)

KEEP = 24  # folders whose descriptors are kept (a folder of 10,000 photos: about 40 MB)


@dataclass(frozen=True)
class Entry:
    """One file of the folder as the cache knows it: ``reason`` "" for a usable colour photo (``descriptor``
    set), else why it was skipped."""

    path: str  # relative to the folder, "/"-separated
    size: int
    mtime_ns: int
    descriptor: np.ndarray | None = field(default=None, repr=False)
    reason: str = ""


def cache_file(folder: Path) -> Path:
    """Where the descriptors of ``folder`` are kept."""
    key = hashlib.sha256(os.path.normcase(os.path.abspath(folder)).encode("utf-8")).hexdigest()[:24]
    return paths.user_cache_dir() / "reference-folders" / f"{key}.npz"


def load_cache(target: Path, key: str) -> dict[str, Entry]:
    """The entries kept in ``target`` by relative path, or none when it is missing, unreadable or another
    model's."""
    if not target.exists():
        return {}
    try:
        os.utime(target)  # used now: kept longest (``prune``)
        with np.load(target, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return {}
            descriptors = data["descriptors"]
            return {str(p): Entry(str(p), int(s), int(m), None if r else descriptors[i], str(r))
                    for i, (p, s, m, r) in enumerate(zip(data["paths"], data["sizes"], data["mtimes"],
                                                         data["reasons"]))}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("the reference folder cache %s cannot be read (%s); the photos are read again", target, exc)
        return {}


def save_cache(target: Path, key: str, entries: list[Entry]) -> None:
    """Keep ``entries`` in ``target`` (atomically); a failure is logged, the run goes on without a cache."""
    width = next((e.descriptor.shape[0] for e in entries if e.descriptor is not None), 0)
    descriptors = np.zeros((len(entries), width), np.float32)
    for i, entry in enumerate(entries):
        if entry.descriptor is not None:
            descriptors[i] = entry.descriptor
    buffer = io.BytesIO()
    np.savez(buffer, key=np.array(key), paths=np.array([e.path for e in entries], dtype=str),
             sizes=np.array([e.size for e in entries], np.int64), mtimes=np.array([e.mtime_ns for e in entries],
                                                                                   np.int64),
             reasons=np.array([e.reason for e in entries], dtype=str), descriptors=descriptors)
    try:
        atomic_write(target, lambda out: out.write(buffer.getvalue()), what="reference folder cache")
    except Exception as exc:  # noqa: BLE001 - a cache that cannot be written only costs time next run
        log.warning("the reference folder cache %s cannot be written: %s", target, exc)
    prune(target.parent)


def prune(where: Path) -> None:
    """Delete all but the ``KEEP`` files in ``where`` whose folders were used last."""
    def used(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    for old in sorted(where.glob("*.npz"), key=used, reverse=True)[KEEP:]:
        try:
            old.unlink()
        except OSError as exc:
            log.warning("an old reference folder cache %s cannot be deleted: %s", old, exc)
