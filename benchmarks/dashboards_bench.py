"""Time every dashboard page on SQLite and PostgreSQL over 10 seasons of 5,000 applicants each.

    .venv/bin/python benchmarks/dashboards_bench.py                 # both databases
    .venv/bin/python benchmarks/dashboards_bench.py --db sqlite --seasons 3 --applicants 1000

The data is written with SQLAlchemy Core `insert()` executemany (not the ORM demo), so building
50,000 applications with their interests and placements takes seconds, not minutes. PostgreSQL
uses its own database, `sprint_helper_dash_bench` (dropped and created afresh). Each page is
fetched once to warm up, then timed REPEAT times through the Flask test client as a logged-in
coordinator; the table shows the median and the slowest run in milliseconds. Target: < 300 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from sprint import create_app
from sprint.extensions import db
from sprint.models import (
    Application,
    College,
    CollegeKind,
    HostCompany,
    MatchRun,
    Placement,
    Position,
    PositionInterest,
    Program,
    Season,
    StudentProfile,
    User,
)

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "sprint_helper_dash_bench"
PASSWORD = "benchmark password 2027"
REPEAT = 5
SQLITE_FILE = Path(tempfile.gettempdir()) / "sprint_dash_bench.sqlite"
MAJORS = [
    "Biology",
    "Chemistry",
    "Computer Science",
    "Mechanical Engineering",
    "Nursing",
    "Business",
    "Mathematics",
    "Psychology",
    "Electrical Engineering",
    "Economics",
]
GENDERS = ["Woman", "Man", "Non-binary", None]
RACES = ["Asian", "Black or African American", "Hispanic or Latino", "White", "Two or more", None]
STATUSES = ["completed"] * 85 + ["declined"] * 6 + ["withdrawn"] * 3 + ["accepted"] * 6
OUTCOMES = ["none"] * 60 + ["continuing_study"] * 18 + ["returned"] * 8 + ["hired"] * 14


def build(seasons: int, applicants: int, seed: int = 2027) -> dict[str, float]:
    """Fill an empty schema with a program of `seasons` seasons; returns the build time of each part."""
    rng, timings, now = random.Random(seed), {}, datetime(2026, 11, 1)
    started = time.perf_counter()
    session = db.session
    program_id = session.execute(
        insert(Program).returning(Program.id), [{"slug": "bench", "name": "Benchmark Internships", "region": "CT"}]
    ).scalar()
    coordinator = User(
        email="coordinator@bench.example.org", name="Bench Coordinator", role="coordinator", program_id=program_id
    )
    coordinator.set_password(PASSWORD)
    session.add(coordinator)
    kinds = [kind.value for kind in CollegeKind]
    session.execute(
        insert(College),
        [{"name": f"College {n}", "state": "CT", "kind": rng.choice(kinds), "town": ""} for n in range(300)],
    )
    college_ids = list(session.scalars(db.select(College.id)))
    session.execute(
        insert(HostCompany),
        [{"program_id": program_id, "name": f"Host {n}", "approved": True, "size": "small"} for n in range(400)],
    )
    host_ids = list(session.scalars(db.select(HostCompany.id)))
    first_year = 2027 - seasons
    session.execute(
        insert(Season),
        [
            {"program_id": program_id, "year": year, "name": f"Summer {year}", "phase": "closed"}
            for year in range(first_year, 2027)
        ],
    )
    season_ids = dict(session.execute(db.select(Season.year, Season.id).where(Season.program_id == program_id)).all())
    timings["directory"] = time.perf_counter() - started
    student_no = 0
    for year, season_id in sorted(season_ids.items()):
        tick = time.perf_counter()
        active_hosts = rng.sample(host_ids, 260)
        session.execute(
            insert(Position),
            [
                {
                    "host_id": host,
                    "season_id": season_id,
                    "title": f"Intern {n}",
                    "slots": rng.choice([1, 2, 2, 3, 4]),
                    "hourly_pay": Decimal(rng.randrange(1700, 3201, 25)) / 100,
                    "hours_per_week": rng.choice([30, 35, 40]),
                    "start_date": date(year, 6, 1),
                    "end_date": date(year, 8, 15),
                    "status": "open",
                }
                for n, host in enumerate(active_hosts * 4)
            ],
        )
        positions = session.execute(db.select(Position.id, Position.slots).where(Position.season_id == season_id)).all()
        users = []
        for _ in range(applicants):
            student_no += 1
            users.append(
                {
                    "email": f"s{student_no}@bench.example.org",
                    "name": f"Student {student_no}",
                    "password_hash": "-",
                    "role": "student",
                    "program_id": program_id,
                }
            )
        session.execute(insert(User), users)
        first_id = session.scalar(db.select(User.id).where(User.email == users[0]["email"]))
        user_ids = range(first_id, first_id + applicants)
        session.execute(
            insert(StudentProfile),
            [
                {
                    "user_id": uid,
                    "college_id": rng.choice(college_ids),
                    "major": rng.choice(MAJORS),
                    "first_generation": rng.choice([True, False, None]),
                    "pell_eligible": rng.choice([True, False, None]),
                    "cc_transfer": rng.choice([True, False, None]),
                    "gender": rng.choice(GENDERS),
                    "race_ethnicity": [race] if (race := rng.choice(RACES)) else None,
                }
                for uid in user_ids
            ],
        )
        session.execute(
            insert(Application),
            [
                {
                    "season_id": season_id,
                    "student_id": uid,
                    "status": "submitted",
                    "submitted_at": now,
                    "ranks_certified_at": now if rng.random() < 0.9 else None,
                }
                for uid in user_ids
            ],
        )
        app_ids = dict(
            session.execute(
                db.select(Application.student_id, Application.id).where(Application.season_id == season_id)
            ).all()
        )
        interests, choices = [], {}
        for uid in user_ids:
            chosen = rng.sample(positions, 5)
            choices[uid] = chosen
            interests += [{"application_id": app_ids[uid], "position_id": pos.id, "statement": ""} for pos in chosen]
        session.execute(insert(PositionInterest), interests)
        run_ids = [
            session.execute(
                insert(MatchRun).returning(MatchRun.id),
                [
                    {
                        "season_id": season_id,
                        "round": round_,
                        "status": "done",
                        "mode": "stable",
                        "published_at": now,
                        "parameters": {},
                    }
                ],
            ).scalar()
            for round_ in (1, 2)
        ]
        seats = {pos.id: pos.slots for pos in positions}
        placements = []
        for uid in rng.sample(list(user_ids), applicants):
            for rank, pos in enumerate(choices[uid], 1):
                if seats[pos.id] > 0:
                    seats[pos.id] -= 1
                    round_ = 2 if rng.random() < 0.08 else 1
                    status = rng.choice(STATUSES)
                    placements.append(
                        {
                            "season_id": season_id,
                            "run_id": run_ids[round_ - 1],
                            "student_id": uid,
                            "position_id": pos.id,
                            "round": round_,
                            "status": status,
                            "student_rank": rank,
                            "position_rank": rng.randint(1, 8),
                            "offered_at": now,
                            "outcome": rng.choice(OUTCOMES) if status == "completed" else "none",
                        }
                    )
                    break
        session.execute(insert(Placement), placements)
        session.commit()
        timings[f"season {year}"] = time.perf_counter() - tick
    return timings


PAGES = [
    ("overview", "/dashboards/"),
    ("colleges", "/dashboards/colleges"),
    ("hosts", "/dashboards/hosts"),
    ("match quality", "/dashboards/quality"),
    ("equity", "/dashboards/equity"),
    ("season report", "/dashboards/report"),
    ("one college", "/dashboards/colleges/{college}"),
    ("one host", "/dashboards/hosts/{host}"),
    ("overview, 1 season", "/dashboards/?seasons=2026"),
    ("colleges, kind+major", "/dashboards/colleges?kind=community&major=Biology"),
    ("equity, one host", "/dashboards/equity?host={host}"),
    ("CSV export", "/dashboards/export/colleges/colleges.csv"),
    ("chart SVG", "/dashboards/chart/overview/seasons.svg"),
]


def time_pages(app) -> dict[str, tuple[float, float]]:
    client = app.test_client()
    response = client.post("/login", data={"email": "coordinator@bench.example.org", "password": PASSWORD})
    assert response.status_code == 302, "the benchmark coordinator could not log in"
    with app.app_context():
        college = db.session.scalar(db.select(College.id).order_by(College.id))
        host = db.session.scalar(db.select(HostCompany.id).order_by(HostCompany.id))
    results = {}
    for label, pattern in PAGES:
        url = pattern.format(college=college, host=host)
        assert client.get(url).status_code == 200, url  # warm-up
        runs = []
        for _ in range(REPEAT):
            tick = time.perf_counter()
            response = client.get(url)
            runs.append((time.perf_counter() - tick) * 1000)
            assert response.status_code == 200, url
        results[label] = (statistics.median(runs), max(runs))
    return results


def run(kind: str, seasons: int, applicants: int, keep: bool) -> dict[str, tuple[float, float]]:
    if kind == "sqlite":
        path = SQLITE_FILE if keep else Path(tempfile.mkdtemp()) / "bench.sqlite"
        url = f"sqlite:///{path}"
        if keep and path.exists() and path.stat().st_size:  # an empty file is no kept data
            return time_pages(_app(url))
        path.unlink(missing_ok=True)
    elif keep:
        return time_pages(_app(f"{PG_SERVER}/{PG_DATABASE}"))
    else:
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
            connection.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
        admin.dispose()
        url = f"{PG_SERVER}/{PG_DATABASE}"
    app = _app(url)
    with app.app_context():
        db.create_all()
        tick = time.perf_counter()
        build(seasons, applicants)
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        print(f"{kind}: built {seasons} seasons x {applicants} applicants in {time.perf_counter() - tick:.1f} s")
    results = time_pages(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def _app(url: str):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "MAIL_BACKEND": "locmem",
            "DASHBOARD_CHOICES_TTL": 300,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seasons", type=int, default=10)
    parser.add_argument("--applicants", type=int, default=5000)
    parser.add_argument(
        "--keep", action="store_true", help=f"reuse the data of an earlier --keep run ({SQLITE_FILE}, {PG_DATABASE})"
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {kind: run(kind, args.seasons, args.applicants, args.keep) for kind in kinds}
    header = f"{'page':<24}" + "".join(f"{kind + ' median':>17}{'max':>8}" for kind in kinds)
    print()
    print(header)
    print("-" * len(header))
    for label, _ in PAGES:
        line = f"{label:<24}"
        for kind in kinds:
            median, worst = results[kind][label]
            flag = " " if median < 300 else "!"
            line += f"{median:>15.0f}ms{flag}{worst:>6.0f}ms"
        print(line)
    print("\nms per request through the Flask test client (page, charts are separate requests); ! = over 300 ms.")


if __name__ == "__main__":
    main()
