"""Notifications: each email choice (now, digest, off), the required kinds, the unread count and
marking read, the 3-day deadline notices (once per person per deadline, honouring extensions), and
the bulk messages' segments and sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from flask_babel import force_locale
from vacancy_world import open_vacancy_round

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    BulkMessage,
    College,
    DeadlineExtension,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxEmail,
    Phase,
    Placement,
    Position,
    Role,
    Season,
    User,
    utcnow,
)
from sprint.services.directory import bulk_messages
from sprint.services.errors import NotFound, ServiceError
from sprint.services.matching import vacancy_emails
from sprint.services.notifications import digest, inbox
from sprint.services.notifications.notify import notify, shown_subject
from sprint.services.season import deadline_notices, reminders
from sprint.services.support import local_time


def _emails_to(user: User) -> list[OutboxEmail]:
    return list(db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.recipient == user.email)))


def _choose(user: User, **choices: str) -> None:
    inbox.set_choices(db.session.get(User, user.id), choices)


@pytest.fixture
def person(app, make):
    program = make.program()
    student = make.user(Role.STUDENT, program)
    with app.app_context():
        yield db.session.get(User, student.id)


def _notify(
    user: User, kind=NotificationKind.DEADLINE, subject: str = "Applications close Friday"
) -> Notification | None:
    made = notify(user, kind, subject, "/student/", program=user.program)
    db.session.commit()
    return made


def test_email_now_sends_one_email_and_lists_the_notification(person):
    _notify(person)

    emails = _emails_to(person)
    assert len(emails) == 1 and "Applications close Friday" in emails[0].body
    assert "http://" in emails[0].body and "/student/" in emails[0].body
    assert inbox.unread_count(person) == 1


def test_digest_sends_nothing_until_the_digest_job_then_one_email_with_every_item_once(person):
    _choose(person, deadline="digest", bulk="digest")

    _notify(person, subject="Applications close Friday")
    _notify(person, NotificationKind.BULK, subject="Bring your ID on day one")
    assert _emails_to(person) == []

    assert digest.send_digests() == 1
    assert digest.send_digests() == 0  # once

    emails = _emails_to(person)
    assert len(emails) == 1 and "2 notifications" in emails[0].subject
    assert "Applications close Friday" in emails[0].body and "Bring your ID on day one" in emails[0].body
    rows = db.session.scalars(db.select(Notification).where(Notification.user_id == person.id)).all()
    assert all(row.emailed_at is not None and not row.digest_due for row in rows)


def test_off_sends_no_email_but_lists_the_notification(person):
    _choose(person, deadline="off")

    _notify(person)
    digest.send_digests()

    assert _emails_to(person) == []
    assert inbox.unread_count(person) == 1


def test_required_kinds_are_always_emailed_and_cannot_be_switched_off(person):
    _choose(person, bulk="off")

    with pytest.raises(ServiceError):
        inbox.set_choices(person, {"offer": "off"})
    db.session.rollback()
    notify(person, NotificationKind.OFFER, "Answer your offer", "/student/", program=person.program)
    notify(person, NotificationKind.BULK, "Orientation is mandatory", "/", program=person.program, required=True)
    notify(person, NotificationKind.BULK, "A newsletter", "/", program=person.program)
    db.session.commit()

    assert sorted(email.subject for email in _emails_to(person)) == [
        "[SPRINT] Answer your offer",
        "[SPRINT] Orientation is mandatory",
    ]


def test_a_bad_choice_is_refused(person):
    with pytest.raises(ServiceError):
        inbox.set_choices(person, {"deadline": "sometimes"})


def test_unread_count_and_marking_read_one_and_all(app, make, person):
    first, second, third = (_notify(person, subject=f"Notice {n}") for n in range(3))
    other = make.user(Role.STUDENT, person.program)

    inbox.mark_read(person, first.id)
    assert inbox.unread_count(person) == 2
    with pytest.raises(NotFound):
        inbox.mark_read(db.session.get(User, other.id), second.id)  # not theirs
    assert inbox.mark_all_read(person) == 2
    assert inbox.unread_count(person) == 0


def test_the_list_is_newest_first_and_paged(person):
    for n in range(5):
        made = _notify(person, subject=f"Notice {n}")
        made.created_at = utcnow() + timedelta(minutes=n)
    db.session.commit()

    page = inbox.page_of(person, 1, 2)

    assert [row[0].subject for row in page.items] == ["Notice 4", "Notice 3"]
    assert page.pages == 3


# --- deadline notices -------------------------------------------------------------------------


@pytest.fixture
def season_world(app, make):
    """A season whose applications close in 2 days: Ana has not applied, Ben applied (list not
    certified), a host member with an open uncertified position; ranking closes in 10 days."""
    program = make.program()
    season = make.season(program, phase=Phase.APPLICATIONS)
    host = make.host(program)
    make.position(host, season)
    ana, ben = make.user(Role.STUDENT, program, name="Ana"), make.user(Role.STUDENT, program, name="Ben")
    member = make.member(host)
    with app.app_context():
        row = db.session.get(Season, season.id)
        row.applications_close_at = utcnow() + timedelta(days=2)
        row.ranking_close_at = utcnow() + timedelta(days=10)
        db.session.add(
            Application(
                season_id=season.id, student_id=ben.id, status=ApplicationStatus.SUBMITTED, submitted_at=utcnow()
            )
        )
        db.session.commit()
        yield dict(season=row, ana=ana, ben=ben, member=member, program=program)


def _kinds(user: User) -> list[str]:
    return sorted(db.session.scalars(db.select(Notification.kind).where(Notification.user_id == user.id)))


def test_the_deadline_notice_goes_once_per_person_per_deadline(season_world):
    ana = season_world["ana"]

    assert deadline_notices.send_deadline_notices() == 1  # Ana only: Ben applied, ranking is far
    assert deadline_notices.send_deadline_notices() == 0
    assert deadline_notices.send_deadline_notices(now=utcnow() + timedelta(hours=30)) == 0

    assert _kinds(ana) == ["deadline"] and len(_emails_to(ana)) == 1
    assert _kinds(season_world["ben"]) == []


def test_an_extension_moves_the_notice_to_three_days_before_the_new_deadline(season_world):
    season, ana = season_world["season"], season_world["ana"]
    db.session.add(
        DeadlineExtension(
            season_id=season.id,
            user_id=ana.id,
            kind="applications",
            until=utcnow() + timedelta(days=6),
            reason="Sick",
        )
    )
    db.session.commit()

    assert deadline_notices.send_deadline_notices() == 0  # her deadline is 6 days away
    assert deadline_notices.send_deadline_notices(now=utcnow() + timedelta(days=3, hours=1)) == 1
    assert deadline_notices.send_deadline_notices(now=utcnow() + timedelta(days=4)) == 0

    subject = db.session.scalar(db.select(Notification.subject).where(Notification.user_id == ana.id))
    assert "close" in subject


def test_a_spanish_speaking_student_reads_the_notice_and_its_email_in_spanish(season_world):
    ana = season_world["ana"]
    db.session.get(User, ana.id).locale = "es"
    db.session.commit()

    assert deadline_notices.send_deadline_notices() == 1
    subject = db.session.scalar(db.select(Notification.subject).where(Notification.user_id == ana.id))
    assert subject.startswith(f"Las postulaciones a {season_world['season'].name} cierran el ")
    assert " p. m. " in subject or " a. m. " in subject or "p.m." in subject or "a.m." in subject
    (email,) = _emails_to(ana)
    assert "cierran" in email.subject and "Revísalo y actúa aquí:" in email.body


def test_a_notice_made_in_english_reads_in_spanish_once_the_student_switches(season_world):
    """The list translates a notice when it is shown, and formats its date in the reader's language."""
    season, ana = season_world["season"], season_world["ana"]
    assert deadline_notices.send_deadline_notices() == 1  # Ana reads English
    notice = db.session.scalar(db.select(Notification).where(Notification.user_id == ana.id))
    deadline = local_time.to_local(season.applications_close_at, local_time.zone_of(season.program))
    assert notice.subject.startswith(f"Applications to {season.name} close ")
    assert format_date(deadline, "medium", locale="en_US") in notice.subject

    with force_locale("es"):
        spanish = shown_subject(notice)
    with force_locale("en"):
        english = shown_subject(notice)
    assert spanish.startswith(f"Las postulaciones a {season.name} cierran el ")
    assert format_date(deadline, "medium", locale="es") in spanish
    assert english == notice.subject


