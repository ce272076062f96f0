"""Scheduled publication as a service: scheduling checks, cancelling, and the every-minute job that
publishes a due one once (and marks it failed, with the reason, when the rules refuse it by then)."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    MatchRun,
    Phase,
    Placement,
    PublicationStatus,
    Role,
    RunStatus,
    ScheduledPublication,
    Season,
    User,
    utcnow,
)
from sprint.services.errors import NotFound, ServiceError
from sprint.services.matching import match_runs, scheduled_publication
from sprint.services.matching.match_runs import RunSettings
from sprint.services.support import jobs
from sprint.services.support.local_time import format_when, zone_of


def _coordinator(world) -> User:
    return db.session.get(User, world.coordinator.id)


def _start(world, **settings) -> MatchRun:
    return match_runs.start_run(
        _coordinator(world), db.session.get(Season, world.season.id), RunSettings(**{"seed": 1, **settings})
    )


def _in(hours: float) -> datetime:
    return utcnow() + timedelta(hours=hours)


def _rows() -> list[ScheduledPublication]:
    db.session.expire_all()
    return db.session.scalars(db.select(ScheduledPublication).order_by(ScheduledPublication.id)).all()


def _actions() -> list[str]:
    return db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action.like("publication.%")).order_by(AuditEvent.id)
    ).all()


def _placements() -> int:
    return db.session.scalar(db.select(db.func.count(Placement.id)))


def test_a_scheduled_publication_keeps_its_time_reason_and_round_and_is_audited(appctx, small_season):
    run = _start(small_season)
    at = _in(3).replace(microsecond=0)

    scheduled = scheduled_publication.schedule(_coordinator(small_season), run, at, "  Board approved  ")

    (row,) = _rows()
    assert (row.id, row.run_id, row.round, row.publish_at, row.reason) == (
        scheduled.id,
        run.id,
        1,
        at,
        "Board approved",
    )
    assert row.status == PublicationStatus.SCHEDULED and row.created_by_id == small_season.coordinator.id
    assert _actions() == ["publication.scheduled"]
    assert db.session.get(MatchRun, run.id).published_at is None and _placements() == 0


@pytest.mark.parametrize(
    ("hours", "message"),
    [(-1, "Choose a time in the future"), (0, "Choose a time in the future"), (24 * 61, "within 60 days")],
)
def test_a_time_past_or_too_far_ahead_is_refused(appctx, small_season, hours, message):
    run = _start(small_season)

    with pytest.raises(ServiceError, match=message) as refused:
        scheduled_publication.schedule(_coordinator(small_season), run, _in(hours))

    assert refused.value.field == "publish_at"
    assert _rows() == [] and _actions() == []


def test_a_run_that_is_not_finished_cannot_be_scheduled(appctx, small_season):
    queued = match_runs.create_run(_coordinator(small_season), db.session.get(Season, small_season.season.id))
    assert queued.status == RunStatus.QUEUED

    with pytest.raises(ServiceError, match="Only a finished run can be published"):
        scheduled_publication.schedule(_coordinator(small_season), queued, _in(2))

    assert _rows() == []


def test_a_round_already_published_cannot_be_scheduled_again(appctx, small_season):
    first, other = _start(small_season), _start(small_season, seed=2)
    match_runs.publish(_coordinator(small_season), first)

    with pytest.raises(ServiceError, match="Round 1 of Summer 2027 was published with run"):
        scheduled_publication.schedule(_coordinator(small_season), other, _in(2))

    assert _rows() == []


def test_blocking_pairs_need_publish_anyway_as_publishing_now_does(appctx, small_season):
    welfare = _start(small_season, mode="welfare")
    assert match_runs.blocking_pairs(welfare) > 0

    with pytest.raises(ServiceError, match="publish anyway") as refused:
        scheduled_publication.schedule(_coordinator(small_season), welfare, _in(2))
    scheduled_publication.schedule(_coordinator(small_season), welfare, _in(2), unstable_ok=True)

    assert refused.value.field == "unstable_ok"
    assert [row.unstable_ok for row in _rows()] == [True]


def test_a_second_schedule_for_the_same_round_is_refused_with_the_first_ones_time(appctx, small_season):
    first, other = _start(small_season), _start(small_season, seed=2)
    at = _in(72)
    scheduled_publication.schedule(_coordinator(small_season), first, at)
    shown = format_when(at, zone_of(small_season.program), with_time=True)

    for run in (first, other):
        with pytest.raises(ServiceError, match=rf"already scheduled to publish run #{first.id} at {re.escape(shown)};"):
            scheduled_publication.schedule(_coordinator(small_season), run, _in(5))

    assert [row.run_id for row in _rows()] == [first.id]
    assert _actions() == ["publication.scheduled"]


def test_the_database_keeps_one_waiting_publication_per_round(appctx, small_season):
    first, other = _start(small_season), _start(small_season, seed=2)
    scheduled_publication.schedule(_coordinator(small_season), first, _in(2))
    db.session.add(ScheduledPublication(season_id=small_season.season.id, run_id=other.id, round=1, publish_at=_in(4)))

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert len(_rows()) == 1


def test_another_programs_coordinator_cannot_schedule_or_cancel(appctx, small_season, make):
    run = _start(small_season)
    scheduled = scheduled_publication.schedule(_coordinator(small_season), run, _in(2))
    stranger = db.session.get(User, make.user(Role.COORDINATOR, make.program(name="Elsewhere")).id)

    with pytest.raises(NotFound):
        scheduled_publication.schedule(stranger, run, _in(3))
    with pytest.raises(NotFound):
        scheduled_publication.cancel(stranger, scheduled)
    with pytest.raises(NotFound):
        scheduled_publication.scheduled_for(stranger, scheduled.id)

    assert [row.status for row in _rows()] == [PublicationStatus.SCHEDULED]


def test_cancel_stops_it_a_second_cancel_changes_nothing_and_the_round_can_be_scheduled_again(appctx, small_season):
    run = _start(small_season)
    scheduled = scheduled_publication.schedule(_coordinator(small_season), run, _in(1))

    scheduled_publication.cancel(_coordinator(small_season), scheduled)
    scheduled_publication.cancel(_coordinator(small_season), scheduled)  # a second click
    published = scheduled_publication.publish_due(now=_in(2))
    again = scheduled_publication.schedule(_coordinator(small_season), run, _in(3))

    first, second = _rows()
    assert (first.status, first.cancelled_by_id) == (PublicationStatus.CANCELLED, small_season.coordinator.id)
    assert first.finished_at is not None and second.id == again.id and second.status == PublicationStatus.SCHEDULED
    assert published == 0 and _placements() == 0
    assert _actions() == ["publication.scheduled", "publication.cancelled", "publication.scheduled"]


def test_a_published_one_cannot_be_cancelled(appctx, small_season):
    run = _start(small_season)
    scheduled = scheduled_publication.schedule(_coordinator(small_season), run, _in(1))
    scheduled_publication.publish_due(now=_in(2))

    with pytest.raises(ServiceError, match="already published"):
        scheduled_publication.cancel(_coordinator(small_season), scheduled)

    assert [row.status for row in _rows()] == [PublicationStatus.PUBLISHED]


def test_publish_due_publishes_a_due_one_once_and_leaves_a_future_one(appctx, small_season, outbox):
    run = _start(small_season)
    second_season = db.session.get(Season, small_season.season.id)
    due = scheduled_publication.schedule(_coordinator(small_season), run, _in(1), "On time")
    later = ScheduledPublication(  # another round waiting further ahead (the database allows it)
        season_id=second_season.id, run_id=run.id, round=2, publish_at=_in(48)
    )
    db.session.add(later)
    db.session.commit()
    due_id, later_id = due.id, later.id

    first = scheduled_publication.publish_due(now=_in(2))
    second = scheduled_publication.publish_due(now=_in(2.5))

    rows = {row.id: row for row in _rows()}
    assert (first, second) == (1, 0)
    assert rows[due_id].status == PublicationStatus.PUBLISHED and rows[due_id].finished_at is not None
    assert rows[later_id].status == PublicationStatus.SCHEDULED
    published = db.session.get(MatchRun, run.id)
    assert published.published_at is not None and published.published_by_id == small_season.coordinator.id
    assert _placements() == 5
    assert len([m for m in outbox if "match result" in m.subject]) == 7
    reasons = db.session.scalars(db.select(AuditEvent.details).where(AuditEvent.action == "run.published")).all()
    assert [details.get("reason") for details in reasons] == ["On time"]
    assert _actions() == ["publication.scheduled", "publication.published"]


def test_a_round_published_by_hand_meanwhile_cancels_the_waiting_publication_with_the_reason(appctx, small_season):
    scheduled_run, by_hand = _start(small_season), _start(small_season, seed=2)
    scheduled = scheduled_publication.schedule(_coordinator(small_season), scheduled_run, _in(1))
    match_runs.publish(_coordinator(small_season), by_hand)

    (row,) = _rows()
    assert row.id == scheduled.id and row.status == PublicationStatus.CANCELLED and row.finished_at is not None
    assert row.error == f"Round 1 was published with run #{by_hand.id} before this time."
    assert row.cancelled_by_id == _coordinator(small_season).id
    assert scheduled_publication.waiting_in(db.session.get(Season, small_season.season.id)) == []

    assert scheduled_publication.publish_due(now=_in(2)) == 0
    assert _rows()[0].status == PublicationStatus.CANCELLED
    assert db.session.get(MatchRun, scheduled_run.id).published_at is None


def test_a_publication_the_rules_refuse_at_its_time_fails_with_the_reason(appctx, small_season):
    run = _start(small_season)
    scheduled = scheduled_publication.schedule(_coordinator(small_season), run, _in(1))
    season = db.session.get(Season, small_season.season.id)
    season.phase = Phase.CLOSED  # closed before the time came
    db.session.commit()

    assert scheduled_publication.publish_due(now=_in(2)) == 0

    (row,) = _rows()
    assert row.id == scheduled.id and row.status == PublicationStatus.FAILED and row.finished_at is not None
    assert "closed" in row.error
    assert db.session.get(MatchRun, run.id).published_at is None
    failed = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "publication.failed"))
    assert failed.details["error"] == row.error and failed.program_id == small_season.program.id
    assert scheduled_publication.latest_by_run([run.id])[run.id].id == row.id


def test_a_coordinator_deactivated_since_cannot_publish_in_their_name(appctx, small_season):
    run = _start(small_season)
    scheduled_publication.schedule(_coordinator(small_season), run, _in(1))
    _coordinator(small_season).active = False
    db.session.commit()

    scheduled_publication.publish_due(now=_in(2))

    (row,) = _rows()
    assert row.status == PublicationStatus.FAILED and "can no longer publish" in row.error
    assert _placements() == 0


def test_a_publication_that_breaks_halfway_leaves_nothing_and_the_next_minute_retries(
    appctx, small_season, monkeypatch
):
    run = _start(small_season)
    scheduled_publication.schedule(_coordinator(small_season), run, _in(1))
    real_publish = match_runs.publish_run

    def dies_before_commit(actor, run, reason="", unstable_ok=False):
        db.session.add_all(
            [
                Placement(season_id=run.season_id, run_id=run.id, student_id=a.student_id, position_id=a.position_id)
                for a in run.assignments
            ]
        )
        db.session.flush()  # written, not committed: then the worker is gone
        raise RuntimeError("worker killed")

    monkeypatch.setattr(match_runs, "publish", dies_before_commit)
    broken = scheduled_publication.publish_due(now=_in(2))
    assert [row.status for row in _rows()] == [PublicationStatus.SCHEDULED]
    assert _placements() == 0 and _actions() == ["publication.scheduled"]
    monkeypatch.setattr(match_runs, "publish", lambda *a: real_publish(*a, notify=True))

    retried = scheduled_publication.publish_due(now=_in(2) + timedelta(minutes=1))

    assert (broken, retried) == (0, 1)
    assert [row.status for row in _rows()] == [PublicationStatus.PUBLISHED] and _placements() == 5
    assert _rows()[0].error == ""  # the failed attempt's note is gone with the publication


def test_a_failed_attempt_is_said_on_the_waiting_publication(appctx, small_season, monkeypatch):
    run = _start(small_season)
    scheduled_publication.schedule(_coordinator(small_season), run, _in(1))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(match_runs, "publish", broken)
    scheduled_publication.publish_due(now=_in(2))

    (row,) = _rows()
    assert row.status == PublicationStatus.SCHEDULED
    assert row.error.startswith("The attempt at ") and row.error.endswith(
        "failed (RuntimeError); it is tried again every minute."
    )


def test_a_worker_that_finds_it_claimed_does_nothing(appctx, small_season, monkeypatch):
    """Two workers at the same minute: the second's conditional UPDATE finds the row no longer
    scheduled (here the first has committed by then) and publishes nothing."""
    run = _start(small_season)
    scheduled = scheduled_publication.schedule(_coordinator(small_season), run, _in(1))
    calls = []
    real_publish = match_runs.publish

    def publish_and_meet_a_second_worker(*args):
        calls.append(args)
        placements = real_publish(*args)
        assert scheduled_publication._publish_one(scheduled.id, _in(2)) is False
        return placements

    monkeypatch.setattr(match_runs, "publish", publish_and_meet_a_second_worker)

    scheduled_publication.publish_due(now=_in(2))

    assert len(calls) == 1 and _placements() == 5
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "run.published")) == 1


def test_the_job_is_registered_as_periodic_every_minute(app):
    queue = jobs.jobs_of(app)

    due = [task.name for task in queue.huey.read_periodic(datetime(2027, 3, 20, 10, 7))]

    assert "matching.publish_due" in due
    assert queue.functions["matching.publish_due"].__name__ == "matching.publish_due"


def test_two_workers_at_the_same_minute_publish_it_once(app, small_season):
    """Two scheduling workers (a second one started by mistake) run the job at the same moment, each
    in its own session and transaction: the claim lets exactly one of them publish."""
    with app.app_context():
        run = _start(small_season)
        scheduled_publication.schedule(_coordinator(small_season), run, _in(1))
        run_id = run.id
    barrier, results = threading.Barrier(2), []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(scheduled_publication.publish_due(now=_in(2)))
            except Exception as error:  # noqa: BLE001 - reported to the assertion below
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [0, 1]
    with app.app_context():
        assert [row.status for row in _rows()] == [PublicationStatus.PUBLISHED] and _placements() == 5
        assert db.session.get(MatchRun, run_id).published_at is not None
        published = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action == "run.published"))
        assert len(published.all()) == 1
