"""Coordinators' changes to published placements: end one, move one, add one by hand.

Every change needs a reason and writes an audit event. Seats are respected: a position never
holds more live placements than it has slots. A placement made or moved by hand is round 3.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    HostRank,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionStatus,
    Season,
    StudentRank,
    User,
    utcnow,
)
from ...models.enums import LIVE_PLACEMENTS
from ..errors import ServiceError, StaleEdit
from ..support import audit
from ..support.concurrency import lock_row

ENDINGS = {  # kind -> (new status, audit action, what the coordinator records)
    "declined": (PlacementStatus.DECLINED, "placement.declined", "Student declined (recorded by coordinator)"),
    "withdrawn": (PlacementStatus.WITHDRAWN, "placement.withdrawn", "Student withdrew (recorded by coordinator)"),
    "cancelled": (PlacementStatus.WITHDRAWN, "placement.cancelled", "Cancelled by coordinator"),
}
BY_HAND = 0


def ending_choices() -> list[tuple[str, str]]:
    """(kind, what the coordinator records) for the form that ends a placement."""
    return [(kind, label) for kind, (_, _, label) in ENDINGS.items()]


def end_placement(actor: User, placement: Placement, kind: str, reason: str) -> Placement:
    """Record a decline or withdrawal for the student, or cancel the placement; the seat is freed."""
    if kind not in ENDINGS:
        raise ServiceError("Choose what happened to this placement.", "kind")
    reason = _reason(reason)
    if placement.status not in (PlacementStatus.OFFERED, PlacementStatus.ACCEPTED):
        raise ServiceError(f"This placement is already {placement.status}; nothing changed.")
    status, action, label = ENDINGS[kind]
    before = placement.status
    ended = db.session.execute(  # one conditional UPDATE: a second click (or the student's own
        db.update(Placement)  # answer at the same moment) finds the placement already changed
        .where(Placement.id == placement.id, Placement.status == before)
        .values(status=status, responded_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(placement)
    if ended != 1:
        raise StaleEdit(f"This placement is already {placement.status}; nothing changed.")
    placement.note = _note(placement.note, f"{label}: {reason}")
    audit.record(
        actor,
        action,
        placement,
        program_id=placement.season.program_id,
        student_id=placement.student_id,
        position_id=placement.position_id,
        before=before,
        reason=reason,
    )
    db.session.commit()
    return placement


def move_placement(actor: User, placement: Placement, position: Position, reason: str) -> Placement:
    """Move a live placement to another position of the same season that has a free seat."""
    reason = _reason(reason)
    if placement.status not in LIVE_PLACEMENTS:
        raise ServiceError(f"Only a live placement can be moved; this one is {placement.status}.")
    if position.id == placement.position_id:
        raise ServiceError("The placement is already at that position.", "position")
    _check_seat(placement.season, position)
    before = placement.position_id
    placement.position_id, placement.round = position.id, BY_HAND
    placement.student_rank, placement.position_rank = _ranks(placement.season, placement.student_id, position.id)
    placement.note = _note(placement.note, f"Moved by coordinator: {reason}")
    audit.record(
        actor,
        "placement.moved",
        placement,
        program_id=position.season.program_id,
        student_id=placement.student_id,
        from_position=before,
        to_position=position.id,
        reason=reason,
    )
    db.session.commit()
    return placement


def add_placement(actor: User, season: Season, student: User, position: Position, reason: str) -> Placement:
    """Place a student by hand after publication (an offer, with the season's response deadline)."""
    reason = _reason(reason)
    if season.phase != Phase.PUBLISHED:
        raise ServiceError("Placements are added by hand only after the match is published.")
    applied = db.session.scalar(
        db.select(Application.id).where(
            Application.season_id == season.id,
            Application.student_id == student.id,
            Application.status == ApplicationStatus.SUBMITTED,
        )
    )
    if applied is None:
        raise ServiceError(f"{student.name} has no submitted application this season.", "student")
    if (
        db.session.scalar(
            db.select(Placement.id).where(
                Placement.season_id == season.id,
                Placement.student_id == student.id,
                Placement.status.in_(LIVE_PLACEMENTS),
            )
        )
        is not None
    ):
        raise ServiceError(f"{student.name} already holds a placement; move it instead.", "student")
    _check_seat(season, position)
    now = utcnow()
    student_rank, position_rank = _ranks(season, student.id, position.id)
    placement = Placement(
        season_id=season.id,
        student_id=student.id,
        position_id=position.id,
        round=BY_HAND,
        student_rank=student_rank,
        position_rank=position_rank,
        offered_at=now,
        response_deadline=season.offer_deadline_at
        if season.offer_deadline_at and season.offer_deadline_at > now
        else None,
        note=f"Placed by coordinator: {reason}",
    )
    db.session.add(placement)
    try:
        db.session.flush()  # the unique index on live placements refuses a second one added at once
    except IntegrityError as error:
        db.session.rollback()
        raise StaleEdit(f"{student.name} already holds a placement; move it instead.", "student") from error
    audit.record(
        actor,
        "placement.added",
        placement,
        program_id=season.program_id,
        student_id=student.id,
        position_id=position.id,
        reason=reason,
    )
    db.session.commit()
    return placement


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give a reason; it goes into the audit log.", "reason")
    return reason[:500]


def _note(note: str, line: str) -> str:
    return f"{note}\n{line}".strip()


def _check_seat(season: Season, position: Position) -> None:
    if position.season_id != season.id or position.status != PositionStatus.OPEN:
        raise ServiceError("Choose an open position of this season.", "position")
    lock_row(Position, position.id)  # two placements into the last seat at once: one waits, then counts
    live = db.session.scalar(
        db.select(db.func.count(Placement.id)).where(
            Placement.position_id == position.id, Placement.status.in_(LIVE_PLACEMENTS)
        )
    )
    if live >= position.slots:
        raise ServiceError(f"{position.title} has no free seat ({live} of {position.slots} taken).", "position")


def _ranks(season: Season, student_id: int, position_id: int) -> tuple[int | None, int | None]:
    """The rank each side gave the other, when they did."""
    student_rank = db.session.scalar(
        db.select(StudentRank.rank)
        .join(Application)
        .where(
            Application.season_id == season.id,
            Application.student_id == student_id,
            StudentRank.position_id == position_id,
        )
    )
    position_rank = db.session.scalar(
        db.select(HostRank.rank).where(HostRank.position_id == position_id, HostRank.student_id == student_id)
    )
    return student_rank, position_rank