def test_a_notice_without_a_message_shows_its_text_and_a_changed_message_falls_back(person):
    made = _notify(person, NotificationKind.BULK, subject="Bring your ID on day one")
    assert made.phrase is None
    with force_locale("es"):
        assert shown_subject(made) == "Bring your ID on day one"
    made.phrase, made.phrase_args = "Applications to %(season)s close %(by)s", {"season": "Summer"}  # no "by"
    with force_locale("es"):
        assert shown_subject(made) == "Bring your ID on day one"


def test_the_digest_is_in_the_language_the_student_reads_when_it_goes(season_world):
    ana = season_world["ana"]
    _choose(ana, deadline="digest")
    assert deadline_notices.send_deadline_notices() == 1  # made while Ana read English
    db.session.get(User, ana.id).locale = "es"
    db.session.commit()

    assert digest.send_digests() == 1
    (email,) = _emails_to(ana)
    assert email.subject == "[SPRINT] Tu resumen del día: 1 notificación"
    assert f"Las postulaciones a {season_world['season'].name} cierran el " in email.body
    assert "Applications to" not in email.body


def test_rank_lists_not_certified_are_noticed_as_ranking_closes(season_world):
    season = season_world["season"]
    season.phase = Phase.RANKING
    season.applications_close_at = utcnow() - timedelta(days=1)
    season.ranking_close_at = utcnow() + timedelta(days=2)
    db.session.commit()

    assert deadline_notices.send_deadline_notices() == 2
    assert deadline_notices.send_deadline_notices() == 0

    assert _kinds(season_world["ben"]) == ["not_certified"]
    assert _kinds(season_world["member"]) == ["not_certified"]
    assert _kinds(season_world["ana"]) == []  # she did not apply: nothing to rank


