"""A wheel built from the checkout installs a working app: templates, static files and migrations
included. Built with `python -m build` as a release would be, installed with `pip --no-deps` into a
fresh venv that borrows this venv's third-party packages (kept fast), then run from outside the checkout."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "instance", "build", "dist", "*.egg-info", "__pycache__", "tests")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The venv's python, with only the wheel's sprint and solver (not the checkout's)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("sprint_placement-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    python = work / "venv" / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    # This venv's packages, after the new venv's own: a plain path line runs none of their .pth
    # files, so the editable install of the checkout stays out.
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    return python


def _env(folder: Path, **extra: str) -> dict:
    kept = {key: value for key, value in os.environ.items() if not key.startswith("SPRINT_") and key != "DATABASE_URL"}
    return {**kept, "SPRINT_INSTANCE_PATH": str(folder / "instance"), **extra}


def test_the_wheel_holds_the_templates_static_files_and_migrations(installed):
    found = subprocess.check_output(
        [
            installed,
            "-c",
            "import sprint; print(sprint.__file__, sprint.shipped('templates'), sprint.shipped('migrations'))",
        ],
        text=True,
        cwd=installed.parent,
    ).split()
    package = Path(found[0]).parent

    assert not package.is_relative_to(ROOT), "the checkout's sprint was imported, not the wheel's"
    assert Path(found[1]) == package / "templates" and (package / "templates" / "errors" / "error.html").exists()
    assert Path(found[2]) == package / "migrations" and list((package / "migrations" / "versions").glob("*.py"))
    assert (package / "static" / "js" / "ranklist.js").exists()
    assert (package / "translations" / "es" / "LC_MESSAGES" / "messages.mo").exists()  # Spanish, compiled


def test_from_the_wheel_setup_db_builds_the_schema_and_pages_answer(installed, tmp_path):
    env = _env(tmp_path)
    sprint = installed.parent / "sprint"

    setup = subprocess.run([sprint, "setup-db"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    assert "newest schema" in setup.stdout
    pages = subprocess.run(
        [
            installed,
            "-c",
            textwrap.dedent("""
            from sprint import create_app
            client = create_app().test_client()
            for path in ("/healthz", "/login", "/static/js/ranklist.js", "/no-such-page"):
                print(path, client.get(path).status_code)
            spanish = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
            print("spanish", "Iniciar sesión" in spanish)
        """),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert pages.stdout.split("\n")[:5] == [
        "/healthz 200",
        "/login 200",
        "/static/js/ranklist.js 200",
        "/no-such-page 404",
        "spanish True",  # the compiled catalog ships in the wheel
    ], pages.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_the_production_app_from_the_wheel(installed, tmp_path):
    env = _env(
        tmp_path,
        SPRINT_ENV="production",
        SPRINT_SECRET_KEY="k" * 40,
        SPRINT_BASE_URL="https://placement.example.org",
        SPRINT_TRUSTED_PROXIES="1",
        SPRINT_RATELIMIT_ALLOW_MEMORY="true",
    )
    subprocess.run([installed.parent / "sprint", "setup-db"], env=env, cwd=tmp_path, check=True, capture_output=True)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [installed, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "sprint:create_app()"],
        env=env,
        cwd=tmp_path,
        stderr=log,
    )
    try:
        answers = {}
        for path in ("/healthz", "/login"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Host": "placement.example.org", "X-Forwarded-Proto": "https", "X-Request-ID": "lb-42"},
            )
            answers[path] = _fetch(request)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    assert answers["/healthz"][0] == 200 and b'"database": "ok"' in answers["/healthz"][1].replace(b'":"', b'": "')
    assert answers["/login"][0] == 200 and answers["/login"][2] == "lb-42"  # the proxy's id, kept


def _fetch(request: urllib.request.Request) -> tuple[int, bytes, str]:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read(), response.headers.get("X-Request-ID", "")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
