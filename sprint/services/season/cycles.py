"""Seasons: create one (optionally copying last year's positions), edit its dates, move its phase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from ..errors import NotAllowed, NotFound, ServiceError, StaleEdit
from ...extensions import db
from ...models import Cycle, HostCompany, Phase, Position, PositionSkill, PositionStatus, User, utcnow
from ..support import audit
from ..support.local_time import format_when, zone_of

PHASES = list(Phase)
DATE_FIELDS = ("applications_open_at", "applications_close_at", "ranking_close_at",
               "match_published_at", "offer_deadline_at")
DATE_LABELS = {
    "applications_open_at": "Applications open",
    "applications_close_at": "Applications close",
    "ranking_close_at": "Ranking closes",
    "match_published_at": "Match publication",
    "offer_deadline_at": "Offer deadline",
}
# (earlier, later, strictly before?) pairs, checked in order; the later field carries the message.
DATE_ORDER = (
    ("applications_open_at", "applications_close_at", True),
    ("applications_close_at", "ranking_close_at", False),
    ("ranking_close_at", "match_published_at", False),
    ("match_published_at", "offer_deadline_at", True),
)


def cycle_for(actor: User, cycle_id: int | None) -> Cycle:
    """The actor's program's cycle, else NotFound: a missing id and another program's get the same
    answer, so ids reveal nothing about other programs."""
    cycle = db.session.get(Cycle, cycle_id) if cycle_id else None
    if cycle is None or cycle.program_id != actor.program_id:
        raise NotFound("There is no such season in your program.")
    return cycle


def check_dates(dates: dict[str, datetime | None], tz: ZoneInfo) -> None:
    """Raise ServiceError on the first date out of order, naming the field that must move."""
    for earlier, later, strict in DATE_ORDER:
        first, second = dates.get(earlier), dates.get(later)
        if first is None or second is None:
            continue
        if second < first or (strict and second == first):
            relation = "after" if strict else "on or after"
            raise ServiceError(f"{DATE_LABELS[later]} must be {relation} "
                               f"{DATE_LABELS[earlier].lower()} ({format_when(first, tz, True)}).", later)


def create_cycle(actor: User, year: int, name: str, dates: dict[str, datetime | None],
                 copy_positions: bool = False) -> Cycle:
    """A new season in draft; with copy_positions, last year's positions come along as drafts."""
    check_dates(dates, zone_of(actor.program))
    program_id = actor.program_id
    if db.session.scalar(db.select(Cycle.id).where(Cycle.program_id == program_id, Cycle.year == year)):
        raise ServiceError(f"Your program already has a season for {year}.", "year")
    previous = None
    if copy_positions:
        previous = db.session.scalar(db.select(Cycle).where(Cycle.program_id == program_id, Cycle.year == year - 1))
        if previous is None:
            raise ServiceError(f"There is no {year - 1} season to copy positions from.", "copy_positions")
    cycle = Cycle(program_id=program_id, year=year, name=name.strip(), phase=Phase.DRAFT,
                  **{field: dates.get(field) for field in DATE_FIELDS})
    db.session.add(cycle)
    db.session.flush()
    copied = _copy_positions(cycle, previous) if previous is not None else 0
    audit.record(actor, "cycle.created", cycle, year=year, copied_positions=copied)
    try:
        db.session.commit()
    except IntegrityError as error:  # the same year created twice at once
        db.session.rollback()
        raise ServiceError(f"Your program already has a season for {year}.", "year") from error
    return cycle


def _moved_a_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29th
        return day.replace(year=day.year + years, day=28)


def _copy_positions(cycle: Cycle, previous: Cycle) -> int:
    years = cycle.year - previous.year
    positions = db.session.scalars(
        db.select(Position).join(Position.host)
        .where(Position.cycle_id == previous.id, Position.status != PositionStatus.WITHDRAWN,
               HostCompany.program_id == cycle.program_id))
    count = 0
    for old in positions:
        new = Position(
            host_id=old.host_id, cycle=cycle, title=old.title, team=old.team, description=old.description,
            slots=old.slots, hourly_pay=old.hourly_pay, hours_per_week=old.hours_per_week,
            start_date=_moved_a_year(old.start_date, years), end_date=_moved_a_year(old.end_date, years),
            site_town=old.site_town, work_mode=old.work_mode, housing_help=old.housing_help,
            status=PositionStatus.DRAFT)
        new.skill_links = [PositionSkill(skill_id=link.skill_id, required=link.required)
                           for link in old.skill_links]
        db.session.add(new)
        count += 1
    return count


def update_dates(actor: User, cycle: Cycle, dates: dict[str, datetime | None]) -> Cycle:
    if cycle.program_id != actor.program_id:
        raise NotAllowed("That season is not part of your program.")
    check_dates(dates, zone_of(cycle.program))
    changed = {}
    for field in DATE_FIELDS:
        if getattr(cycle, field) != dates.get(field):
            changed[field] = [_iso(getattr(cycle, field)), _iso(dates.get(field))]
            setattr(cycle, field, dates.get(field))
    if changed:
        audit.record(actor, "cycle.dates_changed", cycle, changes=changed)
    db.session.commit()
    return cycle


