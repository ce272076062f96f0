"""The email outbox: messages are rows written with the work they report, and jobs send them.

`queue_email` (what `notify.send_email` calls) keeps the rendered message in the caller's session;
the session's commit inserts every message of the transaction in one statement and, once the
commit has succeeded, queues `support.send_outbox`. Work that is rolled back sends nothing.

`send_outbox` claims a batch of due rows (one conditional UPDATE: two senders never claim the same
row), sends them over one SMTP connection and marks each row sent, committed, right after its own
message: a sender that dies mid-batch leaves the rest "sending", and `release_stale` gives them
back 10 minutes later, so nothing already sent is sent again. A temporary failure (an SMTP 4xx,
a server that cannot be reached) puts the row back with a later `next_attempt_at` (1, 2, 4 …
minutes, at most an hour); a permanent one (5xx, an address the server refuses) or the last
allowed attempt marks it failed, for a coordinator to see and resend. A periodic job runs the
sender every minute as well, so a mail server that is down for an hour loses nothing.
"""

from __future__ import annotations

import mimetypes
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mailman import EmailMessage
from huey import crontab
from sqlalchemy import event, func, insert, true, update
from sqlalchemy.orm import Session

from ...extensions import db, mail
from ...models import EmailStatus, OutboxEmail, Role, User, utcnow
from ..errors import NotAllowed
from . import audit, jobs

SEND_JOB = "support.send_outbox"
QUEUED_KEY = "sprint.outbox.queued"  # session.info: the rows this transaction will insert
STALE_AFTER = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)


def queue_email(
    recipient: str,
    subject: str,
    template: str,
    body: str,
    program_id: int | None,
    attachment: tuple[str, str] | None = None,
) -> None:
    """Add one message to the caller's transaction: it is inserted, and sent, only if that commits.
    `attachment` is one optional text file, (file name, text): an interview's "invite.ics"."""
    now = utcnow()
    db.session().info.setdefault(QUEUED_KEY, []).append(
        dict(
            program_id=program_id,
            recipient=recipient,
            subject=subject,
            template=template,
            body=body,
            status=EmailStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            attachment_name=attachment[0] if attachment else None,
            attachment=attachment[1] if attachment else None,
        )
    )


@event.listens_for(db.session, "before_commit")
def _insert_queued(session: Session) -> None:
    rows = session.info.get(QUEUED_KEY)
    if rows:
        session.flush()  # the work first, then its emails, in the same transaction
        session.execute(insert(OutboxEmail), rows)
        session.info["sprint.outbox.inserted"] = True
    session.info.pop(QUEUED_KEY, None)


