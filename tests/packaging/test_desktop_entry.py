"""The Linux applications-menu entry installed by the bundle's script (the wheel's: test_formats_wheel_contents)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform != "linux", reason="a Linux desktop entry")
def test_the_bundles_script_adds_the_entry_for_where_the_folder_is(tmp_path):
    bundle = tmp_path / "unpacked here" / "colorstudio"
    (bundle / "_internal" / "colorstudio" / "_data" / "resources").mkdir(parents=True)
    (bundle / "_internal" / "colorstudio" / "_data" / "resources" / "colorstudio.svg").write_text("<svg/>")
    for name in ("colorstudio.desktop", "install-desktop-entry.sh"):
        shutil.copy(ROOT / "packaging" / name, bundle / name)
    home = tmp_path / "home"
    result = subprocess.run(["sh", str(bundle / "install-desktop-entry.sh")], capture_output=True, text=True,
                            env={"HOME": str(home), "PATH": "/usr/bin:/bin"}, timeout=30)
    assert result.returncode == 0, result.stderr
    entry = (home / ".local/share/applications/colorstudio.desktop").read_text()
    assert f'Exec="{bundle}/colorstudio" %F' in entry
    assert f"Icon={bundle}/_internal/colorstudio/_data/resources/colorstudio.svg" in entry
    assert "Name=colorstudio" in entry and "MimeType=image/jpeg;" in entry

