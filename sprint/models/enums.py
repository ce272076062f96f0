"""Enumerations and helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint


def utcnow() -> datetime:
    """Naive UTC, stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values: type[enum.StrEnum], name: str | None = None) -> CheckConstraint:
    """A check constraint that keeps a string column inside an enumeration."""
    allowed = ", ".join(f"'{member.value}'" for member in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")


class Role(enum.StrEnum):
    STUDENT = "student"
    HOST = "host"
    COORDINATOR = "coordinator"
    LIAISON = "liaison"  # a college's career office: sees its own students only
    ADMIN = "admin"


class Phase(enum.StrEnum):
    """A season moves through these in order."""

    DRAFT = "draft"
    APPLICATIONS = "applications"
    RANKING = "ranking"
    MATCHING = "matching"
    PUBLISHED = "published"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.DRAFT: "Being set up",
    Phase.APPLICATIONS: "Applications open",
    Phase.RANKING: "Ranking",
    Phase.MATCHING: "Match being run",
    Phase.PUBLISHED: "Results published",
    Phase.CLOSED: "Closed",
}


class CollegeKind(enum.StrEnum):
    COMMUNITY = "community"
    PUBLIC_FOUR_YEAR = "public_four_year"
    PRIVATE = "private"
    MINORITY_SERVING = "minority_serving"  # HBCU / HSI
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "community": "Community college",
            "public_four_year": "Public four-year",
            "private": "Private nonprofit",
            "minority_serving": "HBCU / HSI",
            "other": "Other",
        }[self.value]


class HostSize(enum.StrEnum):
    SMALL = "small"  # under 50 staff
    MEDIUM = "medium"  # 50 to 499
    LARGE = "large"  # 500 and over


class HostMemberRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class WorkMode(enum.StrEnum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"

    @property
    def label(self) -> str:
        return {"onsite": "On site", "hybrid": "Hybrid", "remote": "Remote"}[self.value]


class PositionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    WITHDRAWN = "withdrawn"


class ApplicationStatus(enum.StrEnum):
    STARTED = "started"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class MatchMode(enum.StrEnum):
    STABLE = "stable"
    STABLE_HOSTS = "stable-hosts"
    MAX_STABLE = "max-stable"
    WELFARE = "welfare"

    @property
    def label(self) -> str:
        return {
            "stable": "Stable, students propose",
            "stable-hosts": "Stable, hosts propose",
            "max-stable": "Max-stable (allows side constraints)",
            "welfare": "Welfare: most placements, best ranks (allows side constraints)",
        }[self.value]

    @property
    def is_stable(self) -> bool:
        """The result has no blocking pair (the solver proves it for max-stable)."""
        return self is not MatchMode.WELFARE

    @property
    def allows_side_constraints(self) -> bool:
        """College caps, group floors and host capacities: only the CP-SAT modes take them."""
        return self in (MatchMode.MAX_STABLE, MatchMode.WELFARE)


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportStatus(enum.StrEnum):
    """A CSV import kept on the server: previewed (waiting for the coordinator's confirmation), then
    queued, running, and done or failed."""

    PREVIEWED = "previewed"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PublicationStatus(enum.StrEnum):
    """A scheduled publication of a run: waiting for its time, then done, cancelled or refused."""

    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FAILED = "failed"


class PlacementStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"
    EXPIRED = "expired"  # unanswered at its deadline, in a season whose offers expire: the seat is freed
    STARTED = "started"  # the host (or a coordinator) confirmed the intern's first day
    ENDED_EARLY = "ended_early"  # started, then ended before its end date, with a reason


class ExpiredOffers(enum.StrEnum):
    """What a season does with an offer still unanswered at its (effective) deadline."""

    DECLINE = "decline"  # it expires at the deadline and counts as declined: the seat is freed
    WAIT = "wait"  # it stays pending; the coordinator decides

    @property
    def label(self) -> str:
        return {
            "decline": "Count as declined at the deadline (the offer expires and its seat is freed)",
            "wait": "Wait: the offer stays pending until the coordinator decides",
        }[self.value]


GROUPS = ("first_generation", "pell_eligible", "cc_transfer", "community_college")  # what a run's floors can name
MAX_TIME_LIMIT_S = 600  # the longest a coordinator may let one match run solve
LIVE_PLACEMENTS = (
    PlacementStatus.OFFERED,
    PlacementStatus.ACCEPTED,
    PlacementStatus.STARTED,
    PlacementStatus.COMPLETED,
)  # holds the seat
ACCEPTED_PLACEMENTS = (
    PlacementStatus.ACCEPTED,
    PlacementStatus.STARTED,
    PlacementStatus.COMPLETED,
    PlacementStatus.ENDED_EARLY,
)  # the student said yes (and may since have started, completed, or ended early)
# what the dashboards count as placed: holding the seat, or having held it until the internship ended early
PLACED_PLACEMENTS = (*LIVE_PLACEMENTS, PlacementStatus.ENDED_EARLY)


class EndReason(enum.StrEnum):
    """Why an internship that started ended before its end date (with free text beside it)."""

    STUDENT_LEFT = "student_left"
    HOST_ENDED = "host_ended"
    HEALTH_OR_FAMILY = "health_family"
    OTHER_JOB = "other_job"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "student_left": "The student chose to leave",
            "host_ended": "The host ended it",
            "health_family": "Health or family reasons",
            "other_job": "The student took another job",
            "other": "Other (say below)",
        }[self.value]


