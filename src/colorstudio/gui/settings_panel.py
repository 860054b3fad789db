"""The settings panel: model, quality/speed options, device and where outputs go.

It builds the same ``JobSettings`` as ``colorstudio colorize`` (``job_settings()``), from the defaults,
presets and choices core defines, and validates them with core's rules as the user changes them: the
message stands beside the control at fault and the window cannot start a batch until it is fixed.
``values()``/``set_values()`` are the plain form kept in the preferences file. The options, their
controls and how each maps into ``JobSettings`` are one table, ``settings_fields.FIELDS``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.options import LOSSY_FORMATS, JobSettings, OptionError
from colorstudio.core.restoration import PRESETS
from colorstudio.gui import settings_fields
from colorstudio.gui.settings_fields import (
    DEFAULTS,
    FIELDS,
    RESTORE,
    WINDOW,
    changed_signal,
    set_value,
    value_at,
    value_of,
)

BATCH_NOTE = ("A batch is running with the settings it was started with: changes apply to the next batch "
              "(and to Preview).")


class SettingsPanel(QWidget):
    """One row per field of ``FIELDS``, each control the panel's attribute of the field's key
    (``panel.render_size``), with the message of the option at fault under its row."""

    modelChanged = Signal()  # a field that reloads the engine (model, device, engine, precision) changed
    changed = Signal()
    validityChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.batch_note = QLabel(BATCH_NOTE)
        self.batch_note.setWordWrap(True)
        self.batch_note.setStyleSheet("color: #b58900;")
        self.batch_note.hide()
        form.addRow(self.batch_note)
        self.errors: dict[str, QLabel] = {}
        self.controls: dict[str, QWidget] = {}  # the kept fields' controls, by their keys (as DEFAULTS)
        for field in FIELDS:
            control = field.make()
            if field.tip:
                control.setToolTip(field.tip)
            setattr(self, field.key, control)
            if field.path:
                self.controls[field.key] = control
            form.addRow(field.label, self._beside(field.beside, control, field.label))
            if field.error:  # the message for this option, under its control (hidden while it is valid)
                self.errors[field.error] = error = QLabel()
                error.setWordWrap(True)
                error.setStyleSheet("color: #d9534f;")
                error.hide()
                form.addRow("", error)
        self.error: OptionError | None = None
        self.restore_preset.currentIndexChanged.connect(self._apply_preset)
        for field in RESTORE:
            changed_signal(self.controls[field.key]).connect(self._show_preset)
        self.refresh_models()
        self.set_values(DEFAULTS)
        self.format.currentIndexChanged.connect(self._show_quality)
        for field in FIELDS:
            if field.reloads:
                changed_signal(self.controls[field.key]).connect(self.modelChanged)
        self.engine.currentIndexChanged.connect(self._enable_fast)
        self._enable_fast()
        for control in self.controls.values():
            changed_signal(control).connect(self.changed)
        self.changed.connect(self.validate)
        for field in WINDOW:  # the window's own: checked, not an option of the batch's JobSettings
            changed_signal(getattr(self, field.key)).connect(self.validate)
        self.validate()

    def _beside(self, beside: str, control: QWidget, label: str = "") -> QWidget | QHBoxLayout:
        """The control, or a row of it and what stands beside it."""
        if not beside:
            return control
        row = QHBoxLayout()
        row.addWidget(control, 1)
        if beside == "percent":
            label = QLabel(f"{control.value()}%")
            control.valueChanged.connect(lambda value: label.setText(f"{value}%"))
            row.addWidget(label)
        elif beside == "folder":
            control.textChanged.connect(lambda text: self._show_folder(control, text))
            browse = QPushButton("Choose…")
            browse.clicked.connect(lambda: self._browse(control, label))
            row.addWidget(browse)
        else:
            raise ValueError(f"unknown {beside=}")
        return row

    # -- the settings as core's objects ------------------------------------------------------------
    def job_settings(self) -> JobSettings:
        """The settings as the command line would build them (not validated: see ``validate``)."""
        return settings_fields.job_settings(self.values())

    def validate(self) -> bool:
        """Check the settings with core's rules; show the message beside the control at fault."""
        try:
            if not self.output_folder.text().strip():
                raise OptionError("folder", "choose an output folder")
            folder = Path(self.reference_folder.text().strip()).expanduser()
            if self.reference_folder_on.isChecked() and not (self.reference_folder.text().strip() and folder.is_dir()):
                raise OptionError("reference_folder", "choose the folder of your colour photos"
                                  if not self.reference_folder.text().strip() else f"{folder} is not a folder")
            self.job_settings().validate()
            error = None
        except OptionError as exc:
            error = exc
        except ColorStudioError as exc:  # not tied to one control
            error = OptionError("folder", str(exc))
        was_valid = self.error is None
        self.error = error
        for option, label in self.errors.items():
            label.setText(_sentence(str(error)) if error is not None and error.option == option else "")
            label.setVisible(error is not None and error.option == option)
        if was_valid != (error is None):
            self.validityChanged.emit(error is None)
        return error is None

    def checked_settings(self) -> JobSettings:
        """The settings, validated; raises the ``OptionError`` shown beside its control."""
        if not self.validate():
            raise self.error
        return self.job_settings()

    def reference_folder_path(self) -> Path | None:
        """The folder of colour photos a batch takes its references from, or None (off, or not a folder)."""
        folder = Path(self.reference_folder.text().strip()).expanduser()
        on = self.reference_folder_on.isChecked() and self.reference_folder.text().strip()
        return folder if on and folder.is_dir() else None

    def set_batch_running(self, running: bool) -> None:
        """Say, while a batch runs, that changes apply to the next one."""
        self.batch_note.setVisible(running)

    # -- presets, formats, engines, models -----------------------------------------------------------
    def _apply_preset(self) -> None:
        preset = PRESETS.get(self.restore_preset.currentData() or "")
        if preset is not None:
            for field in RESTORE:
                set_value(self.controls[field.key], field.from_core(value_at(preset, field.path[2:])))

    def _show_preset(self) -> None:
        current = self.job_settings().options.restore
        name = next((n for n, preset in PRESETS.items() if preset == current), "")
        self.restore_preset.blockSignals(True)
        self.restore_preset.setCurrentIndex(self.restore_preset.findData(name))
        self.restore_preset.blockSignals(False)

    def _show_quality(self) -> None:
        fmt = self.format.currentData()
        self.quality.setEnabled(not fmt or fmt in LOSSY_FORMATS)  # "same as the photo" may be a JPEG

    def _enable_fast(self) -> None:
        self.fast.setEnabled(self.engine.currentData() != "torch")  # OpenVINO's choice only

    def refresh_models(self) -> None:
        current = self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        for entry in catalog.list_models():
            label = entry.title + (" (yours)" if entry.source == "user" else "")
            self.model.addItem(label, entry.name)
            self.model.setItemData(self.model.count() - 1, str(entry.card.get("summary", entry.path)),
                                   Qt.ItemDataRole.ToolTipRole)
        if current:
            set_value(self.model, current)
        self.model.blockSignals(False)

    def _browse(self, field: QLineEdit, label: str = "Output folder") -> None:
        folder = QFileDialog.getExistingDirectory(self, label or "Output folder", field.text())
        if folder:
            field.setText(folder)
            if field is self.reference_folder:
                self.reference_folder_on.setChecked(True)  # a folder chosen is a folder to use

    def _show_folder(self, field: QLineEdit, text: str) -> None:
        """The whole path in the tooltip; the field shows its beginning unless the user is typing in it."""
        if field is self.reference_folder:
            field.setToolTip(f"Each photo takes its colours from the colour photos of {text} that match it"
                             if text else "Choose the folder of your colour photos")
        else:
            field.setToolTip(f"Colorized photos are written to {text}" if text else "Choose an output folder")
        if not field.hasFocus():
            field.setCursorPosition(0)

    # -- the plain form kept in the preferences --------------------------------------------------------
    def values(self) -> dict:
        return {key: value_of(control) for key, control in self.controls.items()}

    def window_values(self) -> dict:
        """The window's own settings (``settings_fields.WINDOW``), kept beside ``values``."""
        return {field.key: value_of(getattr(self, field.key)) for field in WINDOW}

    def set_window_values(self, values: dict) -> None:
        for field in WINDOW:
            value = values.get(field.key)
            set_value(getattr(self, field.key), field.default if value is None else value)
        self.validate()

    def set_values(self, values: dict) -> None:
        """Set the controls from the preferences (missing keys: the defaults)."""
        for key, control in self.controls.items():
            value = values.get(key)
            set_value(control, DEFAULTS[key] if value is None else value)
        self._show_preset()
        self._show_quality()
        # (the same text again moves the cursor to its end)
        self._show_folder(self.output_folder, self.output_folder.text())
        self.validate()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
