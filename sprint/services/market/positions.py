"""Positions: students browse them; host members post, edit and withdraw them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import HostCompany, Phase, Position, PositionInterest, PositionSkill, PositionStatus, Season, Skill, User
from ..errors import NotAllowed, ServiceError, StaleEdit
from ..support import audit
from ..support.concurrency import lock_row
from . import skills

EDITABLE = (
    "title",
    "team",
    "description",
    "slots",
    "hourly_pay",
    "hours_per_week",
    "start_date",
    "end_date",
    "site_town",
    "work_mode",
    "housing_help",
)
OPEN_FOR_EDITS = (Phase.DRAFT, Phase.APPLICATIONS)  # new positions may be posted
CHANGEABLE = (*OPEN_FOR_EDITS, Phase.RANKING)  # existing positions may be edited or withdrawn


@dataclass(frozen=True)
class PositionFilters:
    q: str = ""
    skill: str = ""
    town: str = ""
    min_pay: Decimal | None = None
    work_mode: str = ""


def browse(season: Season, filters: PositionFilters, page: int):
    """This season's visible positions (open, approved host), searched and paginated."""
    query = (
        db.select(Position)
        .join(Position.host)
        .where(Position.season_id == season.id, Position.status == PositionStatus.OPEN, HostCompany.approved.is_(True))
    )
    if filters.q:
        like = f"%{filters.q.strip()}%"
        query = query.where(
            or_(
                Position.title.ilike(like),
                Position.description.ilike(like),
                Position.team.ilike(like),
                HostCompany.name.ilike(like),
            )
        )
    if filters.skill:
        query = query.where(
            Position.skill_links.any(PositionSkill.skill.has(Skill.name == filters.skill.strip().lower()))
        )
    if filters.town:
        query = query.where(Position.site_town.ilike(f"%{filters.town.strip()}%"))
    if filters.min_pay is not None:
        query = query.where(Position.hourly_pay >= filters.min_pay)
    if filters.work_mode:
        query = query.where(Position.work_mode == filters.work_mode)
    query = query.order_by(Position.hourly_pay.desc(), Position.title, Position.id)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def visible_position(season: Season, position_id: int) -> Position | None:
    """A position a student of this season may see, or None."""
    position = db.session.get(Position, position_id)
    if (
        position is None
        or position.season_id != season.id
        or position.status != PositionStatus.OPEN
        or not position.host.approved
    ):
        return None
    return position


def score_for(student: User, position: Position) -> int | None:
    own = set(student.profile.skill_names) if student.profile else set()
    return skills.match_score(own, position.required_skills, position.preferred_skills)


# Host side ---------------------------------------------------------------------------------------


def _check_member(member: User, host: HostCompany) -> None:
    if member.membership is None or member.membership.host_id != host.id:
        raise NotAllowed("You are not a member of this company.")


def pay_problem(pay: Decimal | None) -> str | None:
    """Why an hourly pay cannot be accepted, or None: the one rule for forms and imports alike."""
    floor = Decimal(str(current_app.config["PAY_FLOOR"]))
    if pay is None or not pay.is_finite():
        return "Pay is required: SPRINT places only paid internships."
    if pay < floor:
        return f"Pay must be at least ${floor:.2f} an hour, Connecticut's minimum wage."
    if pay >= 10000 or pay != pay.quantize(Decimal("0.01")):
        return "Give the pay in dollars and cents, e.g. 21.50."
    return None


def date_problem(year: int, day: date | None) -> str | None:
    """Why a position's start or end date cannot be accepted in a season of this year, or None: the one
    rule for forms and imports alike."""
    if day is not None and day.year != year:
        return f"Choose a date in {year}: positions of this season run in {year}."
    return None


def _apply_form(position: Position, data: dict) -> dict[str, tuple]:
    """Copy form data onto the position; return {field: (old, new)} for what changed."""
    problem = pay_problem(data["hourly_pay"])
    if problem:
        raise ServiceError(problem, "hourly_pay")
    for name in ("start_date", "end_date"):
        problem = date_problem(position.season.year, data[name])
        if problem:
            raise ServiceError(problem, name)
    required, preferred = skills.parse(data.get("required_skills")), skills.parse(data.get("preferred_skills"))
    preferred = [name for name in preferred if name not in required]
    if len(required) + len(preferred) > skills.MAX_SKILLS:
        raise ServiceError(f"List at most {skills.MAX_SKILLS} skills in all.", "required_skills")
    changes = {}  # every check is above: from here on the position is written
    for name in EDITABLE:
        old, new = getattr(position, name), data[name]
        if isinstance(new, str):
            new = new.strip()
        if old != new:
            changes[name] = (str(old) if old is not None else None, str(new))
            setattr(position, name, new)
    if (required, preferred) != (position.required_skills, position.preferred_skills) or position.id is None:
        if position.id is not None:
            changes["skills"] = (", ".join(position.required_skills), ", ".join(required))
        position.skill_links = [
            PositionSkill(skill=skill, required=True) for skill in skills.get_or_create(required)
        ] + [PositionSkill(skill=skill, required=False) for skill in skills.get_or_create(preferred)]
    return changes


