"""Registration, login, logout, password reset and invitations, through the real forms."""

from __future__ import annotations

import re

from sprint.extensions import db
from sprint.models import AuditEvent, HostMember, Invitation, Role, StudentProfile, User

PASSWORD = "correct horse battery"  # the factory's password (tests/conftest.py)


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).split("sprint.test", 1)[1]


def _live_program(make, **kwargs):
    program = make.program(**kwargs)
    make.season(program)  # applications open: the sign-up page offers it
    return program


def test_student_signs_up_confirms_the_email_and_lands_on_their_page(app, client, make, outbox):
    program = _live_program(make)

    response = client.post(
        "/register",
        data={
            "name": "Ada Student",
            "email": "Ada@Example.org",
            "program": program.id,
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        follow_redirects=True,
    )

    assert "Check your email: we sent a link to ada@example.org" in response.get_data(as_text=True)
    assert client.get("/student/").status_code == 302  # not logged in before the link is opened
    assert client.post("/login", data={"email": "ada@example.org", "password": PASSWORD}).status_code == 400
    link = _link_in(outbox[-1])
    assert outbox[-1].to == ["ada@example.org"] and "/register/confirm/" in link

    landed = client.get(link)

    assert landed.status_code == 302 and landed.location.endswith("/student/")
    assert "Hello, Ada Student" in client.get("/student/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ada@example.org"))
        assert user.role == Role.STUDENT and user.program_id == program.id and user.email_confirmed_at
        assert db.session.scalar(db.select(StudentProfile).where(StudentProfile.user_id == user.id))
    client.post("/logout")
    assert "already used" in client.get(link, follow_redirects=True).get_data(as_text=True)


def test_a_second_sign_up_before_the_link_replaces_the_first_and_its_link(app, client, make, outbox):
    program = _live_program(make)
    for name in ("First Try", "Second Try"):
        client.post(
            "/register",
            data={
                "name": name,
                "email": "twice@example.org",
                "program": program.id,
                "password": PASSWORD + name,
                "confirm": PASSWORD + name,
            },
        )
    first, second = _link_in(outbox[-2]), _link_in(outbox[-1])

    assert "already used" in client.get(first, follow_redirects=True).get_data(as_text=True)
    assert client.get(second).status_code == 302
    assert "Hello, Second Try" in client.get("/student/").get_data(as_text=True)


def test_registration_with_a_short_password_is_refused_and_stores_nothing(app, client, make):
    program = _live_program(make)

    response = client.post(
        "/register",
        data={"name": "Bo", "email": "bo@example.org", "program": program.id, "password": "short", "confirm": "short"},
    )

    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_registration_with_a_common_password_is_refused(client, make):
    program = _live_program(make)

    response = client.post(
        "/register",
        data={
            "name": "Bo",
            "email": "bo@example.org",
            "program": program.id,
            "password": "password123",
            "confirm": "password123",
        },
    )

    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)


