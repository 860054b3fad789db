"""The window's parts talk through the photo session, and a hint has one form (issue 29). Read from the source,
without Qt."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[1] / "src" / "colorstudio" / "gui"
SRC = GUI.parent
ASSEMBLERS = {"main_window.py", "app.py"}  # they build the window and keep it; nothing else may


def keeps_window(source: str) -> list[int]:
    """Lines where a class keeps or reaches through ``self.window``."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == "window"
            and isinstance(node.value, ast.Name) and node.value.id == "self"]


def _named(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def hint_in_another_form(source: str) -> list[int]:
    """Lines where a hint is made from a list (``ColorHint(*values)``) or read by position (``hints[i][2]``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and _named(node.func) == "ColorHint"
                and any(isinstance(arg, ast.Starred) for arg in node.args)):
            found.append(node.lineno)
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript)
              and "hint" in _named(node.value.value).lower()):
            found.append(node.lineno)
    return found


def test_no_part_of_the_window_but_its_assembler_keeps_the_window():
    files = sorted(GUI.rglob("*.py"))
    assert len(files) > 20
    offenders = [f"{path.relative_to(GUI)}:{line}" for path in files if path.name not in ASSEMBLERS
                 for line in keeps_window(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_a_hint_is_a_colorhint_everywhere():
    offenders = [f"{path.relative_to(SRC)}:{line}" for path in sorted(SRC.rglob("*.py"))
                 for line in hint_in_another_form(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_checks_find_what_they_look_for():
    assert keeps_window("class A:\n    def __init__(self, window):\n        self.window = window\n") == [3]
    assert keeps_window("def f(self):\n    return self.window.viewer\n") == [2]
    assert keeps_window("def f(self, window):\n    window.viewer.update()\n") == []
    assert hint_in_another_form("h = [ColorHint(*v) for v in values]\n") == [1]
    assert hint_in_another_form("radius = item.hints[0][4]\n") == [1]
    assert hint_in_another_form("a = hint[2]\nb = item.hints[0].radius\n") == []
