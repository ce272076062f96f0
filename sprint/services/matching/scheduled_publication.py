"""Scheduled publication: "publish run #12 at Mar 20, 10:00 AM ET", cancellable until then.

A coordinator schedules a finished run that could be published now; the every-minute job
`matching.publish_due` (on the one worker started with the scheduler on) publishes it at that time
through `match_runs.publish`, in the coordinator's name, with the reason and "publish anyway" they
gave. The job claims a due row with a conditional UPDATE (scheduled to published) in the same
transaction as the publication itself: a worker killed mid-publish leaves nothing behind (the row
is still scheduled, and the next minute tries again), and two workers never publish it twice. A
publication the rules refuse by then (the round was published by hand meanwhile, the season
closed) is marked failed with the reason, which the run pages show.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import MatchRun, PublicationStatus, Role, ScheduledPublication, Season, User, utcnow
from ..errors import NotFound, ServiceError
from ..market import open_actions
from ..support import audit, jobs
from ..support.concurrency import lock_row
from ..support.local_time import format_when, zone_of
from . import match_runs
from .seats import check_market_unchanged

MAX_AHEAD_DAYS = 60  # a publication may be scheduled at most this far ahead

log = logging.getLogger(__name__)


def schedule(
    actor: User, run: MatchRun, publish_at: datetime, reason: str = "", unstable_ok: bool = False
) -> ScheduledPublication:
    """Schedule the run's publication at `publish_at` (naive UTC); the run must be one that could be
    published now, and its season's round must have no other publication waiting."""
    _check_program(actor, run.season)
    lock_row(Season, run.season_id, run)  # two tabs scheduling the same round: the second waits, then finds it
    season = run.season
    open_actions.publish(run).require()
    if run.round > 1:
        check_market_unchanged(run)
    match_runs.check_blocking(run, unstable_ok, "schedule")
    _check_time(publish_at, season)
    waiting = waiting_for(season, run.round)
    if waiting is not None:
        raise ServiceError(_already(waiting), "publish_at")
    scheduled = ScheduledPublication(
        season_id=season.id,
        run_id=run.id,
        round=run.round,
        publish_at=publish_at,
        reason=(reason or "").strip()[:300],
        unstable_ok=bool(unstable_ok),
        created_by_id=actor.id,
    )
    db.session.add(scheduled)
    db.session.flush()
    audit.record(
        actor,
        "publication.scheduled",
        scheduled,
        program_id=season.program_id,
        run=run.id,
        round=run.round,
        publish_at=publish_at.isoformat(),
        unstable_ok=bool(unstable_ok) or None,
        **audit.said(reason),
    )
    try:
        db.session.commit()
    except IntegrityError as error:  # SQLite takes no row lock: the unique index keeps the second out
        db.session.rollback()
        raise ServiceError(f"Round {run.round} of {season.name} already has a publication scheduled.") from error
    return scheduled


def _check_program(actor: User, season: Season) -> None:
    if actor.program_id != season.program_id:
        raise NotFound("There is no such match run in your program.")


def _check_time(publish_at: datetime, season: Season) -> None:
    now, tz = utcnow(), zone_of(season.program)
    if publish_at <= now:
        raise ServiceError(
            f"Choose a time in the future: {format_when(publish_at, tz, with_time=True)} has passed.", "publish_at"
        )
    if publish_at > now + timedelta(days=MAX_AHEAD_DAYS):
        raise ServiceError(
            f"Choose a time within {MAX_AHEAD_DAYS} days, by "
            f"{format_when(now + timedelta(days=MAX_AHEAD_DAYS), tz, with_time=True)}.",
            "publish_at",
        )


def _already(waiting: ScheduledPublication) -> str:
    when = format_when(waiting.publish_at, zone_of(waiting.season.program), with_time=True)
    return (
        f"Round {waiting.round} of {waiting.season.name} is already scheduled to publish run #{waiting.run_id} "
        f"at {when}; cancel that first to choose another run or time."
    )


