"""The second round on round-1 lists (the option beside vacancy rounds, until one is opened): match the
students left without a placement to the seats still open, on the rank lists of round 1.

Every live placement (offered, accepted, completed) stays frozen: its student is left out
of the market and its seat is taken. Declined and withdrawn placements free their seats.
A student who declined an offer is not offered another; a student whose placement was
withdrawn or cancelled takes part, but not for the same position again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    HostCompany,
    MatchRun,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionInterest,
    PositionSkill,
    PositionStatus,
    Season,
    StudentProfile,
    User,
    VacancyRound,
)
from ...models.people import student_skill
from ..errors import ServiceError
from . import match_runs
from .seats import market, second_round_market

SUGGESTIONS = 5


def start_second_round(actor: User, season: Season, settings: match_runs.RunSettings) -> MatchRun:
    """Queue a run of the remaining market: unplaced students and the seats left."""
    if season.phase != Phase.PUBLISHED or not match_runs.round_published(season.id, 1):
        raise ServiceError("A second round comes after the first round is published.")
    if match_runs.round_published(season.id, 2):
        raise ServiceError(f"The second round of {season.name} is already published; place remaining students by hand.")
    if db.session.scalar(db.select(VacancyRound.id).where(VacancyRound.season_id == season.id).limit(1)):
        raise ServiceError(f"{season.name} has vacancy rounds; the rounds after the first are run there.")
    left_out, _ = second_round_market(season)  # the job builds the market again as it starts
    ended = db.session.execute(  # never offer a student the same position twice
        db.select(Placement.student_id, Placement.position_id)
        .join(Position, Position.id == Placement.position_id)
        .where(
            Placement.season_id == season.id,
            Placement.status == PlacementStatus.WITHDRAWN,
            Position.status == PositionStatus.OPEN,
        )
    )
    chosen = {(student, position) for student, position, _ in settings.forbids}
    settings.forbids = [
        *settings.forbids,
        *(
            (student, position, "Their earlier placement there ended")
            for student, position in ended
            if student not in left_out and (student, position) not in chosen
        ),
    ]
    return match_runs.start_run(actor, season, settings, round_=2, exclude_students=left_out)


@dataclass(frozen=True)
class Suggestion:
    id: int
    name: str
    score: int  # skills in common
    applied: bool
    detail: str = ""


def suggestions(
    season: Season,
) -> tuple[dict[int, tuple[str, list[Suggestion]]], dict[int, tuple[str, int, list[Suggestion]]]]:
    """Per unmatched student, open positions by skills match; per open position, unmatched candidates."""
    placed, taken = market(season)
    students = {
        row.id: row.name
        for row in db.session.execute(
            db.select(User.id, User.name)
            .join(Application, Application.student_id == User.id)
            .where(Application.season_id == season.id, Application.status == ApplicationStatus.SUBMITTED)
            .order_by(User.name)
        )
        if row.id not in placed
    }
    positions = {
        row.id: (f"{row.title} ({row.name})", row.slots - taken.get(row.id, 0))
        for row in db.session.execute(
            db.select(Position.id, Position.title, Position.slots, HostCompany.name)
            .join(HostCompany, HostCompany.id == Position.host_id)
            .where(
                Position.season_id == season.id, Position.status == PositionStatus.OPEN, HostCompany.approved.is_(True)
            )
            .order_by(Position.title)
        )
        if row.slots - taken.get(row.id, 0) > 0
    }
    skills_of_student = _skill_sets(
        db.select(StudentProfile.user_id, student_skill.c.skill_id)
        .join(student_skill, student_skill.c.profile_id == StudentProfile.id)
        .where(StudentProfile.user_id.in_(students))
    )
    skills_of_position = _skill_sets(
        db.select(PositionSkill.position_id, PositionSkill.skill_id).where(PositionSkill.position_id.in_(positions))
    )
    applied = {
        (row.student_id, row.position_id)
        for row in db.session.execute(
            db.select(Application.student_id, PositionInterest.position_id)
            .join(PositionInterest, PositionInterest.application_id == Application.id)
            .where(Application.season_id == season.id, PositionInterest.withdrawn_at.is_(None))
        )
    }

    def score(sid: int, pid: int) -> tuple[int, bool]:
        return len(skills_of_student[sid] & skills_of_position[pid]), (sid, pid) in applied

    def best(pairs):
        return sorted(pairs, key=lambda item: (-item.score, not item.applied, item.name))[:SUGGESTIONS]

    per_student = {
        sid: (name, best(Suggestion(pid, label, *score(sid, pid)) for pid, (label, _) in positions.items()))
        for sid, name in students.items()
    }
    per_position = {
        pid: (label, seats, best(Suggestion(sid, name, *score(sid, pid)) for sid, name in students.items()))
        for pid, (label, seats) in positions.items()
    }
    return per_student, per_position


def _skill_sets(query) -> defaultdict[int, set[int]]:
    sets: defaultdict[int, set[int]] = defaultdict(set)
    for owner, skill in db.session.execute(query):
        sets[owner].add(skill)
    return sets


def open_seats(season: Season) -> int:
    """Seats left across the season's open positions."""
    _, taken = market(season)
    slots = db.session.execute(
        db.select(Position.id, Position.slots).where(
            Position.season_id == season.id, Position.status == PositionStatus.OPEN
        )
    ).all()
    return sum(max(row.slots - taken.get(row.id, 0), 0) for row in slots)
