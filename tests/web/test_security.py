"""Abuse cases: login limits, session renewal, escaping of what people type."""

from __future__ import annotations

import pytest

from sprint import create_app
from sprint.extensions import db, limiter
from sprint.models import HostCompany, Role, User

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def limited_client(app, tmp_path):
    """A client of a second app with rate limiting on (the suite's app has it off)."""
    limited = create_app({**{key: app.config[key] for key in (
        "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "UPLOAD_FOLDER", "SERVER_NAME")},
        "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://", "LOGIN_RATE_LIMIT": "3 per minute"})
    try:
        yield limited.test_client()
    finally:
        with limited.app_context():
            limiter.reset()
            db.engine.dispose()
        limiter.enabled = False  # one limiter object serves every app in this process


def test_login_is_rate_limited_per_account(app, limited_client, make):
    student = make.user(Role.STUDENT, make.program())
    statuses = [limited_client.post("/login", data={"email": student.email, "password": "wrong guess"},
                                    environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(5)]

    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429]
    blocked = limited_client.post("/login", data={"email": student.email, "password": "correct horse battery"},
                                  environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)


def test_login_is_rate_limited_per_address(app, limited_client):
    statuses = [limited_client.post("/login", data={"email": f"user{i}@example.org", "password": "x" * 10})
                .status_code for i in range(5)]

    assert statuses[3:] == [429, 429]


def test_the_session_is_renewed_at_login(client, make):
    student = make.user(Role.STUDENT, make.program())
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    client.post("/login", data={"email": student.email, "password": "correct horse battery"})

    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id") == str(student.id)


def test_text_people_type_is_rendered_escaped(app, client, make, login):
    program = make.program()
    cycle = make.cycle(program)
    host = make.host(program, name=PAYLOAD)
    make.position(host, cycle, title=PAYLOAD, description=PAYLOAD, team=PAYLOAD)
    student = make.user(Role.STUDENT, program, name=PAYLOAD)
    login(student)

    pages = [client.get("/student/").get_data(as_text=True),
             client.get("/student/positions").get_data(as_text=True)]

    for page in pages:
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert" in pages[1]
    with app.app_context():  # stored as typed: escaping happens when rendering
        assert db.session.scalar(db.select(HostCompany.name)) == PAYLOAD
        assert db.session.get(User, student.id).name == PAYLOAD
