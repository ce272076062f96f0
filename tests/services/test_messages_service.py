"""Messages between a host's team and an applicant: posting, read marks, the batched email, caps, closing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from sprint.extensions import db
from sprint.models import AuditEvent, Message, OutboxEmail, Phase, PositionInterest, Role, Season, User, utcnow
from sprint.services.errors import NotFound, ServiceError, StaleEdit, TooMany
from sprint.services.messages import email_digest, threads


@pytest.fixture
def talk(app, make):
    """A student who applied to one position of a host with two members, and a coordinator; a second program."""
    program, other_program = make.program(), make.program(name="Other")
    season = make.season(program)
    host, other_host = make.host(program, name="Elm Bio"), make.host(program, name="Harbor Labs")
    position = make.position(host, season, title="Lab intern")
    other_position = make.position(host, season, title="Data intern")
    student, other_student = make.user(Role.STUDENT, program, name="Ana"), make.user(Role.STUDENT, program)
    owner, member = make.member(host, name="Olga"), make.member(host, role="member", name="Max")
    outsider = make.member(other_host)
    coordinator = make.user(Role.COORDINATOR, program)
    other_coordinator = make.user(Role.COORDINATOR, other_program)
    make.application(season, student, position)
    with app.app_context():
        interest = db.session.scalar(db.select(PositionInterest).where(PositionInterest.position_id == position.id))
        interest.application.interests.append(PositionInterest(position_id=other_position.id, statement="Also"))
        db.session.commit()
        ids = sorted(i.id for i in interest.application.interests)  # Lab intern first: the relationship has no order
    return SimpleNamespace(
        season_id=season.id,
        interest_id=ids[0],
        second_interest_id=ids[1],
        **{
            name: user.id
            for name, user in dict(
                student=student,
                other_student=other_student,
                owner=owner,
                member=member,
                outsider=outsider,
                coordinator=coordinator,
                other_coordinator=other_coordinator,
            ).items()
        },
    )


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _interest(interest_id: int) -> PositionInterest:
    return db.session.get(PositionInterest, interest_id)


def _post(user_id: int, interest_id: int, text: str = "Hello") -> Message:
    return threads.post(_user(user_id), _interest(interest_id), text)


def test_either_side_writes_and_each_host_member_has_their_own_unread_count(appctx, talk):
    _post(talk.student, talk.interest_id, "Is the lab near a bus line?")
    _post(talk.student, talk.interest_id, "And is there parking?")

    assert threads.unread_total(_user(talk.owner)) == 2
    assert threads.unread_total(_user(talk.member)) == 2
    assert threads.unread_total(_user(talk.student)) == 0  # their own messages

    page = threads.open_thread(_user(talk.owner), _interest(talk.interest_id))
    _post(talk.owner, talk.interest_id, "Yes, the 212 stops outside.")

    assert [m.body for m in page.messages] == ["Is the lab near a bus line?", "And is there parking?"]
    assert threads.unread_total(_user(talk.owner)) == 0
    assert threads.unread_total(_user(talk.member)) == 2  # Max has not opened it
    assert threads.unread_total(_user(talk.student)) == 1
    row = threads.threads_of(_user(talk.member))[0]
    assert (row.unread, row.count, row.student.name) == (2, 3, "Ana")


def test_nobody_outside_the_thread_can_read_or_write_it(appctx, talk):
    _post(talk.student, talk.interest_id)

    for outsider in (talk.other_student, talk.outsider, talk.coordinator):
        with pytest.raises(NotFound):
            threads.open_thread(_user(outsider), _interest(talk.interest_id))
        with pytest.raises(NotFound):
            _post(outsider, talk.interest_id)
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("bad\x00byte", "U+0000"),
        ("bell\x07", "U+0007"),
        ("x" * 5001, "at most 5000 characters"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_written(appctx, talk, text, says):
    with pytest.raises(ServiceError) as refused:
        _post(talk.student, talk.interest_id, text)

    assert says in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_several_lines_and_5000_characters_are_accepted(appctx, talk):
    message = _post(talk.student, talk.interest_id, "Line one\nLine two\t" + "y" * 4980)

    assert message.body.startswith("Line one\nLine two")


def test_several_messages_make_one_email_per_recipient_and_never_a_second(appctx, talk):
    _post(talk.student, talk.interest_id, "One")
    _post(talk.student, talk.interest_id, "Two")
    _post(talk.student, talk.second_interest_id, "Three, about the other position")

    sent = email_digest.send_digests()
    again = email_digest.send_digests()

    emails = db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.recipient)).all()
    assert (sent, again) == (2, 0)
    assert sorted(e.recipient for e in emails) == sorted([_user(talk.owner).email, _user(talk.member).email])
    body = emails[0].body
    assert "Lab intern): 2 new messages" in body and "Data intern): 1 new message" in body
    assert "One" not in body and "Three" not in body  # the text stays in the app
    assert f"/company/messages/{talk.interest_id}" in body


def test_a_message_read_before_the_job_runs_is_not_emailed(appctx, talk):
    _post(talk.student, talk.interest_id, "One")
    threads.open_thread(_user(talk.owner), _interest(talk.interest_id))

    assert email_digest.send_digests() == 1

    assert [e.recipient for e in db.session.scalars(db.select(OutboxEmail))] == [_user(talk.member).email]


def test_the_students_email_lists_the_hosts_answers(appctx, talk):
    _post(talk.student, talk.interest_id, "One")
    email_digest.send_digests()
    db.session.execute(db.delete(OutboxEmail))
    _post(talk.owner, talk.interest_id, "Answer")
    _post(talk.member, talk.interest_id, "Another answer")

    assert email_digest.send_digests() == 1

    email = db.session.scalar(db.select(OutboxEmail))
    assert email.recipient == _user(talk.student).email
    assert "Lab intern, Elm Bio: 2 new messages" in email.body
    assert f"/student/messages/{talk.interest_id}" in email.body


def test_a_student_waits_for_an_answer_after_three_messages_in_a_row(appctx, talk):
    for n in range(3):
        _post(talk.student, talk.interest_id, f"Message {n}")

    with pytest.raises(ServiceError, match="3 messages in a row") as refused:
        _post(talk.student, talk.interest_id, "A fourth")
    db.session.rollback()
    _post(talk.member, talk.interest_id, "An answer")
    _post(talk.student, talk.interest_id, "Thanks!")

    assert not isinstance(refused.value, TooMany)
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 5


def test_no_one_sends_more_than_twenty_messages_an_hour(appctx, talk):
    for n in range(threads.PER_HOUR):
        _post(talk.owner, talk.interest_id if n % 2 else talk.second_interest_id, f"Note {n}")

    with pytest.raises(TooMany, match="20 messages in the last hour"):
        _post(talk.owner, talk.interest_id, "One too many")
    db.session.rollback()
    db.session.execute(db.update(Message).values(created_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    _post(talk.owner, talk.interest_id, "An hour later")


def test_a_closed_thread_takes_no_messages_and_the_close_is_audited(appctx, talk):
    thread_id = _post(talk.student, talk.interest_id).thread_id

    threads.close_thread(_user(talk.coordinator), thread_id, "Asked about rank intentions")

    with pytest.raises(ServiceError, match="closed this conversation"):
        _post(talk.owner, talk.interest_id, "Please rank us first")
    db.session.rollback()
    with pytest.raises(StaleEdit):
        threads.close_thread(_user(talk.coordinator), thread_id, "Again")
    db.session.rollback()
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "message_thread.closed"))
    assert event.details == {"reason": "Asked about rank intentions"} and event.object_id == thread_id
    assert threads.open_thread(_user(talk.student), _interest(talk.interest_id)).read_only


def test_a_close_needs_a_reason_and_the_coordinators_own_program(appctx, talk):
    thread_id = _post(talk.student, talk.interest_id).thread_id

    with pytest.raises(ServiceError, match="Say why"):
        threads.close_thread(_user(talk.coordinator), thread_id, "  ")
    db.session.rollback()
    with pytest.raises(NotFound):
        threads.close_thread(_user(talk.other_coordinator), thread_id, "Not mine")
    with pytest.raises(NotFound):
        threads.coordinator_thread(_user(talk.other_coordinator), thread_id)


def test_a_coordinator_reads_without_marking_it_read_and_the_read_is_audited(appctx, talk):
    thread_id = _post(talk.student, talk.interest_id, "Hello").thread_id
    _post(talk.owner, talk.interest_id, "Hi Ana")

    page = threads.coordinator_thread(_user(talk.coordinator), thread_id)

    assert [m.body for m in page.messages] == ["Hello", "Hi Ana"]
    assert threads.unread_total(_user(talk.member)) == 1 and threads.unread_total(_user(talk.student)) == 1
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["message.posted", "message.posted", "message_thread.read_by_coordinator"]
    listed = threads.program_threads(_user(talk.coordinator), status="open")
    assert [row.thread.id for row in listed.items] == [thread_id]
    assert threads.program_threads(_user(talk.coordinator), status="closed").items == []
    assert threads.program_threads(_user(talk.other_coordinator)).items == []


def test_the_audit_names_the_message_but_never_its_text(appctx, talk):
    message = _post(talk.student, talk.interest_id, "My phone number is 555-0100")

    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "message.posted"))

    assert (event.object_type, event.object_id) == ("Message", message.id)
    assert event.details == {"thread": message.thread_id}


def test_messages_are_read_only_once_the_season_is_closed(appctx, talk):
    _post(talk.student, talk.interest_id, "Before")
    for phase in (Phase.RANKING, Phase.MATCHING, Phase.PUBLISHED):
        db.session.get(Season, talk.season_id).phase = phase
        db.session.commit()
        _post(talk.owner, talk.interest_id, f"During {phase}")
    db.session.get(Season, talk.season_id).phase = Phase.CLOSED
    db.session.commit()

    with pytest.raises(ServiceError, match="season is closed"):
        _post(talk.student, talk.interest_id, "After")
    db.session.rollback()
    page = threads.open_thread(_user(talk.student), _interest(talk.interest_id))

    assert [m.body for m in page.messages][0] == "Before" and len(page.messages) == 4
    assert "season is closed" in page.read_only


def test_a_withdrawn_application_is_read_only(appctx, talk):
    _interest(talk.interest_id).withdrawn_at = utcnow()
    db.session.commit()

    with pytest.raises(ServiceError, match="withdrawn"):
        _post(talk.owner, talk.interest_id, "Still keen?")


def test_the_digest_runs_every_ten_minutes_as_a_job_of_the_app(app):
    from datetime import datetime

    from sprint.services.support import jobs

    (job,) = email_digest.JOBS

    assert "messages.email_digest" in jobs.jobs_of(app).tasks
    assert job.every(datetime(2027, 3, 1, 9, 10)) and job.every(datetime(2027, 3, 1, 9, 0))
    assert not job.every(datetime(2027, 3, 1, 9, 15))


def test_a_message_is_a_notification_for_the_other_side_read_when_the_thread_is_opened(appctx, talk):
    from sprint.models import Notification

    _post(talk.student, talk.interest_id, "Is there parking?")
    notices = db.session.scalars(db.select(Notification).where(Notification.kind == "message")).all()
    assert sorted(n.user_id for n in notices) == sorted([talk.owner, talk.member])  # not the author
    assert {n.link for n in notices} == {f"/company/messages/{talk.interest_id}"}

    _post(talk.student, talk.interest_id, "And a bike rack?")  # still unread: no second notice
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 2

    threads.open_thread(_user(talk.owner), _interest(talk.interest_id))
    read = {n.user_id: n.read_at for n in db.session.scalars(db.select(Notification))}
    assert read[talk.owner] is not None and read[talk.member] is None

    _post(talk.student, talk.interest_id, "Thanks!")  # Olga read hers: a new one; Max still has his
    owners = db.session.scalars(db.select(Notification).where(Notification.user_id == talk.owner)).all()
    assert [n.read_at is None for n in sorted(owners, key=lambda n: n.id)] == [False, True]
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 3


def test_the_batched_email_goes_only_to_those_who_want_message_emails_now(appctx, talk):
    from sprint.models import Notification
    from sprint.services.notifications import inbox

    inbox.set_choices(_user(talk.owner), {"message": "digest"})
    inbox.set_choices(_user(talk.member), {"message": "off"})
    _post(talk.student, talk.interest_id, "Is there parking?")
    assert email_digest.send_digests() == 0  # neither wants it now
    due = {n.user_id: n.digest_due for n in db.session.scalars(db.select(Notification))}
    assert due == {talk.owner: True, talk.member: False}  # Olga reads it in her daily digest

    _post(talk.owner, talk.interest_id, "Yes, by the door.")
    assert email_digest.send_digests() == 1  # Ana made no choice: now
    assert (
        db.session.scalar(db.select(OutboxEmail.recipient).order_by(OutboxEmail.id.desc())) == _user(talk.student).email
    )
