"""The shape of the code, read from the source (nothing of it is imported, Qt least of all):

- no import cycle among colorstudio's modules (an import inside a function counts too);
- no module uses a private name (``_x``, not ``__x__``) of another module, imported or read off the module;
- the core imports no Qt, and the command line nothing of the window.

The checks are also run on small made-up source trees, so each is seen to fail when it should.
"""

from __future__ import annotations

import ast
import functools
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = "colorstudio"
QT_PACKAGES = {"PySide6", "PySide2", "PyQt6", "PyQt5", "shiboken6", "shiboken2", "qtpy"}


@dataclass(frozen=True)
class Module:
    name: str  # dotted; a package is its __init__.py
    path: Path
    is_package: bool
    tree: ast.Module


@dataclass(frozen=True)
class Import:
    """What one import statement takes: from the module ``target``, the name ``name`` ("": the module itself),
    bound in the importer as ``bound``, which names the module ``binds`` ("": a name, not a module)."""

    target: str
    name: str
    bound: str
    binds: str
    line: int


def read_modules(src: Path) -> dict[str, Module]:
    """Every module under ``src``, by dotted name."""
    modules = {}
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        modules[name] = Module(name, path, is_package, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return modules


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` statement reads from, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    if not module.is_package:
        package.pop()
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def imports_of(module: Module, modules: dict[str, Module]) -> list[Import]:
    """All the imports of ``module``, wherever they stand (in functions, under ``if TYPE_CHECKING``...);
    ``from package import name`` reads the submodule ``package.name`` when there is one."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]  # ``import a.b.c`` binds ``a``
                found.append(Import(alias.name, "", bound, alias.name if alias.asname else bound, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            for alias in node.names:
                bound = alias.asname or alias.name
                if f"{base}.{alias.name}" in modules:
                    found.append(Import(f"{base}.{alias.name}", "", bound, f"{base}.{alias.name}", node.lineno))
                else:
                    found.append(Import(base, alias.name, bound, "", node.lineno))
    return found


def import_graph(modules: dict[str, Module]) -> dict[str, dict[str, int]]:
    """module -> {module it imports: the line of its first such import}, among ``modules`` only (the packages
    above an imported module, which Python runs first, are not counted: ``import a.b`` is an edge to ``a.b``)."""
    graph: dict[str, dict[str, int]] = {}
    for name, module in modules.items():
        edges = graph.setdefault(name, {})
        for imported in imports_of(module, modules):
            if imported.target in modules and imported.target != name:
                edges[imported.target] = min(edges.get(imported.target, imported.line), imported.line)
    return graph


def _strong_components(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One shortest cycle ([a, b, ..., a]) for each group of modules that import each other."""
    found = []
    for component in _strong_components(graph):
        if len(component) < 2:
            continue
        start = min(component)
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in graph[node]:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                found.append([*reversed(path), start])
                break
            for nxt in sorted(graph[node]):
                if nxt in component and nxt not in came_from and nxt != start:
                    came_from[nxt] = node
                    queue.append(nxt)
    return sorted(found)


def describe_cycle(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    """``a:12 -> b:40 -> a``: each module, at the line of its import of the next."""
    return " -> ".join([f"{a}:{graph[a][b]}" for a, b in zip(cycle, cycle[1:])] + [cycle[-1]])


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_owner(target: str, name: str) -> str | None:
    """Where a private name is at home: the module whose own name it is, or the package holding a private
    module (its modules may use it); None for public names."""
    parts = target.split(".") + ([name] if name else [])
    for depth, part in enumerate(parts):
        if _private(part):
            return ".".join(parts[:depth])
    return None


def _foreign(importer: str, target: str, name: str) -> bool:
    owner = _private_owner(target, name)
    return owner is not None and importer != owner and not importer.startswith(owner + ".")


def _attribute_chain(node: ast.Attribute) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None when the chain does not start from a plain name."""
    chain = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        chain.append(value.attr)
        value = value.value
    return [value.id, *reversed(chain)] if isinstance(value, ast.Name) else None


def private_uses(module: Module, modules: dict[str, Module]) -> list[str]:
    """``module:line uses target.name`` for each private name of another module (of this project) that ``module``
    imports, or reads as an attribute of a module it imported."""
    imports = [i for i in imports_of(module, modules) if i.target.partition(".")[0] in _roots(modules)]
    found = {(i.line, i.target, i.name) for i in imports if _foreign(module.name, i.target, i.name)}
    bound = {i.bound: i.binds for i in imports if i.binds}
    for node in ast.walk(module.tree):
        chain = _attribute_chain(node) if isinstance(node, ast.Attribute) else None
        if not chain or chain[0] not in bound:
            continue
        target = bound[chain[0]]
        for part in chain[1:-1]:  # through submodules: ``colorstudio.core.pipeline._gain``
            if f"{target}.{part}" not in modules:
                break
            target = f"{target}.{part}"
        else:
            name = chain[-1]
            if f"{target}.{name}" in modules:
                target, name = f"{target}.{name}", ""
            if _foreign(module.name, target, name):
                found.add((node.lineno, target, name))
    return [f"{module.name}:{line} uses {target}" + (f".{name}" if name else "") for line, target, name in sorted(found)]


def _roots(modules: dict[str, Module]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def forbidden_imports(modules: dict[str, Module], layer: str, forbidden) -> list[str]:
    """``module:line imports target`` for each import, by a module of the package ``layer``, of a module that
    ``forbidden(target)`` refuses."""
    found = []
    for name, module in sorted(modules.items()):
        if name == layer or name.startswith(layer + "."):
            found += [f"{name}:{i.line} imports {i.target}" for i in imports_of(module, modules)
                      if forbidden(i.target)]
    return sorted(set(found))


def _is_qt(target: str) -> bool:
    return target.partition(".")[0] in QT_PACKAGES or _is_window(target)


def _is_window(target: str) -> bool:
    return target == f"{PACKAGE}.gui" or target.startswith(f"{PACKAGE}.gui.")


@functools.cache
def _project() -> dict[str, Module]:
    return read_modules(SRC)


# -- the project ---------------------------------------------------------------------------------------------------
def test_no_import_cycle():
    graph = import_graph(_project())
    found = cycles(graph)
    assert not found, "import cycles (each module:line imports the next):\n" + "\n".join(
        describe_cycle(cycle, graph) for cycle in found)


def test_no_module_uses_another_modules_private_names():
    modules = _project()
    found = [use for module in modules.values() for use in private_uses(module, modules)]
    assert not found, "private names used outside their module:\n" + "\n".join(found)


def test_core_imports_no_qt():
    found = forbidden_imports(_project(), f"{PACKAGE}.core", _is_qt)
    assert not found, "\n".join(found)


def test_command_line_imports_nothing_of_the_window():
    found = forbidden_imports(_project(), f"{PACKAGE}.cli", _is_window)
    assert not found, "\n".join(found)


def test_the_project_is_read():
    graph = import_graph(_project())
    assert {f"{PACKAGE}.core.pipeline", f"{PACKAGE}.cli.colorize_cmd", f"{PACKAGE}.gui.main_window"} <= set(graph)
    # ``from colorstudio.core import batch`` is an import of the module colorstudio.core.batch
    assert f"{PACKAGE}.core.batch" in graph[f"{PACKAGE}.cli.colorize_cmd"]


# -- the checks themselves, on made-up trees ------------------------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> dict[str, Module]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return read_modules(root)


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    modules = _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "import os\nfrom pkg import b\n",
        "pkg/b.py": "from pkg.c import VALUE\n\n\ndef f():\n    from . import a\n    return a\n",
        "pkg/c.py": "VALUE = 1\n",
        "pkg/d.py": "import pkg.c\n",
    })
    graph = import_graph(modules)
    assert graph["pkg.a"] == {"pkg.b": 2} and graph["pkg.b"] == {"pkg.c": 1, "pkg.a": 5}
    assert graph["pkg.d"] == {"pkg.c": 1}
    found = cycles(graph)
    assert found == [["pkg.a", "pkg.b", "pkg.a"]]
    assert describe_cycle(found[0], graph) == "pkg.a:2 -> pkg.b:5 -> pkg.a"


def test_a_longer_cycle_and_a_name_from_a_package(tmp_path):
    modules = _tree(tmp_path, {
        "pkg/__init__.py": "from pkg.sub.x import X\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/x.py": "from pkg.sub import y\nX = 1\n",
        "pkg/sub/y.py": "from ..sub.z import Z\n",
        "pkg/sub/z.py": "from pkg import X as Z\n",  # a name of the package pkg: an import of pkg itself
    })
    graph = import_graph(modules)
    assert graph["pkg.sub.y"] == {"pkg.sub.z": 1}
    assert cycles(graph) == [["pkg", "pkg.sub.x", "pkg.sub.y", "pkg.sub.z", "pkg"]]
    (tmp_path / "pkg/sub/z.py").write_text("Z = 2\n", encoding="utf-8")
    assert cycles(import_graph(read_modules(tmp_path))) == []


def test_private_names_of_other_modules_are_found(tmp_path):
    modules = _tree(tmp_path, {
        "pkg/__init__.py": "__version__ = '1'\n",
        "pkg/a.py": "_HIDDEN = 1\nPUBLIC = 2\n\n\ndef _helper():\n    return _HIDDEN\n",
        "pkg/_kernel.py": "def run():\n    pass\n",
        "pkg/ok.py": ("from pkg import __version__, _kernel\nfrom pkg.a import PUBLIC\nfrom pkg import a\n\n\n"
                      "class C:\n    def m(self):\n        return self._x, a.PUBLIC, _kernel.run, __version__\n"),
        "pkg/bad.py": "def f():\n    from .a import _helper\n    return _helper()\n",
        "pkg/bad_attribute.py": "import pkg.a\nfrom pkg import a as alias\n\nX = pkg.a._HIDDEN + alias._helper()\n",
        "other/__init__.py": "",
        "other/user.py": "from pkg import _kernel\nimport pkg._kernel as k\n",
    })
    uses = {name: private_uses(module, modules) for name, module in modules.items()}
    assert uses["pkg.ok"] == [] and uses["pkg.a"] == [] and uses["pkg"] == []
    assert uses["pkg.bad"] == ["pkg.bad:2 uses pkg.a._helper"]
    assert uses["pkg.bad_attribute"] == ["pkg.bad_attribute:4 uses pkg.a._HIDDEN", "pkg.bad_attribute:4 uses pkg.a._helper"]
    assert uses["other.user"] == ["other.user:1 uses pkg._kernel", "other.user:2 uses pkg._kernel"]  # a private module


def test_forbidden_imports_are_found(tmp_path):
    modules = _tree(tmp_path, {
        f"{PACKAGE}/__init__.py": "",
        f"{PACKAGE}/core/__init__.py": "",
        f"{PACKAGE}/core/view.py": "def show():\n    from PySide6.QtWidgets import QLabel\n    return QLabel\n",
        f"{PACKAGE}/core/fine.py": "import numpy\nfrom colorstudio import paths\n",
        f"{PACKAGE}/paths.py": "",
        f"{PACKAGE}/cli/__init__.py": "",
        f"{PACKAGE}/cli/cmd.py": "from colorstudio import gui\nfrom colorstudio.core import fine\n",
        f"{PACKAGE}/gui/__init__.py": "import PySide6\n",
    })
    assert forbidden_imports(modules, f"{PACKAGE}.core", _is_qt) == [
        f"{PACKAGE}.core.view:2 imports PySide6.QtWidgets"]
    assert forbidden_imports(modules, f"{PACKAGE}.cli", _is_window) == [f"{PACKAGE}.cli.cmd:1 imports {PACKAGE}.gui"]
