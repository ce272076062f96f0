"""Who may act on or read which placement's summer: one rule per side, and the lookups that turn a
URL's id into a placement or a 404 (another host's or another program's ids reveal nothing)."""

from __future__ import annotations

from ...extensions import db
from ...models import CheckInSide, InternEvaluation, Placement, Position, Role, Season, User
from ..errors import NotFound


def is_coordinator_of(actor: User, placement: Placement) -> bool:
    """A coordinator of the placement's program (or an admin)."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.COORDINATOR and actor.program_id == placement.season.program_id


def is_host_of(actor: User, placement: Placement) -> bool:
    """A member of the host whose position the placement is."""
    host = actor.host if actor.role == Role.HOST else None
    return host is not None and host.id == placement.position.host_id


def is_intern_of(actor: User, placement: Placement) -> bool:
    return actor.role == Role.STUDENT and actor.id == placement.student_id


def side_of(actor: User, placement: Placement) -> CheckInSide | None:
    """Which side of the placement the actor writes for: the intern, the host, or neither."""
    if is_intern_of(actor, placement):
        return CheckInSide.STUDENT
    if is_host_of(actor, placement):
        return CheckInSide.HOST
    return None


def placement_of_host(host_id: int, placement_id: int) -> Placement:
    """One of the host's placements, else NotFound (404)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or placement.position.host_id != host_id:
        raise NotFound("No such intern.")
    return placement


def placement_of_student(student: User, placement_id: int) -> Placement:
    """One of the student's own placements, else NotFound (404)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or placement.student_id != student.id:
        raise NotFound("No such internship.")
    return placement


def may_see_evaluation(viewer: User, evaluation: InternEvaluation) -> bool:
    """Coordinators of the program always; the host that wrote it; the student only once shared.
    Never another host, another student or a college liaison."""
    placement = evaluation.placement
    if is_coordinator_of(viewer, placement) or is_host_of(viewer, placement):
        return True
    return is_intern_of(viewer, placement) and evaluation.shared_with_student


def evaluations_for_student(student_id: int, season_id: int | None, viewer: User) -> list[InternEvaluation]:
    """The evaluations of one student's internships (of one season, or all when None) that `viewer`
    may read, oldest season first: what a coordinator's page about the student shows."""
    query = (
        db.select(InternEvaluation)
        .join(Placement, Placement.id == InternEvaluation.placement_id)
        .join(Season, Season.id == Placement.season_id)
        .join(Position, Position.id == Placement.position_id)
        .where(Placement.student_id == student_id)
        .order_by(Season.year, Placement.id)
    )
    if season_id is not None:
        query = query.where(Placement.season_id == season_id)
    return [evaluation for evaluation in db.session.scalars(query) if may_see_evaluation(viewer, evaluation)]
