"""Production on Redis, as documented: RATELIMIT_STORAGE_URI=redis://… starts, and two app processes
(two gunicorn workers, or two web hosts) count failed logins together."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import redis

from sprint import create_app
from sprint.extensions import db

LIMITS_URL = "redis://127.0.0.1:6379/12"  # a database of its own: the queue tests use 13


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(LIMITS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and not _redis_up(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)"
)

ATTEMPTS = textwrap.dedent("""
    import sys
    from sprint import create_app
    client = create_app().test_client()
    for _ in range(int(sys.argv[1])):
        answer = client.post("/login", data={"email": "nobody@example.org", "password": "wrong guess!"},
                             base_url="https://placement.example.org", environ_base={"REMOTE_ADDR": "203.0.113.9"})
        print(answer.status_code)
""")


def test_two_production_processes_count_failed_logins_in_one_redis(tmp_path):
    store = redis.Redis.from_url(LIMITS_URL)
    store.flushdb()
    database = f"sqlite:///{tmp_path / 'app.sqlite'}"
    schema = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": database})
    with schema.app_context():
        db.create_all()
        db.engine.dispose()
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("SPRINT_")},
        "SPRINT_ENV": "production",
        "SPRINT_INSTANCE_PATH": str(tmp_path),
        "SPRINT_SECRET_KEY": "k" * 40,
        "SPRINT_BASE_URL": "https://placement.example.org",
        "SPRINT_SQLALCHEMY_DATABASE_URI": database,
        "SPRINT_RATELIMIT_STORAGE_URI": LIMITS_URL,
        "SPRINT_LOGIN_FAILURES_PER_ADDRESS": "3 per minute",
        "SPRINT_WTF_CSRF_ENABLED": "false",
        "SPRINT_QUEUE_URL": "immediate",
    }

    def attempts(count: int) -> list[int]:
        done = subprocess.run(
            [sys.executable, "-c", ATTEMPTS, str(count)], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return [int(line) for line in done.stdout.split()]

    try:
        first, second = attempts(3), attempts(1)
        assert store.dbsize() > 0  # the counts live in Redis
    finally:
        store.flushdb()

    assert first == [400, 400, 400]
    assert second == [429]  # another process, the same count
