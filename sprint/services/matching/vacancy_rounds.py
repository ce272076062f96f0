"""Vacancy rounds, the coordinator's side: open one after round 1 is published, watch it, cancel it, and run
its match on the round's own applications and host ranks (every live placement frozen).

A round's window (opens_at to closes_at, UTC) is when students apply and hosts rank; after it closes the
coordinator runs and publishes its match like round 1's. One round is open per season at a time; the
rounds after it take the next numbers (2, 3...) until the coordinator closes the season.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

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
    PositionStatus,
    Season,
    User,
    VacancyApplication,
    VacancyHostRank,
    VacancyRound,
    VacancyStatus,
    utcnow,
)
from ...models.enums import LIVE_PLACEMENTS
from ..errors import NotFound, ServiceError
from ..market.open_actions import OPEN, Action, closed
from ..support import audit
from ..support.concurrency import lock_row
from . import match_runs
from .adapter import build_vacancy_instance
from .seats import market

MAX_APPLICATIONS = 20
MAX_OFFER_HOURS = 720


@dataclass(frozen=True)
class RoundSettings:
    opens_at: datetime  # UTC
    closes_at: datetime  # UTC
    max_applications: int = 3
    include_declined: bool = False
    offer_hours: int = 48


def round_for(actor: User, round_id: int) -> VacancyRound:
    """The round if its season belongs to the actor's program, else NotFound (ids reveal nothing)."""
    found = db.session.get(VacancyRound, round_id) if round_id else None
    if found is None or found.season.program_id != actor.program_id:
        raise NotFound("There is no such vacancy round in your program.")
    return found


def current_round(season: Season) -> VacancyRound | None:
    """The season's open round, if any (at most one)."""
    return db.session.scalar(
        db.select(VacancyRound).where(VacancyRound.season_id == season.id, VacancyRound.status == VacancyStatus.OPEN)
    )


def rounds_of(season: Season) -> list[VacancyRound]:
    return list(
        db.session.scalars(
            db.select(VacancyRound).where(VacancyRound.season_id == season.id).order_by(VacancyRound.number)
        )
    )


def next_number(season: Season) -> int:
    """The next round's number: after every published round and every vacancy round so far."""
    published = db.session.scalar(
        db.select(func.max(MatchRun.round)).where(MatchRun.season_id == season.id, MatchRun.published_at.is_not(None))
    )
    numbered = db.session.scalar(db.select(func.max(VacancyRound.number)).where(VacancyRound.season_id == season.id))
    return max(published or 1, numbered or 1) + 1


def stage(round_: VacancyRound, now: datetime | None = None) -> str:
    """ "scheduled" (window ahead), "open" (applying and ranking), "matching" (window closed, match to run),
    or the round's end: "published" or "cancelled"."""
    now = now or utcnow()
    if round_.status != VacancyStatus.OPEN:
        return round_.status
    if now < round_.opens_at:
        return "scheduled"
    return "open" if now < round_.closes_at else "matching"


def check_window(round_: VacancyRound, now: datetime | None = None) -> None:
    """Refuse applying and ranking outside the round's window, saying why."""
    current = stage(round_, now)
    if current == "scheduled":
        raise ServiceError(f"Vacancy round {round_.number} opens for applications later; nothing can be sent yet.")
    if current != "open":
        raise ServiceError(f"Vacancy round {round_.number} is closed for applications and rankings.")


def _check_settings(settings: RoundSettings, now: datetime) -> None:
    if settings.closes_at <= settings.opens_at:
        raise ServiceError("The window must close after it opens.", "closes_at")
    if settings.closes_at <= now:
        raise ServiceError("The window must close in the future.", "closes_at")
    if not 1 <= settings.max_applications <= MAX_APPLICATIONS:
        raise ServiceError(f"Allow between 1 and {MAX_APPLICATIONS} applications per student.", "max_applications")
    if not 1 <= settings.offer_hours <= MAX_OFFER_HOURS:
        raise ServiceError(f"Give offers between 1 and {MAX_OFFER_HOURS} hours to answer.", "offer_hours")


def opening(season: Season) -> Action:
    """Whether the coordinator may open a vacancy round now, by the rules of `open_round`."""
    if season.phase == Phase.CLOSED:
        return closed(f"{season.name} is closed.", season.phase_changed_at)
    if season.phase != Phase.PUBLISHED or not match_runs.round_published(season.id, 1):
        return closed("A vacancy round comes after round 1 is published, before the season is closed.")
    if current_round(season) is not None:
        return closed(f"{season.name} already has an open vacancy round; publish or cancel it first.")
    return OPEN


def open_round(actor: User, season: Season, settings: RoundSettings) -> VacancyRound:
    """Open the season's next vacancy round; emails go out when its window opens (vacancy_emails)."""
    now = utcnow()
    _check_settings(settings, now)
    lock_row(Season, season.id, season)  # two coordinators opening a round at once: the second waits
    opening(season).require()
    round_ = VacancyRound(
        season=season,
        number=next_number(season),
        opens_at=settings.opens_at,
        closes_at=settings.closes_at,
        max_applications=settings.max_applications,
        include_declined=settings.include_declined,
        offer_hours=settings.offer_hours,
        created_by_id=actor.id,
    )
    db.session.add(round_)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise ServiceError(f"{season.name} already has an open vacancy round.") from error
    audit.record(
        actor,
        "vacancy_round.opened",
        round_,
        program_id=season.program_id,
        number=round_.number,
        opens_at=settings.opens_at.isoformat(),
        closes_at=settings.closes_at.isoformat(),
        max_applications=settings.max_applications,
        include_declined=settings.include_declined,
        offer_hours=settings.offer_hours,
    )
    db.session.commit()
    return round_


