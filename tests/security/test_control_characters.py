"""Findings 8, 9 and 11: control characters and line breaks are refused in one place, never a 500."""

from __future__ import annotations

import inspect
import io

import pytest
from flask_wtf import FlaskForm

import sprint.forms.auth
import sprint.forms.company
import sprint.forms.coordinator
import sprint.forms.dashboards
import sprint.forms.runs
import sprint.forms.staff
import sprint.forms.student
from sprint.extensions import db
from sprint.forms import Form
from sprint.models import Phase, Position, Role, StudentProfile, User


@pytest.fixture
def host_side(app, make):
    program = make.program()
    season = make.season(program, phase=Phase.APPLICATIONS)
    host = make.host(program)
    return program, season, host, make.member(host)


def _position_form(**changes) -> dict:
    form = {
        "title": "Lab intern",
        "description": "Work in the lab.",
        "slots": "1",
        "hourly_pay": "20",
        "hours_per_week": "40",
        "start_date": "2027-06-01",
        "end_date": "2027-08-13",
        "site_town": "New Haven",
        "work_mode": "onsite",
    }
    return {**form, **changes}


def test_every_form_of_the_app_applies_the_plain_text_rule():
    modules = (
        sprint.forms.auth,
        sprint.forms.company,
        sprint.forms.coordinator,
        sprint.forms.dashboards,
        sprint.forms.runs,
        sprint.forms.staff,
        sprint.forms.student,
    )
    forms = [
        cls
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__
    ]

    assert len(forms) > 25 and [cls.__name__ for cls in forms if not issubclass(cls, Form)] == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "Lab\x00intern", "control character U+0000"),
        ("description", "Work\x1bin the lab.", "control character U+001B"),
        ("title", "Lab\nintern", "single line"),
        ("site_town", "New\rHaven", "single line"),
        ("team", "Cell\tculture", "tab character"),
    ],
)
def test_a_position_with_a_control_character_is_refused_with_a_message(
    app, client, login, host_side, field, value, message
):
    login(host_side[3])

    response = client.post("/company/positions/new", data=_position_form(**{field: value}))

    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Position.id))) == 0


def test_line_breaks_stay_welcome_in_a_description(app, client, login, host_side):
    login(host_side[3])

    response = client.post("/company/positions/new", data=_position_form(description="Line one.\r\nLine two.\tTabbed."))

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Position.description)) == "Line one.\r\nLine two.\tTabbed."


@pytest.mark.parametrize(
    "url",
    [
        "/coordinator/directory/students?q=a%00b",
        "/coordinator/directory/colleges?q=%00",
        "/coordinator/directory/students.csv?q=%00",
    ],
)
def test_a_nul_in_a_coordinators_search_is_a_400(client, make, login, url):
    login(make.user(Role.COORDINATOR, make.program()))

    response = client.get(url)

    assert response.status_code == 400 and "U+0000" in response.get_data(as_text=True)


def test_a_nul_in_a_students_search_and_profile_is_a_400_that_writes_nothing(app, client, make, login):
    program = make.program()
    make.season(program)
    student = make.user(Role.STUDENT, program)
    login(student)

    search = client.get("/student/positions?q=%00")
    profile = client.post("/student/profile", data={"major": "Bio\x00logy", "class_year": "2028"})

    assert search.status_code == 400 and profile.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(StudentProfile.major).where(StudentProfile.user_id == student.id)) == ""


def test_a_nul_in_a_login_or_a_password_is_refused_without_a_500(client, make):
    student = make.user(Role.STUDENT, make.program())

    response = client.post("/login", data={"email": student.email + "\x00", "password": "x\x00" * 6})

    assert response.status_code == 400


@pytest.mark.parametrize("cell, message", [("Lab\x00intern", "U+0000"), ('"Lab\nintern"', "single line")])
def test_the_csv_import_refuses_control_characters_in_a_cell(app, client, login, host_side, cell, message):
    program, season, host, _ = host_side
    login(host_side[3])
    client.post("/logout")
    login(make_coordinator(app, program))
    csv = (
        f"host,title,slots,hourly_pay,hours_per_week,start_date,end_date,description\n"
        f'{host.name},{cell},1,20,40,2027-06-01,2027-08-13,"Two\nlines are fine here"\n'
    ).encode()

    preview = client.post(
        "/coordinator/import", data={"kind": "positions", "season": season.id, "file": (io.BytesIO(csv), "p.csv")}
    )

    assert preview.status_code == 422 and message in preview.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Position.id))) == 0


def make_coordinator(app, program) -> User:
    with app.app_context():
        user = User(email=f"coord{program.id}@example.org", name="Cora", role=Role.COORDINATOR, program_id=program.id)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("rank", ["²", "١", "1\x00", "²³"])
def test_non_ascii_digits_in_rank_numbers_are_a_400(app, client, make, login, host_side, rank):
    program, season, host, member = host_side
    position = make.position(host, season)
    login(member)

    response = client.post(
        f"/company/positions/{position.id}/ranks", data={"version": "0", f"rank_{rank}": "1", "action": "save"}
    )

    assert response.status_code == 302  # "rank_²" names no student: ignored, like any other stray field


def test_a_superscript_rank_for_a_real_student_is_refused_with_a_message(app, client, make, login, host_side):
    from sprint.models import Application, PositionInterest

    program, season, host, member = host_side
    position = make.position(host, season)
    student = make.user(Role.STUDENT, program)
    with app.app_context():
        application = Application(season_id=season.id, student_id=student.id, status="submitted")
        application.interests = [PositionInterest(position_id=position.id)]
        db.session.add(application)
        db.session.commit()
    login(member)

    response = client.post(
        f"/company/positions/{position.id}/ranks", data={"version": "0", f"rank_{student.id}": "²", "action": "save"}
    )

    assert response.status_code == 400 and "whole number" in response.get_data(as_text=True)
