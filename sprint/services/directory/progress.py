"""A season's progress in numbers; each number matches a filtered directory list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ...extensions import db
from ...models import Application, ApplicationStatus, College, HostCompany, Position, PositionStatus, Season
from .directories import SHORT_LIST, hosts_query, ranked_counts


@dataclass(frozen=True)
class Progress:
    started: int
    submitted: int
    students_certified: int
    short_lists: int
    positions: int
    slots: int
    positions_certified: int
    positions_not_certified: int
    drafts: int
    hosts_not_ranked: int
    hosts_unapproved: int
    colleges_to_confirm: int
    per_host: list[dict]


def progress_of(season: Season) -> Progress:
    """Counts for the progress page in a fixed number of aggregate queries, whatever the data size."""
    ranked = ranked_counts()
    live = Application.status != ApplicationStatus.WITHDRAWN
    apps = db.session.execute(
        db.select(
            func.count(Application.id).filter(Application.status == ApplicationStatus.STARTED),
            func.count(Application.id).filter(Application.status == ApplicationStatus.SUBMITTED),
            func.count(Application.ranks_certified_at).filter(live),
            func.count(Application.id).filter(live, func.coalesce(ranked.c.ranked, 0) < SHORT_LIST),
        )
        .outerjoin(ranked, ranked.c.application_id == Application.id)
        .where(Application.season_id == season.id)
    ).one()
    is_open = Position.status == PositionStatus.OPEN
    positions = db.session.execute(
        db.select(
            func.count(Position.id).filter(is_open),
            func.coalesce(func.sum(Position.slots).filter(is_open), 0),
            func.count(Position.ranks_certified_at).filter(is_open),
            func.count(Position.id).filter(Position.status == PositionStatus.DRAFT),
        )
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Position.season_id == season.id, HostCompany.program_id == season.program_id)
    ).one()
    hosts = hosts_query(season.program_id, season, "with_positions").subquery()
    per_host = [dict(row) for row in db.session.execute(db.select(hosts)).mappings()]
    not_ranked = db.session.scalar(
        db.select(func.count()).select_from(
            hosts_query(season.program_id, season, "not_ranked").order_by(None).subquery()
        )
    )
    unapproved = db.session.scalar(
        db.select(func.count(HostCompany.id)).where(
            HostCompany.program_id == season.program_id, HostCompany.approved.is_(False)
        )
    )
    colleges = db.session.scalar(db.select(func.count(College.id)).where(College.confirmed.is_(False)))
    return Progress(
        started=apps[0],
        submitted=apps[1],
        students_certified=apps[2],
        short_lists=apps[3],
        positions=positions[0],
        slots=int(positions[1]),
        positions_certified=positions[2],
        positions_not_certified=positions[0] - positions[2],
        drafts=positions[3],
        hosts_not_ranked=not_ranked or 0,
        hosts_unapproved=unapproved or 0,
        colleges_to_confirm=colleges or 0,
        per_host=per_host,
    )
