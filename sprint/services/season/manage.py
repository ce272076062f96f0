"""Seasons: create one (optionally copying last year's positions), edit its dates, move its phase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import ExpiredOffers, HostCompany, Phase, Position, PositionSkill, PositionStatus, Season, User, utcnow
from ..errors import NotAllowed, NotFound, ServiceError, StaleEdit
from ..support import audit
from ..support.local_time import format_when, zone_of

PHASES = list(Phase)
DATE_FIELDS = (
    "applications_open_at",
    "applications_close_at",
    "ranking_close_at",
    "match_published_at",
    "offer_deadline_at",
)
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


def season_for(actor: User, season_id: int | None) -> Season:
    """The actor's program's season, else NotFound: a missing id and another program's get the same
    answer, so ids reveal nothing about other programs."""
    season = db.session.get(Season, season_id) if season_id else None
    if season is None or season.program_id != actor.program_id:
        raise NotFound("There is no such season in your program.")
    return season


def check_dates(dates: dict[str, datetime | None], tz: ZoneInfo) -> None:
    """Raise ServiceError on the first date out of order, naming the field that must move."""
    for earlier, later, strict in DATE_ORDER:
        first, second = dates.get(earlier), dates.get(later)
        if first is None or second is None:
            continue
        if second < first or (strict and second == first):
            relation = "after" if strict else "on or after"
            raise ServiceError(
                f"{DATE_LABELS[later]} must be {relation} "
                f"{DATE_LABELS[earlier].lower()} ({format_when(first, tz, True)}).",
                later,
            )


def create_season(
    actor: User, year: int, name: str, dates: dict[str, datetime | None], copy_positions: bool = False
) -> Season:
    """A new season in draft; with copy_positions, last year's positions come along as drafts."""
    check_dates(dates, zone_of(actor.program))
    program_id = actor.program_id
    if db.session.scalar(db.select(Season.id).where(Season.program_id == program_id, Season.year == year)):
        raise ServiceError(f"Your program already has a season for {year}.", "year")
    previous = None
    if copy_positions:
        previous = db.session.scalar(db.select(Season).where(Season.program_id == program_id, Season.year == year - 1))
        if previous is None:
            raise ServiceError(f"There is no {year - 1} season to copy positions from.", "copy_positions")
    season = Season(
        program_id=program_id,
        year=year,
        name=name.strip(),
        phase=Phase.DRAFT,
        **{field: dates.get(field) for field in DATE_FIELDS},
    )
    db.session.add(season)
    db.session.flush()
    copied = _copy_positions(season, previous) if previous is not None else 0
    audit.record(actor, "season.created", season, year=year, copied_positions=copied)
    try:
        db.session.commit()
    except IntegrityError as error:  # the same year created twice at once
        db.session.rollback()
        raise ServiceError(f"Your program already has a season for {year}.", "year") from error
    return season


def _moved_a_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29th
        return day.replace(year=day.year + years, day=28)


def _copy_positions(season: Season, previous: Season) -> int:
    years = season.year - previous.year
    positions = db.session.scalars(
        db.select(Position)
        .join(Position.host)
        .where(
            Position.season_id == previous.id,
            Position.status != PositionStatus.WITHDRAWN,
            HostCompany.program_id == season.program_id,
        )
    )
    count = 0
    for old in positions:
        new = Position(
            host_id=old.host_id,
            season=season,
            title=old.title,
            team=old.team,
            description=old.description,
            slots=old.slots,
            hourly_pay=old.hourly_pay,
            hours_per_week=old.hours_per_week,
            start_date=_moved_a_year(old.start_date, years),
            end_date=_moved_a_year(old.end_date, years),
            site_town=old.site_town,
            work_mode=old.work_mode,
            housing_help=old.housing_help,
            status=PositionStatus.DRAFT,
        )
        new.skill_links = [PositionSkill(skill_id=link.skill_id, required=link.required) for link in old.skill_links]
        db.session.add(new)
        count += 1
    return count


def update_dates(
    actor: User, season: Season, dates: dict[str, datetime | None], expired_offers: str | None = None
) -> Season:
    """Save the season's dates and, when given, what an offer unanswered at its deadline becomes."""
    if season.program_id != actor.program_id:
        raise NotAllowed("That season is not part of your program.")
    check_dates(dates, zone_of(season.program))
    if expired_offers is not None and expired_offers not in {choice.value for choice in ExpiredOffers}:
        raise ServiceError("Choose what happens to an offer unanswered at its deadline.", "expired_offers")
    changed = {}
    for field in DATE_FIELDS:
        if getattr(season, field) != dates.get(field):
            changed[field] = [_iso(getattr(season, field)), _iso(dates.get(field))]
            setattr(season, field, dates.get(field))
    if expired_offers is not None and season.expired_offers != expired_offers:
        changed["expired_offers"] = [season.expired_offers, expired_offers]
        season.expired_offers = expired_offers
    if changed:
        audit.record(actor, "season.dates_changed", season, changes=changed)
    db.session.commit()
    return season


