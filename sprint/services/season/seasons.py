"""Read queries about programs and their seasons, for the role home pages."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func

from ...extensions import db
from ...models import (
    Application, ApplicationStatus, Cycle, HostCompany, HostMember, Phase, Placement, Position,
    PositionInterest, PositionStatus, Role, User
)
from ...models.enums import ACCEPTED_PLACEMENTS, LIVE_PLACEMENTS


LIVE_PHASES = frozenset({Phase.APPLICATIONS, Phase.RANKING, Phase.MATCHING, Phase.PUBLISHED})


def is_live(cycle: Cycle) -> bool:
    """A season is live from the opening of applications until it is closed."""
    return Phase(cycle.phase) in LIVE_PHASES


@dataclass(frozen=True)
class SeasonView:
    """The season a page shows, and the seasons the person may switch between (newest first)."""

    shown: Cycle | None
    choices: tuple[Cycle, ...] = ()

    @property
    def others(self) -> tuple[Cycle, ...]:
        return tuple(cycle for cycle in self.choices if cycle is not self.shown)


def pick_season(cycles: Sequence[Cycle], taking_part: Collection[int] = (), wanted: int | None = None,
                staff: bool = False) -> SeasonView:
    """The one rule for which season a page shows (no queries; `season_for` gathers its input).

    Students and hosts see the live seasons (applications opened, not closed) and the closed ones
    they took part in; never a draft. Staff see every season. The person's choice (`wanted`) wins
    when it is one of those; otherwise the newest live season the person takes part in, else the
    newest live season, else the newest closed one (their last result), else, for staff only, the
    newest draft. "The latest year" alone never decides: a new draft changes nobody's page.
    """
    visible = sorted((cycle for cycle in cycles if staff or is_live(cycle)
                      or (cycle.phase == Phase.CLOSED and cycle.id in taking_part)),
                     key=lambda cycle: cycle.year, reverse=True)
    chosen = next((cycle for cycle in visible if cycle.id == wanted), None)
    if chosen is None:
        live = [cycle for cycle in visible if is_live(cycle)]
        pool = live or [cycle for cycle in visible if cycle.phase == Phase.CLOSED] or visible
        chosen = next((cycle for cycle in pool if cycle.id in taking_part), pool[0] if pool else None)
    return SeasonView(chosen, tuple(visible))


def season_for(person: User, wanted: int | None = None) -> SeasonView:
    """The season `person`'s pages show (see `pick_season`): one query for the program's seasons and
    whether the person takes part in each (a student's application, a host's position)."""
    host = person.host if person.role == Role.HOST else None
    program_id = host.program_id if host is not None else person.program_id
    if program_id is None:
        return SeasonView(None)
    if host is not None:
        part = exists().where(Position.cycle_id == Cycle.id, Position.host_id == host.id)
    else:
        part = exists().where(Application.cycle_id == Cycle.id, Application.student_id == person.id)
    rows = db.session.execute(db.select(Cycle, part).where(Cycle.program_id == program_id)
                              .order_by(Cycle.year.desc())).all()
    staff = person.role in (Role.COORDINATOR, Role.ADMIN, Role.LIAISON)
    return pick_season([cycle for cycle, _ in rows], {cycle.id for cycle, mine in rows if mine}, wanted,
                       staff=staff)


def cycles_of(program_id: int) -> list[Cycle]:
    """Every season of a program, newest first."""
    return list(db.session.scalars(
        db.select(Cycle).where(Cycle.program_id == program_id).order_by(Cycle.year.desc())))


def staff_season(program_id: int | None) -> Cycle | None:
    """The season a coordinator's page opens on when they chose none (`pick_season` for staff)."""
    return pick_season(cycles_of(program_id), staff=True).shown if program_id is not None else None


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
    cycles = cycles_of(program_id)
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
    placements = {row.cycle_id: row for row in db.session.execute(
        db.select(Placement.cycle_id,
                  func.count(Placement.id).filter(Placement.status.in_(LIVE_PLACEMENTS)).label("placed"),
                  func.count(Placement.id).filter(Placement.status.in_(ACCEPTED_PLACEMENTS)).label("accepted"))
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
