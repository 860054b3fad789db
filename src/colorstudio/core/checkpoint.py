"""Model files: safetensors with colorstudio metadata. Nothing else is ever loaded.

Users download and share model files, so a model file is untrusted input. Pickle-based
formats (torch ``.pt``/``.pth``, ``.ckpt``) can run arbitrary code when loaded, therefore this
module never calls ``torch.load`` or ``pickle`` on a user's path: the raw bytes are checked to
be a safetensors header carrying our metadata before any tensor is read.

safetensors layout: 8 bytes little-endian header length n, n bytes of JSON (tensor dtypes,
shapes, offsets, and a ``__metadata__`` dict of str -> str), then the raw tensor data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import safetensors.torch
import torch

from colorstudio.core.errors import ModelLoadError
from colorstudio.core.imageio.writer import atomic_write
from colorstudio.core.models.base import ColorNet
from colorstudio.core.models.registry import ARCHITECTURES, available, build
from colorstudio.core.options import COLOUR_CONTRAST_MAX, COLOUR_GAIN_MAX

MODEL_FORMAT = "colorstudio.model"
FORMAT_VERSION = "1"
MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
_PICKLE_OR_ZIP = (b"PK\x03\x04", b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def save_model(path: str | os.PathLike, model: ColorNet, card: dict, *, half: bool = False) -> None:
    """Write ``model`` and its ``card`` (JSON-serialisable description) atomically to ``path``.

    A temporary file in the same folder is renamed over the target, so a crash or a full disk
    never leaves a half-written model where a good one was. ``half=True`` stores floating
    tensors as float16 (half the size; :func:`load_model` casts them back to float32).
    """
    path = Path(path)
    metadata = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION,
        "arch": model.arch,
        "config": json.dumps(model.config()),
        "card": json.dumps(_with_colour_response(card, model), ensure_ascii=False),
        "dtype": "float16" if half else "float32",
    }
    tensors = {}
    for name, tensor in model.state_dict().items():
        tensor = tensor.detach().to("cpu")
        if half and tensor.is_floating_point():
            tensor = tensor.to(torch.float16)
        tensors[name] = tensor.contiguous()
    data = safetensors.torch.save(tensors, metadata=metadata)
    # a temporary file renamed into place (ImageWriteError, a ColorStudioError, says why if it fails); it is
    # created like any of the user's files (umask), where mkstemp would make it private (0600)
    atomic_write(path, lambda out: out.write(data), what="model")


# card field -> (the model's attribute default, the values a card may hold)
COLOUR_RESPONSE = {"colour_gain": (1.0, f"(0, {COLOUR_GAIN_MAX:g}]", lambda v: 0.0 < v <= COLOUR_GAIN_MAX),
                   "colour_contrast": (0.0, f"[0, {COLOUR_CONTRAST_MAX:g}]", lambda v: 0.0 <= v <= COLOUR_CONTRAST_MAX)}


def _with_colour_response(card: dict, model: ColorNet) -> dict:
    """``card`` with the model's colour gain and contrast written in (left out where they are the default)."""
    card = {k: v for k, v in card.items() if k not in COLOUR_RESPONSE}
    for key, (default, _, _) in COLOUR_RESPONSE.items():
        value = float(getattr(model, key, default))
        if value != default:
            card[key] = value
    return card


def _fail(path: Path, problem: str) -> ModelLoadError:
    return ModelLoadError(f"Cannot load the model file “{path.name}”: {problem}")


def _raw_header(path: Path) -> dict[str, Any]:
    """The safetensors JSON header of ``path``, read from the raw bytes only."""
    if not path.exists():
        raise _fail(path, f"the file does not exist ({path}).")
    if not path.is_file():
        raise _fail(path, "it is a folder, not a model file.")
    try:
        with path.open("rb") as f:
            size = path.stat().st_size
            prefix = f.read(8)
            if len(prefix) < 8:
                raise _fail(path, "the file is empty or truncated; it is not a colorstudio model.")
            if prefix.startswith(_PICKLE_OR_ZIP):
                raise _fail(
                    path,
                    "it is a PyTorch/pickle checkpoint (.pt, .pth, .ckpt). Such files can run code when "
                    "opened, so colorstudio refuses them; it only loads .safetensors models it made.",
                )
            length = int.from_bytes(prefix, "little")
            if length < 2 or length > MAX_HEADER_BYTES or length > size - 8:
                raise _fail(path, "it is not a safetensors model file (invalid header).")
            raw = f.read(length)
    except OSError as exc:
        raise _fail(path, f"the file could not be read ({exc.strerror or exc}).") from exc
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(path, "it is not a safetensors model file (unreadable header).") from None
    if not isinstance(header, dict):
        raise _fail(path, "it is not a safetensors model file (unreadable header).")
    return header


