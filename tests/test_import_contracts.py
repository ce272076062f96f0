"""The import contracts of pyproject.toml hold (CI runs `lint-imports` too), and no service imports the
request-bound parts of Flask, which import-linter cannot see (it tracks modules, not names)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST_BOUND = {
    "request",
    "session",
    "g",
    "url_for",
    "render_template",
    "render_template_string",
    "flash",
    "abort",
    "redirect",
    "make_response",
}


def test_lint_imports_keeps_every_contract():
    lint = Path(sys.executable).with_name("lint-imports")

    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_service_imports_request_bound_flask():
    found = []
    for path in sorted((ROOT / "sprint" / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                found += [
                    f"{path.relative_to(ROOT)}: {alias.name}" for alias in node.names if alias.name in REQUEST_BOUND
                ]
            elif isinstance(node, ast.Import) and any(alias.name == "flask" for alias in node.names):
                found.append(f"{path.relative_to(ROOT)}: import flask")

    assert found == []
