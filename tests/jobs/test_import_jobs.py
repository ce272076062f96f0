"""CSV imports as background jobs: upload, preview, confirm, the job, its progress page and status;
all or nothing, once per preview, only for the coordinator who imported, and again after a lost worker."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    College,
    ImportJob,
    ImportStatus,
    OutboxEmail,
    Role,
    StudentProfile,
    User,
    utcnow,
)
from sprint.services.directory import csv_import, csv_import_kinds, import_jobs
from sprint.services.support import jobs

STUDENTS = (
    "email,name,college,college_state,major,class_year\n"
    "ana@example.edu,Ana Rivera,Gateway Community College,CT,Biology,2028\n"
    "ben@example.edu,Ben Okafor,,,Chemistry,2027\n"
    "cara@example.edu,Cara Lin,Gateway Community College,CT,,\n"
    "dev@example.edu,Dev Patel,,,Physics,2029\n"
    "eli@example.edu,Eli Cohen,,,,\n"
)


@pytest.fixture
def coordinator(app, make):
    program = make.program()
    with app.app_context():
        db.session.add(College(name="Gateway Community College", state="CT", confirmed=True))
        db.session.commit()
    return make.user(Role.COORDINATOR, program), program


def _preview(client, content: str = STUDENTS, kind: str = "students"):
    return client.post(
        "/coordinator/import", data={"kind": kind, "season": 0, "file": (io.BytesIO(content.encode()), "s.csv")}
    )


def _payload(page) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def _job(app, job_id: int) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


def _job_id(response) -> int:
    return int(re.search(r"/coordinator/import/(\d+)$", response.location).group(1))


def test_an_import_goes_from_upload_to_done_in_a_job_and_its_page_and_status_say_so(
    app, client, login, coordinator, outbox, caplog
):
    user, program = coordinator
    login(user)

    preview = _preview(client)
    payload = _payload(preview)
    assert preview.status_code == 200 and "5 to add" in preview.get_data(as_text=True)
    assert len(payload) < 200  # the file stays on the server; the form posts its signed id
    assert _count(app, User, User.role == Role.STUDENT) == 0
    job_id = db_job = None
    with app.app_context():
        db_job = db.session.scalar(db.select(ImportJob))
        assert (db_job.status, db_job.rows_total, db_job.content) == ("previewed", 5, STUDENTS.encode())
        job_id = db_job.id

    confirmed = client.post("/coordinator/import/confirm", data={"payload": payload})

    assert confirmed.status_code == 302 and _job_id(confirmed) == job_id
    page = client.get(confirmed.location).get_data(as_text=True)
    assert "Imported students: 5 added, 0 updated, 0 already up to date." in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops refreshing itself
    status = client.get(f"/coordinator/import/{job_id}/status.json").get_json()
    assert status | {"id": 0} == {
        "id": 0,
        "kind": "students",
        "status": "done",
        "rows_total": 5,
        "rows_done": 5,
        "percent": 100,
        "new": 5,
        "changed": 0,
        "unchanged": 0,
        "error": "",
        "finished": True,
    }
    with app.app_context():
        ana = db.session.scalar(db.select(User).where(User.email == "ana@example.edu"))
        assert (ana.role, ana.program_id, ana.name) == (Role.STUDENT, program.id, "Ana Rivera")
        assert (ana.profile.college.name, ana.profile.major, ana.profile.class_year) == (
            "Gateway Community College",
            "Biology",
            2028,
        )
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.students"))
        assert event.details == {"new": 5, "changed": 0, "unchanged": 0} and event.actor_id == user.id
        assert db.session.get(ImportJob, job_id).content == b""  # the file is not kept once imported
    ana_email = next(message for message in outbox if message.to == ["ana@example.edu"])
    link = re.search(r"https?://\S+/reset-password/\S+", ana_email.body).group(0)
    with app.app_context():  # written once and merged: the same text as the template renders for Ana
        from sprint.models import Program
        from sprint.services.support.local_time import zone_of

        program_row = db.session.get(Program, program.id)
        expected = app.extensions["sprint.render_email"](
            "student_imported",
            program=program_row,
            time_zone=zone_of(program_row),
            user=ana,
            link=link,
            hours=app.config["PASSWORD_RESET_MAX_AGE_HOURS"],
        )
    assert ana_email.body.replace("\r\n", "\n").strip() == expected.replace("\r\n", "\n").strip()
    assert "Hello Ana Rivera," in ana_email.body
    assert "cannot be merged" not in caplog.text  # rendered once for all five, not five times
    assert sorted(message.to[0] for message in outbox) == [
        "ana@example.edu",
        "ben@example.edu",
        "cara@example.edu",
        "dev@example.edu",
        "eli@example.edu",
    ]


def test_a_running_import_shows_its_progress_and_refreshes_itself_without_javascript(app, client, login, coordinator):
    user, program = coordinator
    login(user)
    with app.app_context():
        job = ImportJob(
            program_id=program.id,
            actor_id=user.id,
            kind="students",
            content=b"x",
            digest="1" * 64,
            status=ImportStatus.RUNNING,
            rows_total=50_000,
            rows_done=12_000,
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id

    page = client.get(f"/coordinator/import/{job_id}").get_data(as_text=True)
    status = client.get(f"/coordinator/import/{job_id}/status.json").get_json()

    assert "12,000 of 50,000 rows written" in page and 'value="24"' in page
    assert '<noscript><meta http-equiv="refresh"' in page and "Reload this page" in page
    assert (status["status"], status["rows_done"], status["percent"], status["finished"]) == (
        "running",
        12_000,
        24,
        False,
    )


def test_an_imported_student_cannot_log_in_with_any_password_until_the_emailed_link(
    app, client, login, coordinator, outbox
):
    login(coordinator[0])
    client.post("/coordinator/import/confirm", data={"payload": _payload(_preview(client))})
    client.post("/logout")
    with app.app_context():
        ana = db.session.scalar(db.select(User).where(User.email == "ana@example.edu"))
        stored = ana.password_hash
        assert stored.startswith("!") and not ana.check_password(stored) and not ana.check_password("")
        others = db.session.scalars(db.select(User.password_hash).where(User.role == Role.STUDENT)).all()
        assert len(set(others)) == 5  # each account its own value, so each reset link is its own
    for guess in ("", stored, "correct horse battery", "!", stored[len("!unusable:") :]):
        refused = client.post("/login", data={"email": "ana@example.edu", "password": guess})
        assert refused.status_code != 302 or "/login" in refused.location

    link = re.search(r"https?://\S+/reset-password/\S+", next(m.body for m in outbox if m.to == ["ana@example.edu"]))
    path = link.group(0).split("sprint.test", 1)[1]
    new = "a long new password 42"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302

    logged_in = client.post("/login", data={"email": "ana@example.edu", "password": new})
    assert logged_in.status_code == 302 and "/login" not in logged_in.location
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "ana@example.edu")).check_password(new)


def test_a_row_gone_bad_before_the_job_runs_imports_nothing_and_the_job_says_why(app, client, login, make, coordinator):
    user, program = coordinator
    login(user)
    payload = _payload(_preview(client))
    make.user(Role.STUDENT, make.program(name="Other"), email="cara@example.edu")  # meanwhile, elsewhere

    confirmed = client.post("/coordinator/import/confirm", data={"payload": payload})

    job = _job(app, _job_id(confirmed))
    assert job.status == ImportStatus.FAILED
    assert "Nothing was imported" in job.error and "line 4" in job.error and "cara@example.edu" in job.error
    page = client.get(confirmed.location).get_data(as_text=True)
    assert "Nothing was imported" in page and "Upload the file again" in page
    assert _count(app, User, User.program_id == program.id, User.role == Role.STUDENT) == 0
    assert _count(app, AuditEvent, AuditEvent.action == "import.students") == 0


def test_a_failure_in_the_middle_of_the_writes_leaves_nothing_written(app, client, login, coordinator, monkeypatch):
    login(coordinator[0])
    monkeypatch.setattr(csv_import, "WRITE_CHUNK", 2)  # three batches: the failure comes in the second
    merge, calls = csv_import_kinds.send_emails_merged, []

    def flaky(messages, *args, **kwargs):
        calls.append([to for to, _ in messages])
        if len(calls) == 2:
            raise RuntimeError("mail template broke")
        return merge(messages, *args, **kwargs)

    monkeypatch.setattr(csv_import_kinds, "send_emails_merged", flaky)

    confirmed = client.post("/coordinator/import/confirm", data={"payload": _payload(_preview(client))})

    job = _job(app, _job_id(confirmed))
    assert job.status == ImportStatus.FAILED and "mail template broke" in job.error
    assert calls == [["ana@example.edu", "ben@example.edu"], ["cara@example.edu", "dev@example.edu"]]
    assert _count(app, User, User.role == Role.STUDENT) == 0 and _count(app, StudentProfile) == 0
    assert _count(app, OutboxEmail) == 0


def test_one_preview_confirmed_twice_imports_once(app, client, login, coordinator, outbox):
    login(coordinator[0])
    payload = _payload(_preview(client))

    first = client.post("/coordinator/import/confirm", data={"payload": payload})
    second = client.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)

    assert first.status_code == 302 and _job(app, _job_id(first)).status == ImportStatus.DONE
    assert "already imported" in second.get_data(as_text=True)
    assert _count(app, User, User.role == Role.STUDENT) == 5 and len(outbox) == 5
    assert _count(app, ImportJob) == 1


def test_another_coordinators_import_is_not_found(app, client, login, make, coordinator):
    user, program = coordinator
    login(user)
    job_id = _job_id(client.post("/coordinator/import/confirm", data={"payload": _payload(_preview(client))}))
    client.post("/logout")

    for other in (make.user(Role.COORDINATOR, program), make.user(Role.COORDINATOR, make.program(name="Other"))):
        visitor = app.test_client()
        assert visitor.post("/login", data={"email": other.email, "password": "correct horse battery"}).status_code
        assert visitor.get(f"/coordinator/import/{job_id}").status_code == 404
        assert visitor.get(f"/coordinator/import/{job_id}/status.json").status_code == 404
    assert client.get(f"/coordinator/import/{job_id + 1}").status_code in (302, 404)


def test_an_import_whose_worker_died_is_queued_again_and_imports_once(app, client, login, coordinator, outbox):
    login(coordinator[0])
    payload = _payload(_preview(client))
    huey = jobs.jobs_of(app).huey
    huey.immediate = False  # keep jobs as a worker would see them
    try:
        job_id = _job_id(client.post("/coordinator/import/confirm", data={"payload": payload}))
        assert [task.args for task in huey.pending() if task.name == import_jobs.RUN_JOB] == [(job_id,)]
        assert client.get(f"/coordinator/import/{job_id}/status.json").get_json()["status"] == "queued"
        with app.app_context():
            dead_claim = import_jobs.claim(job_id)  # a worker takes it ...
        huey.flush()  # ... and dies with its job: the row says running, nobody runs it
        assert _job(app, job_id).status == ImportStatus.RUNNING
        with app.app_context():
            lease = timedelta(seconds=import_jobs.LEASE_S)
            assert import_jobs.requeue_lost() == 0  # its lease has not run out
            assert import_jobs.requeue_lost(utcnow() + lease + timedelta(seconds=1)) == 1
            assert import_jobs.requeue_lost(utcnow() + lease + timedelta(seconds=1)) == 0  # its job waits now
        assert _job(app, job_id).status == ImportStatus.QUEUED
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
        with app.app_context():
            assert not import_jobs._end(job_id, dead_claim, ImportStatus.DONE)  # the dead attempt keeps nothing
            db.session.rollback()
        job = _job(app, job_id)
        assert (job.status, job.new, job.attempts) == (ImportStatus.DONE, 5, 2)
        assert _count(app, User, User.role == Role.STUDENT) == 5 and len(outbox) == 5
    finally:
        huey.flush()
        huey.immediate = True


def test_an_import_that_keeps_losing_its_worker_fails_with_a_reason(app, client, login, coordinator):
    login(coordinator[0])
    payload = _payload(_preview(client))
    huey = jobs.jobs_of(app).huey
    huey.immediate = False
    try:
        job_id = _job_id(client.post("/coordinator/import/confirm", data={"payload": payload}))
        later = utcnow()
        with app.app_context():
            for _ in range(import_jobs.MAX_ATTEMPTS):
                import_jobs.claim(job_id)
                later += timedelta(seconds=import_jobs.LEASE_S + 1)
                import_jobs.requeue_lost(later)
        job = _job(app, job_id)
        assert job.status == ImportStatus.FAILED and "stopped 3 times" in job.error
        assert _count(app, User, User.role == Role.STUDENT) == 0
    finally:
        huey.flush()
        huey.immediate = True


def test_the_job_reports_rows_written_on_a_connection_of_its_own(app, client, login, coordinator, monkeypatch):
    """PostgreSQL: another connection sees rows_done grow while the import's transaction is open.
    SQLite has one writer at a time: there the figure goes from 0 to the end."""
    login(coordinator[0])
    monkeypatch.setattr(csv_import, "WRITE_CHUNK", 2)
    app.config["IMPORT_PROGRESS_EVERY"] = 1
    seen: list[int] = []
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    write_new = csv_import_kinds.KINDS["students"].write_new

    def watched(context, rows):
        with engine.connect() as connection:
            seen.append(connection.execute(text("SELECT rows_done FROM import_job")).scalar())
            students = connection.execute(text("SELECT count(*) FROM \"user\" WHERE role = 'student'")).scalar()
            assert students == 0  # nothing is visible outside the import before it commits
        write_new(context, rows)

    monkeypatch.setitem(
        csv_import_kinds.KINDS,
        "students",
        dataclasses.replace(csv_import_kinds.KINDS["students"], write_new=watched),
    )
    try:
        job_id = _job_id(client.post("/coordinator/import/confirm", data={"payload": _payload(_preview(client))}))
    finally:
        app.config.pop("IMPORT_PROGRESS_EVERY")
        engine.dispose()

    assert _job(app, job_id).status == ImportStatus.DONE
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert seen == [0, 0, 0]
    else:
        assert seen == [0, 2, 4]
