"""What became of each intern after the summer (StudentOutcome): recorded by a coordinator or the host,
imported from a CSV, or derived ("returned next summer") from a later season's placements.

One row per student, season of the internship and kind: recording the same kind again updates it, so
a form sent twice or a CSV imported twice leaves one row. The dashboards' "hired" figures read these.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from huey import crontab

from ...extensions import db
from ...models import (
    OutcomeKind,
    OutcomeSource,
    Placement,
    Position,
    Role,
    Season,
    StudentOutcome,
    User,
    utcnow,
)
from ...models.enums import ACCEPTED_PLACEMENTS, HOST_OUTCOMES
from ..errors import NotAllowed, NotFound
from ..market.outcome_rules import check, kind_choices, parse_wage  # noqa: F401 (re-exported to the views)
from ..support import audit, jobs


def may_record(actor: User, placement: Placement, kind: str | None = None) -> bool:
    """A coordinator of the placement's program; a member of its host for the host's kinds only."""
    program_id = placement.season.program_id
    if actor.role in (Role.COORDINATOR, Role.ADMIN):
        return actor.role == Role.ADMIN or actor.program_id == program_id
    if actor.role == Role.HOST:
        host = actor.host
        return host is not None and host.id == placement.position.host_id and (kind is None or kind in HOST_OUTCOMES)
    return False


def record(
    actor: User,
    placement: Placement,
    kind: str,
    occurred_on: date | None = None,
    hourly_wage: str | Decimal | None = None,
    employer: str = "",
    note: str = "",
    source: str = OutcomeSource.FORM,
) -> StudentOutcome:
    """Record (or update) one outcome of the student's internship; audited."""
    if not may_record(actor, placement, kind if kind in OutcomeKind.__members__.values() else None):
        raise NotAllowed("You may not record this outcome.")
    cleaned = check(placement, kind, occurred_on, hourly_wage, employer, note)
    if actor.role == Role.HOST and cleaned[0] not in HOST_OUTCOMES:
        raise NotAllowed("A host records only a hire or a return offer.")
    outcome = _upsert(actor, placement, *cleaned, occurred_on=occurred_on, source=source)
    db.session.commit()
    return outcome


def _upsert(
    actor: User | None,
    placement: Placement,
    kind: OutcomeKind,
    wage: Decimal | None,
    employer: str,
    note: str,
    occurred_on: date | None,
    source: str,
) -> StudentOutcome:
    """Add or update the row for (student, season, kind) and audit it; the caller commits."""
    outcome = _find(placement.student_id, placement.season_id, kind)
    created = outcome is None
    if created:
        outcome = StudentOutcome(
            program_id=placement.season.program_id,
            student_id=placement.student_id,
            season_id=placement.season_id,
            kind=kind,
        )
        db.session.add(outcome)
    outcome.placement_id = placement.id
    outcome.occurred_on, outcome.hourly_wage = occurred_on, wage
    outcome.employer, outcome.note, outcome.source = employer, note, source
    outcome.recorded_by_id = actor.id if actor else None
    outcome.updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "outcome.recorded" if created else "outcome.updated",
        outcome,
        program_id=outcome.program_id,
        student_id=outcome.student_id,
        season_id=outcome.season_id,
        kind=str(kind),
        source=str(source),
        hourly_wage=str(wage) if wage is not None else None,
    )
    return outcome


def _find(student_id: int, season_id: int, kind: str) -> StudentOutcome | None:
    return db.session.execute(
        db.select(StudentOutcome).filter_by(student_id=student_id, season_id=season_id, kind=kind)
    ).scalar_one_or_none()


def remove(actor: User, outcome: StudentOutcome) -> None:
    """Delete one recorded outcome; audited. A host removes only its own kinds for its interns."""
    placement = outcome.placement
    if placement is None:
        allowed = actor.role == Role.ADMIN or (
            actor.role == Role.COORDINATOR and actor.program_id == outcome.program_id
        )
    else:
        allowed = may_record(actor, placement, outcome.kind)
    if not allowed:
        raise NotAllowed("You may not remove this outcome.")
    audit.record(
        actor,
        "outcome.removed",
        outcome,
        program_id=outcome.program_id,
        student_id=outcome.student_id,
        season_id=outcome.season_id,
        kind=outcome.kind,
    )
    db.session.delete(outcome)
    db.session.commit()


