"""The summer of a placement: the check-ins, the host's evaluation of the intern, the intern's
survey of the internship, and the summer emails already sent (so the daily job sends each once)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import CheckInSide, SummerNotice, one_of, utcnow

if TYPE_CHECKING:
    from .matching import Placement
    from .people import Skill, User

SURVEY_SCALES = ("pay_benefits", "mentorship", "schedule", "safety", "learning")  # the Quality Jobs dimensions


def _one_to_five(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_one_to_five")


class CheckIn(db.Model):
    """The mid-summer check-in of one side of a started placement: once per placement and side."""

    __table_args__ = (
        UniqueConstraint("placement_id", "side"),
        one_of("side", CheckInSide),
        _one_to_five("going"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    going: Mapped[int]  # how is it going, 1 (badly) to 5 (very well)
    note: Mapped[str] = mapped_column(Text, default="")  # anything the coordinator should know
    wants_call: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    placement: Mapped[Placement] = relationship()
    author: Mapped[User | None] = relationship()


class EvaluationSkill(db.Model):
    """A skill the host saw the intern use, from the skills vocabulary of profiles and positions."""

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("intern_evaluation.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True)

    skill: Mapped[Skill] = relationship(lazy="joined")


class InternEvaluation(db.Model):
    """The host's end-of-internship evaluation of its intern: one per placement. Coordinators of the
    program read it; the student only when the host shared it; no other host, student or liaison."""

    __table_args__ = (_one_to_five("rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rating: Mapped[int]  # overall, 1 to 5
    comments: Mapped[str] = mapped_column(Text, default="")
    shared_with_student: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    placement: Mapped[Placement] = relationship()
    author: Mapped[User | None] = relationship()
    skill_links: Mapped[list[EvaluationSkill]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def skills(self) -> list[str]:
        return sorted(link.skill.name for link in self.skill_links)


class InternSurvey(db.Model):
    """The intern's end-of-internship survey on the Quality Jobs dimensions: one per placement.
    Never shown one by one to the host: only aggregated per host, small cells suppressed."""

    __table_args__ = tuple(_one_to_five(scale) for scale in SURVEY_SCALES)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), unique=True)
    pay_benefits: Mapped[int]
    mentorship: Mapped[int]
    schedule: Mapped[int]
    safety: Mapped[int]
    learning: Mapped[int]  # what they learned
    would_recommend: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    placement: Mapped[Placement] = relationship()


class SummerEmail(db.Model):
    """A summer email the daily job sent for one placement: at most one of each kind."""

    __table_args__ = (UniqueConstraint("placement_id", "kind"), one_of("kind", SummerNotice))

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
