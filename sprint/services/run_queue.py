"""Background execution of match runs: one worker thread in the web process, state in the database.

A run's state lives in its row (queued, running, done, failed), so any page can show it.
A run still queued or running that was created before this process started belongs to a
process that has stopped: `fail_interrupted` marks it failed, and it can be started again.
With RUNS_INLINE set (tests, the CLI) a run executes before `enqueue` returns.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask, current_app

from ..extensions import db
from ..models import MatchRun, RunStatus, utcnow

PROCESS_STARTED_AT = utcnow()
INTERRUPTED = "Interrupted by a restart of the application before it finished; start it again."

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprint-run")
_mine: set[int] = set()  # runs this process queued: never "interrupted" while it lives


def enqueue(run: MatchRun) -> None:
    """Execute the run in the background (or at once when RUNS_INLINE is set)."""
    app = current_app._get_current_object()
    _mine.add(run.id)
    if app.config.get("RUNS_INLINE"):
        _execute(run)
    else:
        _executor.submit(_in_context, app, run.id)


def _in_context(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            run = db.session.get(MatchRun, run_id)
            if run is not None and run.status == RunStatus.QUEUED:
                _execute(run)
        finally:
            db.session.remove()


def _execute(run: MatchRun) -> None:
    from .match_runs import execute_run

    run_id = run.id
    try:
        execute_run(run)
    except Exception as error:  # whatever broke, the run must not stay "running"
        current_app.logger.exception("Match run %s failed", run_id)
        db.session.rollback()
        run = db.session.get(MatchRun, run_id)
        run.status, run.error, run.finished_at = RunStatus.FAILED, f"Unexpected error: {error}", utcnow()
        db.session.commit()


def fail_interrupted() -> int:
    """Mark runs left queued or running by a stopped process as failed; returns how many.

    With several web workers another live process may own a run, so a run counts as orphaned only
    once it is older than this process and older than any run may take (RUN_STALE_AFTER_S).
    """
    cutoff = min(PROCESS_STARTED_AT,
                 utcnow() - timedelta(seconds=current_app.config.get("RUN_STALE_AFTER_S", 900)))
    stale = list(db.session.scalars(db.select(MatchRun).where(
        MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)), MatchRun.created_at < cutoff,
        MatchRun.id.not_in(_mine) if _mine else db.true())))
    for run in stale:
        run.status, run.error, run.finished_at = RunStatus.FAILED, INTERRUPTED, utcnow()
    if stale:
        db.session.commit()
    return len(stale)
