"""Confirmed CSV imports, run by a background job with their progress in the database.

An import's state lives in its ImportJob row (previewed, queued, running, done, failed), so the
progress page can poll it. The job `directory.run_import(job_id)`:

- claims the row (a conditional UPDATE from queued to running that stamps started_at), so of two
  executions of one import (a job queued twice, a requeue) exactly one does it;
- validates the stored file again and writes every row in ONE transaction of its own session; the
  row's "done" (conditional on its own claim) is written in that same transaction, so the rows and
  the "done" commit together or not at all: a failure leaves nothing written, and the row is marked
  failed, with the reason, afterwards;
- reports the rows written so far, and a heartbeat, on a connection of its own, committed at once,
  so the page sees them while the import's transaction is still open. SQLite has one writer at a
  time (a second connection would wait for the import's lock): there the page shows "running" and
  the next figure is the end.

A worker that dies mid-import leaves the row running and its transaction rolled back: after
IMPORT_LEASE_S without a heartbeat, `requeue_lost` (a periodic job) puts it back to queued and
queues it again, at most MAX_ATTEMPTS times; a queued row whose job the queue lost is queued again
too. A worker that was only slow and comes back finds its claim gone and stores nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import and_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import ImportJob, ImportStatus, Season, User, utcnow
from ..errors import ServiceError, StaleEdit
from ..support import jobs
from . import csv_import

RUN_JOB = "directory.run_import"
LEASE_S = 600.0  # IMPORT_LEASE_S: a running import whose heartbeat is older than this lost its worker
REQUEUE_AFTER = timedelta(minutes=2)  # a queued import waiting this long whose job the queue lacks
MAX_ATTEMPTS = 3
NOT_QUEUED = "The job queue could not be reached to run this import; upload the file again."
GAVE_UP = "The import stopped {n} times before it finished (its worker was lost); nothing was imported."

log = logging.getLogger(__name__)


def confirm_import(actor: User, payload: str) -> ImportJob:
    """Queue a staged preview for the import job, once: the same preview confirmed again, even at the
    same moment from another tab, queues nothing and says so (StaleEdit). Commits, then queues the job."""
    job = csv_import.read_upload(actor, payload)
    queued = db.session.execute(
        db.update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.PREVIEWED)
        .values(status=ImportStatus.QUEUED, queued_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if queued.rowcount != 1:
        db.session.refresh(job)
        who = f" by {job.actor.name}" if job.actor is not None else ""
        raise StaleEdit(f"This preview was already imported{who}: nothing was imported again.")
    enqueue(job.id)
    db.session.refresh(job)
    return job


def enqueue(job_id: int) -> None:
    """Hand a queued (and committed) import to the job queue; a queue that cannot be reached fails it."""
    try:
        jobs.enqueue(RUN_JOB, job_id)
    except Exception as error:  # Redis down: the import must not wait for a job that does not exist
        current_app.logger.exception("Could not queue import %s", job_id)
        db.session.rollback()
        _end(job_id, None, ImportStatus.FAILED, error=f"{NOT_QUEUED} ({error})", was=ImportStatus.QUEUED)
        db.session.commit()


def claim(job_id: int):
    """Take a queued import for this execution; the claim's time, or None if it was not queued."""
    now = utcnow()
    taken = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == ImportStatus.QUEUED)
        .values(
            status=ImportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            rows_done=0,
            attempts=ImportJob.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return now if taken.rowcount == 1 else None


def _end(job_id: int, claimed_at, status: str, was: str = ImportStatus.RUNNING, **values) -> bool:
    """Write an import's end if it is still this attempt's (the caller commits); False when not."""
    mine = and_(ImportJob.id == job_id, ImportJob.status == was)
    if claimed_at is not None:
        mine = and_(mine, ImportJob.started_at == claimed_at)
    ended = db.session.execute(
        update(ImportJob)
        .where(mine)
        .values(status=status, finished_at=utcnow(), content=b"", **values)  # the file is not needed any more
        .execution_options(synchronize_session=False)
    )
    return ended.rowcount == 1


class Progress:
    """Writes rows_done and heartbeat_at of a running import on a connection of its own, committed at
    once, at most every `every` rows. Not on SQLite, which allows one writer at a time: a second
    connection would wait for the import's own lock."""

    def __init__(self, engine: Engine, job_id: int, claimed_at, every: int) -> None:
        self.engine, self.job_id, self.claimed_at, self.every = engine, job_id, claimed_at, every
        self.live = engine.url.get_backend_name() != "sqlite"
        self.last = -1

    def __call__(self, done: int) -> None:
        if not self.live or (done and 0 <= done - self.last < self.every):
            return
        self.last = done
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    update(ImportJob.__table__)
                    .where(
                        ImportJob.id == self.job_id,
                        ImportJob.status == ImportStatus.RUNNING,
                        ImportJob.started_at == self.claimed_at,
                    )
                    .values(rows_done=done, heartbeat_at=utcnow())
                )
        except Exception:  # a busy database: the figure is shown at the next report
            log.warning("Progress of import %s not written", self.job_id, exc_info=True)


