"""Deadline notices: three days before each person's own deadline (the season's date, or their
extension when later), one notification per person per deadline.

- applications close: students of the program who have not submitted an application to the season;
- ranking closes: students who applied and host members with open positions; when their list is not
  certified (the student's, or any of the host's positions') the notice says so (kind NOT_CERTIFIED);
- an offer's answer is due: students holding an unanswered offer (a required kind: always emailed).

The key of each notice names the deadline's time, so an extension that moves it gives a new notice
three days before the new date, and the hourly job never repeats one. The daily reminder emails of
reminders.py email the "now" people about uncertified lists; these NOT_CERTIFIED notices therefore
add no email of their own for them (a digest person gets them in the digest)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    DeadlineExtension,
    ExtensionKind,
    HostMember,
    Notification,
    NotificationKind,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionStatus,
    Role,
    Season,
    User,
    utcnow,
)
from ..notifications.notify import notify, site_path
from ..support import jobs
from ..support.local_time import LocalWhen, format_when, zone_of
from .deadlines import PHASES_FOR, SEASON_DATE

AHEAD = timedelta(days=3)


def send_deadline_notices(now: datetime | None = None) -> int:
    """The job: every due notice of every season; how many notifications were written."""
    now = now or utcnow()
    seasons = db.session.scalars(
        db.select(Season).where(Season.phase.in_((Phase.APPLICATIONS, Phase.RANKING, Phase.PUBLISHED)))
    ).all()
    written = 0
    for season in seasons:
        extended = _extensions(season)
        sent = _sent_keys(season)
        for kind, people in _people(season).items():
            if Phase(season.phase) not in PHASES_FOR[kind] and not extended[kind]:
                continue
            for user, detail in people:
                deadline = _deadline(season, kind, user, detail, extended[kind])
                if (
                    deadline is None
                    or not now < deadline <= now + AHEAD
                    or (user.id, _key(season, kind, deadline)) in sent
                ):
                    continue
                written += _notice(season, kind, user, detail, deadline)
    db.session.commit()
    return written


JOBS = (jobs.Job("season.deadline_notices", send_deadline_notices, every=crontab(minute="15")),)


def _key(season: Season, kind: ExtensionKind, deadline: datetime) -> str:
    return f"deadline:{season.id}:{kind}:{deadline.isoformat(timespec='minutes')}"


def _sent_keys(season: Season) -> set[tuple[int, str]]:
    """The notices of this season written already (one query: the hourly job then skips them all)."""
    return set(
        db.session.execute(
            db.select(Notification.user_id, Notification.once_key).where(
                Notification.season_id == season.id, Notification.once_key.like(f"deadline:{season.id}:%")
            )
        ).all()
    )


def _extensions(season: Season) -> dict[ExtensionKind, dict[int, datetime]]:
    found: dict[ExtensionKind, dict[int, datetime]] = defaultdict(dict)
    for kind, user_id, until in db.session.execute(
        db.select(DeadlineExtension.kind, DeadlineExtension.user_id, DeadlineExtension.until).where(
            DeadlineExtension.season_id == season.id
        )
    ):
        found[ExtensionKind(kind)][user_id] = until
    return found


def _deadline(season, kind, user, detail, extended: dict[int, datetime]) -> datetime | None:
    own = getattr(season, SEASON_DATE[kind])
    if kind == ExtensionKind.OFFER and detail is not None and detail.response_deadline is not None:
        own = detail.response_deadline
    until = extended.get(user.id)
    return until if until is not None and (own is None or until > own) else own


def _people(season: Season) -> dict[ExtensionKind, list[tuple[User, object]]]:
    """Who each deadline concerns, with what the notice needs (uncertified: True/False; an offer: the placement)."""
    applications = {
        application.student_id: application
        for application in db.session.scalars(db.select(Application).where(Application.season_id == season.id))
    }
    students = db.session.scalars(
        db.select(User).where(User.program_id == season.program_id, User.role == Role.STUDENT, User.active.is_(True))
    ).all()
    not_submitted = [
        (student, None)
        for student in students
        if student.id not in applications or applications[student.id].status != ApplicationStatus.SUBMITTED
    ]
    ranking = [
        (student, applications[student.id].ranks_certified_at is None)
        for student in students
        if student.id in applications and applications[student.id].status == ApplicationStatus.SUBMITTED
    ]
    uncertified: dict[User, bool] = {}
    for user, certified_at in db.session.execute(
        db.select(User, Position.ranks_certified_at)
        .join(HostMember, HostMember.user_id == User.id)
        .join(Position, Position.host_id == HostMember.host_id)
        .where(Position.season_id == season.id, Position.status == PositionStatus.OPEN, User.active.is_(True))
    ):
        uncertified[user] = uncertified.get(user, False) or certified_at is None
    ranking += list(uncertified.items())
    offers = [
        (placement.student, placement)
        for placement in db.session.scalars(
            db.select(Placement)
            .where(Placement.season_id == season.id, Placement.status == PlacementStatus.OFFERED)
            .options(selectinload(Placement.student))
        )
        if placement.student.active
    ]
    return {ExtensionKind.APPLICATIONS: not_submitted, ExtensionKind.RANKING: ranking, ExtensionKind.OFFER: offers}


def _notice(season: Season, kind: ExtensionKind, user: User, detail, deadline: datetime) -> int:
    program = season.program
    host = user.role == Role.HOST
    # a student's notice formats its date when read, in the language they read then (LocalWhen)
    by = format_when(deadline, zone_of(program), True) if host else LocalWhen(deadline, zone_of(program).key)
    name = season.name
    if kind == ExtensionKind.APPLICATIONS:
        subject = _l("Applications to %(season)s close %(by)s", season=name, by=by)
        args = (NotificationKind.DEADLINE, subject, site_path("student.browse"))
    elif kind == ExtensionKind.RANKING and detail:
        args = (
            NotificationKind.NOT_CERTIFIED,
            f"Your rank lists are not certified: ranking closes {by}"
            if host
            else _l("Your rank list is not certified: ranking closes %(by)s", by=by),
            site_path("company.dashboard" if host else "student.ranks"),
        )
    elif kind == ExtensionKind.RANKING:
        args = (
            NotificationKind.DEADLINE,
            _l("Ranking for %(season)s closes %(by)s", season=name, by=by),
            site_path("company.dashboard" if host else "student.ranks"),
        )
    else:
        subject = _l("Answer your offer by %(by)s", by=by)
        args = (NotificationKind.OFFER_DEADLINE, subject, site_path("student.dashboard"))
    key = _key(season, kind, deadline)
    made = notify(
        user,
        *args,
        program=program,
        season=season,
        once_key=key,
        email_now=args[0] != NotificationKind.NOT_CERTIFIED,
    )
    return int(made is not None)
