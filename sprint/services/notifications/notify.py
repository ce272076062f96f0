"""Record a notification and handle its email per the person's choice for its kind.

Any feature calls `notify(user, kind, subject, link, program=..., email_template=..., **context)` in its
own transaction: the notification row and the email (an outbox row, see support/notify.py) commit with
the caller's work. "now": the email goes now (the feature's template, or the plain notification text);
"digest": the notification waits for the daily digest (digest.py); "off": the list only. The kinds in
REQUIRED (offers and their deadlines, which the students' contracts and the program's rules make us
send) are emailed whatever the choice. `once_key` makes a notice reach a person once (a deadline, a
bulk message): a second call with the same key does nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import force_locale, gettext
from flask_babel.speaklater import LazyString

from ...extensions import db
from ...links import absolute_url
from ...models import EmailChoice, Notification, NotificationKind, NotificationPreference, Program, Season, User, utcnow
from ..support.local_time import DEFAULT_LOCALE, LocalWhen
from ..support.notify import send_email
from ..support.plain_text import one_line

REQUIRED = frozenset({NotificationKind.OFFER, NotificationKind.OFFER_DEADLINE})


def site_path(endpoint: str, **values) -> str:
    """The path of an endpoint on this site (a notification's link), built without a request."""
    return urlsplit(absolute_url(endpoint, **values)).path


def choice_of(user: User, kind: NotificationKind) -> EmailChoice:
    """How this person wants emails of this kind (no choice made: now; required kinds: always now)."""
    if NotificationKind(kind) in REQUIRED:
        return EmailChoice.NOW
    choice = db.session.scalar(
        db.select(NotificationPreference.choice).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == NotificationKind(kind)
        )
    )
    return EmailChoice(choice) if choice else EmailChoice.NOW


def notify(
    user: User,
    kind: NotificationKind,
    subject: str,
    link: str,
    *,
    program: Program | None,
    season: Season | None = None,
    email_template: str | None = None,
    email_subject: str | None = None,
    required: bool = False,
    once_key: str | None = None,
    email_now: bool = True,
    choice: EmailChoice | None = None,
    bulk_message_id: int | None = None,
    record: bool = True,
    **context,
) -> Notification | None:
    """Add the notification to the caller's session and queue its email if the person wants it now
    (or it is required); None when `once_key` was used for this person already. `email_now=False`:
    a "now" person gets no email from this call (another sender emails them), a digest one still
    gets it in the digest. `record=False`: the email only, if the person wants this kind now (a repeated
    reminder whose notice is in the list already). `choice`: the person's choice for this kind, when
    the caller loaded many."""
    kind = NotificationKind(kind)
    if once_key is not None and _seen(user, once_key):
        return None
    choice = EmailChoice.NOW if required or kind in REQUIRED else (choice or choice_of(user, kind))
    email_subject = email_subject or subject  # a lazy_gettext subject: translated in the person's language
    phrase, phrase_args = _phrase_of(subject)
    with force_locale(user.locale or DEFAULT_LOCALE):  # the list shows it in the person's language
        subject = one_line(str(subject))[:200]
    now = utcnow()
    emailed = False
    if choice == EmailChoice.NOW and email_now and user.active:
        emailed = send_email(
            user.email,
            email_subject,
            email_template or "notification",
            program=program,
            locale=user.locale,
            user=user,
            notice=subject,
            link_url=_absolute(link),
            season=season,
            **context,
        )
    if not record:
        return None
    notification = Notification(
        user_id=user.id,
        program_id=program.id if program is not None else None,
        season_id=season.id if season is not None else None,
        bulk_message_id=bulk_message_id,
        kind=kind,
        subject=subject,
        phrase=phrase,
        phrase_args=phrase_args,
        link=link,
        once_key=once_key,
        created_at=now,
        emailed_at=now if emailed else None,
        digest_due=choice == EmailChoice.DIGEST,
    )
    db.session.add(notification)
    return notification


def _phrase_of(subject) -> tuple[str | None, dict | None]:
    """A `lazy_gettext` subject's message and values, kept so the list can translate it when read;
    (None, None) for plain text (a bulk message's subject, an English-only host notice)."""
    if not (isinstance(subject, LazyString) and subject._func is gettext and len(subject._args) == 1):
        return None, None
    values = {}
    for name, value in subject._kwargs.items():
        if isinstance(value, LocalWhen):
            values[name] = {"when": value.as_json()}
        elif isinstance(value, str | int | float):
            values[name] = str(value)
        else:
            return None, None
    return subject._args[0], values


def shown_subject(notification: Notification) -> str:
    """The notification's text in the language of the current request (or of `force_locale`): its
    message translated now, its dates formatted now; the stored text when it has no message."""
    if not notification.phrase:
        return notification.subject
    values = {
        name: LocalWhen.from_json(value["when"]) if isinstance(value, dict) else value
        for name, value in (notification.phrase_args or {}).items()
    }
    try:
        return one_line(gettext(notification.phrase, **values))[:200]
    except (KeyError, ValueError, TypeError):  # a message whose placeholders changed since: the stored text
        return notification.subject


def mark_read_at(user: User, link: str) -> None:
    """The person has seen the page these notifications link to (a thread they opened): they are read."""
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.link == link, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _seen(user: User, once_key: str) -> bool:
    db.session.flush()  # the same key twice in one transaction counts too
    return (
        db.session.scalar(
            db.select(Notification.id).where(Notification.user_id == user.id, Notification.once_key == once_key)
        )
        is not None
    )


def _absolute(link: str) -> str:
    if not link:
        return ""
    base = urlsplit(absolute_url("main.index"))
    return f"{base.scheme}://{base.netloc}{link}"
