"""Programs (partnerships), their seasons, and the college directory."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import CollegeKind, ExpiredOffers, Phase, one_of, utcnow

if TYPE_CHECKING:
    from .people import HostCompany


class Program(db.Model):
    """A partnership that runs internships; each program sees only its own data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # the IANA name of the zone every date and time of the program is read and typed in
    time_zone: Mapped[str] = mapped_column(String(64), default="America/New_York", server_default="America/New_York")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    seasons: Mapped[list[Season]] = relationship(back_populates="program", order_by="Season.year")
    hosts: Mapped[list[HostCompany]] = relationship(back_populates="program")


class Season(db.Model):
    """One season ("Summer 2027") of a program, with its phase dates."""

    __table_args__ = (
        UniqueConstraint("program_id", "year"),
        one_of("phase", Phase),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_sane"),
        CheckConstraint(
            "applications_close_at IS NULL OR applications_open_at IS NULL"
            " OR applications_open_at < applications_close_at",
            name="applications_window",
        ),
        CheckConstraint(
            "ranking_close_at IS NULL OR applications_close_at IS NULL OR applications_close_at <= ranking_close_at",
            name="ranking_after_applications",
        ),
        CheckConstraint(
            "offer_deadline_at IS NULL OR match_published_at IS NULL OR match_published_at < offer_deadline_at",
            name="offers_after_publication",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    phase: Mapped[str] = mapped_column(String(20), default=Phase.DRAFT)
    applications_open_at: Mapped[datetime | None]
    applications_close_at: Mapped[datetime | None]
    ranking_close_at: Mapped[datetime | None]
    match_published_at: Mapped[datetime | None]
    offer_deadline_at: Mapped[datetime | None]
    # What an offer still unanswered at its deadline becomes (ExpiredOffers): "wait" keeps it pending.
    expired_offers: Mapped[str] = mapped_column(String(10), default=ExpiredOffers.WAIT, server_default="wait")
    phase_changed_at: Mapped[datetime | None]  # when the phase last moved: the moment actions of the old one closed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    program: Mapped[Program] = relationship(back_populates="seasons")

    @property
    def phase_enum(self) -> Phase:
        return Phase(self.phase)


class College(db.Model):
    """A college or university in the shared directory."""

    __table_args__ = (
        UniqueConstraint("name", "state"),
        one_of("kind", CollegeKind),
        CheckConstraint("length(state) = 2", name="state_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(2), default="CT")
    kind: Mapped[str] = mapped_column(String(30), default=CollegeKind.OTHER)
    confirmed: Mapped[bool] = mapped_column(default=True)  # typed in by a student: False
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return CollegeKind(self.kind).label
