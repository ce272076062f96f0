"""A worker killed with SIGKILL in the middle of a max-stable run: how soon the run shows failed, and
whether the restarted run gives the same result as an uninterrupted one.

    .venv/bin/python benchmarks/run_worker_kill.py [--db sqlite|postgresql] [--students 5000]

On a fresh database (a temporary SQLite file, or `sprint_kill_bench` on 127.0.0.1, dropped at the
end) it loads the demo and scales its current season like the load test (benchmarks/load/
build_data.py), queues a max-stable run on a SQLite job queue in a temporary folder, starts a
`sprint worker --no-scheduler`, and SIGKILLs it a few seconds after the run shows running. Then it
starts a new `sprint worker` with the scheduler on (as production runs one) and measures the
seconds from the kill, and from the run's last heartbeat, until the run shows failed. It restarts
the run ("Start it again": solved by the new worker), re-runs it once more uninterrupted, and
compares the two matchings.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks" / "load")]

from bench_support import drop_database, fresh_database  # noqa: E402
from build_data import _Scaler  # noqa: E402

from sprint import create_app  # noqa: E402
from sprint.demo import loader  # noqa: E402
from sprint.extensions import db  # noqa: E402
from sprint.models import MatchMode, MatchRun, Program, RunStatus, Season, User  # noqa: E402
from sprint.services.matching import match_runs  # noqa: E402
from sprint.services.support import jobs  # noqa: E402

PG_DATABASE = "sprint_kill_bench"


def _worker(folder: Path, database_url: str, log: str, *options: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SPRINT_INSTANCE_PATH": str(folder),
        "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite'}",
        "DATABASE_URL": database_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "sprint", "worker", *options],
        cwd=ROOT,
        env=env,
        stdout=(folder / log).open("w"),
        stderr=subprocess.STDOUT,
    )


def _run(app, run_id: int) -> MatchRun:
    with app.app_context():
        run = db.session.get(MatchRun, run_id)
        db.session.expunge(run)
        return run


def _wait(app, run_id: int, statuses: set[str], seconds: float, poll: float = 0.1) -> MatchRun:
    deadline = time.monotonic() + seconds
    while (run := _run(app, run_id)).status not in statuses:
        if time.monotonic() > deadline:
            raise SystemExit(f"run #{run_id} still {run.status} after {seconds} s")
        time.sleep(poll)
    return run


def _matching(app, run_id: int) -> list[tuple[int, int]]:
    with app.app_context():
        return sorted((a.student_id, a.position_id) for a in db.session.get(MatchRun, run_id).assignments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=300)
    parser.add_argument("--time-limit", type=int, default=300)
    parser.add_argument("--kill-after", type=float, default=3.0, help="seconds of solving before the SIGKILL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database_url = fresh_database(args.db, folder, PG_DATABASE)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite'}",
                "RUN_IN_WEB": False,  # as in production: the workers solve
                "MAIL_BACKEND": "locmem",
            }
        )
        workers: list[subprocess.Popen] = []
        try:
            started = time.perf_counter()
            with app.app_context():
                db.create_all()
                loader.load_demo(2027)
                figures = _Scaler(__import__("random").Random(7)).scale(args.students, args.hosts)
                season = db.session.scalar(
                    db.select(Season).join(Program).where(Program.slug == loader.DEMO_SLUG, Season.year == 2027)
                )
                actor = db.session.scalar(db.select(User).where(User.email == "coordinator@sprint.demo"))
                run = match_runs.create_run(
                    actor, season, MatchMode.MAX_STABLE, seed=1, time_limit_s=float(args.time_limit)
                )
                run_id, actor_id, students = run.id, actor.id, len(run.input_snapshot["students"])
            print(
                f"data: {figures.get('students', '?')} students in the program, {students} in the run, "
                f"built in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            jobs.jobs_of(app).enqueue("matching.execute_run", run_id)

            first = _worker(folder, database_url, "worker-1.log", "--no-scheduler")
            workers.append(first)
            _wait(app, run_id, {RunStatus.RUNNING}, 120, poll=0.05)
            time.sleep(args.kill_after)
            assert _run(app, run_id).status == RunStatus.RUNNING, "the run finished before the kill"
            first.send_signal(signal.SIGKILL)
            killed_at, killed_wall = time.monotonic(), datetime.now(UTC).replace(tzinfo=None)
            first.wait(timeout=30)
            beat = _run(app, run_id).heartbeat_at

            second = _worker(folder, database_url, "worker-2.log")  # the scheduler on
            workers.append(second)
            failed = _wait(app, run_id, {RunStatus.FAILED, RunStatus.DONE}, 300, poll=0.2)
            detected = time.monotonic() - killed_at
            since_beat = (failed.finished_at - beat).total_seconds()
            before_kill = (killed_wall - beat).total_seconds()
            print(f"killed {args.kill_after:.0f} s into the solve; last heartbeat {before_kill:.1f} s before the kill")
            print(f"run shows {failed.status} {detected:.1f} s after the kill ({since_beat:.1f} s after its last beat)")
            print(f"  error: {failed.error}")

            with app.app_context():
                match_runs.restart(db.session.get(User, actor_id), db.session.get(MatchRun, run_id))
            restarted = _wait(app, run_id, {RunStatus.DONE, RunStatus.FAILED}, args.time_limit + 120)
            with app.app_context():
                again = match_runs.rerun(db.session.get(User, actor_id), db.session.get(MatchRun, run_id)).id
            uninterrupted = _wait(app, again, {RunStatus.DONE, RunStatus.FAILED}, args.time_limit + 120)
            same = _matching(app, run_id) == _matching(app, again)
            print(
                f"restarted run #{run_id}: {restarted.status} in {restarted.solve_seconds} s, "
                f"{len(_matching(app, run_id))} placed"
            )
            print(
                f"uninterrupted run #{again}: {uninterrupted.status} in {uninterrupted.solve_seconds} s; "
                f"same matching: {same}"
            )
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=60)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            drop_database(args.db, PG_DATABASE)


if __name__ == "__main__":
    main()
