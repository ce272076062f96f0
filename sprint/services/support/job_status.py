"""How the background work is doing, for /healthz and the coordinators' and admins' dashboards:
jobs waiting, jobs that failed for good, and when a scheduling worker was last alive.

A job fails for good when it raises and has no retry left; `record_failures` counts those in the
queue's own storage (an atomic counter, shared by every worker on Redis) and keeps the last few.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from huey.signals import SIGNAL_ERROR

from . import jobs

FAILED_COUNT_KEY = "failed-jobs"
RECENT_FAILURES_KEY = "failed-jobs-recent"
RECENT_KEPT = 5

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    job: str
    error: str  # the exception's type
    detail: str  # its message, cut short (for administrators)
    at: datetime  # UTC, naive like every stored time


@dataclass(frozen=True)
class JobStatus:
    reachable: bool
    immediate: bool = False  # the tests' mode: jobs run when queued, no worker needed
    in_web: bool = False  # the embedded default: this web process does the work queued for now
    pending: int = 0
    scheduled: int = 0
    worker_seen_at: datetime | None = None  # UTC, naive
    failed: int = 0
    recent_failures: list[Failure] = field(default_factory=list)
    problem: str = ""

    def worker_stale(self, minutes: int) -> bool:
        """No scheduling worker seen in the last `minutes` (never stale in the immediate mode)."""
        if self.immediate:
            return False
        age = datetime.now(UTC).replace(tzinfo=None) - (self.worker_seen_at or datetime.min)
        return age > timedelta(minutes=minutes)


def record_failures(queue: jobs.Jobs) -> None:
    """Count each job that fails for good (Huey's error signal with no retry left)."""
    huey = queue.huey

    @huey.signal(SIGNAL_ERROR)
    def failed(signal, task, exc=None) -> None:
        if task.retries:
            return  # it will run again
        huey.storage.incr(FAILED_COUNT_KEY)
        entry = {
            "job": task.name,
            "error": type(exc).__name__ if exc else "Error",
            "detail": str(exc)[:200] if exc else "",
            "at": datetime.now(UTC).replace(tzinfo=None).isoformat(),
        }
        recent = huey.get(RECENT_FAILURES_KEY, peek=True) or []
        huey.put(RECENT_FAILURES_KEY, [entry, *recent][:RECENT_KEPT])


def job_status() -> JobStatus:
    """The current app's queue, read without ever raising: an unreachable queue says why."""
    queue = jobs.jobs_of()
    try:
        depth = queue.depth()
        seen = jobs.worker_last_seen()
        failed = queue.huey.storage.incr(FAILED_COUNT_KEY, 0)
        recent = queue.huey.get(RECENT_FAILURES_KEY, peek=True) or []
    except Exception as error:  # Redis down, the SQLite file unreadable: reported, not raised
        log.exception("The job queue cannot be read")
        return JobStatus(reachable=False, problem=type(error).__name__)
    return JobStatus(
        reachable=True,
        immediate=bool(queue.huey.immediate),
        in_web=queue.in_web,
        pending=depth["pending"],
        scheduled=depth["scheduled"],
        worker_seen_at=seen.astimezone(UTC).replace(tzinfo=None) if seen else None,
        failed=int(failed),
        recent_failures=[
            Failure(item["job"], item["error"], item["detail"], datetime.fromisoformat(item["at"])) for item in recent
        ],
    )
