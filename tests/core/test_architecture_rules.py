"""Rules of the code's shape: core imports no Qt; shipped files are found from one place."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import colorstudio
from colorstudio import paths

SRC = Path(colorstudio.__file__).resolve().parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "qtpy", "superqt", "shiboken6")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_under_core_imports_qt():
    offenders = []
    files = sorted((SRC / "core").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imported_modules(path):
            if name.split(".")[0] in QT_MODULES:
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_importing_all_of_core_loads_no_qt():
    modules = [".".join(p.relative_to(SRC.parent).with_suffix("").parts) for p in (SRC / "core").rglob("*.py")]
    modules = [m.removesuffix(".__init__") for m in modules]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            f"print(sorted(n for n in sys.modules if n.split('.')[0] in {QT_MODULES!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_shipped_folders_resolve_to_the_checkout_or_the_package():
    for folder in (paths.shipped_models_dir(), paths.resources_dir()):
        assert folder.is_dir()
        assert folder.name in ("models", "resources")
        assert folder.parent in (SRC / "_data", SRC.parents[1])


def test_user_folders_follow_the_override(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORSTUDIO_HOME", str(tmp_path))
    assert paths.user_models_dir() == tmp_path / "data" / "models"
    assert paths.user_config_dir() == tmp_path / "config"


def test_the_command_line_parser_and_version_load_no_torch():
    code = ("import sys\nfrom colorstudio.cli import build_parser\nbuild_parser()\n"
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_architecture_names_known_before_torch_match_the_registry():
    from colorstudio.core.models import registry
    from colorstudio.core.options import ARCHITECTURE_NAMES

    assert sorted(ARCHITECTURE_NAMES) == sorted(registry.available())


def test_no_module_under_cli_imports_the_window():
    files = sorted((SRC / "cli").rglob("*.py"))
    assert len(files) > 3
    offenders = [f"{path.relative_to(SRC)} imports {name}" for path in files for name in _imported_modules(path)
                 if name.split(".")[:2] == ["colorstudio", "gui"] or name.split(".")[0] in QT_MODULES]
    assert offenders == []


def test_running_a_command_loads_neither_qt_nor_the_window(tmp_path):
    code = ("import sys\nfrom colorstudio.__main__ import main\nrc = main(['models'])\n"
            f"print(rc, sorted(n for n in sys.modules if n.split('.')[0] in {QT_MODULES!r} or n.startswith('colorstudio.gui')))")
    env = {**__import__("os").environ, "COLORSTUDIO_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_every_window_module_imports_without_torch():
    """The window opens before torch loads: no module of colorstudio.gui imports it when imported."""
    modules = [".".join(p.relative_to(SRC.parent).with_suffix("").parts) for p in (SRC / "gui").rglob("*.py")]
    modules = [m.removesuffix(".__init__") for m in modules]
    assert len(modules) > 10
    code = ("import importlib, os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in ('torch', 'torchvision')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_ray_is_imported_only_by_the_cluster_layer_and_only_when_a_job_runs():
    """The base install has no Ray: core, cli and gui never import it; the cluster layer does inside its
    functions, so that importing it (the command line does, for --cluster) needs no Ray."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                if name.split(".")[0] in ("ray", "upath"):
                    inside_cluster = path.relative_to(SRC).parts[0] == "cluster"
                    if not inside_cluster or node in top_level:
                        offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []
    code = ("import sys, importlib\n"
            "for m in ('colorstudio.cluster.colorize_job', 'colorstudio.cluster.train_job', "
            "'colorstudio.cluster.connect', 'colorstudio.cluster.storage', 'colorstudio.cli'):\n"
            "    importlib.import_module(m)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in ('ray', 'upath', 'pyarrow')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
