"""A national-size season through the app: each coordinator step timed at 5,000 and 50,000 students.

    .venv/bin/python benchmarks/scale_bench.py                    # 5,000 and 50,000 students
    .venv/bin/python benchmarks/scale_bench.py --sizes 5000       # one size

For each size: a fresh PostgreSQL database (`sprint_scale_<n>`), `sprint setup-db`, then
benchmarks/load/build_data.py with bulk Core inserts (the demo program, plus n students with 10
certified ranks each and n/4.2 positions, two per host, certified host lists). Then, as a user
runs it: gunicorn (1 worker x 4 threads, so the worker's peak memory is the pages') and one
`sprint worker`, with the app's defaults (the queue on Redis, as in production), and through
HTTP as the demo coordinator: a CSV import of as many new students (the preview POST, the
confirm POST, the job from queued to done, and until the worker has sent every welcome email),
the run form page, the stable run's POST, queued to done (the
job builds the snapshot, solves and stores), the run page, verify, one student's explanation, a
re-run and the compare page, the publish POST (the emails are the worker's job), the season's
progress page and the dashboards' overview. Each step's time, response size, and the peak
memory (VmHWM) of the process that did it; then the growth factor from the first size to the last.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "load"))

import run_load  # noqa: E402
from run_load import COORDINATOR, PG_SERVER, VENV_BIN, _token, psql, start_gunicorn, step, stop  # noqa: E402

ROOT = HERE.parent
PORT = 5207
REDIS = "redis://127.0.0.1:6379/13"
POSITIONS_PER_STUDENT = 1 / 4.2  # ~1,200 positions at 5,000 students, ~12,000 at 50,000


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping client that does not follow redirects (a POST is timed on its own)."""

    def __init__(self) -> None:
        import http.cookiejar

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, fields: dict | None = None, upload: tuple[str, bytes] | None = None):
        """GET, or POST the fields (as a form, or multipart with `upload` = (field, file content))."""
        body = urllib.parse.urlencode(fields).encode() if fields is not None else None
        headers = {}
        if upload is not None:
            boundary = secrets.token_hex(16)
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                for name, value in (fields or {}).items()
            ]
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{upload[0]}"; filename="students.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n".encode()
                + upload[1]
                + f"\r\n--{boundary}--\r\n".encode()
            )
            body, headers = b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=600) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as answer:  # a 302 without following it
            return answer.code, answer.headers.get("Location", ""), answer.read()


def peak_kb(pids: list[int]) -> int:
    """The largest VmHWM (peak resident set, kB) of these processes."""
    most = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    most = max(most, int(line.split()[1]))
        except OSError:
            continue
    return most


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    return [int(p) for p in found]


