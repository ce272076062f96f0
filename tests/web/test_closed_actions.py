"""Each page knows what the person may do now: a closed action is not offered (or is shown closed, with
why and since when), and the server still refuses it when posted anyway."""

from __future__ import annotations

import re
from datetime import timedelta

from season_rounds import publish_round

from sprint.extensions import db
from sprint.models import (
    DeadlineExtension,
    ExtensionKind,
    MatchRun,
    Placement,
    Position,
    Season,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.matching import match_runs

CONFIRM = {"confirm": "y"}
POSITION_FORM = {
    "title": "Late intern",
    "description": "Work.",
    "slots": 1,
    "hourly_pay": "20",
    "hours_per_week": 40,
    "start_date": "2027-06-01",
    "end_date": "2027-08-13",
    "site_town": "New Haven",
    "work_mode": "onsite",
}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def test_after_publication_hosts_are_told_positions_are_closed_before_any_form(app, client, login, one_seat):
    publish_round(app, one_seat)
    login(one_seat.owner)
    positions_before = _count(app, Position)

    dashboard = client.get("/company/").get_data(as_text=True)
    new = client.get("/company/positions/new")
    edit = client.get(f"/company/positions/{one_seat.position.id}/edit")
    posted = client.post("/company/positions/new", data=POSITION_FORM)
    edited = client.post(f"/company/positions/{one_seat.position.id}/edit", data={**POSITION_FORM, "title": "Renamed"})

    assert 'href="/company/positions/new"' not in dashboard and "New positions for Summer 2027 are closed" in dashboard
    assert f'href="/company/positions/{one_seat.position.id}/edit"' not in dashboard
    assert new.status_code == 200 and 'name="title"' not in new.get_data(as_text=True)
    assert "are closed" in new.get_data(as_text=True) and "Closed since" in new.get_data(as_text=True)
    assert edit.status_code == 200 and 'name="title"' not in edit.get_data(as_text=True)
    assert posted.status_code == 409 and edited.status_code == 409
    assert _count(app, Position) == positions_before
    with app.app_context():
        assert db.session.get(Position, one_seat.position.id).title == "Lab intern"


def test_other_runs_of_a_published_round_no_longer_offer_publish(app, client, login, one_seat):
    with app.app_context():
        coordinator, season = db.session.get(User, one_seat.coordinator.id), db.session.get(Season, one_seat.season.id)
        first = match_runs.start_run(coordinator, season, match_runs.RunSettings(seed=1))
        other = match_runs.start_run(coordinator, season, match_runs.RunSettings(seed=2))
        match_runs.publish_run(coordinator, first)
        first_id, other_id = first.id, other.id
    login(one_seat.coordinator)

    page = client.get(f"/coordinator/runs/{other_id}").get_data(as_text=True)
    confirm = client.get(f"/coordinator/runs/{other_id}/publish").get_data(as_text=True)
    posted = client.post(f"/coordinator/runs/{other_id}/publish", data=CONFIRM)

    assert "Publish round 1" not in page and f"was published with run #{first_id}" in page
    assert 'name="confirm"' not in confirm and f"was published with run #{first_id}" in confirm
    assert posted.status_code == 400 and "already published" in posted.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MatchRun, other_id).published_at is None
        assert db.session.scalar(db.select(db.func.count(Placement.id))) == 1


def test_a_student_hears_of_a_second_round_only_until_it_ran(app, client, login, one_seat):
    publish_round(app, one_seat)  # Ana gets the only seat; Ben is unmatched
    login(one_seat.ben)
    before = client.get("/student/").get_data(as_text=True)

    publish_round(app, one_seat, round_=2)  # no seat is left: Ben stays unmatched
    after = client.get("/student/").get_data(as_text=True)

    assert "runs a second round for the seats that remain" in before
    assert "runs a second round" not in after and "The second round of Summer 2027 has run" in after


