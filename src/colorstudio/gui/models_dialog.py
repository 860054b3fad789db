"""Models dialog: the shipped models (read-only) and the user's own, which can be renamed, deleted,
imported (safetensors model files only, checked before copying) and exported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout)

from colorstudio import paths
from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError


def _safe_name(text: str) -> str:
    return "".join(c for c in text.strip() if c.isalnum() or c in "-_ ").strip().replace(" ", "-")


def import_model(source: Path) -> Path:
    """Copy a model file into the user's models folder after checking it is a colorstudio safetensors model."""
    from colorstudio.core.checkpoint import read_model_header

    header = read_model_header(source)  # raises ModelLoadError for anything else (never unpickles)
    target = paths.user_models_dir() / f"{_safe_name(source.stem) or 'imported'}.safetensors"
    if target.exists():
        raise ColorStudioError(f"You already have a model named {target.stem}; rename it first.")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    card = header.get("card") or {}
    target.with_suffix(".json").write_text(json.dumps({**card, "architecture": header.get("arch")}, indent=2))
    return target


def rename_model(entry: catalog.ModelEntry, new_name: str) -> Path:
    name = _safe_name(new_name)
    if entry.source != "user":
        raise ColorStudioError("Shipped models cannot be renamed.")
    if not name:
        raise ColorStudioError("The name needs letters or digits.")
    target = entry.path.with_name(f"{name}.safetensors")
    if target.exists():
        raise ColorStudioError(f"A model named {name} already exists.")
    entry.path.rename(target)
    card = entry.path.with_suffix(".json")
    if card.exists():
        card.rename(target.with_suffix(".json"))
    return target


def delete_model(entry: catalog.ModelEntry) -> None:
    if entry.source != "user":
        raise ColorStudioError("Shipped models cannot be deleted.")
    entry.path.unlink()
    entry.path.with_suffix(".json").unlink(missing_ok=True)


class ModelsDialog(QDialog):
    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(720, 460)
        self.list = QListWidget()
        self.card = QPlainTextEdit()
        self.card.setReadOnly(True)
        buttons = QVBoxLayout()
        self.b_rename, self.b_delete = QPushButton("Rename…"), QPushButton("Delete")
        self.b_import, self.b_export = QPushButton("Import…"), QPushButton("Export…")
        for b in (self.b_import, self.b_export, self.b_rename, self.b_delete):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 2)
        row.addWidget(self.card, 3)
        row.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Your own models are kept in {paths.user_models_dir()}"))
        layout.addLayout(row)
        layout.addWidget(close)
        self.list.currentRowChanged.connect(self._show)
        self.b_rename.clicked.connect(self._rename)
        self.b_delete.clicked.connect(self._delete)
        self.b_import.clicked.connect(self._import)
        self.b_export.clicked.connect(self._export)
        self.refresh()

    def refresh(self) -> None:
        self.entries = catalog.list_models()
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(f"{entry.name}  ({'shipped' if entry.source == 'shipped' else 'yours'})")
            item.setData(Qt.ItemDataRole.UserRole, entry.name)
            self.list.addItem(item)
        if self.entries:
            self.list.setCurrentRow(0)

    def current(self) -> catalog.ModelEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _show(self, row: int) -> None:
        entry = self.current()
        self.card.setPlainText(json.dumps(entry.card, indent=2) if entry else "")
        mine = entry is not None and entry.source == "user"
        self.b_rename.setEnabled(mine)
        self.b_delete.setEnabled(mine)

    def _run(self, action) -> None:
        try:
            action()
        except (ColorStudioError, OSError) as exc:
            QMessageBox.warning(self, "Models", str(exc))
            return
        self.refresh()
        self.changed.emit()

    def _rename(self) -> None:
        entry = self.current()
        name, ok = QInputDialog.getText(self, "Rename model", "New name", text=entry.name)
        if ok:
            self._run(lambda: rename_model(entry, name))

    def _delete(self) -> None:
        entry = self.current()
        if QMessageBox.question(self, "Delete model", f"Delete {entry.name}? This cannot be undone.") == \
                QMessageBox.StandardButton.Yes:
            self._run(lambda: delete_model(entry))

    def _import(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "Import a model", str(Path.home()), "Models (*.safetensors)")
        if file:
            self._run(lambda: import_model(Path(file)))

    def _export(self) -> None:
        entry = self.current()
        if entry is None:
            return
        file, _ = QFileDialog.getSaveFileName(self, "Export model", str(Path.home() / entry.path.name),
                                              "Models (*.safetensors)")
        if file:
            self._run(lambda: shutil.copyfile(entry.path, file))