def _check_title_free(host_id: int, season: Season, title: str, position_id: int | None = None) -> None:
    """Host, season and title identify a position (the import matches rows on them)."""
    taken = db.session.scalar(
        db.select(Position.id)
        .where(
            Position.host_id == host_id,
            Position.season_id == season.id,
            db.func.lower(Position.title) == title.strip().lower(),
            Position.id != (position_id or -1),
        )
        .limit(1)
    )
    if taken is not None:
        raise ServiceError(
            f"You already have a position called \u201c{title.strip()}\u201d in {season.name}: "
            "give this one another title, or add slots to that one.",
            "title",
        )


def create_position(member: User, host: HostCompany, season: Season, data: dict) -> Position:
    _check_member(member, host)
    if season.program_id != host.program_id or Phase(season.phase) not in OPEN_FOR_EDITS:
        raise ServiceError(f"New positions for {season.name} are closed.")
    _check_title_free(host.id, season, data["title"])
    position = Position(host=host, season=season, status=PositionStatus.OPEN)
    with db.session.no_autoflush:
        _apply_form(position, data)
    db.session.add(position)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form posted twice at once: the unique key keeps one
        db.session.rollback()
        raise StaleEdit(f"\u201c{data['title'].strip()}\u201d is already posted for {season.name}.", "title") from error
    audit.record(member, "position.created", position, program_id=host.program_id, title=position.title)
    db.session.commit()
    return position


def update_position(member: User, position: Position, data: dict) -> dict:
    """Edit a position; once applications are open every change is logged with old and new values."""
    _check_member(member, position.host)
    lock_row(Position, position.id, position)  # two colleagues saving at once: one after the other
    _check_title_free(position.host_id, position.season, data["title"], position.id)
    if position.status == PositionStatus.WITHDRAWN:
        raise ServiceError("This position was withdrawn and can no longer be edited.")
    phase = Phase(position.season.phase)
    if phase not in CHANGEABLE:
        raise ServiceError(f"Positions of {position.season.name} can no longer be edited.")
    if phase == Phase.RANKING and data["slots"] != position.slots:
        raise ServiceError("Slots cannot change after applications close; ask your coordinator.", "slots")
    with db.session.no_autoflush:
        changes = _apply_form(position, data)
    if changes and phase != Phase.DRAFT:
        audit.record(
            member,
            "position.edited",
            position,
            program_id=position.host.program_id,
            changes={name: list(pair) for name, pair in changes.items()},
        )
    db.session.commit()
    return changes


def withdraw_position(member: User, position: Position, reason: str = "") -> None:
    """Take a position out of the season; the optional reason is kept for the coordinator."""
    _check_member(member, position.host)
    if Phase(position.season.phase) not in CHANGEABLE:
        raise ServiceError("After the match a position can only be withdrawn by a coordinator.")
    if position.status == PositionStatus.WITHDRAWN:
        raise ServiceError("This position is already withdrawn.")
    position.status = PositionStatus.WITHDRAWN
    audit.record(member, "position.withdrawn", position, program_id=position.host.program_id, **audit.said(reason))
    db.session.commit()


def applicant_count(position: Position) -> int:
    """Students with a live application to the position."""
    return (
        db.session.scalar(
            db.select(func.count(PositionInterest.id)).where(
                PositionInterest.position_id == position.id, PositionInterest.withdrawn_at.is_(None)
            )
        )
        or 0
    )


def positions_of(host: HostCompany, season: Season) -> list[Position]:
    return list(
        db.session.scalars(
            db.select(Position)
            .where(Position.host_id == host.id, Position.season_id == season.id)
            .order_by(Position.title)
        )
    )


def form_data(position: Position) -> dict:
    """The position's values in the shape of the form."""
    data = {name: getattr(position, name) for name in EDITABLE}
    data["required_skills"] = ", ".join(position.required_skills)
    data["preferred_skills"] = ", ".join(position.preferred_skills)
    return data
