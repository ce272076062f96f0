"""The audit log page: a program's events (and its shared colleges' history), filtered by person,
record type and dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ...extensions import db
from ...models import AuditEvent, User
from ..support.local_time import to_utc, zone
from .colleges import events_visible_to

PER_PAGE = 50


def filters_of(program_id: int) -> tuple[list[tuple[int, str]], list[str]]:
    """The people who acted and the record types that appear in the program's log."""
    people = db.session.execute(
        db.select(User.id, User.name)
        .join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(events_visible_to(program_id))
        .distinct()
        .order_by(User.name)
    )
    types = db.session.scalars(
        db.select(AuditEvent.object_type)
        .where(events_visible_to(program_id), AuditEvent.object_type != "")
        .distinct()
        .order_by(AuditEvent.object_type)
    )
    return list(people), list(types)


def events(
    program_id: int,
    actor_id: int | None = None,
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    tz: ZoneInfo | None = None,
) -> tuple[list[AuditEvent], int]:
    """One page of the events the program may see, newest first, and the number of pages; `since`
    and `until` are whole days in the program's zone `tz`."""
    tz = tz or zone(None)
    query = db.select(AuditEvent).where(events_visible_to(program_id))
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if since:
        query = query.where(AuditEvent.created_at >= to_utc(datetime.combine(since, time.min), tz))
    if until:
        query = query.where(AuditEvent.created_at < to_utc(datetime.combine(until + timedelta(days=1), time.min), tz))
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    )
    return list(rows), pages


@dataclass(frozen=True)
class Reason:
    """What someone said when they last acted on a record."""

    action: str
    text: str
    by: str
    at: datetime


def latest_reasons(object_type: str, ids: Iterable[int], actions: Iterable[str] = ()) -> dict[int, Reason]:
    """For each record, its latest event (of these actions) if that event came with a reason: what the
    coordinator is shown next to the record (a withdrawn position, a deactivated account, a published run)."""
    ids, actions = list(ids), list(actions)
    if not ids:
        return {}
    query = (
        db.select(AuditEvent.object_id, AuditEvent.action, AuditEvent.details, AuditEvent.created_at, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(ids))
    )
    if actions:
        query = query.where(AuditEvent.action.in_(actions))
    latest = {}
    for object_id, action, details, at, name in db.session.execute(
        query.order_by(AuditEvent.created_at, AuditEvent.id)
    ):
        latest[object_id] = Reason(action, (details or {}).get("reason") or "", name or "system", at)
    return {object_id: reason for object_id, reason in latest.items() if reason.text}


def history(object_type: str, object_id: int, actions: Iterable[str]) -> list[AuditEvent]:
    """A record's events of these kinds, newest first (a season's phase moves, with their reasons)."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == object_id,
                AuditEvent.action.in_(list(actions)),
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )
