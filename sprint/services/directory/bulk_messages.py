"""A coordinator's message to a segment of a season: composed, previewed (how many, a few names), then
sent by a job that writes a notification to each recipient (emailed per their choice, see
notifications/notify.py, or always when the coordinator marks it required) and their outbox rows.

The compose form carries a token: the first post with it creates the message and queues the job, a
second post of the same form finds the message and sends nothing. The job takes the message with one
conditional UPDATE in the transaction of its notifications, so it writes them exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    BulkMessage,
    College,
    EmailChoice,
    HostMember,
    NotificationKind,
    NotificationPreference,
    Placement,
    PlacementStatus,
    Position,
    PositionStatus,
    Role,
    Season,
    StudentProfile,
    User,
    utcnow,
)
from ..errors import NotFound, ServiceError
from ..notifications.notify import notify, site_path
from ..support import audit, jobs
from ..support.plain_text import text_problem

log = logging.getLogger(__name__)

SEGMENTS = {
    "uncertified": "Students whose rank list is not certified",
    "hosts_not_ranked": "Host members with positions whose rank list is not certified",
    "offers_unanswered": "Students with an offer they have not answered",
    "college": "Students of one college",
    "all_students": "All students of the season",
    "all_hosts": "All host members of the season",
}
JOB = "directory.send_bulk_message"
SUBJECT_MAX, BODY_MAX = 150, 5000


@dataclass(frozen=True)
class Preview:
    count: int
    names: list[str]


def recipients_query(season: Season, segment: str, college_id: int | None = None):
    """The select of the segment's active people (Users), by name."""
    students = db.select(User).where(User.role == Role.STUDENT, User.active.is_(True))
    applied = db.select(Application.student_id).where(Application.season_id == season.id)
    if segment == "uncertified":
        query = students.where(
            User.id.in_(
                applied.where(
                    Application.status == ApplicationStatus.SUBMITTED, Application.ranks_certified_at.is_(None)
                )
            )
        )
    elif segment == "offers_unanswered":
        offered = db.select(Placement.student_id).where(
            Placement.season_id == season.id, Placement.status == PlacementStatus.OFFERED
        )
        query = students.where(User.id.in_(offered))
    elif segment == "college":
        at_college = db.select(StudentProfile.user_id).where(StudentProfile.college_id == college_id)
        query = students.where(User.program_id == season.program_id, User.id.in_(at_college))
    elif segment == "all_students":
        query = students.where(User.id.in_(applied))
    elif segment in ("hosts_not_ranked", "all_hosts"):
        positions = db.select(Position.host_id).where(
            Position.season_id == season.id, Position.status == PositionStatus.OPEN
        )
        if segment == "hosts_not_ranked":
            positions = positions.where(Position.ranks_certified_at.is_(None))
        members = db.select(HostMember.user_id).where(HostMember.host_id.in_(positions))
        query = db.select(User).where(User.active.is_(True), User.id.in_(members))
    else:
        raise ServiceError("Choose who receives the message.", "segment")
    return query.order_by(User.name, User.id)


def check_message(season: Season, segment: str, college_id: int | None, subject: str, body: str) -> None:
    """Refuse a message that cannot be sent: unknown segment, another program's college, bad text."""
    if segment not in SEGMENTS:
        raise ServiceError("Choose who receives the message.", "segment")
    if segment == "college" and (college_id is None or db.session.get(College, college_id) is None):
        raise ServiceError("Choose the college whose students receive the message.", "college_id")
    subject = subject.strip()
    if not subject or len(subject) > SUBJECT_MAX or text_problem(subject):
        raise ServiceError(f"Write a subject of one line, at most {SUBJECT_MAX} characters.", "subject")
    if not body.strip() or len(body) > BODY_MAX or text_problem(body, multiline=True):
        raise ServiceError(f"Write the message in plain text, at most {BODY_MAX} characters.", "body")


