"""Import CSV files of 500, 5,000 and 50,000 new students through the coordinator's pages and the job.

    .venv/bin/python benchmarks/import_bench.py                          # both databases, every size
    .venv/bin/python benchmarks/import_bench.py --databases postgresql --sizes 500 5000

Each case runs in a process of its own (so its peak memory is its own) against a fresh database
(bench_support.fresh_database): a program, its coordinator and one college. Through the Flask test
client, as the browser posts the forms, it times the preview request (the upload, every row checked,
the file kept on the server), the confirm request (which queues the job and answers), then takes the
job from the queue (a SQLite Huey file, as in production with RUN_IN_WEB off) and times it from
queued to done: every account, profile and welcome email written in one transaction. Peak memory is
the process's peak resident size after each step (ru_maxrss, which only grows).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import drop_database, fresh_database  # noqa: E402

PASSWORD = "bench-password-123"


def students_csv(count: int) -> bytes:
    """A file of `count` new students, half of them at the directory's college."""
    lines = ["email,name,college,college_state,major,class_year"]
    for n in range(count):
        college = "Gateway Community College,CT" if n % 2 == 0 else ","
        lines.append(f"student{n}@bench.edu,Student Number {n},{college},Biology,{2027 + n % 4}")
    return ("\n".join(lines) + "\n").encode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(database: str, size: int) -> dict:
    from sprint import create_app
    from sprint.extensions import db
    from sprint.models import College, ImportJob, OutboxEmail, Program, Role, User
    from sprint.services.directory import import_jobs
    from sprint.services.support import jobs

    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    name = f"import_bench_{size}"
    url = fresh_database(database, folder, name)
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-long-enough-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": url,
            "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite'}",
            "MAIL_BACKEND": "locmem",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "RUN_IN_WEB": False,  # production's layout: a worker (here, this process after the request) runs the job
            "SERVER_NAME": "sprint.bench",
        }
    )
    with app.app_context():
        db.create_all()
        program = Program(name="Bench", slug="bench", region="New Haven")
        coordinator = User(email="coordinator@bench.org", name="Cora", role=Role.COORDINATOR, program=program)
        coordinator.set_password(PASSWORD)
        db.session.add_all([program, coordinator, College(name="Gateway Community College", state="CT")])
        db.session.commit()
    content = students_csv(size)
    client = app.test_client()
    assert client.post("/login", data={"email": "coordinator@bench.org", "password": PASSWORD}).status_code == 302
    figures: dict = {"database": database, "rows": size, "file_mb": round(len(content) / 2**20, 2)}

    started = time.perf_counter()
    preview = client.post(
        "/coordinator/import", data={"kind": "students", "season": 0, "file": (io.BytesIO(content), "s.csv")}
    )
    figures["preview_s"] = round(time.perf_counter() - started, 3)
    figures["preview_peak_mb"] = round(_peak_mb())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:2000]
    payload = page.split('name="payload" type="hidden" value="', 1)[1].split('"', 1)[0]
    figures["preview_page_kb"] = round(len(page) / 1024)

    started = time.perf_counter()
    confirmed = client.post("/coordinator/import/confirm", data={"payload": payload})
    queued_at = time.perf_counter()
    figures["confirm_s"] = round(queued_at - started, 3)
    assert confirmed.status_code == 302 and "/coordinator/import/" in confirmed.location, confirmed.status_code

    huey = jobs.jobs_of(app).huey
    while (task := huey.dequeue()) is not None:
        if task.name == import_jobs.RUN_JOB:
            huey.execute(task)
            break
    figures["job_s"] = round(time.perf_counter() - queued_at, 3)
    figures["job_peak_mb"] = round(_peak_mb())
    status = client.get(confirmed.location + "/status.json").get_json()
    with app.app_context():
        figures["students"] = db.session.scalar(db.select(db.func.count()).where(User.role == Role.STUDENT))
        figures["emails"] = db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail))
        figures["status"] = db.session.scalar(db.select(ImportJob.status))
        db.session.remove()
        db.engine.dispose()
    assert status["status"] == "done" and figures["students"] == size == figures["emails"], (status, figures)
    drop_database(database, name)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[500, 5000, 50000])
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)  # one case, in a process of its own
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]))))
        return
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}  ({os.cpu_count()} cores)")
    header = ("database", "rows", "file MB", "preview s", "preview peak MB", "confirm s", "job s", "job peak MB")
    print(" | ".join(header))
    for database in args.databases:
        for size in args.sizes:
            done = subprocess.run(
                [sys.executable, __file__, "--case", database, str(size)], capture_output=True, text=True
            )
            if done.returncode:
                print(f"{database} {size}: failed\n{done.stderr[-3000:]}")
                continue
            f = json.loads(done.stdout.strip().splitlines()[-1])
            row = (
                f["database"],
                f"{f['rows']:,}",
                f["file_mb"],
                f["preview_s"],
                f["preview_peak_mb"],
                f["confirm_s"],
                f["job_s"],
                f["job_peak_mb"],
            )
            print(" | ".join(str(cell) for cell in row), flush=True)
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
