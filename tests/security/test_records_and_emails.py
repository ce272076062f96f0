"""Findings 11, 12 and 13: email headers and batches, which host sees a student, private pages and file names."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_mailman import EmailMessage

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    EmailStatus,
    OutboxEmail,
    Phase,
    Placement,
    PlacementStatus,
    PositionInterest,
    Role,
    User,
    utcnow,
)
from sprint.services.market import profiles
from sprint.services.support import notify

PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_line_break_in_a_stored_title_does_not_break_the_application_email(app, outbox):
    title = "Lab\r\nBcc: x@evil.example intern"
    position = SimpleNamespace(title=title, host=SimpleNamespace(name="Elm Bio"), site_town="New Haven")
    with app.test_request_context():
        sent = notify.send_email(
            "ana@example.edu",
            f"Application received: {title}",
            "application_received",
            student=SimpleNamespace(name="Ana"),
            position=position,
            season=SimpleNamespace(name="Summer 2027", ranking_close_at=None),
            program=None,
        )
        db.session.commit()

    assert sent is True and outbox[0].subject == "[SPRINT] Application received: Lab Bcc: x@evil.example intern"
    assert outbox[0].bcc == []


def test_one_email_that_fails_does_not_stop_the_batch(app, monkeypatch, outbox):
    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if "broken@example.org" in message.to:
            raise ConnectionError("the mail server refused this one")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    with app.test_request_context():
        results = [
            notify.send_email(
                to, "Your result", "results_published_unmatched", user=None, season=None, round=1, program=None
            )
            for to in ("a@example.org", "broken@example.org", "c@example.org")
        ]
        db.session.commit()  # the sender runs after the commit (at once in the tests' queue)

        assert results == [True, True, True] and [m.to for m in outbox] == [["a@example.org"], ["c@example.org"]]
        broken = db.session.scalar(db.select(OutboxEmail).where(OutboxEmail.recipient == "broken@example.org"))
        assert broken.status == EmailStatus.PENDING and broken.attempts == 1  # tried again later


@pytest.fixture
def seasons_of_a_host(app, make):
    """A host with a closed 2026 season and a live 2027 one."""
    program = make.program()
    past, live = make.season(program, 2026, Phase.CLOSED), make.season(program, 2027, Phase.APPLICATIONS)
    host = make.host(program)
    return (
        program,
        past,
        live,
        host,
        make.member(host),
        make.position(host, past, title="2026 intern"),
        make.position(host, live, title="2027 intern"),
    )


def _student(app, make, program, season, position, status=ApplicationStatus.SUBMITTED):
    student = make.user(Role.STUDENT, program)
    with app.app_context():
        application = Application(
            season_id=season.id,
            student_id=student.id,
            status=status,
            submitted_at=utcnow() if status == ApplicationStatus.SUBMITTED else None,
        )
        application.interests = [PositionInterest(position_id=position.id, statement="Keen")]
        db.session.add(application)
        db.session.commit()
        profiles.save_resume(db.session.get(User, student.id), PDF, "cv.pdf")
    return student


def _sees(client, student) -> tuple[int, int]:
    with client.get(f"/resumes/{student.id}") as resume:
        return client.get(f"/company/applicants/{student.id}").status_code, resume.status_code


def test_a_host_sees_a_submitted_applicant_of_the_live_season(app, client, make, login, seasons_of_a_host):
    program, past, live, host, member, old, current = seasons_of_a_host
    student = _student(app, make, program, live, current)
    login(member)

    assert _sees(client, student) == (200, 200)


def test_a_host_no_longer_sees_a_past_seasons_applicant(app, client, make, login, seasons_of_a_host):
    program, past, live, host, member, old, current = seasons_of_a_host
    student = _student(app, make, program, past, old)
    login(member)

    assert _sees(client, student) == (404, 404)


def test_a_host_does_not_see_an_application_that_was_never_submitted(app, client, make, login, seasons_of_a_host):
    program, past, live, host, member, old, current = seasons_of_a_host
    student = _student(app, make, program, live, current, status=ApplicationStatus.STARTED)
    login(member)

    assert _sees(client, student) == (404, 404)


def test_a_host_keeps_seeing_its_own_intern_after_the_season(app, client, make, login, seasons_of_a_host):
    program, past, live, host, member, old, current = seasons_of_a_host
    student = _student(app, make, program, past, old)
    with app.app_context():
        db.session.add(
            Placement(
                season_id=past.id, student_id=student.id, position_id=old.id, round=1, status=PlacementStatus.COMPLETED
            )
        )
        db.session.commit()
    login(member)

    assert _sees(client, student) == (200, 200)


def test_pages_for_a_logged_in_person_and_resumes_are_never_cached(app, client, make, login, seasons_of_a_host):
    program, past, live, host, member, old, current = seasons_of_a_host
    student = _student(app, make, program, live, current)
    login(student)

    with client.get(f"/resumes/{student.id}") as resume, client.get("/static/css/sprint.css") as static:
        pages = [client.get("/student/profile"), resume, client.get("/invitation/bad")]

        assert [page.headers.get("Cache-Control") for page in pages] == ["no-store"] * 3
        assert static.headers.get("Cache-Control") != "no-store"


def test_an_uploaded_file_name_is_one_plain_line_in_the_page_and_the_download(app, client, make, login):
    student = make.user(Role.STUDENT, make.program())
    login(student)
    import io

    name = "<b onmouseover=alert(1)>\tcurrículum\x07.pdf"

    client.post("/student/resume", data={"resume": (io.BytesIO(PDF), name)})
    page = client.get("/student/profile").get_data(as_text=True)
    with client.get(f"/resumes/{student.id}") as download:
        disposition = download.headers["Content-Disposition"]

    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(1)&gt; currículum .pdf" in page
    assert download.status_code == 200 and "\n" not in disposition and "\r" not in disposition
    with app.app_context():
        assert db.session.get(User, student.id).profile.resume_name == "<b onmouseover=alert(1)> currículum .pdf"
