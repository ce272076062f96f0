"""Match runs, their assignments, the published placements, and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import (
    ImportStatus,
    MatchMode,
    Outcome,
    OutcomeKind,
    OutcomeSource,
    PlacementStatus,
    PublicationStatus,
    RunStatus,
    one_of,
    utcnow,
)

if TYPE_CHECKING:
    from .market import Position
    from .people import User
    from .programs import Season

ACTIVE_PLACEMENT = "status IN ('offered', 'accepted', 'started', 'completed')"
WAITING_PUBLICATION = "status = 'scheduled'"


class MatchRun(db.Model):
    """One solver run of a season, kept whole and never changed once done."""

    __table_args__ = (
        one_of("mode", MatchMode),
        one_of("status", RunStatus),
        CheckConstraint("round >= 1", name="round_valid"),
        # At most one published run per season and round.
        Index(
            "uq_match_run_published",
            "season_id",
            "round",
            unique=True,
            sqlite_where=text("published_at IS NOT NULL"),
            postgresql_where=text("published_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)  # 1 the main match, 2, 3... the rounds after it
    # The vacancy round whose applications and ranks the run matched (none: round 1, or a re-run of round-1 lists).
    vacancy_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("vacancy_round.id", ondelete="SET NULL"), index=True
    )
    label: Mapped[str] = mapped_column(String(120), default="")
    mode: Mapped[str] = mapped_column(String(20), default=MatchMode.STABLE)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)  # constraints, time limit
    seed: Mapped[int] = mapped_column(default=0)
    solver_version: Mapped[str] = mapped_column(String(40), default="")
    input_hash: Mapped[str] = mapped_column(String(64), default="")  # sha256 of the snapshot
    # Large (megabytes at program scale): loaded only when a page reads them.
    input_snapshot: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    result: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    stats: Mapped[dict | None] = mapped_column(JSON)
    # The independent checker's report on the stored result (feasible, violations, blocking pairs,
    # checked_at), written when the run finishes: a result never changes once stored.
    verification: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    status: Mapped[str] = mapped_column(String(10), default=RunStatus.QUEUED)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]  # UTC; written every few seconds while a worker solves the run
    finished_at: Mapped[datetime | None]
    solve_seconds: Mapped[float | None]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The publication's emails are written by a job after it commits: due (UTC) until that job has
    # put them in the outbox, then queued. Both empty: published without emails (the demo, tests).
    emails_due_at: Mapped[datetime | None]
    emails_queued_at: Mapped[datetime | None]

    season: Mapped[Season] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assignments: Mapped[list[MatchAssignment]] = relationship(back_populates="run", cascade="all, delete-orphan")


class MatchAssignment(db.Model):
    """A student placed at a position by a run, with the rank each side gave the other."""

    __table_args__ = (
        UniqueConstraint("run_id", "student_id"),
        CheckConstraint("student_rank IS NULL OR student_rank >= 1", name="student_rank_positive"),
        CheckConstraint("position_rank IS NULL OR position_rank >= 1", name="position_rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    student_rank: Mapped[int | None]
    position_rank: Mapped[int | None]

    run: Mapped[MatchRun] = relationship(back_populates="assignments")
    student: Mapped[User] = relationship()
    position: Mapped[Position] = relationship()


class RunExplanation(db.Model):
    """The solver's reasons for one person in one run ("s12" a student, "p7" a position).

    Kept out of the run's result: at program scale the reasons are megabytes, and a student's offer
    page or a coordinator's "why" page needs one person's, which is one row here.
    """

    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), primary_key=True)
    person: Mapped[str] = mapped_column(String(20), primary_key=True)
    entries: Mapped[list] = mapped_column(JSON, default=list)


class ScheduledPublication(db.Model):
    """A coordinator's "publish run #12 at Mar 20, 10:00 AM": the every-minute job publishes it at
    that time, with the reason and the "publish anyway" they gave, in their name."""

    __table_args__ = (
        one_of("status", PublicationStatus),
        CheckConstraint("round >= 1", name="round_valid"),
        # At most one waiting publication per season and round.
        Index(
            "uq_scheduled_publication_waiting",
            "season_id",
            "round",
            unique=True,
            sqlite_where=text(WAITING_PUBLICATION),
            postgresql_where=text(WAITING_PUBLICATION),
        ),
        Index("ix_scheduled_publication_due", "status", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    publish_at: Mapped[datetime]  # UTC
    reason: Mapped[str] = mapped_column(String(300), default="")
    unstable_ok: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=PublicationStatus.SCHEDULED)
    error: Mapped[str] = mapped_column(Text, default="")  # why it failed, in words
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None]  # published, cancelled or failed

    season: Mapped[Season] = relationship()
    run: Mapped[MatchRun] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])


class Placement(db.Model):
    """The published outcome for one student: an offer and what became of it."""

    __table_args__ = (
        one_of("status", PlacementStatus),
        one_of("outcome", Outcome),
        CheckConstraint("round >= 0", name="round_valid"),  # 0 = placed by hand
        CheckConstraint("hours_worked IS NULL OR hours_worked >= 0", name="hours_worked_not_negative"),
        # A student holds at most one live placement per season.
        Index(
            "uq_placement_active",
            "season_id",
            "student_id",
            unique=True,
            sqlite_where=text(ACTIVE_PLACEMENT),
            postgresql_where=text(ACTIVE_PLACEMENT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_run.id", ondelete="SET NULL"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default=PlacementStatus.OFFERED)
    student_rank: Mapped[int | None]
    position_rank: Mapped[int | None]
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_deadline: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default=Outcome.NONE)
    note: Mapped[str] = mapped_column(Text, default="")
    # The summer (services.summer.lifecycle): dates in the program's time zone, as the host confirmed them.
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]  # completed or ended early on this day
    hours_worked: Mapped[int | None]  # over the whole internship, when the host gave it
    end_reason: Mapped[str] = mapped_column(String(20), default="")  # ended early: an EndReason
    end_detail: Mapped[str] = mapped_column(String(300), default="")  # ended early: the reason in words
    start_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    end_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    season: Mapped[Season] = relationship()
    run: Mapped[MatchRun | None] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    position: Mapped[Position] = relationship()
    start_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[start_confirmed_by_id])
    end_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[end_confirmed_by_id])


class StudentOutcome(db.Model):
    """What became of a student after the internship of one season: hired, a return offer, back
    the next summer... Recorded by a form, a CSV import, or derived from a later season's placement.
    One row per student, season and kind: recording the same kind again updates it."""

    __table_args__ = (
        UniqueConstraint("student_id", "season_id", "kind"),
        one_of("kind", OutcomeKind),
        one_of("source", OutcomeSource),
        CheckConstraint("hourly_wage IS NULL OR hourly_wage >= 0", name="hourly_wage_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"), index=True)  # the internship's
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date | None]
    hourly_wage: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    employer: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(10), default=OutcomeSource.FORM)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    student: Mapped[User] = relationship(foreign_keys=[student_id])
    season: Mapped[Season] = relationship()
    placement: Mapped[Placement | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def kind_label(self) -> str:
        return OutcomeKind(self.kind).label


class AuditEvent(db.Model):
    """Who did what to which record, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class ImportJob(db.Model):
    """A validated CSV upload kept on the server from its preview until a background job imports it.

    The confirmation moves it from previewed to queued (a conditional UPDATE: two confirmations of
    one preview queue it once); the job claims it (queued to running), writes every row and the
    row's "done" in one transaction. rows_done and heartbeat_at are written on a connection of their
    own while it runs, so the progress page sees them; `digest` (the sha256 of the upload and its
    kind, season, coordinator and preview time) is the upload's receipt."""

    __tablename__ = "import_job"
    __table_args__ = (one_of("status", ImportStatus), Index("ix_import_job_status", "status", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    season_id: Mapped[int | None] = mapped_column(ForeignKey("season.id", ondelete="CASCADE"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.PREVIEWED)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    actor: Mapped[User | None] = relationship()


class ImportReceipt(db.Model):
    """One confirmed CSV import, kept by the digest of its signed preview: confirming the same
    preview again (a second click, another tab) finds the receipt and imports nothing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the signed payload
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()
