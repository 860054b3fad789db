"""Path handling Windows will meet, tested here on Linux (issue 33): Windows-style relative paths and names
in the output planner, names two outputs share on a case-insensitive file system, non-ASCII names, a path
over 260 characters, and an output another process holds open while it is replaced.

These run on every system; what Windows does differently is said in each test, so a failure on the Windows
runner reads against the behaviour documented here.
"""

from __future__ import annotations

import errno
import ntpath
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.cli import run
from colorstudio.core import checkpoint
from colorstudio.core.batch import OutputPlanner, OutputSettings, find_photos, output_path, plan_batch
from colorstudio.core.imageio import writer
from colorstudio.core.imageio.provenance import Provenance
from colorstudio.core.models import registry
from colorstudio.core.queue import JobQueue

NAMES = ["Großmutter 1952 – Ærø.jpg", "外婆的照片.png", "🎂 Geburtstag 1961.png"]
WINDOWS_RESERVED = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


def photo(path: Path, seed: int = 0, size=(24, 20)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    Image.fromarray((np.random.default_rng(seed).random((h, w)) * 255).astype(np.uint8)).save(path)
    return path


def digest(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    """A seed-cnn with random weights, saved the way shipped models are (as tests/cli's fixture)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("models") / "tiny-test.safetensors"
    checkpoint.save_model(path, registry.build("seed-cnn"), {"title": "Tiny test model", "version": "0"})
    return path


def colorize(*args) -> int:
    return run(["colorize", *map(str, args), "--device", "cpu", "--tile", "64", "--overlap", "16"])


# -- the planner with Windows-style paths --------------------------------------------------------------

def test_windows_style_sources_keep_their_folders_below_the_output_folder(tmp_path):
    """``output_path`` takes any ``PurePath``: a relative path written the Windows way (backslashes, an
    upper-case suffix as scanners write it) becomes the same folders below the output folder on every
    system (it is joined as POSIX text), and a format change replaces the suffix whatever its case."""
    source = PureWindowsPath(r"C:\Users\Ana\Scans\Album 1952\SCAN001.TIF")
    relative = PureWindowsPath(r"Album 1952\SCAN001.TIF")
    out = tmp_path / "out"
    assert output_path(source, relative, OutputSettings(out)) == out / "Album 1952" / "SCAN001.TIF"
    assert output_path(source, relative, OutputSettings(out, format="png")) == out / "Album 1952" / "SCAN001.png"
    bmp = PureWindowsPath(r"D:\Fotos\Oma.BMP")  # BMP cannot carry the provenance record: PNG
    assert output_path(bmp, PureWindowsPath("Oma.BMP"), OutputSettings(out)) == out / "Oma.png"


def test_names_a_planner_adds_are_legal_windows_names(tmp_path):
    """The planner promises nothing about reserved characters, and needs not: an output's name is its
    source's name (which exists, so is legal where it lies), a new suffix, and " (n)" for a clash. Those
    additions must never bring a character Windows refuses, nor a trailing dot or space."""
    sources = [photo(tmp_path / d / "scan 001.bmp", i) for i, d in enumerate("ABC")]
    plan = plan_batch([s.parent for s in sources], OutputSettings(tmp_path / "out", format="webp"))
    names = [job.output.name for job in plan.jobs]
    assert names == ["scan 001.webp", "scan 001 (2).webp", "scan 001 (3).webp"]
    for name in names:
        assert not WINDOWS_RESERVED & set(name) and name.rstrip(". ") == name


def test_a_clash_only_in_case_is_a_clash_where_windows_compares_names(tmp_path, monkeypatch):
    """Windows compares names without case (``ntpath.normcase``): "Scan.png" and "scan.png" are one file
    there, and the planner, keyed by ``os.path.normcase``, gives the second photo its own output."""
    a, b = photo(tmp_path / "A" / "Scan.png"), photo(tmp_path / "B" / "scan.png", 1)
    out = tmp_path / "out"
    monkeypatch.setattr(os.path, "normcase", ntpath.normcase)  # as on Windows
    plan = plan_batch([a, b], OutputSettings(out))
    assert [j.output for j in plan.jobs] == [out / "Scan.png", out / "scan (2).png"]


def test_a_clash_only_in_case_is_a_clash_on_any_system(tmp_path):
    """macOS (APFS, HFS+) and the FAT, exFAT and NTFS drives people plug into Linux compare names without
    case too, but ``os.path.normcase`` changes nothing there: the planner compares output names without
    case (and Unicode normalization) everywhere, so the second photo never replaces the first one's output.
    A name that would not clash on a case-sensitive disk gets " (2)" too: harmless, and told."""
    a = photo(tmp_path / "A" / "Scan.png")
    b = photo(tmp_path / "B" / "scan.png", 1)
    c = photo(tmp_path / "C" / "SCAN.PNG", 2)
    out = tmp_path / "out"
    plan = plan_batch([a, b, c], OutputSettings(out))
    assert [j.output for j in plan.jobs] == [out / "Scan.png", out / "scan (2).png", out / "SCAN (3).PNG"]
    assert [n for _, n in plan.notes] == [
        "another photo is also called scan.png: this one is written as scan (2).png",
        "another photo is also called SCAN.PNG: this one is written as SCAN (3).PNG"]
    nfd = photo(tmp_path / "D" / "O\u0308ma.png", 3)  # "Öma" decomposed, as HFS+ lists it
    nfc = photo(tmp_path / "E" / "\u00d6ma.png", 4)  # composed
    plan = plan_batch([nfd, nfc], OutputSettings(out))
    assert [j.output.name for j in plan.jobs] == ["O\u0308ma.png", "\u00d6ma (2).png"]


def test_a_photo_asked_again_in_another_case_keeps_its_output_and_its_input_is_never_its_output(tmp_path):
    """The same source given again (a re-plan) keeps its output; an output folder that is the input's
    folder is refused even when only the case of the output differs from an existing input (a
    case-insensitive disk: the same file; here found through ``samefile``, as it exists)."""
    a = photo(tmp_path / "A" / "Scan.png")
    planner = OutputPlanner(OutputSettings(tmp_path / "out"))
    first = planner.decide(a, Path("Scan.png")).job.output
    assert planner.decide(a, Path("Scan.png")).job.output == first
    assert planner.decide(a, Path("scan.png")).job.output == first.with_name("scan.png")  # its own: no (2)
    refused = plan_batch([a], OutputSettings(a.parent))
    assert refused.jobs == [] and "would overwrite the input" in refused.problems[0][1]


# -- non-ASCII names ------------------------------------------------------------------------------------

def test_non_ascii_names_are_found_planned_and_queued_across_a_restart(tmp_path):
    """Found in a folder, planned to the same names, and kept by a saved queue (written as UTF-8 whatever
    the system's code page: Windows' is cp1252 or another that has no 外 or 🎂)."""
    src = tmp_path / "Fotos – Familie"
    sources = [photo(src / name, i) for i, name in enumerate(NAMES)]
    found, missing = find_photos([src], recursive=False)
    assert missing == [] and sorted(s for s, _ in found) == sorted(sources)
    assert sorted(r.name for _, r in found) == sorted(NAMES)
    out = tmp_path / "Ausgabe – Ærø"
    plan = plan_batch([src], OutputSettings(out))
    assert sorted(j.output for j in plan.jobs) == sorted(out / n for n in NAMES) and plan.notes == []

    queue = JobQueue()
    added, missing = queue.add([src])
    assert missing == [] and len(added) == 3
    planner = OutputPlanner(OutputSettings(out))
    queue.begin_batch(planner)
    queue.plan_waiting(planner)
    saved = tmp_path / "état" / "queue.json"
    queue.save(saved, {"output": str(out)})
    saved.read_bytes().decode("utf-8")  # UTF-8, not the code page
    restored, extra = JobQueue.load(saved)
    assert extra == {"output": str(out)}
    assert [(i.source, i.relative, i.output) for i in restored.items] == \
        [(i.source, i.relative, i.output) for i in queue.items]
    assert sorted(i.output.name for i in restored.items) == sorted(NAMES)
    assert restored.add([src]) == ([], [])  # the same photos, found again: already queued


def test_the_command_line_colorizes_photos_with_non_ascii_names(tmp_path, model_file, capsys):
    src = tmp_path / "Fotos – Ærø"
    sources = [photo(src / name, i, size=(48, 40)) for i, name in enumerate(NAMES)]
    before = {s: digest(s) for s in sources}
    out = tmp_path / "输出"
    assert colorize(src, "-o", out, "--model", model_file) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)
    for name in NAMES:
        with Image.open(out / name) as img:
            img.load()
            assert img.mode == "RGB" and img.size == (48, 40)
    assert {s: digest(s) for s in sources} == before
    err = capsys.readouterr().err
    assert "3 colorized" in err and "Großmutter 1952 – Ærø.jpg" in err


# -- a path over 260 characters -------------------------------------------------------------------------

def test_a_photo_deeper_than_260_characters_is_found_planned_and_written(tmp_path, model_file, capsys):
    """Windows' old limit (MAX_PATH, 260) applies unless the system allows long paths (a registry setting)
    and the program says it is long-path aware (Python's own executable does; a frozen app needs it in its
    manifest). On Linux this just works; the Windows runner tells whether the app does there too."""
    top = tmp_path / "Familienarchiv"
    deep = top.joinpath(*(f"Ordner {i} – Fotos der Familie Müller aus Ærø" for i in range(7)))
    source = photo(deep / "Großmutter 1952 – Hochzeit.png", size=(48, 40))
    before = digest(source)
    out = tmp_path / "Ausgabe"
    assert len(str(source)) > 260
    found, _ = find_photos([top], recursive=True)
    assert found == [(source, source.relative_to(top))]
    plan = plan_batch([top], OutputSettings(out), recursive=True)
    expected = out / source.relative_to(top)
    assert [j.output for j in plan.jobs] == [expected] and len(str(expected)) > 260
    assert colorize(top, "-r", "-o", out, "--model", model_file) == 0
    with Image.open(expected) as img:
        img.load()
        assert img.size == (48, 40)
    assert digest(source) == before
    assert writer.temporary_files(expected) == []


# -- an output another process holds open ---------------------------------------------------------------

@pytest.fixture
def held_open():
    """Start a process that holds a file open for writing until the test ends."""
    holders = []

    def hold(path: Path) -> subprocess.Popen:
        code = "import sys; f = open(sys.argv[1], 'ab'); print('open', flush=True); sys.stdin.read()"
        proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        holders.append(proc)
        assert proc.stdout.readline().strip() == "open"
        return proc

    yield hold
    for proc in holders:
        proc.stdin.close()
        proc.wait(timeout=10)


def test_an_output_held_open_by_another_process_is_replaced_whole(tmp_path, held_open):
    """On Linux and macOS the rename replaces the name and the other process keeps the old file, so the
    new output is complete at once. On Windows ``os.replace`` onto a file another program holds open (an
    image viewer, an antivirus scan, a sync client) fails with PermissionError (access denied); that path is
    the next test's."""
    source = photo(tmp_path / "in" / "a.png")
    before = digest(source)
    target = tmp_path / "out" / "a.png"
    target.parent.mkdir()
    target.write_bytes(b"an earlier result")
    proc = held_open(target)
    pixels = (np.random.default_rng(1).random((20, 24, 3)) * 255).astype(np.uint8)
    writer.write_image(target, pixels, format="png", provenance=Provenance(model="tiny-test"))
    assert proc.poll() is None  # still holding it
    with Image.open(target) as img:
        assert np.array_equal(np.asarray(img.convert("RGB")), pixels)
    assert digest(source) == before
    assert writer.temporary_files(target) == []


def test_a_replace_refused_as_on_windows_fails_that_photo_clearly_and_the_batch_goes_on(
        tmp_path, model_file, monkeypatch, capsys):
    """Windows refuses ``os.replace`` onto an output another program holds open (PermissionError, access
    denied). Simulated here once: that photo fails with a message that says why, its earlier output stays
    as it was (never half-written), no temporary file is left, and the next photo is colorized."""
    src = tmp_path / "in"
    a, b = photo(src / "a.png", 0, (48, 40)), photo(src / "b.png", 1, (48, 40))
    before = {p: digest(p) for p in (a, b)}
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"an earlier result, open in a viewer")
    real_replace = os.replace
    refused = []

    def replace(src_path, dst_path, *args, **kwargs):
        if Path(dst_path) == out / "a.png" and not refused:
            refused.append(dst_path)
            raise PermissionError(errno.EACCES, "Access is denied", str(dst_path))
        return real_replace(src_path, dst_path, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    assert colorize(src, "-o", out, "--model", model_file, "--overwrite") == 1
    err = capsys.readouterr().err
    assert refused == [out / "a.png"]
    failed = [line for line in err.splitlines() if line.strip().startswith("FAILED")]
    assert len(failed) == 1 and "a.png" in failed[0] and "open in another program" in failed[0]
    assert "1 colorized" in err and "1 failed" in err
    assert (out / "a.png").read_bytes() == b"an earlier result, open in a viewer"
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"]  # no temporary file left
    with Image.open(out / "b.png") as img:
        img.load()
    assert {p: digest(p) for p in (a, b)} == before


def test_the_command_line_tells_of_non_ascii_names_through_a_windows_code_page(tmp_path, model_file):
    """A console or a pipe on Windows (CI's log, a .bat redirected to a file) may encode in cp1252, which has
    no 外 or 🎂: the command line must still colorize and end with its code (Python's stderr escapes what
    the code page lacks; nothing of colorize's goes to stdout). Simulated with PYTHONIOENCODING."""
    src = tmp_path / "in"
    photo(src / "🎂 外婆.png", size=(48, 40))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([sys.executable, "-m", "colorstudio", "colorize", str(src), "-o", str(out),
                           "--model", str(model_file), "--device", "cpu"],
                          env=env, capture_output=True, timeout=300)
    err = done.stderr.decode("cp1252")
    assert done.returncode == 0, err
    assert "1 colorized" in err and "\\U0001f382 \\u5916\\u5a46.png" in err
    assert [p.name for p in out.iterdir()] == ["🎂 外婆.png"]
