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
            "overwrite": False}


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
        self.refresh_models()
        self.set_values(DEFAULTS)
        self.strength.valueChanged.connect(lambda v: self.strength_label.setText(f"{v}%"))
        self.model.currentIndexChanged.connect(self.modelChanged)
        self.device.currentIndexChanged.connect(self.modelChanged)
        for signal in (self.render_size.valueChanged, self.tile_size.valueChanged, self.overlap.valueChanged,
                       self.strength.valueChanged, self.output_folder.textChanged, self.format.currentIndexChanged,
                       self.quality.valueChanged, self.overwrite.toggled, self.model.currentIndexChanged,
                       self.device.currentIndexChanged):
            signal.connect(self.changed)

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
                "quality": self.quality.value(), "overwrite": self.overwrite.isChecked()}

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

    def colorize_options(self) -> dict:
        """Fields of ``pipeline.ColorizeOptions`` (a plain dict: the GUI thread does not import torch)."""
        v = self.values()
        return {"render_size": v["render_size"], "tile_size": v["tile_size"], "overlap": v["overlap"],
                "strength": v["strength"] / 100.0}
