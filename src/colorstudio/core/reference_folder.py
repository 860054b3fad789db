"""A folder of colour photos as the reference (issue 30, "colour from my collection"): for each photo, the
best few of the folder that match it well enough, else the automatic colour.

1. **Descriptors, once per folder.** Every colour photo of the folder (sub-folders too, hidden files left out)
   is read once as a ``core.reference.Reference``; a gray, sepia or unreadable one is skipped and said. Its
   global descriptor: the lightness features the matching uses (``reference_match.photo_features``, at
   ``FEATURE_SIDE``), mean-pooled and max-pooled over the cells, each L2-normalised, joined (``descriptor``);
   two photos compare by the cosine of theirs. The descriptors are cached on disk (``cache_file``: one .npz
   per folder in the user cache folder, written atomically, read with ``allow_pickle=False``), keyed by each
   file's relative path, size and modification time and by the encoder's weights (``model_key``): a second
   run reads no photo; a changed or added file is read again, a removed one dropped; another model's
   descriptors are not reused.
2. **Choosing, per photo** (``ReferenceFolder.choose``, on the photo's render-size L*): the ``CANDIDATES``
   most similar by descriptor, then each verified by how its cells match the photo's cells (the mean over the
   photo's cells of their best cosine similarity with the candidate's cells, as ``core.reference`` matches
   them). Those scoring at least ``MATCH_AT``, and within ``MARGIN`` of the best, are put together with
   ``Reference.combine`` at the folder's strength; none: the automatic colour, and ``Choice.why`` says so.
   Only the chosen few photos are read again, and a small LRU (``LOADED``) keeps them with their cells: the
   memory stays bounded over a batch of any length.

How ``CANDIDATES``, ``MATCH_AT`` and ``MARGIN`` were chosen (not on photos-val): 40 photos taken evenly through
photos-train made split-scene pairs as the benchmark does (``benchmarks/bench_reference.py``'s ``split_pair``:
the left 45% the reference, the right 45% in gray the photo; 39 kept, one reference half too colourless), the
39 reference halves one folder, each photo's render-1024 L*. First chosen with the colorization model's own
encoder (partner first by descriptor for 31 of 39; 0.48 and 0.05 chose it for 31); then measured again when
``core.reference`` moved to the ImageNet encoder: by descriptor the photo's own partner comes first for 37,
in the first 5 for all 39; its cell match is at least 0.48 (and it is in the first 3) for 33 of 39, 0.50 for
32, 0.55 for 30; the best other photo of the first 3 reaches 0.48 for 13 (0.50: 10, 0.55: 5), so with the
partner taken out of the folder 26 of 39 photos get none. A higher threshold misses partners, which costs more
than another scene's photo does (``core.reference`` colours only where cells match well and only as much as
the reference shows the photo's scene).

``MATCH_AT`` was lowered from 0.48 to 0.40 when ``core.reference_confidence`` (a fitted model of how much a
match counts) replaced the hand-set ramps. Measured then with ``benchmarks/bench_reference.py``'s folder of
53 photos-val reference halves: 0.48 chose the partner for 45 photos (none for 7), CIEDE2000 6.52; 0.44: 49
(none for 3), 6.27; 0.40: 51 (none for 1), 6.22. And the folder without the partner (the same 53 photos-val
halves as the folder for 32 photos-train pairs; automatic 10.59): 0.48 +0.30 on average (worst +4.74, 23 of 32
got none), 0.44 +0.42, 0.40 +0.15 (worst +6.86, 9 got none).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from colorstudio.core import color, imageio
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.reference import FEATURE_SIDE, Reference, encoder_of
from colorstudio.core.reference_cache import Entry, cache_file, load_cache, save_cache
from colorstudio.core.reference_match import best_similarity, photo_features
from colorstudio.core.run_control import RunControl

log = logging.getLogger(__name__)

CANDIDATES = 3  # photos of the folder verified per photo (the most similar by descriptor)
MATCH_AT = 0.40  # a candidate's cell match (mean best cosine) from which it is used
MARGIN = 0.05  # ...and at most this far below the best candidate's
LOADED = 6  # reference photos kept in memory with their cells (least recently used dropped)
CACHE_VERSION = 2  # of the descriptor and the cache file; another version is made again


@dataclass(frozen=True)
class Choice:
    """The reference chosen for one photo: ``reference`` (None: none matched, automatic colour), the names of
    the photos it is made of, their cell-match scores, and ``why``, a short text for the log or a row."""

    reference: Reference | None
    why: str
    names: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()


_keys: dict[int, tuple[object, str]] = {}
_keys_lock = threading.Lock()


def model_key(encoder) -> str:
    """An identity of the encoder's weights (SHA-256 of its parameters and buffers), computed once per encoder."""
    with _keys_lock:
        known = _keys.get(id(encoder))
        if known is not None and known[0] is encoder:
            return known[1]
        digest = hashlib.sha256(f"v{CACHE_VERSION}:{FEATURE_SIDE}".encode())
        for name, tensor in sorted(encoder.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        _keys[id(encoder)] = (encoder, digest.hexdigest())
        return _keys[id(encoder)][1]


def descriptor(features) -> np.ndarray:
    """A photo's global descriptor from its cells' features (H8, W8, C): mean- and max-pooled, each made unit
    length, joined and made unit length (float32)."""
    cells = features.reshape(-1, features.shape[-1]).numpy().astype(np.float64)
    parts = [cells.mean(axis=0), cells.max(axis=0)]
    joined = np.concatenate([p / max(np.linalg.norm(p), 1e-9) for p in parts])
    return (joined / np.sqrt(2.0)).astype(np.float32)


def reference_descriptor(encoder, reference: Reference) -> np.ndarray:
    lightness = color.rgb_to_lab(reference.pixels)[..., 0]
    return descriptor(photo_features(encoder, lightness))


def cell_match(photo_features, reference: Reference, encoder) -> float:
    """How well a photo's cells (H8, W8, C) match the reference's: the mean of each cell's best cosine."""
    return float(best_similarity(photo_features, reference.cells(encoder)).mean())


def list_files(folder: Path) -> list[Path]:
    """The photo files of ``folder`` and its sub-folders (hidden ones left out), in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in imageio.INPUT_EXTENSIONS
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


class ReferenceFolder:
    """The colour photos of a folder and their descriptors; ``choose`` picks a photo's references (see the
    module). Made by ``open``; ``with_strength`` gives the same folder at another strength."""

    def __init__(self, folder: Path, key: str, entries: list[Entry], strength: float = 1.0) -> None:
        self.folder, self.key, self.strength = Path(folder), key, float(strength)
        self.entries = entries
        usable = [e for e in entries if not e.reason]
        self.names = [e.path for e in usable]
        self.descriptors = (np.stack([e.descriptor for e in usable]) if usable
                            else np.zeros((0, 0), np.float32))
        self._loaded: OrderedDict[str, Reference] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def skipped(self) -> list[Entry]:
        """The files that are not used, each with its reason."""
        return [e for e in self.entries if e.reason]

    def __len__(self) -> int:
        return len(self.names)

    def __getstate__(self) -> dict:  # a cluster's workers get the descriptors, not the loaded photos
        state = dict(self.__dict__)
        state["_loaded"], state["_lock"] = OrderedDict(), None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def with_strength(self, strength: float) -> ReferenceFolder:
        """The same folder (its loaded photos shared) whose choices guide at ``strength`` 0..1."""
        if not 0.0 <= strength <= 1.0:
            raise ColorStudioError(f"reference strength must be between 0 and 1, got {strength:g}")
        other = ReferenceFolder.__new__(ReferenceFolder)
        other.__dict__.update(self.__dict__)
        other.strength = float(strength)
        return other

    @classmethod
    def open(cls, folder: Path, model, *, control: RunControl = RunControl(),
             strength: float = 1.0) -> ReferenceFolder:
        """The folder's colour photos and their descriptors (from the cache where a file has not changed);
        ``control.progress`` counts the files read, ``control.notice`` says what was skipped. Raises
        ColorStudioError for a folder that is missing, empty or without a colour photo."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ColorStudioError(f"{folder} is not a folder of colour photos")
        files = list_files(folder)
        if not files:
            raise ColorStudioError(f"the reference folder {folder} has no photos in it")
        encoder = encoder_of(model)
        key = model_key(encoder)
        target = cache_file(folder)
        cached = load_cache(target, key)
        entries, read = [], 0
        for index, path in enumerate(files):
            control.check_cancelled()
            relative = _relative(path, folder)
            try:
                stat = path.stat()
            except OSError as exc:
                entries.append(Entry(relative, -1, -1, reason=f"cannot be read ({exc.strerror or exc})"))
                continue
            known = cached.get(relative)
            if known is not None and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                entries.append(known)
            else:
                entries.append(_read_entry(encoder, path, relative, stat))
                read += 1
            control.progress(index + 1, len(files))
        if read or set(cached) != {e.path for e in entries}:
            save_cache(target, key, entries)
        made = cls(folder, key, entries, strength)
        skipped = made.skipped
        for entry in skipped:
            control.notice(f"reference folder: {entry.path} skipped, {skip_reason(entry)}")
        if not len(made):
            raise ColorStudioError(f"none of the {len(files)} photos in the reference folder {folder} is a colour "
                                   "photo (gray, sepia or unreadable): a reference must be a colour photo")
        log.info("reference folder %s: %d colour photos, %d skipped, %d read (the rest from the cache)",
                 folder, len(made), len(skipped), read)
        return made

    def choose(self, model, lightness: np.ndarray) -> Choice:
        """The reference for a photo whose render-size L* is ``lightness`` (see the module)."""
        encoder = encoder_of(model)
        if model_key(encoder) != self.key:
            raise ColorStudioError(f"the reference folder {self.folder} was read with another model; open it again")
        features = photo_features(encoder, lightness)
        similar = self.descriptors @ descriptor(features)
        candidates = np.argsort(-similar, kind="stable")[:CANDIDATES]
        scored = []
        for index in candidates:
            reference = self._reference(self.names[index])
            if reference is not None:
                scored.append((cell_match(features, reference, encoder), self.names[index], reference))
        if not scored:
            return Choice(None, "no reference could be read: automatic colour")
        scored.sort(key=lambda item: -item[0])
        best = scored[0][0]
        chosen = [item for item in scored if item[0] >= MATCH_AT and item[0] >= best - MARGIN]
        if not chosen:
            return Choice(None, f"no reference matched well enough (best {best:.2f}): automatic colour",
                          scores=(best,))
        names = tuple(name for _, name, _ in chosen)
        scores = tuple(score for score, _, _ in chosen)
        reference = Reference.combine([r for _, _, r in chosen], strength=self.strength)
        said = ", ".join(f"{name} (match {score:.2f})" for name, score in zip(names, scores))
        return Choice(reference, f"reference{'s' if len(names) > 1 else ''}: {said}", names, scores)

    def _reference(self, name: str) -> Reference | None:
        """A photo of the folder as a Reference with its cells, from the LRU or read again (None: it cannot
        be read any more, said in the log)."""
        with self._lock:
            reference = self._loaded.get(name)
        if reference is None:
            try:
                reference = Reference.from_file(self.folder / name)
            except (ColorStudioError, OSError) as exc:
                log.warning("reference folder %s: %s can no longer be used: %s", self.folder, name, exc)
                return None
        with self._lock:
            self._loaded[name] = reference
            self._loaded.move_to_end(name)
            while len(self._loaded) > LOADED:
                self._loaded.popitem(last=False)
        return reference


def skip_reason(entry: Entry) -> str:
    """Why a file of the folder is not used, said of it ("it has too little colour ..."): the reader's message
    without the file's name it starts with, nor the advice to choose a colour photo (a folder is not chosen
    photo by photo)."""
    reason = entry.reason.removesuffix("; choose a colour photo")
    name = Path(entry.path).name
    return f"it {reason[len(name) + 1:]}" if reason.startswith(f"{name} ") else reason


def _read_entry(encoder, path: Path, relative: str, stat) -> Entry:
    try:
        reference = Reference.from_file(path)
    except (ColorStudioError, OSError) as exc:
        return Entry(relative, stat.st_size, stat.st_mtime_ns, reason=str(exc))
    return Entry(relative, stat.st_size, stat.st_mtime_ns, reference_descriptor(encoder, reference))
