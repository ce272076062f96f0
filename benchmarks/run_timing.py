"""Time a match run of the demo season from the coordinator's click to the finished result.

    .venv/bin/python benchmarks/run_timing.py                       # SQLite, stable and max-stable
    .venv/bin/python benchmarks/run_timing.py --db postgresql --modes stable welfare

Loads the demo into a fresh database (SQLite in a temporary folder, or the PostgreSQL database
`sprint_helper_runs_bench`, dropped and created afresh), logs in as the demo coordinator through
the Flask test client, POSTs the run form exactly as the browser does (the run goes to the
background worker, as in production), then polls the run's status endpoint every 50 ms until it
is done. "click to result" is from the POST to the first poll that sees "done"; "solve" is the
solver's own time stored with the run; "page" is the time to render the run page afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_support import fresh_database

from sprint import create_app
from sprint.demo import loader
from sprint.extensions import db
from sprint.models import Phase, Program, Season

PG_DATABASE = "sprint_helper_runs_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--modes", nargs="+", default=["stable", "max-stable"])
    parser.add_argument("--time-limit", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
                "SQLALCHEMY_DATABASE_URI": fresh_database(args.db, Path(folder), PG_DATABASE),
                "WTF_CSRF_ENABLED": False,
                "MAIL_BACKEND": "locmem",
                "RATELIMIT_ENABLED": False,
                "RUNS_INLINE": False,
            }
        )
        with app.app_context():
            db.create_all()
            loader.load_demo(2027)
            season_id = db.session.scalar(
                db.select(Season.id).join(Program).where(Program.slug == "sprint", Season.phase == Phase.APPLICATIONS)
            )
        client = app.test_client()
        client.post("/login", data={"email": "coordinator@sprint.demo", "password": loader.DEMO_PASSWORD})
        print("| database | mode | students | matched | click to result (s) | solve (s) | run page (s) |")
        print("|---|---|---|---|---|---|---|")
        for mode in args.modes:
            started = time.perf_counter()
            response = client.post(
                f"/coordinator/runs/seasons/{season_id}/new",
                data={
                    "mode": mode,
                    "seed": "1",
                    "time_limit": str(args.time_limit),
                    "label": f"benchmark {mode}",
                    "cap_per": "",
                },
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            location = response.headers["Location"]
            while (status := client.get(f"{location}/status.json").get_json())["status"] in ("queued", "running"):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            assert status["status"] == "done", status
            page_started = time.perf_counter()
            page = client.get(location).get_data(as_text=True)
            page_seconds = time.perf_counter() - page_started
            matched = page.split('<div class="display-6 fw-semibold">', 1)[1].split("<", 1)[0].strip()
            print(
                f"| {args.db} | {mode} | {matched.split('/')[1].strip()} | {matched.split('/')[0].strip()} "
                f"| {elapsed:.2f} | {status['solve_seconds']:.2f} | {page_seconds:.2f} |"
            )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
