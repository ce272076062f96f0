"""The coordinator's offers board: every offer of a season, what became of it, and by when.

An offer's deadline is its effective one: the placement's own deadline (or the season's offer
deadline when it has none), moved later by the student's offer extension, as students see it
(`season.deadlines.response_deadline`); the board, its filters, the reminders and the expiry all
compute it in one SQL expression, `_effective_deadline`. A season set to expire offers
(`Season.expired_offers == "decline"`) has the every-five-minutes job `expire_due` turn an offer
unanswered at that deadline into "expired", which frees the seat; "wait" leaves it pending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import and_, case
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    AuditEvent,
    DeadlineExtension,
    ExpiredOffers,
    ExtensionKind,
    HostCompany,
    HostMember,
    HostMemberRole,
    OutcomeKind,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    Season,
    StudentOutcome,
    User,
    utcnow,
)
from ...models.enums import ACCEPTED_PLACEMENTS
from ..errors import NotAllowed, ServiceError
from ..support import audit, jobs
from ..support.concurrency import lock_row
from ..support.local_time import format_when, zone_of
from ..support.notify import send_email
from ..support.paging import Page, paginate_rows

PER_PAGE = 50
DUE_SOON = timedelta(hours=48)  # the "deadline within 48 h" filter
REMIND_AGAIN_AFTER = timedelta(minutes=10)  # a second click on "remind" within this sends nothing
STATUS_LABELS = {  # how the board names each status
    PlacementStatus.OFFERED: "pending",
    PlacementStatus.ACCEPTED: "accepted",
    PlacementStatus.DECLINED: "declined",
    PlacementStatus.WITHDRAWN: "withdrawn",
    PlacementStatus.EXPIRED: "expired",
    PlacementStatus.STARTED: "started",
    PlacementStatus.COMPLETED: "completed",
    PlacementStatus.ENDED_EARLY: "ended early",
}
ROUND_LABELS = {0: "by hand"}  # other rounds show their number
# Lines of a placement's note that carry why it ended (placement_changes and offers write them).
REASON_PREFIXES = (
    "Declined by the student: ",
    "Student declined (recorded by coordinator): ",
    "Student withdrew (recorded by coordinator): ",
    "Cancelled by coordinator: ",
)
EXPIRED_NOTE = "Expired unanswered at the deadline"
CSV_HEADERS = (
    "Student",
    "Email",
    "Host",
    "Host contact",
    "Position",
    "Round",
    "Status",
    "Deadline",
    "Time left",
    "Responded at",
    "Reason",
    "Hourly pay",
    "Hours per week",
    "Starts",
    "Ends",
    "Started on",
    "Ended on",
    "Hours worked",
    "Outcome",
)


@dataclass(frozen=True)
class OfferFilters:
    """What the board shows: empty values show everything."""

    status: str = ""
    round: int | None = None
    host_id: int | None = None
    due_soon: bool = False  # pending offers whose deadline is within 48 h

    @property
    def args(self) -> dict[str, str]:
        """The filters as URL arguments (for the pager and the CSV link)."""
        values = {
            "status": self.status,
            "round": "" if self.round is None else str(self.round),
            "host": str(self.host_id or ""),
            "due": "1" if self.due_soon else "",
        }
        return {key: value for key, value in values.items() if value}


def filters_from(args: Mapping[str, str]) -> OfferFilters:
    """The board's filters from URL arguments; a value that names nothing is ignored (shows everything)."""
    status = args.get("status", "")
    round_text, host_text = args.get("round", ""), args.get("host", "")
    return OfferFilters(
        status=status if status in {value.value for value in PlacementStatus} else "",
        round=int(round_text) if round_text.isdigit() and len(round_text) < 4 else None,
        host_id=int(host_text) if host_text.isdigit() and len(host_text) < 10 else None,
        due_soon=args.get("due", "") in {"1", "on", "yes", "true"},
    )


