"""What the frozen application says about itself: the Windows version resource and the macOS Info.plist.

Both come from the one version source (``__version__`` in src/colorstudio/__init__.py) and, for the photo
types the macOS app opens, from ``colorstudio.core.imageio.formats.INPUT_EXTENSIONS``. packaging/colorstudio.spec
calls these functions at build time; they need neither PyInstaller nor a Mac, so tests call them too
(tests/packaging/test_bundle_meta.py).

    python packaging/bundle_meta.py version-file build/version_info.txt   write the Windows version resource
    python packaging/bundle_meta.py plist                                 print the Info.plist as XML
"""

from __future__ import annotations

import plistlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "colorstudio"
DESCRIPTION = "colorstudio photo colorizer"
BUNDLE_ID = "org.colorstudio.app"
#: Windows: the console program (the command line; with no arguments it opens the window too) and the windowed
#: program people start from Explorer or a shortcut (no console window). Linux and macOS have one executable.
CONSOLE_EXE = "colorstudio"
WINDOWED_EXE = "colorstudio-app"

#: Each extension colorstudio reads: the type's name and its Uniform Type Identifier (None: macOS has none, the
#: extension alone says it). Every entry of INPUT_EXTENSIONS must be here (document_types fails otherwise).
PHOTO_TYPES: dict[str, tuple[str, str | None]] = {
    ".jpg": ("JPEG image", "public.jpeg"), ".jpeg": ("JPEG image", "public.jpeg"),
    ".jpe": ("JPEG image", "public.jpeg"),
    ".png": ("PNG image", "public.png"),
    ".tif": ("TIFF image", "public.tiff"), ".tiff": ("TIFF image", "public.tiff"),
    ".bmp": ("BMP image", "com.microsoft.bmp"),
    ".webp": ("WebP image", "org.webmproject.webp"),
    ".gif": ("GIF image", "com.compuserve.gif"),
    ".pbm": ("Netpbm image", None), ".pgm": ("Netpbm image", None), ".ppm": ("Netpbm image", None),
    ".pnm": ("Netpbm image", None),
}


def _package():
    """The colorstudio package (from src/ when it is not installed: the spec runs before it is)."""
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import colorstudio.core.imageio.formats

    return colorstudio


def package_version() -> str:
    """The one version source: ``__version__`` in src/colorstudio/__init__.py."""
    return _package().__version__


def input_extensions() -> frozenset[str]:
    """The extensions colorstudio opens (``core.imageio.formats.INPUT_EXTENSIONS``)."""
    return _package().core.imageio.formats.INPUT_EXTENSIONS


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """Windows' four 16-bit numbers: "1.2.3" -> (1, 2, 3, 0); a pre-release suffix ("1.2.3rc1") is dropped."""
    numbers = [int(re.match(r"\d*", part)[0] or 0) for part in version.split(".")[:4]]
    return tuple((numbers + [0, 0, 0, 0])[:4])


def windows_version_info(version: str) -> str:
    """The version resource in PyInstaller's version-file format (``EXE(version=<file>)``, pyi-grab_version's)."""
    numbers = version_tuple(version)
    strings = {"CompanyName": NAME, "FileDescription": DESCRIPTION, "FileVersion": version,
               "LegalCopyright": "Apache License 2.0",
               "ProductName": NAME, "ProductVersion": version}
    structs = ",\n        ".join(f"StringStruct({key!r}, {value!r})" for key, value in strings.items())
    return f"""# UTF-8: the Windows version resource of colorstudio {version} (packaging/bundle_meta.py)
VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
        {structs}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def write_windows_version_file(path: Path, version: str) -> Path:
    """Write the version resource to ``path``; where PyInstaller is installed, parse it back with its reader."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(windows_version_info(version), encoding="utf-8")
    try:
        from PyInstaller.utils.win32.versioninfo import load_version_info_from_text_file
    except ImportError:
        return path
    load_version_info_from_text_file(str(path))  # fails here, not in the middle of the build
    return path


def document_types(extensions: Iterable[str]) -> list[dict]:
    """CFBundleDocumentTypes: one entry per photo type, with its extensions (the app views them, it opens them
    when a photo is dropped on its icon or opened with it; it does not ask to be their default application)."""
    grouped: dict[str, dict] = {}
    for ext in sorted(extensions):
        if ext not in PHOTO_TYPES:
            raise KeyError(f"{ext} is read by colorstudio but has no entry in PHOTO_TYPES (packaging/bundle_meta.py)")
        name, uti = PHOTO_TYPES[ext]
        entry = grouped.setdefault(name, {"CFBundleTypeName": name, "CFBundleTypeRole": "Viewer",
                                          "LSHandlerRank": "Alternate", "CFBundleTypeExtensions": []})
        entry["CFBundleTypeExtensions"].append(ext.lstrip("."))
        if uti is not None:
            entry["LSItemContentTypes"] = [uti]
    return list(grouped.values())


def info_plist(version: str, extensions: Iterable[str]) -> dict:
    """What PyInstaller's BUNDLE(info_plist=...) adds to the .app's Info.plist."""
    return {
        "CFBundleName": NAME,
        "CFBundleDisplayName": NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHighResolutionCapable": True,  # sharp text and photos on Retina screens
        "LSBackgroundOnly": False,  # a window in the Dock and the menu bar (PyInstaller's default for a console EXE)
        "NSRequiresAquaSystemAppearance": False,  # follows the system's dark mode
        "LSMinimumSystemVersion": "11.0",
        "LSApplicationCategoryType": "public.app-category.photography",
        "NSHumanReadableCopyright": "Apache License 2.0",
        "CFBundleDocumentTypes": document_types(extensions),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    version = package_version()
    if argv[:1] == ["version-file"] and len(argv) == 2:
        print(write_windows_version_file(Path(argv[1]), version))
    elif argv == ["plist"]:
        sys.stdout.write(plistlib.dumps(info_plist(version, input_extensions())).decode("utf-8"))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
