"""Brute-force check of the login limits against gunicorn with 3 workers and Redis, in production mode.

    .venv/bin/python benchmarks/login_bruteforce.py                 # Redis DB 3 on 127.0.0.1:6379
    .venv/bin/python benchmarks/login_bruteforce.py --redis redis://127.0.0.1:6379/5 --guesses 60

Builds a fresh SQLite database in a temporary folder, starts `gunicorn -w 3 'sprint:create_app()'`
with SPRINT_ENV=production and the production defaults (LOGIN_FAILURES_PER_ACCOUNT and
LOGIN_FAILURES_PER_ADDRESS as configured), behind one pretend proxy (TRUSTED_PROXIES=1: the script
sends X-Forwarded-For / X-Forwarded-Proto as a TLS proxy would). Each attempt is a real browser
round trip: GET /login for the CSRF token, then POST. Attempts are sent 8 at a time, so they spread
over the three workers. It prints how many wrong guesses were evaluated (400) and how many waited
(429), then what the account's owner, a new browser, and ten students behind one campus address get.
The Redis database named is flushed at the start: give it one nobody else uses.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "placement.bench.example"
PASSWORD = "correct horse battery"


class Browser:
    """One browser behind the proxy: its own cookies and its own client address."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address, self.cookies = port, address, {}

    def _request(self, method: str, path: str, body: str = "") -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": HOST,
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{HOST}/login",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return response

    def log_in(self, email: str, password: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(
            "GET",
            "/login",
            headers={
                "Host": HOST,
                "X-Forwarded-For": self.address,
                "X-Forwarded-Proto": "https",
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            },
        )
        response = connection.getresponse()
        page = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        from urllib.parse import urlencode

        status = self._request(
            "POST", "/login", urlencode({"csrf_token": token, "email": email, "password": password})
        ).status
        return status

    def log_out(self) -> None:
        self.cookies.pop("session", None)


def _environment(folder: Path, redis_url: str) -> dict:
    return {
        **os.environ,
        "SPRINT_ENV": "production",
        "SPRINT_INSTANCE_PATH": str(folder),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "BASE_URL": f"https://{HOST}",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
        "RATELIMIT_STORAGE_URI": redis_url,
        "TRUSTED_PROXIES": "1",
        "MAIL_BACKEND": "locmem",
    }


def _prepare(env: dict, students: int) -> dict[str, str]:
    """The schema and the accounts, made by a separate process with the same environment."""
    code = f"""
import redis
from sprint import create_app
from sprint.extensions import db
from sprint.models import Program, Role, StudentProfile, User
app = create_app()
redis.Redis.from_url({env["RATELIMIT_STORAGE_URI"]!r}).flushdb()
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    program = Program(name="Bench", slug="bench")
    db.session.add(program)
    db.session.flush()
    for n in range({students}):
        user = User(email=f"student{{n}}@bench.example", name=f"Student {{n}}", role=Role.STUDENT,
                    program_id=program.id)
        user.set_password({PASSWORD!r})
        db.session.add_all([user, StudentProfile(user=user)])
    db.session.commit()
print(app.config["LOGIN_FAILURES_PER_ACCOUNT"] + "|" + app.config["LOGIN_FAILURES_PER_ADDRESS"])
"""
    out = (
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    per_account, per_address = out.split("|")
    return {"account": per_account, "address": per_address}


def _attack(port: int, attempts: list[tuple[str, str]], password: str) -> list[int]:
    """(email, client address) attempts with the wrong password, 8 at a time, each from a new browser."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda attempt: Browser(port, attempt[1]).log_in(attempt[0], password), attempts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--guesses", type=int, default=40, help="wrong passwords against one account")
    parser.add_argument("--port", type=int, default=8712)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sprint-bruteforce-"))
    env = _environment(folder, args.redis)
    limits = _prepare(env, students=60)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "3",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "sprint:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(300):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                probe.request("GET", "/healthz", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        print(
            f"gunicorn -w 3, Redis {args.redis}; limits: per account {limits['account']!r}, "
            f"per address {limits['address']!r}"
        )
        owner = Browser(args.port, "198.51.100.10")
        assert owner.log_in("student0@bench.example", PASSWORD) == 302
        owner.log_out()

        start = time.monotonic()
        one_account = _attack(
            args.port, [("student0@bench.example", f"203.0.113.{i % 250}") for i in range(args.guesses)], "wrong guess!"
        )
        seconds = time.monotonic() - start
        print(
            f"{args.guesses} wrong passwords for one account from {min(args.guesses, 250)} addresses in "
            f"{seconds:.1f} s: {one_account.count(400)} evaluated (400), {one_account.count(429)} refused (429), "
            f"other {len(one_account) - one_account.count(400) - one_account.count(429)}"
        )
        print(f"  the owner's own browser, right password: {owner.log_in('student0@bench.example', PASSWORD)}")
        print(
            f"  a new browser, right password: "
            f"{Browser(args.port, '198.51.100.11').log_in('student0@bench.example', PASSWORD)}"
        )

        spread = _attack(
            args.port, [(f"student{n}@bench.example", "203.0.113.251") for n in range(1, 41)], "wrong guess!"
        )
        print(
            f"40 wrong passwords for 40 accounts from one address: {spread.count(400)} evaluated (400), "
            f"{spread.count(429)} refused (429)"
        )

        campus = [Browser(args.port, "192.0.2.50").log_in(f"student{n}@bench.example", PASSWORD) for n in range(41, 51)]
        print(
            f"10 students behind one campus address, right passwords: {campus.count(302)} logged in, "
            f"{campus.count(429)} refused"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
