"""Time the load test's pages one at a time (no concurrency) and profile the slow ones.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sprint_load SPRINT_INSTANCE_PATH=/tmp/x \
        .venv/bin/python benchmarks/load/profile_pages.py [--profile "student: positions"] [--repeat 5]

Runs against a database built by build_data.py, through the Flask test client, logged in as the
same accounts the locust file uses. For each page: the median and slowest of --repeat requests in
ms, the number of SQL statements and the time spent in them (measured with SQLAlchemy's cursor
events), and the response size. With --profile NAME (a page name, or "all"), prints a pyinstrument
profile of one request to that page (pyinstrument is in requirements.txt; not an app dependency).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event

from sprint import create_app
from sprint.extensions import db

PASSWORD = "sprint-demo-2027"
STUDENT, HOST, COORDINATOR = (
    "load.student.17@students.sprint.demo",
    "hiring@load-host-5.demo",
    "load.coordinator.1@sprint.demo",
)


def pages(client, who: str) -> list[tuple[str, str]]:
    """(name, url) of the pages of the locust file for this kind of account, with real ids."""
    if who == "student":
        listing = client.get("/student/positions").get_data(as_text=True)
        position = re.search(r'href="/student/positions/(\d+)"', listing).group(1)
        return [
            ("student: dashboard", "/student/"),
            ("student: positions", "/student/positions?page=3"),
            ("student: positions skill filter", "/student/positions?skill=python"),
            ("student: position", f"/student/positions/{position}"),
            ("student: rank list", "/student/ranks"),
        ]
    if who == "host":
        dashboard = client.get("/company/").get_data(as_text=True)
        position = max(int(p) for p in re.findall(r'href="/company/positions/(\d+)/ranks"', dashboard))
        listing = client.get("/company/applicants").get_data(as_text=True)
        applicant = re.search(r'href="/company/applicants/(\d+)"', listing).group(1)
        return [
            ("host: dashboard", "/company/"),
            ("host: applicants", "/company/applicants"),
            ("host: applicants skill filter", "/company/applicants?skill=python"),
            ("host: applicant", f"/company/applicants/{applicant}"),
            ("host: rank candidates", f"/company/positions/{position}/ranks"),
        ]
    seasons = client.get("/coordinator/seasons").get_data(as_text=True)
    season = max(int(c) for c in re.findall(r'href="/coordinator/seasons/(\d+)"', seasons))
    runs = client.get("/coordinator/runs/?season=1").get_data(as_text=True)
    run = re.search(r'href="/coordinator/runs/(\d+)"', runs).group(1)
    return [
        ("coordinator: overview", "/coordinator/"),
        ("coordinator: seasons", "/coordinator/seasons"),
        ("coordinator: season progress", f"/coordinator/seasons/{season}"),
        ("coordinator: directory students", "/coordinator/directory/students?page=7"),
        ("coordinator: runs", "/coordinator/runs/"),
        ("coordinator: run", f"/coordinator/runs/{run}"),
        ("coordinator: dashboards overview", "/dashboards/"),
    ]


@contextmanager
def counting(engine):
    """Count SQL statements and the time spent executing them, for the block."""
    tally = {"statements": 0, "seconds": 0.0, "slowest": []}
    started: list[float] = []

    def before(*_args):
        started.append(time.perf_counter())

    def after(_connection, _cursor, statement, parameters, *_args):
        seconds = time.perf_counter() - started.pop()
        tally["statements"] += 1
        tally["seconds"] += seconds
        tally["slowest"] = sorted([*tally["slowest"], (seconds, statement, parameters)], key=lambda s: -s[0])[:2]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sql", action="store_true", help="print each page's two slowest statements")
    parser.add_argument("--profile", help='a page name ("host: rank candidates") or "all"')
    args = parser.parse_args(argv)
    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        engine = db.engine
    print(f"{'page':36} {'median':>7} {'max':>7} {'SQL n':>6} {'SQL ms':>7} {'KB':>6}")
    for who, email in (("student", STUDENT), ("host", HOST), ("coordinator", COORDINATOR)):
        client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})
        for name, url in pages(client, who):
            times = []
            for _ in range(args.repeat):
                with counting(engine) as tally:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{name:36} {statistics.median(times):7.0f} {max(times):7.0f} {tally['statements']:6} "
                f"{tally['seconds'] * 1000:7.0f} {len(response.data) / 1024:6.0f}"
            )
            if args.sql:
                for seconds, statement, parameters in tally["slowest"]:
                    print(f"    {seconds * 1000:.0f} ms: {' '.join(statement.split())[:1500]}  {str(parameters)[:200]}")
            if args.profile in (name, "all"):
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                client.get(url)
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
