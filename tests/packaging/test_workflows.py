"""The GitHub Actions workflows (.github/workflows) and the release scripts they call (packaging/).

The workflows must pass GitHub's workflow schema (check-jsonschema) and zizmor's offline audits with no medium or
high finding; the release notes come from the right CHANGELOG.md section; the archives are named
colorstudio-<version>-<os>-<arch> and checksummed in sha256sum's format."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str | None:
    """The command-line tool ``name`` beside this Python (the venv's), else on PATH."""
    for candidate in (BIN / name, BIN / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release_notes = _load("release_notes")
archive = _load("archive")


def test_both_workflows_exist():
    assert (WORKFLOWS / "ci.yml").is_file() and (WORKFLOWS / "release.yml").is_file()


def test_workflows_pass_githubs_workflow_schema():
    tool = _tool("check-jsonschema")
    if tool is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    # --builtin-schema: the schema that ships inside check-jsonschema (no download)
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOWS / "ci.yml"), str(WORKFLOWS / "release.yml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_medium_or_high():
    tool = _tool("zizmor")
    if tool is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    done = subprocess.run([tool, "--offline", "--no-progress", "--format", "json", str(ROOT / ".github")],
                          capture_output=True, text=True, timeout=120)
    # zizmor exits 0 with no finding, 10-14 by the highest severity found; anything else is an error of its own
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr
    findings = json.loads(done.stdout or "[]")
    serious = [f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}" for f in findings
               if f["determinations"]["severity"] in ("Medium", "High")]
    assert not serious, "\n".join(serious)


def test_actions_are_pinned_to_a_full_commit_with_the_version_beside_it():
    for workflow in WORKFLOWS.glob("*.yml"):
        for line in workflow.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40}  # v\d+(\.\d+)*$", line), (workflow.name, line)


def test_every_script_a_workflow_runs_is_in_the_repository():
    for workflow in WORKFLOWS.glob("*.yml"):
        for script in re.findall(r"packaging/[\w.-]+\.(?:sh|ps1|py)", workflow.read_text(encoding="utf-8")):
            assert (ROOT / script).is_file(), (workflow.name, script)


CHANGELOG = """# Changelog

## [Unreleased]

### Added
- Something not released yet.

## [0.2.0] - 2027-01-15

### Added
- Releases for Windows and macOS.

### Fixed
- A crash.

## [0.1.0] - 2026-12-06

- The first version.

## [0.0.9]

- Never dated.

[Unreleased]: https://example.org/compare/v0.2.0...HEAD
[0.2.0]: https://example.org/compare/v0.1.0...v0.2.0
"""


def test_release_notes_are_the_versions_section():
    notes = release_notes.section(CHANGELOG, "0.2.0")
    assert notes.startswith("### Added\n- Releases for Windows and macOS.")
    assert "### Fixed\n- A crash.\n" in notes
    assert "not released" not in notes and "first version" not in notes and "example.org" not in notes
    assert release_notes.section(CHANGELOG, "v0.1.0") == "- The first version.\n"  # a tag works too


@pytest.mark.parametrize(("version", "says"), [("0.3.0", "no section"), ("0.0.9", "no date"),
                                                 ("Unreleased", "no date")])
def test_release_notes_refuse_a_missing_or_undated_section(version, says):
    with pytest.raises(release_notes.NotesError, match=says):
        release_notes.section(CHANGELOG, version)


