"""Background execution of match runs, with their state in the database.

A run's state lives in its row (queued, running, done, failed), so any page can show it. Where a
queued run executes is set by RUN_EXECUTOR:

- "thread" (the default, nothing else to start): one worker thread in the web process;
- "worker": the web processes only queue; `sprint run-worker` processes (as many as wanted, on
  any machine that reaches the database) claim queued runs one at a time and solve them.

Either way the solving thread runs at a lower CPU priority (RUN_NICE, Linux nice value), so a
long CP-SAT search on match day does not slow down the pages students and hosts are using.
A run still queued or running that was created before this app started belongs to a
process that has stopped: `fail_interrupted` marks it failed, and it can be started again.
With RUNS_INLINE set (tests), or `inline` asked for (the CLI), a run executes before `enqueue` returns.

The executor and the runs it queued belong to the app (`init_app` puts a `RunQueue` in
`app.extensions`), not to the module: two apps in one process share nothing.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, update

from ...extensions import db
from ...models import MatchRun, RunStatus, utcnow
from .adapter import SolverRefused, solve_run

AUTOGROUP = "/proc/self/autogroup"
INTERRUPTED = "Interrupted by a restart of the application before it finished; start it again."


class RunQueue:
    """One app's run executor: its worker thread (started with the first run it is given, at a lower
    CPU priority) and the runs it queued, which are never "interrupted" while the app lives."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.started_at: datetime = utcnow()
        self.mine: set[int] = set()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprint-run", initializer=self._lower)

    def submit(self, run_id: int) -> None:
        self.executor.submit(_in_context, self.app, run_id)

    def _lower(self) -> None:  # once, when the executor starts its thread (it reuses it for every run)
        lower_priority(self.app.config.get("RUN_NICE", 10))


def init_app(app: Flask) -> None:
    app.extensions["sprint.run_queue"] = RunQueue(app)


def queue_of(app: Flask | None = None) -> RunQueue:
    """The current app's run queue."""
    return (app or current_app).extensions["sprint.run_queue"]


def enqueue(run: MatchRun, inline: bool = False) -> None:
    """Execute the run in the background (or at once with `inline` or RUNS_INLINE set); a run that is no
    longer queued (the same run asked for twice) is left as it is."""
    if run.status != RunStatus.QUEUED:
        return
    queue = queue_of()
    queue.mine.add(run.id)
    if inline or current_app.config.get("RUNS_INLINE"):
        _execute(run)
    elif current_app.config.get("RUN_EXECUTOR", "thread") == "thread":
        queue.submit(run.id)
    # "worker": the row is queued; a `sprint run-worker` process claims it


def execute_run(run: MatchRun) -> MatchRun:
    """Solve a queued run from its snapshot and store the result; a failure is recorded, not raised."""
    run.status, run.started_at, run.error = RunStatus.RUNNING, utcnow(), ""
    db.session.commit()
    started = time.perf_counter()
    try:
        solve_run(run)
    except SolverRefused as error:
        run.status, run.error = RunStatus.FAILED, str(error)
    else:
        run.status = RunStatus.DONE
    run.solve_seconds = round(time.perf_counter() - started, 3)
    run.finished_at = utcnow()
    db.session.commit()
    return run


def lower_priority(nice: int, whole_process: bool = False) -> int | None:
    """Lower the CPU priority of the calling thread by `nice` (Linux keeps one nice value per
    thread, and threads it starts, CP-SAT's among them, inherit it); returns the new value, or
    None where the platform has no such call.

    With `whole_process` (a `sprint run-worker`), the process's scheduling group is lowered too:
    Linux's autogroup shares the CPU between sessions first and applies nice values only inside
    one, so a worker started in its own session would otherwise get as much CPU as all the web
    workers together.
    """
    if nice <= 0 or not hasattr(os, "setpriority"):
        return None
    thread = threading.get_native_id()
    wanted = min(19, os.getpriority(os.PRIO_PROCESS, thread) + nice)
    os.setpriority(os.PRIO_PROCESS, thread, wanted)
    if whole_process:
        try:
            with open(AUTOGROUP, "w") as group:
                group.write(str(wanted))
        except OSError:  # no autogroup (kernel option off, or not Linux): the thread's value is enough
            pass
    return os.getpriority(os.PRIO_PROCESS, thread)


def _in_context(app: Flask, run_id: int) -> None:
    """What the app's worker thread runs for one queued run (lowered once, when the executor started it)."""
    with app.app_context():
        try:
            run = db.session.get(MatchRun, run_id)
            if run is not None and run.status == RunStatus.QUEUED:
                _execute(run)
        finally:
            db.session.remove()


def _execute(run: MatchRun) -> None:
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
    once it is older than this app and older than any run may take (RUN_STALE_AFTER_S); with
    RUN_EXECUTOR "worker", only a run that started that long ago (a queued one waits its turn).
    """
    queue = queue_of()
    cutoff = min(queue.started_at, utcnow() - timedelta(seconds=current_app.config.get("RUN_STALE_AFTER_S", 900)))
    if current_app.config.get("RUN_EXECUTOR", "thread") == "worker":  # queued runs wait for a worker
        orphaned = and_(MatchRun.status == RunStatus.RUNNING, MatchRun.started_at < cutoff)
    else:
        orphaned = and_(MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)), MatchRun.created_at < cutoff)
    stale = list(
        db.session.scalars(
            db.select(MatchRun).where(orphaned, MatchRun.id.not_in(queue.mine) if queue.mine else db.true())
        )
    )
    for run in stale:
        run.status, run.error, run.finished_at = RunStatus.FAILED, INTERRUPTED, utcnow()
    if stale:
        db.session.commit()
    return len(stale)


def claim_next() -> MatchRun | None:
    """Take the oldest queued run for this process: a conditional UPDATE, so of several workers
    asking at once exactly one gets each run (on SQLite and PostgreSQL alike)."""
    while True:
        run_id = db.session.scalar(
            db.select(MatchRun.id)
            .where(MatchRun.status == RunStatus.QUEUED)
            .order_by(MatchRun.created_at, MatchRun.id)
            .limit(1)
        )
        if run_id is None:
            db.session.commit()
            return None
        taken = db.session.execute(
            update(MatchRun)
            .where(MatchRun.id == run_id, MatchRun.status == RunStatus.QUEUED)
            .values(status=RunStatus.RUNNING, started_at=utcnow())
        )
        db.session.commit()
        if taken.rowcount == 1:
            queue_of().mine.add(run_id)
            return db.session.get(MatchRun, run_id)


def work(once: bool = False, poll_seconds: float = 2.0, should_stop=lambda: False) -> int:
    """The loop of `sprint run-worker`: solve queued runs one after another; returns how many it ran.
    With `once`, stop when no run is queued instead of waiting for the next."""
    done = 0
    while not should_stop():
        run = claim_next()
        if run is None:
            if once:
                break
            time.sleep(poll_seconds)
            continue
        _execute(run)
        db.session.remove()
        done += 1
    return done
