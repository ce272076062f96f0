"""Interview scheduling: slots and series (across daylight saving), booking, moving before and after
the cut-off, one winner of two bookings of one slot, the .ics parsed back, feed links, the deadline."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    CandidateReview,
    Interview,
    InterviewSlot,
    OutboxEmail,
    Phase,
    Position,
    Role,
    Season,
    User,
    utcnow,
)
from sprint.services.errors import ServiceError, StaleEdit
from sprint.services.market import interview_calendar, interviews, rankings
from sprint.services.support.local_time import to_local, zone

sys.path.insert(0, str(Path(__file__).parents[1] / "security"))
from races import at_once  # noqa: E402

NY = zone("America/New_York")
VIDEO = interviews.SlotDetails(30, "video", link="https://meet.example.org/elm", interviewer="Dana")


@pytest.fixture
def market(app, make):
    program = make.program()
    season = make.season(program, phase=Phase.APPLICATIONS)
    host = make.host(program, name="Elm Bio")
    member = make.member(host, email="owner@elm.example")
    position = make.position(host, season, title="Lab intern")
    ana = make.user(Role.STUDENT, program, name="Ana Student")
    ben = make.user(Role.STUDENT, program, name="Ben Student")
    outsider = make.user(Role.STUDENT, program, name="Cy NotApplied")
    make.application(season, ana, position)
    make.application(season, ben, position)
    return program, season, host, member, position, ana, ben, outsider


def _get(model, row):
    return db.session.get(model, row.id)


def _set_season(season, **dates):
    row = db.session.get(Season, season.id)
    for name, value in dates.items():
        setattr(row, name, value)
    db.session.commit()


def _slot(member, position, days=3, hour=13, details=VIDEO):
    day = to_local(utcnow() + timedelta(days=days), NY).date()
    return interviews.add_slot(_get(User, member), _get(Position, position), day, time(hour, 0), details)


def test_a_tuesday_series_stays_at_1_pm_local_across_both_daylight_saving_changes(appctx, market):
    program, season, host, member, position, *_ = market
    _set_season(season, ranking_close_at=datetime(2027, 4, 30))
    owner, pos = _get(User, member), _get(Position, position)
    autumn = interviews.add_series(
        owner, pos, date(2026, 10, 20), date(2026, 11, 10), [1], time(13), time(14), VIDEO, now=datetime(2026, 10, 1)
    )
    spring = interviews.add_series(
        owner, pos, date(2027, 3, 1), date(2027, 3, 16), [1], time(13), time(14), VIDEO, now=datetime(2026, 10, 1)
    )
    assert len(autumn) == 4 * 2 and len(spring) == 3 * 2  # Tuesdays, two 30-minute slots from 1 to 2 pm
    for slot in autumn + spring:
        local = to_local(slot.starts_at, NY)
        assert local.weekday() == 1 and (local.hour, local.minute) in ((13, 0), (13, 30))
    utc_hours = sorted({s.starts_at.hour for s in autumn if s.starts_at.minute == 0})
    assert utc_hours == [17, 18]  # 1 pm EDT before Nov 1, 1 pm EST after
    assert {s.starts_at.hour for s in spring if s.starts_at.minute == 0} == {18, 17}
    assert (
        db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "interview.series_added"))
        == 2
    )


def test_the_host_page_groups_slots_by_local_day_and_names_shared_details_once(appctx, market):
    program, season, host, member, position, *_ = market
    _set_season(season, ranking_close_at=datetime(2027, 4, 30))
    owner, pos = _get(User, member), _get(Position, position)
    # Tuesday 1 and 3 Nov 2026, 7:00-8:00 pm: the 7:30 pm slot is already the next day in UTC
    interviews.add_series(
        owner, pos, date(2026, 11, 3), date(2026, 11, 5), [1, 3], time(19), time(20), VIDEO, now=datetime(2026, 10, 1)
    )
    phone = interviews.SlotDetails(20, "phone")
    interviews.add_slot(owner, pos, date(2026, 11, 5), time(9), phone, now=datetime(2026, 10, 1))

    days = interviews.for_position(pos).days
    assert [group.day for group in days] == [date(2026, 11, 3), date(2026, 11, 5)]
    tuesday, thursday = days
    assert len(tuesday.rows) == 2 and tuesday.free == 2
    assert tuesday.shared == "30 min, video call with Dana" and tuesday.place == "https://meet.example.org/elm"
    times = [interviews.describe_time(row.slot, False) for row in tuesday.rows]
    assert times == ["7:00\u202fPM EST", "7:30\u202fPM EST"]
    assert len(thursday.rows) == 3 and thursday.shared == ""  # a phone slot beside the video ones
    assert interviews.describe_time(thursday.rows[0].slot) == "9:00\u202fAM EST, 20 min, phone call"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(minutes=5), "from 10 to 240"),
        (dict(minutes=300), "from 10 to 240"),
        (dict(format_="onsite", address=""), "address"),
        (dict(format_="video", link="javascript:alert(1)"), "https://"),
        (dict(format_="video", link="https://x.example/\nBcc: y"), "one line"),
        (dict(format_="fax"), "on site, video or phone"),
    ],
)
def test_slot_details_are_checked(appctx, change, message):
    base = dict(minutes=30, format_="video", address="", link="https://meet.example.org/a", interviewer="")
    with pytest.raises(ServiceError, match=message):
        interviews.check_details(**{**base, **change})


def test_series_and_slots_are_refused_in_the_past_unordered_too_many_or_after_the_deadline(appctx, market):
    program, season, host, member, position, *_ = market
    owner, pos = _get(User, member), _get(Position, position)
    today = to_local(utcnow(), NY).date()
    with pytest.raises(ServiceError, match="past"):
        interviews.add_slot(owner, pos, today - timedelta(days=1), time(13), VIDEO)
    with pytest.raises(ServiceError, match="after its start"):
        interviews.add_series(owner, pos, today + timedelta(1), today + timedelta(8), [1], time(16), time(13), VIDEO)
    with pytest.raises(ServiceError, match="at most 200"):
        interviews.add_series(
            owner, pos, today + timedelta(1), today + timedelta(19), list(range(7)), time(8), time(18), VIDEO
        )
    with pytest.raises(ServiceError, match="ranking deadline"):
        interviews.add_slot(owner, pos, today + timedelta(days=40), time(13), VIDEO)
    assert db.session.scalar(db.select(db.func.count(InterviewSlot.id))) == 0


def test_only_applicants_of_the_position_are_invited_and_the_invitation_is_emailed(appctx, market):
    program, season, host, member, position, ana, ben, outsider = market
    owner, pos = _get(User, member), _get(Position, position)
    with pytest.raises(ServiceError, match="applied to this position"):
        interviews.invite(owner, pos, {ana.id, outsider.id})
    assert db.session.scalar(db.select(db.func.count(Interview.id))) == 0
    assert interviews.invite(owner, pos, {ana.id, ben.id}) == 2
    assert interviews.invite(owner, pos, {ana.id}) == 0  # already invited: unchanged
    emails = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.template == "interview_invitation")).all()
    assert sorted(e.recipient for e in emails) == sorted([ana.email, ben.email])


def test_an_invitation_is_a_notification_and_its_email_follows_the_students_choice(appctx, market):
    from sprint.models import Notification
    from sprint.services.notifications import inbox

    program, season, host, member, position, ana, ben, outsider = market
    inbox.set_choices(_get(User, ben), {"interview": "off"})
    interviews.invite(_get(User, member), _get(Position, position), {ana.id, ben.id})
    notices = db.session.scalars(db.select(Notification).where(Notification.kind == "interview")).all()
    assert sorted(n.user_id for n in notices) == sorted([ana.id, ben.id])
    assert {n.link for n in notices} == {"/student/interviews"}
    assert all(n.read_at is None for n in notices)
    emails = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.template == "interview_invitation")).all()
    assert [e.recipient for e in emails] == [ana.email]  # Ben chose no email for invitations: the list only


def _invited(market):
    program, season, host, member, position, ana, ben, outsider = market
    interviews.invite(_get(User, member), _get(Position, position), {ana.id, ben.id})
    return {s: db.session.scalar(db.select(Interview).where(Interview.student_id == s.id)) for s in (ana, ben)}


def _ics(email: OutboxEmail) -> Calendar:
    return Calendar.from_ical(email.attachment)


def test_booking_then_moving_emails_an_ics_with_one_uid_and_a_rising_sequence(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    first, second = _slot(member, position, days=3), _slot(member, position, days=4)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], first)
    interviews.book(_get(User, ana), _get(Interview, rows[ana]), _get(InterviewSlot, second))
    to_ana = db.session.scalars(
        db.select(OutboxEmail)
        .where(OutboxEmail.recipient == ana.email, OutboxEmail.template == "interview_update_student")
        .order_by(OutboxEmail.id)
    ).all()
    assert [e.attachment_name for e in to_ana] == ["invite.ics", "invite.ics"]
    booked, moved = (_ics(e) for e in to_ana)
    events = [next(iter(c.walk("VEVENT"))) for c in (booked, moved)]
    assert booked["METHOD"] == "REQUEST" and moved["METHOD"] == "REQUEST"
    assert events[0]["UID"] == events[1]["UID"] == f"interview-{rows[ana].id}@sprint-placement"
    assert events[1]["SEQUENCE"] > events[0]["SEQUENCE"]
    assert events[0].decoded("DTSTART").replace(tzinfo=None) == first.starts_at  # UTC, as stored
    assert events[1].decoded("DTSTART").replace(tzinfo=None) == second.starts_at
    assert str(events[1]["SUMMARY"]) == "Interview: Lab intern at Elm Bio"
    assert str(events[1]["LOCATION"]) == "https://meet.example.org/elm"
    assert "ben" not in moved.to_ical().decode().lower()  # nothing of another student
    team = db.session.scalar(
        db.select(OutboxEmail).where(
            OutboxEmail.recipient == "owner@elm.example", OutboxEmail.template == "interview_update"
        )
    )
    assert team is not None and team.attachment_name == "invite.ics"
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"interview.invited", "interview.booked", "interview.rescheduled"} <= actions


def test_moving_or_declining_after_the_cut_off_is_refused(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    soon, later = _slot(member, position, days=3), _slot(member, position, days=5)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], soon)
    after_cutoff = soon.starts_at - timedelta(hours=23)
    with pytest.raises(ServiceError, match="24 hours"):
        interviews.book(_get(User, ana), _get(Interview, rows[ana]), _get(InterviewSlot, later), now=after_cutoff)
    with pytest.raises(ServiceError, match="24 hours"):
        interviews.decline(_get(User, ana), _get(Interview, rows[ana]), now=after_cutoff)
    before_cutoff = soon.starts_at - timedelta(hours=25)
    interviews.book(_get(User, ana), _get(Interview, rows[ana]), _get(InterviewSlot, later), now=before_cutoff)
    assert _get(Interview, rows[ana]).slot_id == later.id


def test_a_taken_slot_cannot_be_booked_and_a_declined_one_frees_it(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], slot)
    with pytest.raises(StaleEdit):
        interviews.book(_get(User, ben), _get(Interview, rows[ben]), _get(InterviewSlot, slot))
    interviews.decline(_get(User, ana), _get(Interview, rows[ana]))
    cancel = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.attachment_name == "cancel.ics")).first()
    assert Calendar.from_ical(cancel.attachment)["METHOD"] == "CANCEL"
    interviews.book(_get(User, ben), _get(Interview, rows[ben]), _get(InterviewSlot, slot))
    assert _get(Interview, rows[ben]).status == "booked"


def test_two_students_booking_one_slot_at_once_exactly_one_wins(app, make, market):
    program, season, host, member, position, ana, ben, _ = market
    with app.app_context():
        slot = _slot(member, position)
        rows = {s.id: i.id for s, i in _invited(market).items()}
        slot_id = slot.id

    def booking(student_id):
        def go():
            with app.app_context():
                try:
                    interviews.book(
                        db.session.get(User, student_id),
                        db.session.get(Interview, rows[student_id]),
                        db.session.get(InterviewSlot, slot_id),
                    )
                    return "booked"
                except StaleEdit:
                    return "taken"
                finally:
                    db.session.remove()

        return go

    results = at_once([booking(ana.id), booking(ben.id)] * 3)  # each student from three tabs
    with app.app_context():
        holders = db.session.scalars(db.select(Interview).where(Interview.slot_id == slot_id)).all()
        assert len(holders) == 1
        assert results.count("booked") >= 1 and all(r in ("booked", "taken") for r in results), results
        winner = holders[0].student_id
        loser = ben.id if winner == ana.id else ana.id
        assert db.session.get(Interview, rows[loser]).status == "invited"


def test_cancelling_a_booked_slot_tells_the_student_and_frees_the_invitation(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], slot)
    assert interviews.remove_slot(_get(User, member), _get(InterviewSlot, slot)) == "cancelled"
    assert _get(Interview, rows[ana]).status == "invited"
    assert db.session.scalar(
        db.select(OutboxEmail).where(OutboxEmail.recipient == ana.email, OutboxEmail.attachment_name == "cancel.ics")
    )
    free = _slot(member, position, days=6)
    assert interviews.remove_slot(_get(User, member), free) == "deleted"


def test_done_sets_the_interviewed_mark_and_the_rank_page_filters_by_status(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], slot)
    with pytest.raises(ServiceError, match="once its time"):
        interviews.mark(_get(User, member), _get(Interview, rows[ana]), "done")
    interviews.mark(_get(User, member), _get(Interview, rows[ana]), "done", now=slot.starts_at + timedelta(hours=1))
    review = db.session.scalar(db.select(CandidateReview).where(CandidateReview.student_id == ana.id))
    assert review.interviewed is True
    page = rankings.rank_page(_get(Position, position), interview="done")
    assert [c.student.id for c in page.shown] == [ana.id] and page.shown[0].interviewed
    assert [c.student.id for c in rankings.rank_page(_get(Position, position), interview="invited").shown] == [ben.id]
    assert rankings.rank_page(_get(Position, position), interview="not_invited").shown == []


def test_interviews_close_with_the_ranking_deadline(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position)
    rows = _invited(market)
    _set_season(
        season, applications_close_at=utcnow() - timedelta(hours=1), ranking_close_at=utcnow() - timedelta(minutes=1)
    )
    with pytest.raises(ServiceError, match="closed"):
        interviews.book(_get(User, ana), _get(Interview, rows[ana]), _get(InterviewSlot, slot))
    with pytest.raises(ServiceError, match="ranking deadline"):
        interviews.invite(_get(User, member), _get(Position, position), {ana.id})
    with pytest.raises(ServiceError, match="ranking deadline"):
        _slot(member, position)
    assert _get(Interview, rows[ana]).slot_id is None


def test_the_reminder_goes_once_a_day_before(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position, days=3)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], slot)
    assert interviews.send_reminders(now=slot.starts_at - timedelta(hours=30)) == 0
    assert interviews.send_reminders(now=slot.starts_at - timedelta(hours=23)) == 1
    assert interviews.send_reminders(now=slot.starts_at - timedelta(hours=22)) == 0
    reminders = db.session.scalars(
        db.select(OutboxEmail).where(OutboxEmail.recipient == ana.email, OutboxEmail.subject.contains("Reminder"))
    ).all()
    assert len(reminders) == 1


def test_the_feed_lists_interviews_and_deadlines_and_a_reset_revokes_the_old_link(appctx, market):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], slot)
    old = interview_calendar.feed_token(_get(User, ana))
    assert interview_calendar.user_for_feed(old).id == ana.id
    feed = Calendar.from_ical(interview_calendar.feed(_get(User, ana)))
    summaries = sorted(str(e["SUMMARY"]) for e in feed.walk("VEVENT"))
    assert "Interview: Lab intern at Elm Bio" in summaries
    assert "Summer 2027: Ranking closes" in summaries and "Summer 2027: Offer deadline" in summaries
    ben_feed = interview_calendar.feed(_get(User, ben))
    assert "Interview:" not in ben_feed  # Ben booked nothing, and never sees Ana's booking
    host_feed = interview_calendar.feed(_get(User, member))
    assert "Interview: Lab intern" in host_feed
    interview_calendar.reset_feed(_get(User, ana))
    assert interview_calendar.user_for_feed(old) is None
    assert interview_calendar.user_for_feed(interview_calendar.feed_token(_get(User, ana))).id == ana.id
    assert interview_calendar.user_for_feed("forged") is None


def test_the_sent_email_carries_the_ics_as_a_calendar_attachment(appctx, market, outbox):
    program, season, host, member, position, ana, ben, _ = market
    slot = _slot(member, position)
    rows = _invited(market)
    interviews.book(_get(User, ana), rows[ana], slot)
    sent = [m for m in outbox if ana.email in m.to and "booked" in m.subject]
    assert len(sent) == 1
    (name, content, mimetype), *_ = sent[0].attachments
    assert name == "invite.ics" and mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    event = next(iter(Calendar.from_ical(content).walk("VEVENT")))
    assert event.decoded("DTSTART").replace(tzinfo=None) == slot.starts_at


def test_a_slot_is_described_in_the_readers_language(app, appctx, market):
    from flask_babel import force_locale

    program, season, host, member, position, *_ = market
    slot = _slot(member, position, days=3, hour=13)
    with app.test_request_context(), force_locale("es"):
        spanish = interviews.describe(db.session.get(InterviewSlot, slot.id))
    with app.test_request_context():
        english = interviews.describe(db.session.get(InterviewSlot, slot.id))
    assert "1:00 p.m." in spanish and "videollamada" in spanish and "min" in spanish
    assert "1:00 PM" in english and "video call" in english