def run_job(job_id: int) -> ImportJob | None:
    """The job `directory.run_import`: claim the import, write it all in one transaction with its
    "done", or mark it failed with the reason and nothing written. None when it was not queued."""
    claimed_at = claim(job_id)
    if claimed_at is None:
        log.info("Import %s is not queued any more; nothing to do", job_id)
        return None
    job = db.session.get(ImportJob, job_id)
    actor, kind, content = job.actor, job.kind, job.content
    season = db.session.get(Season, job.season_id) if job.season_id else None
    every = int(current_app.config.get("IMPORT_PROGRESS_EVERY", csv_import.WRITE_CHUNK))
    progress = Progress(db.engine, job_id, claimed_at, every)
    try:
        if actor is None or not actor.active or actor.program_id != job.program_id:
            raise ServiceError("The coordinator who confirmed this import can no longer import; nothing was imported.")
        result = csv_import.import_in_session(actor, kind, content, season, progress)
        kept = _end(
            job_id,
            claimed_at,
            ImportStatus.DONE,
            rows_done=result.total,
            new=len(result.new),
            changed=len(result.changed),
            unchanged=result.unchanged,
            error="",
        )
        if not kept:  # requeued meanwhile (this worker looked dead): the other attempt imports it
            db.session.rollback()
            log.warning("Import %s was taken from this worker; its rows are dropped", job_id)
            return None
        db.session.commit()
    except Exception as error:  # whatever broke, nothing is written and the import must not stay running
        db.session.rollback()
        if isinstance(error, ServiceError):
            message = str(error)
        elif isinstance(error, IntegrityError):
            message = csv_import.RACED
        else:
            current_app.logger.exception("Import %s failed", job_id)
            message = f"Nothing was imported: unexpected error ({type(error).__name__}: {error})."[:2000]
        _end(job_id, claimed_at, ImportStatus.FAILED, error=message)
        db.session.commit()
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def requeue_lost(now=None) -> int:
    """Imports whose worker died (running, no heartbeat for IMPORT_LEASE_S) go back to queued, or fail
    after MAX_ATTEMPTS; queued imports whose job the queue no longer holds are queued again. A job
    queued twice still imports once (the claim). Returns how many were queued again."""
    now = now or utcnow()
    lease = timedelta(seconds=float(current_app.config.get("IMPORT_LEASE_S", LEASE_S)))
    stale = and_(ImportJob.status == ImportStatus.RUNNING, ImportJob.heartbeat_at < now - lease)
    for job_id, attempts in db.session.execute(
        db.select(ImportJob.id, ImportJob.attempts).where(stale).order_by(ImportJob.id)
    ).all():
        if attempts >= MAX_ATTEMPTS:
            values = dict(status=ImportStatus.FAILED, error=GAVE_UP.format(n=attempts), finished_at=now, content=b"")
        else:
            values = dict(status=ImportStatus.QUEUED, queued_at=now - REQUEUE_AFTER, started_at=None)
        db.session.execute(  # conditional again: a heartbeat may have come in meanwhile
            update(ImportJob).where(stale, ImportJob.id == job_id).values(**values)
        )
    db.session.commit()
    waiting = db.session.scalars(
        db.select(ImportJob.id)
        .where(ImportJob.status == ImportStatus.QUEUED, ImportJob.queued_at <= now - REQUEUE_AFTER)
        .order_by(ImportJob.id)
    ).all()
    if not waiting:
        return 0
    queue = jobs.jobs_of()
    held = set()
    if not queue.in_web:
        held = {task.args[0] for task in queue.huey.pending() if task.name == RUN_JOB and task.args}
    lost = [job_id for job_id in waiting if job_id not in held]
    for job_id in lost:
        enqueue(job_id)
    if lost:
        log.warning("Import(s) %s had lost their job; queued again", lost)
    return len(lost)


def _run_job(job_id: int) -> None:  # a job returns nothing: Huey would store the row as its result
    run_job(job_id)


def _requeue_job() -> None:
    requeue_lost()


JOBS = (
    jobs.Job(RUN_JOB, _run_job),
    jobs.Job("directory.requeue_imports", _requeue_job, every=crontab(minute="*")),
)
