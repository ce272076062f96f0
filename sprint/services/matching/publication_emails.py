"""The emails of a publication: every student of the run and every host member hears what came of it.

Publishing commits the offers and marks the run's emails due (`emails_due_at`), nothing more, so
the request returns at once whatever the number of people. Once it has committed, the job
`matching.publication_emails` writes the messages into the outbox (which sends them): it takes the
run's due mark with one conditional UPDATE in the same transaction as the outbox rows, so the
emails are written exactly once (a second job finds nothing due) and a job that dies half-way
leaves them due. The periodic job writes whatever has been due for a while: a job lost with the
queue, or never queued because the queue could not be reached.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import HostMember, MatchRun, NotificationKind, Placement, Position, User, utcnow
from ..notifications.notify import notify, site_path
from ..support import jobs
from ..support.notify import send_email
from .adapter import key_id

log = logging.getLogger(__name__)

JOB = "matching.publication_emails"
LOST_AFTER = timedelta(minutes=2)  # due this long: its job was lost, the periodic job writes them


def queue(run_id: int) -> None:
    """After the publication commits: queue the job that writes its emails (a queue that cannot be
    reached is logged; the periodic job writes them a few minutes later)."""
    try:
        jobs.enqueue(JOB, run_id)
    except Exception:  # noqa: BLE001 - the mark is committed; the periodic job will find it
        log.exception("Could not queue the emails of run %s; the periodic job will write them", run_id)


def write(run_id: int) -> int:
    """The job: put the run's emails in the outbox if they are still due; how many were written."""
    now = utcnow()
    taken = db.session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.emails_due_at.is_not(None))
        .values(emails_due_at=None, emails_queued_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:  # written already (a second job), or the run is gone
        db.session.rollback()
        return 0
    run = db.session.get(MatchRun, run_id)
    count = _write_emails(run)
    db.session.commit()  # the mark and the outbox rows together
    return count


def write_overdue(now: datetime | None = None) -> int:
    """The periodic job: write the emails of every publication whose job has not come in time."""
    now = now or utcnow()
    overdue = db.session.scalars(
        db.select(MatchRun.id).where(MatchRun.emails_due_at.is_not(None), MatchRun.emails_due_at < now - LOST_AFTER)
    ).all()
    db.session.commit()
    return sum(write(run_id) for run_id in overdue)


def _write_emails(run: MatchRun) -> int:
    """One email to each student of the run (an offer, or the news that there is none this round)
    and one to each member of a host in it. Every row the texts name is loaded up front and held
    here (the session only keeps weak references), so thousands of emails cost a few queries."""
    season = run.season
    placements = list(
        db.session.scalars(
            db.select(Placement)
            .where(Placement.run_id == run.id)
            .options(selectinload(Placement.position).selectinload(Position.host))
        )
    )
    placed = {placement.student_id: placement for placement in placements}
    students = [key_id(entry["id"]) for entry in run.input_snapshot["students"]]
    hosts = {key_id(entry["host"]) for entry in run.input_snapshot["positions"] if entry.get("host")}
    people = list(db.session.scalars(db.select(User).where(User.id.in_(students), User.active.is_(True))))
    written = 0
    for user in people:
        placement = placed.get(user.id)
        if placement is not None:  # an offer to answer: a notification, always emailed (a required kind)
            offer = notify(
                user,
                NotificationKind.OFFER,
                _l(
                    "Answer your offer from %(host)s: %(title)s",
                    host=placement.position.host.name,
                    title=placement.position.title,
                ),
                site_path("student.dashboard"),
                program=season.program,
                season=season,
                email_template="results_published_offer",
                email_subject=_l("Your %(season)s match result", season=season.name),
                placement=placement,
                round=run.round,
            )
            written += offer.emailed_at is not None
            continue
        written += send_email(
            user.email,
            _l("Your %(season)s match result", season=season.name),
            "results_published_unmatched",
            locale=user.locale,
            user=user,
            season=season,
            placement=placement,
            round=run.round,
            program=season.program,
        )
    offers_of: dict[int, list[Placement]] = {}
    for placement in placements:
        offers_of.setdefault(placement.position.host_id, []).append(placement)
    members = db.session.scalars(
        db.select(HostMember)
        .where(HostMember.host_id.in_(hosts))
        .options(selectinload(HostMember.user), selectinload(HostMember.host))
    )
    for member in members:
        written += send_email(
            member.user.email,
            f"{season.name} match results for {member.host.name}",
            "results_published_host",
            user=member.user,
            season=season,
            host=member.host,
            placements=offers_of.get(member.host_id, []),
            round=run.round,
            program=season.program,
        )
    return written


JOBS = (
    jobs.Job(JOB, write),
    jobs.Job("matching.publication_emails_overdue", write_overdue, every=crontab(minute="*")),
)
