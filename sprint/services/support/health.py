"""/healthz: is this web process able to do its work? The database answers, the queue answers, and
(reported, failing only with REQUIRE_WORKER) a scheduling worker was seen lately."""

from __future__ import annotations

import logging

from sqlalchemy import text

from ...extensions import db
from .job_status import job_status

log = logging.getLogger(__name__)


def check_health(*, require_worker: bool, stale_minutes: int) -> tuple[bool, dict]:
    """(healthy, the answer's body). Failures name the kind of error only; the log has the rest."""
    body: dict = {"database": _database()}
    status = job_status()
    body["queue"] = "ok" if status.reachable else f"failed: {status.problem}"
    if status.reachable:
        stale = status.worker_stale(stale_minutes)
        body["worker"] = _worker(status, stale, stale_minutes)
        body["worker_last_seen"] = status.worker_seen_at.isoformat() + "Z" if status.worker_seen_at else None
        body.update(pending=status.pending, scheduled=status.scheduled, failed_jobs=status.failed)
    worker_ok = not require_worker or body.get("worker") in ("ok", "immediate")
    healthy = body["database"] == "ok" and body["queue"] == "ok" and worker_ok
    body["status"] = "ok" if healthy else "failing"
    return healthy, body


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # any driver's "cannot connect"
        log.exception("Health check: the database does not answer")
        db.session.rollback()
        return f"failed: {type(error).__name__}"


def _worker(status, stale: bool, stale_minutes: int) -> str:
    if status.immediate:
        return "immediate"
    if status.worker_seen_at is None:
        return "never seen"
    return f"not seen for over {stale_minutes} min" if stale else "ok"
