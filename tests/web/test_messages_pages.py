"""The message pages: both sides write, the menu counts unread, bad input and other people's ids, limits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sprint import create_app
from sprint.extensions import db, limiter
from sprint.models import AuditEvent, Message, MessageThread, PositionInterest, Role

PASSWORD = "correct horse battery"


@pytest.fixture
def pair(app, make):
    program, other_program = make.program(), make.program(name="Other")
    season = make.season(program)
    host = make.host(program, name="Elm Bio")
    position = make.position(host, season, title="Lab intern")
    people = SimpleNamespace(
        student=make.user(Role.STUDENT, program, name="Ana Diaz"),
        other_student=make.user(Role.STUDENT, program),
        owner=make.member(host, name="Olga"),
        member=make.member(host, role="member", name="Max"),
        other_host=make.member(make.host(program, name="Harbor Labs")),
        admin=make.user(Role.ADMIN),
        coordinator=make.user(Role.COORDINATOR, program),
        other_coordinator=make.user(Role.COORDINATOR, other_program),
    )
    make.application(season, people.student, position)
    with app.app_context():
        people.interest_id = db.session.scalar(
            db.select(PositionInterest.id).where(PositionInterest.position_id == position.id)
        )
    return people


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def _unread_badge(page: str) -> str | None:
    import re

    found = re.search(r'data-unread="(\d+)"', page)
    return found.group(1) if found else None


def test_a_student_writes_the_team_sees_it_in_the_menu_and_answers(app, pair):
    student, owner, member = (_client(app, p) for p in (pair.student, pair.owner, pair.member))

    sent = student.post(f"/student/messages/{pair.interest_id}", data={"body": "Is there parking?"})
    menu = owner.get("/company/").get_data(as_text=True)
    thread_page = owner.get(f"/company/messages/{pair.interest_id}").get_data(as_text=True)
    answered = owner.post(f"/company/messages/{pair.interest_id}", data={"body": "Yes, free parking."})

    assert sent.status_code == 302
    assert _unread_badge(menu) == "1"
    assert "Is there parking?" in thread_page and "how they will rank" in thread_page
    assert "coordinators can read" in thread_page
    assert answered.status_code == 302
    assert _unread_badge(owner.get("/company/").get_data(as_text=True)) is None  # read by Olga
    assert _unread_badge(member.get("/company/messages/").get_data(as_text=True)) == "1"  # Max has not
    assert _unread_badge(student.get("/student/").get_data(as_text=True)) == "1"
    page = student.get(f"/student/messages/{pair.interest_id}").get_data(as_text=True)
    assert "Yes, free parking." in page and "Olga · Elm Bio" in page
    assert _unread_badge(student.get("/student/messages/").get_data(as_text=True)) is None


def test_the_applicant_page_and_the_rank_list_link_to_the_thread(app, pair):
    host_page = _client(app, pair.owner).get(f"/company/applicants/{pair.student.id}").get_data(as_text=True)
    inbox = _client(app, pair.student).get("/student/messages/").get_data(as_text=True)

    assert f'href="/company/messages/{pair.interest_id}"' in host_page and "Write to Ana Diaz" in host_page
    assert f'href="/student/messages/{pair.interest_id}"' in inbox  # a student may write first


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("bad\x00byte", "U+0000"),
        ("x" * 5001, "at most 5000 characters"),
        ("", "empty one cannot be sent"),
    ],
)
def test_bad_input_is_refused_with_a_message(app, pair, body, says):
    response = _client(app, pair.student).post(f"/student/messages/{pair.interest_id}", data={"body": body})

    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_other_peoples_threads_are_not_found(app, pair):
    _client(app, pair.student).post(f"/student/messages/{pair.interest_id}", data={"body": "Hello"})
    with app.app_context():
        thread_id = db.session.scalar(db.select(MessageThread.id))

    assert _client(app, pair.other_student).get(f"/student/messages/{pair.interest_id}").status_code == 404
    assert (
        _client(app, pair.other_host).post(f"/company/messages/{pair.interest_id}", data={"body": "Hi"}).status_code
        == 404
    )
    assert _client(app, pair.other_coordinator).get(f"/coordinator/messages/{thread_id}").status_code == 404
    assert _client(app, pair.admin).get(f"/coordinator/messages/{thread_id}").status_code == 403
    assert _client(app, pair.admin).get(f"/company/messages/{pair.interest_id}").status_code == 403
    # liaisons: tests/web/test_access_matrix.py
    assert _client(app, pair.student).get("/student/messages/999999").status_code == 404


def test_a_coordinator_reads_filters_and_closes_a_thread(app, pair):
    _client(app, pair.student).post(f"/student/messages/{pair.interest_id}", data={"body": "Will you rank me first?"})
    coordinator = _client(app, pair.coordinator)
    with app.app_context():
        thread_id = db.session.scalar(db.select(MessageThread.id))

    listed = coordinator.get("/coordinator/messages/?status=open").get_data(as_text=True)
    shown = coordinator.get(f"/coordinator/messages/{thread_id}").get_data(as_text=True)
    no_reason = coordinator.post(f"/coordinator/messages/{thread_id}/close", data={"reason": ""})
    closed = coordinator.post(f"/coordinator/messages/{thread_id}/close", data={"reason": "Asked about ranks"})
    refused = _client(app, pair.owner).post(f"/company/messages/{pair.interest_id}", data={"body": "Yes we will"})

    assert f"/coordinator/messages/{thread_id}" in listed and "Ana Diaz" in listed
    assert "Will you rank me first?" in shown
    assert no_reason.status_code == 400
    assert closed.status_code == 302
    assert refused.status_code == 400 and "closed this conversation" in refused.get_data(as_text=True)
    assert "No conversations match" in coordinator.get("/coordinator/messages/?status=open").get_data(as_text=True)
    assert coordinator.get("/coordinator/messages/?season=abc").status_code == 400
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("message_thread.read_by_coordinator") >= 1 and "message_thread.closed" in actions


def test_the_service_cap_answers_429_and_the_in_a_row_rule_400(app, pair):
    student, owner = _client(app, pair.student), _client(app, pair.owner)
    for n in range(3):
        student.post(f"/student/messages/{pair.interest_id}", data={"body": f"Message {n}"})

    in_a_row = student.post(f"/student/messages/{pair.interest_id}", data={"body": "A fourth"})
    for n in range(17):
        owner.post(f"/company/messages/{pair.interest_id}", data={"body": f"Answer {n}"})
    too_many = owner.post(f"/company/messages/{pair.interest_id}", data={"body": "Answer 18"})

    assert in_a_row.status_code == 400 and "3 messages in a row" in in_a_row.get_data(as_text=True)
    assert too_many.status_code == 302  # 18 in the hour: still allowed
    for n in range(2):
        owner.post(f"/company/messages/{pair.interest_id}", data={"body": f"More {n}"})
    capped = owner.post(f"/company/messages/{pair.interest_id}", data={"body": "The 21st"})
    assert capped.status_code == 429 and "20 messages in the last hour" in capped.get_data(as_text=True)


@pytest.fixture
def limited(app):
    """A second app with Flask-Limiter on (the suite's app has it off) and a small allowance for posts."""
    limited_app = create_app(
        {
            **{
                key: app.config[key]
                for key in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "UPLOAD_FOLDER", "SERVER_NAME")
            },
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "QUEUE_URL": "immediate",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MESSAGES_POST_LIMIT": "2 per minute",
        }
    )
    yield limited_app
    with limited_app.app_context():
        limiter.reset()
        db.engine.dispose()
    limiter.enabled = False  # one limiter object serves every app in this process


def test_flask_limiter_stops_fast_posting_per_person(limited, pair):
    student = _client(limited, pair.student)
    owner = _client(limited, pair.owner)

    statuses = [
        student.post(f"/student/messages/{pair.interest_id}", data={"body": f"Hi {n}"}).status_code for n in range(3)
    ]
    slowed = student.post(f"/student/messages/{pair.interest_id}", data={"body": "Again"})
    other_person = owner.post(f"/company/messages/{pair.interest_id}", data={"body": "Hello"})
    still_reads = student.get(f"/student/messages/{pair.interest_id}")

    assert statuses[:2] == [302, 302] and statuses[2] == 429
    assert slowed.status_code == 429 and "sending messages too fast" in slowed.get_data(as_text=True)
    assert other_person.status_code == 302  # counted per person, not per address
    assert still_reads.status_code == 200
