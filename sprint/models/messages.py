"""Messages between a host's team and one applicant: one thread per application to a position."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import utcnow

if TYPE_CHECKING:
    from .market import PositionInterest
    from .people import User


class MessageThread(db.Model):
    """The conversation about one PositionInterest, between the student and every member of the host.

    Made when either side writes first. A coordinator of the program may close it (with a reason):
    then it takes no new messages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    interest_id: Mapped[int] = mapped_column(
        ForeignKey("position_interest.id", ondelete="CASCADE"), unique=True, index=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    close_reason: Mapped[str] = mapped_column(Text, default="")

    interest: Mapped[PositionInterest] = relationship(lazy="joined")
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(db.Model):
    """One plain-text message; `from_host` says which side wrote it (the author may later leave the team)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    from_host: Mapped[bool]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    notified_at: Mapped[datetime | None] = mapped_column(index=True)  # the batched email job handled it

    thread: Mapped[MessageThread] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class ThreadRead(db.Model):
    """How far one participant (the student, or one host member) has read one thread."""

    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_id: Mapped[int] = mapped_column(default=0)  # the newest Message.id they have seen
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