class CheckInSide(enum.StrEnum):
    """Who wrote a check-in, a survey or an evaluation: the intern or the host."""

    STUDENT = "student"
    HOST = "host"


class SummerNotice(enum.StrEnum):
    """The summer's emails, sent once per placement: the daily job records each one it sends."""

    CONFIRM_START = "confirm_start"  # to the host's members at the position's start date
    END_FORMS = "end_forms"  # to both sides when the end-of-internship forms open


class ExtensionKind(enum.StrEnum):
    """Which deadline a coordinator extended for one person."""

    APPLICATIONS = "applications"
    RANKING = "ranking"
    OFFER = "offer"


class Outcome(enum.StrEnum):
    """What the program learns after the summer."""

    NONE = "none"
    RETURNED = "returned"  # came back for another summer
    HIRED = "hired"  # took a job with the host
    CONTINUING_STUDY = "continuing_study"


class OutcomeKind(enum.StrEnum):
    """What became of a student after an internship, as recorded (StudentOutcome)."""

    HIRED_BY_HOST = "hired_by_host"
    RETURN_OFFER = "return_offer"  # the host offered another summer or a job to come back to
    RETURNED_NEXT_SUMMER = "returned_next_summer"  # placed again in a later season of the program
    HIRED_IN_SECTOR = "hired_in_sector"  # a job elsewhere in the sector
    CONTINUING_EDUCATION = "continuing_education"

    @property
    def label(self) -> str:
        return OUTCOME_KIND_LABELS[self]


OUTCOME_KIND_LABELS = {
    OutcomeKind.HIRED_BY_HOST: "Hired by the host",
    OutcomeKind.RETURN_OFFER: "Return offer",
    OutcomeKind.RETURNED_NEXT_SUMMER: "Returned next summer",
    OutcomeKind.HIRED_IN_SECTOR: "Hired elsewhere in the sector",
    OutcomeKind.CONTINUING_EDUCATION: "Continuing education",
}
HIRED_OUTCOMES = (OutcomeKind.HIRED_BY_HOST, OutcomeKind.HIRED_IN_SECTOR)  # what the dashboards count as "hired"
HOST_OUTCOMES = (OutcomeKind.HIRED_BY_HOST, OutcomeKind.RETURN_OFFER)  # what a host may record for its intern


class OutcomeSource(enum.StrEnum):
    FORM = "form"
    CSV = "csv"
    DERIVED = "derived"  # returned_next_summer, read from a later season's placements
