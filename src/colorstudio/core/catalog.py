"""The models a user can pick: the shipped ones (read-only, inside the installation) and their own.

A model is ``<name>.safetensors`` with a human-readable model card ``<name>.json`` beside it (the same
card is also stored inside the safetensors metadata, so a model file that travels alone keeps it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from colorstudio import paths
from colorstudio.core.errors import ColorStudioError, ModelLoadError

MODEL_SUFFIX = ".safetensors"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    source: str  # "shipped", "user" or "file"
    card: dict = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:
        return str(self.card.get("title") or self.name)

    @property
    def is_default(self) -> bool:
        return bool(self.card.get("default"))


def read_card(weights: Path) -> dict:
    """The model card beside ``weights``; falls back to the card inside the file's header."""
    sidecar = weights.with_suffix(".json")
    if sidecar.is_file():
        try:
            card = json.loads(sidecar.read_text(encoding="utf-8"))
            if isinstance(card, dict):
                return card
        except (OSError, ValueError):
            pass
    from colorstudio.core.checkpoint import read_model_header

    try:
        return dict(read_model_header(weights).get("card") or {})
    except ModelLoadError:
        return {}


def _scan(folder: Path, source: str) -> list[ModelEntry]:
    if not folder.is_dir():
        return []
    return [ModelEntry(p.stem, p, source, read_card(p)) for p in sorted(folder.glob(f"*{MODEL_SUFFIX}"))]


def list_models() -> list[ModelEntry]:
    """Shipped models first (the default one leading), then the user's own."""
    shipped = sorted(_scan(paths.shipped_models_dir(), "shipped"), key=lambda e: (not e.is_default, e.name))
    return shipped + _scan(paths.user_models_dir(), "user")


def default_model() -> ModelEntry:
    models = list_models()
    if not models:
        raise ColorStudioError(
            f"No model found: the installation should have one in {paths.shipped_models_dir()}.")
    return models[0]


def resolve_model(name_or_path: str | Path | None) -> ModelEntry:
    """A model by name (shipped or user), by path to a model file, or the default one for None."""
    if name_or_path is None or str(name_or_path) == "":
        return default_model()
    text = str(name_or_path)
    for entry in list_models():
        if entry.name == text:
            return entry
    path = Path(text).expanduser()
    if path.exists():
        if not path.is_file():
            raise ModelLoadError(f"{path} is not a model file (a .safetensors file was expected).")
        return ModelEntry(path.stem, path, "file", read_card(path))
    names = ", ".join(e.name for e in list_models()) or "none"
    raise ModelLoadError(f"No model named {text!r} and no such file. Available models: {names}.")


def load(entry: ModelEntry, device="cpu"):
    """(model, card) for a catalog entry; only safetensors files are ever read."""
    from colorstudio.core.checkpoint import load_model

    return load_model(entry.path, device=device)