@dataclass(frozen=True)
class OfferRow:
    placement: Placement
    student_name: str
    student_email: str
    host_name: str
    position: Position
    deadline: datetime | None  # effective: the student's extension included
    reason: str

    @property
    def position_title(self) -> str:
        return self.position.title

    @property
    def status(self) -> str:
        return self.placement.status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.placement.status, self.placement.status)

    @property
    def round_label(self) -> str:
        return ROUND_LABELS.get(self.placement.round, str(self.placement.round))

    def time_left(self, now: datetime | None = None) -> str:
        return time_left(self.placement.status, self.deadline, now)


def time_left(status: str, deadline: datetime | None, now: datetime | None = None) -> str:
    """ "2 days 3 h left", "expired 5 h ago", "deadline passed 1 day 2 h ago" for a pending offer of a season
    that waits, or "" once the offer was answered (or when it has no deadline)."""
    if deadline is None or status not in (PlacementStatus.OFFERED, PlacementStatus.EXPIRED):
        return ""
    gap = deadline - (now or utcnow())
    if gap > timedelta(0):
        return f"{_span(gap)} left"
    if status == PlacementStatus.EXPIRED:
        return f"expired {_span(-gap)} ago"
    return f"deadline passed {_span(-gap)} ago"


def _span(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    days, hours, minutes = minutes // (24 * 60), minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes and hours < 6 else "")
    return f"{max(minutes, 1)} min"


def reason_of(placement: Placement) -> str:
    """Why the offer ended, from its note: the student's or the coordinator's words, or that it expired."""
    if placement.status not in (PlacementStatus.DECLINED, PlacementStatus.WITHDRAWN, PlacementStatus.EXPIRED):
        return ""
    for line in reversed((placement.note or "").splitlines()):
        if placement.status == PlacementStatus.EXPIRED and line.startswith(EXPIRED_NOTE):
            return line
        for prefix in REASON_PREFIXES:
            if line.startswith(prefix):
                return line[len(prefix) :]
    return ""


def _effective_deadline():
    """(the extension alias to join, the SQL expression of each placement's effective deadline)."""
    extension = aliased(DeadlineExtension)
    own, until, season_date = Placement.response_deadline, extension.until, Season.offer_deadline_at
    deadline = case(
        (own.is_not(None), case((until > own, until), else_=own)),
        (season_date.is_(None), until),
        else_=case((until > season_date, until), else_=season_date),
    )
    return extension, deadline


def _board_query(season: Season, filters: OfferFilters, now: datetime, answerable: bool = False):
    """The rows of the board; `answerable`: only offers still open to an answer (offered, deadline ahead)."""
    extension, deadline = _effective_deadline()
    query = (
        db.select(Placement, User.name, User.email, HostCompany.name, Position, deadline.label("deadline"))
        .join(Season, Season.id == Placement.season_id)
        .join(User, User.id == Placement.student_id)
        .join(Position, Position.id == Placement.position_id)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .outerjoin(
            extension,
            and_(
                extension.season_id == Placement.season_id,
                extension.user_id == Placement.student_id,
                extension.kind == ExtensionKind.OFFER,
            ),
        )
        .where(Placement.season_id == season.id)
    )
    if filters.status:
        query = query.where(Placement.status == filters.status)
    if filters.round is not None:
        query = query.where(Placement.round == filters.round)
    if filters.host_id is not None:
        query = query.where(Position.host_id == filters.host_id)
    if filters.due_soon:
        query = query.where(Placement.status == PlacementStatus.OFFERED, deadline > now, deadline <= now + DUE_SOON)
    if answerable:
        query = query.where(Placement.status == PlacementStatus.OFFERED, db.or_(deadline.is_(None), deadline > now))
    return query.order_by(User.name, Placement.id)


def _row(placement, name, email, host, position, deadline) -> OfferRow:
    return OfferRow(placement, name, email, host, position, deadline, reason_of(placement))


def offers(season: Season, filters: OfferFilters = OfferFilters(), page: int = 1, now: datetime | None = None) -> Page:
    """One page (50 rows, by student name) of the season's offers that pass the filters, as OfferRow items."""
    result = paginate_rows(_board_query(season, filters, now or utcnow()), page, PER_PAGE)
    return Page([_row(*row) for row in result.items], result.page, result.per_page, result.total)


def counts(season: Season) -> dict[str, int]:
    """How many of the season's offers are in each status (every status named, zero included)."""
    found = dict(
        db.session.execute(
            db.select(Placement.status, db.func.count(Placement.id))
            .where(Placement.season_id == season.id)
            .group_by(Placement.status)
        ).all()
    )
    return {status.value: found.get(status.value, 0) for status in STATUS_LABELS}


def hosts_of(season: Season) -> list[tuple[int, str]]:
    """(id, name) of the hosts with an offer this season, for the host filter."""
    return list(
        db.session.execute(
            db.select(HostCompany.id, HostCompany.name)
            .join(Position, Position.host_id == HostCompany.id)
            .join(Placement, Placement.position_id == Position.id)
            .where(Placement.season_id == season.id)
            .distinct()
            .order_by(HostCompany.name)
        ).all()
    )


def csv_rows(season: Season, filters: OfferFilters = OfferFilters(), now: datetime | None = None) -> list[list]:
    """Every offer that passes the filters (no paging), one list per row under CSV_HEADERS."""
    now = now or utcnow()
    rows = [_row(*row) for row in db.session.execute(_board_query(season, filters, now))]
    recorded: dict[int, list[str]] = {}  # the recorded outcomes (StudentOutcome), by student, in one query
    for student_id, kind in db.session.execute(
        db.select(StudentOutcome.student_id, StudentOutcome.kind)
        .where(StudentOutcome.season_id == season.id)
        .order_by(StudentOutcome.kind)
    ):
        recorded.setdefault(student_id, []).append(OutcomeKind(kind).label)
    contacts: dict[int, list[str]] = {}  # each host's owners' emails, in one query
    for host_id, email in db.session.execute(
        db.select(HostMember.host_id, User.email)
        .join(User, User.id == HostMember.user_id)
        .join(Position, Position.host_id == HostMember.host_id)
        .where(Position.season_id == season.id, HostMember.role == HostMemberRole.OWNER, User.active.is_(True))
        .distinct()
        .order_by(HostMember.host_id, User.email)
    ):
        contacts.setdefault(host_id, []).append(email)
    return [
        [
            row.student_name,
            row.student_email,
            row.host_name,
            "; ".join(contacts.get(row.position.host_id, [])),
            row.position_title,
            row.round_label,
            row.status_label,
            row.deadline,
            row.time_left(now),
            row.placement.responded_at,
            row.reason,
            row.position.hourly_pay,
            row.position.hours_per_week,
            row.position.start_date,
            row.position.end_date,
            row.placement.started_on,
            row.placement.ended_on,
            row.placement.hours_worked,
            "; ".join(recorded.get(row.placement.student_id, []))
            if row.placement.status in ACCEPTED_PLACEMENTS
            else "",
        ]
        for row in rows
    ]


def _pending(season: Season, now: datetime) -> list[OfferRow]:
    """The season's offers still open to an answer: offered, and their deadline (if any) ahead."""
    return [_row(*row) for row in db.session.execute(_board_query(season, OfferFilters(), now, answerable=True))]


def pending_count(season: Season, now: datetime | None = None) -> int:
    """How many students the "remind" button would email."""
    query = _board_query(season, OfferFilters(), now or utcnow(), answerable=True).order_by(None)
    return db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0


def _reminded_since(season: Season, since: datetime) -> AuditEvent | None:
    return db.session.scalar(
        db.select(AuditEvent)
        .where(
            AuditEvent.action == "offers.reminded",
            AuditEvent.object_type == "Season",
            AuditEvent.object_id == season.id,
            AuditEvent.created_at > since,
        )
        .order_by(AuditEvent.created_at.desc())
        .limit(1)
    )


def remind_pending(actor: User, season: Season, now: datetime | None = None) -> int:
    """Email every student whose offer waits for an answer (deadline ahead) a reminder naming the position,
    the host and their deadline; audited; returns how many were emailed. Refused within 10 minutes of the
    last reminder of this season, so a second click (or a second coordinator) sends nothing twice."""
    now = now or utcnow()
    if season.program_id != actor.program_id:
        raise NotAllowed("That season is not part of your program.")
    if season.phase != Phase.PUBLISHED:
        raise ServiceError(f"Offers can be answered only while results are published; {season.name} is not.")
    lock_row(Season, season.id)  # two clicks at once: the second waits here, then sees the first's record
    last = _reminded_since(season, now - REMIND_AGAIN_AFTER)
    if last is not None:
        minutes = max(1, int((now - last.created_at).total_seconds() // 60))
        raise ServiceError(
            f"Reminders went to the pending students {minutes} min ago; "
            f"wait {int(REMIND_AGAIN_AFTER.total_seconds() // 60)} minutes before sending them again."
        )
    pending = _pending(season, now)
    if not pending:
        raise ServiceError("No student has an offer waiting for an answer; nobody was reminded.")
    zone = zone_of(season.program)
    for row in pending:
        by_text = format_when(row.deadline, zone, True, locale=row.placement.student.locale) if row.deadline else ""
        send_email(
            row.student_email,
            _l("Please answer your offer from %(host)s by %(deadline)s", host=row.host_name, deadline=by_text)
            if row.deadline
            else _l("Please answer your offer from %(host)s", host=row.host_name),
            "offer_reminder",
            locale=row.placement.student.locale,
            placement=row.placement,
            deadline=row.deadline,
            program=season.program,
        )
    audit.record(actor, "offers.reminded", season, program_id=season.program_id, students=len(pending), at=now)
    db.session.commit()
    return len(pending)


def expire_due(now: datetime | None = None) -> int:
    """The periodic job (every 5 minutes): in published seasons set to "decline", each offer still unanswered
    at its effective deadline becomes expired (its seat is freed), audited, and the student is told.

    One conditional UPDATE per offer: an answer or a coordinator's change at the same moment wins, and the
    offer is then left as it is; a second run finds nothing left to expire."""
    now = now or utcnow()
    extension, deadline = _effective_deadline()
    due = db.session.execute(
        db.select(Placement, deadline)
        .join(Season, Season.id == Placement.season_id)
        .outerjoin(
            extension,
            and_(
                extension.season_id == Placement.season_id,
                extension.user_id == Placement.student_id,
                extension.kind == ExtensionKind.OFFER,
            ),
        )
        .where(
            Season.expired_offers == ExpiredOffers.DECLINE,
            Season.phase == Phase.PUBLISHED,
            Placement.status == PlacementStatus.OFFERED,
            deadline.is_not(None),
            deadline <= now,
        )
        .order_by(Placement.id)
    ).all()
    expired = 0
    for placement, passed_at in due:
        changed = db.session.execute(
            db.update(Placement)
            .where(Placement.id == placement.id, Placement.status == PlacementStatus.OFFERED)
            .values(status=PlacementStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(placement)
        if changed != 1:
            continue
        zone = zone_of(placement.season.program)
        placement.note = f"{placement.note}\n{EXPIRED_NOTE} ({format_when(passed_at, zone, True)}).".strip()
        audit.record(
            None,
            "offer.expired",
            placement,
            program_id=placement.season.program_id,
            student_id=placement.student_id,
            position_id=placement.position_id,
            deadline=passed_at.isoformat(timespec="minutes"),
        )
        send_email(
            placement.student.email,
            _l("Your offer for %(title)s expired", title=placement.position.title),
            "offer_expired",
            locale=placement.student.locale,
            placement=placement,
            deadline=passed_at,
            program=placement.season.program,
        )
        expired += 1
    db.session.commit()
    return expired


JOBS = (jobs.Job("matching.expire_offers", expire_due, every=crontab(minute="*/5")),)
