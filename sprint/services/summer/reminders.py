"""The summer's emails, written by a daily job and each sent once per placement (a SummerEmail row
records it, in the same commit as the outbox rows):

- at the position's start date, the host's members are asked to confirm the intern's start;
- when the end-of-internship forms open (see `windows`), the intern and the host's members are told,
  unless their form is already in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from huey import crontab

from ...extensions import db
from ...models import (
    HostMember,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    Season,
    SummerEmail,
    SummerNotice,
    User,
    utcnow,
)
from ..support import audit, jobs
from ..support.notify import send_email
from . import windows
from .forms_filled import evaluation_of, survey_of

SUMMER_PHASES = (Phase.PUBLISHED,)  # a closed season sends nothing more


@dataclass(frozen=True)
class SummerEmailCounts:
    start_nudges: int = 0
    end_forms: int = 0


def _placements(statuses) -> list[Placement]:
    return list(
        db.session.scalars(
            db.select(Placement)
            .join(Season, Season.id == Placement.season_id)
            .where(Season.phase.in_(SUMMER_PHASES), Placement.status.in_(statuses))
            .order_by(Placement.id)
        )
    )


def _sent(placement: Placement, kind: SummerNotice) -> bool:
    return db.session.scalar(db.select(SummerEmail.id).filter_by(placement_id=placement.id, kind=kind)) is not None


def _host_emails(placement: Placement) -> list[str]:
    return list(
        db.session.scalars(
            db.select(User.email)
            .join(HostMember, HostMember.user_id == User.id)
            .join(Position, Position.host_id == HostMember.host_id)
            .where(Position.id == placement.position_id, User.active.is_(True))
            .order_by(User.email)
        )
    )


def send_summer_emails(now: datetime | None = None) -> SummerEmailCounts:
    """Queue the day's start nudges and end-form notices that have not gone out yet; idempotent."""
    now = now or utcnow()
    starts = ends = 0
    for placement in _placements((PlacementStatus.ACCEPTED,)):
        if windows.today(placement, now) < placement.position.start_date or _sent(
            placement, SummerNotice.CONFIRM_START
        ):
            continue
        _send(placement, SummerNotice.CONFIRM_START, _host_emails(placement), "summer_confirm_start", now)
        starts += 1
    for placement in _placements((PlacementStatus.STARTED, *windows.ENDED)):
        if not windows.end_forms_open(placement, windows.today(placement, now)):
            continue
        if _sent(placement, SummerNotice.END_FORMS):
            continue
        if evaluation_of(placement) is None:
            _send(placement, None, _host_emails(placement), "summer_end_forms_host", now)
        if survey_of(placement) is None:
            _send(placement, None, [placement.student.email], "summer_end_forms_student", now)
        _record(placement, SummerNotice.END_FORMS, now)
        ends += 1
    db.session.commit()
    return SummerEmailCounts(starts, ends)


def _send(placement: Placement, kind: SummerNotice | None, to: list[str], template: str, now: datetime) -> None:
    subjects = {
        "summer_confirm_start": f"Please confirm {placement.student.name}'s start",
        "summer_end_forms_host": f"End-of-internship evaluation for {placement.student.name}",
        "summer_end_forms_student": _l("Your end-of-internship survey: %(title)s", title=placement.position.title),
    }
    locale = placement.student.locale if template.endswith("_student") else None
    if to:
        send_email(
            to, subjects[template], template, program=placement.season.program, locale=locale, placement=placement
        )
    if kind is not None:
        _record(placement, kind, now)


def _record(placement: Placement, kind: SummerNotice, now: datetime) -> None:
    db.session.add(SummerEmail(placement_id=placement.id, kind=kind, sent_at=now))
    audit.record(None, f"summer.email_{kind}", placement, program_id=placement.season.program_id, at=now)


def send_daily() -> SummerEmailCounts:
    return send_summer_emails()


JOBS = (jobs.Job("summer.send_emails", send_daily, every=crontab(minute="45", hour="13")),)  # daily, UTC (9:45 AM ET)
