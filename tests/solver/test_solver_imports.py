"""solver/ must never depend on the web app or its stack."""

from __future__ import annotations

import ast
from pathlib import Path

import solver

FORBIDDEN = {"flask", "sqlalchemy", "wtforms", "sprint"}
PACKAGE = Path(solver.__file__).parent


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0].lower() for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0].lower())
    return roots


def test_solver_modules_import_no_web_stack():
    modules = sorted(PACKAGE.rglob("*.py"))

    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & FORBIDDEN)
        for path in modules
        if _imported_roots(path) & FORBIDDEN
    }

    assert len(modules) >= 10
    assert offenders == {}


def test_the_scan_would_catch_a_flask_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import os\nfrom flask import Flask\nimport sqlalchemy.orm\n")

    assert _imported_roots(sample) & FORBIDDEN == {"flask", "sqlalchemy"}


def test_checks_module_needs_no_ortools():
    assert "ortools" not in _imported_roots(PACKAGE / "checks.py")
    assert "ortools" not in _imported_roots(PACKAGE / "deferred_acceptance.py")


def _solver_imports(path: Path) -> set[str]:
    """The solver modules a module imports anywhere (top level or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_solver_modules_import_one_another_without_a_cycle():
    graph = {path.stem: _solver_imports(path) for path in PACKAGE.glob("*.py")}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycles.append(trail[trail.index(module) :] + [module])
            return
        for target in sorted(graph.get(module, ())):
            visit(target, trail + [module])

    for module in sorted(graph):
        if module != "__init__":
            visit(module, [])

    assert graph["model"] and graph["validate"]  # the scan sees imports
    assert cycles == []