def cancel(actor: User, scheduled: ScheduledPublication) -> ScheduledPublication:
    """Cancel a waiting publication; cancelling one already cancelled (a second click) does nothing."""
    _check_program(actor, scheduled.season)
    now = utcnow()
    cancelled = db.session.execute(  # conditional: the job may be publishing it at this moment
        update(ScheduledPublication)
        .where(ScheduledPublication.id == scheduled.id, ScheduledPublication.status == PublicationStatus.SCHEDULED)
        .values(status=PublicationStatus.CANCELLED, cancelled_by_id=actor.id, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if cancelled.rowcount == 1:
        audit.record(
            actor,
            "publication.cancelled",
            scheduled,
            program_id=scheduled.season.program_id,
            run=scheduled.run_id,
            round=scheduled.round,
        )
        db.session.commit()
        db.session.refresh(scheduled)
        return scheduled
    db.session.rollback()
    db.session.refresh(scheduled)
    if scheduled.status == PublicationStatus.CANCELLED:
        return scheduled
    raise ServiceError(
        f"The publication of run #{scheduled.run_id} is already {scheduled.status}; it cannot be cancelled."
    )


def publish_due(now: datetime | None = None) -> int:
    """The periodic job (every minute): publish every scheduled publication whose time has come.
    Returns how many were published."""
    now = now or utcnow()
    due = db.session.scalars(
        db.select(ScheduledPublication.id)
        .where(ScheduledPublication.status == PublicationStatus.SCHEDULED, ScheduledPublication.publish_at <= now)
        .order_by(ScheduledPublication.publish_at, ScheduledPublication.id)
    ).all()
    db.session.commit()
    return sum(_publish_one(scheduled_id, now) for scheduled_id in due)


def _publish_one(scheduled_id: int, now: datetime) -> bool:
    """Claim one due publication and publish it in the same transaction; False when another worker has
    it, the rules refuse it (marked failed) or something broke (still scheduled: the next minute retries)."""
    claimed = db.session.execute(
        update(ScheduledPublication)
        .where(
            ScheduledPublication.id == scheduled_id,
            ScheduledPublication.status == PublicationStatus.SCHEDULED,
            ScheduledPublication.publish_at <= now,
        )
        .values(status=PublicationStatus.PUBLISHED, finished_at=now, error="")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    scheduled = db.session.get(ScheduledPublication, scheduled_id, populate_existing=True)
    run = scheduled.run
    try:
        actor = _publisher(scheduled)
        audit.record(
            actor,
            "publication.published",
            scheduled,
            program_id=scheduled.season.program_id,
            run=run.id,
            round=scheduled.round,
        )
        match_runs.publish(actor, run, scheduled.reason, scheduled.unstable_ok)  # commits the claim with it
    except ServiceError as refused:
        db.session.rollback()
        _fail(scheduled_id, str(refused), now)
        return False
    except Exception as error:  # the database went away, a bug: nothing was written; the next minute tries again
        db.session.rollback()
        log.exception("Scheduled publication %s could not be published; it stays scheduled", scheduled_id)
        _note_attempt(scheduled_id, error, now)
        return False
    log.info("Scheduled publication %s published run %s", scheduled_id, run.id)
    return True


def _note_attempt(scheduled_id: int, error: Exception, now: datetime) -> None:
    """Say on the waiting row that its last attempt failed, for the pages (it stays scheduled)."""
    try:
        scheduled = db.session.get(ScheduledPublication, scheduled_id)
        when = format_when(now, zone_of(scheduled.season.program), with_time=True)
        db.session.execute(
            update(ScheduledPublication)
            .where(ScheduledPublication.id == scheduled_id, ScheduledPublication.status == PublicationStatus.SCHEDULED)
            .values(error=f"The attempt at {when} failed ({type(error).__name__}); it is tried again every minute.")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database itself is gone: the log has it
        db.session.rollback()


def _publisher(scheduled: ScheduledPublication) -> User:
    """The coordinator who scheduled it, if they may still publish for the program."""
    actor = scheduled.created_by
    if (
        actor is None
        or not actor.active
        or actor.role != Role.COORDINATOR
        or actor.program_id != scheduled.season.program_id
    ):
        raise ServiceError("The coordinator who scheduled it can no longer publish for this program.")
    return actor


def _fail(scheduled_id: int, message: str, now: datetime) -> None:
    failed = db.session.execute(
        update(ScheduledPublication)
        .where(ScheduledPublication.id == scheduled_id, ScheduledPublication.status == PublicationStatus.SCHEDULED)
        .values(status=PublicationStatus.FAILED, error=message, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if failed.rowcount == 1:
        scheduled = db.session.get(ScheduledPublication, scheduled_id, populate_existing=True)
        audit.record(
            None,
            "publication.failed",
            scheduled,
            program_id=scheduled.season.program_id,
            run=scheduled.run_id,
            round=scheduled.round,
            error=message,
        )
    db.session.commit()
    log.warning("Scheduled publication %s failed: %s", scheduled_id, message)


# Reads for the pages -------------------------------------------------------------------------------


def scheduled_for(actor: User, scheduled_id: int) -> ScheduledPublication:
    """The scheduled publication if its season belongs to the actor's program, else NotFound."""
    scheduled = db.session.get(ScheduledPublication, scheduled_id) if scheduled_id else None
    if scheduled is None or scheduled.season.program_id != actor.program_id:
        raise NotFound("There is no such scheduled publication in your program.")
    return scheduled


def waiting_in(season: Season) -> list[ScheduledPublication]:
    """The season's publications waiting for their time, by round (one per round at most)."""
    return list(
        db.session.scalars(
            db.select(ScheduledPublication)
            .where(
                ScheduledPublication.season_id == season.id, ScheduledPublication.status == PublicationStatus.SCHEDULED
            )
            .order_by(ScheduledPublication.round)
        )
    )


def waiting_for(season: Season, round_: int) -> ScheduledPublication | None:
    """The publication waiting for its time in this round of the season, if any."""
    return next((waiting for waiting in waiting_in(season) if waiting.round == round_), None)


def latest_by_run(run_ids: list[int]) -> dict[int, ScheduledPublication]:
    """Each run's latest scheduled publication that a page should mention: one waiting, or one that
    failed (cancelled and published ones say nothing the run itself does not)."""
    rows = db.session.scalars(
        db.select(ScheduledPublication)
        .where(ScheduledPublication.run_id.in_(run_ids))
        .order_by(ScheduledPublication.id)
    )
    latest = {row.run_id: row for row in rows}
    return {
        run_id: row
        for run_id, row in latest.items()
        if row.status in (PublicationStatus.SCHEDULED, PublicationStatus.FAILED)
    }


JOBS = (jobs.Job("matching.publish_due", publish_due, every=crontab(minute="*")),)
