"""Interviews: a host's bookable slots per position, and its invitations to applicants.

An `Interview` is one invitation of one student to interview for one position; it holds at most one
slot (`slot_id`), and a slot is held by at most one interview (unique `slot_id`): the database itself
makes a double booking impossible, whatever two requests do at the same moment.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import one_of, utcnow

if TYPE_CHECKING:
    from .market import Position
    from .people import User


class InterviewFormat(enum.StrEnum):
    ONSITE = "onsite"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"onsite": "On site", "video": "Video call", "phone": "Phone call"}[self.value]


class InterviewStatus(enum.StrEnum):
    INVITED = "invited"  # no slot yet
    BOOKED = "booked"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"  # by the host
    DECLINED = "declined"  # by the student

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


HOLDS_SLOT = (InterviewStatus.BOOKED, InterviewStatus.DONE, InterviewStatus.NO_SHOW)


class InterviewSlot(db.Model):
    """A time a host member offers for one interview of one position."""

    __tablename__ = "interview_slot"
    __table_args__ = (
        one_of("format", InterviewFormat),
        CheckConstraint("minutes BETWEEN 10 AND 240", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]  # naive UTC
    minutes: Mapped[int]
    format: Mapped[str] = mapped_column(String(10), default=InterviewFormat.VIDEO)
    address: Mapped[str] = mapped_column(String(300), default="")  # on site
    link: Mapped[str] = mapped_column(String(500), default="")  # video
    interviewer: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position: Mapped[Position] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def format_label(self) -> str:
        return InterviewFormat(self.format).label


class Interview(db.Model):
    """One student's invitation to interview for one position, and the slot they booked."""

    __table_args__ = (
        UniqueConstraint("position_id", "student_id"),  # one invitation per applicant and position
        UniqueConstraint("slot_id"),  # a slot holds one student: no double booking
        one_of("status", InterviewStatus),
        CheckConstraint(
            "(slot_id IS NULL) = (status IN ('invited', 'cancelled', 'declined'))", name="slot_matches_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("interview_slot.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default=InterviewStatus.INVITED)
    sequence: Mapped[int] = mapped_column(default=0)  # the .ics SEQUENCE: bumped at each change of the event
    starts_at: Mapped[datetime | None]  # the booked (or last booked) slot's start, kept after a cancellation
    reminded_at: Mapped[datetime | None]  # the 24-hour reminder of the current booking went out
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position: Mapped[Position] = relationship(lazy="joined")
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    slot: Mapped[InterviewSlot | None] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return InterviewStatus(self.status).label
