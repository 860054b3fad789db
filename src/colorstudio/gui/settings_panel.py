"""The settings panel: model, quality/speed options, device and where outputs go."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit,
                               QPushButton, QSlider, QSpinBox, QWidget, QLabel)

from colorstudio.core import catalog

FORMATS = [("Same as the photo", ""), ("PNG", "png"), ("JPEG", "jpeg"), ("TIFF", "tiff"), ("WebP", "webp")]
DEVICES = [("Automatic (GPU if there is one)", "auto"), ("CPU", "cpu"), ("NVIDIA GPU (CUDA)", "cuda"),
           ("Apple GPU (MPS)", "mps")]
DEFAULTS = {"model": "", "render_size": 1024, "tile_size": 512, "overlap": 64, "strength": 100, "device": "auto",
            "output_folder": str(Path.home() / "Pictures" / "colorized"), "format": "", "quality": 95,
            "overwrite": False, "tint": False, "dust": 0, "denoise": 0, "contrast": 0}
PRESETS = {"Off": (False, 0, 0, 0), "Clean scan": (True, 0, 30, 30), "Damaged print": (True, 70, 50, 50)}


def options_from_values(v: dict) -> dict:
    """Fields of ``pipeline.ColorizeOptions`` from the panel's values (plain data: the GUI thread does not
    import torch; the engine thread builds the options)."""
    return {"render_size": int(v["render_size"]), "tile_size": int(v["tile_size"]), "overlap": int(v["overlap"]),
            "strength": int(v["strength"]) / 100.0,
            "restore": {"tint": str(v["tint"]).lower() in ("true", "1"), "dust": int(v["dust"]) / 100.0,
                        "denoise": int(v["denoise"]) / 100.0, "contrast": int(v["contrast"]) / 100.0}}


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
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
        for text, value in DEVICES:
            self.device.addItem(text, value)
        self.output_folder = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.output_folder, 1)
        folder_row.addWidget(browse)
        self.format = QComboBox()
        for text, value in FORMATS:
            self.format.addItem(text, value)
        self.quality = _spin(1, 100, 1, "", "JPEG/WebP quality.")
        self.restore_preset = QComboBox()
        for name in PRESETS:
            self.restore_preset.addItem(name)
        self.restore_preset.addItem("Custom")
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
        form.addRow("Model", self.model)
        form.addRow("Render size", self.render_size)
        form.addRow("Tile size", self.tile_size)
        form.addRow("Tile overlap", self.overlap)
        form.addRow("Colour strength", strength_row)
        form.addRow("Device", self.device)
        form.addRow("Output folder", folder_row)
        form.addRow("Format", self.format)
        form.addRow("Quality", self.quality)
        form.addRow("", self.overwrite)
        form.addRow("Restoration", self.restore_preset)
        form.addRow("", self.tint)
        form.addRow("Dust and scratches", self.dust)
        form.addRow("Denoise", self.denoise)
        form.addRow("Contrast", self.contrast)
        self.restore_preset.currentTextChanged.connect(self._apply_preset)
        for control in (self.tint.toggled, self.dust.valueChanged, self.denoise.valueChanged,
                        self.contrast.valueChanged):
            control.connect(self._show_preset)
        self.refresh_models()
        self.set_values(DEFAULTS)
        self.strength.valueChanged.connect(lambda v: self.strength_label.setText(f"{v}%"))
        self.model.currentIndexChanged.connect(self.modelChanged)
        self.device.currentIndexChanged.connect(self.modelChanged)
        for signal in (self.render_size.valueChanged, self.tile_size.valueChanged, self.overlap.valueChanged,
                       self.strength.valueChanged, self.output_folder.textChanged, self.format.currentIndexChanged,
                       self.quality.valueChanged, self.overwrite.toggled, self.model.currentIndexChanged,
                       self.tint.toggled, self.dust.valueChanged, self.denoise.valueChanged, self.contrast.valueChanged,
                       self.device.currentIndexChanged):
            signal.connect(self.changed)

    @staticmethod
    def _percent_slider(tip: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, 100)
        slider.setToolTip(tip)
        return slider

    def _restoration(self) -> tuple:
        return (self.tint.isChecked(), self.dust.value(), self.denoise.value(), self.contrast.value())

    def _apply_preset(self, name: str) -> None:
        if name in PRESETS:
            tint, dust, denoise, contrast = PRESETS[name]
            self.tint.setChecked(tint)
            self.dust.setValue(dust)
            self.denoise.setValue(denoise)
            self.contrast.setValue(contrast)

    def _show_preset(self) -> None:
        name = next((n for n, values in PRESETS.items() if values == self._restoration()), "Custom")
        self.restore_preset.blockSignals(True)
        self.restore_preset.setCurrentText(name)
        self.restore_preset.blockSignals(False)

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
            self._select(self.model, current)
        self.model.blockSignals(False)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Output folder", self.output_folder.text())
        if folder:
            self.output_folder.setText(folder)

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def values(self) -> dict:
        return {"model": self.model.currentData() or "", "render_size": self.render_size.value(),
                "tile_size": self.tile_size.value(), "overlap": self.overlap.value(),
                "strength": self.strength.value(), "device": self.device.currentData(),
                "output_folder": self.output_folder.text(), "format": self.format.currentData(),
                "quality": self.quality.value(), "overwrite": self.overwrite.isChecked(),
                "tint": self.tint.isChecked(), "dust": self.dust.value(), "denoise": self.denoise.value(),
                "contrast": self.contrast.value()}

    def set_values(self, values: dict) -> None:
        v = {**DEFAULTS, **{k: val for k, val in values.items() if val is not None}}
        if v["model"]:
            self._select(self.model, v["model"])
        self.render_size.setValue(int(v["render_size"]))
        self.tile_size.setValue(int(v["tile_size"]))
        self.overlap.setValue(int(v["overlap"]))
        self.strength.setValue(int(v["strength"]))
        self.strength_label.setText(f"{int(v['strength'])}%")
        self._select(self.device, v["device"])
        self.output_folder.setText(str(v["output_folder"]))
        self._select(self.format, v["format"])
        self.quality.setValue(int(v["quality"]))
        self.overwrite.setChecked(str(v["overwrite"]).lower() in ("true", "1"))
        self.tint.setChecked(str(v["tint"]).lower() in ("true", "1"))
        self.dust.setValue(int(v["dust"]))
        self.denoise.setValue(int(v["denoise"]))
        self.contrast.setValue(int(v["contrast"]))
        self._show_preset()
