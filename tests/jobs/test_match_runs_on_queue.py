"""Match runs on the job queue with real `sprint worker` processes: a worker solves a queued run end
to end, and a worker killed in the middle of a run leaves it to the sweep, which fails it so that
it can be started again with the same result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from solver import generate
from sprint import create_app
from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    HostRank,
    MatchMode,
    MatchRun,
    Phase,
    Position,
    PositionInterest,
    Role,
    RunStatus,
    Season,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.matching import match_runs, run_queue
from sprint.services.support import jobs

ROOT = Path(__file__).resolve().parents[2]


def generated_season(app, make, students: int, seed: int = 3):
    """A certified season from the solver's generator (ties on the hosts' side), written with Core
    inserts: (season, coordinator)."""
    instance = generate(students=students, tie_prob=0.3, seed=seed)
    program = make.program("Generated")
    season = make.season(program, phase=Phase.RANKING)
    coordinator = make.user(Role.COORDINATOR, program)
    hosts = [make.host(program, name=f"Host {n}") for n in range(1, 11)]
    now = utcnow()
    with app.app_context():
        user_rows = [
            {"email": f"{s['id']}.{program.id}@gen.example.org", "name": s["id"], "role": Role.STUDENT}
            for s in instance["students"]
        ]
        user_ids = [
            db.session.execute(
                insert(User).values(**row, program_id=program.id, password_hash="!").returning(User.id)
            ).scalar_one()
            for row in user_rows
        ]
        student_of = {s["id"]: uid for s, uid in zip(instance["students"], user_ids)}
        db.session.execute(insert(StudentProfile), [{"user_id": uid} for uid in user_ids])
        position_of = {}
        for n, p in enumerate(instance["positions"]):
            position_of[p["id"]] = db.session.execute(
                insert(Position)
                .values(
                    host_id=hosts[n % len(hosts)].id,
                    season_id=season.id,
                    title=f"Position {p['id']}",
                    slots=p["capacity"],
                    hourly_pay=Decimal("20.00"),
                    hours_per_week=40,
                    start_date=season.applications_close_at.date(),
                    end_date=season.offer_deadline_at.date() + timedelta(days=60),
                    site_town="New Haven",
                    ranks_certified_at=now,
                )
                .returning(Position.id)
            ).scalar_one()
        interests, ranks = [], []
        for s in instance["students"]:
            application_id = db.session.execute(
                insert(Application)
                .values(
                    season_id=season.id,
                    student_id=student_of[s["id"]],
                    status=ApplicationStatus.SUBMITTED,
                    submitted_at=now,
                    ranks_certified_at=now,
                )
                .returning(Application.id)
            ).scalar_one()
            flat = [p for entry in s["prefs"] for p in (entry if isinstance(entry, list) else [entry])]
            interests += [{"application_id": application_id, "position_id": position_of[p]} for p in flat]
            ranks += [
                {"application_id": application_id, "position_id": position_of[p], "rank": rank}
                for rank, p in enumerate(flat, 1)
            ]
        db.session.execute(insert(PositionInterest), interests)
        db.session.execute(insert(StudentRank), ranks)
        host_ranks = [
            {"position_id": position_of[p["id"]], "student_id": student_of[s], "rank": rank}
            for p in instance["positions"]
            for rank, tier in enumerate(p["prefs"], 1)
            for s in (tier if isinstance(tier, list) else [tier])
        ]
        db.session.execute(insert(HostRank), host_ranks)
        db.session.commit()
    return season, coordinator


def _queue_app(tmp_path: Path, database_url: str):
    """An app of the test process that queues into the same SQLite queue file as the workers."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 32,
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
            "RUN_IN_WEB": False,  # the workers do the work
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )


