"""The placement forms at any season size: placing a student by hand and moving a placement name the
student and the position through the searching pickers (pickers.js and `runs.pick`), or, without
JavaScript, by a typed email or #number; nothing is listed in a <select>."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from sprint.extensions import db
from sprint.models import Application, AuditEvent, MatchRun, Placement, Position


@pytest.fixture
def published(app, client, login, small_season):
    """The small season published from one stable run, logged in as its coordinator; its placements."""
    login(small_season.coordinator)
    client.post(
        f"/coordinator/runs/seasons/{small_season.season.id}/new",
        data={"mode": "stable", "seed": "1", "time_limit": "10", "label": "", "cap_per": ""},
    )
    with app.app_context():
        run_id = db.session.scalar(db.select(MatchRun.id))
    client.post(f"/coordinator/runs/{run_id}/publish", data={"confirm": "y"})
    with app.app_context():
        placements = db.session.scalars(db.select(Placement).order_by(Placement.id)).all()
        assert len(placements) == 5
        for placement in placements:
            db.session.expunge(placement)
        return placements


def _unplaced(small_season, placements):
    placed = {placement.student_id for placement in placements}
    return next(user for user in small_season.students.values() if user.id not in placed)


def _add_url(small_season) -> str:
    return f"/coordinator/runs/seasons/{small_season.season.id}/placements/add"


def _pick(client, small_season, kind: str, typed: str) -> list[str]:
    response = client.get(f"/coordinator/runs/seasons/{small_season.season.id}/pick/{kind}", query_string={"q": typed})
    assert response.status_code == 200 and response.is_json
    return [item["value"] for item in response.get_json()["results"]]


def _one_more_seat(app, position_id: int) -> None:
    with app.app_context():
        db.session.execute(update(Position).where(Position.id == position_id).values(slots=Position.slots + 1))
        db.session.commit()


def test_the_placement_forms_list_nobody_and_offer_searching_pickers(client, small_season, published):
    add = client.get(_add_url(small_season)).get_data(as_text=True)
    move = client.get(f"/coordinator/runs/placements/{published[0].id}").get_data(as_text=True)

    for page in (add, move):
        assert 'data-pick="position"' in page and "js/pickers.js" in page
        assert f"/coordinator/runs/seasons/{small_season.season.id}/pick/position" in page
    assert "Position A" not in add and "Student 1" not in add  # nothing listed, whatever the season's size
    assert "<select" not in add and 'data-pick="student"' in add
    assert 'name="move-position"' in move and '<select class="form-select" id="move-position"' not in move
    assert "Position B (#" not in move and "Position C (#" not in move
    assert f"/coordinator/runs/seasons/{small_season.season.id}/pick/applicant" in add


def test_the_applicant_picker_also_finds_students_without_a_certified_list(app, client, small_season, published):
    student = small_season.students[3]
    with app.app_context():
        db.session.execute(
            update(Application).where(Application.student_id == student.id).values(ranks_certified_at=None)
        )
        db.session.commit()

    assert _pick(client, small_season, "student", "student 3") == []  # a run's lock needs a certified list
    assert _pick(client, small_season, "applicant", "student 3") == [student.email]
    assert _pick(client, small_season, "applicant", "cora") == []  # the coordinator applied to nothing


def test_without_javascript_a_student_is_placed_by_typed_email_and_position_number(
    app, client, small_season, published
):
    student, position = _unplaced(small_season, published), small_season.positions["D"]
    _one_more_seat(app, position.id)

    response = client.post(
        _add_url(small_season),
        data={"student": f"  {student.email.upper()} ", "position": f"#{position.id}", "reason": "Host asked"},
    )

    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(db.select(Placement).where(Placement.student_id == student.id))
        assert added.position_id == position.id and added.round == 0
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "placement.added"))


@pytest.mark.parametrize(
    ("student", "position", "message"),
    [
        ("nobody@example.org", "#{d}", "Nobody applied to"),
        ("Student 1", "#{d}", "Name the student by email or number"),
        ("#{s}", "Position D", "Name the position by its number"),
        ("#{s}", "#99999999999999999999", "Name the position by its number"),
        ("#{s}", "#987654", "has no position #987654"),
        ("", "#{d}", "Choose a student."),
        ("#{s}", "x" * 41, "Field cannot be longer than 40 characters."),
    ],
)
def test_a_placement_naming_someone_the_season_does_not_know_is_refused_with_a_message(
    app, client, small_season, published, student, position, message
):
    unplaced, seat = _unplaced(small_season, published), small_season.positions["D"]
    _one_more_seat(app, seat.id)
    fields = {"s": unplaced.id, "d": seat.id}

    response = client.post(
        _add_url(small_season),
        data={"student": student.format(**fields), "position": position.format(**fields), "reason": "Host asked"},
    )

    assert response.status_code in (400, 422) and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Placement.id))) == 5


def test_without_javascript_a_placement_moves_to_a_typed_position_number(app, client, small_season, published):
    placement = published[0]
    target = next(p for p in small_season.positions.values() if p.id != placement.position_id)
    _one_more_seat(app, target.id)
    url = f"/coordinator/runs/placements/{placement.id}"

    wrong = client.post(url, data={"move-position": "Position B", "move-reason": "Closer to home"})
    moved = client.post(url, data={"move-position": str(target.id), "move-reason": "Closer to home"})

    assert wrong.status_code in (400, 422) and "Name the position by its number" in wrong.get_data(as_text=True)
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(Placement, placement.id).position_id == target.id
