"""The load benchmark: gunicorn on PostgreSQL (then SQLite), the scaled demo season, 100 simulated users.

    .venv/bin/pip install -r benchmarks/load/requirements.txt     # locust, pyinstrument (not app deps)
    .venv/bin/python benchmarks/load/run_load.py                   # PostgreSQL, then SQLite
    .venv/bin/python benchmarks/load/run_load.py --db pg --users 100 --seconds 60

For each database: a fresh database (PostgreSQL `sprint_load` on 127.0.0.1, dropped at the end, or
a temp SQLite file), `sprint setup-db`, build_data.py (5,000 applicants, 300 hosts), gunicorn
(4 workers x 4 threads on 127.0.0.1:5201) with RUN_IN_WEB=0 and one `sprint worker`
process (the production layout, its queue on Redis database 11 with PostgreSQL and the embedded
SQLite queue with SQLite; `--executor thread` solves in a gunicorn worker instead), then
locust headless. Locust logs every simulated user in first (scrypt password checks are CPU-heavy;
they are timed apart). From the last login on, a max-stable match run of the season is in
progress: when one finishes, the script presses "Re-run" on it, until locust stops. After
`--warmup` seconds (the login storm's backlog drains) locust resets its statistics and stops
`--seconds` later, so the page-view figures are the steady state of N logged-in users browsing
while a match is being solved. Everything listens on loopback only and every step has a time limit.

The instance folder (a temp dir) gets a config.py raising LOGIN_RATE_LIMIT: all simulated users
log in from 127.0.0.1, which the production limit (10 per minute per address) would refuse.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV_BIN = Path(sys.executable).parent
PORT = 5201
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "sprint_load"
COORDINATOR = ("coordinator@sprint.demo", "sprint-demo-2027")
TARGET_P95_MS = 150


LOAD_REDIS = "redis://127.0.0.1:6379/11"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds, after the warm-up")
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="seconds after the last login before measuring (the login storm's backlog drains)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=10,
        help="gunicorn keep-alive (s); above the longest think time, or idle connections race",
    )
    parser.add_argument("--think", default="1,3", help="think time between pages, min,max seconds")
    parser.add_argument("--run-time-limit", type=int, default=300, help="time limit of the match run (s)")
    parser.add_argument("--no-match-run", action="store_true", help="skip the match run in progress")
    parser.add_argument(
        "--executor",
        choices=["worker", "thread"],
        default="worker",
        help="where the match run is solved: a `sprint worker` process (production layout) "
        "or a thread of a gunicorn worker",
    )
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "sprint-load"))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500 or not 5 <= args.seconds <= 600:
        parser.error("use 1-500 users and 5-600 seconds")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for db in ["pg", "sqlite"] if args.db == "both" else [args.db]:
        results[db] = run_one(db, args, out)
    print_comparison(results)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\nCSV and JSON in {out}")
    return 0


# one database ------------------------------------------------------------------------------------


def run_one(db: str, args, out: Path) -> dict:
    instance = Path(tempfile.mkdtemp(prefix=f"sprint-load-{db}-"))
    (instance / "config.py").write_text('LOGIN_RATE_LIMIT = "100000 per minute"  # every user is 127.0.0.1\n')
    if db == "pg":
        url = f"{PG_SERVER}/{PG_DATABASE}"
        psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}", f"CREATE DATABASE {PG_DATABASE}")
    else:
        url = f"sqlite:///{instance / 'load.sqlite'}"
    env = {key: value for key, value in os.environ.items() if key != "SPRINT_ENV"}
    env.update(
        DATABASE_URL=url,
        SPRINT_INSTANCE_PATH=str(instance),
        SECRET_KEY=secrets.token_hex(32),
        PYTHONUNBUFFERED="1",
        RUN_IN_WEB="1" if args.executor == "thread" else "0",
    )
    if db == "pg":  # production: the queue on Redis (emptied first), shared by gunicorn and the worker
        env["SPRINT_QUEUE_URL"] = LOAD_REDIS
        step(["python", "-c", f"import redis; redis.Redis.from_url({LOAD_REDIS!r}).flushdb()"], env, 30)
    banner(f"{db}: migrate and build the data")
    step(["sprint", "setup-db"], env, 120)
    started = time.perf_counter()
    step(["python", str(HERE / "build_data.py"), "--summary", str(out / f"{db}-data.json")], env, 600)
    data = json.loads((out / f"{db}-data.json").read_text())
    data["build_seconds"] = round(time.perf_counter() - started, 1)
    print(f"built in {data['build_seconds']} s")
    server = start_gunicorn(env, args, out / f"{db}-gunicorn.log")
    worker = None
    if args.executor == "worker":
        worker = subprocess.Popen(
            [str(VENV_BIN / "sprint"), "worker"],
            env=env,
            cwd=ROOT,
            stdout=(out / f"{db}-worker.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        banner(f"{db}: locust, {args.users} users, {args.seconds} s after all have logged in")
        logins_file, steady_file = out / f"{db}-logins.json", out / f"{db}-measuring"
        logins_file.unlink(missing_ok=True)
        steady_file.unlink(missing_ok=True)
        locust_env = dict(
            env,
            LOAD_USERS=str(args.users),
            LOAD_STEADY_SECONDS=str(args.seconds),
            LOAD_LOGIN_FILE=str(logins_file),
            LOAD_STATS_FILE=str(out / f"{db}-pages.json"),
            LOAD_THINK=args.think,
            LOAD_WARMUP_SECONDS=str(args.warmup),
            LOAD_STEADY_FILE=str(steady_file),
        )
        hard_limit = args.seconds + args.warmup + 240
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{hard_limit}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(out / db),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            env=locust_env,
            cwd=ROOT,
            stdout=(out / f"{db}-locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        runs = None
        try:
            if not args.no_match_run:  # a match run from the end of the logins until locust stops
                deadline = time.monotonic() + hard_limit
                while not logins_file.exists() and locust.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.5)
                runs = keep_a_match_running(data["season_id"], args.run_time_limit, locust, steady_file)
            locust.wait(timeout=hard_limit + 60)
        finally:
            if locust.poll() is None:
                locust.kill()
                locust.wait(timeout=10)
        if locust.returncode not in (0, 1):  # 1: some requests failed, which the table shows
            raise SystemExit(f"locust failed ({locust.returncode}); see {out / f'{db}-locust.log'}")
    finally:
        stop(server)
        if worker is not None:
            stop(worker)
    if db == "pg" and not args.keep:
        psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    shutil.rmtree(instance, ignore_errors=True)
    measured = json.loads((out / f"{db}-pages.json").read_text())
    figures = {
        name: {**row, **{k: round(row[k]) for k in ("p50", "p95", "p99", "max") if row[k] is not None}}
        for name, row in measured["pages"].items()
    }
    logins = json.loads((out / f"{db}-logins.json").read_text()) if (out / f"{db}-logins.json").exists() else {}
    print_table(db, figures, logins, runs)
    for error in measured["errors"]:
        print(f"error: {error['occurrences']} x {error['name']}: {error['error']}")
    return {
        "data": data,
        "seconds": measured["seconds"],
        "pages": figures,
        "errors": measured["errors"],
        "logins": logins,
        "match_runs": runs,
    }


def psql(*commands: str) -> None:
    arguments = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q"]
    for command in commands:
        arguments += ["-c", command]
    subprocess.run(arguments, check=True, timeout=60)


def step(command: list[str], env: dict, timeout: int, quiet: bool = False, ok_codes=(0,)) -> None:
    command = [str(VENV_BIN / command[0]), *command[1:]]
    result = subprocess.run(command, env=env, cwd=ROOT, timeout=timeout, capture_output=quiet, text=True, check=False)
    if result.returncode not in ok_codes:
        if quiet:
            print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}")


def start_gunicorn(env: dict, args, log: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "-w",
        str(args.workers),
        "-k",
        "gthread",
        "--threads",
        str(args.threads),
        "-b",
        f"127.0.0.1:{PORT}",
        "--timeout",
        "120",
        "--keep-alive",
        str(args.keep_alive),
        "sprint:create_app()",
    ]
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=10) as response:
                if response.status == 200:
                    print(f"gunicorn pid {server.pid}: {args.workers} workers x {args.threads} threads")
                    return server
        except OSError:  # refused while booting, or a timeout (URLError is an OSError too)
            time.sleep(0.5)
    stop(server)
    raise SystemExit(f"gunicorn did not answer on port {PORT}; see {log}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


# the match run in progress -----------------------------------------------------------------------


class _Browser:
    """A tiny cookie-keeping client for the coordinator's forms (urllib only)."""

    def __init__(self) -> None:
        import http.cookiejar

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(f"http://127.0.0.1:{PORT}{path}", timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> tuple[str, str]:
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(f"http://127.0.0.1:{PORT}{path}", data=body, timeout=120) as response:
            return response.geturl(), response.read().decode()


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    return found.group(1) if found else ""


def start_match_run(season_id: int, time_limit: int) -> tuple[dict, _Browser]:
    """Log in as the demo coordinator and submit the run form, as a coordinator would."""
    browser = _Browser()
    page = browser.get("/login")
    browser.post("/login", {"email": COORDINATOR[0], "password": COORDINATOR[1], "csrf_token": _token(page)})
    form = browser.get(f"/coordinator/runs/seasons/{season_id}/new")
    started = time.perf_counter()
    url, _page = browser.post(
        f"/coordinator/runs/seasons/{season_id}/new",
        {
            "csrf_token": _token(form),
            "mode": "max-stable",
            "seed": "7",
            "time_limit": str(time_limit),
            "label": "Load test: max-stable in progress",
        },
    )
    found = re.search(r"/coordinator/runs/(\d+)$", url)
    if not found:
        raise SystemExit(f"the match run did not start (ended on {url})")
    run = {"id": int(found.group(1)), "start_request_seconds": round(time.perf_counter() - started, 2)}
    print(
        f"match run #{run['id']} (max-stable, limit {time_limit} s) started as the warm-up began; "
        f"the POST took {run['start_request_seconds']} s"
    )
    return run, browser


def keep_a_match_running(season_id: int, time_limit: int, locust: subprocess.Popen, steady_file: Path) -> dict:
    """Start a max-stable run, and each time one finishes re-run it (the "Re-run" button: same
    snapshot), so that a match is being solved during the whole measured window. Returns what the
    runs did: how many finished, their solve times, and the longest gap with no run in progress."""
    first, browser = start_match_run(season_id, time_limit)
    current, finished, gaps, gap_started = first["id"], [], [], None
    measuring_since = None
    while locust.poll() is None:
        if measuring_since is None and steady_file.exists():
            measuring_since = time.monotonic()
        status = run_status(current, browser)
        if status["status"] == "failed":
            raise SystemExit(f"match run #{current} failed: {status['error']}")
        if status["status"] == "done":
            finished.append(status["solve_seconds"])
            if measuring_since is not None:
                gap_started = time.monotonic()
            page = browser.get(f"/coordinator/runs/{current}")
            url, _ = browser.post(f"/coordinator/runs/{current}/rerun", {"csrf_token": _token(page)})
            current = int(re.search(r"/coordinator/runs/(\d+)$", url).group(1))
            if gap_started is not None:
                gaps.append(time.monotonic() - gap_started)
                gap_started = None
        time.sleep(0.5)
    last = run_status(current, browser)
    return {
        "first_run": first["id"],
        "start_request_seconds": first["start_request_seconds"],
        "finished": len(finished),
        "solve_seconds": finished,
        "in_progress_at_end": last["status"],
        "longest_gap_seconds": round(max(gaps, default=0.0) + 0.5, 2),
    }  # + the polling interval


def run_status(run_id: int, browser: _Browser) -> dict:
    status = json.loads(browser.get(f"/coordinator/runs/{run_id}/status.json"))
    return {"status": status["status"], "solve_seconds": status.get("solve_seconds"), "error": status.get("error")}


# figures ------------------------------------------------------------------------------------------


def print_table(db: str, figures: dict, logins: dict, runs: dict | None) -> None:
    banner(f"{db}: page views after all users logged in (ms)")
    print(f"{'page':58} {'reqs':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} {'req/s':>6}")
    for name, row in sorted(figures.items(), key=lambda item: (item[0] == "ALL PAGE VIEWS", item[0])):
        if not row["requests"]:  # the login requests, counted apart
            continue
        flag = " <" if row["p95"] and row["p95"] > TARGET_P95_MS else ""
        print(
            f"{name:58} {row['requests']:6} {row['failures']:5} {row['p50'] or 0:6.0f} {row['p95'] or 0:6.0f} "
            f"{row['p99'] or 0:6.0f} {row['max'] or 0:6.0f} {row['rps']:6.1f}{flag}"
        )
    if logins:
        print(
            f"logins: {logins.get('count')} in {logins.get('seconds')} s, p50 {logins.get('p50')} ms, "
            f"p95 {logins.get('p95')} ms, failures {logins.get('failures')}"
        )
    if runs:
        solves = ", ".join(f"{seconds:.1f}" for seconds in runs["solve_seconds"])
        print(
            f"match runs: #{runs['first_run']} and re-runs, one after another from the last login to the end; "
            f"{runs['finished']} finished (solve s: {solves or '-'}), one {runs['in_progress_at_end']} at the end; "
            f"longest time with no run in progress while measuring: {runs['longest_gap_seconds']} s"
        )
    print(f"('<' marks a p95 above the {TARGET_P95_MS} ms target)")


def print_comparison(results: dict) -> None:
    if len(results) < 2:
        return
    banner("PostgreSQL vs SQLite: all page views")
    for db, result in results.items():
        row = result["pages"].get("ALL PAGE VIEWS", {})
        print(
            f"{db:7} p50 {row.get('p50')} ms  p95 {row.get('p95')} ms  p99 {row.get('p99')} ms  "
            f"{row.get('rps')} req/s  {row.get('failures')} failures of {row.get('requests')}"
        )


def banner(text: str) -> None:
    print(f"\n=== {text} " + "=" * max(0, 90 - len(text)), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
