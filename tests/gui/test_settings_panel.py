"""The settings panel's one table of options: each field is kept in the preferences, comes back from them
and lands in the ``JobSettings`` a batch runs with; preferences saved by earlier versions still load."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from colorstudio import paths
from colorstudio.core.options import ColorizeOptions, JobSettings, OutputSettings
from colorstudio.core.restoration import RestoreOptions
from colorstudio.gui.settings_fields import DEFAULTS, FIELDS, KEPT, value_at
from colorstudio.gui.settings_panel import SettingsPanel


@pytest.fixture
def panel(qtbot, tiny_model):
    panel = SettingsPanel()
    qtbot.addWidget(panel)
    return panel


def _another_value(control, default, tmp_path: Path):
    """A value for ``control`` other than its default, as the preferences would keep it."""
    if isinstance(control, QComboBox):
        return next(control.itemData(i) for i in range(control.count()) if control.itemData(i) != default)
    if isinstance(control, QCheckBox):
        return not default
    if isinstance(control, QLineEdit):
        return str(tmp_path / "somewhere else")
    step = control.singleStep()
    return default + step if default + step <= control.maximum() else default - step


def test_the_table_has_one_field_per_option_and_key_and_core_s_defaults(panel):
    keys = [field.key for field in FIELDS]
    assert len(set(keys)) == len(keys)
    kept_paths = [field.path for field in KEPT]
    assert len(set(kept_paths)) == len(kept_paths)
    assert list(panel.values()) == [field.key for field in KEPT] == list(DEFAULTS)
    panel.set_values({})  # nothing kept yet: the command line's defaults
    assert panel.job_settings().options == ColorizeOptions()
    assert panel.job_settings().output == OutputSettings(paths.default_output_dir())


def test_every_field_round_trips_through_the_preferences_and_lands_in_job_settings(panel, qtbot, tmp_path):
    start, before = panel.values(), panel.job_settings()
    changed = {field.key: _another_value(panel.controls[field.key], start[field.key], tmp_path) for field in KEPT}
    for field in KEPT:  # one field at a time: it, and only it, moves in the JobSettings
        values = {**start, field.key: changed[field.key]}
        panel.set_values(values)
        assert panel.values() == values, field.key
        settings = panel.job_settings()
        assert value_at(settings, field.path) == field.to_core(changed[field.key]) != value_at(before, field.path)
        assert field.from_core(value_at(settings, field.path)) == changed[field.key], field.key
        assert all(value_at(settings, other.path) == value_at(before, other.path) for other in KEPT if other != field)
        panel.set_values(start)
        assert panel.job_settings() == before, field.key
    # all of them at once, as text (as the preferences file has them), into a new panel
    panel.set_values(changed)
    text = {key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in changed.items()}
    again = SettingsPanel()
    qtbot.addWidget(again)
    again.set_values(text)
    assert again.values() == changed and again.job_settings() == panel.job_settings()


# Written out from ``values()`` before the options were one table (issue 29), and the preferences file it
# made (only the model is the test's own): what users have on disk must restore the same settings.
SAVED_VALUES = {'model': 'tiny', 'render_size': 768, 'tile_size': 256, 'overlap': 32, 'strength': 135,
                'device': 'cpu', 'engine': 'openvino', 'fast': True, 'output_folder': '/tmp/colorized out',
                'format': 'webp', 'quality': 80, 'overwrite': True, 'tint': True, 'dust': 10, 'denoise': 50,
                'contrast': 50}
SAVED_INI = """[settings]
contrast=50
denoise=50
device=cpu
dust=10
engine=openvino
fast=true
format=webp
model=tiny
output_folder=/tmp/colorized out
overlap=32
overwrite=true
quality=80
render_size=768
strength=135
tile_size=256
tint=true
"""
SAVED_SETTINGS = JobSettings(
    model="tiny",
    options=ColorizeOptions(render_size=768, tile_size=256, overlap=32, strength=1.35, device="cpu",
                            restore=RestoreOptions(tint=True, dust=0.1, denoise=0.5, contrast=0.5),
                            engine="openvino", precision="fast"),
    output=OutputSettings(folder=Path("/tmp/colorized out"), format="webp", quality=80, overwrite=True))


def test_preferences_saved_before_the_field_table_restore_the_same_settings(panel, tmp_path):
    ini = tmp_path / "colorstudio.ini"
    ini.write_text(SAVED_INI)
    store = QSettings(str(ini), QSettings.Format.IniFormat)
    panel.set_values({k: store.value(f"settings/{k}") for k in panel.values()})  # as the window restores them
    assert panel.values() == SAVED_VALUES
    assert panel.job_settings() == SAVED_SETTINGS
    assert panel.restore_preset.currentText() == "Custom" and panel.quality.isEnabled() and panel.fast.isEnabled()
    panel.set_values({})
    panel.set_values(SAVED_VALUES)  # the same, as values() gives them
    assert panel.job_settings() == SAVED_SETTINGS
