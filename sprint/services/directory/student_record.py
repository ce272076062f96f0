"""One student's record for coordinators: everything the program knows of their seasons, on one page.

Per season, newest first: the application (positions applied to, statements, submission), the rank
list as it stands with its certification time and the audit log's saves and certifications, the
placements with the note and audit events of each (offered, answered, ended, moved), the deadline
extensions; then the coordinators' messages the student received and the emails sent to
the student (subject, status and times, never the body).
Each section is one query, whatever the number of seasons, applications or emails.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import (
    Application,
    AuditEvent,
    BulkMessage,
    DeadlineExtension,
    HostCompany,
    Notification,
    NotificationKind,
    OutboxEmail,
    Placement,
    Position,
    PositionInterest,
    Role,
    Season,
    StudentOutcome,
    StudentRank,
    User,
)
from ..errors import NotFound

EMAIL_LIMIT = 500  # the newest this many: a page, not an archive (the email page lists them all)
RANK_ACTIONS = ("ranks.saved", "ranks.certified")


@dataclass(frozen=True)
class EmailLine:
    subject: str
    status: str
    created_at: datetime
    sent_at: datetime | None


@dataclass
class SeasonRecord:
    season: Season
    application: Application | None = None
    rank_history: list[AuditEvent] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    placement_history: dict[int, list[AuditEvent]] = field(default_factory=dict)
    extensions: list[DeadlineExtension] = field(default_factory=list)
    outcomes: list[StudentOutcome] = field(default_factory=list)


@dataclass
class StudentRecord:
    student: User
    seasons: list[SeasonRecord]
    emails: list[EmailLine]
    emails_capped: bool = False
    messages: list[Notification] = field(default_factory=list)  # coordinators' bulk messages, newest first
    position_names: dict[int, str] = field(default_factory=dict)  # for the rank lists' past versions

    def version(self, event: AuditEvent) -> list[str]:
        """The positions of one saved or certified version of a rank list, best first (older events
        did not keep the order: an empty list)."""
        return [self.position_names.get(pid, f"Position #{pid}") for pid in event.details.get("positions", [])]


def student_for(actor: User, student_id: int) -> User:
    """The student if the actor may read their record (a coordinator of their program, or an admin), else NotFound."""
    student = db.session.get(User, student_id)
    if (
        student is None
        or student.role != Role.STUDENT
        or (actor.role != Role.ADMIN and (actor.role != Role.COORDINATOR or actor.program_id != student.program_id))
    ):
        raise NotFound("There is no such student in your program.")
    return student


def record_for(actor: User, student_id: int) -> StudentRecord:
    """Everything the program knows of one student, season by season (newest first)."""
    student = student_for(actor, student_id)
    applications = db.session.scalars(
        db.select(Application)
        .where(Application.student_id == student.id)
        .options(
            selectinload(Application.interests).joinedload(PositionInterest.position).joinedload(Position.host),
            selectinload(Application.ranks).joinedload(StudentRank.position).joinedload(Position.host),
        )
    ).all()
    placements = db.session.scalars(
        db.select(Placement)
        .where(Placement.student_id == student.id)
        .options(joinedload(Placement.position).joinedload(Position.host))
        .order_by(Placement.offered_at, Placement.id)
    ).all()
    extensions = db.session.scalars(
        db.select(DeadlineExtension)
        .where(DeadlineExtension.user_id == student.id)
        .order_by(DeadlineExtension.created_at)
    ).all()
    outcomes = db.session.scalars(
        db.select(StudentOutcome)
        .where(StudentOutcome.student_id == student.id)
        .options(joinedload(StudentOutcome.recorded_by))
        .order_by(StudentOutcome.occurred_on, StudentOutcome.id)
    ).all()
    season_ids = {row.season_id for row in (*applications, *placements, *extensions, *outcomes)}
    seasons = db.session.scalars(
        db.select(Season).where(Season.id.in_(season_ids)).order_by(Season.year.desc(), Season.id.desc())
    ).all()
    records = {season.id: SeasonRecord(season) for season in seasons}
    for application in applications:
        records[application.season_id].application = application
    for placement in placements:
        records[placement.season_id].placements.append(placement)
    for extension in extensions:
        records[extension.season_id].extensions.append(extension)
    for outcome in outcomes:
        records[outcome.season_id].outcomes.append(outcome)
    _attach_history(records, applications, placements)
    emails, capped = _emails(student)
    record = StudentRecord(student, list(records.values()), emails, capped, messages=_messages(student))
    record.position_names = _position_names(records.values())
    return record


def _position_names(records) -> dict[int, str]:
    """ "Title (Host)" of every position named by a past version of the student's rank lists, one query."""
    ids = {pid for record in records for event in record.rank_history for pid in event.details.get("positions", [])}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Position.id, Position.title, HostCompany.name)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Position.id.in_(ids))
    )
    return {row.id: f"{row.title} ({row.name})" for row in rows}


def _attach_history(records: dict[int, SeasonRecord], applications, placements) -> None:
    """The audit log's events on the student's applications (rank lists) and placements, one query."""
    application_season = {application.id: application.season_id for application in applications}
    placement_season = {placement.id: placement.season_id for placement in placements}
    if not application_season and not placement_season:
        return
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(
            or_(
                and_(
                    AuditEvent.object_type == "Application",
                    AuditEvent.object_id.in_(application_season),
                    AuditEvent.action.in_(RANK_ACTIONS),
                ),
                and_(AuditEvent.object_type == "Placement", AuditEvent.object_id.in_(placement_season)),
            )
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    by_placement: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in events:
        if event.object_type == "Application":
            records[application_season[event.object_id]].rank_history.append(event)
        else:
            by_placement[event.object_id].append(event)
    for placement_id, season_id in placement_season.items():
        records[season_id].placement_history[placement_id] = by_placement.get(placement_id, [])


def _messages(student: User) -> list[Notification]:
    """The coordinators' messages the student received (read or not, emailed or not), newest first."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.user_id == student.id, Notification.kind == NotificationKind.BULK)
            .options(joinedload(Notification.bulk_message).joinedload(BulkMessage.sender))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(EMAIL_LIMIT)
        )
    )


def _emails(student: User) -> tuple[list[EmailLine], bool]:
    rows = db.session.execute(
        db.select(OutboxEmail.subject, OutboxEmail.status, OutboxEmail.created_at, OutboxEmail.sent_at)
        .where(
            OutboxEmail.recipient == student.email,
            or_(OutboxEmail.program_id == student.program_id, OutboxEmail.program_id.is_(None)),
        )
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .limit(EMAIL_LIMIT + 1)
    ).all()
    return [EmailLine(*row) for row in rows[:EMAIL_LIMIT]], len(rows) > EMAIL_LIMIT