def _iso(value: datetime | None) -> str | None:
    return value.replace(tzinfo=UTC).isoformat(timespec="minutes") if value else None


@dataclass(frozen=True)
class PhaseMove:
    """A possible move of the cycle's phase and what it means, in plain words."""

    target: Phase
    backwards: bool
    effects: tuple[str, ...]
    warning: str = ""


def phase_moves(cycle: Cycle) -> list[PhaseMove]:
    """The moves open from the cycle's phase: one step forward; one step back from applications/ranking.

    Only publishing a match run moves a cycle into "published", so that step is not offered here.
    """
    index = PHASES.index(Phase(cycle.phase))
    moves = []
    if index + 1 < len(PHASES) and PHASES[index + 1] != Phase.PUBLISHED:
        moves.append(_describe(cycle, PHASES[index + 1], backwards=False))
    if Phase(cycle.phase) in (Phase.APPLICATIONS, Phase.RANKING):
        moves.append(_describe(cycle, PHASES[index - 1], backwards=True))
    return moves


def _describe(cycle: Cycle, target: Phase, backwards: bool) -> PhaseMove:
    tz = zone_of(cycle.program)

    def _when(value: datetime | None) -> str:
        return format_when(value, tz, True) if value else "the date you set (none yet)"

    ranking_until = _when(cycle.ranking_close_at)
    effects = {
        Phase.DRAFT: ("Students and hosts no longer see this season: their pages show their other "
                      "live season, if any.",
                      "Positions, applications and rank lists stay as they are."),
        Phase.APPLICATIONS: ((f"Students can see open positions of approved hosts and apply until "
                              f"{_when(cycle.applications_close_at)}."),
                             f"Students and hosts can rank until {ranking_until}."),
        Phase.RANKING: ("Students can no longer apply.",
                        f"Students and hosts can rank and certify their lists until {ranking_until}."),
        Phase.MATCHING: ("Students and hosts can no longer change their rank lists.",
                         "Coordinators can run and compare matches; nobody sees results yet."),
        Phase.PUBLISHED: (("Nothing changes for students or hosts until you publish a match run; "
                           "publishing creates the offers and emails everyone."),
                          f"Students answer their offers by {_when(cycle.offer_deadline_at)}."),
        Phase.CLOSED: ("The season becomes read-only: no more offers, answers or changes.",
                       "Placements and outcomes stay on record for reports."),
    }[target]
    warning = ""
    if backwards:
        warning = ("Going back reopens an earlier step. Students and hosts who already acted keep "
                   "what they did; tell them why the dates changed.")
    return PhaseMove(target=target, backwards=backwards, effects=effects, warning=warning)


BEFORE_RESULTS = (Phase.APPLICATIONS, Phase.RANKING, Phase.MATCHING)


def _check_one_season_before_results(cycle: Cycle) -> None:
    """Students and hosts follow one season at a time until its results are out: a season's
    applications open only once every other live season of the program has published its match."""
    busy = db.session.scalar(db.select(Cycle).where(
        Cycle.program_id == cycle.program_id, Cycle.id != cycle.id, Cycle.phase.in_(BEFORE_RESULTS)))
    if busy is not None:
        raise ServiceError(f"{busy.name} is still at the stage \u201c{Phase(busy.phase).label}\u201d. "
                           f"Open the applications of {cycle.name} once {busy.name} has published its "
                           "match, so that students and hosts follow one season at a time.")


def move_phase(actor: User, cycle: Cycle, target: Phase, reason: str = "") -> Cycle:
    """Move the cycle one step forward (or one step back from applications or ranking); the optional
    reason goes into the audit log."""
    if cycle.program_id != actor.program_id:
        raise NotAllowed("That season is not part of your program.")
    allowed = {move.target for move in phase_moves(cycle)}
    if target not in allowed:
        raise ServiceError(f"{cycle.name} cannot move from \"{Phase(cycle.phase).label}\" to "
                           f"\"{Phase(target).label}\"; phases move one step at a time.")
    if Phase(cycle.phase) == Phase.DRAFT:
        _check_one_season_before_results(cycle)
    before = cycle.phase
    moved = db.session.execute(  # one conditional UPDATE: the same move confirmed twice moves once
        db.update(Cycle).where(Cycle.id == cycle.id, Cycle.phase == before)
        .values(phase=target, phase_changed_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(cycle)
    if moved != 1:
        raise StaleEdit(f"{cycle.name} was moved to \"{Phase(cycle.phase).label}\" meanwhile; nothing changed.")
    audit.record(actor, "cycle.phase_changed", cycle, before=str(before), after=str(target),
                 **audit.said(reason))
    db.session.commit()
    return cycle
