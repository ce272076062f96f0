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

    offenders = {str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & FORBIDDEN)
                 for path in modules if _imported_roots(path) & FORBIDDEN}

    assert len(modules) >= 10
    assert offenders == {}


def test_the_scan_would_catch_a_flask_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import os\nfrom flask import Flask\nimport sqlalchemy.orm\n")

    assert _imported_roots(sample) & FORBIDDEN == {"flask", "sqlalchemy"}


def test_checks_module_needs_no_ortools():
    assert "ortools" not in _imported_roots(PACKAGE / "checks.py")
    assert "ortools" not in _imported_roots(PACKAGE / "deferred_acceptance.py")
