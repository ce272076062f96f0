"""/register does not tell who has an account: a taken email gets the same answer as a new one,
and the owner of the existing account is emailed instead (issue 12, finding 13)."""

from __future__ import annotations

import re

import pytest

from sprint.extensions import db
from sprint.models import Role, User

PASSWORD = "a different long passphrase"


@pytest.fixture
def program(make):
    program = make.program("SPRINT", slug="sprint")
    make.season(program)
    return program


def _sign_up(client, program, email: str):
    return client.post(
        "/register",
        data={"name": "Probe Person", "email": email, "program": program.id, "password": PASSWORD, "confirm": PASSWORD},
        follow_redirects=True,
    )


def _answer(response) -> tuple[int, str]:
    body = re.sub(r'(nonce|value)="[^"]*"', "", response.get_data(as_text=True))
    return response.status_code, body.replace("taken@example.org", "EMAIL").replace("fresh@example.org", "EMAIL")


def test_a_taken_email_gets_the_same_answer_as_a_new_one_and_its_owner_is_told(app, make, program, outbox):
    owner = make.user(Role.STUDENT, program, email="taken@example.org", name="Olive Owner")

    taken = _sign_up(app.test_client(), program, "Taken@Example.org")
    fresh = _sign_up(app.test_client(), program, "fresh@example.org")

    assert _answer(taken) == _answer(fresh)
    assert "Check your email" in taken.get_data(as_text=True)
    to_owner, to_new = outbox
    assert to_owner.to == [owner.email] and "already has an account" in to_owner.body
    assert "/register/confirm/" not in to_owner.body
    assert to_new.to == ["fresh@example.org"] and "/register/confirm/" in to_new.body
    with app.app_context():
        assert db.session.scalar(db.select(User.name).where(User.email == owner.email)) == "Olive Owner"


def test_logging_in_with_the_probes_password_tells_nothing_either(app, make, program):
    make.user(Role.STUDENT, program, email="taken@example.org")
    client = app.test_client()
    _sign_up(client, program, "taken@example.org")
    _sign_up(client, program, "fresh@example.org")

    answers = [
        _answer(client.post("/login", data={"email": email, "password": PASSWORD}))
        for email in ("taken@example.org", "fresh@example.org")
    ]

    assert answers[0] == answers[1] and answers[0][0] == 400