def test_an_offer_deadline_in_three_days_is_noticed_and_always_emailed(season_world, make):
    season, ben = season_world["season"], season_world["ben"]
    inbox.set_choices(ben, {"deadline": "off"})
    season.phase = Phase.PUBLISHED
    position = db.session.scalar(db.select(Position).where(Position.season_id == season.id))
    db.session.add(
        Placement(
            season_id=season.id,
            student_id=ben.id,
            position_id=position.id,
            response_deadline=utcnow() + timedelta(days=1),
        )
    )
    db.session.commit()

    deadline_notices.send_deadline_notices()

    assert _kinds(ben) == ["offer_deadline"]
    assert len(_emails_to(ben)) == 1


# --- bulk messages ------------------------------------------------------------------------------


@pytest.fixture
def segments_world(app, make):
    """A hand-built season: 4 students (2 at Gateway); 3 applied, 1 certified; 1 holds an offer;
    2 hosts with 3 members, one host's only position certified."""
    program = make.program()
    other_program = make.program(name="Other")
    season = make.season(program, phase=Phase.RANKING)
    ranked_host, unranked_host = make.host(program), make.host(program)
    ranked, unranked = make.position(ranked_host, season), make.position(unranked_host, season)
    students = [make.user(Role.STUDENT, program, name=f"Student {n}") for n in range(4)]
    make.user(Role.STUDENT, other_program)
    coordinator = make.user(Role.COORDINATOR, program)
    members = [make.member(ranked_host), make.member(unranked_host), make.member(unranked_host)]
    with app.app_context():
        college = College(name="Gateway CC", state="CT", kind="community")
        db.session.add(college)
        db.session.flush()
        for student in students[:2]:
            db.session.get(User, student.id).profile.college_id = college.id
        for n, student in enumerate(students[:3]):
            db.session.add(
                Application(
                    season_id=season.id,
                    student_id=student.id,
                    status=ApplicationStatus.SUBMITTED,
                    submitted_at=utcnow(),
                    ranks_certified_at=utcnow() if n == 0 else None,
                )
            )
        db.session.add(Placement(season_id=season.id, student_id=students[0].id, position_id=unranked.id))
        db.session.get(Position, ranked.id).ranks_certified_at = utcnow()
        db.session.commit()
        yield dict(
            season=db.session.get(Season, season.id),
            coordinator=db.session.get(User, coordinator.id),
            college=college,
            students=students,
            members=members,
        )


