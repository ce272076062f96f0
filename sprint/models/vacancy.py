"""Vacancy rounds after publication: a round's own window, students' applications to the seats left,
hosts' rank lists of those applicants, and hosts' invitations to students who have not applied."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import one_of, utcnow

if TYPE_CHECKING:
    from .market import Position
    from .people import User
    from .programs import Season

ROUND_OPEN = "status = 'open'"


class VacancyStatus(enum.StrEnum):
    OPEN = "open"  # scheduled, taking applications and ranks, or waiting for its match
    PUBLISHED = "published"  # its match is published
    CANCELLED = "cancelled"  # closed by the coordinator without a publication

    @property
    def label(self) -> str:
        return {"open": "Open", "published": "Published", "cancelled": "Cancelled"}[self.value]


class VacancyRound(db.Model):
    """A round after round 1: number 2, 3... of its season, with its own window, limit and offer hours."""

    __table_args__ = (
        UniqueConstraint("season_id", "number"),
        one_of("status", VacancyStatus),
        CheckConstraint("number >= 2", name="number_after_first"),
        CheckConstraint("closes_at > opens_at", name="window_ordered"),
        CheckConstraint("max_applications >= 1 AND max_applications <= 20", name="max_applications_range"),
        CheckConstraint("offer_hours >= 1 AND offer_hours <= 720", name="offer_hours_range"),
        # One open round per season at a time.
        Index(
            "uq_vacancy_round_open",
            "season_id",
            unique=True,
            sqlite_where=text(ROUND_OPEN),
            postgresql_where=text(ROUND_OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    opens_at: Mapped[datetime]  # UTC
    closes_at: Mapped[datetime]  # UTC: applications and host ranks close
    max_applications: Mapped[int] = mapped_column(default=3)
    include_declined: Mapped[bool] = mapped_column(default=False)  # students who declined or let an offer expire
    offer_hours: Mapped[int] = mapped_column(default=48)  # the round's offers are answered within this
    status: Mapped[str] = mapped_column(String(10), default=VacancyStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]  # published or cancelled
    opened_emails_at: Mapped[datetime | None]  # "the round is open" went out
    reminder_sent_at: Mapped[datetime | None]  # "the window closes soon" went out

    season: Mapped[Season] = relationship()


class VacancyApplication(db.Model):
    """A student applying to one position in a vacancy round; `rank` orders the student's applications
    (1 = first choice), which is their list for the round's match."""

    __table_args__ = (
        UniqueConstraint("round_id", "student_id", "position_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        Index("ix_vacancy_application_round_position", "round_id", "position_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vacancy_round.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[VacancyRound] = relationship()
    student: Mapped[User] = relationship()
    position: Mapped[Position] = relationship()


class VacancyHostRank(db.Model):
    """One line of a position's list in a vacancy round; equal numbers are a tie, as in round 1."""

    __table_args__ = (
        UniqueConstraint("round_id", "position_id", "student_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        Index("ix_vacancy_host_rank_round_position", "round_id", "position_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vacancy_round.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VacancyInvitation(db.Model):
    """A host asking an eligible student who has not applied to apply to one position in the round."""

    __table_args__ = (UniqueConstraint("round_id", "position_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vacancy_round.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position: Mapped[Position] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
