"""Models dialog: the shipped models (read-only) and the user's own, which can be renamed, deleted,
imported and exported (by ``core.model_files``, as ``colorstudio models`` does). The selected model's card
is shown readable (``gui.model_card``). ``renamed(old, new)`` and ``deleted(name)`` tell the window which
model changed, before ``changed`` (so it can keep its Model box on a renamed model)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from colorstudio import paths
from colorstudio.core import catalog, model_files
from colorstudio.core.errors import ColorStudioError
from colorstudio.gui.model_card import ModelCardView
from colorstudio.gui.window_state import last_folder, remember_folder


class ModelsDialog(QDialog):
    changed = Signal()
    renamed = Signal(str, str)  # old name, the name it got; emitted before ``changed``
    deleted = Signal(str)  # the name of the deleted model; emitted before ``changed``

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(880, 560)
        self.setSizeGripEnabled(True)
        self.list = QListWidget()
        self.card = ModelCardView()
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
        self.note = QLabel()  # what the last action did ("Exported … to …")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.note)
        layout.addWidget(close)
        self.list.currentRowChanged.connect(self._show)
        self.b_rename.clicked.connect(self._rename)
        self.b_delete.clicked.connect(self._delete)
        self.b_import.clicked.connect(self._import)
        self.b_export.clicked.connect(self._export)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        """List the models again; select the one named ``select`` (else the first)."""
        self.entries = catalog.list_models()
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(f"{entry.name}  ({'shipped' if entry.source == 'shipped' else 'yours'})")
            item.setData(Qt.ItemDataRole.UserRole, entry.name)
            self.list.addItem(item)
        if self.entries:
            names = [e.name for e in self.entries]
            self.list.setCurrentRow(names.index(select) if select in names else 0)

    def current(self) -> catalog.ModelEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _show(self, row: int) -> None:
        entry = self.current()
        self.card.show_card(entry)
        mine = entry is not None and entry.source == "user"
        self.b_rename.setEnabled(mine)
        self.b_delete.setEnabled(mine)

    def _run(self, action, done=None, select: str | None = None):
        """Run ``action``; on success list the models again, call ``done(result)``, emit ``changed``."""
        try:
            result = action()
        except (ColorStudioError, OSError) as exc:
            QMessageBox.warning(self, "Models", str(exc))
            return None
        self.refresh(select(result) if select else None)
        if done is not None:
            done(result)
        self.changed.emit()
        return result

    def _ask_name(self, entry: catalog.ModelEntry) -> str | None:
        """The new name the user typed for ``entry`` (None when cancelled), in a dialog wide enough for
        its title and label."""
        ask = QInputDialog(self)
        ask.setWindowTitle("Rename model")
        ask.setLabelText(f"New name for {entry.name}:")
        ask.setTextValue(entry.name)
        width = ask.fontMetrics().horizontalAdvance(f"New name for {entry.name}:") + 80
        ask.resize(max(440, min(width, 900)), ask.sizeHint().height())
        return ask.textValue() if ask.exec() == QDialog.DialogCode.Accepted else None

    def _rename(self) -> None:
        entry = self.current()
        name = self._ask_name(entry) if entry is not None else None
        if name is None or name.strip() == entry.name:
            return
        final = self._run(lambda: model_files.rename_model(entry, name), select=lambda new: new,
                          done=lambda new: self.renamed.emit(entry.name, new))
        if final is not None and final != name.strip():
            unsafe = " ".join(sorted(model_files.UNSAFE_CHARACTERS))
            QMessageBox.information(self, "Models", f"The model is now called \u201c{final}\u201d: a file name "
                                                    f"cannot hold {unsafe}, nor begin or end with a dot.")

    def _delete(self) -> None:
        entry = self.current()
        if QMessageBox.question(self, "Delete model", f"Delete {entry.name}? This cannot be undone.") == \
                QMessageBox.StandardButton.Yes:
            self._run(lambda: model_files.delete_model(entry), done=lambda _: self.deleted.emit(entry.name))

    def _import(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "Import a model", last_folder("models"),
                                              "Models (*.safetensors)")
        if file:
            remember_folder("models", file)
            self._run(lambda: model_files.import_model(file), select=lambda path: path.stem)

    def _export(self) -> None:
        entry = self.current()
        if entry is None:
            return
        file, _ = QFileDialog.getSaveFileName(self, "Export model", str(Path(last_folder("models")) /
                                                                        entry.path.name), "Models (*.safetensors)")
        if file:
            remember_folder("models", file)
            self._run(lambda: model_files.export_model(entry, file, overwrite=True),  # the dialog asked
                      done=lambda _: self.note.setText(f"Exported {entry.name} to {file}."),
                      select=lambda _: entry.name)
