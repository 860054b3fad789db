"""Models dialog: rename, delete, import (safetensors only), export."""

from __future__ import annotations

import pytest

from colorstudio import paths
from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.model_files import delete_model, import_model, rename_model
from colorstudio.gui.models_dialog import ModelsDialog


def user_names() -> list[str]:
    return [e.name for e in catalog.list_models() if e.source == "user"]


def test_rename_import_export_delete(qtbot, tiny_model, tmp_path, monkeypatch):
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    changes = []
    dialog.changed.connect(lambda: changes.append(1))
    entry = catalog.resolve_model("tiny")
    assert rename_model(entry, "Grandma's album") == "Grandma's album"  # the user's name, as typed
    assert user_names() == ["Grandma's album"]
    with pytest.raises(ColorStudioError):
        rename_model(catalog.resolve_model("Grandma's album"), "   ")
    exported = tmp_path / "shared.safetensors"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(exported), ""))
    dialog.refresh()
    dialog.list.setCurrentRow([e.name for e in dialog.entries].index("Grandma's album"))
    dialog._export()
    assert exported.read_bytes() == (paths.user_models_dir() / "Grandma's album.safetensors").read_bytes()
    imported = import_model(exported)
    assert imported.stem == "shared" and sorted(user_names()) == ["Grandma's album", "shared"]
    with pytest.raises(ColorStudioError, match="already"):
        import_model(exported)
    delete_model(catalog.resolve_model("shared"))
    assert user_names() == ["Grandma's album"]
    assert not (paths.user_models_dir() / "shared.json").exists()


def test_import_refuses_a_pickle_without_unpickling_it(tmp_path, evil_pickle):
    evil, marker = evil_pickle
    with pytest.raises(ColorStudioError):
        import_model(evil)
    assert not marker.exists()
    assert not (paths.user_models_dir() / "evil.safetensors").exists()


def test_shipped_models_cannot_be_renamed_or_deleted(tmp_path):
    entry = catalog.ModelEntry("shipped-one", tmp_path / "x.safetensors", "shipped")
    with pytest.raises(ColorStudioError):
        rename_model(entry, "other")
    with pytest.raises(ColorStudioError):
        delete_model(entry)