@pytest.mark.parametrize(
    ("segment", "count"),
    [
        ("uncertified", 2),
        ("hosts_not_ranked", 2),
        ("offers_unanswered", 1),
        ("college", 2),
        ("all_students", 3),
        ("all_hosts", 3),
    ],
)
def test_each_segment_counts_its_people(segments_world, segment, count):
    college_id = segments_world["college"].id if segment == "college" else None

    shown = bulk_messages.preview(segments_world["season"], segment, college_id, "Hello", "Body")

    assert shown.count == count and len(shown.names) == count


@pytest.mark.parametrize(
    ("subject", "body"),
    [("", "Body"), ("Two\nlines", "Body"), ("NUL\x00", "Body"), ("x" * 151, "Body"), ("Hi", ""), ("Hi", "a\x00b")],
)
def test_bad_messages_are_refused(segments_world, subject, body):
    with pytest.raises(ServiceError):
        bulk_messages.preview(segments_world["season"], "all_students", None, subject, body)


def test_a_message_is_sent_once_per_token_through_the_queue(segments_world):
    season, coordinator = segments_world["season"], segments_world["coordinator"]
    first_student = db.session.get(User, segments_world["students"][1].id)
    inbox.set_choices(first_student, {"bulk": "off"})

    message, new = bulk_messages.create_message(
        coordinator, season, "uncertified", None, "Certify today", "Please certify.", False, "tok-1"
    )
    again, twice = bulk_messages.create_message(
        coordinator, season, "uncertified", None, "Certify today", "Please certify.", False, "tok-1"
    )
    assert new and not twice and again.id == message.id
    bulk_messages.queue(message.id)  # the test queue runs it at once
    bulk_messages.queue(message.id)
    db.session.expire_all()

    rows = db.session.scalars(db.select(Notification).where(Notification.bulk_message_id == message.id)).all()
    assert len(rows) == 2
    assert db.session.get(BulkMessage, message.id).recipients == 2
    assert len(_emails_to(first_student)) == 0  # chose off
    assert len(_emails_to(db.session.get(User, segments_world["students"][2].id))) == 1


def test_another_programs_coordinator_cannot_message_the_season(segments_world, make):
    outsider = make.user(Role.COORDINATOR, make.program(name="Third"))

    with pytest.raises(NotFound):
        bulk_messages.create_message(
            db.session.get(User, outsider.id), segments_world["season"], "all_students", None, "Hi", "Body", False, "t"
        )


def test_preferences_are_saved_per_person(person):
    _choose(person, message="digest")

    saved = db.session.scalars(db.select(NotificationPreference).where(NotificationPreference.user_id == person.id))
    assert [(row.kind, row.choice) for row in saved] == [("message", "digest")]
    assert inbox.choices_of(person)["message"] == "digest" and inbox.choices_of(person)["bulk"] == "now"


# --- the existing senders honour the choice ----------------------------------------------------


def test_the_vacancy_round_opened_email_follows_each_students_choice(appctx, small_season):
    world = open_vacancy_round(small_season)
    quiet, *others = (db.session.get(User, student_id) for student_id in world.unmatched)
    inbox.set_choices(quiet, {"vacancy_round": "off"})

    vacancy_emails.send_round_emails()

    assert _kinds(quiet) == ["vacancy_round"] and _emails_to(quiet) == []
    for student in others:
        assert [email.template for email in _emails_to(student)] == ["vacancy_opened_student"]
        assert _kinds(student) == ["vacancy_round"]


def test_the_daily_rank_reminder_is_not_emailed_to_a_student_who_switched_it_off(season_world):
    season, ben = season_world["season"], season_world["ben"]
    season.ranking_close_at = utcnow() + timedelta(days=2)
    db.session.commit()
    inbox.set_choices(ben, {"not_certified": "off"})

    counts = reminders.send_deadline_reminders(within_days=3)

    assert counts.students == 1 and _emails_to(ben) == []
    assert [email.template for email in _emails_to(season_world["member"])] == ["reminder_host"]