def _iso(value: datetime | None) -> str | None:
    return value.replace(tzinfo=UTC).isoformat(timespec="minutes") if value else None


@dataclass(frozen=True)
class PhaseMove:
    """A possible move of the season's phase and what it means, in plain words."""

    target: Phase
    backwards: bool
    effects: tuple[str, ...]
    warning: str = ""


def phase_moves(season: Season) -> list[PhaseMove]:
    """The moves open from the season's phase: one step forward; one step back from applications/ranking.

    Only publishing a match run moves a season into "published", so that step is not offered here.
    """
    index = PHASES.index(Phase(season.phase))
    moves = []
    if index + 1 < len(PHASES) and PHASES[index + 1] != Phase.PUBLISHED:
        moves.append(_describe(season, PHASES[index + 1], backwards=False))
    if Phase(season.phase) in (Phase.APPLICATIONS, Phase.RANKING):
        moves.append(_describe(season, PHASES[index - 1], backwards=True))
    return moves


def _describe(season: Season, target: Phase, backwards: bool) -> PhaseMove:
    tz = zone_of(season.program)

    def _when(value: datetime | None) -> str:
        return format_when(value, tz, True) if value else "the date you set (none yet)"

    ranking_until = _when(season.ranking_close_at)
    effects = {
        Phase.DRAFT: (
            "Students and hosts no longer see this season: their pages show their other live season, if any.",
            "Positions, applications and rank lists stay as they are.",
        ),
        Phase.APPLICATIONS: (
            (
                f"Students can see open positions of approved hosts and apply until "
                f"{_when(season.applications_close_at)}."
            ),
            f"Students and hosts can rank until {ranking_until}.",
        ),
        Phase.RANKING: (
            "Students can no longer apply.",
            f"Students and hosts can rank and certify their lists until {ranking_until}.",
        ),
        Phase.MATCHING: (
            "Students and hosts can no longer change their rank lists.",
            "Coordinators can run and compare matches; nobody sees results yet.",
        ),
        Phase.PUBLISHED: (
            (
                "Nothing changes for students or hosts until you publish a match run; "
                "publishing creates the offers and emails everyone."
            ),
            f"Students answer their offers by {_when(season.offer_deadline_at)}.",
        ),
        Phase.CLOSED: (
            "The season becomes read-only: no more offers, answers or changes.",
            "Placements and outcomes stay on record for reports.",
        ),
    }[target]
    warning = ""
    if backwards:
        warning = (
            "Going back reopens an earlier step. Students and hosts who already acted keep "
            "what they did; tell them why the dates changed."
        )
    return PhaseMove(target=target, backwards=backwards, effects=effects, warning=warning)


BEFORE_RESULTS = (Phase.APPLICATIONS, Phase.RANKING, Phase.MATCHING)


def _check_one_season_before_results(season: Season) -> None:
    """Students and hosts follow one season at a time until its results are out: a season's
    applications open only once every other live season of the program has published its match."""
    busy = db.session.scalar(
        db.select(Season).where(
            Season.program_id == season.program_id, Season.id != season.id, Season.phase.in_(BEFORE_RESULTS)
        )
    )
    if busy is not None:
        raise ServiceError(
            f"{busy.name} is still at the stage \u201c{Phase(busy.phase).label}\u201d. "
            f"Open the applications of {season.name} once {busy.name} has published its "
            "match, so that students and hosts follow one season at a time."
        )


def move_phase(actor: User, season: Season, target: Phase, reason: str = "") -> Season:
    """Move the season one step forward (or one step back from applications or ranking); the optional
    reason goes into the audit log."""
    if season.program_id != actor.program_id:
        raise NotAllowed("That season is not part of your program.")
    allowed = {move.target for move in phase_moves(season)}
    if target not in allowed:
        raise ServiceError(
            f'{season.name} cannot move from "{Phase(season.phase).label}" to '
            f'"{Phase(target).label}"; phases move one step at a time.'
        )
    if Phase(season.phase) == Phase.DRAFT:
        _check_one_season_before_results(season)
    before = season.phase
    moved = db.session.execute(  # one conditional UPDATE: the same move confirmed twice moves once
        db.update(Season)
        .where(Season.id == season.id, Season.phase == before)
        .values(phase=target, phase_changed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(season)
    if moved != 1:
        raise StaleEdit(f'{season.name} was moved to "{Phase(season.phase).label}" meanwhile; nothing changed.')
    audit.record(actor, "season.phase_changed", season, before=str(before), after=str(target), **audit.said(reason))
    db.session.commit()
    return season
