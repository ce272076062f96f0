"""The job queue: the embedded default needs no server, Redis serves production, tests run jobs at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey

from sprint import create_app
from sprint.services.support import job_status, jobs

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp_path: Path, queue_url: str, in_web: bool = False):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 32,
            "QUEUE_URL": queue_url,
            "RUN_IN_WEB": in_web,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
        }
    )


def test_the_queue_url_picks_the_storage(tmp_path):
    config = {"QUEUE_URL": "sqlite"}
    assert isinstance(jobs.queue_for(config, str(tmp_path)), SqliteHuey)
    assert (tmp_path / "queue.sqlite").exists()  # in instance/, next to the database
    assert isinstance(jobs.queue_for({"QUEUE_URL": "redis://127.0.0.1:6379/15"}, str(tmp_path)), RedisHuey)
    assert jobs.queue_for({"QUEUE_URL": "immediate"}, str(tmp_path)).immediate
    assert isinstance(jobs.queue_for({"QUEUE_URL": "immediate"}, str(tmp_path)), MemoryHuey)
    with pytest.raises(ValueError, match="QUEUE_URL must be"):
        jobs.queue_for({"QUEUE_URL": "amqp://rabbit"}, str(tmp_path))


def test_two_apps_have_two_queues_and_a_job_runs_in_its_own_app_context(tmp_path):
    first, second = _app(tmp_path, "immediate"), _app(tmp_path / "b", "immediate")
    assert jobs.jobs_of(first).huey is not jobs.jobs_of(second).huey

    with first.app_context():
        jobs.enqueue("support.worker_alive")
        assert jobs.worker_last_seen() is not None
    assert jobs.worker_last_seen(second) is None


def test_a_job_name_is_registered_once(tmp_path):
    queue = jobs.jobs_of(_app(tmp_path, "immediate"))
    with pytest.raises(ValueError, match="Two jobs"):
        queue.register(jobs.Job("support.worker_alive", lambda: None))


def _worker_runs_queued_jobs(tmp_path: Path, queue_url: str) -> None:
    app = _app(tmp_path, queue_url)
    jobs.jobs_of(app).huey.flush()
    with app.app_context():
        jobs.enqueue("support.worker_alive")
    assert jobs.worker_last_seen(app) is None  # queued, not run: no worker yet
    env = {
        **os.environ,
        "SPRINT_INSTANCE_PATH": str(tmp_path),
        "QUEUE_URL": queue_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "sprint", "worker", "--no-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while jobs.worker_last_seen(app) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert jobs.worker_last_seen(app) is not None, "the worker did not run the queued job"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert "Worker on" in output


def test_a_worker_runs_the_jobs_of_the_embedded_sqlite_queue(tmp_path):
    _worker_runs_queued_jobs(tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}")  # what "sqlite" means in instance/


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL (.ci/run does) to test the Redis queue")
def test_a_worker_runs_the_jobs_of_a_redis_queue(tmp_path):
    _worker_runs_queued_jobs(tmp_path, os.environ["REDIS_URL"])


def test_the_embedded_default_does_work_queued_for_now_in_the_web_process_without_a_worker(tmp_path):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite'}", in_web=True)
    with app.app_context():
        jobs.enqueue("support.worker_alive").result(timeout=30)

    assert jobs.worker_last_seen(app) is not None
    assert jobs.jobs_of(app).depth()["pending"] == 0
    with app.app_context():
        assert job_status.job_status().in_web  # the dashboards say this process does the work


def test_with_redis_or_run_in_web_off_the_web_process_only_queues(tmp_path):
    assert not jobs.jobs_of(_app(tmp_path, "sqlite", in_web=False)).in_web
    assert not jobs.jobs_of(_app(tmp_path / "r", "redis://127.0.0.1:6379/15", in_web=True)).in_web
