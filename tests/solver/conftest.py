"""Fixtures for the solver tests (no Flask app needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # let the tests import solver_testkit under any --import-mode
    sys.path.insert(0, HERE)


@pytest.fixture
def run_cli():
    """Run ``python -m solver ...`` in a subprocess; returns the CompletedProcess."""

    def run(*args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        return subprocess.run(
            [sys.executable, "-m", "solver", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    return run


@pytest.fixture
def write_json(tmp_path):
    """Write data as JSON in a temporary file; returns its path as a string."""

    def write(name: str, data) -> str:
        path = tmp_path / name
        path.write_text(json.dumps(data))
        return str(path)

    return write
