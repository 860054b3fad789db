"""The release's archives and checksums, the same on every system (the release workflow calls it; so can you).

    python packaging/archive.py version [--tag v0.1.0]   print the package version (fail if the tag differs)
    python packaging/archive.py name                     colorstudio-<version>-<os>-<arch> for this machine
    python packaging/archive.py make [--dist dist] [--out release]
        pack the built application (dist/colorstudio, or dist/colorstudio.app on macOS) into
        release/colorstudio-<version>-<os>-<arch>.tar.gz (.zip on Windows), with a .sha256 beside it
    python packaging/archive.py sums release             write release/SHA256SUMS for every file there

The archive holds one folder named like the archive, so unpacking a new version never mixes with an old one.
tar.gz keeps the bundle's symbolic links and executable bits (a macOS .app needs both); Windows gets a zip,
which its Explorer opens. The version comes from one place: ``__version__`` in src/colorstudio/__init__.py
(pyproject.toml reads it there too).
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import re
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OS_NAMES = {"linux": "linux", "win32": "windows", "darwin": "macos"}
ARCH_NAMES = {"x86_64": "x86_64", "amd64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}
SUMS = "SHA256SUMS"


def package_version(root: Path = ROOT) -> str:
    text = (root / "src" / "colorstudio" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("no __version__ in src/colorstudio/__init__.py")
    return match[1]


def platform_tag(system: str | None = None, machine: str | None = None) -> tuple[str, str]:
    """("linux" | "windows" | "macos", "x86_64" | "arm64") for ``sys.platform`` and ``platform.machine()``."""
    system = system or sys.platform
    machine = (machine or platform.machine()).lower()
    if system not in OS_NAMES or machine not in ARCH_NAMES:
        raise SystemExit(f"no release name for {system} on {machine}")
    return OS_NAMES[system], ARCH_NAMES[machine]


def archive_name(version: str, system: str | None = None, machine: str | None = None) -> str:
    os_name, arch = platform_tag(system, machine)
    return f"colorstudio-{version}-{os_name}-{arch}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksum(path: Path) -> Path:
    """``<path>.sha256`` in ``sha256sum``'s format (``sha256sum -c`` checks it)."""
    out = path.with_name(path.name + ".sha256")
    out.write_text(f"{sha256(path)}  {path.name}\n", encoding="utf-8")
    return out


def make(dist: Path, out: Path, version: str, system: str | None = None, machine: str | None = None) -> Path:
    """Pack the bundle in ``dist`` into ``out``; the archive's path (its .sha256 is written beside it)."""
    system = system or sys.platform
    name = archive_name(version, system, machine)
    bundle = dist / ("colorstudio.app" if system == "darwin" else "colorstudio")
    if not bundle.is_dir():
        raise SystemExit(f"{bundle} is not there: build it first (packaging/build.sh or build.ps1)")
    out.mkdir(parents=True, exist_ok=True)
    # the folder inside: the .app itself on macOS (it is the folder people drag), the bundle's contents elsewhere
    inner = f"{name}/{bundle.name}" if system == "darwin" else name
    if system == "win32":
        archive = out / f"{name}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for path in sorted(bundle.rglob("*")):
                if path.is_file():
                    z.write(path, f"{inner}/{path.relative_to(bundle).as_posix()}")
    else:
        archive = out / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname=inner)  # symbolic links stay links, modes stay
    write_checksum(archive)
    return archive


def write_sums(folder: Path) -> Path:
    """``folder/SHA256SUMS`` for every file in ``folder`` (not the .sha256 files, not itself)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != SUMS and not p.name.endswith(".sha256"))
    if not files:
        raise SystemExit(f"nothing to checksum in {folder}")
    sums = folder / SUMS
    sums.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in files), encoding="utf-8")
    return sums


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("version", help="print the package version")
    check.add_argument("--tag", help="fail unless this tag is v<version>")
    commands.add_parser("name", help="this machine's archive name")
    pack = commands.add_parser("make", help="pack the built application")
    pack.add_argument("--dist", type=Path, default=ROOT / "dist")
    pack.add_argument("--out", type=Path, default=ROOT / "release")
    sums = commands.add_parser("sums", help="write SHA256SUMS")
    sums.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    version = package_version()
    if args.command == "version":
        if args.tag is not None and args.tag != f"v{version}":
            print(f"the tag {args.tag} is not v{version}, the version in src/colorstudio/__init__.py",
                  file=sys.stderr)
            return 1
        print(version)
    elif args.command == "name":
        print(archive_name(version))
    elif args.command == "make":
        archive = make(args.dist, args.out, version)
        print(f"{archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    else:
        print(write_sums(args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
