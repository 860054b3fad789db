"""What the frozen application says about itself (packaging/bundle_meta.py, which the PyInstaller spec calls):
the Windows version resource and the macOS Info.plist carry the package version and the photo types colorstudio
reads. Neither PyInstaller, Windows nor a Mac is needed: the functions are called directly."""

from __future__ import annotations

import importlib.util
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from colorstudio import __version__
from colorstudio.core.imageio.formats import INPUT_EXTENSIONS

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bundle_meta", ROOT / "packaging" / "bundle_meta.py")
bundle_meta = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundle_meta)


def _parse_version_resource(text: str):
    """The version file evaluated as PyInstaller evaluates it (``eval`` with its classes), each class standing in
    as (name, args, kwargs): PyInstaller's own module imports Windows-only libraries and cannot load here."""

    def maker(name):
        return lambda *args, **kwargs: (name, args, kwargs)

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")
    return eval(text, {"__builtins__": {}}, {name: maker(name) for name in names})  # noqa: S307 (our own text)


def test_the_spec_and_the_package_have_one_version():
    assert bundle_meta.package_version() == __version__
    assert bundle_meta.input_extensions() == INPUT_EXTENSIONS


@pytest.mark.parametrize(("version", "numbers"), [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)),
                                                  ("2.0", (2, 0, 0, 0)), ("1.2.3rc1", (1, 2, 3, 0))])
def test_windows_version_numbers(version, numbers):
    assert bundle_meta.version_tuple(version) == numbers


def test_windows_version_resource_carries_the_package_version():
    name, _, info = _parse_version_resource(bundle_meta.windows_version_info(__version__))
    assert name == "VSVersionInfo"
    _, _, fixed = info["ffi"]
    assert fixed["filevers"] == fixed["prodvers"] == bundle_meta.version_tuple(__version__)
    (_, (tables,), _), (var_name, _, _) = info["kids"]
    assert var_name == "VarFileInfo"
    (_, (language, structs), _), = tables
    assert language == "040904B0"  # US English, Unicode: what Explorer's Details tab reads
    strings = {args[0]: args[1] for _, args, _ in structs}
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["ProductName"] == "colorstudio" and strings["FileDescription"]


def test_the_version_file_is_written_where_the_spec_asks(tmp_path):
    path = bundle_meta.write_windows_version_file(tmp_path / "build" / "version_info.txt", "3.4.5")
    assert path.read_text(encoding="utf-8") == bundle_meta.windows_version_info("3.4.5")


def test_info_plist_carries_the_version_and_high_dpi():
    plist = bundle_meta.info_plist(__version__, INPUT_EXTENSIONS)
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == __version__
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSBackgroundOnly"] is False  # a Dock icon and a menu bar
    assert plist["CFBundleIdentifier"] == bundle_meta.BUNDLE_ID
    assert plistlib.loads(plistlib.dumps(plist)) == plist  # a valid property list


def test_info_plist_opens_every_photo_type_colorstudio_reads():
    types = bundle_meta.info_plist(__version__, INPUT_EXTENSIONS)["CFBundleDocumentTypes"]
    listed = {f".{ext}" for entry in types for ext in entry["CFBundleTypeExtensions"]}
    assert listed == INPUT_EXTENSIONS
    by_name = {entry["CFBundleTypeName"]: entry for entry in types}
    assert by_name["JPEG image"]["LSItemContentTypes"] == ["public.jpeg"]
    assert by_name["TIFF image"]["LSItemContentTypes"] == ["public.tiff"]
    assert by_name["WebP image"]["LSItemContentTypes"] == ["org.webmproject.webp"]
    assert "LSItemContentTypes" not in by_name["Netpbm image"]  # no system type: the extensions say it
    # it opens photos but never asks to become their default application
    assert {(e["CFBundleTypeRole"], e["LSHandlerRank"]) for e in types} == {("Viewer", "Alternate")}


def test_a_new_photo_type_without_an_entry_fails_the_build():
    with pytest.raises(KeyError, match=r"\.heic"):
        bundle_meta.document_types(INPUT_EXTENSIONS | {".heic"})


def test_command_line(tmp_path):
    run = [sys.executable, str(ROOT / "packaging" / "bundle_meta.py")]
    plist = subprocess.run(run + ["plist"], capture_output=True, check=True, timeout=60).stdout
    assert plistlib.loads(plist)["CFBundleShortVersionString"] == __version__
    out = tmp_path / "v.txt"
    subprocess.run(run + ["version-file", str(out)], capture_output=True, check=True, timeout=60)
    assert f"'ProductVersion', '{__version__}'" in out.read_text(encoding="utf-8")


def test_the_spec_uses_them():
    spec = (ROOT / "packaging" / "colorstudio.spec").read_text(encoding="utf-8")
    assert "bundle_meta.write_windows_version_file(" in spec and "bundle_meta.info_plist(" in spec
    # Windows: a console program for the command line and a windowed one for people
    assert 'executable(bundle_meta.CONSOLE_EXE, console=sys.platform != "darwin")' in spec
    assert "executable(bundle_meta.WINDOWED_EXE, console=False)" in spec


def test_the_macos_app_is_signed_ad_hoc_by_a_script_the_build_runs():
    sign = ROOT / "packaging" / "sign_macos.sh"
    assert "codesign --force --deep --sign -" in sign.read_text(encoding="utf-8")
    assert "codesign --verify --deep --strict" in sign.read_text(encoding="utf-8")
    assert "packaging/sign_macos.sh dist/colorstudio.app" in (ROOT / "packaging" / "build.sh").read_text(
        encoding="utf-8")
    if sys.platform != "win32":
        assert sign.stat().st_mode & 0o111  # the job runs it as it is