def cancel_round(actor: User, round_: VacancyRound, reason: str = "") -> None:
    """End an open round without publishing it: its applications and ranks stay as the record."""
    lock_row(VacancyRound, round_.id, round_)
    if round_.status != VacancyStatus.OPEN:
        raise ServiceError(f"Vacancy round {round_.number} is already {round_.status}.")
    round_.status, round_.finished_at = VacancyStatus.CANCELLED, utcnow()
    audit.record(
        actor,
        "vacancy_round.cancelled",
        round_,
        program_id=round_.season.program_id,
        number=round_.number,
        **audit.said(reason),
    )
    db.session.commit()


def start_round_run(actor: User, round_: VacancyRound, settings: match_runs.RunSettings) -> MatchRun:
    """Queue the round's match: its applications and ranks, with every live placement frozen."""
    if stage(round_) != "matching":
        raise ServiceError(
            f"Vacancy round {round_.number}'s match runs once its window has closed "
            f"(it is {stage(round_)}), and before it is published or cancelled."
        )
    placed, taken = market(round_.season)
    instance = build_vacancy_instance(round_, placed, taken, ended_pairs(round_.season))
    return match_runs.start_run(
        actor, round_.season, settings, round_=round_.number, instance=instance, vacancy_round_id=round_.id
    )


def ended_pairs(season: Season) -> set[tuple[int, int]]:
    """(student, position) pairs whose placement was withdrawn: never offered again."""
    return set(
        db.session.execute(
            db.select(Placement.student_id, Placement.position_id).where(
                Placement.season_id == season.id, Placement.status == PlacementStatus.WITHDRAWN
            )
        ).all()
    )


# Who takes part -------------------------------------------------------------------------------------


def eligible_ids(round_: VacancyRound) -> set[int]:
    """Students who may take part: a submitted application in the season and no live placement (nor, unless
    the round allows it, a declined or expired offer)."""
    season_id = round_.season_id
    submitted = set(
        db.session.scalars(
            db.select(Application.student_id).where(
                Application.season_id == season_id, Application.status == ApplicationStatus.SUBMITTED
            )
        )
    )
    left_out = (*LIVE_PLACEMENTS,) if round_.include_declined else (*LIVE_PLACEMENTS, "declined", "expired")
    out = set(
        db.session.scalars(
            db.select(Placement.student_id).where(Placement.season_id == season_id, Placement.status.in_(left_out))
        )
    )
    return submitted - out


def is_eligible(round_: VacancyRound, student: User) -> bool:
    return student.id in eligible_ids(round_)


def eligible_students(round_: VacancyRound) -> list[User]:
    ids = eligible_ids(round_)
    if not ids:
        return []
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.name, User.id)))


@dataclass(frozen=True)
class OpenPosition:
    position: Position
    seats_left: int


def open_positions(season: Season) -> list[OpenPosition]:
    """The season's open positions of approved hosts with seats left after every live placement."""
    _, taken = market(season)
    rows = db.session.scalars(
        db.select(Position)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Position.season_id == season.id, Position.status == PositionStatus.OPEN, HostCompany.approved.is_(True))
        .order_by(HostCompany.name, Position.title, Position.id)
    )
    return [OpenPosition(p, p.slots - taken.get(p.id, 0)) for p in rows if p.slots - taken.get(p.id, 0) > 0]


@dataclass(frozen=True)
class RoundFigures:
    eligible: list[User]
    applications: int
    applicants: int
    positions: list[OpenPosition]
    applications_by_position: dict[int, int]
    hosts_ranked: list[str]  # names of hosts that ranked at least one applicant
    runs: list[MatchRun]


def figures(round_: VacancyRound) -> RoundFigures:
    """What the coordinator's round page shows."""
    by_position = dict(
        db.session.execute(
            db.select(VacancyApplication.position_id, func.count(VacancyApplication.id))
            .where(VacancyApplication.round_id == round_.id)
            .group_by(VacancyApplication.position_id)
        ).all()
    )
    applicants = db.session.scalar(
        db.select(func.count(func.distinct(VacancyApplication.student_id))).where(
            VacancyApplication.round_id == round_.id
        )
    )
    hosts = list(
        db.session.scalars(
            db.select(HostCompany.name)
            .join(Position, Position.host_id == HostCompany.id)
            .join(VacancyHostRank, VacancyHostRank.position_id == Position.id)
            .where(VacancyHostRank.round_id == round_.id)
            .distinct()
            .order_by(HostCompany.name)
        )
    )
    runs = list(
        db.session.scalars(
            db.select(MatchRun).where(MatchRun.vacancy_round_id == round_.id).order_by(MatchRun.id.desc())
        )
    )
    return RoundFigures(
        eligible_students(round_),
        sum(by_position.values()),
        applicants or 0,
        open_positions(round_.season),
        by_position,
        hosts,
        runs,
    )
