"""Simulated students, hosts and coordinators browsing the scaled demo season (see build_data.py).

    locust -f benchmarks/load/locustfile.py --headless -u 100 -r 20 -t 60s \
        --host http://127.0.0.1:5201 --csv /tmp/load/pg --only-summary

Run it through run_load.py, which builds the data and starts the server. Each simulated user logs in
once through the real /login form (CSRF token read from the page) with its own account, then loops
over its role's pages with a short think time. Requests are named by page ("student: positions"),
so the CSV has one line per page; the login requests are named "login ..." and are not page views.

Bounds: the target must be a loopback address and a run time (at most 10 minutes) must be given;
otherwise the test refuses to start. Environment (set by run_load.py): LOAD_USERS, LOAD_STEADY_SECONDS,
LOAD_LOGIN_FILE, LOAD_STATS_FILE, LOAD_THINK ("min,max" think time in seconds, default "1,3"),
LOAD_WARMUP_SECONDS (after the last login, before the statistics are reset), LOAD_STEADY_FILE.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import statistics
import time
from html import unescape
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task

PASSWORD = "sprint-demo-2027"  # the demo password every generated account shares
STUDENTS = 4600  # load.student.1 .. load.student.4600 exist after build_data.py (it makes 4,641)
HOSTS = 270  # hiring@load-host-1.demo .. 270
COORDINATORS = 10
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_RUN_SECONDS = 600

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')
SKILLS = ["python", "cell culture", "data analysis", "microscopy", "excel", "pcr"]
TOWNS = ["New Haven", "Branford", "Hartford", "Groton", "Wallingford"]
MAJORS = ["Biology", "Chemistry", "Computer Science", "Biomedical Engineering"]

# Set by run_load.py: once LOAD_USERS users have logged in (the login storm is summarised apart into
# LOAD_LOGIN_FILE) and LOAD_WARMUP_SECONDS more have passed, the statistics are reset and the test
# stops LOAD_STEADY_SECONDS later;
# the final per-page figures, computed from locust's own histograms, go to LOAD_STATS_FILE.
EXPECTED_USERS = int(os.environ.get("LOAD_USERS", "0"))
STEADY_SECONDS = int(os.environ.get("LOAD_STEADY_SECONDS", "0"))
LOGIN_FILE = os.environ.get("LOAD_LOGIN_FILE")
STATS_FILE = os.environ.get("LOAD_STATS_FILE")
WARMUP_SECONDS = float(os.environ.get("LOAD_WARMUP_SECONDS", "0"))  # after the last login, before measuring
STEADY_FILE = os.environ.get("LOAD_STEADY_FILE")  # written when measuring starts
THINK_SECONDS = tuple(float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(","))  # between pages

_numbers = {role: itertools.count(1) for role in ("student", "host", "coordinator")}
_logins: list[tuple[float, bool]] = []
_clock = {"start": time.monotonic(), "steady": None}


@events.test_start.add_listener
def _refuse_unbounded(environment, **_kwargs) -> None:
    host = urlsplit(environment.host or "").hostname
    run_time = getattr(environment.parsed_options, "run_time", None) if environment.parsed_options else None
    if host not in LOOPBACK:
        raise SystemExit(f"Refusing to load {environment.host!r}: loopback addresses only.")
    if not run_time or run_time > MAX_RUN_SECONDS:
        raise SystemExit(f"Give a run time (-t) of at most {MAX_RUN_SECONDS} s.")
    _clock["start"] = time.monotonic()


def _logged_in(environment, milliseconds: float, ok: bool) -> None:
    """Count a login; after the last expected one, reset the statistics and schedule the stop."""
    _logins.append((milliseconds, ok))
    if len(_logins) != EXPECTED_USERS:
        return
    times = sorted(ms for ms, _ in _logins)
    summary = {
        "count": len(times),
        "failures": sum(not ok for _, ok in _logins),
        "seconds": round(time.monotonic() - _clock["start"], 1),
        "p50": round(statistics.median(times)),
        "p95": round(times[int(0.95 * (len(times) - 1))]),
        "max": round(times[-1]),
    }
    if LOGIN_FILE:
        with open(LOGIN_FILE, "w") as out:
            json.dump(summary, out)
    gevent.spawn_later(WARMUP_SECONDS, _start_measuring, environment)


def _start_measuring(environment) -> None:
    """After the warm-up (the login storm's backlog drained), count page views from zero."""
    environment.stats.reset_all()
    _clock["steady"] = time.monotonic()
    if STEADY_FILE:
        with open(STEADY_FILE, "w") as out:
            out.write("measuring\n")
    if STEADY_SECONDS:
        gevent.spawn_later(STEADY_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _write_figures(environment, **_kwargs) -> None:
    if not STATS_FILE:
        return
    seconds = time.monotonic() - (_clock["steady"] or _clock["start"])
    entries = [(f"{entry.method} {entry.name}", entry) for entry in environment.stats.entries.values()]
    entries.append(("ALL PAGE VIEWS", environment.stats.total))
    figures = {
        name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
            "rps": round(entry.num_requests / seconds, 1) if seconds else 0.0,
        }
        for name, entry in entries
    }
    errors = [
        {"name": f"{error.method} {error.name}", "error": str(error.error), "occurrences": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    with open(STATS_FILE, "w") as out:
        json.dump(
            {"seconds": round(seconds, 1), "steady": _clock["steady"] is not None, "pages": figures, "errors": errors},
            out,
            indent=2,
        )


def inputs(html: str) -> dict[str, str]:
    """name -> value of the page's <input> fields (the first one of each name)."""
    found: dict[str, str] = {}
    for tag in INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            found.setdefault(attributes["name"], unescape(attributes.get("value", "")))
    return found


def ids(html: str, pattern: str) -> list[int]:
    return sorted({int(found) for found in re.findall(pattern, html)})


class _Member(HttpUser):
    abstract = True
    wait_time = between(*THINK_SECONDS)
    role = ""
    account = ""  # the email pattern of this role's generated accounts (build_data.py)
    accounts = 0  # how many there are; users beyond that share them

    def on_start(self) -> None:
        number = next(_numbers[self.role])
        self.login(self.account.format(n=(number - 1) % self.accounts + 1))

    def login(self, email: str) -> None:
        started = time.perf_counter()
        page = self.client.get("/login", name="login (form)")
        token = inputs(page.text).get("csrf_token", "")
        with self.client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            name="login (post)",
            catch_response=True,
        ) as response:
            ok = response.status_code == 200 and "/login" not in urlsplit(response.url).path
            if not ok:
                response.failure(f"login as {email} failed: {response.status_code}")
        _logged_in(self.environment, (time.perf_counter() - started) * 1000, ok)

    def page(self, url: str, name: str, **kwargs):
        """GET a page; anything but a 200 on the page asked for (not the login form) is a failure."""
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            self._check(response)
        return response

    def post(self, url: str, data: dict, name: str):
        with self.client.post(url, data=data, name=name, catch_response=True) as response:
            self._check(response)
            if response.ok and "alert-danger" in response.text:
                response.failure("the form was refused")
        return response

    @staticmethod
    def _check(response) -> None:
        if response.status_code == 0:  # no HTTP answer at all: say what happened to the connection
            response.failure(f"no response: {type(response.error).__name__}: {response.error}")
        elif response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
        elif urlsplit(response.url).path == "/login":
            response.failure("sent to the login form")


class Student(_Member):
    weight = 7
    role = "student"
    account, accounts = "load.student.{n}@students.sprint.demo", STUDENTS

    def on_start(self) -> None:
        super().on_start()
        self.position_ids: list[int] = []

    @task(3)
    def dashboard(self) -> None:
        self.page("/student/", "student: dashboard")

    @task(3)
    def positions(self) -> None:
        params: dict = {"page": random.randint(1, 8)}
        if random.random() < 0.5:
            params = {random.choice(["q", "skill", "town", "min_pay", "work_mode"]): None}
            key = next(iter(params))
            params[key] = {
                "q": random.choice(["intern", "lab", "data", "quality"]),
                "skill": random.choice(SKILLS),
                "town": random.choice(TOWNS),
                "min_pay": random.choice(["20", "25"]),
                "work_mode": random.choice(["onsite", "hybrid", "remote"]),
            }[key]
            params["page"] = random.choice([1, 1, 2])
        response = self.page("/student/positions", "student: positions (filters, pages)", params=params)
        found = ids(response.text, r'href="/student/positions/(\d+)"')
        if found:
            self.position_ids = found

    @task(2)
    def position(self) -> None:
        if not self.position_ids:
            return self.positions()
        self.page(f"/student/positions/{random.choice(self.position_ids)}", "student: position")

    @task(2)
    def ranks(self) -> None:
        self.page("/student/ranks", "student: rank list")

    @task(1)
    def save_draft(self) -> None:
        form = inputs(self.page("/student/ranks", "student: rank list").text)
        lines = sorted(
            (int(value), name) for name, value in form.items() if name.startswith("rank_") and value.isdigit()
        )
        if len(lines) < 2:
            return
        order = [name for _, name in lines]
        order[0], order[1] = order[1], order[0]  # move the second choice to the top
        data = {name: str(rank) for rank, name in enumerate(order, 1)}
        data.update(csrf_token=form["csrf_token"], version=form["version"], action="draft")
        self.post("/student/ranks", data, "student: save rank draft (POST)")


class Host(_Member):
    weight = 2
    role = "host"
    account, accounts = "hiring@load-host-{n}.demo", HOSTS

    def on_start(self) -> None:
        super().on_start()
        self.position_ids: list[int] = []
        self.applicant_ids: list[int] = []

    @task(3)
    def dashboard(self) -> None:
        response = self.page("/company/", "host: dashboard")
        self.position_ids = ids(response.text, r'href="/company/positions/(\d+)/ranks"') or self.position_ids

    @task(3)
    def applicants(self) -> None:
        params: dict = {"page": random.choice([1, 1, 2])}
        choice = random.random()
        if choice < 0.25 and self.position_ids:
            params["position"] = random.choice(self.position_ids)
        elif choice < 0.5:
            params["skill"] = random.choice(SKILLS)
        elif choice < 0.65:
            params["major"] = random.choice(MAJORS)
        elif choice < 0.75:
            params["class_year"] = random.choice([2027, 2028, 2029])
        response = self.page("/company/applicants", "host: applicants (filters)", params=params)
        self.applicant_ids = ids(response.text, r'href="/company/applicants/(\d+)"') or self.applicant_ids

    @task(2)
    def applicant(self) -> None:
        if not self.applicant_ids:
            return self.applicants()
        self.page(f"/company/applicants/{random.choice(self.applicant_ids)}", "host: applicant")

    @task(2)
    def ranks(self) -> None:
        if not self.position_ids:
            return self.dashboard()
        self.page(f"/company/positions/{random.choice(self.position_ids)}/ranks", "host: rank candidates")

    @task(1)
    def save_draft(self) -> None:
        if not self.position_ids:
            return self.dashboard()
        url = f"/company/positions/{random.choice(self.position_ids)}/ranks"
        form = inputs(self.page(url, "host: rank candidates").text)
        data = {name: value for name, value in form.items() if name.startswith("rank_")}
        if not data:
            return
        data.update(csrf_token=form["csrf_token"], version=form["version"], action="draft")
        self.post(url, data, "host: save rank draft (POST)")


class Coordinator(_Member):
    weight = 1
    role = "coordinator"
    account, accounts = "load.coordinator.{n}@sprint.demo", COORDINATORS

    def on_start(self) -> None:
        super().on_start()
        self.season_ids: list[int] = []
        self.run_ids: list[int] = []

    @task(2)
    def overview(self) -> None:
        self.page("/coordinator/", "coordinator: overview")

    @task(1)
    def seasons(self) -> None:
        response = self.page("/coordinator/seasons", "coordinator: seasons")
        self.season_ids = ids(response.text, r'href="/coordinator/seasons/(\d+)"') or self.season_ids

    @task(2)
    def progress(self) -> None:
        if not self.season_ids:
            return self.seasons()
        self.page(f"/coordinator/seasons/{max(self.season_ids)}", "coordinator: season progress")

    @task(2)
    def students(self) -> None:
        params = {"page": random.randint(1, 20)}
        if random.random() < 0.3:
            params = {"q": random.choice(["chen", "garcia", "biology", "yale"])}
        self.page("/coordinator/directory/students", "coordinator: directory students", params=params)

    @task(1)
    def runs(self) -> None:
        params = {"season": random.choice(self.season_ids)} if self.season_ids and random.random() < 0.5 else {}
        response = self.page("/coordinator/runs/", "coordinator: runs", params=params)
        self.run_ids = sorted(set(self.run_ids) | set(ids(response.text, r'href="/coordinator/runs/(\d+)"')))

    @task(2)
    def run_page(self) -> None:
        if not self.run_ids:
            return self.runs()
        self.page(f"/coordinator/runs/{random.choice(self.run_ids)}", "coordinator: run")

    @task(1)
    def dashboards(self) -> None:
        self.page("/dashboards/", "coordinator: dashboards overview")
