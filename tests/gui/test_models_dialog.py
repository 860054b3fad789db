"""Models dialog: rename, delete, import (safetensors only), export; what it tells the window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from colorstudio import paths
from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.model_files import delete_model, import_model, rename_model
from colorstudio.gui.models_dialog import ModelsDialog
from colorstudio.gui.window_state import last_folder, remember_folder


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


@pytest.fixture
def dialog_on_tiny(qtbot, tiny_model, monkeypatch):
    """The models dialog with the user's model 'tiny' selected; (dialog, what it emitted, messages shown)."""
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow([e.name for e in dialog.entries].index("tiny"))
    emitted, messages = [], []
    dialog.changed.connect(lambda: emitted.append(("changed",)))
    for name in ("renamed", "deleted"):
        if hasattr(dialog, name):
            getattr(dialog, name).connect(lambda *args, name=name: emitted.append((name, *args)))
    for kind in ("information", "warning"):
        monkeypatch.setattr(f"PySide6.QtWidgets.QMessageBox.{kind}",
                            lambda parent, title, text, *a, kind=kind: messages.append((kind, text)))
    return dialog, emitted, messages


def type_new_name(monkeypatch, text: str) -> list:
    """Answer the rename dialog with ``text``; returns the (label, width) it was shown with."""
    asked = []

    def answer(ask):
        asked.append((ask.labelText(), ask.width()))
        ask.setTextValue(text)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QInputDialog, "exec", answer)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (text, True))  # the old static dialog
    return asked


def test_rename_keeps_spaces_and_tells_the_window(dialog_on_tiny, monkeypatch):
    dialog, emitted, messages = dialog_on_tiny
    asked = type_new_name(monkeypatch, "Family landscapes")
    dialog._rename()
    assert user_names() == ["Family landscapes"]
    # renamed before changed: the window's Model box still shows the old name when it hears of it
    assert emitted == [("renamed", "tiny", "Family landscapes"), ("changed",)]
    assert messages == []  # nothing to explain
    assert dialog.current().name == "Family landscapes"  # still selected after the rename
    assert asked == [("New name for tiny:", asked[0][1])] and asked[0][1] >= 440  # title and label not cut


def test_rename_says_when_the_name_had_to_change(dialog_on_tiny, monkeypatch):
    dialog, emitted, messages = dialog_on_tiny
    type_new_name(monkeypatch, "Family: landscapes?")
    dialog._rename()
    assert user_names() == ["Family landscapes"]
    assert emitted[0] == ("renamed", "tiny", "Family landscapes")
    assert len(messages) == 1 and messages[0][0] == "information" and "Family landscapes" in messages[0][1]


def test_rename_to_a_taken_name_warns_and_emits_nothing(dialog_on_tiny, monkeypatch):
    dialog, emitted, messages = dialog_on_tiny
    type_new_name(monkeypatch, "colorstudio-unet-v1")
    dialog._rename()
    assert user_names() == ["tiny"] and emitted == []
    assert messages[0][0] == "warning" and "already exists" in messages[0][1]


def test_rename_updates_the_name_in_the_card(tiny_model):
    card = paths.user_models_dir() / "tiny.json"
    card.write_text(json.dumps({"name": "tiny", "title": "Tiny test model"}), encoding="utf-8")
    assert rename_model("tiny", "Family landscapes") == "Family landscapes"
    assert not card.exists()
    assert catalog.resolve_model("Family landscapes").card == {"name": "Family landscapes",
                                                               "title": "Tiny test model"}


def test_delete_tells_the_window(dialog_on_tiny, monkeypatch):
    dialog, emitted, _ = dialog_on_tiny
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog._delete()
    assert user_names() == [] and emitted == [("deleted", "tiny"), ("changed",)]


def test_import_and_export_start_in_the_last_models_folder(dialog_on_tiny, monkeypatch, tmp_path):
    dialog, _, _ = dialog_on_tiny
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    elsewhere.mkdir()
    remember_folder("models", shared)
    started = []

    def choose(answer):
        return lambda parent, caption, folder, *a, **k: (started.append(folder), (str(answer), ""))[1]

    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", choose(elsewhere / "copy.safetensors"))
    dialog._export()
    assert started == [str(shared / "tiny.safetensors")]
    assert last_folder("models") == str(elsewhere)  # where the user chose to save
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName", choose(elsewhere / "copy.safetensors"))
    dialog._import()
    assert started[1] == str(elsewhere) and "copy" in user_names()
    assert dialog.current().name == "copy"  # the imported model is selected