def outcomes_of(student: User, season: Season | None = None) -> list[StudentOutcome]:
    """The student's recorded outcomes (of one season's internship, if given), newest season first."""
    query = db.select(StudentOutcome).join(Season).where(StudentOutcome.student_id == student.id)
    if season is not None:
        query = query.where(StudentOutcome.season_id == season.id)
    return list(db.session.execute(query.order_by(Season.year.desc(), StudentOutcome.kind)).scalars())


def outcome_in(program_id: int | None, outcome_id: int) -> StudentOutcome:
    """One outcome of the program, else NotFound (another program's id reveals nothing)."""
    outcome = db.session.get(StudentOutcome, outcome_id)
    if outcome is None or outcome.program_id != program_id:
        raise NotFound("There is no such outcome in your program.")
    return outcome


def placement_of_host(host_id: int, placement_id: int) -> Placement:
    """A placement at one of the host's positions, else NotFound (other hosts' ids reveal nothing)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or placement.position.host_id != host_id:
        raise NotFound("There is no such intern at your company.")
    return placement


def host_outcomes(host_id: int, season: Season) -> dict[int, list[StudentOutcome]]:
    """The hires and return offers recorded for the host's interns of the season, by placement id
    (a host sees only these kinds: what became of them elsewhere is the student's and the program's)."""
    found = db.session.execute(
        db.select(StudentOutcome)
        .join(Placement, Placement.id == StudentOutcome.placement_id)
        .join(Position, Position.id == Placement.position_id)
        .where(
            Position.host_id == host_id,
            StudentOutcome.season_id == season.id,
            StudentOutcome.kind.in_(HOST_OUTCOMES),
        )
        .order_by(StudentOutcome.kind)
    ).scalars()
    by_placement: dict[int, list[StudentOutcome]] = {}
    for outcome in found:
        by_placement.setdefault(outcome.placement_id, []).append(outcome)
    return by_placement


def derive_returned(season: Season, actor: User | None = None) -> int:
    """add_returned, committed: the coordinator's button and the daily job."""
    added = add_returned(season, actor)
    db.session.commit()
    return added


def add_returned(season: Season, actor: User | None = None) -> int:
    """For each student placed (accepted or completed) in `season` who was placed in an earlier season
    of the same program, a "returned next summer" outcome on that earlier season's internship (the
    latest one). Idempotent: run again, it finds the rows and adds none. Returns how many it added; the
    caller commits (the demo loader writes its seasons in one transaction)."""
    placed_now = db.select(Placement.student_id).where(
        Placement.season_id == season.id, Placement.status.in_(ACCEPTED_PLACEMENTS)
    )
    earlier = db.session.execute(
        db.select(Placement)
        .join(Season, Placement.season_id == Season.id)
        .where(
            Season.program_id == season.program_id,
            Season.year < season.year,
            Placement.status.in_(ACCEPTED_PLACEMENTS),
            Placement.student_id.in_(placed_now),
        )
        .order_by(Placement.student_id, Season.year.desc())
    ).scalars()
    latest: dict[int, Placement] = {}
    for placement in earlier:
        latest.setdefault(placement.student_id, placement)
    added = 0
    for placement in latest.values():
        if _find(placement.student_id, placement.season_id, OutcomeKind.RETURNED_NEXT_SUMMER) is not None:
            continue
        _upsert(
            actor,
            placement,
            OutcomeKind.RETURNED_NEXT_SUMMER,
            None,
            "",
            f"Placed again in {season.name}.",
            occurred_on=None,
            source=OutcomeSource.DERIVED,
        )
        added += 1
    return added


def derive_all_returned() -> int:
    """derive_returned for every season that has accepted placements (the daily job)."""
    seasons = db.session.execute(
        db.select(Season).where(
            Season.id.in_(db.select(Placement.season_id).where(Placement.status.in_(ACCEPTED_PLACEMENTS)))
        )
    ).scalars()
    return sum(derive_returned(season) for season in list(seasons))


JOBS = (jobs.Job("matching.derive_returned", derive_all_returned, every=crontab(minute="17", hour="6")),)  # daily, UTC
