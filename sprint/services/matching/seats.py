"""Who holds a live placement and which seats it takes: what a second round leaves out, and what its
publication checks has not changed since it ran."""

from __future__ import annotations

from collections import Counter

from ...extensions import db
from ...models import MatchRun, Placement, PlacementStatus, Position, Season
from ...models.enums import LIVE_PLACEMENTS
from ..errors import ServiceError


def market(season: Season) -> tuple[set[int], dict[int, int]]:
    """Students holding a live placement, and live placements per position."""
    rows = db.session.execute(
        db.select(Placement.student_id, Placement.position_id).where(
            Placement.season_id == season.id, Placement.status.in_(LIVE_PLACEMENTS)
        )
    ).all()
    return {row.student_id for row in rows}, dict(Counter(row.position_id for row in rows))


def second_round_market(season: Season) -> tuple[set[int], dict[int, int]]:
    """Whom a second round on round-1 lists leaves out (a live placement, or an offer declined or let
    expire: not offered another), and the seats live placements take per position."""
    placed, taken = market(season)
    declined = db.session.scalars(
        db.select(Placement.student_id).where(
            Placement.season_id == season.id,
            Placement.status.in_((PlacementStatus.DECLINED, PlacementStatus.EXPIRED)),  # expired counts as declined
        )
    )
    return placed | set(declined), taken


def check_market_unchanged(run: MatchRun) -> None:
    """Refuse to publish a second round whose students or seats were taken since it ran."""
    placed, taken = market(run.season)
    slots = dict(
        db.session.execute(db.select(Position.id, Position.slots).where(Position.season_id == run.season_id)).all()
    )
    wanted = Counter(a.position_id for a in run.assignments)
    if any(a.student_id in placed for a in run.assignments) or any(
        taken.get(pid, 0) + n > slots.get(pid, 0) for pid, n in wanted.items()
    ):
        raise ServiceError("Placements changed since this second-round run; start a new second-round run.")
