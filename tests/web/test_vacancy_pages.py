"""A vacancy round through its pages: the coordinator opens it (times typed in the program's zone), an
unmatched student applies, the host ranks, the round's match is run and published, and the student accepts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from vacancy_world import close_window, open_vacancy_round, snapshot

from sprint.extensions import db
from sprint.models import (
    MatchRun,
    Placement,
    Position,
    Role,
    Season,
    User,
    VacancyApplication,
    VacancyHostRank,
    VacancyRound,
)
from sprint.services.matching import match_runs
from sprint.services.matching.match_runs import RunSettings

PASSWORD = "correct horse battery"
CONFIRM = {"confirm": "y"}
RUN_FORM = {"mode": "stable", "seed": "1", "time_limit": "10", "label": "", "cap_per": ""}


def _client_for(app, user_id: int):
    with app.app_context():
        user = db.session.get(User, user_id)
        user.set_password(PASSWORD)
        db.session.commit()
        email = user.email
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _member(app, make, world, position_id: int) -> int:
    with app.app_context():
        host_id = db.session.get(Position, position_id).host_id
    return make.member(next(h for h in world.hosts if h.id == host_id), name="Hana Host").id


def test_the_coordinator_opens_a_round_with_times_in_the_programs_zone(app, small_season):
    with app.app_context():
        coordinator = db.session.get(User, small_season.coordinator.id)
        run = match_runs.start_run(coordinator, db.session.get(Season, small_season.season.id), RunSettings())
        match_runs.publish_run(coordinator, db.session.get(MatchRun, run.id))
    client = _client_for(app, small_season.coordinator.id)
    start = datetime.now(ZoneInfo("America/New_York")).replace(second=0, microsecond=0, tzinfo=None)

    page = client.get(f"/coordinator/runs/?season={small_season.season.id}").get_data(as_text=True)
    form = client.get(f"/coordinator/vacancy-rounds/seasons/{small_season.season.id}/new").get_data(as_text=True)
    response = client.post(
        f"/coordinator/vacancy-rounds/seasons/{small_season.season.id}/new",
        data={
            "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "max_applications": "2",
            "offer_hours": "24",
        },
    )

    assert "Open a vacancy round" in page and "re-run on round-1 lists" in page
    assert "Applications open (E" in form  # labelled with the zone (EST or EDT)
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.scalar(db.select(VacancyRound))
        expected = start.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        assert (round_.number, round_.opens_at, round_.max_applications) == (2, expected, 2)
    shown = client.get(response.location).get_data(as_text=True)
    assert "Vacancy round 2" in shown and "Eligible students" in shown


def test_a_vacancy_round_end_to_end_through_the_pages(app, small_season, make):
    with app.app_context():
        world = open_vacancy_round(small_season)
    student_id = world.unmatched[0]
    student, host = _client_for(app, student_id), _client_for(app, _member(app, make, small_season, world.freed))
    coordinator = _client_for(app, small_season.coordinator.id)
    with app.app_context():
        before = snapshot(world.accepted)

    dashboard = student.get("/student/").get_data(as_text=True)
    listing = student.get("/student/vacancy/").get_data(as_text=True)
    applied = student.post(
        f"/student/vacancy/{world.round}/positions/{world.freed}/apply", data={f"p{world.freed}-note": "Keen to help"}
    )
    twice = student.post(f"/student/vacancy/{world.round}/positions/{world.freed}/apply", data={})
    host_page = host.get(f"/company/vacancy/{world.round}/positions/{world.freed}").get_data(as_text=True)
    ranked = host.post(f"/company/vacancy/{world.round}/positions/{world.freed}", data={f"rank_{student_id}": "1"})
    with app.app_context():
        close_window(world.round)
    late = student.post(f"/student/vacancy/{world.round}/positions/{world.freed}/apply", data={})
    started = coordinator.post(f"/coordinator/vacancy-rounds/{world.round}/run", data=RUN_FORM)
    with app.app_context():
        run = db.session.scalar(db.select(MatchRun).where(MatchRun.vacancy_round_id == world.round))
        run_id = run.id
    published = coordinator.post(f"/coordinator/runs/{run_id}/publish", data=CONFIRM)
    with app.app_context():
        offer = db.session.scalar(db.select(Placement).where(Placement.run_id == run_id))
        offer_id = offer.id
    offered = student.get("/student/").get_data(as_text=True)
    accepted = student.post(f"/student/offers/{offer_id}/accept", data=CONFIRM)

    assert "Vacancy round 2" in dashboard and "You can take part" in dashboard
    assert "seat left" in listing and "/hour" in listing  # pay and conditions, as on position pages
    assert applied.status_code == 302
    assert twice.status_code == 400 and "already applied" in twice.get_data(as_text=True)
    assert "Keen to help" in host_page and "Equal numbers are a tie" in host_page
    assert ranked.status_code == 302
    assert late.status_code == 400 and "closed for applications" in late.get_data(as_text=True)
    assert started.status_code == 302 and published.status_code == 302
    assert "You matched with" in offered
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.get(Placement, offer_id).status == "accepted"
        assert db.session.get(Placement, offer_id).round == 2
        assert snapshot(world.accepted) == before
        assert db.session.scalar(db.select(db.func.count(VacancyApplication.id))) == 1
        assert db.session.scalar(db.select(VacancyHostRank.rank)) == 1


def test_another_programs_round_and_positions_are_not_found(app, small_season, make):
    with app.app_context():
        world = open_vacancy_round(small_season)
    other = make.program(name="Other")
    outsider = make.user(Role.COORDINATOR, other)
    stranger = app.test_client()
    assert stranger.post("/login", data={"email": outsider.email, "password": PASSWORD}).status_code == 302
    student = _client_for(app, world.unmatched[0])
    other_season = make.season(other)
    foreign = make.position(make.host(other), other_season)

    assert stranger.get(f"/coordinator/vacancy-rounds/{world.round}").status_code == 404
    assert stranger.post(f"/coordinator/vacancy-rounds/{world.round}/cancel", data=CONFIRM).status_code == 404
    assert student.post(f"/student/vacancy/{world.round}/positions/{foreign.id}/apply", data={}).status_code == 404
    with app.app_context():
        assert db.session.get(VacancyRound, world.round).status == "open"


def test_the_host_sees_where_the_round_stands_on_the_dashboard(app, small_season, make):
    with app.app_context():
        world = open_vacancy_round(small_season)
    host = _client_for(app, _member(app, make, small_season, world.freed))

    page = host.get("/company/").get_data(as_text=True)

    assert "Vacancy round 2 is open" in page
    assert 'href="/company/vacancy/"' in page  # the link to the round's applicants
