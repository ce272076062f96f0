"""The audit log page: a program's events (and its shared colleges' history), filtered by person,
record type and dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..extensions import db
from ..models import AuditEvent, User
from .colleges import events_visible_to
from .local_time import to_utc, zone

PER_PAGE = 50


def filters_of(program_id: int) -> tuple[list[tuple[int, str]], list[str]]:
    """The people who acted and the record types that appear in the program's log."""
    people = db.session.execute(
        db.select(User.id, User.name).join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(events_visible_to(program_id)).distinct().order_by(User.name))
    types = db.session.scalars(db.select(AuditEvent.object_type).where(
        events_visible_to(program_id), AuditEvent.object_type != "").distinct().order_by(AuditEvent.object_type))
    return list(people), list(types)


def events(program_id: int, actor_id: int | None = None, object_type: str = "", since: date | None = None,
           until: date | None = None, page: int = 1, tz: ZoneInfo | None = None) -> tuple[list[AuditEvent], int]:
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
    rows = db.session.scalars(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    return list(rows), pages
