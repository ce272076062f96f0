"""Emails go through the outbox: rows in the caller's transaction, sent by jobs in batches."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from flask_mailman.backends.base import BaseEmailBackend

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    EmailStatus,
    MatchRun,
    OutboxEmail,
    Placement,
    Role,
    Season,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)
from sprint.services.matching import match_runs, publication_emails
from sprint.services.matching.match_runs import RunSettings
from sprint.services.support import jobs, outbox
from sprint.services.support.notify import send_email


class FakeSMTP(BaseEmailBackend):
    """A mail backend that counts connections and answers some recipients with an SMTP error."""

    opened = 0
    delivered: list[str] = []
    refuse: dict[str, tuple[int, bytes]] = {}  # recipient -> (code, text), answered once per attempt

    def open(self):
        type(self).opened += 1
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        for message in messages:
            (recipient,) = message.to
            if recipient in self.refuse:
                raise smtplib.SMTPRecipientsRefused({recipient: self.refuse[recipient]})
            self.delivered.append(recipient)
        return len(messages)


@pytest.fixture
def smtp(app, monkeypatch):
    monkeypatch.setattr(FakeSMTP, "opened", 0)
    monkeypatch.setattr(FakeSMTP, "delivered", [])
    monkeypatch.setattr(FakeSMTP, "refuse", {})
    monkeypatch.setattr(app.extensions["mailman"], "backend", FakeSMTP)
    return FakeSMTP


@pytest.fixture
def queued(app):
    """A queue that keeps jobs until the test runs them (a worker's view), instead of running them at once."""
    huey = jobs.jobs_of(app).huey
    huey.immediate = False
    yield huey
    huey.flush()
    huey.immediate = True


def _run_queued(huey) -> int:
    """Run every queued job, as a worker would; how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def _rows(**where) -> list[OutboxEmail]:
    db.session.expire_all()  # the senders wrote in sessions of their own
    query = db.select(OutboxEmail).filter_by(**where).order_by(OutboxEmail.id)
    return list(db.session.scalars(query))


def _email(to, program=None) -> None:
    send_email(to, "Hello", "sign_up_existing", program=program, user=None, login="https://x/l", reset="https://x/r")


def test_a_row_per_recipient_commits_with_the_work_and_a_rollback_sends_nothing(appctx, make, queued, smtp):
    program = make.program()

    _email(["a@example.org", "b@example.org"], db.session.get(type(program), program.id))
    db.session.rollback()

    assert _rows() == [] and queued.pending_count() == 0

    _email(["a@example.org", "b@example.org"], db.session.get(type(program), program.id))
    assert _rows() == []  # nothing written before the commit
    db.session.commit()

    rows = _rows()
    assert [row.recipient for row in rows] == ["a@example.org", "b@example.org"]
    assert {row.status for row in rows} == {EmailStatus.PENDING} and rows[0].program_id == program.id
    assert rows[0].subject == "[SPRINT] Hello" and "https://x/r" in rows[0].body
    assert queued.pending_count() == 1 and smtp.delivered == []  # one sender job queued, nothing sent yet

    _run_queued(queued)

    assert sorted(smtp.delivered) == ["a@example.org", "b@example.org"]
    assert all(row.status == EmailStatus.SENT and row.sent_at is not None for row in _rows())


def test_the_sender_sends_a_batch_over_one_connection(app, appctx, queued, smtp):
    app.config["OUTBOX_BATCH_SIZE"] = 50
    for n in range(30):
        _email(f"s{n}@example.org")
    db.session.commit()

    _run_queued(queued)

    assert len(smtp.delivered) == 30 and smtp.opened == 1
    assert len(_rows(status=EmailStatus.SENT)) == 30


def test_a_full_batch_queues_another_sender_so_workers_share_the_work(app, appctx, queued, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_BATCH_SIZE", 10)
    for n in range(25):
        _email(f"s{n}@example.org")
    db.session.commit()

    ran = _run_queued(queued)

    assert (ran, smtp.opened) == (3, 3)  # 10, 10 and 5: each batch its own job and connection
    assert sorted(smtp.delivered) == sorted(f"s{n}@example.org" for n in range(25))


def test_a_temporary_failure_waits_with_backoff_and_a_later_run_delivers_it_once(appctx, queued, smtp):
    smtp.refuse["later@example.org"] = (451, b"Greylisted, try again")
    _email(["later@example.org", "now@example.org"])
    db.session.commit()

    _run_queued(queued)

    (row,) = _rows(recipient="later@example.org")
    assert row.status == EmailStatus.PENDING and row.attempts == 1 and "451" in row.last_error
    assert timedelta(seconds=50) < row.next_attempt_at - utcnow() <= timedelta(minutes=1)
    assert smtp.delivered == ["now@example.org"]

    outbox.send_outbox()  # not due yet: nothing happens
    assert smtp.delivered == ["now@example.org"]

    del smtp.refuse["later@example.org"]
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    outbox.send_outbox()
    outbox.send_outbox()

    assert smtp.delivered == ["now@example.org", "later@example.org"]
    (row,) = _rows(recipient="later@example.org")
    assert row.status == EmailStatus.SENT and row.attempts == 2


def test_the_backoff_doubles_up_to_an_hour_and_too_many_attempts_fail():
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_last_allowed_attempt_marks_the_email_failed(app, appctx, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    smtp.refuse["later@example.org"] = (421, b"Busy")
    _email("later@example.org")
    db.session.commit()  # immediate mode: the first attempt happens now

    (row,) = _rows()
    row.next_attempt_at = utcnow()
    db.session.commit()
    outbox.send_outbox()

    (row,) = _rows()
    assert row.status == EmailStatus.FAILED and row.attempts == 2 and "421" in row.last_error


def test_a_mail_server_that_cannot_be_reached_leaves_every_email_pending(app, appctx, queued, monkeypatch):
    class Down(FakeSMTP):
        def open(self):
            raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(app.extensions["mailman"], "backend", Down)
    _email(["a@example.org", "b@example.org"])
    db.session.commit()

    _run_queued(queued)

    rows = _rows()
    assert [row.status for row in rows] == [EmailStatus.PENDING] * 2
    assert all(row.attempts == 1 and "refused" in row.last_error for row in rows)


def test_rows_left_sending_by_a_dead_sender_go_back_after_ten_minutes(appctx, queued, smtp):
    _email(["a@example.org", "b@example.org"])
    db.session.commit()
    first, second = outbox.claim_batch(10)
    first.claimed_at = utcnow() - timedelta(minutes=11)
    db.session.commit()

    assert outbox.release_stale() == 1

    assert db.session.get(OutboxEmail, first.id).status == EmailStatus.PENDING
    assert db.session.get(OutboxEmail, second.id).status == EmailStatus.SENDING


def test_two_concurrent_claims_never_get_the_same_row(app, appctx, queued):
    for n in range(200):
        _email(f"s{n}@example.org")
    db.session.commit()
    start = threading.Barrier(4)
    claimed: list[list[int]] = []

    def claim() -> None:
        with app.app_context():
            start.wait()
            while rows := outbox.claim_batch(7):
                claimed.append([row.id for row in rows])

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [row_id for batch in claimed for row_id in batch]
    assert len(ids) == len(set(ids)) == 200


def test_a_permanent_failure_is_failed_shown_to_the_coordinator_and_can_be_resent(app, client, login, make, smtp):
    program = make.program()
    coordinator = make.user(Role.COORDINATOR, program)
    smtp.refuse["gone@example.org"] = (550, b"No such user")
    with app.app_context():
        _email("gone@example.org", db.session.get(type(program), program.id))
        db.session.commit()
        (row,) = _rows()
        assert row.status == EmailStatus.FAILED and row.attempts == 1 and row.last_error == "550 No such user"
    login(coordinator)

    page = client.get("/coordinator/email").get_data(as_text=True)
    assert "gone@example.org" in page and "550 No such user" in page and "Resend" in page
    assert "/coordinator/email" in client.get("/coordinator/").get_data(as_text=True)

    del smtp.refuse["gone@example.org"]
    response = client.post(f"/coordinator/email/{row.id}/resend")

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(OutboxEmail, row.id).status == EmailStatus.SENT
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "email.resent")).object_id == row.id
    assert smtp.delivered == ["gone@example.org"]
    assert "Every email was delivered" in client.get("/coordinator/email").get_data(as_text=True)


def test_another_programs_coordinator_cannot_resend(app, client, login, make):
    program, other = make.program(), make.program(name="Other")
    with app.app_context():
        row = OutboxEmail(program_id=program.id, recipient="x@example.org", subject="S", template="t", body="B")
        row.status = EmailStatus.FAILED
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    login(make.user(Role.COORDINATOR, other))

    assert client.post(f"/coordinator/email/{row_id}/resend").status_code == 403
    assert "x@example.org" not in client.get("/coordinator/email").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutboxEmail, row_id).status == EmailStatus.FAILED


def test_the_administrator_sees_every_programs_failed_emails_and_resends_them(app, client, login, make, smtp):
    """Emails that belong to no program (an administrator's invitation) or to any program are the
    administrator's to see; coordinators never see them, students get no page at all."""
    program, other = make.program(), make.program(name="Other Partnership")
    with app.app_context():
        rows = [
            OutboxEmail(program_id=owner, recipient=to, subject="S", template="t", body="B", status=EmailStatus.FAILED)
            for owner, to in ((program.id, "a@example.org"), (other.id, "b@example.org"), (None, "c@example.org"))
        ]
        for row in rows:
            row.last_error = "550 No such user"
        db.session.add_all(rows)
        db.session.commit()
        ids = [row.id for row in rows]
    login(make.user(Role.COORDINATOR, program))
    coordinator_page = client.get("/coordinator/email").get_data(as_text=True)
    assert "a@example.org" in coordinator_page and "b@example.org" not in coordinator_page
    assert "c@example.org" not in coordinator_page and client.get("/admin/email").status_code == 403
    assert client.post(f"/coordinator/email/{ids[2]}/resend").status_code == 403
    client.post("/logout")
    login(make.user(Role.ADMIN))

    page = client.get("/admin/email").get_data(as_text=True)
    assert [f"{n}@example.org" in page for n in "abc"] == [True] * 3 and "Other Partnership" in page
    assert "none (installation)" in page and "/admin/email" in client.get("/admin/").get_data(as_text=True)
    assert client.post(f"/admin/email/{ids[1]}/resend").status_code == 302
    assert client.post("/admin/email/999999/resend").status_code == 404

    with app.app_context():
        assert db.session.get(OutboxEmail, ids[1]).status == EmailStatus.SENT
        assert db.session.get(OutboxEmail, ids[0]).status == EmailStatus.FAILED
    assert smtp.delivered == ["b@example.org"]


def test_a_resend_without_a_csrf_token_is_refused(app, make, login, client):
    program = make.program()
    with app.app_context():
        row = OutboxEmail(program_id=program.id, recipient="x@example.org", subject="S", template="t", body="B")
        row.status = EmailStatus.FAILED
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    login(make.user(Role.COORDINATOR, program))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/coordinator/email/{row_id}/resend")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert response.status_code == 400


def _season_of_many(app, small_season, queued, extra: int) -> int:
    """The small season with `extra` more students who all want position A, and a finished run of it."""
    with app.app_context():
        position_id = small_season.positions["A"].id
        for n in range(extra):
            user = User(
                email=f"many{n}@example.org", name=f"M {n}", role=Role.STUDENT, program_id=small_season.program.id
            )
            user.password_hash = "!"
            db.session.add_all([user, StudentProfile(user=user)])
            db.session.flush()
            application = Application(
                season_id=small_season.season.id,
                student_id=user.id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=utcnow(),
                ranks_certified_at=utcnow(),
            )
            application.ranks = [StudentRank(position_id=position_id, rank=1)]
            db.session.add(application)
        db.session.commit()
        coordinator = db.session.get(User, small_season.coordinator.id)
        run = match_runs.start_run(coordinator, db.session.get(Season, small_season.season.id), RunSettings())
        _run_queued(queued)  # the run itself, if it went on the queue
        assert db.session.get(MatchRun, run.id).status == "done"
        return run.id


def test_publishing_to_many_students_writes_no_email_in_the_request_and_each_once_afterwards(
    app, client, login, small_season, queued, smtp
):
    extra = 150
    run_id = _season_of_many(app, small_season, queued, extra)
    login(small_season.coordinator)

    response = client.post(f"/coordinator/runs/{run_id}/publish", data={"confirm": "y"})

    assert response.status_code == 302
    with app.app_context():
        assert _rows() == []  # the request commits the offers and a mark, nothing more
        run = db.session.get(MatchRun, run_id)
        assert run.emails_due_at is not None and run.emails_queued_at is None
        assert db.session.scalar(db.select(db.func.count(Placement.id))) >= 4
    assert queued.pending_count() == 1 and smtp.opened == 0

    _run_queued(queued)  # the emails job, then the senders it queues

    with app.app_context():
        rows = _rows()
        students = [row for row in rows if "match result" in row.subject and "results" in row.template]
        assert len(students) >= 7 + extra
        assert {row.status for row in rows} == {EmailStatus.SENT}
        run = db.session.get(MatchRun, run_id)
        assert run.emails_due_at is None and run.emails_queued_at is not None
        assert publication_emails.write(run_id) == 0  # a second job (queued twice) writes nothing
        assert publication_emails.write_overdue(utcnow() + timedelta(hours=1)) == 0
    assert len(smtp.delivered) == len(rows) == len(set(smtp.delivered))


def test_a_lost_emails_job_is_made_good_by_the_periodic_job_and_a_failed_one_leaves_them_due(
    app, client, login, small_season, queued, smtp, monkeypatch
):
    run_id = _season_of_many(app, small_season, queued, 3)
    login(small_season.coordinator)
    client.post(f"/coordinator/runs/{run_id}/publish", data={"confirm": "y"})
    queued.flush()  # the queue lost the job (a Redis flush, a crash before it was stored)

    with app.app_context():
        assert publication_emails.write_overdue() == 0  # not overdue yet: its job may still come

        def broken(*args, **kwargs):
            raise RuntimeError("the worker died while writing")

        monkeypatch.setattr(publication_emails, "send_email", broken)
        with pytest.raises(RuntimeError):
            publication_emails.write(run_id)
        db.session.rollback()
        monkeypatch.undo()
        assert _rows() == [] and db.session.get(MatchRun, run_id).emails_due_at is not None  # still due

        written = publication_emails.write_overdue(utcnow() + publication_emails.LOST_AFTER + timedelta(seconds=1))
        rows = _rows()
        students = [row.recipient for row in rows if row.template != "results_published_host"]
        assert written == len(rows) and len(students) == len(set(students)) == 7 + 3
        assert publication_emails.write_overdue(utcnow() + timedelta(hours=1)) == 0  # once only


def test_only_the_apps_own_sessions_write_queued_emails(appctx, queued):
    """The outbox hooks listen to the app's sessions, not to every SQLAlchemy session in the process
    (a benchmark's, a migration's, another library's)."""
    from sqlalchemy.orm import Session

    row = dict(program_id=None, recipient="x@example.org", subject="S", template="t", body="B")
    with Session(db.engine) as other:
        other.info[outbox.QUEUED_KEY] = [{**row, "status": EmailStatus.PENDING, "attempts": 0}]
        other.commit()

    assert _rows() == [] and queued.pending_count() == 0
