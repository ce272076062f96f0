"""Abuse cases: session renewal, escaping of what people type (login limits: tests/security)."""

from __future__ import annotations

from sprint.extensions import db
from sprint.models import HostCompany, Role, User

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_the_session_is_renewed_at_login(client, make):
    student = make.user(Role.STUDENT, make.program())
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    client.post("/login", data={"email": student.email, "password": "correct horse battery"})

    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id") == f"{student.id}:1"


def test_text_people_type_is_rendered_escaped(app, client, make, login):
    program = make.program()
    season = make.season(program)
    host = make.host(program, name=PAYLOAD)
    make.position(host, season, title=PAYLOAD, description=PAYLOAD, team=PAYLOAD)
    student = make.user(Role.STUDENT, program, name=PAYLOAD)
    login(student)

    pages = [client.get("/student/").get_data(as_text=True), client.get("/student/positions").get_data(as_text=True)]

    for page in pages:
        assert "<script>alert" not in page and "onerror=alert" not in page.replace(
            "&lt;img src=x onerror=alert(1)&gt;", ""
        )
    assert "&lt;script&gt;alert" in pages[1]
    with app.app_context():  # stored as typed: escaping happens when rendering
        assert db.session.scalar(db.select(HostCompany.name)) == PAYLOAD
        assert db.session.get(User, student.id).name == PAYLOAD
