"""Students applying to positions and withdrawing."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import defaultload

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    ExtensionKind,
    Position,
    PositionInterest,
    PositionStatus,
    Season,
    StudentRank,
    User,
    utcnow,
)
from ..errors import NotAllowed, NotFound, ServiceError, StaleEdit
from ..season.deadlines import ensure_open
from ..support import audit
from ..support.concurrency import lock_row
from ..support.notify import send_email
from .profiles import profile_missing


def application_for(student: User, season: Season, fresh: bool = False) -> Application | None:
    """The student's application with its interests and rank list (and their positions and hosts);
    the positions' skills are left to load if a caller reads them (no student page does). `fresh`
    reads it again from the database even when this request loaded it before (after a lock)."""
    query = (
        db.select(Application)
        .options(*WITHOUT_SKILLS)
        .where(Application.season_id == season.id, Application.student_id == student.id)
    )
    return db.session.scalar(query.execution_options(populate_existing=True) if fresh else query)


WITHOUT_SKILLS = (
    defaultload(Application.ranks).defaultload(StudentRank.position).lazyload(Position.skill_links),
    defaultload(Application.interests).defaultload(PositionInterest.position).lazyload(Position.skill_links),
)


def applied_position_ids(student: User, season: Season) -> set[int]:
    """The positions a student has a live application to in a season: one light query, for pages
    that only mark "applied" (loading the application would load its interests and rank list)."""
    return set(
        db.session.scalars(
            db.select(PositionInterest.position_id)
            .join(Application, Application.id == PositionInterest.application_id)
            .where(
                Application.season_id == season.id,
                Application.student_id == student.id,
                PositionInterest.withdrawn_at.is_(None),
            )
        )
    )


def active_interests(application: Application | None) -> list[PositionInterest]:
    if application is None:
        return []
    return [interest for interest in application.interests if interest.withdrawn_at is None]


def apply(student: User, position: Position, statement: str) -> PositionInterest:
    """Apply to a position; the position goes to the bottom of the student's rank list.

    The same application posted from several tabs at once applies once; the others answer
    StaleEdit (409) and find the application made."""
    season = position.season
    if season.program_id != student.program_id:
        raise NotFound("That position is not part of your program.")
    if position.status != PositionStatus.OPEN or not position.host.approved:
        raise ServiceError(gettext("%(title)s is not open for applications.", title=position.title))
    ensure_open(student, season, ExtensionKind.APPLICATIONS, "Applying")
    missing = profile_missing(student.profile)
    if missing:
        raise ServiceError(gettext("Before you apply, add %(missing)s to your profile.", missing=", ".join(missing)))
    lock_row(User, student.id)  # one write at a time to a student's applications and rank list
    application = application_for(student, season, fresh=True) or Application(season=season, student=student)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ServiceError(gettext("You withdrew from this season. Ask your coordinator if you want to return."))
    interest = next((i for i in application.interests if i.position_id == position.id), None)
    if interest is not None and interest.withdrawn_at is None:
        raise StaleEdit(gettext("You already applied to %(title)s.", title=position.title))
    if interest is None:
        interest = PositionInterest(position=position)
        application.interests.append(interest)
    interest.statement, interest.withdrawn_at, interest.created_at = statement.strip(), None, utcnow()
    if application.status != ApplicationStatus.SUBMITTED:
        application.status, application.submitted_at = ApplicationStatus.SUBMITTED, utcnow()
    next_rank = max((line.rank for line in application.ranks), default=0) + 1
    application.ranks.append(StudentRank(position=position, rank=next_rank))
    _uncertify(application)
    db.session.add(application)
    db.session.flush()
    audit.record(student, "application.applied", interest, program_id=season.program_id, position=position.id)
    send_email(
        student.email,
        f"Application received: {position.title}",
        "application_received",
        student=student,
        position=position,
        season=season,
        program=season.program,
    )
    db.session.commit()
    return interest


def withdraw_interest(student: User, interest: PositionInterest, reason: str = "") -> None:
    """Take back one application; the position leaves the student's rank list. The optional reason is
    kept in the audit log for the coordinator."""
    application = interest.application
    if application.student_id != student.id:
        raise NotAllowed(gettext("That application is not yours."))
    lock_row(User, student.id, interest, application)
    if interest.withdrawn_at is not None:
        raise StaleEdit(gettext("You already withdrew that application."))
    ensure_open(student, application.season, ExtensionKind.RANKING, "Withdrawing an application")
    interest.withdrawn_at = utcnow()
    remaining = [line for line in application.ranks if line.position_id != interest.position_id]
    application.ranks = []
    db.session.flush()
    application.ranks = [StudentRank(position_id=line.position_id, rank=i) for i, line in enumerate(remaining, 1)]
    _uncertify(application)
    audit.record(
        student,
        "application.withdrawn",
        interest,
        program_id=application.season.program_id,
        position=interest.position_id,
        **audit.said(reason),
    )
    db.session.commit()


def _uncertify(application: Application) -> None:
    """A changed list needs certifying again; a rank-list page opened before this is out of date."""
    application.ranks_certified_at = None
    application.ranks_version = (application.ranks_version or 0) + 1  # under the student's row lock