def preview(season: Season, segment: str, college_id: int | None, subject: str, body: str) -> Preview:
    check_message(season, segment, college_id, subject, body)
    query = recipients_query(season, segment, college_id)
    count = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery())) or 0
    names = [user.name for user in db.session.scalars(query.limit(5))]
    return Preview(count, names)


def create_message(
    actor: User,
    season: Season,
    segment: str,
    college_id: int | None,
    subject: str,
    body: str,
    required: bool,
    token: str,
) -> tuple[BulkMessage, bool]:
    """Record the message (audited) and say whether it is new; the caller queues `queue(message.id)`
    after this commits. The same token again: the message it made, and False (nothing to send)."""
    if season.program_id != actor.program_id:
        raise NotFound("There is no such season in your program.")
    check_message(season, segment, college_id, subject, body)
    if not token or len(token) > 64 or text_problem(token):
        raise ServiceError("This form has expired: compose the message again.")
    existing = _by_token(token)
    if existing is not None:
        if existing.program_id != actor.program_id:
            raise NotFound("There is no such message.")
        return existing, False
    inserted = _insert_once(
        dict(
            program_id=season.program_id,
            season_id=season.id,
            sender_id=actor.id,
            segment=segment,
            college_id=college_id if segment == "college" else None,
            subject=subject.strip(),
            body=body.strip(),
            required=required,
            token=token,
            created_at=utcnow(),
        )
    )
    message = _by_token(token)
    if not inserted:  # a twin post of the same form inserted it a moment ago: it sends it
        db.session.commit()
        return message, False
    audit.record(actor, "bulk_message.created", message, program_id=season.program_id, segment=segment)
    db.session.commit()
    return message, True


def _insert_once(row: dict) -> bool:
    """Insert the message unless its token is taken (a twin post at the same moment waits for the
    first, then inserts nothing); whether this call inserted it."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(BulkMessage).values(row).on_conflict_do_nothing(index_elements=["token"])
    return db.session.execute(statement.returning(BulkMessage.id)).first() is not None


def _by_token(token: str) -> BulkMessage | None:
    return db.session.scalar(db.select(BulkMessage).where(BulkMessage.token == token))


def queue(message_id: int) -> None:
    jobs.enqueue(JOB, message_id)


def send(message_id: int) -> int:
    """The job: a notification (and its email, per choice) for each recipient, once; how many."""
    taken = db.session.execute(
        update(BulkMessage)
        .where(BulkMessage.id == message_id, BulkMessage.sent_at.is_(None))
        .values(sent_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        return 0
    message = db.session.get(BulkMessage, message_id)
    season = db.session.get(Season, message.season_id)
    people = list(db.session.scalars(recipients_query(season, message.segment, message.college_id)))
    choices = dict(
        db.session.execute(
            db.select(NotificationPreference.user_id, NotificationPreference.choice).where(
                NotificationPreference.kind == NotificationKind.BULK,
                NotificationPreference.user_id.in_([person.id for person in people]),
            )
        ).all()
    )
    link = site_path("notifications.index")
    for person in people:
        notify(
            person,
            NotificationKind.BULK,
            message.subject,
            link,
            program=season.program,
            season=season,
            required=message.required,
            choice=EmailChoice(choices.get(person.id, EmailChoice.NOW)),
            bulk_message_id=message.id,
            body=message.body,
        )
    message.recipients = len(people)
    audit.record(message.sender, "bulk_message.sent", message, program_id=message.program_id, recipients=len(people))
    db.session.commit()
    return len(people)


def messages_of(season: Season) -> list[BulkMessage]:
    return list(
        db.session.scalars(
            db.select(BulkMessage).where(BulkMessage.season_id == season.id).order_by(BulkMessage.created_at.desc())
        )
    )


def colleges() -> list[College]:
    return list(db.session.scalars(db.select(College).order_by(College.name)))


JOBS = (jobs.Job(JOB, send, retries=2, retry_delay=30),)
