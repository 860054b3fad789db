"""The user's model files: import, export, rename, delete, and the rule for a model's name.

Shipped models are read-only; only models in the user's models folder can be renamed or deleted. An imported
file is checked from its safetensors header alone (never unpickled) before it is copied in; copies are
written atomically, so an interrupted import or export leaves no half file.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from colorstudio import paths
from colorstudio.core import catalog
from colorstudio.core.catalog import MODEL_SUFFIX, ModelEntry
from colorstudio.core.errors import ColorStudioError

# Characters no file name may hold on Windows, macOS or Linux; everything else (spaces, accents,
# apostrophes) is kept, so a model is called what its user called it.
UNSAFE_CHARACTERS = set('<>:"/\\|?*')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_LENGTH = 120


def model_name(text: str) -> str:
    """``text`` as a model name: characters that cannot be in a file name dropped, nothing else changed.

    Raises ColorStudioError when no usable name is left.
    """
    name = "".join(c for c in text if c not in UNSAFE_CHARACTERS and c.isprintable())
    name = name.strip().strip(".").strip()  # Windows drops trailing dots; a leading dot hides the file
    if not any(c.isalnum() for c in name):
        raise ColorStudioError("Give the model a name with letters or digits.")
    if name.upper() in _RESERVED:
        raise ColorStudioError(f"{name} cannot be a file name on Windows; choose another name.")
    if len(name) > MAX_NAME_LENGTH:
        raise ColorStudioError(f"The name is too long (at most {MAX_NAME_LENGTH} characters).")
    return name


def new_model_path(text: str, current: Path | None = None) -> Path:
    """Where a model named ``text`` goes in the user's folder; raises if the name is unusable or taken
    (by a shipped model or one of the user's, other than ``current``)."""
    name = model_name(text)
    target = paths.user_models_dir() / f"{name}{MODEL_SUFFIX}"
    same_file = current is not None and target.exists() and os.path.samefile(target, current)
    if not same_file and (target.exists() or any(e.name == name and e.path != current
                                                 for e in catalog.list_models())):
        raise ColorStudioError(f"A model named {name} already exists; choose another name.")
    return target


def _entry(model: ModelEntry | str) -> ModelEntry:
    return model if isinstance(model, ModelEntry) else catalog.resolve_model(model)


def _own(model: ModelEntry | str, done: str) -> ModelEntry:
    entry = _entry(model)
    if entry.source == "shipped":
        raise ColorStudioError(f"Shipped models cannot be {done}.")
    if entry.source != "user":
        raise ColorStudioError(f"{entry.path} is not in your models folder ({paths.user_models_dir()}); "
                               f"only your own models can be {done}.")
    return entry


def _copy(source: Path, target: Path) -> None:
    from colorstudio.core.imageio.writer import atomic_write

    with open(source, "rb") as data:
        atomic_write(target, lambda out: shutil.copyfileobj(data, out), what="model")


def import_model(source: Path | str) -> Path:
    """Copy a colorstudio safetensors model into the user's models folder (named after the file)."""
    from colorstudio.core.checkpoint import read_model_header

    source = Path(source).expanduser()
    header = read_model_header(source)  # raises ModelLoadError for anything else (never unpickles)
    try:
        name = model_name(source.stem)
    except ColorStudioError:
        name = "imported"
    target = new_model_path(name)
    _copy(source, target)
    # the card that travels beside the file (an export writes it) is newer than the one inside the header
    card = {**catalog.read_card(source), "architecture": header.get("arch")}
    _write_card(target, card)
    return target


def _write_card(model: Path, card: dict) -> None:
    from colorstudio.core.imageio.writer import atomic_write

    data = json.dumps(card, indent=2, ensure_ascii=False).encode("utf-8")
    atomic_write(model.with_suffix(".json"), lambda out: out.write(data), what="model card")


def export_model(model: ModelEntry | str, target: Path | str, overwrite: bool = False) -> Path:
    """Copy a model file to ``target`` (a file, or a folder to put it in); returns the file written."""
    entry = _entry(model)
    target = Path(target).expanduser()
    if target.is_dir():
        target = target / entry.path.name
    elif not target.name.endswith(MODEL_SUFFIX):
        target = target.with_name(target.name + MODEL_SUFFIX)
    if target.exists():
        if os.path.samefile(target, entry.path):
            raise ColorStudioError(f"{target} is the model file itself.")
        if not overwrite:
            raise ColorStudioError(f"{target} already exists; choose another file or delete it first.")
    _copy(entry.path, target)
    _write_card(target, entry.card)  # the card as the window shows it travels with the file
    return target


def _rename_card(card: Path, target: Path) -> None:
    """Move a model's card beside its renamed file; a card that names the model gets the new name."""
    try:
        content = json.loads(card.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        content = None
    if isinstance(content, dict) and "name" in content:
        content["name"] = target.stem
        card.write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
    card.rename(target.with_suffix(".json"))


def rename_model(model: ModelEntry | str, new_name: str) -> str:
    """Rename one of the user's models (and its card); returns the name it got (see ``model_name``: spaces,
    accents and apostrophes are kept, only characters no file name may hold are dropped)."""
    entry = _own(model, "renamed")
    target = new_model_path(new_name, current=entry.path)
    entry.path.rename(target)
    card = entry.path.with_suffix(".json")
    if card.exists():
        _rename_card(card, target)
    return target.stem


def delete_model(model: ModelEntry | str) -> None:
    """Delete one of the user's models and its card."""
    entry = _own(model, "deleted")
    entry.path.unlink()
    entry.path.with_suffix(".json").unlink(missing_ok=True)
