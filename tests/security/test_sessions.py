"""Findings 2 and 3: logging out ends "keep me logged in", and sessions end with their session version."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_login.config import COOKIE_NAME
from werkzeug.http import parse_date

from sprint.extensions import db
from sprint.models import Role, User

NEW_PASSWORD = "a brand new passphrase"


def _cookie(client, name: str):
    return client.get_cookie(name, domain="sprint.test")


def _copy_of(app, client):
    """A second browser holding copies of the first one's cookies (as a thief would)."""
    copy = app.test_client()
    for name in ("session", COOKIE_NAME):
        cookie = _cookie(client, name)
        if cookie is not None:
            copy.set_cookie(name, cookie.value, domain="sprint.test")
    return copy


def _logged_in(response) -> bool:
    return response.status_code == 200


def test_logout_deletes_the_keep_me_logged_in_cookie(client, make):
    student = make.user(Role.STUDENT, make.program())
    client.post("/login", data={"email": student.email, "password": "correct horse battery", "remember": "y"})
    assert _cookie(client, COOKIE_NAME) is not None

    client.post("/logout")

    assert _cookie(client, COOKIE_NAME) is None
    assert client.get("/student/").status_code == 302  # to the login page: nobody is logged in


def test_the_remember_cookie_lasts_thirty_days_not_a_year(app, client, make):
    student = make.user(Role.STUDENT, make.program())

    response = client.post(
        "/login", data={"email": student.email, "password": "correct horse battery", "remember": "y"}
    )

    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(COOKIE_NAME))
    expires = parse_date(re.search(r"Expires=([^;]+)", header).group(1))
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert "HttpOnly" in header


def test_a_copied_session_stops_working_after_logging_out_everywhere(app, client, make, login):
    student = make.user(Role.STUDENT, make.program())
    login(student)
    copy = _copy_of(app, client)
    assert _logged_in(copy.get("/student/"))

    client.post("/account/logout-everywhere")

    assert copy.get("/student/").status_code == 302
    assert client.get("/student/").status_code == 302


def test_a_password_reset_ends_every_old_session_and_remember_cookie(app, client, make, outbox):
    student = make.user(Role.STUDENT, make.program())
    thief = app.test_client()
    thief.post("/login", data={"email": student.email, "password": "correct horse battery", "remember": "y"})
    remembered = app.test_client()
    remembered.set_cookie(COOKIE_NAME, _cookie(thief, COOKIE_NAME).value, domain="sprint.test")
    assert _logged_in(thief.get("/student/")) and _logged_in(remembered.get("/student/"))

    client.post("/forgot-password", data={"email": student.email})
    link = re.search(r"http://sprint.test(/reset-password/\S+)", outbox[0].body).group(1)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert thief.get("/student/").status_code == 302
    assert remembered.get("/student/").status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, make, login):
    student = make.user(Role.STUDENT, make.program())
    login(student)
    other_device = _copy_of(app, client)

    response = client.post(
        "/account",
        data={"current_password": "correct horse battery", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert _logged_in(client.get("/student/"))
    assert other_device.get("/student/").status_code == 302
    with app.app_context():
        assert db.session.get(User, student.id).check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(app, client, make, login):
    student = make.user(Role.STUDENT, make.program())
    login(student)

    response = client.post(
        "/account", data={"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 400 and "not your current password" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, student.id).session_version == 1


def test_a_deactivated_account_is_logged_out_at_its_next_request(app, client, make, login):
    program = make.program()
    member = make.member(make.host(program))
    coordinator = make.user(Role.COORDINATOR, program)
    member_client = app.test_client()
    member_client.post("/login", data={"email": member.email, "password": "correct horse battery"})
    assert _logged_in(member_client.get("/company/"))

    login(coordinator)
    client.post(f"/coordinator/staff/{member.id}/deactivate", data={"confirm": "Confirm"})

    assert member_client.get("/company/").status_code == 302


@pytest.mark.parametrize("role", [Role.STUDENT, Role.HOST, Role.COORDINATOR, Role.LIAISON, Role.ADMIN])
def test_every_role_has_the_account_page_with_log_out_everywhere(app, client, make, login, role):
    program = make.program()
    if role == Role.HOST:
        user = make.member(make.host(program))
    elif role == Role.LIAISON:
        from sprint.models import College

        with app.app_context():
            college = College(name="Gateway CC", state="CT")
            db.session.add(college)
            db.session.commit()
            user = User(
                email="liaison@example.org",
                name="Lia Son",
                role=Role.LIAISON,
                program_id=program.id,
                college_id=college.id,
            )
            user.set_password("correct horse battery")
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
    else:
        user = make.user(role, None if role == Role.ADMIN else program)
    login(user)

    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    account = client.get("/account").get_data(as_text=True)

    assert 'href="/account"' in home
    assert 'action="/account/logout-everywhere"' in account and "Change password" in account
