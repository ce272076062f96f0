"""Each program's own sign-up link; the general page offers only programs taking sign-ups and
preselects none; an administrator moves a student who landed in the wrong program."""

from __future__ import annotations

import re

import pytest

from sprint.extensions import db
from sprint.models import Application, AuditEvent, Phase, Role, Season, User

PASSWORD = "correct horse battery"


def _options(page: str) -> list[tuple[str, str, bool]]:
    return [
        (value, label, "selected" in attrs)
        for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', page)
    ]


@pytest.fixture
def programs(app, make):
    """SPRINT takes applications; a draft-only program and an admin's fresh program take none."""
    sprint = make.program("SPRINT Internships", slug="sprint")
    make.season(sprint, 2027, Phase.APPLICATIONS)
    draft = make.program("Apex Draft Program", slug="apex")  # first alphabetically: once preselected
    make.season(draft, 2027, Phase.DRAFT)
    fresh = make.program("Brand New Partnership", slug="brand-new")
    return sprint, draft, fresh


def test_the_general_page_offers_only_programs_taking_sign_ups_and_preselects_none(client, programs):
    sprint, draft, fresh = programs

    page = client.get("/register").get_data(as_text=True)

    assert _options(page) == [("0", "Choose your program", False), (str(sprint.id), "SPRINT Internships", False)]
    refused = client.post(
        "/register",
        data={
            "name": "Uma",
            "email": "uma@example.org",
            "program": draft.id,
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    unchosen = client.post(
        "/register",
        data={"name": "Uma", "email": "uma@example.org", "program": 0, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert refused.status_code == 400 and unchosen.status_code == 400
    assert "Choose your program." in unchosen.get_data(as_text=True)


def test_with_no_program_taking_sign_ups_the_page_says_so(client, make):
    make.season(make.program("Quiet", slug="quiet"), 2027, Phase.DRAFT)

    page = client.get("/register")

    assert page.status_code == 200 and "No program is taking sign-ups right now" in page.get_data(as_text=True)
    assert "<select" not in page.get_data(as_text=True)


def test_a_programs_own_link_signs_the_student_up_there(app, client, programs, outbox):
    _sprint, _draft, fresh = programs

    assert client.get("/p/no-such-program/register").status_code == 404
    page = client.get("/p/brand-new/register").get_data(as_text=True)
    client.post(
        "/p/brand-new/register",
        data={"name": "Uma Student", "email": "uma@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    client.get(re.search(r"https?://\S+", outbox[-1].body).group(0).split("sprint.test", 1)[1])

    assert "You are signing up for <strong>Brand New Partnership</strong>" in page and "<select" not in page
    with app.app_context():
        assert db.session.scalar(db.select(User.program_id).where(User.email == "uma@example.org")) == fresh.id


def test_coordinators_see_their_programs_sign_up_link(client, login, make, programs):
    sprint = programs[0]
    login(make.user(Role.COORDINATOR, sprint))

    page = client.get("/coordinator/").get_data(as_text=True)

    assert 'readonly value="http://sprint.test/p/sprint/register"' in page


def test_an_admin_moves_a_student_to_another_program_audited_in_both(app, client, login, make, programs):
    sprint, _draft, fresh = programs
    student = make.user(Role.STUDENT, fresh, email="lost@example.org")
    login(make.user(Role.ADMIN))

    response = client.post(
        f"/admin/programs/{fresh.id}/move-student", data={"move-email": "LOST@example.org", "move-program": sprint.id}
    )

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, student.id).program_id == sprint.id
        events = db.session.scalars(
            db.select(AuditEvent.program_id).where(AuditEvent.action == "student.moved_program")
        ).all()
        assert sorted(events) == sorted([sprint.id, fresh.id])


def test_a_student_in_a_live_season_is_not_moved(app, client, login, make, programs):
    sprint, _draft, fresh = programs
    student = make.user(Role.STUDENT, sprint, email="busy@example.org")
    with app.app_context():
        sprint_season = db.session.scalar(db.select(Season.id).where(Season.program_id == sprint.id))
        db.session.add(Application(season_id=sprint_season, student_id=student.id, status="submitted"))
        db.session.commit()
    login(make.user(Role.ADMIN))

    response = client.post(
        f"/admin/programs/{sprint.id}/move-student", data={"move-email": "busy@example.org", "move-program": fresh.id}
    )

    assert response.status_code == 400
    assert "takes part in Summer 2027 (Applications open) of SPRINT Internships" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, student.id).program_id == sprint.id
        assert (
            db.session.scalar(
                db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "student.moved_program")
            )
            == 0
        )


def test_a_coordinator_cannot_move_students(client, login, make, programs):
    sprint, _draft, fresh = programs
    make.user(Role.STUDENT, sprint, email="s@example.org")
    login(make.user(Role.COORDINATOR, sprint))

    assert (
        client.post(
            f"/admin/programs/{sprint.id}/move-student", data={"move-email": "s@example.org", "move-program": fresh.id}
        ).status_code
        == 403
    )
