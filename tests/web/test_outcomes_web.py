"""The outcome forms: the coordinator's on a placement page, the host's on its results page."""

from __future__ import annotations

from sprint.extensions import db
from sprint.models import AuditEvent, MatchRun, Placement, RunStatus, StudentOutcome, utcnow


def _rows(app):
    with app.app_context():
        return [(row.kind, str(row.hourly_wage)) for row in db.session.scalars(db.select(StudentOutcome))]


def test_the_coordinator_records_an_outcome_on_the_placement_page_and_removes_it(app, client, login, outcome_world):
    login(outcome_world.coordinator)
    url = f"/coordinator/runs/placements/{outcome_world.placements['ana25']}"
    page = client.get(url)
    assert page.status_code == 200 and "Record an outcome" in page.get_data(as_text=True)

    sent = client.post(
        f"{url}/outcomes",
        data={"outcome-kind": "hired_by_host", "outcome-occurred_on": "2025-09-01", "outcome-hourly_wage": "24.5"},
    )
    assert sent.status_code == 302
    assert _rows(app) == [("hired_by_host", "24.50")]
    shown = client.get(url).get_data(as_text=True)
    assert "Hired by the host" in shown and "$24.50" in shown

    with app.app_context():
        outcome_id = db.session.scalar(db.select(StudentOutcome.id))
    assert client.post(f"/coordinator/runs/outcomes/{outcome_id}/remove").status_code == 302
    assert _rows(app) == []


def test_a_bad_outcome_comes_back_400_with_its_message_and_writes_nothing(app, client, login, outcome_world):
    login(outcome_world.coordinator)
    url = f"/coordinator/runs/placements/{outcome_world.placements['ana25']}/outcomes"

    wage = client.post(url, data={"outcome-kind": "hired_in_sector", "outcome-hourly_wage": "900"})
    early = client.post(url, data={"outcome-kind": "hired_in_sector", "outcome-occurred_on": "2024-01-05"})
    declined = client.post(
        f"/coordinator/runs/placements/{outcome_world.placements['cy25']}/outcomes",
        data={"outcome-kind": "hired_in_sector"},
    )

    assert wage.status_code == 400 and "between $0 and $500" in wage.get_data(as_text=True)
    assert early.status_code == 400 and "before the internship&#39;s season" in early.get_data(as_text=True)
    assert declined.status_code == 400 and "outcomes follow an internship" in declined.get_data(as_text=True)
    assert _rows(app) == []


def test_another_programs_coordinator_gets_404_for_placements_and_outcomes(app, client, login, outcome_world):
    with app.app_context():
        outcome = StudentOutcome(
            program_id=outcome_world.program.id,
            student_id=outcome_world.ana.id,
            season_id=outcome_world.s25.id,
            kind="hired_in_sector",
        )
        db.session.add(outcome)
        db.session.commit()
        outcome_id = outcome.id
    login(outcome_world.other_coordinator)

    posted = client.post(
        f"/coordinator/runs/placements/{outcome_world.placements['ana25']}/outcomes",
        data={"outcome-kind": "hired_by_host"},
    )
    removed = client.post(f"/coordinator/runs/outcomes/{outcome_id}/remove")
    derived = client.post(f"/coordinator/runs/seasons/{outcome_world.s26.id}/outcomes/derive")

    assert (posted.status_code, removed.status_code, derived.status_code) == (404, 404, 404)
    assert _rows(app) == [("hired_in_sector", "None")]


def test_the_derive_button_records_who_returned(app, client, login, outcome_world):
    login(outcome_world.coordinator)
    first = client.post(f"/coordinator/runs/seasons/{outcome_world.s26.id}/outcomes/derive", follow_redirects=True)
    client.post(f"/coordinator/runs/seasons/{outcome_world.s26.id}/outcomes/derive")
    assert first.status_code == 200 and "1 student from an earlier season" in first.get_data(as_text=True)
    assert _rows(app) == [("returned_next_summer", "None")]


