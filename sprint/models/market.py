"""A season's market: positions, applications and both sides' rank lists."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import ApplicationStatus, ExtensionKind, PositionStatus, WorkMode, one_of, utcnow

if TYPE_CHECKING:
    from .people import HostCompany, Skill, User
    from .programs import Season


class Position(db.Model):
    """A paid internship a host offers in one season, with its number of intern slots."""

    __table_args__ = (
        UniqueConstraint("host_id", "season_id", "title"),  # the natural key forms and imports match on
        one_of("work_mode", WorkMode),
        one_of("status", PositionStatus),
        CheckConstraint("slots >= 0 AND slots <= 100", name="slots_range"),
        CheckConstraint("hourly_pay > 0", name="paid"),
        CheckConstraint("hours_per_week > 0 AND hours_per_week <= 60", name="hours_range"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host_company.id", ondelete="CASCADE"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    team: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    slots: Mapped[int] = mapped_column(default=1)
    hourly_pay: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    hours_per_week: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    site_town: Mapped[str] = mapped_column(String(120), default="")
    work_mode: Mapped[str] = mapped_column(String(10), default=WorkMode.ONSITE)
    housing_help: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default=PositionStatus.OPEN, index=True)
    ranks_certified_at: Mapped[datetime | None]  # the host certified its rank list
    ranks_version: Mapped[int] = mapped_column(default=0)  # bumped on each save, for concurrent edits
    # an interview booked for this position may be moved or declined until this many hours before it
    interview_cutoff_hours: Mapped[int] = mapped_column(default=24, server_default="24")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    host: Mapped[HostCompany] = relationship(lazy="joined")
    season: Mapped[Season] = relationship()
    skill_links: Mapped[list[PositionSkill]] = relationship(
        back_populates="position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def required_skills(self) -> list[str]:
        return sorted(link.skill.name for link in self.skill_links if link.required)

    @property
    def preferred_skills(self) -> list[str]:
        return sorted(link.skill.name for link in self.skill_links if not link.required)


class PositionSkill(db.Model):
    """A skill a position requires (required=True) or would like (required=False)."""

    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True)
    required: Mapped[bool] = mapped_column(default=True)

    position: Mapped[Position] = relationship(back_populates="skill_links")
    skill: Mapped[Skill] = relationship(lazy="joined")


class Application(db.Model):
    """A student taking part in one season; its interests and rank list hang off it."""

    __table_args__ = (UniqueConstraint("season_id", "student_id"), one_of("status", ApplicationStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ApplicationStatus.STARTED)
    submitted_at: Mapped[datetime | None]
    ranks_certified_at: Mapped[datetime | None]  # the student certified their rank list
    ranks_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    season: Mapped[Season] = relationship()
    student: Mapped[User] = relationship()
    interests: Mapped[list[PositionInterest]] = relationship(
        back_populates="application", cascade="all, delete-orphan", lazy="selectin"
    )
    ranks: Mapped[list[StudentRank]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="StudentRank.rank", lazy="selectin"
    )


class PositionInterest(db.Model):
    """A student applying to one position, with a short statement; lets the host see them."""

    __table_args__ = (UniqueConstraint("application_id", "position_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(back_populates="interests")
    position: Mapped[Position] = relationship(lazy="joined")


class StudentRank(db.Model):
    """One line of a student's rank list: 1 is their first choice; no two lines share a rank."""

    __table_args__ = (
        UniqueConstraint("application_id", "position_id"),
        UniqueConstraint("application_id", "rank"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]

    application: Mapped[Application] = relationship(back_populates="ranks")
    position: Mapped[Position] = relationship(lazy="joined")


class HostRank(db.Model):
    """One line of a position's rank list; equal rank numbers are a tie (a tier)."""

    __table_args__ = (
        UniqueConstraint("position_id", "student_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]

    position: Mapped[Position] = relationship()
    student: Mapped[User] = relationship()


class CandidateReview(db.Model):
    """A host's private notes on one applicant, shared by the host's team; never shown to students."""

    __table_args__ = (UniqueConstraint("host_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host_company.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    interviewed: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeadlineExtension(db.Model):
    """A coordinator's extension of one deadline for one person (a student or a host member)."""

    __table_args__ = (UniqueConstraint("season_id", "user_id", "kind"), one_of("kind", ExtensionKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
