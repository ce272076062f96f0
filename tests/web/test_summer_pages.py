"""The summer's pages: a host confirms its intern's start and end, each side fills in its forms, and
no page shows an evaluation or a survey to someone who may not read it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from summer_world import build, today_here

from sprint.extensions import db
from sprint.models import AuditEvent, CheckIn, InternEvaluation, InternSurvey, Placement, PlacementStatus, User


@pytest.fixture
def summer(app, make):
    """Ids and emails of the summer world (the placement is accepted, the internship began 30 days ago)."""
    with app.app_context():
        world = build(make)
        people = ("student", "other_student", "member", "other_member", "coordinator", "liaison")
        return SimpleNamespace(
            placement_id=world.placement.id,
            other_placement_id=world.other_placement.id,
            season_id=world.season.id,
            **{who: SimpleNamespace(id=getattr(world, who).id, email=getattr(world, who).email) for who in people},
        )


def _placement(app, placement_id: int) -> Placement:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        db.session.expunge(placement)
        return placement


def _set(app, placement_id: int, **fields) -> None:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        for name, value in fields.items():
            setattr(placement, name, value)
        db.session.commit()


def _login(client, person) -> None:
    response = client.post("/login", data={"email": person.email, "password": "correct horse battery"})
    assert response.status_code == 302


def test_a_host_confirms_the_start_on_the_interns_page(app, client, summer):
    _login(client, summer.member)
    page = client.get(f"/company/interns/{summer.placement_id}")
    started_on = today_here() - timedelta(days=29)

    response = client.post(f"/company/interns/{summer.placement_id}/start", data={"start-started_on": str(started_on)})

    assert page.status_code == 200 and "Confirm the start" in page.get_data(as_text=True)
    assert response.status_code == 302
    placement = _placement(app, summer.placement_id)
    assert (placement.status, placement.started_on) == ("started", started_on)


def test_a_future_start_date_is_refused_with_a_message_and_changes_nothing(app, client, summer):
    _login(client, summer.member)

    response = client.post(
        f"/company/interns/{summer.placement_id}/start",
        data={"start-started_on": str(today_here() + timedelta(days=2))},
    )

    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert _placement(app, summer.placement_id).status == "accepted"


def test_ending_an_internship_that_has_not_started_is_refused(app, client, summer):
    _login(client, summer.member)

    response = client.post(
        f"/company/interns/{summer.placement_id}/end",
        data={"end-outcome": "completed", "end-ended_on": str(today_here())},
    )

    assert response.status_code == 400 and "confirm the start first" in response.get_data(as_text=True)


def test_another_hosts_member_gets_a_404_and_changes_nothing(app, client, summer):
    _login(client, summer.other_member)

    page = client.get(f"/company/interns/{summer.placement_id}")
    post = client.post(f"/company/interns/{summer.placement_id}/start", data={"start-started_on": str(today_here())})

    assert page.status_code == 404 and post.status_code == 404
    assert _placement(app, summer.placement_id).status == "accepted"


def test_the_student_sees_the_hosts_evaluation_only_once_it_is_shared(app, client, summer):
    _set(app, summer.placement_id, status=PlacementStatus.COMPLETED, started_on=today_here() - timedelta(days=30))
    with app.app_context():
        evaluation = InternEvaluation(placement_id=summer.placement_id, rating=4, comments="Quietly brilliant")
        db.session.add(evaluation)
        db.session.commit()
        evaluation_id = evaluation.id
    _login(client, summer.student)

    hidden = client.get(f"/student/internships/{summer.placement_id}").get_data(as_text=True)
    with app.app_context():
        db.session.get(InternEvaluation, evaluation_id).shared_with_student = True
        db.session.commit()
    shown = client.get(f"/student/internships/{summer.placement_id}").get_data(as_text=True)

    assert "Quietly brilliant" not in hidden
    assert "Quietly brilliant" in shown


def test_another_student_cannot_open_the_internship(client, summer):
    _login(client, summer.other_student)

    assert client.get(f"/student/internships/{summer.placement_id}").status_code == 404
    assert client.post(f"/student/internships/{summer.placement_id}/survey", data={}).status_code == 404


def test_the_students_dashboard_says_when_the_survey_is_due_and_the_survey_is_sent(app, client, summer):
    _set(app, summer.placement_id, status=PlacementStatus.ENDED_EARLY, started_on=today_here() - timedelta(days=30))
    _login(client, summer.student)

    dashboard = client.get("/student/").get_data(as_text=True)
    response = client.post(
        f"/student/internships/{summer.placement_id}/survey",
        data={
            "survey-pay_benefits": "4",
            "survey-mentorship": "5",
            "survey-schedule": "3",
            "survey-safety": "5",
            "survey-learning": "4",
            "survey-would_recommend": "yes",
            "survey-comment": "Great team",
        },
    )

    assert "end-of-internship survey is open" in dashboard
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.scalar(db.select(InternSurvey).filter_by(placement_id=summer.placement_id))
        assert (survey.mentorship, survey.would_recommend) == (5, True)


def test_the_host_sees_no_single_survey_and_the_coordinator_sees_the_cell_suppressed(app, client, summer):
    _set(app, summer.placement_id, status=PlacementStatus.COMPLETED, started_on=today_here() - timedelta(days=30))
    with app.app_context():
        db.session.add(
            InternSurvey(
                placement_id=summer.placement_id,
                pay_benefits=1,
                mentorship=1,
                schedule=1,
                safety=1,
                learning=1,
                would_recommend=False,
                comment="Unsafe ladder",
            )
        )
        db.session.commit()
    _login(client, summer.member)
    host_page = client.get(f"/company/results?season={summer.season_id}").get_data(as_text=True)
    intern_page = client.get(f"/company/interns/{summer.placement_id}").get_data(as_text=True)
    coordinator = app.test_client()
    _login(coordinator, summer.coordinator)

    board = coordinator.get(f"/coordinator/runs/seasons/{summer.season_id}/summer").get_data(as_text=True)

    assert "Unsafe ladder" not in host_page and "Unsafe ladder" not in intern_page
    assert "Fewer than 5 interns have answered" in host_page
    assert "Elm Bio" in board and "&lt;5" in board and "Unsafe ladder" not in board


def test_a_check_in_asking_for_a_call_is_flagged_for_the_coordinator(app, client, summer):
    _set(app, summer.placement_id, status=PlacementStatus.STARTED, started_on=today_here() - timedelta(days=30))
    _login(client, summer.student)
    response = client.post(
        f"/student/internships/{summer.placement_id}/check-in",
        data={"check_in-going": "2", "check_in-note": "Not much to do", "check_in-wants_call": "y"},
    )
    coordinator = app.test_client()
    _login(coordinator, summer.coordinator)

    board = coordinator.get(f"/coordinator/runs/seasons/{summer.season_id}/summer").get_data(as_text=True)

    assert response.status_code == 302
    assert "1 asking for a call" in board and "Asks for a call" in board and "Not much to do" in board
    with app.app_context():
        assert db.session.scalar(db.select(CheckIn.wants_call)) is True


def test_a_coordinator_confirms_and_corrects_a_placement_and_it_is_audited(app, client, summer):
    _login(client, summer.coordinator)
    started_on = today_here() - timedelta(days=20)

    client.post(f"/coordinator/runs/placements/{summer.placement_id}/start", data={"start-started_on": str(started_on)})
    refused = client.post(
        f"/coordinator/runs/placements/{summer.placement_id}/summer", data={"correct-status": "accepted"}
    )
    fixed = client.post(
        f"/coordinator/runs/placements/{summer.placement_id}/summer",
        data={"correct-status": "accepted", "correct-why": "Started at another site: wrong intern"},
    )

    assert refused.status_code == 400
    assert fixed.status_code == 302
    assert _placement(app, summer.placement_id).status == "accepted"
    with app.app_context():
        actions = list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-2:] == ["placement.started", "placement.summer_corrected"]


def test_a_coordinator_of_another_program_gets_a_404(client, summer, app, make):
    with app.app_context():
        other = db.session.scalar(db.select(User).where(User.role == "coordinator", User.id != summer.coordinator.id))
        email = other.email
    _login(client, SimpleNamespace(email=email))

    assert client.get(f"/coordinator/runs/placements/{summer.placement_id}").status_code == 404
    assert client.get(f"/coordinator/runs/seasons/{summer.season_id}/summer").status_code == 404


def test_a_started_internship_offers_the_end_form_to_the_host_and_the_coordinator(app, client, summer):
    _set(app, summer.placement_id, status=PlacementStatus.STARTED, started_on=today_here() - timedelta(days=30))
    with app.app_context():
        db.session.add(CheckIn(placement_id=summer.placement_id, side="host", going=3, note="Fine", wants_call=True))
        db.session.commit()
    _login(client, summer.member)
    coordinator = app.test_client()
    _login(coordinator, summer.coordinator)

    host_page = client.get(f"/company/interns/{summer.placement_id}").get_data(as_text=True)
    ended = client.post(
        f"/company/interns/{summer.placement_id}/end",
        data={"end-outcome": "ended_early", "end-ended_on": str(today_here())},
    )
    page = coordinator.get(f"/coordinator/runs/placements/{summer.placement_id}")

    assert "Confirm the end" in host_page and "Your check-in" in host_page
    assert ended.status_code == 400 and "Choose why the internship ended early" in ended.get_data(as_text=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Confirm the end" in text and "Asks for a call" in text and "Correct a mistake" in text


def test_the_coordinators_student_record_shows_the_internship_and_the_unshared_evaluation(app, client, summer):
    _set(
        app,
        summer.placement_id,
        status=PlacementStatus.COMPLETED,
        started_on=today_here() - timedelta(days=30),
        ended_on=today_here() - timedelta(days=1),
        hours_worked=212,
    )
    with app.app_context():
        db.session.add(InternEvaluation(placement_id=summer.placement_id, rating=5, comments="Ran the assays alone"))
        db.session.commit()
    _login(client, summer.coordinator)

    page = client.get(f"/coordinator/students/{summer.student.id}").get_data(as_text=True)

    assert "212 hours worked" in page and "completed" in page
    assert "Ran the assays alone" in page and "not shared with the student" in page
    other = client.get(f"/coordinator/students/{summer.other_student.id}").get_data(as_text=True)
    assert "Ran the assays alone" not in other
