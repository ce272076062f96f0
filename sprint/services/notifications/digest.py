"""The daily digest: one email per person with every notification that waits for it, sent once.

Each person's items are taken with one conditional UPDATE in the same transaction as their outbox
row, so two workers at once send one digest, and a failed commit sends none (the next day's job does)."""

from __future__ import annotations

from flask_babel import force_locale, lazy_ngettext
from huey import crontab
from sqlalchemy import update

from ...extensions import db
from ...models import Notification, Program, User, utcnow
from ..support import jobs
from ..support.local_time import DEFAULT_LOCALE
from ..support.notify import send_email
from .notify import _absolute, shown_subject


def send_digests() -> int:
    """The job: every person's digest; how many digests were queued."""
    user_ids = db.session.scalars(
        db.select(Notification.user_id)
        .where(Notification.digest_due.is_(True))
        .distinct()
        .order_by(Notification.user_id)
    ).all()
    db.session.commit()
    return sum(_send_digest(user_id) for user_id in user_ids)


def _send_digest(user_id: int) -> int:
    items = list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.user_id == user_id, Notification.digest_due.is_(True))
            .order_by(Notification.created_at, Notification.id)
        )
    )
    now = utcnow()
    taken = db.session.execute(
        update(Notification)
        .where(Notification.id.in_([item.id for item in items]), Notification.digest_due.is_(True))
        .values(digest_due=False, emailed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    user = db.session.get(User, user_id)
    if not items or taken != len(items) or user is None:  # another worker took them
        db.session.rollback()
        return 0
    sent = 0
    if user.active:
        program = db.session.get(Program, user.program_id) if user.program_id else None
        with force_locale(user.locale or DEFAULT_LOCALE):
            lines = [(shown_subject(item), _absolute(item.link)) for item in items]
        count = len(lines)
        subject = lazy_ngettext(
            "Your daily summary: %(num)d notification", "Your daily summary: %(num)d notifications", count
        )
        sent = int(
            send_email(
                user.email, subject, "notification_digest", program=program, locale=user.locale, user=user, lines=lines
            )
        )
    db.session.commit()
    return sent


JOBS = (jobs.Job("notifications.digest", send_digests, every=crontab(minute="0", hour="22")),)  # 5-6 PM Eastern
