"""Read queries about programs and their seasons, for the role home pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ..extensions import db
from ..models import (Application, ApplicationStatus, Cycle, HostCompany, HostMember, Placement,
                      PlacementStatus, Position, PositionInterest, PositionStatus, Role, User)


def current_cycle(program_id: int | None) -> Cycle | None:
    """The program's latest season (the one being run now, or the last one)."""
    if program_id is None:
        return None
    return db.session.scalar(
        db.select(Cycle).where(Cycle.program_id == program_id).order_by(Cycle.year.desc()).limit(1))


@dataclass(frozen=True)
class CycleFigures:
    cycle: Cycle
    positions: int
    slots: int
    hosts: int
    applications: int
    submitted: int
    placed: int
    accepted: int


def cycle_figures(program_id: int) -> list[CycleFigures]:
    """Headline counts for every season of a program, newest first, in four queries."""
    cycles = list(db.session.scalars(
        db.select(Cycle).where(Cycle.program_id == program_id).order_by(Cycle.year.desc())))
    ids = [cycle.id for cycle in cycles]
    open_positions = (Position.cycle_id.in_(ids), Position.status != PositionStatus.WITHDRAWN)
    positions = {row.cycle_id: row for row in db.session.execute(
        db.select(Position.cycle_id, func.count(Position.id).label("n"),
                  func.coalesce(func.sum(Position.slots), 0).label("slots"),
                  func.count(Position.host_id.distinct()).label("hosts"))
        .where(*open_positions).group_by(Position.cycle_id))}
    applications = {row.cycle_id: row for row in db.session.execute(
        db.select(Application.cycle_id, func.count(Application.id).label("n"),
                  func.count(Application.submitted_at).label("submitted"))
        .where(Application.cycle_id.in_(ids), Application.status != ApplicationStatus.WITHDRAWN)
        .group_by(Application.cycle_id))}
    live = (PlacementStatus.OFFERED, PlacementStatus.ACCEPTED, PlacementStatus.COMPLETED)
    accepted = (PlacementStatus.ACCEPTED, PlacementStatus.COMPLETED)
    placements = {row.cycle_id: row for row in db.session.execute(
        db.select(Placement.cycle_id,
                  func.count(Placement.id).filter(Placement.status.in_(live)).label("placed"),
                  func.count(Placement.id).filter(Placement.status.in_(accepted)).label("accepted"))
        .where(Placement.cycle_id.in_(ids)).group_by(Placement.cycle_id))}
    return [CycleFigures(
        cycle=cycle,
        positions=getattr(positions.get(cycle.id), "n", 0),
        slots=getattr(positions.get(cycle.id), "slots", 0),
        hosts=getattr(positions.get(cycle.id), "hosts", 0),
        applications=getattr(applications.get(cycle.id), "n", 0),
        submitted=getattr(applications.get(cycle.id), "submitted", 0),
        placed=getattr(placements.get(cycle.id), "placed", 0),
        accepted=getattr(placements.get(cycle.id), "accepted", 0),
    ) for cycle in cycles]


def placements_of(student: User) -> list[Placement]:
    return list(db.session.scalars(
        db.select(Placement).where(Placement.student_id == student.id)
        .order_by(Placement.offered_at.desc())))


def open_positions_count(cycle: Cycle | None) -> int:
    if cycle is None:
        return 0
    return db.session.scalar(
        db.select(func.count(Position.id)).join(Position.host)
        .where(Position.cycle_id == cycle.id, Position.status == PositionStatus.OPEN,
               HostCompany.approved.is_(True))) or 0


@dataclass(frozen=True)
class HostPositionRow:
    position: Position
    applicants: int


def host_positions(host: HostCompany, cycle: Cycle | None) -> list[HostPositionRow]:
    """A host's positions in a cycle with how many students applied to each."""
    if cycle is None:
        return []
    applicants = (db.select(func.count(PositionInterest.id))
                  .where(PositionInterest.position_id == Position.id,
                         PositionInterest.withdrawn_at.is_(None))
                  .correlate(Position).scalar_subquery())
    rows = db.session.execute(
        db.select(Position, applicants).where(Position.host_id == host.id, Position.cycle_id == cycle.id)
        .order_by(Position.title))
    return [HostPositionRow(position, count) for position, count in rows]


def host_team(host: HostCompany) -> list[HostMember]:
    return list(db.session.scalars(
        db.select(HostMember).join(HostMember.user).where(HostMember.host_id == host.id)
        .order_by(User.name)))


def program_people_counts(program_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(User.role, func.count(User.id)).where(User.program_id == program_id).group_by(User.role))
    counts = {str(role): 0 for role in Role}
    counts.update({role: n for role, n in rows})
    return counts