def test_registration_with_mismatched_passwords_and_bad_email_shows_both_errors(client, make):
    program = _live_program(make)

    response = client.post(
        "/register",
        data={
            "name": "",
            "email": "not-an-email",
            "program": program.id,
            "password": PASSWORD,
            "confirm": PASSWORD + "x",
        },
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The two passwords differ." in body and "Invalid email address." in body


def test_login_and_logout(client, make):
    student = make.user(Role.STUDENT, make.program())

    response = client.post("/login", data={"email": student.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/student/").status_code == 200

    assert client.get("/logout").status_code == 405  # logging out takes a POST
    client.post("/logout")
    assert client.get("/student/").status_code == 302


def test_login_gives_one_answer_for_unknown_email_and_wrong_password(client, make):
    student = make.user(Role.STUDENT, make.program())

    wrong = client.post("/login", data={"email": student.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})

    assert wrong.status_code == unknown.status_code == 400
    assert "do not match an account" in wrong.get_data(as_text=True)
    assert "do not match an account" in unknown.get_data(as_text=True)


def test_anonymous_user_is_sent_to_log_in_and_back(client, make, login):
    coordinator = make.user(Role.COORDINATOR, make.program())

    response = client.get("/coordinator/")
    assert response.status_code == 302 and "/login?next=" in response.location

    response = client.post("/login?next=/coordinator/", data={"email": coordinator.email, "password": PASSWORD})
    assert response.location.endswith("/coordinator/")


def test_login_does_not_follow_a_next_link_to_another_site(client, make):
    student = make.user(Role.STUDENT, make.program())

    response = client.post("/login?next=//evil.example/", data={"email": student.email, "password": PASSWORD})

    assert response.status_code == 302 and "evil" not in response.location


def test_a_deactivated_account_cannot_log_in(app, client, make):
    student = make.user(Role.STUDENT, make.program())
    with app.app_context():
        db.session.get(User, student.id).active = False
        db.session.commit()

    response = client.post("/login", data={"email": student.email, "password": PASSWORD})

    assert response.status_code == 400


def test_password_reset_by_emailed_link_works_once(app, client, make, outbox):
    student = make.user(Role.STUDENT, make.program())

    response = client.post("/forgot-password", data={"email": student.email})
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0].to == [student.email]
    link = _link_in(outbox[0])

    new_password = "a brand new passphrase"
    response = client.post(link, data={"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert client.post("/login", data={"email": student.email, "password": new_password}).status_code == 302
    client.post("/logout")

    again = client.post(link, data={"password": "yet another phrase", "confirm": "yet another phrase"})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, outbox):
    response = client.post("/forgot-password", data={"email": "nobody@example.org"}, follow_redirects=True)

    assert "If that address has an account" in response.get_data(as_text=True)
    assert outbox == []


def test_a_tampered_reset_link_is_refused(client, make):
    response = client.post("/reset-password/not-a-real-token", data={"password": PASSWORD, "confirm": PASSWORD})

    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_coordinator_invites_a_host_member_who_joins_by_the_link(app, client, make, login, outbox):
    program = make.program()
    host = make.host(program, name="Elm City Bio")
    coordinator = make.user(Role.COORDINATOR, program)
    login(coordinator)

    response = client.post(
        "/coordinator/invite",
        data={"email": "New.Member@elmcity.example", "role": "host", "host": host.id, "host_role": "member"},
    )
    assert response.status_code == 302
    link = _link_in(outbox[0])
    client.post("/logout")

    page = client.get(link)
    assert "Elm City Bio" in page.get_data(as_text=True)
    response = client.post(link, data={"name": "Nia Member", "password": PASSWORD, "confirm": PASSWORD})

    assert response.status_code == 302
    assert "Elm City Bio" in client.get("/company/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new.member@elmcity.example"))
        assert user.role == Role.HOST and user.membership.host_id == host.id
        assert db.session.scalar(db.select(Invitation)).accepted_at is not None
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {"invitation.sent", "invitation.accepted"} <= actions
    client.post("/logout")
    assert client.get(link).status_code == 400  # an invitation works once


def test_host_invitation_without_a_company_is_refused(app, client, make, login, outbox):
    program = make.program()
    login(make.user(Role.COORDINATOR, program))

    response = client.post(
        "/coordinator/invite", data={"email": "x@example.org", "role": "host", "host": 0, "host_role": "member"}
    )

    assert response.status_code == 400 and "Choose the host company" in response.get_data(as_text=True)
    assert outbox == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0


def test_coordinator_cannot_invite_into_another_programs_host(app, client, make, login, outbox):
    other_host = make.host(make.program(name="Other"))
    login(make.user(Role.COORDINATOR, make.program()))

    response = client.post(
        "/coordinator/invite",
        data={"email": "x@example.org", "role": "host", "host": other_host.id, "host_role": "member"},
    )

    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert outbox == []


def test_a_member_removed_from_the_host_loses_access_at_once(app, client, make, login):
    host = make.host(make.program())
    member = make.member(host)
    login(member)
    assert client.get("/company/").status_code == 200

    with app.app_context():
        db.session.execute(db.delete(HostMember).where(HostMember.user_id == member.id))
        db.session.commit()

    assert client.get("/company/").status_code == 403


def test_session_cookie_is_http_only_and_same_site(client, make):
    student = make.user(Role.STUDENT, make.program())

    response = client.post("/login", data={"email": student.email, "password": PASSWORD})

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_sign_up_and_invitation_forms_ask_who_you_are_before_the_password():
    from sprint.forms.auth import AcceptInvitationForm, RegisterForm

    with_app = __import__("flask").Flask(__name__)
    with_app.config.update(SECRET_KEY="x" * 40, WTF_CSRF_ENABLED=False)
    with with_app.test_request_context():
        assert [f.name for f in RegisterForm()] == ["name", "email", "program", "password", "confirm"]
        assert [f.name for f in AcceptInvitationForm()] == ["name", "password", "confirm"]