def one_size(students: int, time_limit: int, out: Path) -> dict:
    database = f"sprint_scale_{students}"
    instance = Path(tempfile.mkdtemp(prefix=f"sprint-scale-{students}-"))
    (instance / "config.py").write_text('LOGIN_RATE_LIMIT = "100000 per minute"\n')
    psql(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}")
    env = {key: value for key, value in os.environ.items() if key != "SPRINT_ENV"}
    env.update(
        DATABASE_URL=f"{PG_SERVER}/{database}",
        SPRINT_INSTANCE_PATH=str(instance),
        SECRET_KEY=secrets.token_hex(32),
        PYTHONUNBUFFERED="1",
        RUN_IN_WEB="0",
        SPRINT_QUEUE_URL=REDIS,
    )
    step(["python", "-c", f"import redis; redis.Redis.from_url({REDIS!r}).flushdb()"], env, 30)
    step(["sprint", "setup-db"], env, 300)
    hosts = round(students * POSITIONS_PER_STUDENT / 2)
    started = time.perf_counter()
    summary = out / f"data-{students}.json"
    step(
        [
            "python",
            str(HERE / "load" / "build_data.py"),
            "--students",
            str(students),
            "--hosts",
            str(hosts),
            "--ranks",
            "10",
            "--certified",
            "1.0",
            "--positions-per-host",
            "2",
            "--summary",
            str(summary),
        ],
        env,
        3600,
    )
    data = json.loads(summary.read_text())
    data["build_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(data))
    run_load.PORT = PORT
    args = argparse.Namespace(workers=1, threads=4, keep_alive=75)
    server = start_gunicorn(env, args, out / f"gunicorn-{students}.log")
    worker = subprocess.Popen(
        [str(VENV_BIN / "sprint"), "worker"],
        env=env,
        cwd=ROOT,
        stdout=(out / f"worker-{students}.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        return {
            "data": data,
            "steps": _steps(database, data["season_id"], students, time_limit, server.pid, worker.pid),
        }
    finally:
        stop(worker)
        stop(server)


def students_csv(count: int) -> bytes:
    """A file of `count` new students (none of the builder's), as a coordinator would upload it."""
    lines = ["email,name,major,class_year"]
    lines += [f"import{n}@scale.example.edu,Imported Student {n},Biology,{2027 + n % 4}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _pending_emails(database: str) -> int:
    found = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-tA",
            "-c",
            "SELECT count(*) FROM outbox_email WHERE status IN ('pending', 'sending')",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(found.stdout.strip())


def _steps(database: str, season_id: int, students: int, time_limit: int, server_pid: int, worker_pid: int) -> dict:
    browser = Browser()
    _, _, page = browser.request("/login")
    browser.request(
        "/login", {"email": COORDINATOR[0], "password": COORDINATOR[1], "csrf_token": _token(page.decode())}
    )
    web = lambda: peak_kb(children(server_pid))  # noqa: E731
    work = lambda: peak_kb([worker_pid, *children(worker_pid)])  # noqa: E731
    steps: dict[str, dict] = {}

    def timed(name: str, path: str, fields: dict | None = None, memory=web, expect=(200,)) -> tuple[str, bytes]:
        started = time.perf_counter()
        status, location, body = browser.request(path, fields)
        seconds = time.perf_counter() - started
        assert status in expect, (name, status, body[:400])
        steps[name] = {"seconds": round(seconds, 3), "bytes": len(body), "peak_mb": round(memory() / 1024, 1)}
        print(f"{name}: {steps[name]}", flush=True)
        return location, body

    def wait_done(name: str, run_id: int) -> dict:
        started = time.perf_counter()
        while True:
            _, _, body = browser.request(f"/coordinator/runs/{run_id}/status.json")
            status = json.loads(body)
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert status["status"] == "done", status
        steps[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "solve_seconds": status["solve_seconds"],
            "peak_mb": round(work() / 1024, 1),
        }
        print(f"{name}: {steps[name]}", flush=True)
        return status

    # The season's students arrive by CSV: a file of as many new students, through the import pages.
    started = time.perf_counter()
    _, _, page = browser.request("/coordinator/import")
    content = students_csv(students)
    fields = {"csrf_token": _token(page.decode()), "kind": "students", "season": str(season_id)}
    status, _, preview = browser.request("/coordinator/import", fields, ("file", content))
    assert status == 200 and b'name="payload"' in preview, (status, preview[:600])
    steps["CSV import preview POST"] = {
        "seconds": round(time.perf_counter() - started, 3),
        "bytes": len(content),
        "peak_mb": round(web() / 1024, 1),
    }
    print(f"CSV import preview POST: {steps['CSV import preview POST']}", flush=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.decode()).group(1)
    location, _ = timed(
        "CSV import confirm POST",
        "/coordinator/import/confirm",
        {"csrf_token": _token(preview.decode()), "payload": payload},
        expect=(302,),
    )
    job = urllib.parse.urlparse(location).path
    started = time.perf_counter()
    while not (state := json.loads(browser.request(f"{job}/status.json")[2]))["finished"]:
        time.sleep(0.2)
    assert state["status"] == "done" and state["new"] == students, state
    steps["CSV import queued to done"] = {
        "seconds": round(time.perf_counter() - started, 3),
        "peak_mb": round(work() / 1024, 1),
    }
    print(f"CSV import queued to done: {steps['CSV import queued to done']}", flush=True)
    # The welcome emails go out through the worker after the import's commit; the season's steps are
    # timed once they are all sent, so that the worker's sending does not share the CPU with them.
    while _pending_emails(database) > 0:
        time.sleep(0.5)
    steps["CSV import: welcome emails sent"] = {
        "seconds": round(time.perf_counter() - started, 3),
        "peak_mb": round(work() / 1024, 1),
    }
    print(f"welcome emails sent: {steps['CSV import: welcome emails sent']}", flush=True)

    new = f"/coordinator/runs/seasons/{season_id}/new"
    _, form = timed("run form page", new)
    fields = {"csrf_token": _token(form.decode()), "mode": "stable", "seed": "1", "time_limit": str(time_limit)}
    location, _ = timed("run POST", new, fields, expect=(302,))
    run_id = int(re.search(r"/coordinator/runs/(\d+)$", location).group(1))
    wait_done("queued to done", run_id)
    _, show = timed("run page", f"/coordinator/runs/{run_id}")
    timed("verify page", f"/coordinator/runs/{run_id}/verify")
    student = re.search(r"/coordinator/runs/\d+/explain/(s\d+)", show.decode())
    if student is None:
        student_key = "s" + re.search(r'"s(\d+)"', json.dumps(steps)).group(1)  # pragma: no cover
    else:
        student_key = student.group(1)
    timed("one explanation", f"/coordinator/runs/{run_id}/explain/{student_key}")
    location, _ = timed(
        "re-run POST", f"/coordinator/runs/{run_id}/rerun", {"csrf_token": _token(show.decode())}, expect=(302,)
    )
    again = int(re.search(r"/coordinator/runs/(\d+)$", location).group(1))
    wait_done("re-run queued to done", again)
    timed("compare page", f"/coordinator/runs/compare?a={run_id}&b={again}")
    _, publish = timed("publish page", f"/coordinator/runs/{run_id}/publish")
    timed(
        "publish POST",
        f"/coordinator/runs/{run_id}/publish",
        {"csrf_token": _token(publish.decode()), "reason": "scale benchmark", "confirm": "Confirm", "unstable_ok": "y"},
        expect=(302,),
    )
    timed("progress page", f"/coordinator/seasons/{season_id}")
    timed("dashboards overview", "/dashboards/")
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--time-limit", type=int, default=20, help="the run form's default")
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "sprint-scale-bench"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in args.sizes:
        print(f"== {size} students; load {Path('/proc/loadavg').read_text().strip()}", flush=True)
        results[size] = one_size(size, args.time_limit, out)
        (out / "results.json").write_text(json.dumps(results, indent=2))
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    sizes = sorted(results)
    first, last = sizes[0], sizes[-1]
    header = " | ".join(f"{size:,} students" for size in sizes)
    print(f"\n| step | {header} | growth ({last // first}x students) |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for name in results[first]["steps"]:
        cells = []
        for size in sizes:
            figure = results[size]["steps"].get(name, {})
            size_text = f", {figure['bytes'] / 1e6:.2f} MB" if "bytes" in figure else ""
            solve = f" (solve {figure['solve_seconds']:.1f} s)" if figure.get("solve_seconds") else ""
            cells.append(f"{figure.get('seconds', 0):.2f} s{solve}{size_text}, peak {figure.get('peak_mb', 0):.0f} MB")
        a, b = results[first]["steps"][name]["seconds"], results[last]["steps"].get(name, {}).get("seconds")
        growth = f"{b / a:.1f}x" if b and a else "—"
        print(f"| {name} | {' | '.join(cells)} | {growth} |")


if __name__ == "__main__":
    raise SystemExit(main())