@event.listens_for(db.session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(QUEUED_KEY, None)
    session.info.pop("sprint.outbox.inserted", None)


@event.listens_for(db.session, "after_commit")
def _start_sender(session: Session) -> None:
    if session.info.pop("sprint.outbox.inserted", False):
        start_sender()


def start_sender() -> None:
    """Queue the sender; a queue that cannot be reached is logged (the minute's run sends instead)."""
    try:
        jobs.enqueue(SEND_JOB)
    except Exception:  # noqa: BLE001 - the rows are committed; the periodic job will send them
        current_app.logger.exception("Could not queue the email sender; the periodic run will send")


# The sender


def release_stale(now: datetime | None = None) -> int:
    """Rows left "sending" by a sender that died go back to pending; how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.status == EmailStatus.SENDING, OutboxEmail.claimed_at < now - STALE_AFTER)
        .values(status=EmailStatus.PENDING, claimed_by=None, claimed_at=None)
    )
    db.session.commit()
    return result.rowcount


def claim_batch(size: int, now: datetime | None = None) -> list[OutboxEmail]:
    """Mark up to `size` due rows "sending" under a token of this batch and return them.

    The UPDATE re-checks the status, so a row is claimed by one sender only: on PostgreSQL the rows
    are chosen FOR UPDATE SKIP LOCKED (a second sender takes the next ones), on SQLite the write lock
    serialises the UPDATEs and a sender that lost every row to another one chooses again."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    for _ in range(5):
        due = list(
            db.session.scalars(
                db.select(OutboxEmail.id)
                .where(OutboxEmail.status == EmailStatus.PENDING, OutboxEmail.next_attempt_at <= now)
                .order_by(OutboxEmail.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )
        if not due:
            db.session.commit()
            return []
        claimed = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(due), OutboxEmail.status == EmailStatus.PENDING)
            .values(status=EmailStatus.SENDING, claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed:
            break
    return list(
        db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.claimed_by == token).order_by(OutboxEmail.id))
    )


@dataclass(frozen=True)
class Failure:
    message: str
    temporary: bool
    connection_lost: bool = False


def _failure(error: Exception) -> Failure:
    """What a send error means: temporary (try again later) or permanent (give up)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (550, b""))
        return Failure(f"{code} {_text(text)}", temporary=400 <= code < 500)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Failure(f"The mail server closed the connection: {error}", True, connection_lost=True)
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return Failure(f"{code} {_text(error.smtp_error)}", temporary=400 <= code < 500, connection_lost=code == 421)
    if isinstance(error, OSError):  # refused, timed out, unreachable
        return Failure(f"The mail server could not be reached: {error}", True, connection_lost=True)
    return Failure(f"{type(error).__name__}: {error}", temporary=False)  # a bad address, a header error


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _record_failure(row: OutboxEmail, failure: Failure) -> None:
    row.attempts += 1
    row.last_error = failure.message[:500]
    row.claimed_by = row.claimed_at = None
    if failure.temporary and row.attempts < current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        row.status, row.next_attempt_at = EmailStatus.PENDING, utcnow() + backoff(row.attempts)
    else:
        row.status = EmailStatus.FAILED
    db.session.commit()


def send_batch(rows: list[OutboxEmail]) -> int:
    """Send claimed rows over one connection, committing each row's outcome after its send."""
    connection = mail.get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - nothing was sent: every row waits for a later try
        for row in rows:
            _record_failure(row, _failure(error))
        return 0
    sent = 0
    try:
        for row in rows:
            message = EmailMessage(row.subject, row.body, to=[row.recipient], connection=connection)
            if row.attachment_name and row.attachment is not None:
                message.attach(row.attachment_name, row.attachment, _attachment_type(row.attachment_name))
            try:
                message.send()
            except Exception as error:  # noqa: BLE001 - one message's failure is recorded, the batch goes on
                failure = _failure(error)
                _record_failure(row, failure)
                if failure.connection_lost:
                    connection.close()
                    connection.open()
                continue
            row.status, row.sent_at, row.claimed_by = EmailStatus.SENT, utcnow(), None
            row.attempts += 1
            db.session.commit()
            sent += 1
    except Exception as error:  # noqa: BLE001 - the connection could not be reopened: the rest wait
        failure = _failure(error)
        for row in rows:
            if row.status == EmailStatus.SENDING:
                _record_failure(row, failure)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection
            pass
    return sent


def _attachment_type(name: str) -> str:
    """The MIME type of an attachment by its file name; a calendar invitation says its METHOD too."""
    if name.endswith(".ics"):
        method = "CANCEL" if "cancel" in name else "REQUEST"
        return f"text/calendar; method={method}"  # the mail library adds the charset
    return mimetypes.guess_type(name)[0] or "text/plain"


def send_outbox() -> int:
    """The job: send due messages batch by batch. On a real queue a full batch first queues another
    sender, so N workers send N batches at once; in immediate mode (tests) it loops instead."""
    size = int(current_app.config["OUTBOX_BATCH_SIZE"])
    immediate = bool(getattr(jobs.jobs_of().huey, "immediate", False))
    sent = 0
    while True:
        rows = claim_batch(size)
        if not rows:
            return sent
        if len(rows) == size and not immediate:
            start_sender()
        sent += send_batch(rows)
        if not immediate:
            return sent


def send_outbox_every_minute() -> int:
    """The periodic job: give back rows of dead senders, then send whatever is due."""
    release_stale()
    return send_outbox()


JOBS = (
    jobs.Job(SEND_JOB, send_outbox),
    jobs.Job("support.send_outbox_periodic", send_outbox_every_minute, every=crontab(minute="*")),
)


# For coordinators


def _of(program_id: int | None):
    """The rows of one program, or (None: an administrator) of every program and of none."""
    return OutboxEmail.program_id == program_id if program_id is not None else true()


def failed_emails(program_id: int | None, limit: int = 200) -> list[OutboxEmail]:
    """The program's emails that were given up on (None: the whole installation's), newest first."""
    return list(
        db.session.scalars(
            db.select(OutboxEmail)
            .where(_of(program_id), OutboxEmail.status == EmailStatus.FAILED)
            .order_by(OutboxEmail.id.desc())
            .limit(limit)
        )
    )


def waiting_count(program_id: int | None) -> int:
    """How many of the program's emails (None: the installation's) wait to be sent."""
    return db.session.scalar(
        db.select(func.count(OutboxEmail.id)).where(
            _of(program_id), OutboxEmail.status.in_((EmailStatus.PENDING, EmailStatus.SENDING))
        )
    )


def resend(actor: User, email: OutboxEmail) -> OutboxEmail:
    """A coordinator (for the program's emails) or an administrator (for any) sends a failed email
    again: it is pending with a fresh count of attempts (an email no longer failed is left as it is)."""
    if actor.role != Role.ADMIN and (email.program_id is None or email.program_id != actor.program_id):
        raise NotAllowed("This email is not one of your program's.")
    if email.status != EmailStatus.FAILED:  # a second click, or another coordinator was first
        return email
    email.status, email.attempts, email.next_attempt_at = EmailStatus.PENDING, 0, utcnow()
    email.claimed_by = email.claimed_at = None
    audit.record(actor, "email.resent", email, program_id=email.program_id, recipient=email.recipient)
    db.session.commit()
    start_sender()
    return email
