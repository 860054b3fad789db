"""The settings panel: model, quality/speed options, device and where outputs go.

It builds the same ``JobSettings`` as ``colorstudio colorize`` (``job_settings()``), from the defaults,
presets and choices core defines, and validates them with core's rules as the user changes them: the
message stands beside the control at fault and the window cannot start a batch until it is fixed.
``values()``/``set_values()`` are the plain form kept in the preferences file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from colorstudio import paths
from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.options import (
    DEVICES,
    ENGINES,
    FORMAT_NAMES,
    LOSSY_FORMATS,
    ColorizeOptions,
    JobSettings,
    OptionError,
    OutputSettings,
)
from colorstudio.core.restoration import PRESETS, RestoreOptions

_OPTIONS = ColorizeOptions()
_OUTPUT = OutputSettings(paths.default_output_dir())
DEFAULTS = {"model": "", "render_size": _OPTIONS.render_size, "tile_size": _OPTIONS.tile_size,
            "overlap": _OPTIONS.overlap, "strength": round(_OPTIONS.strength * 100), "device": _OPTIONS.device,
            "engine": _OPTIONS.engine, "fast": _OPTIONS.precision == "fast",
            "output_folder": str(_OUTPUT.folder), "format": _OUTPUT.format or "", "quality": _OUTPUT.quality,
            "overwrite": _OUTPUT.overwrite, "tint": _OPTIONS.restore.tint, "dust": round(_OPTIONS.restore.dust * 100),
            "denoise": round(_OPTIONS.restore.denoise * 100), "contrast": round(_OPTIONS.restore.contrast * 100)}
BATCH_NOTE = ("A batch is running with the settings it was started with: changes apply to the next batch "
              "(and to Preview).")


def _spin(low: int, high: int, step: int, suffix: str, tip: str, special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    if special:
        box.setSpecialValueText(special)
    return box


class SettingsPanel(QWidget):
    modelChanged = Signal()  # model or device: the engine reloads
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
        self.model = QComboBox()
        self.model.setToolTip("The network that predicts the colours. Your own models appear here too.")
        self.render_size = _spin(0, 8192, 128, " px", "Longest side at which the network sees the photo. Colour "
                                 "is predicted there and joined with the full-resolution detail.", "Full size")
        self.tile_size = _spin(128, 2048, 64, " px", "Size of the tiles large photos are processed in.")
        self.overlap = _spin(0, 512, 16, " px", "Overlap between tiles, blended so no seam shows.")
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 200)
        self.strength.setToolTip("Colour strength: 0% gray, 100% as predicted, 200% twice as vivid.")
        self.strength_label = QLabel()
        self.device = QComboBox()
        for value, text in DEVICES.items():
            self.device.addItem(text, value)
        self.engine = QComboBox()
        for value, text in ENGINES.items():
            self.engine.addItem(text, value)
        self.engine.setToolTip("What runs the network. OpenVINO is about twice as fast as PyTorch on a CPU, "
                               "with the same colours; on an NVIDIA or Apple GPU PyTorch runs it.")
        self.fast = QCheckBox("Faster, slightly different colours")
        self.fast.setToolTip("OpenVINO on the CPU in bfloat16 where the CPU has it: its network about 1.7 times as fast again; "
                             "colours differ a little from float32 (see the README for how much).")
        self.output_folder = QLineEdit()
        self.output_folder.textChanged.connect(self._show_folder)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.output_folder, 1)
        folder_row.addWidget(browse)
        self.format = QComboBox()
        for value, text in FORMAT_NAMES.items():
            self.format.addItem(text, value or "")
        self.quality = _spin(1, 100, 1, "", "JPEG/WebP quality.")
        self.restore_preset = QComboBox()
        for name in PRESETS:
            self.restore_preset.addItem(name.capitalize(), name)
        self.restore_preset.addItem("Custom", "")
        self.restore_preset.setToolTip("Clean up the photo before colorizing: one click for a clean scan or a "
                                       "damaged print, or set each step below.")
        self.tint = QCheckBox("Remove a sepia or yellow cast")
        self.dust = self._percent_slider("Dust, hair and scratch removal (only for visibly damaged prints)")
        self.denoise = self._percent_slider("Grain and noise reduction, keeping edges")
        self.contrast = self._percent_slider("Repair faded contrast")
        self.overwrite = QCheckBox("Replace existing outputs")
        self.overwrite.setToolTip("Off: photos whose output already exists are skipped (a batch can resume).")
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength, 1)
        strength_row.addWidget(self.strength_label)
        self.errors: dict[str, QLabel] = {}
        rows = [("Model", self.model, None), ("Render size", self.render_size, "render_size"),
                ("Tile size", self.tile_size, "tile_size"), ("Tile overlap", self.overlap, "overlap"),
                ("Colour strength", strength_row, "strength"), ("Device", self.device, "device"),
                ("Engine", self.engine, "engine"), ("", self.fast, None),
                ("Output folder", folder_row, "folder"), ("Format", self.format, "format"),
                ("Quality", self.quality, "quality"), ("", self.overwrite, None),
                ("Restoration", self.restore_preset, None), ("", self.tint, None),
                ("Dust and scratches", self.dust, None), ("Denoise", self.denoise, None),
                ("Contrast", self.contrast, "restore")]
        for label, control, option in rows:
            form.addRow(label, control)
            if option:  # the message for this option, beside its control (hidden while it is valid)
                self.errors[option] = error = QLabel()
                error.setWordWrap(True)
                error.setStyleSheet("color: #d9534f;")
                error.hide()
                form.addRow("", error)
        self.error: OptionError | None = None
        # what the preferences keep, by the keys of DEFAULTS
        self.controls = {"model": self.model, "render_size": self.render_size, "tile_size": self.tile_size,
                         "overlap": self.overlap, "strength": self.strength, "device": self.device,
                         "engine": self.engine, "fast": self.fast, "output_folder": self.output_folder,
                         "format": self.format, "quality": self.quality, "overwrite": self.overwrite, "tint": self.tint, "dust": self.dust,
                         "denoise": self.denoise, "contrast": self.contrast}
        self.restore_preset.currentIndexChanged.connect(self._apply_preset)
        for control in (self.tint, self.dust, self.denoise, self.contrast):
            _changed_signal(control).connect(self._show_preset)
        self.refresh_models()
        self.set_values(DEFAULTS)
        self.strength.valueChanged.connect(lambda v: self.strength_label.setText(f"{v}%"))
        self.format.currentIndexChanged.connect(self._show_quality)
        self.model.currentIndexChanged.connect(self.modelChanged)
        self.device.currentIndexChanged.connect(self.modelChanged)
        self.engine.currentIndexChanged.connect(self.modelChanged)
        self.engine.currentIndexChanged.connect(
            lambda: self.fast.setEnabled(self.engine.currentData() != "torch"))  # OpenVINO's choice only
        self.fast.setEnabled(self.engine.currentData() != "torch")
        self.fast.toggled.connect(self.modelChanged)
        for control in self.controls.values():
            _changed_signal(control).connect(self.changed)
        self.changed.connect(self.validate)
        self.validate()

    @staticmethod
    def _percent_slider(tip: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, 100)
        slider.setToolTip(tip)
        return slider

    # -- the settings as core's objects ------------------------------------------------------------
    def restore_options(self) -> RestoreOptions:
        return RestoreOptions(tint=self.tint.isChecked(), dust=self.dust.value() / 100,
                              denoise=self.denoise.value() / 100, contrast=self.contrast.value() / 100)

    def job_settings(self) -> JobSettings:
        """The settings as the command line would build them (not validated: see ``validate``)."""
        options = ColorizeOptions(render_size=self.render_size.value(), tile_size=self.tile_size.value(),
                                  overlap=self.overlap.value(), strength=self.strength.value() / 100,
                                  device=self.device.currentData(), restore=self.restore_options(),
                                  engine=self.engine.currentData(),
                                  precision="fast" if self.fast.isChecked() else "float32")
        output = OutputSettings(folder=Path(self.output_folder.text().strip()).expanduser(),
                                format=self.format.currentData() or None, quality=self.quality.value(),
                                overwrite=self.overwrite.isChecked())
        return JobSettings(model=self.model.currentData() or "", options=options, output=output)

    def validate(self) -> bool:
        """Check the settings with core's rules; show the message beside the control at fault."""
        try:
            if not self.output_folder.text().strip():
                raise OptionError("folder", "choose an output folder")
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

    def set_batch_running(self, running: bool) -> None:
        """Say, while a batch runs, that changes apply to the next one."""
        self.batch_note.setVisible(running)

    # -- presets, formats, models ------------------------------------------------------------------
    def _apply_preset(self) -> None:
        preset = PRESETS.get(self.restore_preset.currentData() or "")
        if preset is not None:
            self.tint.setChecked(preset.tint)
            self.dust.setValue(round(preset.dust * 100))
            self.denoise.setValue(round(preset.denoise * 100))
            self.contrast.setValue(round(preset.contrast * 100))

    def _show_preset(self) -> None:
        current = self.restore_options()
        name = next((n for n, preset in PRESETS.items() if preset == current), "")
        self.restore_preset.blockSignals(True)
        self.restore_preset.setCurrentIndex(self.restore_preset.findData(name))
        self.restore_preset.blockSignals(False)

    def _show_quality(self) -> None:
        fmt = self.format.currentData()
        self.quality.setEnabled(not fmt or fmt in LOSSY_FORMATS)  # "same as the photo" may be a JPEG

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
            _set_value(self.model, current)
        self.model.blockSignals(False)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Output folder", self.output_folder.text())
        if folder:
            self.output_folder.setText(folder)

    def _show_folder(self, text: str) -> None:
        """The whole path in the tooltip; the field shows its beginning unless the user is typing in it."""
        self.output_folder.setToolTip(f"Colorized photos are written to {text}" if text else "Choose an output folder")
        if not self.output_folder.hasFocus():
            self.output_folder.setCursorPosition(0)

    # -- the plain form kept in the preferences --------------------------------------------------------
    def values(self) -> dict:
        return {key: _value(control) for key, control in self.controls.items()}

    def set_values(self, values: dict) -> None:
        for key, control in self.controls.items():
            value = values.get(key)
            _set_value(control, DEFAULTS[key] if value is None else value)
        self.strength_label.setText(f"{self.strength.value()}%")
        self._show_preset()
        self._show_quality()
        self._show_folder(self.output_folder.text())  # (the same text again moves the cursor to its end)
        self.validate()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _changed_signal(control):
    if isinstance(control, QComboBox):
        return control.currentIndexChanged
    if isinstance(control, QCheckBox):
        return control.toggled
    return control.textChanged if isinstance(control, QLineEdit) else control.valueChanged


def _value(control):
    if isinstance(control, QComboBox):
        return control.currentData() or ""
    if isinstance(control, QCheckBox):
        return control.isChecked()
    return control.text() if isinstance(control, QLineEdit) else control.value()


def _set_value(control, value) -> None:
    """Set a control from a value of the preferences file (where everything is text)."""
    if isinstance(control, QComboBox):
        index = control.findData(value)
        if index >= 0:
            control.setCurrentIndex(index)
    elif isinstance(control, QCheckBox):
        control.setChecked(str(value).lower() in ("true", "1"))
    elif isinstance(control, QLineEdit):
        control.setText(str(value))
    else:
        control.setValue(int(value))