def _parse_header(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(info, raw header): validated arch/config/card, plus the tensor table for shape checks."""
    header = _raw_header(path)
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise _fail(path, "it is a safetensors file but not a colorstudio model (no colorstudio metadata).")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise _fail(
            path, f"it uses model format version {version!r}, which this version of colorstudio cannot read; "
            "update colorstudio.",
        )
    arch = meta.get("arch")
    if arch not in ARCHITECTURES:
        raise _fail(
            path, f"it needs the architecture {arch!r}, which this version of colorstudio does not have "
            f"(it has: {', '.join(available())}).",
        )
    info: dict[str, Any] = {"arch": arch}
    for key in ("config", "card"):
        try:
            value = json.loads(meta.get(key, ""))
        except (TypeError, json.JSONDecodeError):
            value = None
        if not isinstance(value, dict):
            raise _fail(path, f"its metadata is damaged (the {key} is not readable).")
        info[key] = value
    for key, (default, allowed, valid) in COLOUR_RESPONSE.items():
        value = info["card"].get(key, default)
        if not isinstance(value, (int, float)) or not valid(value):
            raise _fail(path, f"its metadata is damaged ({key} {value!r} is not a number in {allowed}).")
    return info, header


def read_model_header(path: str | os.PathLike) -> dict:
    """``{"arch", "config", "card"}`` of a model file, from its header only (no tensor is read)."""
    return _parse_header(Path(path))[0]


def _check_tensors(path: Path, arch: str, header: dict[str, Any], expected: dict[str, torch.Tensor]) -> None:
    """Compare the file's tensor table to the model's before reading any data, to say what is wrong."""
    stored = {name: entry for name, entry in header.items() if name != "__metadata__"}
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    misshaped = sorted(
        name for name in set(stored) & set(expected)
        if not isinstance(stored[name], dict) or list(stored[name].get("shape", [])) != list(expected[name].shape)
    )
    if not (missing or unexpected or misshaped):
        return
    details = []
    for label, names in (("missing", missing), ("unexpected", unexpected), ("with a wrong shape", misshaped)):
        if names:
            details.append(f"{len(names)} tensor(s) {label} (e.g. {', '.join(names[:3])})")
    raise _fail(
        path, f"it does not match the architecture {arch!r} it claims: {'; '.join(details)}. "
        "The file is damaged or was made by an incompatible version.",
    )


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[ColorNet, dict]:
    """The model stored in ``path`` (in eval mode, on ``device``) and its card.

    Every problem is a :class:`ModelLoadError` whose message names the file and says what is wrong.
    """
    path = Path(path)
    info, header = _parse_header(path)
    arch = info["arch"]
    try:
        model = build(arch, **info["config"])
    except ModelLoadError as exc:
        raise _fail(path, str(exc)) from exc
    expected = model.state_dict()
    _check_tensors(path, arch, header, expected)
    try:
        tensors = safetensors.torch.load_file(path, device="cpu")
    except Exception as exc:  # safetensors raises its own error types for damaged data
        raise _fail(path, f"the file is damaged ({exc}).") from exc
    for name, tensor in tensors.items():
        if tensor.is_floating_point():
            if not torch.isfinite(tensor).all():
                raise _fail(path, f"the file is damaged (tensor {name} holds invalid numbers).")
            tensors[name] = tensor.to(expected[name].dtype)
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise _fail(path, f"it does not match the architecture {arch!r}: {exc}") from exc
    for key, (default, _, _) in COLOUR_RESPONSE.items():
        setattr(model, key, float(info["card"].get(key, default)))
    return model.to(device).eval(), info["card"]
