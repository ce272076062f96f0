"""The shared college directory: every program reads it, only installation administrators change it.

A college's name, kind and "confirmed" mark are facts every program relies on (students pick their
college from the confirmed ones, dashboards group by kind), so a change by one program would change
another's data behind its back. Administrators make the changes; every program that uses a
college (its students' profiles, its liaisons) sees the college's history in its own audit log.
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import AuditEvent, College, CollegeKind, Role, StudentProfile, User
from ..errors import NotAllowed, ServiceError
from ..support import audit
from ..support.paging import Page, paginate_rows


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only an administrator changes the shared college directory.")


def update_college(actor: User, college: College, name: str, kind: CollegeKind, confirmed: bool) -> College:
    """Rename, set the kind of, or confirm a college of the shared directory (administrators only)."""
    _admin(actor)
    name = name.strip()
    clash = db.session.scalar(
        db.select(College.id).where(College.name == name, College.state == college.state, College.id != college.id)
    )
    if clash is not None:
        raise ServiceError(f"{name} ({college.state}) is already in the directory.", "name")
    before = {"name": college.name, "kind": college.kind, "confirmed": college.confirmed}
    college.name, college.kind, college.confirmed = name, CollegeKind(kind), confirmed
    audit.record(
        actor,
        "college.updated",
        college,
        program_id=None,
        before=before,  # no one program's event:
        after={"name": name, "kind": str(kind), "confirmed": confirmed},
    )  # see events_visible_to
    try:
        db.session.commit()
    except IntegrityError as error:  # renamed to the same name at the same moment
        db.session.rollback()
        raise ServiceError(f"{name} ({college.state}) is already in the directory.", "name") from error
    return college


def colleges_used_by(program_id: int):
    """SQL: ids of the colleges a program uses (its students' and its liaisons' colleges)."""
    students = (
        db.select(StudentProfile.college_id)
        .join(User, User.id == StudentProfile.user_id)
        .where(User.program_id == program_id, StudentProfile.college_id.is_not(None))
    )
    liaisons = db.select(User.college_id).where(User.program_id == program_id, User.college_id.is_not(None))
    return students.union(liaisons)


def events_visible_to(program_id: int):
    """SQL: the audit events a program's coordinators see: their program's, and the history of
    every shared college the program uses, whoever changed it."""
    return or_(
        AuditEvent.program_id == program_id,
        (AuditEvent.object_type == "College") & AuditEvent.object_id.in_(colleges_used_by(program_id)),
    )


def college_page(search: str = "", unconfirmed: bool = False, page: int = 1, per_page: int = 25) -> Page:
    """Administrators' list of the directory, unconfirmed colleges first, with how many students use each."""
    students = (
        db.select(func.count(StudentProfile.id))
        .where(StudentProfile.college_id == College.id)
        .correlate(College)
        .scalar_subquery()
    )
    query = db.select(College, students.label("students")).order_by(College.confirmed, College.name, College.state)
    if unconfirmed:
        query = query.where(College.confirmed.is_(False))
    for word in search.split()[:5]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower() + "%"
        query = query.where(func.lower(College.name).like(pattern, escape="\\"))
    return paginate_rows(query, page, per_page)


def history_of(college: College) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.object_type == "College", AuditEvent.object_id == college.id)
            .order_by(AuditEvent.created_at.desc())
        )
    )
