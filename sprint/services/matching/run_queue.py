"""Match runs on the job queue, with their state in the database.

A run's state lives in its row (queued, running, done, failed), so any page can show it. Starting
a run commits the queued row, then hands it over:

- to the job queue (`jobs`, QUEUE_URL): the job `matching.execute_run(run_id)`, which any
  `sprint worker` runs, on any machine that reaches the database and the queue;
- in the embedded default (the SQLite queue with RUN_IN_WEB on, as in development) to one
  solving thread of the web process itself, through the same function, so `sprint run` alone
  solves runs. Production (a Redis queue) never solves in the web process.
- With RUNS_INLINE set (tests), or `inline` asked for (the CLI), the caller solves it before
  `enqueue` returns; with the "immediate" queue of the tests, the job runs as it is queued.

Whoever executes a run first claims it: a conditional UPDATE from queued to running, so of two
executions of one run (two jobs, a job and the web thread) exactly one solves it. While solving,
a small thread writes the time into the run's heartbeat_at every RUN_HEARTBEAT_S seconds on a
connection of its own. A run still running whose heartbeat is older than RUN_LEASE_S lost its
worker (killed, machine gone): `sweep_stale`, a periodic job and every look at the runs, marks it
failed, and it can be started again. A worker that comes back after its run was swept stores
nothing: the final write, too, is conditional on its own claim.

Solving runs at a lower CPU priority (RUN_NICE, Linux nice value): `sprint worker` lowers its
whole process, the web process's solving thread lowers itself, so a long CP-SAT search on match
day does not slow down the pages students and hosts are using.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from huey import SqliteHuey, crontab
from sqlalchemy import and_, func, update
from sqlalchemy.engine import Engine

from ...extensions import db
from ...models import MatchRun, RunStatus, utcnow
from ..support import jobs
from ..support.local_time import format_when, zone_of
from .adapter import SolverRefused, build_snapshot, keep_verification, solve_run

AUTOGROUP = "/proc/self/autogroup"
HEARTBEAT_S = 10.0  # RUN_HEARTBEAT_S: how often a solving worker says it is alive
LEASE_S = 60.0  # RUN_LEASE_S: a running run whose heartbeat is older than this has lost its worker
STOPPED = "The worker solving this run stopped at {when} before it finished; start it again."
NOT_QUEUED = "The job queue could not be reached to queue this run; start it again."
REQUEUE_AFTER = timedelta(minutes=2)  # a run queued this long whose job the queue lacks is queued again
EXECUTE_JOB = "matching.execute_run"

log = logging.getLogger(__name__)


class RunQueue:
    """One app's embedded solver: its solving thread (started with the first run it is given, at a
    lower CPU priority) and the runs handed to it, which `check_runs` never takes for orphans."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.started_at: datetime = utcnow()
        self.mine: set[int] = set()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprint-run", initializer=self._lower)

    def submit(self, run_id: int) -> None:
        self.mine.add(run_id)
        self.executor.submit(_in_context, self.app, run_id)

    def _lower(self) -> None:  # once, when the executor starts its thread (it reuses it for every run)
        lower_priority(self.app.config.get("RUN_NICE", 10))


def init_app(app: Flask) -> None:
    app.extensions["sprint.run_queue"] = RunQueue(app)


def queue_of(app: Flask | None = None) -> RunQueue:
    """The current app's embedded solver."""
    return (app or current_app).extensions["sprint.run_queue"]


def solves_in_web(app: Flask | None = None) -> bool:
    """Whether this app's web process solves runs itself: only with RUN_IN_WEB and the SQLite queue."""
    app = app or current_app
    return bool(app.config.get("RUN_IN_WEB")) and isinstance(jobs.jobs_of(app).huey, SqliteHuey)


def enqueue(run: MatchRun, inline: bool = False) -> None:
    """Hand a queued (and committed) run to whoever executes runs here; see the module's text. A run
    that is no longer queued (the same run asked for twice) is left as it is."""
    if run.status != RunStatus.QUEUED:
        return
    run_id = run.id
    if inline or current_app.config.get("RUNS_INLINE"):
        execute_queued(run_id)
    elif solves_in_web():
        queue_of().submit(run_id)
    else:
        try:
            jobs.enqueue(EXECUTE_JOB, run_id)
        except Exception as error:  # Redis down: the run must not wait for a job that does not exist
            current_app.logger.exception("Could not queue match run %s", run_id)
            db.session.rollback()
            _finish(run_id, None, RunStatus.FAILED, f"{NOT_QUEUED} ({error})", None, was=RunStatus.QUEUED)
            db.session.commit()
    db.session.expire(run)  # solved by another session (the immediate queue), or soon: read it afresh


