"""Read queries about programs and their seasons, for the role home pages."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    HostCompany,
    HostMember,
    Phase,
    Placement,
    Position,
    PositionInterest,
    PositionStatus,
    Role,
    Season,
    User,
)
from ...models.enums import ACCEPTED_PLACEMENTS, LIVE_PLACEMENTS

LIVE_PHASES = frozenset({Phase.APPLICATIONS, Phase.RANKING, Phase.MATCHING, Phase.PUBLISHED})


def is_live(season: Season) -> bool:
    """A season is live from the opening of applications until it is closed."""
    return Phase(season.phase) in LIVE_PHASES


@dataclass(frozen=True)
class SeasonView:
    """The season a page shows, and the seasons the person may switch between (newest first)."""

    shown: Season | None
    choices: tuple[Season, ...] = ()

    @property
    def others(self) -> tuple[Season, ...]:
        return tuple(season for season in self.choices if season is not self.shown)


def pick_season(
    seasons: Sequence[Season], taking_part: Collection[int] = (), wanted: int | None = None, staff: bool = False
) -> SeasonView:
    """The one rule for which season a page shows (no queries; `season_shown_to` gathers its input).

    Students and hosts see the live seasons (applications opened, not closed) and the closed ones
    they took part in; never a draft. Staff see every season. The person's choice (`wanted`) wins
    when it is one of those; otherwise the newest live season the person takes part in, else the
    newest live season, else the newest closed one (their last result), else, for staff only, the
    newest draft. "The latest year" alone never decides: a new draft changes nobody's page.
    """
    visible = sorted(
        (
            season
            for season in seasons
            if staff or is_live(season) or (season.phase == Phase.CLOSED and season.id in taking_part)
        ),
        key=lambda season: season.year,
        reverse=True,
    )
    chosen = next((season for season in visible if season.id == wanted), None)
    if chosen is None:
        live = [season for season in visible if is_live(season)]
        pool = live or [season for season in visible if season.phase == Phase.CLOSED] or visible
        chosen = next((season for season in pool if season.id in taking_part), pool[0] if pool else None)
    return SeasonView(chosen, tuple(visible))


def season_shown_to(person: User, wanted: int | None = None) -> SeasonView:
    """The season `person`'s pages show (see `pick_season`): one query for the program's seasons and
    whether the person takes part in each (a student's application, a host's position)."""
    host = person.host if person.role == Role.HOST else None
    program_id = host.program_id if host is not None else person.program_id
    if program_id is None:
        return SeasonView(None)
    if host is not None:
        part = exists().where(Position.season_id == Season.id, Position.host_id == host.id)
    else:
        part = exists().where(Application.season_id == Season.id, Application.student_id == person.id)
    rows = db.session.execute(
        db.select(Season, part).where(Season.program_id == program_id).order_by(Season.year.desc())
    ).all()
    staff = person.role in (Role.COORDINATOR, Role.ADMIN, Role.LIAISON)
    return pick_season(
        [season for season, _ in rows], {season.id for season, mine in rows if mine}, wanted, staff=staff
    )


def seasons_of(program_id: int) -> list[Season]:
    """Every season of a program, newest first."""
    return list(
        db.session.scalars(db.select(Season).where(Season.program_id == program_id).order_by(Season.year.desc()))
    )


def staff_season(program_id: int | None) -> Season | None:
    """The season a coordinator's page opens on when they chose none (`pick_season` for staff)."""
    return pick_season(seasons_of(program_id), staff=True).shown if program_id is not None else None


@dataclass(frozen=True)
class SeasonFigures:
    season: Season
    positions: int
    slots: int
    hosts: int
    applications: int
    submitted: int
    placed: int
    accepted: int


def season_figures(program_id: int) -> list[SeasonFigures]:
    """Headline counts for every season of a program, newest first, in four queries."""
    seasons = seasons_of(program_id)
    ids = [season.id for season in seasons]
    open_positions = (Position.season_id.in_(ids), Position.status != PositionStatus.WITHDRAWN)
    positions = {
        row.season_id: row
        for row in db.session.execute(
            db.select(
                Position.season_id,
                func.count(Position.id).label("n"),
                func.coalesce(func.sum(Position.slots), 0).label("slots"),
                func.count(Position.host_id.distinct()).label("hosts"),
            )
            .where(*open_positions)
            .group_by(Position.season_id)
        )
    }
    applications = {
        row.season_id: row
        for row in db.session.execute(
            db.select(
                Application.season_id,
                func.count(Application.id).label("n"),
                func.count(Application.submitted_at).label("submitted"),
            )
            .where(Application.season_id.in_(ids), Application.status != ApplicationStatus.WITHDRAWN)
            .group_by(Application.season_id)
        )
    }
    placements = {
        row.season_id: row
        for row in db.session.execute(
            db.select(
                Placement.season_id,
                func.count(Placement.id).filter(Placement.status.in_(LIVE_PLACEMENTS)).label("placed"),
                func.count(Placement.id).filter(Placement.status.in_(ACCEPTED_PLACEMENTS)).label("accepted"),
            )
            .where(Placement.season_id.in_(ids))
            .group_by(Placement.season_id)
        )
    }
    return [
        SeasonFigures(
            season=season,
            positions=getattr(positions.get(season.id), "n", 0),
            slots=getattr(positions.get(season.id), "slots", 0),
            hosts=getattr(positions.get(season.id), "hosts", 0),
            applications=getattr(applications.get(season.id), "n", 0),
            submitted=getattr(applications.get(season.id), "submitted", 0),
            placed=getattr(placements.get(season.id), "placed", 0),
            accepted=getattr(placements.get(season.id), "accepted", 0),
        )
        for season in seasons
    ]


def placements_of(student: User) -> list[Placement]:
    return list(
        db.session.scalars(
            db.select(Placement).where(Placement.student_id == student.id).order_by(Placement.offered_at.desc())
        )
    )


def open_positions_count(season: Season | None) -> int:
    if season is None:
        return 0
    return (
        db.session.scalar(
            db.select(func.count(Position.id))
            .join(Position.host)
            .where(
                Position.season_id == season.id, Position.status == PositionStatus.OPEN, HostCompany.approved.is_(True)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class HostPositionRow:
    position: Position
    applicants: int


def host_positions(host: HostCompany, season: Season | None) -> list[HostPositionRow]:
    """A host's positions in a season with how many students applied to each."""
    if season is None:
        return []
    applicants = (
        db.select(func.count(PositionInterest.id))
        .where(PositionInterest.position_id == Position.id, PositionInterest.withdrawn_at.is_(None))
        .correlate(Position)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(Position, applicants)
        .where(Position.host_id == host.id, Position.season_id == season.id)
        .order_by(Position.title)
    )
    return [HostPositionRow(position, count) for position, count in rows]


def host_team(host: HostCompany) -> list[HostMember]:
    return list(
        db.session.scalars(
            db.select(HostMember).join(HostMember.user).where(HostMember.host_id == host.id).order_by(User.name)
        )
    )


def program_people_counts(program_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(User.role, func.count(User.id)).where(User.program_id == program_id).group_by(User.role)
    )
    counts = {str(role): 0 for role in Role}
    counts.update({role: n for role, n in rows})
    return counts
