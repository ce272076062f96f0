"""A person's own notifications: the page (newest first), the unread count, marking read, and the
email choices of the account page. Every id is checked against the person: another's is NotFound."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update

from ...extensions import db
from ...models import EmailChoice, Notification, NotificationKind, NotificationPreference, User, utcnow
from ..errors import NotFound, ServiceError
from ..support import audit
from ..support.paging import Page, paginate_rows
from .notify import REQUIRED


@dataclass(frozen=True)
class KindText:
    kind: NotificationKind
    label: object  # a lazy string: the person's language


KINDS = (
    KindText(NotificationKind.INTERVIEW, _l("Invited to interview")),
    KindText(NotificationKind.MESSAGE, _l("Message received")),
    KindText(NotificationKind.DEADLINE, _l("A deadline in 3 days (applications, ranking)")),
    KindText(NotificationKind.NOT_CERTIFIED, _l("Rank list not certified as ranking closes")),
    KindText(NotificationKind.VACANCY_ROUND, _l("A vacancy round is open")),
    KindText(NotificationKind.BULK, _l("Messages from your coordinator")),
    KindText(NotificationKind.OFFER, _l("An offer to answer")),
    KindText(NotificationKind.OFFER_DEADLINE, _l("An offer's answer due in 3 days")),
)
CHOOSABLE = tuple(entry for entry in KINDS if entry.kind not in REQUIRED)
FIXED = tuple(entry for entry in KINDS if entry.kind in REQUIRED)


def page_of(user: User, page: int, per_page: int) -> Page:
    """The person's notifications, newest first."""
    query = (
        db.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate_rows(query, page, per_page)


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            db.select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the person's notifications read (another's, or none: NotFound)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("There is no such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    done = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return done


def choices_of(user: User) -> dict[str, str]:
    """The person's email choice for every choosable kind (no row: now)."""
    saved = dict(
        db.session.execute(
            db.select(NotificationPreference.kind, NotificationPreference.choice).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {str(entry.kind): saved.get(str(entry.kind), str(EmailChoice.NOW)) for entry in CHOOSABLE}


def set_choices(user: User, choices: dict[str, str]) -> None:
    """Save the person's choices (kind -> now/digest/off); a required kind or an unknown value is refused."""
    choosable = {str(entry.kind) for entry in CHOOSABLE}
    for kind, choice in choices.items():
        if kind not in choosable or choice not in {str(value) for value in EmailChoice}:
            raise ServiceError("Choose email now, daily digest or off for each kind.")
    rows = {
        row.kind: row
        for row in db.session.scalars(
            db.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, choice in choices.items():
        row = rows.get(kind)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, choice=choice))
        else:
            row.choice = choice
    audit.record(user, "notifications.choices_saved", user, program_id=user.program_id, **choices)
    db.session.commit()
