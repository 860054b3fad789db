"""The settings panel's options in one table (``FIELDS``), in the order of the form's rows.

Each field names its control (the panel's attribute, and the key ``settings/<key>`` it is kept under in
the preferences), the row's label and tooltip, and where its value goes in core's ``JobSettings``
(``path``, with ``to_core``/``from_core`` between the control's value and core's). From the table come the
defaults (core's own, through ``from_core``), the plain form kept in the preferences (``KEPT``) and the
``JobSettings`` a batch runs with (``job_settings``). A field without a path (the restoration preset) is a
row of the form only: it sets and shows the fields under it and is not kept. A ``window`` field (``WINDOW``)
is the window's own, not core's option, kept beside them (``SettingsPanel.window_values``): the folder of
colour photos a batch takes references from (the batch runner asks ``SettingsPanel.reference_folder_path``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSlider, QSpinBox, QWidget

from colorstudio import paths
from colorstudio.core.options import DEVICES, ENGINES, FORMAT_NAMES, JobSettings, OutputSettings
from colorstudio.core.restoration import PRESETS


# -- the controls ----------------------------------------------------------------------------------
def _spin(low: int, high: int, step: int, suffix: str = "", special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


def _slider(high: int) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, high)
    return slider


def _combo(items: Mapping[str, str]) -> QComboBox:
    """A choice of ``items`` (value: the words shown)."""
    box = QComboBox()
    for value, text in items.items():
        box.addItem(text, value)
    return box


def changed_signal(control):
    if isinstance(control, QComboBox):
        return control.currentIndexChanged
    if isinstance(control, QCheckBox):
        return control.toggled
    return control.textChanged if isinstance(control, QLineEdit) else control.valueChanged


def value_of(control):
    """A control's value as the preferences keep it."""
    if isinstance(control, QComboBox):
        return control.currentData() or ""
    if isinstance(control, QCheckBox):
        return control.isChecked()
    return control.text() if isinstance(control, QLineEdit) else control.value()


def set_value(control, value) -> None:
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


# -- between a control's value and core's ------------------------------------------------------------
def _same(value):
    return value


def _fraction(percent: int) -> float:
    return percent / 100


def _percent(fraction: float) -> int:
    return round(fraction * 100)


@dataclass(frozen=True, kw_only=True)
class Field:
    key: str  # the panel's attribute for the control; for a kept field, its key in the preferences
    label: str  # the form row's label ("": none, as for a check box that says what it is)
    make: Callable[[], QWidget]  # the control
    tip: str = ""
    path: tuple[str, ...] = ()  # where the value goes in JobSettings; (): not an option, not kept
    to_core: Callable[[Any], Any] = _same  # the control's value -> core's
    from_core: Callable[[Any], Any] = _same  # core's value -> the control's (the default is core's default)
    error: str = ""  # the OptionError.option whose message is shown under this row
    reloads: bool = False  # a change reloads the engine (the panel's modelChanged)
    beside: str = ""  # what the row shows beside the control: "percent" (its value) or "folder" (Choose…)
    window: bool = False  # kept in the preferences, used by the window (not an option of JobSettings)
    default: Any = None  # a window field's default


