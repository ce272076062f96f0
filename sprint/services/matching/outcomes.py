"""What a student sees after publication: their offer (if any), the solver's reasons and whom to contact."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...extensions import db
from ...models import HostMember, HostMemberRole, MatchRun, Placement, Season, User
from ...models.enums import LIVE_PLACEMENTS
from .adapter import readable_explanations, reasons_of


@dataclass
class StudentOutcome:
    placement: Placement | None
    published: bool
    explanation: list[tuple[int, list[str]]] = field(default_factory=list)  # (round, the solver's reasons)
    host_contacts: list[User] = field(default_factory=list)


def published_runs(season: Season) -> list[MatchRun]:
    return list(
        db.session.scalars(
            db.select(MatchRun)
            .where(MatchRun.season_id == season.id, MatchRun.published_at.is_not(None))
            .order_by(MatchRun.round)
        )
    )


def outcome_for(student: User, season: Season) -> StudentOutcome:
    """The student's published result in a season: their offer (if any) and the solver's explanation."""
    runs = published_runs(season)
    if not runs:
        return StudentOutcome(None, False)
    placement = db.session.scalar(
        db.select(Placement)
        .where(Placement.season_id == season.id, Placement.student_id == student.id)
        .order_by(Placement.status.in_(LIVE_PLACEMENTS).desc(), Placement.offered_at.desc())
        .limit(1)
    )
    key = f"s{student.id}"
    explanation = [(run.round, lines) for run in runs if (lines := readable_explanations(reasons_of(key, [run])))]
    contacts = []
    if placement is not None:
        contacts = list(
            db.session.scalars(
                db.select(User)
                .join(HostMember, HostMember.user_id == User.id)
                .where(HostMember.host_id == placement.position.host_id, HostMember.role == HostMemberRole.OWNER)
            )
        )
    return StudentOutcome(placement, True, explanation, contacts)
