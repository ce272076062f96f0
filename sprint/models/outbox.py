"""Emails waiting to be sent: the outbox that background jobs empty (see services/support/outbox.py)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .enums import one_of, utcnow


class EmailStatus(enum.StrEnum):
    PENDING = "pending"  # waits for a sender (now, or at next_attempt_at after a temporary failure)
    SENDING = "sending"  # claimed by one sender; back to pending if it is still here 10 minutes later
    SENT = "sent"
    FAILED = "failed"  # refused for good, or too many attempts: a coordinator may resend it


class OutboxEmail(db.Model):
    """One message to one recipient, its text rendered when it was queued (a later change to the
    template never alters it), written in the same transaction as the work it reports."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        one_of("status", EmailStatus),
        Index("ix_outbox_email_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the sender's batch token while sending
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # one optional text attachment (an interview's .ics): its file name says its type
    attachment_name: Mapped[str | None] = mapped_column(String(120))
    attachment: Mapped[str | None] = mapped_column(Text)
