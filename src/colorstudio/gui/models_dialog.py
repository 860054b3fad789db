"""Models dialog: the shipped models (read-only) and the user's own, which can be renamed, deleted,
imported and exported (by ``core.model_files``, as ``colorstudio models`` does)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout)

from colorstudio import paths
from colorstudio.core import catalog, model_files
from colorstudio.core.errors import ColorStudioError


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

    def _run(self, action):
        try:
            result = action()
        except (ColorStudioError, OSError) as exc:
            QMessageBox.warning(self, "Models", str(exc))
            return None
        self.refresh()
        self.changed.emit()
        return result

    def _rename(self) -> None:
        entry = self.current()
        name, ok = QInputDialog.getText(self, "Rename model", "New name", text=entry.name)
        final = self._run(lambda: model_files.rename_model(entry, name)) if ok else None
        if final is not None and final != name.strip():
            QMessageBox.information(self, "Models", f"Renamed to {final}: a file name cannot hold some of "
                                                    "the characters you typed.")

    def _delete(self) -> None:
        entry = self.current()
        if QMessageBox.question(self, "Delete model", f"Delete {entry.name}? This cannot be undone.") == \
                QMessageBox.StandardButton.Yes:
            self._run(lambda: model_files.delete_model(entry))

    def _import(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "Import a model", str(Path.home()), "Models (*.safetensors)")
        if file:
            self._run(lambda: model_files.import_model(file))

    def _export(self) -> None:
        entry = self.current()
        if entry is None:
            return
        file, _ = QFileDialog.getSaveFileName(self, "Export model", str(Path.home() / entry.path.name),
                                              "Models (*.safetensors)")
        if file:
            self._run(lambda: model_files.export_model(entry, file, overwrite=True))  # the dialog asked
