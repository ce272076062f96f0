"""The batched email about new messages: a periodic job sends each person one email listing the
threads with messages they have not read, never one email per message.

Each message is handled by the job once (`Message.notified_at`, set in the same commit as the outbox
rows, so a failed commit sends nothing and the next run tries again). A message its recipient has
already read when the job runs is left out of their email; a person with nothing unread gets none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from huey import crontab

from ...extensions import db
from ...links import absolute_url
from ...models import (
    EmailChoice,
    HostMember,
    Message,
    MessageThread,
    NotificationKind,
    NotificationPreference,
    PositionInterest,
    Program,
    ThreadRead,
    User,
    utcnow,
)
from ..support import jobs
from ..support.notify import send_email


@dataclass(frozen=True)
class DigestLine:
    interest: PositionInterest
    new: int  # messages unread by the recipient among those this run handles
    link: str


def send_digests(now: datetime | None = None) -> int:
    """Email every person with unread new messages one list of their threads; returns how many emails."""
    now = now or utcnow()
    pending = list(
        db.session.scalars(
            db.select(Message)
            .where(Message.notified_at.is_(None))
            .order_by(Message.id)
            .with_for_update(skip_locked=True)
        )
    )
    if not pending:
        return 0
    by_thread: dict[int, list[Message]] = defaultdict(list)
    for message in pending:
        by_thread[message.thread_id].append(message)
    threads = db.session.scalars(db.select(MessageThread).where(MessageThread.id.in_(by_thread))).all()
    read = {
        (row.thread_id, row.user_id): row.last_read_id
        for row in db.session.scalars(db.select(ThreadRead).where(ThreadRead.thread_id.in_(by_thread)))
    }
    not_now = set(  # who chose the digest or no email for messages: this email is not for them
        db.session.scalars(
            db.select(NotificationPreference.user_id).where(
                NotificationPreference.kind == NotificationKind.MESSAGE,
                NotificationPreference.choice != EmailChoice.NOW,
            )
        )
    )
    news: dict[User, list[DigestLine]] = defaultdict(list)
    for thread in threads:
        interest = thread.interest
        for from_host in (True, False):
            batch = [m for m in by_thread[thread.id] if m.from_host is from_host]
            if not batch:
                continue
            endpoint = "student_messages.thread" if from_host else "host_messages.thread"
            for person in [interest.application.student] if from_host else _members(interest.position.host_id):
                new = sum(1 for m in batch if m.id > read.get((thread.id, person.id), 0))
                if new and person.active and person.id not in not_now:
                    news[person].append(DigestLine(interest, new, absolute_url(endpoint, interest_id=interest.id)))
    for message in pending:
        message.notified_at = now
    for person, lines in news.items():
        program = db.session.get(Program, lines[0].interest.position.season.program_id)
        student = person.membership is None
        send_email(
            person.email,
            gettext("New messages about your applications") if student else "New messages from applicants",
            "messages_digest_student" if student else "messages_digest_host",
            program=program,
            person=person,
            lines=lines,
            inbox=absolute_url("student_messages.inbox" if student else "host_messages.inbox"),
        )
    db.session.commit()
    return len(news)


def _members(host_id: int) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User).join(HostMember, HostMember.user_id == User.id).where(HostMember.host_id == host_id)
        )
    )


JOBS = (jobs.Job("messages.email_digest", send_digests, every=crontab(minute="*/10")),)