FIELDS = (
    Field(key="model", label="Model", make=QComboBox,  # its models are the panel's (refresh_models)
          tip="The network that predicts the colours. Your own models appear here too.",
          path=("model",), reloads=True),
    Field(key="render_size", label="Render size", make=partial(_spin, 0, 8192, 128, " px", "Full size"),
          tip="Longest side at which the network sees the photo. Colour is predicted there and joined "
              "with the full-resolution detail.",
          path=("options", "render_size"), error="render_size"),
    Field(key="tile_size", label="Tile size", make=partial(_spin, 128, 2048, 64, " px"),
          tip="Size of the tiles large photos are processed in.",
          path=("options", "tile_size"), error="tile_size"),
    Field(key="overlap", label="Tile overlap", make=partial(_spin, 0, 512, 16, " px"),
          tip="Overlap between tiles, blended so no seam shows.",
          path=("options", "overlap"), error="overlap"),
    Field(key="strength", label="Colour strength", make=partial(_slider, 200), beside="percent",
          tip="Colour strength: 0% gray, 100% as predicted, 200% twice as vivid.",
          path=("options", "strength"), to_core=_fraction, from_core=_percent, error="strength"),
    Field(key="device", label="Device", make=partial(_combo, DEVICES),
          path=("options", "device"), error="device", reloads=True),
    Field(key="engine", label="Engine", make=partial(_combo, ENGINES),
          tip="What runs the network. OpenVINO is about twice as fast as PyTorch on a CPU, with the same "
              "colours; on an NVIDIA or Apple GPU PyTorch runs it.",
          path=("options", "engine"), error="engine", reloads=True),
    Field(key="fast", label="", make=partial(QCheckBox, "Faster, slightly different colours"),
          tip="OpenVINO on the CPU in bfloat16 where the CPU has it: its network about 1.7 times as fast "
              "again; colours differ a little from float32 (see the README for how much).",
          path=("options", "precision"), to_core=lambda fast: "fast" if fast else "float32",
          from_core=lambda precision: precision == "fast", reloads=True),
    Field(key="output_folder", label="Output folder", make=QLineEdit, beside="folder",  # tip: the path
          path=("output", "folder"), to_core=lambda text: Path(text.strip()).expanduser(), from_core=str,
          error="folder"),
    Field(key="format", label="Format", make=partial(_combo, {k or "": t for k, t in FORMAT_NAMES.items()}),
          path=("output", "format"), to_core=lambda fmt: fmt or None, from_core=lambda fmt: fmt or "",
          error="format"),
    Field(key="quality", label="Quality", make=partial(_spin, 1, 100, 1),
          tip="JPEG/WebP quality.",
          path=("output", "quality"), error="quality"),
    Field(key="overwrite", label="", make=partial(QCheckBox, "Replace existing outputs"),
          tip="Off: photos whose output already exists are skipped (a batch can resume).",
          path=("output", "overwrite")),
    Field(key="reference_folder_on", label="", make=partial(QCheckBox, "Colour from a folder of my colour photos"),
          tip="Each photo takes its colours from the photos of this folder that match it best (your own colour "
              "photos of the same places, people, years); one that matches none is colorized automatically. "
              "A photo's own reference photo wins. Its row says which it took.",
          window=True, default=False),
    Field(key="reference_folder", label="Colour photos", make=QLineEdit, beside="folder", window=True, default="",
          error="reference_folder"),
    Field(key="restore_preset", label="Restoration",  # not an option: sets and shows the four below
          make=partial(_combo, {**{name: name.capitalize() for name in PRESETS}, "": "Custom"}),
          tip="Clean up the photo before colorizing: one click for a clean scan or a damaged print, or set "
              "each step below."),
    Field(key="tint", label="", make=partial(QCheckBox, "Remove a sepia or yellow cast"),
          path=("options", "restore", "tint")),
    Field(key="dust", label="Dust and scratches", make=partial(_slider, 100),
          tip="Dust, hair and scratch removal (only for visibly damaged prints)",
          path=("options", "restore", "dust"), to_core=_fraction, from_core=_percent),
    Field(key="denoise", label="Denoise", make=partial(_slider, 100),
          tip="Grain and noise reduction, keeping edges",
          path=("options", "restore", "denoise"), to_core=_fraction, from_core=_percent),
    Field(key="contrast", label="Contrast", make=partial(_slider, 100),
          tip="Repair faded contrast",
          path=("options", "restore", "contrast"), to_core=_fraction, from_core=_percent, error="restore"),
)
KEPT = tuple(field for field in FIELDS if field.path)  # the options, kept in the preferences
WINDOW = tuple(field for field in FIELDS if field.window)  # the window's own settings, kept too
RESTORE = tuple(field for field in KEPT if field.path[:2] == ("options", "restore"))  # what a preset sets


def value_at(settings, path: tuple[str, ...]):
    for name in path:
        settings = getattr(settings, name)
    return settings


def _with_value(settings, path: tuple[str, ...], value):
    """``settings`` (frozen dataclasses within each other) with ``value`` at ``path``."""
    if not path:
        return value
    return replace(settings, **{path[0]: _with_value(getattr(settings, path[0]), path[1:], value)})


_CORE_DEFAULTS = JobSettings(output=OutputSettings(paths.default_output_dir()))
DEFAULTS = {field.key: field.from_core(value_at(_CORE_DEFAULTS, field.path)) for field in KEPT}


def job_settings(values: Mapping[str, Any]) -> JobSettings:
    """The ``JobSettings`` of the kept fields' ``values`` (as the controls give them), core's defaults
    for what the panel does not set."""
    settings = _CORE_DEFAULTS
    for field in KEPT:
        settings = _with_value(settings, field.path, field.to_core(values[field.key]))
    return settings