def test_a_new_run_is_not_offered_after_publication_nor_a_second_round_after_it_ran(app, client, login, one_seat):
    publish_round(app, one_seat)
    login(one_seat.coordinator)
    index = f"/coordinator/runs/?season={one_seat.season.id}"

    between = client.get(index).get_data(as_text=True)
    publish_round(app, one_seat, round_=2)
    after = client.get(index).get_data(as_text=True)
    refused = client.post(
        f"/coordinator/runs/seasons/{one_seat.season.id}/second-round",
        data={"mode": "stable", "seed": 3, "time_limit": 5},
    )

    assert "New run" not in between and "Second round: re-run on round-1 lists (" in between
    assert "Open a vacancy round" in between and "Open a vacancy round" in after  # the default path after round 1
    assert "re-run on round-1 lists (" not in after and "The second round of Summer 2027 has run" in after
    assert refused.status_code == 400 and "already published" in refused.get_data(as_text=True)


def _close_ranking(app, one_seat) -> None:
    with app.app_context():
        season = db.session.get(Season, one_seat.season.id)
        season.applications_close_at, season.ranking_close_at = (
            utcnow() - timedelta(days=2),
            utcnow() - timedelta(days=1),
        )
        db.session.commit()


def test_after_the_ranking_deadline_the_rank_list_is_read_only_and_refused(app, client, login, one_seat):
    _close_ranking(app, one_seat)
    login(one_seat.ana)

    page = client.get("/student/ranks").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    posted = client.post(
        "/student/ranks", data={"version": version, "action": "draft", f"rank_{one_seat.position.id}": "1"}
    )

    assert "Certify my list" not in page and "Save draft" not in page and "readonly" in page
    assert "the deadline has passed" in page and "Withdraw" not in page
    assert posted.status_code == 400 and "deadline passed" in posted.get_data(as_text=True)


def test_an_extension_reopens_the_rank_list_for_that_student_only(app, client, login, one_seat):
    _close_ranking(app, one_seat)
    with app.app_context():
        db.session.add(
            DeadlineExtension(
                season_id=one_seat.season.id,
                user_id=one_seat.ana.id,
                kind=ExtensionKind.RANKING,
                until=utcnow() + timedelta(days=3),
                reason="Hospital stay",
            )
        )
        db.session.commit()
    login(one_seat.ana)

    page = client.get("/student/ranks").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    posted = client.post(
        "/student/ranks", data={"version": version, "action": "certify", f"rank_{one_seat.position.id}": "1"}
    )
    client.post("/logout")
    login(one_seat.ben)
    other = client.get("/student/ranks").get_data(as_text=True)

    assert "Certify my list" in page and posted.status_code == 302
    assert "Certify my list" not in other


def test_applying_after_applications_close_is_not_offered_and_refused(app, client, login, one_seat, make):
    later = make.position(one_seat.host, one_seat.season, title="Second lab intern")
    login(one_seat.ben)

    page = client.get(f"/student/positions/{later.id}").get_data(as_text=True)
    posted = client.post(f"/student/positions/{later.id}", data={"statement": "Please"})

    assert 'name="statement"' not in page and "Applications for Summer 2027 are closed" in page
    assert posted.status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(StudentRank.id)).where(StudentRank.position_id == later.id)) == 0
        )


def test_an_offer_past_its_deadline_offers_no_answer_buttons(app, client, login, one_seat):
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    with app.app_context():
        db.session.get(Placement, placement_id).response_deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
    login(one_seat.ana)

    page = client.get("/student/").get_data(as_text=True)
    decline = client.get(f"/student/offers/{placement_id}/decline").get_data(as_text=True)
    accepted = client.post(f"/student/offers/{placement_id}/accept", data={"confirm": "y"})

    assert "Accept the offer" not in page and "Decline" not in page and "time to answer this offer is over" in page
    assert 'name="confirm"' not in decline
    assert accepted.status_code == 400


def test_offers_of_a_closed_season_offer_no_answer_and_are_refused(app, client, login, one_seat):
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    with app.app_context():
        db.session.get(Season, one_seat.season.id).phase = "closed"
        db.session.commit()
    login(one_seat.ana)

    page = client.get("/student/").get_data(as_text=True)
    accepted = client.post(f"/student/offers/{placement_id}/accept", data={"confirm": "y"})

    assert "Accept the offer" not in page and "Summer 2027 is closed" in page
    assert accepted.status_code == 400 and "can no longer be answered" in accepted.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Placement, placement_id).status == "offered"