def claim(run_id: int) -> datetime | None:
    """Take a queued run for this execution: a conditional UPDATE from queued to running, so of
    several executions asking at once exactly one gets it (on SQLite and PostgreSQL alike).
    Returns the claim's start time (which names this attempt), or None if it was not queued."""
    now = utcnow()
    taken = db.session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.status == RunStatus.QUEUED)
        .values(status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, error="", finished_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return now if taken.rowcount == 1 else None


def execute_queued(run_id: int) -> MatchRun | None:
    """The job `matching.execute_run`: claim the run, solve it while a heartbeat says so, store the
    result. Does nothing (returns None) when the run is not queued: another execution has it."""
    claimed_at = claim(run_id)
    if claimed_at is None:
        log.info("Match run %s is not queued any more; nothing to do", run_id)
        return None
    run = db.session.get(MatchRun, run_id)
    interval = float(current_app.config.get("RUN_HEARTBEAT_S", HEARTBEAT_S))
    with Heartbeat(db.engine, run_id, claimed_at, interval):
        _solve(run, claimed_at)
    return run


def execute_run(run: MatchRun) -> MatchRun:
    """Solve a queued run here and now, in the current session (the demo loader, tests)."""
    execute_queued(run.id)
    db.session.refresh(run)
    return run


def _solve(run: MatchRun, claimed_at: datetime) -> None:
    run_id, started, stage = run.id, time.perf_counter(), "solving"
    try:
        problem = None
        if not run.input_hash:  # queued without a snapshot: this job builds it (the page says so meanwhile)
            stage = "building the input"
            problem = build_snapshot(run)
            db.session.commit()
            log.info("Match run %s: input built in %.1f s", run_id, time.perf_counter() - started)
            stage = "solving"
        if problem is None:
            solve_run(run)
        else:  # what the job has just built and checked, not read back from the row
            solve_run(run, problem)
        _check_result(run)
        status, error = RunStatus.DONE, ""
    except SolverRefused as refused:
        db.session.rollback()
        status, error = RunStatus.FAILED, str(refused)
    except Exception as unexpected:  # whatever broke, the run must not stay "running"
        current_app.logger.exception("Match run %s failed while %s", run_id, stage)
        db.session.rollback()
        status, error = RunStatus.FAILED, f"Unexpected error while {stage}: {unexpected}"
    seconds = round(time.perf_counter() - started, 3)
    log.info("Match run %s: %s after %.1f s", run_id, status, seconds)
    try:
        kept = _finish(run_id, claimed_at, status, error, seconds)
    except Exception:  # the database went away: the heartbeat stops, and the sweep fails the run
        current_app.logger.exception("Could not store the end of match run %s", run_id)
        db.session.rollback()
        return
    if kept:
        db.session.commit()
    else:
        db.session.rollback()
        log.warning("Match run %s was taken from this worker (its heartbeat stopped); its result is dropped", run_id)


def _check_result(run: MatchRun) -> None:
    """The independent checker's report on the result just stored, kept for the verify page (which
    otherwise parses the snapshot again in its request). A check that fails leaves it to the page."""
    try:
        keep_verification(run)
    except Exception:  # noqa: BLE001 - the result stands; the page checks it when asked
        current_app.logger.exception("Match run %s: the result was stored but not checked", run.id)


def _finish(
    run_id: int,
    claimed_at: datetime | None,
    status: str,
    error: str,
    seconds: float | None,
    was: str = RunStatus.RUNNING,
) -> bool:
    """Write a run's end if it is still this attempt's (the caller commits); False when it is not."""
    mine = and_(MatchRun.id == run_id, MatchRun.status == was)
    if claimed_at is not None:
        mine = and_(mine, MatchRun.started_at == claimed_at)
    ended = db.session.execute(
        update(MatchRun)
        .where(mine)
        .values(status=status, error=error, solve_seconds=seconds, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return ended.rowcount == 1


class Heartbeat:
    """While a run is solved, a thread that writes the time into its heartbeat_at every `interval`
    seconds, on a connection of its own (the solving session may be busy for minutes). It stops
    by itself if the run stopped being this attempt's (swept as stale)."""

    def __init__(self, engine: Engine, run_id: int, claimed_at: datetime, interval: float) -> None:
        self.engine, self.run_id, self.claimed_at, self.interval = engine, run_id, claimed_at, interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"sprint-run-{run_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        if not _in_memory(self.engine):  # one shared connection: nobody else could see a stale run anyway
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def beat(self) -> bool:
        """One heartbeat; False when the run is no longer this attempt's."""
        with self.engine.begin() as connection:
            written = connection.execute(
                update(MatchRun.__table__)
                .where(
                    MatchRun.id == self.run_id,
                    MatchRun.status == RunStatus.RUNNING,
                    MatchRun.started_at == self.claimed_at,
                )
                .values(heartbeat_at=utcnow())
            )
        return written.rowcount == 1

    def _beat(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                if not self.beat():
                    if not self.stopping.is_set():
                        log.warning("Match run %s is no longer this worker's; heartbeat stopped", self.run_id)
                    return
            except Exception:  # a busy or unreachable database: try again at the next beat
                if not self.stopping.is_set():
                    log.warning("Heartbeat of match run %s not written", self.run_id, exc_info=True)


def _in_memory(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")


def _last_sign_of_life():
    return func.coalesce(MatchRun.heartbeat_at, MatchRun.started_at, MatchRun.created_at)


def sweep_stale(now: datetime | None = None, run_id: int | None = None) -> int:
    """Mark failed every running run (or just `run_id`) whose heartbeat is older than RUN_LEASE_S:
    its worker stopped. Returns how many; each can be started again."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=float(current_app.config.get("RUN_LEASE_S", LEASE_S)))
    stale = and_(MatchRun.status == RunStatus.RUNNING, _last_sign_of_life() < cutoff)
    if run_id is not None:
        stale = and_(stale, MatchRun.id == run_id)
    swept = 0
    for run in db.session.scalars(db.select(MatchRun).where(stale)):
        last = run.heartbeat_at or run.started_at or run.created_at
        message = STOPPED.format(when=format_when(last, zone_of(run.season.program), with_time=True))
        failed = db.session.execute(  # again conditional: a heartbeat may have come in meanwhile
            update(MatchRun)
            .where(stale, MatchRun.id == run.id)
            .values(status=RunStatus.FAILED, error=message, finished_at=now)
            .execution_options(synchronize_session=False)
        )
        swept += failed.rowcount
    db.session.commit()
    if swept:
        log.warning("%s match run(s) lost their worker and were marked failed", swept)
    return swept


def stage_of(run: MatchRun) -> str:
    """What a running run is doing: its job builds the input first when it was queued without one."""
    if run.status != RunStatus.RUNNING:
        return str(run.status)
    return "solving" if run.input_hash else "building the input"


def check_lease(run: MatchRun) -> None:
    """A page reads a running run: if its worker stopped, say so now rather than at the next sweep."""
    if run.status == RunStatus.RUNNING and sweep_stale(run_id=run.id):
        db.session.refresh(run)


def check_runs() -> None:
    """Before the runs are listed: fail those whose worker stopped, and in the embedded mode take on
    the queued runs of a web process that stopped (a restart), which nobody else would solve (the
    claim keeps a run another live process has from being solved twice)."""
    sweep_stale()
    if not solves_in_web():
        return
    queue = queue_of()
    orphans = db.session.scalars(
        db.select(MatchRun.id).where(MatchRun.status == RunStatus.QUEUED, MatchRun.created_at < queue.started_at)
    ).all()
    for run_id in orphans:
        if run_id not in queue.mine:
            queue.submit(run_id)


def requeue_lost(now: datetime | None = None) -> int:
    """Queued runs whose job the queue no longer holds (lost with a Redis that restarted empty, or a
    queue that failed between the run's commit and its job): queue them again; how many. A run
    queued twice is still solved once (the claim)."""
    if solves_in_web():
        return 0  # the web process takes on its own orphans (check_runs)
    now = now or utcnow()
    waiting = db.session.scalars(
        db.select(MatchRun.id).where(MatchRun.status == RunStatus.QUEUED, MatchRun.created_at < now - REQUEUE_AFTER)
    ).all()
    if not waiting:
        return 0
    huey = jobs.jobs_of().huey
    held = {task.args[0] for task in (*huey.pending(), *huey.scheduled()) if task.name == EXECUTE_JOB and task.args}
    lost = [run_id for run_id in waiting if run_id not in held]
    for run_id in lost:
        jobs.enqueue(EXECUTE_JOB, run_id)
    if lost:
        log.warning("Match run(s) %s were queued but their job was gone; queued again", lost)
    return len(lost)


def sweep_and_watch() -> None:
    """The periodic job (every minute): sweep, queue again the runs whose job was lost, and check
    each running run again at the moment its heartbeat would go stale, so a stopped worker is
    noticed about RUN_LEASE_S after its last beat rather than up to a minute later."""
    sweep_stale()
    requeue_lost()
    lease = timedelta(seconds=float(current_app.config.get("RUN_LEASE_S", LEASE_S)))
    running = db.session.execute(
        db.select(MatchRun.id, _last_sign_of_life()).where(MatchRun.status == RunStatus.RUNNING)
    ).all()
    for run_id, last in running:
        when = (last + lease + timedelta(seconds=1)).replace(tzinfo=UTC)  # Huey reads a naive eta as local time
        jobs.enqueue("matching.check_lease", run_id, eta=when)


def _execute_job(run_id: int) -> None:  # a job returns nothing: Huey would store the run as its result
    execute_queued(run_id)


def _check_lease_job(run_id: int) -> None:
    sweep_stale(run_id=run_id)


def lower_priority(nice: int, whole_process: bool = False) -> int | None:
    """Lower the CPU priority of the calling thread by `nice` (Linux keeps one nice value per
    thread, and threads it starts, CP-SAT's among them, inherit it); returns the new value, or
    None where the platform has no such call.

    With `whole_process` (a `sprint worker`), the process's scheduling group is lowered too:
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
    """What the web process's solving thread runs for one run (lowered once, when it started)."""
    with app.app_context():
        try:
            execute_queued(run_id)
        finally:
            db.session.remove()


JOBS = (
    jobs.Job(EXECUTE_JOB, _execute_job),
    jobs.Job("matching.sweep_runs", sweep_and_watch, every=crontab(minute="*")),
    jobs.Job("matching.check_lease", _check_lease_job),
)