def test_release_notes_command_line(tmp_path):
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(CHANGELOG, encoding="utf-8")
    out = tmp_path / "notes.md"
    assert release_notes.main(["v0.2.0", "--changelog", str(changelog), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == release_notes.section(CHANGELOG, "0.2.0")
    assert release_notes.main(["0.3.0", "--changelog", str(changelog)]) == 1


def test_the_projects_changelog_keeps_the_format():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog")
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert headings[0] == "Unreleased"
    for version in headings[1:]:
        assert release_notes.section(text, version)  # dated and not empty


def test_one_version_for_the_package_and_its_archives():
    from colorstudio import __version__

    assert archive.package_version() == __version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'path = "src/colorstudio/__init__.py"' in pyproject


@pytest.mark.parametrize(("system", "machine", "name"), [
    ("linux", "x86_64", "colorstudio-1.2.3-linux-x86_64"),
    ("win32", "AMD64", "colorstudio-1.2.3-windows-x86_64"),
    ("darwin", "arm64", "colorstudio-1.2.3-macos-arm64"),
    ("linux", "aarch64", "colorstudio-1.2.3-linux-arm64"),
])
def test_archive_names(system, machine, name):
    assert archive.archive_name("1.2.3", system, machine) == name


def test_the_tag_must_be_the_version(capsys):
    version = archive.package_version()
    assert archive.main(["version", "--tag", f"v{version}"]) == 0
    assert archive.main(["version", "--tag", "v99.0.0"]) == 1
    assert "is not v" in capsys.readouterr().err


def _fake_bundle(dist: Path, name: str) -> Path:
    bundle = dist / name
    (bundle / "_internal" / "näme with space").mkdir(parents=True)
    (bundle / "colorstudio").write_bytes(b"#!/bin/sh\necho frozen\n")
    (bundle / "colorstudio").chmod(0o755)
    (bundle / "_internal" / "näme with space" / "data.txt").write_text("x")
    return bundle


def _checks(archive_path: Path) -> None:
    line = archive_path.with_name(archive_path.name + ".sha256").read_text(encoding="utf-8")
    assert line == f"{hashlib.sha256(archive_path.read_bytes()).hexdigest()}  {archive_path.name}\n"


@pytest.mark.skipif(sys.platform == "win32", reason="modes and links of a tar archive")
def test_linux_archive_holds_the_bundle_in_a_folder_of_its_name(tmp_path):
    _fake_bundle(tmp_path / "dist", "colorstudio")
    (tmp_path / "dist" / "colorstudio" / "link").symlink_to("colorstudio")
    made = archive.make(tmp_path / "dist", tmp_path / "release", "1.2.3", "linux", "x86_64")
    assert made.name == "colorstudio-1.2.3-linux-x86_64.tar.gz"
    _checks(made)
    with tarfile.open(made) as tar:
        members = {m.name: m for m in tar.getmembers()}
    top = "colorstudio-1.2.3-linux-x86_64"
    assert members[f"{top}/colorstudio"].mode & 0o111
    assert members[f"{top}/link"].issym()
    assert f"{top}/_internal/näme with space/data.txt" in members


def test_windows_archive_is_a_zip(tmp_path):
    _fake_bundle(tmp_path / "dist", "colorstudio")
    made = archive.make(tmp_path / "dist", tmp_path / "release", "1.2.3", "win32", "AMD64")
    assert made.name == "colorstudio-1.2.3-windows-x86_64.zip"
    _checks(made)
    names = zipfile.ZipFile(made).namelist()
    assert "colorstudio-1.2.3-windows-x86_64/colorstudio" in names
    assert "colorstudio-1.2.3-windows-x86_64/_internal/näme with space/data.txt" in names


def test_macos_archive_holds_the_app(tmp_path):
    _fake_bundle(tmp_path / "dist", "colorstudio.app")
    made = archive.make(tmp_path / "dist", tmp_path / "release", "1.2.3", "darwin", "arm64")
    assert made.name == "colorstudio-1.2.3-macos-arm64.tar.gz"
    with tarfile.open(made) as tar:
        assert "colorstudio-1.2.3-macos-arm64/colorstudio.app/colorstudio" in tar.getnames()


def test_sha256sums_lists_every_release_file(tmp_path):
    for name, data in [("a.tar.gz", b"aa"), ("b.whl", b"bb")]:
        (tmp_path / name).write_bytes(data)
        archive.write_checksum(tmp_path / name)
    sums = archive.write_sums(tmp_path).read_text(encoding="utf-8").splitlines()
    assert sums == [f"{hashlib.sha256(b'aa').hexdigest()}  a.tar.gz", f"{hashlib.sha256(b'bb').hexdigest()}  b.whl"]
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, check=True, capture_output=True)


def test_a_missing_bundle_says_to_build_it(tmp_path):
    with pytest.raises(SystemExit, match="build it first"):
        archive.make(tmp_path / "dist", tmp_path / "release", "1.2.3", "linux", "x86_64")
