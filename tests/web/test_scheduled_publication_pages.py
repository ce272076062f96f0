"""Scheduling a publication from the publish page: the time typed in ET (daylight saving included),
refusals shown on the form with nothing written, the run pages showing it with Cancel, and who may."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from sprint.extensions import db
from sprint.models import MatchRun, Phase, PublicationStatus, Role, ScheduledPublication, Season, User, utcnow
from sprint.services.matching import match_runs, scheduled_publication
from sprint.services.matching.match_runs import RunSettings
from sprint.services.support.local_time import to_local, zone

ET = zone("America/New_York")
MARCH_1 = datetime(2027, 3, 1, 17, 0)  # "now" for the daylight-saving cases (UTC)


def _run(app, world, **settings) -> int:
    with app.app_context():
        coordinator = db.session.get(User, world.coordinator.id)
        season = db.session.get(Season, world.season.id)
        return match_runs.start_run(coordinator, season, RunSettings(**{"seed": 1, **settings})).id


def _typed(instant: datetime) -> str:
    """What a coordinator types in the datetime-local box for a stored instant: its ET wall clock."""
    return to_local(instant, ET).strftime("%Y-%m-%dT%H:%M")


def _schedule(client, run_id: int, when: str, **extra):
    data = {"schedule-publish_at": when, "schedule-reason": "", "schedule-confirm": "y", **extra}
    return client.post(f"/coordinator/runs/{run_id}/schedule", data=data)


def _rows(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            db.select(
                ScheduledPublication.run_id, ScheduledPublication.publish_at, ScheduledPublication.status
            ).order_by(ScheduledPublication.id)
        ).all()


def test_the_publish_page_offers_to_schedule_in_et(client, login, small_season, app):
    run_id = _run(app, small_season)
    login(small_season.coordinator)

    page = client.get(f"/coordinator/runs/{run_id}/publish").get_data(as_text=True)

    assert "Or schedule publication" in page and "Publish at (ET)" in page
    assert 'name="schedule-publish_at"' in page and 'type="datetime-local"' in page
    assert "Eastern Time (America/New_York)" in page and "Publish and send" in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2027-03-14T10:00", datetime(2027, 3, 14, 14, 0)),  # daylight time has begun: EDT, UTC-4
        ("2027-03-13T10:00", datetime(2027, 3, 13, 15, 0)),  # the day before: EST, UTC-5
    ],
)
def test_a_time_typed_either_side_of_the_clock_change_is_stored_in_utc(
    client, login, small_season, app, monkeypatch, typed, stored
):
    monkeypatch.setattr(scheduled_publication, "utcnow", lambda: MARCH_1)
    run_id = _run(app, small_season)
    login(small_season.coordinator)

    response = _schedule(client, run_id, typed, **{"schedule-reason": "Board approved"})
    shown = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302
    assert _rows(app) == [(run_id, stored, PublicationStatus.SCHEDULED)]
    label = "10:00\u202fAM EDT" if stored.day == 14 else "10:00\u202fAM EST"
    assert f"publishes Mar {stored.day}, 2027, {label}" in shown and "Cancel" in shown


def test_a_skipped_hour_is_refused_on_the_form(client, login, small_season, app, monkeypatch):
    monkeypatch.setattr(scheduled_publication, "utcnow", lambda: MARCH_1)
    run_id = _run(app, small_season)
    login(small_season.coordinator)

    response = _schedule(client, run_id, "2027-03-14T02:30")

    assert response.status_code == 400 and "the clocks skip that hour" in response.get_data(as_text=True)
    assert _rows(app) == []


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda: _typed(utcnow() - timedelta(hours=1)), "Choose a time in the future"),
        (lambda: _typed(utcnow() + timedelta(days=61)), "Choose a time within 60 days"),
        (lambda: "", "Choose the date and time to publish."),
        (lambda: "tomorrow", "Not a valid datetime value."),
    ],
)
def test_a_bad_time_is_refused_on_the_form_and_nothing_is_written(client, login, small_season, app, when, message):
    run_id = _run(app, small_season)
    login(small_season.coordinator)

    response = _schedule(client, run_id, when())

    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert re.search(r'id="schedule-publish_at-error"[^>]*>[^<]*' + re.escape(message[:20]), page)
    assert _rows(app) == []


def test_a_second_schedule_of_the_round_and_a_published_round_are_refused(client, login, small_season, app):
    first, other = _run(app, small_season), _run(app, small_season, seed=2)
    login(small_season.coordinator)
    assert _schedule(client, first, _typed(utcnow() + timedelta(days=2))).status_code == 302

    second = _schedule(client, other, _typed(utcnow() + timedelta(days=3)))
    publish_page = client.get(f"/coordinator/runs/{other}/publish").get_data(as_text=True)

    assert second.status_code == 400
    assert f"already scheduled to publish run #{first}" in second.get_data(as_text=True)
    assert [row[0] for row in _rows(app)] == [first]
    assert f"Run #{first} publishes" in publish_page and 'name="schedule-publish_at"' not in publish_page


def test_blocking_pairs_need_the_publish_anyway_box(client, login, small_season, app):
    welfare = _run(app, small_season, mode="welfare")
    login(small_season.coordinator)
    when = _typed(utcnow() + timedelta(days=1))

    refused = _schedule(client, welfare, when)
    accepted = _schedule(client, welfare, when, **{"schedule-unstable_ok": "y"})

    assert refused.status_code == 400 and "publish anyway" in refused.get_data(as_text=True)
    assert accepted.status_code == 302 and len(_rows(app)) == 1


def test_the_runs_index_shows_it_and_cancel_stops_it(client, login, small_season, app):
    run_id = _run(app, small_season)
    login(small_season.coordinator)
    _schedule(client, run_id, _typed(utcnow() + timedelta(days=1)))
    with app.app_context():
        scheduled_id = db.session.scalar(db.select(ScheduledPublication.id))

    index = client.get(f"/coordinator/runs/?season={small_season.season.id}").get_data(as_text=True)
    season_page = client.get(f"/coordinator/seasons/{small_season.season.id}").get_data(as_text=True)
    cancelled = client.post(f"/coordinator/runs/scheduled/{scheduled_id}/cancel", follow_redirects=True)
    again = client.post(f"/coordinator/runs/scheduled/{scheduled_id}/cancel", follow_redirects=True)

    assert f"Run #{run_id} publishes" in index and f"/coordinator/runs/scheduled/{scheduled_id}/cancel" in index
    assert f"Run #{run_id} publishes" in season_page
    assert cancelled.status_code == 200 and "is cancelled" in cancelled.get_data(as_text=True)
    assert again.status_code == 200 and "publishes" not in again.get_data(as_text=True)
    assert [row[2] for row in _rows(app)] == [PublicationStatus.CANCELLED]


def test_a_failed_one_shows_its_error_on_the_run_page(client, login, small_season, app):
    scheduled_run = _run(app, small_season)
    login(small_season.coordinator)
    _schedule(client, scheduled_run, _typed(utcnow() + timedelta(hours=1)))
    with app.app_context():
        db.session.get(Season, small_season.season.id).phase = Phase.CLOSED  # closed before the time came
        db.session.commit()
        scheduled_publication.publish_due(now=utcnow() + timedelta(hours=2))

    page = client.get(f"/coordinator/runs/{scheduled_run}").get_data(as_text=True)
    index = client.get(f"/coordinator/runs/?season={small_season.season.id}").get_data(as_text=True)

    assert f"The publication of run #{scheduled_run} scheduled for" in page
    assert "failed: Summer 2027 is closed; nothing more can be published." in page
    assert "scheduled publication failed" in index
    with app.app_context():
        assert db.session.get(MatchRun, scheduled_run).published_at is None


def test_publishing_the_round_by_hand_takes_the_waiting_publication_off_the_pages(client, login, small_season, app):
    scheduled_run, by_hand = _run(app, small_season), _run(app, small_season, seed=2)
    login(small_season.coordinator)
    _schedule(client, scheduled_run, _typed(utcnow() + timedelta(hours=1)))
    assert "publishes" in client.get(f"/coordinator/runs/?season={small_season.season.id}").get_data(as_text=True)

    client.post(f"/coordinator/runs/{by_hand}/publish", data={"confirm": "y"})

    index = client.get(f"/coordinator/runs/?season={small_season.season.id}").get_data(as_text=True)
    assert f"Run #{scheduled_run} publishes" not in index and "Cancel" not in index
    with app.app_context():
        assert db.session.scalar(db.select(ScheduledPublication.status)) == "cancelled"


def test_only_the_runs_program_coordinators_schedule_or_cancel(client, login, small_season, app, make):
    run_id = _run(app, small_season)
    login(small_season.coordinator)
    _schedule(client, run_id, _typed(utcnow() + timedelta(days=1)))
    client.post("/logout")
    with app.app_context():
        scheduled_id = db.session.scalar(db.select(ScheduledPublication.id))
    cancel = f"/coordinator/runs/scheduled/{scheduled_id}/cancel"

    login(make.user(Role.COORDINATOR, make.program(name="Elsewhere")))
    assert client.post(cancel).status_code == 404
    assert _schedule(client, run_id, _typed(utcnow() + timedelta(days=2))).status_code == 404
    client.post("/logout")
    login(make.member(small_season.hosts[0]))
    assert client.post(cancel).status_code == 403

    assert [row[2] for row in _rows(app)] == [PublicationStatus.SCHEDULED]


def test_cancel_without_a_csrf_token_is_refused(app, small_season, password):
    run_id = _run(app, small_season)
    with app.app_context():
        coordinator = db.session.get(User, small_season.coordinator.id)
        scheduled = scheduled_publication.schedule(
            coordinator, db.session.get(MatchRun, run_id), utcnow() + timedelta(days=1)
        )
        scheduled_id = scheduled.id
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": small_season.coordinator.email, "password": password, "csrf_token": token})

        response = client.post(f"/coordinator/runs/scheduled/{scheduled_id}/cancel")

        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [row[2] for row in _rows(app)] == [PublicationStatus.SCHEDULED]


def test_a_failed_attempt_shows_on_the_run_page_while_it_stays_scheduled(client, login, small_season, app, monkeypatch):
    run_id = _run(app, small_season)
    login(small_season.coordinator)
    _schedule(client, run_id, _typed(utcnow() + timedelta(hours=1)))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(match_runs, "publish", broken)
    with app.app_context():
        scheduled_publication.publish_due(now=utcnow() + timedelta(hours=2))

    page = client.get(f"/coordinator/runs/{run_id}").get_data(as_text=True)
    assert f"Run #{run_id} publishes" in page and "failed (RuntimeError); it is tried again every minute." in page
