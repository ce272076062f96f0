"""What the app says about itself: a request id on every response, log line and error page; JSON logs;
/healthz naming what failed; the background work on the staff dashboards; Sentry only by DSN."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from sprint import create_app
from sprint.extensions import db
from sprint.models import Role
from sprint.observability import init_sentry
from sprint.services.support import jobs
from sprint.services.support.job_status import job_status


def _app(tmp_path, **settings):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "QUEUE_URL": "immediate",
            "PROPAGATE_EXCEPTIONS": False,  # a failing view answers 500 as in production
            **settings,
        }
    )
    with app.app_context():
        db.create_all()

    @app.get("/boom")
    def boom():
        raise RuntimeError("the test's own failure")

    return app


@pytest.fixture
def disposed():
    made = []
    yield made.append
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_every_answer_has_a_request_id_that_the_error_page_shows(tmp_path, disposed):
    app = _app(tmp_path)
    disposed(app)

    missing = app.test_client().get("/no-such-page", headers={"X-Request-ID": "chosen-by-client"})

    request_id = missing.headers["X-Request-ID"]
    assert missing.status_code == 404 and len(request_id) == 32
    assert request_id != "chosen-by-client"  # no trusted proxy: a client cannot pick it
    assert f'<code id="request-id">{request_id}</code>' in missing.get_data(as_text=True)


@pytest.mark.parametrize(
    ("sent", "kept"), [("lb-2f9c0a", True), ("bad id with spaces", False), ("x" * 200, False), ("a;b", False)]
)
def test_behind_a_trusted_proxy_its_sane_request_id_is_kept(tmp_path, disposed, sent, kept):
    app = _app(tmp_path, TRUSTED_PROXIES=1)
    disposed(app)

    answer = app.test_client().get("/login", headers={"X-Request-ID": sent})

    assert (answer.headers["X-Request-ID"] == sent) is kept


def test_json_logs_carry_the_request_id_and_the_500_page_shows_it(tmp_path, disposed, capsys):
    app = _app(tmp_path, LOG_FORMAT="json")
    disposed(app)
    capsys.readouterr()

    failed = app.test_client().get("/boom")

    request_id = failed.headers["X-Request-ID"]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    (error,) = [line for line in lines if line["level"] == "ERROR"]
    assert failed.status_code == 500 and request_id in failed.get_data(as_text=True)
    assert error["request_id"] == request_id and error["logger"] == "sprint" and "time" in error
    assert "the test's own failure" in error["exc_info"]


def test_plain_logs_carry_the_request_id_too(tmp_path, disposed, capsys):
    app = _app(tmp_path, LOG_FORMAT="plain")
    disposed(app)
    capsys.readouterr()

    failed = app.test_client().get("/boom")

    assert f"ERROR sprint [{failed.headers['X-Request-ID']}] Exception on /boom" in capsys.readouterr().err


def test_healthz_names_the_database_when_it_does_not_answer():
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 40,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",  # nothing listens there
            "QUEUE_URL": "immediate",
        }
    )

    answer = broken.test_client().get("/healthz")

    assert answer.status_code == 503
    assert answer.get_json()["database"] == "failed: OperationalError" and answer.get_json()["queue"] == "ok"


def test_healthz_names_the_queue_when_it_does_not_answer(tmp_path, disposed):
    app = _app(tmp_path, QUEUE_URL="redis://127.0.0.1:1/0")
    disposed(app)

    answer = app.test_client().get("/healthz")

    assert answer.status_code == 503
    assert answer.get_json()["queue"] == "failed: ConnectionError" and answer.get_json()["database"] == "ok"


def test_a_missing_worker_is_reported_and_fails_the_check_only_when_required(tmp_path, disposed):
    # Production's layout: a separate worker, none running yet (the embedded default would start
    # its own scheduler with the first request, and be seen at once).
    queue = {"QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}", "RUN_IN_WEB": False}
    relaxed = _app(tmp_path, **queue)
    strict = _app(tmp_path, **queue, REQUIRE_WORKER=True)
    disposed(relaxed), disposed(strict)

    before = relaxed.test_client().get("/healthz"), strict.test_client().get("/healthz")
    with strict.app_context():
        jobs.note_worker_alive()  # what the scheduling worker does every minute
    after = strict.test_client().get("/healthz")

    assert [answer.status_code for answer in before] == [200, 503]
    assert before[1].get_json()["worker"] == "never seen" and before[1].get_json()["status"] == "failing"
    assert after.status_code == 200 and after.get_json()["worker"] == "ok" and after.get_json()["worker_last_seen"]


def test_a_job_that_fails_for_good_is_counted_with_its_name(tmp_path, disposed):
    app = _app(tmp_path)
    disposed(app)
    queue = jobs.jobs_of(app)

    def fails():
        raise ValueError("mail server said no")

    queue.register(jobs.Job("test.fails", fails))
    with app.app_context():
        jobs.enqueue("test.fails")
        status = job_status()

    assert status.failed == 1
    assert [(item.job, item.error, item.detail) for item in status.recent_failures] == [
        ("test.fails", "ValueError", "mail server said no")
    ]


def test_coordinators_and_admins_see_the_background_work(app, make, login, client):
    program = make.program()
    login(make.user(Role.COORDINATOR, program))
    coordinator_page = client.get("/coordinator/").get_data(as_text=True)
    client.post("/logout")
    login(make.user(Role.ADMIN))
    admin_page = client.get("/admin/").get_data(as_text=True)

    for page in (coordinator_page, admin_page):
        assert "Background work" in page and "Waiting: <strong>0</strong> now" in page


def test_sentry_is_not_started_without_a_dsn(app):
    assert init_sentry(app) is False


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str | None, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":  # sentry-sdk's choice when brotli is installed
            import brotli

            body = brotli.decompress(body)
        self.received.append((self.path, self.headers.get("Content-Encoding"), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_with_a_dsn_errors_go_to_sentry_tagged_with_the_request_id(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = textwrap.dedent("""
        import sentry_sdk
        from sprint import create_app
        app = create_app()
        app.config["PROPAGATE_EXCEPTIONS"] = False
        @app.get("/boom")
        def boom():
            raise RuntimeError("reported")
        print(app.test_client().get("/boom").headers["X-Request-ID"])
        sentry_sdk.flush(10)
    """)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("SPRINT_")},
        "SPRINT_INSTANCE_PATH": str(tmp_path),
        "SPRINT_SENTRY_DSN": f"http://public@127.0.0.1:{server.server_port}/1",
    }
    try:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()

    request_id = done.stdout.strip()
    assert done.returncode == 0, done.stderr
    assert any(
        path.startswith("/api/1/envelope") and request_id.encode() in body for path, _, body in _Collector.received
    ), [(path, encoding) for path, encoding, _ in _Collector.received]
