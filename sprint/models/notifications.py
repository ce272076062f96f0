"""In-app notifications, each person's email choice per kind, and coordinators' bulk messages."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import one_of, utcnow
from .people import User


class NotificationKind(enum.StrEnum):
    INTERVIEW = "interview"  # invited to interview (wired by the interviews feature)
    MESSAGE = "message"  # a message received (wired by the messages feature)
    DEADLINE = "deadline"  # applications or ranking close in 3 days
    NOT_CERTIFIED = "not_certified"  # a rank list not certified as the ranking deadline nears
    OFFER = "offer"  # a published offer awaits the student's answer (required)
    OFFER_DEADLINE = "offer_deadline"  # the offer's answer is due in 3 days (required)
    VACANCY_ROUND = "vacancy_round"  # a vacancy round is open
    BULK = "bulk"  # a coordinator's message


class EmailChoice(enum.StrEnum):
    NOW = "now"
    DIGEST = "digest"
    OFF = "off"


class Notification(db.Model):
    """One thing that needs a person: shown in their list until read; emailed now, in the day's digest or not,
    as they chose for its kind (`emailed_at` when an email went; `digest_due` while it waits for the digest)."""

    __table_args__ = (
        one_of("kind", NotificationKind),
        UniqueConstraint("user_id", "once_key"),  # a deadline notice or a bulk message reaches a person once
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_digest_due", "digest_due", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    season_id: Mapped[int | None] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"))
    bulk_message_id: Mapped[int | None] = mapped_column(ForeignKey("bulk_message.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))  # the text in the person's language when it was made
    # the translatable message and its values, so the list reads in the language the person reads now
    # (services/notifications/notify.py: shown_subject); None for text that is not translated (a bulk message)
    phrase: Mapped[str | None] = mapped_column(Text)
    phrase_args: Mapped[dict | None] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(500), default="")  # a path on this site, where to act
    once_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    digest_due: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
    bulk_message: Mapped[BulkMessage | None] = relationship()


class NotificationPreference(db.Model):
    """A person's email choice for one kind; no row: "email now"."""

    __table_args__ = (UniqueConstraint("user_id", "kind"), one_of("choice", EmailChoice))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    choice: Mapped[str] = mapped_column(String(10), default=EmailChoice.NOW)


class BulkMessage(db.Model):
    """A coordinator's message to a segment of a season; `token` (one per compose form) makes a second
    post of the same form send nothing; the job fills `recipients` and `sent_at`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    segment: Mapped[str] = mapped_column(String(30))
    college_id: Mapped[int | None] = mapped_column(ForeignKey("college.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=False)  # emailed whatever the person chose
    token: Mapped[str] = mapped_column(String(64), unique=True)
    recipients: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    sender: Mapped[User | None] = relationship()
