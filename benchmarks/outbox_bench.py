"""Publish a run to a 5,000-student season and time the emails through the outbox to an SMTP sink.

    .venv/bin/python benchmarks/outbox_bench.py                    # 1 and 4 worker threads, then 10% 451s
    .venv/bin/python benchmarks/outbox_bench.py --students 1000 --scenarios 4

The sink is a small SMTP server written here (a separate process, a thread per connection) that
spends 50 ms on every message before it answers, as a real server does; with --refuse 0.1 it
answers 451 to one message in ten on its first attempt (a greylisting server) and accepts it the
next time. It logs every accepted message, so the benchmark counts deliveries and duplicates.

Each scenario starts from a copy of one built database (SQLite files in a temporary folder):
a season of N students with submitted lists, one member per host, and a finished stable run.
The coordinator publishes it through the Flask test client, exactly as the browser posts the
form ("publish request": it commits the offers; a job writes the emails into the outbox);
then a Huey consumer with 1 or 4 worker threads (and the scheduler,
whose every-minute job retries the refused messages) sends the outbox, and the clock stops when
the sink has the last message ("last delivered", from the publish click).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

# The sink: run in its own process (`--sink PORT LOG`), so it shares no interpreter lock with the app.


class _SMTPHandler(socketserver.StreamRequestHandler):
    delay = 0.05
    refuse = 0.0
    log: Path = Path("/dev/null")
    seen: set[str] = set()
    lock = threading.Lock()

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self._say("220 sink ready")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 sink")
            elif verb == "MAIL":
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                time.sleep(self.delay)
                self._deliver(recipients, body)
            elif verb == "RSET":
                recipients = []
                self._say("250 OK")
            elif verb == "NOOP":
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Not implemented")

    def _deliver(self, recipients: list[str], body: bytes) -> None:
        key = ",".join(recipients)
        digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        with self.lock:
            first_time = key not in self.seen
            self.seen.add(key)
        if first_time and digest < self.refuse:
            self._say("451 4.7.1 Greylisted, try again later")
            return
        with self.lock, self.log.open("a") as out:
            out.write(key + "\n")
        self._say("250 OK queued")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve_sink(port: int, log: str, delay: float, refuse: float) -> None:
    _SMTPHandler.delay, _SMTPHandler.refuse, _SMTPHandler.log = delay, refuse, Path(log)
    with _Server(("127.0.0.1", port), _SMTPHandler) as server:
        server.serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_sink(log: Path, delay: float, refuse: float) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    args = [sys.executable, __file__, "--sink", str(port), str(log), str(delay), str(refuse)]
    sink = subprocess.Popen(args)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


# The app


def _config(folder: Path, port: int) -> dict:
    return {
        "SECRET_KEY": "bench-secret-key-long-enough-0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.sqlite'}",
        "QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite'}",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RUNS_INLINE": True,
        "RUN_IN_WEB": False,  # production's layout: the workers (not the web process) do the queued work
        "SERVER_NAME": "sprint.bench",
    }


def _build(folder: Path, students: int) -> None:
    from sprint import create_app
    from sprint.extensions import db
    from sprint.models import (
        Application,
        ApplicationStatus,
        HostCompany,
        HostMember,
        HostRank,
        Phase,
        Position,
        PositionInterest,
        Program,
        Role,
        Season,
        StudentProfile,
        StudentRank,
        User,
        utcnow,
    )
    from sprint.services.matching import match_runs
    from sprint.services.matching.match_runs import RunSettings

    app = create_app(_config(folder, 25))
    now = utcnow()
    with app.app_context():
        db.create_all()
        program = Program(name="Bench", slug="bench", region="New Haven")
        db.session.add(program)
        db.session.flush()
        season = Season(
            program_id=program.id,
            year=2027,
            name="Summer 2027",
            phase=Phase.RANKING,
            applications_open_at=now - timedelta(days=20),
            applications_close_at=now - timedelta(days=1),
            ranking_close_at=now + timedelta(days=5),
            match_published_at=now + timedelta(days=6),
            offer_deadline_at=now + timedelta(days=14),
        )
        coordinator = User(email="coordinator@bench.org", name="Cora", role=Role.COORDINATOR, program=program)
        coordinator.set_password("bench-password-123")
        db.session.add_all([season, coordinator])
        db.session.flush()
        hosts = [
            HostCompany(program_id=program.id, name=f"Host {n}", sector="Biotech", site_town="New Haven", approved=True)
            for n in range(students // 20)
        ]
        db.session.add_all(hosts)
        db.session.flush()
        for n, host in enumerate(hosts):
            member = User(email=f"host{n}@bench.org", name=f"Member {n}", role=Role.HOST, program=program)
            member.password_hash = "!"
            db.session.add_all([member, HostMember(host=host, user=member, role="owner")])
        positions = [
            Position(
                host_id=host.id,
                season_id=season.id,
                title=f"Position {n}-{k}",
                slots=4,
                hourly_pay=Decimal("20.00"),
                hours_per_week=40,
                start_date=date(2027, 6, 1),
                end_date=date(2027, 8, 14),
                site_town="New Haven",
                ranks_certified_at=now,
            )
            for n, host in enumerate(hosts)
            for k in range(5)
        ]
        db.session.add_all(positions)
        db.session.flush()
        people = []
        for n in range(students):
            user = User(email=f"student{n}@bench.org", name=f"Student {n}", role=Role.STUDENT, program=program)
            user.password_hash = "!"
            people.append(user)
        db.session.add_all(people + [StudentProfile(user=user) for user in people])
        db.session.flush()
        for n, user in enumerate(people):
            chosen = [positions[(n * 7 + k * 13) % len(positions)] for k in range(3)]
            application = Application(
                season_id=season.id,
                student_id=user.id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now,
                ranks_certified_at=now,
            )
            application.interests = [PositionInterest(position_id=p.id) for p in chosen]
            application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(chosen, 1)]
            db.session.add(application)
            db.session.add_all(HostRank(position_id=p.id, student_id=user.id, rank=1 + n % 50) for p in chosen)
        db.session.commit()
        run = match_runs.start_run(coordinator, season, RunSettings())
        print(f"built: {students} students, {len(hosts)} hosts, {len(positions)} positions, run {run.status}")
        db.engine.dispose()


def _delivered(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def _scenario(template: Path, workers: int, refuse: float, delay: float, timeout: float) -> dict:
    from sprint import create_app
    from sprint.extensions import db
    from sprint.models import EmailStatus, MatchRun, OutboxEmail, Role, User
    from sprint.services.support import jobs

    folder = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    for part in template.glob("app.sqlite*"):  # the database and its write-ahead log
        shutil.copy(part, folder / part.name)
    log = folder / "delivered.log"
    sink, port = _start_sink(log, delay, refuse)
    try:
        app = create_app(_config(folder, port))
        client = app.test_client()
        client.post("/login", data={"email": "coordinator@bench.org", "password": "bench-password-123"})
        with app.app_context():
            run_id = db.session.scalar(db.select(MatchRun.id))
        started = time.perf_counter()
        response = client.post(f"/coordinator/runs/{run_id}/publish", data={"confirm": "y"})
        request_s = time.perf_counter() - started
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with app.app_context():  # the emails are written by a job: count whom they go to
            written_in_request = db.session.scalar(db.select(db.func.count(OutboxEmail.id)))
            total = db.session.scalar(db.select(db.func.count(User.id)).where(User.role != Role.COORDINATOR))
        consumer = jobs.jobs_of(app).huey.create_consumer(
            workers=workers, worker_type="thread", periodic=True, check_worker_health=False
        )
        consumer.start()
        try:
            while len(_delivered(log)) < total and time.perf_counter() - started < timeout:
                time.sleep(0.2)
            last_s = time.perf_counter() - started
        finally:
            consumer.stop(graceful=True)
        delivered = _delivered(log)
        with app.app_context():
            counts = dict(
                db.session.execute(db.select(OutboxEmail.status, db.func.count()).group_by(OutboxEmail.status)).all()
            )
            retried = db.session.scalar(db.select(db.func.count()).where(OutboxEmail.attempts > 1))
        return {
            "workers": workers,
            "refuse": refuse,
            "emails": total,
            "publish_request_s": round(request_s, 2),
            "written_in_request": written_in_request,
            "last_delivered_s": round(last_s, 1),
            "delivered": len(delivered),
            "duplicates": len(delivered) - len(set(delivered)),
            "retried": retried,
            "sent_rows": counts.get(EmailStatus.SENT, 0),
            "other_rows": {k: v for k, v in counts.items() if k != EmailStatus.SENT},
        }
    finally:
        sink.terminate()
        sink.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the sink spends on each message")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=["1", "4", "4:0.1"],
        help="worker threads, optionally :fraction refused with 451 on the first attempt",
    )
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    template = Path(tempfile.mkdtemp(prefix="outbox-bench-template-"))
    started = time.perf_counter()
    _build(template, args.students)
    print(f"build took {time.perf_counter() - started:.1f} s", flush=True)
    for scenario in args.scenarios:
        workers, _, refuse = scenario.partition(":")
        print(_scenario(template, int(workers), float(refuse or 0), args.delay, args.timeout), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--sink":
        _serve_sink(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    else:
        os.environ.pop("SPRINT_ENV", None)
        main()
