"""A placement's summer: accepted -> started -> completed, or ended early with a reason.

Hosts (members of the placement's host) and the program's coordinators confirm the start and the
end; only these moves are allowed, and a coordinator may correct a mistake (any of the summer's
statuses, with the dates that go with it, and a reason). Every change is audited."""

from __future__ import annotations

from datetime import date

from ...extensions import db
from ...models import EndReason, Placement, PlacementStatus, User
from ...models.enums import LIVE_PLACEMENTS
from ..errors import NotAllowed, ServiceError
from ..support import audit
from . import windows
from .access import is_coordinator_of, is_host_of

MAX_HOURS = 3000  # hours over a whole internship: more is a typing mistake
SUMMER_STATUSES = (
    PlacementStatus.ACCEPTED,
    PlacementStatus.STARTED,
    PlacementStatus.COMPLETED,
    PlacementStatus.ENDED_EARLY,
)


def end_reason_choices() -> list[tuple[str, str]]:
    return [(reason.value, reason.label) for reason in EndReason]


def _check_actor(actor: User, placement: Placement) -> None:
    if not (is_host_of(actor, placement) or is_coordinator_of(actor, placement)):
        raise NotAllowed("Only the intern's host or the program's coordinators confirm this.")


def _check_start_date(placement: Placement, started_on: date | None) -> date:
    if started_on is None:
        raise ServiceError("Give the date the internship started.", "started_on")
    if started_on < windows.published_on(placement):
        raise ServiceError(
            f"The start date is before the offer was published ({windows.published_on(placement):%b %d, %Y}).",
            "started_on",
        )
    if started_on > windows.today(placement):
        raise ServiceError("The start date cannot be in the future: confirm the start once it happened.", "started_on")
    if started_on > placement.position.end_date:
        raise ServiceError("The start date is after the position's end date.", "started_on")
    return started_on


def _check_end(
    placement: Placement, started_on: date, status: str, ended_on: date | None, hours: int | None, reason, detail
) -> tuple[date, int | None, str, str]:
    if ended_on is None:
        raise ServiceError("Give the date the internship ended.", "ended_on")
    if ended_on < started_on:
        raise ServiceError(f"The end date is before the start ({started_on:%b %d, %Y}).", "ended_on")
    if ended_on > windows.today(placement):
        raise ServiceError("The end date cannot be in the future: confirm the end once it happened.", "ended_on")
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        raise ServiceError(f"Hours worked must be between 0 and {MAX_HOURS}.", "hours_worked")
    detail = (detail or "").strip()
    if len(detail) > 300:
        raise ServiceError("Say why in at most 300 characters.", "end_detail")
    if status == PlacementStatus.COMPLETED:
        return ended_on, hours, "", ""
    if reason not in EndReason.__members__.values():
        raise ServiceError("Choose why the internship ended early.", "end_reason")
    if reason == EndReason.OTHER and not detail:
        raise ServiceError("Say in a few words why the internship ended early.", "end_detail")
    return ended_on, hours, str(reason), detail


def confirm_start(actor: User, placement: Placement, started_on: date | None) -> Placement:
    """The intern started on `started_on`: accepted -> started. Audited."""
    _check_actor(actor, placement)
    if placement.status != PlacementStatus.ACCEPTED:
        raise ServiceError(f"Only an accepted placement can start; this one is {placement.status.replace('_', ' ')}.")
    placement.started_on = _check_start_date(placement, started_on)
    placement.status, placement.start_confirmed_by_id = PlacementStatus.STARTED, actor.id
    audit.record(actor, "placement.started", placement, program_id=placement.season.program_id, on=str(started_on))
    db.session.commit()
    return placement


def confirm_end(
    actor: User,
    placement: Placement,
    status: str,
    ended_on: date | None,
    hours_worked: int | None = None,
    reason: str = "",
    detail: str = "",
) -> Placement:
    """The internship ended: started -> completed, or ended early with a reason. Audited."""
    _check_actor(actor, placement)
    if status not in (PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY):
        raise ServiceError("An internship ends completed or ended early.", "outcome")
    if placement.status != PlacementStatus.STARTED:
        raise ServiceError(
            f"Only a started internship can end; this one is {placement.status.replace('_', ' ')}"
            + (" (confirm the start first)." if placement.status == PlacementStatus.ACCEPTED else ".")
        )
    cleaned = _check_end(placement, placement.started_on, status, ended_on, hours_worked, reason, detail)
    placement.ended_on, placement.hours_worked, placement.end_reason, placement.end_detail = cleaned
    placement.status, placement.end_confirmed_by_id = PlacementStatus(status), actor.id
    audit.record(
        actor,
        "placement.completed" if status == PlacementStatus.COMPLETED else "placement.ended_early",
        placement,
        program_id=placement.season.program_id,
        on=str(ended_on),
        hours_worked=hours_worked,
        **({"reason": cleaned[2], "detail": cleaned[3]} if cleaned[2] else {}),
    )
    db.session.commit()
    return placement


def correct(
    actor: User,
    placement: Placement,
    status: str,
    started_on: date | None,
    ended_on: date | None,
    hours_worked: int | None,
    reason: str,
    detail: str,
    why: str,
) -> Placement:
    """A coordinator puts the summer right (any of its statuses, with the dates that go with it); the
    audit keeps what it was and why it changed."""
    if not is_coordinator_of(actor, placement):
        raise NotAllowed("Only the program's coordinators correct a placement's summer.")
    if placement.status not in SUMMER_STATUSES or status not in SUMMER_STATUSES:
        raise ServiceError("Corrections move between accepted, started, completed and ended early only.", "status")
    why = (why or "").strip()
    if not why:
        raise ServiceError("Say why you are correcting this placement (the audit log keeps it).", "why")
    before = _summer_of(placement)
    status = PlacementStatus(status)
    if status in LIVE_PLACEMENTS and placement.status not in LIVE_PLACEMENTS:
        _check_no_other_live(placement)  # ended early -> started again: it would hold a seat once more
    started = None if status == PlacementStatus.ACCEPTED else _check_start_date(placement, started_on)
    if status in windows.ENDED:
        ended, hours, reason, detail = _check_end(placement, started, status, ended_on, hours_worked, reason, detail)
    else:
        ended, hours, reason, detail = None, None, "", ""
    placement.status, placement.started_on, placement.ended_on = status, started, ended
    placement.hours_worked, placement.end_reason, placement.end_detail = hours, reason, detail
    audit.record(
        actor,
        "placement.summer_corrected",
        placement,
        program_id=placement.season.program_id,
        before=before,
        after=_summer_of(placement),
        **audit.said(why),
    )
    db.session.commit()
    return placement


def _check_no_other_live(placement: Placement) -> None:
    other = db.session.scalar(
        db.select(Placement.id).where(
            Placement.season_id == placement.season_id,
            Placement.student_id == placement.student_id,
            Placement.id != placement.id,
            Placement.status.in_(LIVE_PLACEMENTS),
        )
    )
    if other is not None:
        raise ServiceError("The student holds another live placement this season: end that one first.", "status")


def _summer_of(placement: Placement) -> dict:
    return {
        "status": str(placement.status),
        "started_on": str(placement.started_on) if placement.started_on else None,
        "ended_on": str(placement.ended_on) if placement.ended_on else None,
        "hours_worked": placement.hours_worked,
        "end_reason": placement.end_reason,
        "end_detail": placement.end_detail,
    }