def _worker(tmp_path: Path, database_url: str, *options: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SPRINT_INSTANCE_PATH": str(tmp_path),
        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
        "DATABASE_URL": database_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "sprint", "worker", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _row(app, run_id: int) -> MatchRun:
    with app.app_context():
        run = db.session.get(MatchRun, run_id)
        db.session.expunge(run)
        return run


def _wait_for(app, run_id: int, statuses: set[str], seconds: float) -> MatchRun:
    deadline = time.monotonic() + seconds
    while (run := _row(app, run_id)).status not in statuses:
        assert time.monotonic() < deadline, f"run #{run_id} still {run.status} after {seconds} s"
        time.sleep(0.05)
    return run


def _matching(app, run_id: int) -> list[tuple[int, int]]:
    with app.app_context():
        run = db.session.get(MatchRun, run_id)
        return sorted((a.student_id, a.position_id) for a in run.assignments)


def test_a_worker_solves_a_queued_run_end_to_end(app, small_season, database_url, tmp_path):
    with app.app_context():
        season = db.session.get(Season, small_season.season.id)
        run_id = match_runs.create_run(db.session.get(User, small_season.coordinator.id), season, seed=1).id
    jobs.jobs_of(_queue_app(tmp_path, database_url)).enqueue("matching.execute_run", run_id)
    assert _row(app, run_id).status == RunStatus.QUEUED  # queued, not run: no worker yet

    worker = _worker(tmp_path, database_url, "--no-scheduler")
    try:
        run = _wait_for(app, run_id, {RunStatus.DONE, RunStatus.FAILED}, 60)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert run.status == RunStatus.DONE, (run.error, output)
    assert run.heartbeat_at is not None and len(_matching(app, run_id)) == 5


def test_a_worker_killed_mid_run_is_swept_and_the_restarted_run_matches_an_uninterrupted_one(
    app, make, database_url, tmp_path
):
    season, coordinator = generated_season(app, make, students=800)
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        run_id = match_runs.create_run(
            actor, db.session.get(Season, season.id), MatchMode.MAX_STABLE, seed=1, time_limit_s=120
        ).id
    jobs.jobs_of(_queue_app(tmp_path, database_url)).enqueue("matching.execute_run", run_id)

    worker = _worker(tmp_path, database_url, "--no-scheduler")
    try:
        _wait_for(app, run_id, {RunStatus.RUNNING, RunStatus.DONE, RunStatus.FAILED}, 60)
        worker.send_signal(signal.SIGKILL)  # at once: on a quiet machine the solve takes about a second
    finally:
        worker.kill()
        worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert _row(app, run_id).status == RunStatus.RUNNING, "the run finished before the worker was killed"

    beat = _row(app, run_id).heartbeat_at
    with app.app_context():
        assert run_queue.sweep_stale(now=beat + timedelta(seconds=30)) == 0  # not stale yet
        assert run_queue.sweep_stale(now=beat + timedelta(seconds=61)) == 1  # a minute without a heartbeat
        run = db.session.get(MatchRun, run_id)
        assert run.status == RunStatus.FAILED and run.error.startswith("The worker solving this run stopped at ")
        assert run.error.endswith("before it finished; start it again.") and run.assignments == []

        restarted = match_runs.restart(db.session.get(User, coordinator.id), run)  # solved inline in the tests
        assert restarted.status == RunStatus.DONE, restarted.error
        uninterrupted = match_runs.rerun(db.session.get(User, coordinator.id), restarted)
        assert uninterrupted.status == RunStatus.DONE and uninterrupted.id != run_id
        uninterrupted_id = uninterrupted.id
    assert _matching(app, run_id) == _matching(app, uninterrupted_id) != []


def test_the_periodic_sweep_fails_a_run_a_minute_without_heartbeat_and_watches_the_others(app, small_season):
    """The periodic job runs on the scheduler; here it is called as the scheduler would, with the
    run's heartbeat a minute old, and the check it schedules for the moment a lease runs out."""
    with app.app_context():
        season = db.session.get(Season, small_season.season.id)
        run = match_runs.create_run(db.session.get(User, small_season.coordinator.id), season, seed=1)
        run.status, run.heartbeat_at = RunStatus.RUNNING, utcnow() - timedelta(seconds=61)
        fresh = match_runs.create_run(db.session.get(User, small_season.coordinator.id), season, seed=2)
        fresh.status, fresh.heartbeat_at = RunStatus.RUNNING, utcnow()
        db.session.commit()
        run_id, fresh_id = run.id, fresh.id

        run_queue.sweep_and_watch()

    assert _row(app, run_id).status == RunStatus.FAILED
    assert _row(app, fresh_id).status == RunStatus.RUNNING
    scheduled = jobs.jobs_of(app).huey.scheduled()  # the "immediate" queue keeps future jobs aside
    assert [(task.name, task.args) for task in scheduled][-1:] == [("matching.check_lease", (fresh_id,))]
    jobs.jobs_of(app).huey.storage.flush_schedule()


def test_a_queued_run_whose_job_was_lost_is_queued_again_once(app, small_season, monkeypatch):
    """Redis restarted empty (or the job was never stored): the run would wait forever. The sweep
    queues it again after two minutes, once, and leaves a run whose job is still waiting alone."""
    huey = jobs.jobs_of(app).huey
    huey.immediate = False  # keep jobs as a worker would see them
    app.config["RUNS_INLINE"] = False
    try:
        with app.app_context():
            season = db.session.get(Season, small_season.season.id)
            coordinator = db.session.get(User, small_season.coordinator.id)
            lost = match_runs.create_run(coordinator, season, seed=1)
            waiting = match_runs.create_run(coordinator, season, seed=2)
            run_queue.enqueue(waiting)
            lost_id, waiting_id = lost.id, waiting.id
            later = utcnow() + run_queue.REQUEUE_AFTER + timedelta(seconds=1)

            assert run_queue.requeue_lost() == 0  # two minutes have not passed
            assert run_queue.requeue_lost(later) == 1
            assert run_queue.requeue_lost(later) == 0  # its job is in the queue now
            held = sorted(task.args[0] for task in huey.pending() if task.name == run_queue.EXECUTE_JOB)
            assert held == sorted([lost_id, waiting_id])
            while (task := huey.dequeue()) is not None:
                huey.execute(task)
        assert _row(app, lost_id).status == _row(app, waiting_id).status == RunStatus.DONE
    finally:
        huey.flush()
        huey.immediate = True
        app.config["RUNS_INLINE"] = True
