"""Deadline reminders: the queue's scheduler runs `send_daily_reminders` every hour, and each season's
reminders go out once a day, from 9 AM in its program's time zone (`sprint send-reminders` sends
the day's reminders at once, by hand)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    HostCompany,
    HostMember,
    NotificationKind,
    Phase,
    Position,
    PositionStatus,
    Season,
    User,
    utcnow,
)
from ..notifications.notify import notify, site_path
from ..support import audit, jobs
from ..support.concurrency import lock_row
from ..support.local_time import format_when, to_local, to_utc, zone_of

REMINDER_HOUR = 9  # local time in the program's zone: reminders are not sent before this hour


@dataclass(frozen=True)
class ReminderCounts:
    seasons: int = 0
    students: int = 0
    host_members: int = 0


def send_deadline_reminders(within_days: int = 3, now: datetime | None = None, from_hour: int = 0) -> ReminderCounts:
    """Remind students with uncertified lists and hosts with uncertified positions, once a day per
    season (a day in the program's time zone), for seasons whose local time is `from_hour` or later.

    The record that today's reminders went out and the emails (outbox rows) commit together: a failed
    commit sends none (the next run sends them), and a run never sends the same day's reminders twice."""
    now = now or utcnow()
    seasons = list(
        db.session.scalars(
            db.select(Season).where(
                Season.phase.in_((Phase.APPLICATIONS, Phase.RANKING)),
                Season.ranking_close_at > now,
                Season.ranking_close_at <= now + timedelta(days=within_days),
            )
        )
    )
    to_students: list[dict] = []
    to_hosts: list[dict] = []
    done = 0
    for season in seasons:
        zone = zone_of(season.program)
        if to_local(now, zone).hour < from_hour:
            continue
        lock_row(Season, season.id)  # two schedulers at once: the second waits, then sees the record
        if _sent_today(season, now, zone):
            continue
        to_students += _student_reminders(season)
        to_hosts += _host_reminders(season)
        audit.record(None, "reminders.sent", season, program_id=season.program_id, at=now)
        done += 1
    for email in to_students + to_hosts:  # outbox rows, committed with the record or not at all
        _remind(**email)
    db.session.commit()
    return ReminderCounts(done, len(to_students), len(to_hosts))


def send_daily_reminders() -> ReminderCounts:
    """The periodic job (hourly): the day's reminders of every season where it is 9 AM or later."""
    return send_deadline_reminders(from_hour=REMINDER_HOUR)


JOBS = (jobs.Job("season.send_reminders", send_daily_reminders, every=crontab(minute="0")),)


def _remind(to: User, subject: str, template: str, program, link: str, **context) -> None:
    """A daily reminder email, if the person wants "rank list not certified" emails now (the list and
    the digest hold the one notice per deadline that deadline_notices.py writes)."""
    notify(
        to,
        NotificationKind.NOT_CERTIFIED,
        subject,
        link,
        program=program,
        email_template=template,
        record=False,
        **context,
    )


def _sent_today(season: Season, now: datetime, zone) -> bool:
    """Whether this season's reminders went out on the program's local day that holds `now`."""
    start = to_utc(to_local(now, zone).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None), zone)
    return (
        db.session.scalar(
            db.select(AuditEvent.id)
            .where(
                AuditEvent.action == "reminders.sent",
                AuditEvent.object_type == "Season",
                AuditEvent.object_id == season.id,
                AuditEvent.created_at >= start,
                AuditEvent.created_at < start + timedelta(days=1, hours=1),  # a day of 25 hours
            )
            .limit(1)
        )
        is not None
    )


def _student_reminders(season: Season) -> list[dict]:
    """The reminder email (send_email's arguments) for each student of the season with an uncertified list."""
    people = list(
        db.session.scalars(
            db.select(User)
            .join(Application, Application.student_id == User.id)
            .where(
                Application.season_id == season.id,
                Application.status == ApplicationStatus.SUBMITTED,
                Application.ranks_certified_at.is_(None),
                User.active.is_(True),
            )
        )
    )
    by = format_when(season.ranking_close_at, zone_of(season.program))
    return [
        dict(
            to=student,
            link=site_path("student.ranks"),
            subject=_l("Certify your rank list by %(deadline)s", deadline=by),
            template="reminder_student",
            student=student,
            season=season,
            program=season.program,
        )
        for student in people
    ]


def _host_reminders(season: Season) -> list[dict]:
    """The reminder email for each host member with an uncertified position in the season, naming them."""
    rows = db.session.execute(
        db.select(User, Position.title)
        .join(HostMember, HostMember.user_id == User.id)
        .join(HostCompany, HostCompany.id == HostMember.host_id)
        .join(Position, Position.host_id == HostCompany.id)
        .where(
            Position.season_id == season.id,
            Position.status == PositionStatus.OPEN,
            Position.ranks_certified_at.is_(None),
            User.active.is_(True),
        )
    )
    titles: dict[User, list[str]] = defaultdict(list)
    for user, title in rows:
        titles[user].append(title)
    by = format_when(season.ranking_close_at, zone_of(season.program))
    return [
        dict(
            to=user,
            link=site_path("company.dashboard"),
            subject=f"Rank your candidates by {by}",
            template="reminder_host",
            member=user,
            season=season,
            titles=sorted(names),
            program=season.program,
        )
        for user, names in titles.items()
    ]