def _publish(app, season):
    with app.app_context():
        db.session.add(MatchRun(season_id=season.id, round=1, status=RunStatus.DONE, published_at=utcnow()))
        db.session.commit()


def test_the_host_records_a_return_offer_for_its_intern_and_nothing_else(app, client, login, outcome_world):
    _publish(app, outcome_world.s25)
    login(outcome_world.member)
    page = client.get(f"/company/results?season={outcome_world.s25.id}")
    assert page.status_code == 200 and "Record a hire or a return offer" in page.get_data(as_text=True)
    url = f"/company/interns/{outcome_world.placements['ben25']}/outcome"

    ok = client.post(url, data={"outcome-kind": "return_offer", "outcome-note": "Back in June"})
    other_kind = client.post(url, data={"outcome-kind": "continuing_education"})
    future = client.post(url, data={"outcome-kind": "hired_by_host", "outcome-occurred_on": "2099-01-01"})

    assert ok.status_code == 302
    assert other_kind.status_code == 400 and "Not a valid choice" in other_kind.get_data(as_text=True)
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
    assert _rows(app) == [("return_offer", "None")]
    assert "Return offer" in client.get(f"/company/results?season={outcome_world.s25.id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.actor_id).where(AuditEvent.action == "outcome.recorded")) == (
            outcome_world.member.id
        )


def test_another_hosts_member_gets_404_for_an_intern_not_theirs(app, client, login, outcome_world):
    login(outcome_world.stranger)
    response = client.post(
        f"/company/interns/{outcome_world.placements['ben25']}/outcome", data={"outcome-kind": "hired_by_host"}
    )
    assert response.status_code == 404
    assert _rows(app) == []
    with app.app_context():
        assert db.session.get(Placement, outcome_world.placements["ben25"]) is not None


def test_the_outcomes_import_page_previews_refuses_a_bad_file_then_imports_the_template(
    app, client, login, outcome_world
):
    import io

    login(outcome_world.coordinator)
    template = client.get("/coordinator/import/template/outcomes.csv")
    text = template.get_data(as_text=True).lstrip("\ufeff")
    assert template.status_code == 200 and text.startswith("student_email,season_year,kind")
    content = template.get_data()
    bad = content + b"nobody@example.edu,2025,hired_by_host,,,,\r\n"

    refused = client.post("/coordinator/import", data={"kind": "outcomes", "file": (io.BytesIO(bad), "o.csv")})
    assert refused.status_code == 422 and "not a student of your program" in refused.get_data(as_text=True)
    assert _rows(app) == []

    preview = client.post("/coordinator/import", data={"kind": "outcomes", "file": (io.BytesIO(content), "o.csv")})
    html = preview.get_data(as_text=True)
    payload = html.split('name="payload" type="hidden" value="')[1].split('"')[0]
    first = client.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)
    assert "1 added" in first.get_data(as_text=True)
    assert len(_rows(app)) == 1


def test_the_offers_csv_gives_each_accepted_placement_its_recorded_outcomes(app, client, login, outcome_world):
    import csv
    import io

    from sprint.models import User
    from sprint.services.matching import student_outcomes

    with app.app_context():
        coordinator = db.session.get(User, outcome_world.coordinator.id)
        placement = db.session.get(Placement, outcome_world.placements["ben25"])
        student_outcomes.record(coordinator, placement, "return_offer")
        student_outcomes.record(coordinator, placement, "hired_in_sector")
    login(outcome_world.coordinator)

    response = client.get(f"/coordinator/runs/seasons/{outcome_world.s25.id}/offers.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_student = {row[0]: row[-1] for row in rows[1:]}

    assert by_student["Ben Ode"] == "Hired elsewhere in the sector; Return offer"
    assert by_student["Ana Rivera"] == "" and by_student["Cy Park"] == ""
