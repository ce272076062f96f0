"""Calendars: the .ics of one interview (METHOD:REQUEST or CANCEL, a stable UID, SEQUENCE bumped at
each change, times in UTC) and each person's private feed of their interviews and season deadlines.

The feed's link carries a signed token of the user's id and `calendar_key`; "reset my calendar
link" bumps the key, so every older link stops working (an unknown or revoked token is a 404).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from ...extensions import db
from ...models import (
    Application,
    HostMember,
    Interview,
    InterviewFormat,
    InterviewSlot,
    Position,
    Role,
    Season,
    User,
    utcnow,
)
from ...models.interviews import HOLDS_SLOT
from ..accounts.tokens import make_token, peek_token
from ..support import audit

FEED = "calendar-feed"
FEED_AGE = 10 * 365 * 24 * 3600  # a feed link lasts until it is reset
PRODID = "-//SPRINT Placement//Interviews//EN"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def uid(interview: Interview) -> str:
    return f"interview-{interview.id}@sprint-placement"


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _location(slot: InterviewSlot) -> str:
    if slot.format == InterviewFormat.ONSITE:
        return slot.address
    if slot.format == InterviewFormat.VIDEO:
        return slot.link
    return "Phone call"


def _event(interview: Interview, slot: InterviewSlot, cancel: bool = False) -> Event:
    position = interview.position
    event = Event()
    event.add("uid", uid(interview))
    event.add("sequence", interview.sequence)
    event.add("dtstamp", _utc(utcnow()))
    event.add("dtstart", _utc(slot.starts_at))
    event.add("dtend", _utc(slot.ends_at))
    event.add("summary", f"Interview: {position.title} at {position.host.name}")
    event.add("location", _location(slot))
    if slot.format == InterviewFormat.VIDEO:
        event.add("url", slot.link)
    lines = [f"{slot.format_label} interview for {position.title} ({position.host.name})."]
    if slot.interviewer:
        lines.append(f"Interviewer: {slot.interviewer}")
    if slot.format == InterviewFormat.VIDEO:
        lines.append(f"Join: {slot.link}")
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{position.host.program.contact_email or 'noreply@sprint-placement'}")
    organizer.params["cn"] = vText(position.host.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{interview.student.email}")
    attendee.params["cn"] = vText(interview.student.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    return event


def invitation(interview: Interview, slot: InterviewSlot, cancel: bool = False) -> str:
    """The .ics emailed with a booking (REQUEST) or a cancellation (CANCEL) of one interview."""
    calendar = _calendar("CANCEL" if cancel else "REQUEST")
    calendar.add_component(_event(interview, slot, cancel))
    return calendar.to_ical().decode()


# The private feed -----------------------------------------------------------------------------------------


def feed_token(user: User) -> str:
    return make_token(FEED, {"u": user.id, "k": user.calendar_key})


def user_for_feed(token: str) -> User | None:
    """The feed's owner, or None for a forged, unknown or reset link (and for a deactivated account)."""
    payload = peek_token(FEED, token, FEED_AGE)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(User, payload["u"])
    if user is None or not user.active or payload.get("k") != user.calendar_key:
        return None
    return user


def reset_feed(user: User) -> None:
    """Every earlier feed link of this person stops working."""
    user.calendar_key += 1
    audit.record(user, "calendar.feed_reset", user)
    db.session.commit()


def _feed_interviews(user: User) -> list[Interview]:
    query = db.select(Interview).where(Interview.status.in_(HOLDS_SLOT), Interview.slot_id.is_not(None))
    if user.role == Role.STUDENT:
        query = query.where(Interview.student_id == user.id)
    elif user.role == Role.HOST and user.membership is not None:
        query = query.join(Position, Position.id == Interview.position_id).where(
            Position.host_id == user.membership.host_id
        )
    else:
        return []
    return list(db.session.scalars(query.order_by(Interview.id)))


def _feed_seasons(user: User) -> list[Season]:
    if user.role == Role.STUDENT:
        query = db.select(Season).join(Application, Application.season_id == Season.id)
        query = query.where(Application.student_id == user.id)
    elif user.role == Role.HOST:
        query = (
            db.select(Season)
            .join(Position, Position.season_id == Season.id)
            .join(HostMember, HostMember.host_id == Position.host_id)
            .where(HostMember.user_id == user.id)
        )
    else:
        return []
    return list(db.session.scalars(query.distinct().order_by(Season.id)))


DEADLINES = (
    ("applications_close_at", "Applications close"),
    ("ranking_close_at", "Ranking closes"),
    ("offer_deadline_at", "Offer deadline"),
)


def feed(user: User) -> str:
    """The person's calendar: their booked interviews and their seasons' deadlines."""
    calendar = _calendar()
    calendar.add("x-wr-calname", "SPRINT Placement")
    for interview in _feed_interviews(user):
        event = _event(interview, interview.slot)
        if user.role == Role.STUDENT:
            del event["attendee"]  # the student's own calendar: nothing more needed
        calendar.add_component(event)
    for season in _feed_seasons(user):
        for column, label in DEADLINES:
            at = getattr(season, column)
            if at is None:
                continue
            event = Event()
            event.add("uid", f"season-{season.id}-{column}@sprint-placement")
            event.add("dtstamp", _utc(utcnow()))
            event.add("dtstart", _utc(at))
            event.add("dtend", _utc(at + timedelta(minutes=15)))
            event.add("summary", f"{season.name}: {label}")
            calendar.add_component(event)
    return calendar.to_ical().decode()


__all__ = ["feed", "feed_token", "invitation", "reset_feed", "uid", "user_for_feed"]
