"""Interview scheduling: a host publishes slots per position and invites applicants; each invited
student books one slot, reschedules until the position's cut-off, or declines; after the slot the
host marks it done (which sets the team's "interviewed" mark) or no-show.

Every rule is checked here, on the server: the actor's own host and program, the applicant's live
application to that very position, and the season's ranking deadline, after which nothing is
invited, booked or moved. A slot holds one student: `Interview.slot_id` is unique in the database,
so of two requests booking one slot at the same moment exactly one commits, the other is told the
slot was just taken. Each change of a booking emails the student and the host's team an .ics
(`interview_calendar`), with the interview's stable UID and a SEQUENCE bumped at each change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    CandidateReview,
    HostMember,
    Interview,
    InterviewFormat,
    InterviewSlot,
    InterviewStatus,
    NotificationKind,
    Phase,
    Position,
    PositionInterest,
    PositionStatus,
    Season,
    User,
    utcnow,
)
from ...models.interviews import HOLDS_SLOT
from ..errors import NotFound, ServiceError, StaleEdit
from ..notifications.notify import notify, site_path
from ..support import audit, jobs
from ..support.concurrency import insert_missing, lock_row
from ..support.local_time import format_clock, format_when, to_local, to_utc, zone_of
from ..support.notify import send_email
from ..support.plain_text import WEB_LINK, one_line
from . import interview_calendar

MIN_MINUTES, MAX_MINUTES = 10, 240
MAX_SERIES = 200  # slots one series may create
MAX_CUTOFF_HOURS = 336  # two weeks
OPEN_PHASES = (Phase.APPLICATIONS, Phase.RANKING)
REMINDER_BEFORE = timedelta(hours=24)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _taken() -> str:
    return _("That time was just booked by someone else. Nothing changed: choose another time.")


# Who may do what -----------------------------------------------------------------------------------


def _member_of(member: User, position: Position) -> None:
    if member.membership is None or member.membership.host_id != position.host_id:
        raise NotFound("No such position.")


def _open(season: Season, now: datetime, action: str) -> None:
    """Interviews are for the applications and ranking stages, and close at the ranking deadline."""
    if Phase(season.phase) not in OPEN_PHASES:
        raise ServiceError(f"{action} is not possible now: {season.name} is past its interviews.")
    if season.ranking_close_at is not None and now >= season.ranking_close_at:
        raise ServiceError(
            f"{action} is not possible now: interviews closed with the ranking deadline "
            f"({format_when(season.ranking_close_at, zone_of(season.program), True)})."
        )


def _student_open(season: Season, now: datetime) -> None:
    if Phase(season.phase) not in OPEN_PHASES or (
        season.ranking_close_at is not None and now >= season.ranking_close_at
    ):
        raise ServiceError(_("Interviews for this season closed with the ranking deadline."))


def _applied(position: Position, student_ids: set[int]) -> set[int]:
    """Which of these students have a submitted, not withdrawn application to this position."""
    if not student_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(Application.student_id)
            .join(PositionInterest, PositionInterest.application_id == Application.id)
            .join(User, User.id == Application.student_id)
            .where(
                PositionInterest.position_id == position.id,
                PositionInterest.withdrawn_at.is_(None),
                Application.status == ApplicationStatus.SUBMITTED,
                Application.season_id == position.season_id,
                User.program_id == position.host.program_id,
                Application.student_id.in_(student_ids),
            )
        )
    )


# Slots ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotDetails:
    """What every slot of one form has in common."""

    minutes: int
    format: str
    address: str = ""
    link: str = ""
    interviewer: str = ""


def _clean_text(value: str | None, label: str, limit: int) -> str:
    text = (value or "").strip()
    if "\x00" in text or "\n" in text or "\r" in text:
        raise ServiceError(f"{label} must be one line of text.", label.lower())
    if len(text) > limit:
        raise ServiceError(f"{label} can be at most {limit} characters.", label.lower())
    return text


def check_details(minutes: int | None, format_: str, address: str, link: str, interviewer: str) -> SlotDetails:
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ServiceError(f"An interview lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.", "minutes")
    if format_ not in set(InterviewFormat):
        raise ServiceError("Choose on site, video or phone.", "format")
    address = _clean_text(address, "Address", 300)
    link = _clean_text(link, "Link", 500)
    interviewer = _clean_text(interviewer, "Interviewer", 120)
    if format_ == InterviewFormat.ONSITE and not address:
        raise ServiceError("Give the address of an on-site interview.", "address")
    if format_ == InterviewFormat.VIDEO and not WEB_LINK.fullmatch(link):
        raise ServiceError("Give the video call's link, starting with https:// (or http://).", "link")
    return SlotDetails(
        minutes,
        format_,
        address if format_ == InterviewFormat.ONSITE else "",
        link if format_ == InterviewFormat.VIDEO else "",
        interviewer,
    )


def _local_start(day: date, at: time, position: Position) -> datetime:
    try:
        return to_utc(datetime.combine(day, at), zone_of(position.host.program))
    except ValueError as error:
        raise ServiceError(str(error), "start") from error


def _check_starts(position: Position, starts: list[datetime], minutes: int, now: datetime) -> None:
    season = position.season
    if not starts:
        raise ServiceError("These choices give no slot: check the dates, weekdays and times.")
    if len(starts) > MAX_SERIES:
        raise ServiceError(f"That is {len(starts)} slots; publish at most {MAX_SERIES} at a time.")
    if min(starts) <= now:
        raise ServiceError("A slot cannot start in the past.", "start")
    if season.ranking_close_at is not None and max(starts) + timedelta(minutes=minutes) > season.ranking_close_at:
        raise ServiceError(
            "Interviews must end before the ranking deadline, "
            f"{format_when(season.ranking_close_at, zone_of(season.program), True)}.",
            "start",
        )


def _add_slots(member: User, position: Position, starts: list[datetime], details: SlotDetails, kind: str):
    slots = [
        InterviewSlot(
            position_id=position.id,
            starts_at=start,
            minutes=details.minutes,
            format=details.format,
            address=details.address,
            link=details.link,
            interviewer=details.interviewer,
            created_by_id=member.id,
        )
        for start in sorted(starts)
    ]
    db.session.add_all(slots)
    db.session.flush()
    audit.record(
        member,
        f"interview.{kind}",
        position,
        program_id=position.host.program_id,
        slots=len(slots),
        first=slots[0].starts_at.isoformat(),
        last=slots[-1].starts_at.isoformat(),
    )
    db.session.commit()
    return slots


def _position_open(member: User, position: Position, now: datetime) -> None:
    _member_of(member, position)
    if position.status == PositionStatus.WITHDRAWN:
        raise ServiceError(f"{position.title} was withdrawn.")
    _open(position.season, now, "Publishing interview slots")


def add_slot(
    member: User, position: Position, day: date, at: time, details: SlotDetails, now: datetime | None = None
) -> InterviewSlot:
    """One slot: a day and a start time typed in the program's time zone."""
    now = now or utcnow()
    _position_open(member, position, now)
    start = _local_start(day, at, position)
    _check_starts(position, [start], details.minutes, now)
    return _add_slots(member, position, [start], details, "slot_added")[0]


def series_starts(
    position: Position, first: date, last: date, weekdays: list[int], window_start: time, window_end: time, minutes: int
) -> list[datetime]:
    """The UTC starts of a series: on each chosen weekday from `first` to `last`, back-to-back slots of
    `minutes` from `window_start` until `window_end` (local wall-clock times: 1 pm stays 1 pm across a
    change of daylight saving)."""
    if last < first:
        raise ServiceError("The series' last day comes before its first.", "last_day")
    if (last - first).days > 366:
        raise ServiceError("A series can span at most a year.", "last_day")
    if not weekdays or any(day not in range(7) for day in weekdays):
        raise ServiceError("Choose at least one weekday.", "weekdays")
    if window_end <= window_start:
        raise ServiceError("The window's end must come after its start.", "window_end")
    window = (datetime.combine(first, window_end) - datetime.combine(first, window_start)).seconds // 60
    per_day = window // minutes
    if per_day == 0:
        raise ServiceError("The window is shorter than one interview.", "window_end")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [day for day in days if day.weekday() in weekdays]
    if len(days) * per_day > MAX_SERIES:
        raise ServiceError(f"That is {len(days) * per_day} slots; publish at most {MAX_SERIES} at a time.")
    starts = []
    for day in days:
        begin = datetime.combine(day, window_start)
        for n in range(per_day):
            local = begin + timedelta(minutes=n * minutes)
            starts.append(_local_start(local.date(), local.time(), position))
    return starts


def add_series(
    member: User,
    position: Position,
    first: date,
    last: date,
    weekdays: list[int],
    window_start: time,
    window_end: time,
    details: SlotDetails,
    now: datetime | None = None,
) -> list[InterviewSlot]:
    """Many slots at once: "Tuesdays 1-4 pm, 30 minutes, from Feb 2 to Mar 30"."""
    now = now or utcnow()
    _position_open(member, position, now)
    starts = series_starts(position, first, last, weekdays, window_start, window_end, details.minutes)
    _check_starts(position, starts, details.minutes, now)
    return _add_slots(member, position, starts, details, "series_added")


def remove_slot(member: User, slot: InterviewSlot, reason: str = "", now: datetime | None = None) -> str:
    """Delete a free slot; a booked one is cancelled too: the student is told (with a CANCEL .ics) and
    may book another. Returns what happened, for the page."""
    now = now or utcnow()
    position = slot.position
    _member_of(member, position)
    interview = db.session.scalar(
        db.select(Interview).where(Interview.slot_id == slot.id).with_for_update(of=Interview)
    )
    if interview is not None and interview.status != InterviewStatus.BOOKED:
        raise ServiceError("This slot's interview is already marked done or no-show; it stays on record.")
    if interview is not None:
        _release(interview, InterviewStatus.INVITED)
        audit.record(
            member,
            "interview.slot_cancelled",
            interview,
            program_id=position.host.program_id,
            student_id=interview.student_id,
            starts_at=slot.starts_at.isoformat(),
            **audit.said(reason),
        )
        _email_change(interview, slot, "cancelled", cancel=True)
    else:
        audit.record(
            member,
            "interview.slot_deleted",
            position,
            program_id=position.host.program_id,
            starts_at=slot.starts_at.isoformat(),
        )
    db.session.flush()
    db.session.delete(slot)
    db.session.commit()
    return "cancelled" if interview is not None else "deleted"


def set_cutoff(member: User, position: Position, hours: int | None) -> None:
    _member_of(member, position)
    if hours is None or not 0 <= hours <= MAX_CUTOFF_HOURS:
        raise ServiceError(f"The cut-off is from 0 to {MAX_CUTOFF_HOURS} hours before the interview.", "hours")
    position.interview_cutoff_hours = hours
    audit.record(member, "interview.cutoff_set", position, program_id=position.host.program_id, hours=hours)
    db.session.commit()


# Invitations ---------------------------------------------------------------------------------------------


def invite(member: User, position: Position, student_ids: set[int], now: datetime | None = None) -> int:
    """Invite applicants of this position to book an interview; returns how many were newly invited.
    An applicant already invited (or booked) is left as they are; one who declined or was cancelled
    is invited again. Anyone who did not apply to this position makes the whole request fail."""
    now = now or utcnow()
    _member_of(member, position)
    if position.status == PositionStatus.WITHDRAWN:
        raise ServiceError(f"{position.title} was withdrawn.")
    _open(position.season, now, "Inviting to interview")
    if not student_ids:
        raise ServiceError("Choose at least one applicant to invite.")
    if _applied(position, student_ids) != student_ids:
        raise ServiceError("You can only invite students who applied to this position.")
    insert_missing(
        Interview,
        [
            {
                "position_id": position.id,
                "student_id": sid,
                "status": InterviewStatus.DECLINED,  # a marker: "new or back", turned into invited below
                "sequence": 0,
                "invited_by_id": member.id,
                "created_at": now,
                "updated_at": now,
            }
            for sid in sorted(student_ids)
        ],
        ["position_id", "student_id"],
    )
    rows = db.session.scalars(
        db.select(Interview)
        .where(Interview.position_id == position.id, Interview.student_id.in_(student_ids))
        .order_by(Interview.id)
        .with_for_update(of=Interview)
    ).all()
    invited = 0
    for interview in rows:
        db.session.refresh(interview)
        if interview.status not in (InterviewStatus.DECLINED, InterviewStatus.CANCELLED):
            continue
        interview.status, interview.invited_by_id = InterviewStatus.INVITED, member.id
        invited += 1
        audit.record(
            member,
            "interview.invited",
            interview,
            program_id=position.host.program_id,
            student_id=interview.student_id,
            position_id=position.id,
        )
        notify(  # in the student's notifications, and emailed as they chose for invitations
            interview.student,
            NotificationKind.INTERVIEW,
            _l("%(host)s invites you to interview for %(title)s", host=position.host.name, title=position.title),
            site_path("student.interviews_page"),
            program=position.host.program,
            season=position.season,
            email_template="interview_invitation",
            interview=interview,
            position=position,
            student=interview.student,
            cutoff=position.interview_cutoff_hours,
        )
    db.session.commit()
    return invited


def _release(interview: Interview, status: InterviewStatus) -> None:
    interview.slot_id = None
    interview.slot = None
    interview.status = status
    interview.reminded_at = None
    interview.sequence += 1


def _own_interview(student: User, interview: Interview) -> None:
    if interview.student_id != student.id:
        raise NotFound(_("No such interview."))


def _cutoff_passed(interview: Interview, now: datetime) -> bool:
    slot = interview.slot
    return slot is not None and now > slot.starts_at - timedelta(hours=interview.position.interview_cutoff_hours)


def book(student: User, interview: Interview, slot: InterviewSlot, now: datetime | None = None) -> Interview:
    """The student books (or moves their booking to) a free slot of the position they were invited for."""
    now = now or utcnow()
    _own_interview(student, interview)
    lock_row(Interview, interview.id, interview)
    position = interview.position
    _student_open(position.season, now)
    if slot.position_id != interview.position_id:
        raise NotFound(_("No such interview time."))
    if interview.status not in (InterviewStatus.INVITED, InterviewStatus.BOOKED):
        raise ServiceError(_("This invitation is no longer open."))
    if slot.starts_at <= now:
        raise ServiceError(_("That time has passed: choose another."))
    if interview.slot_id == slot.id:
        return interview
    moving = interview.status == InterviewStatus.BOOKED
    if moving and _cutoff_passed(interview, now):
        raise ServiceError(
            _(
                "Your interview can no longer be moved: changes close %(hours)s hours before it.",
                hours=position.interview_cutoff_hours,
            )
        )
    old_start = interview.starts_at
    interview.slot_id, interview.status, interview.starts_at = slot.id, InterviewStatus.BOOKED, slot.starts_at
    interview.reminded_at = None
    if moving:
        interview.sequence += 1
    try:
        db.session.flush()  # the unique slot_id: of two bookings of one slot, one flush fails here
    except IntegrityError as error:
        db.session.rollback()
        raise StaleEdit(_taken()) from error
    db.session.refresh(interview)
    audit.record(
        student,
        "interview.rescheduled" if moving else "interview.booked",
        interview,
        program_id=position.host.program_id,
        slot_id=slot.id,
        starts_at=slot.starts_at.isoformat(),
        **({"was": old_start.isoformat()} if moving and old_start else {}),
    )
    _email_change(interview, slot, "rescheduled" if moving else "booked")
    try:
        db.session.commit()
    except IntegrityError as error:  # PostgreSQL: the other booking committed first
        db.session.rollback()
        raise StaleEdit(_taken()) from error
    return interview


def decline(student: User, interview: Interview, now: datetime | None = None) -> Interview:
    """The student declines the invitation (freeing their slot), until the cut-off before a booked one."""
    now = now or utcnow()
    _own_interview(student, interview)
    lock_row(Interview, interview.id, interview)
    _student_open(interview.position.season, now)
    if interview.status not in (InterviewStatus.INVITED, InterviewStatus.BOOKED):
        raise ServiceError(_("This invitation is no longer open."))
    if _cutoff_passed(interview, now):
        raise ServiceError(
            _(
                "Your interview can no longer be declined here: changes close %(hours)s hours before it. "
                "Please write to the company.",
                hours=interview.position.interview_cutoff_hours,
            )
        )
    slot = interview.slot
    _release(interview, InterviewStatus.DECLINED)
    audit.record(
        student, "interview.declined", interview, program_id=interview.position.host.program_id, had_slot=bool(slot)
    )
    if slot is not None:
        _email_change(interview, slot, "declined", cancel=True)
    db.session.commit()
    return interview


MARKS = {"done": InterviewStatus.DONE, "no_show": InterviewStatus.NO_SHOW, "cancelled": InterviewStatus.CANCELLED}


def mark(member: User, interview: Interview, outcome: str, now: datetime | None = None) -> Interview:
    """The host marks a past interview done or no-show, or cancels an invitation (and its booking).
    Done also sets the team's "interviewed" mark, so the two never disagree."""
    now = now or utcnow()
    position = interview.position
    _member_of(member, position)
    lock_row(Interview, interview.id, interview)
    status = MARKS.get(outcome)
    if status is None:
        raise ServiceError("Mark the interview done or no-show, or cancel it.")
    was = interview.status
    if status in (InterviewStatus.DONE, InterviewStatus.NO_SHOW):
        if interview.slot is None or was not in HOLDS_SLOT:
            raise ServiceError("Only a booked interview can be marked done or no-show.")
        if interview.slot.starts_at > now:
            raise ServiceError("Mark the interview once its time has come.")
        interview.status = status
        if status == InterviewStatus.DONE:
            _set_interviewed(member, position, interview.student_id)
    else:
        if was not in (InterviewStatus.INVITED, InterviewStatus.BOOKED):
            raise ServiceError("Only an open invitation can be cancelled.")
        _open(position.season, now, "Cancelling an interview")
        slot = interview.slot
        _release(interview, InterviewStatus.CANCELLED)
        if slot is not None:
            _email_change(interview, slot, "cancelled", cancel=True)
    audit.record(
        member,
        "interview.marked",
        interview,
        program_id=position.host.program_id,
        student_id=interview.student_id,
        was=was,
        now=interview.status,
    )
    db.session.commit()
    return interview


def _set_interviewed(member: User, position: Position, student_id: int) -> None:
    insert_missing(
        CandidateReview,
        [
            {
                "host_id": position.host_id,
                "student_id": student_id,
                "note": "",
                "interviewed": False,
                "updated_at": utcnow(),
            }
        ],
        ["host_id", "student_id"],
    )
    review = db.session.scalar(
        db.select(CandidateReview)
        .where(CandidateReview.host_id == position.host_id, CandidateReview.student_id == student_id)
        .with_for_update()
    )
    review.interviewed, review.updated_by_id = True, member.id


# Emails ---------------------------------------------------------------------------------------------------


def host_emails(position: Position) -> list[str]:
    return list(
        db.session.scalars(
            db.select(User.email)
            .join(HostMember, HostMember.user_id == User.id)
            .where(HostMember.host_id == position.host_id, User.active.is_(True))
            .order_by(User.email)
        )
    )


def _email_change(interview: Interview, slot: InterviewSlot, kind: str, cancel: bool = False) -> None:
    """Tell the student and the host's team, each with the .ics that updates their calendar."""
    position = interview.position
    program = position.host.program
    ics = interview_calendar.invitation(interview, slot, cancel=cancel)
    name = "cancel.ics" if cancel else "invite.ics"
    subjects = {
        "booked": f"Interview booked: {position.title}",
        "rescheduled": f"Interview moved: {position.title}",
        "cancelled": f"Interview cancelled: {position.title}",
        "declined": f"Interview declined: {position.title}",
        "reminder": f"Reminder: interview tomorrow for {position.title}",
    }
    common = dict(program=program, attachment=(name, ics), interview=interview, slot=slot, position=position)
    common["kind"] = kind
    title = position.title
    for_student = {
        "booked": _l("Interview booked: %(title)s", title=title),
        "rescheduled": _l("Interview moved: %(title)s", title=title),
        "cancelled": _l("Interview cancelled: %(title)s", title=title),
        "declined": _l("Interview declined: %(title)s", title=title),
        "reminder": _l("Reminder: interview tomorrow for %(title)s", title=title),
    }
    send_email(
        interview.student.email,
        for_student[kind],
        "interview_update_student",
        locale=interview.student.locale,
        student=interview.student,
        **common,
    )
    team = host_emails(position)
    if team:
        send_email(team, subjects[kind], "interview_update", student=None, **common, applicant=interview.student)


def send_reminders(now: datetime | None = None) -> int:
    """The periodic job: one reminder, 24 hours before, of each booked interview (idempotent)."""
    now = now or utcnow()
    due = db.session.scalars(
        db.select(Interview)
        .join(InterviewSlot, InterviewSlot.id == Interview.slot_id)
        .where(
            Interview.status == InterviewStatus.BOOKED,
            Interview.reminded_at.is_(None),
            InterviewSlot.starts_at > now,
            InterviewSlot.starts_at <= now + REMINDER_BEFORE,
        )
        .order_by(Interview.id)
        .with_for_update(skip_locked=True, of=Interview)
    ).all()
    for interview in due:
        interview.reminded_at = now
        _email_change(interview, interview.slot, "reminder")
        audit.record(None, "interview.reminded", interview, program_id=interview.position.host.program_id, at=now)
    db.session.commit()
    return len(due)


JOBS = (jobs.Job("market.interview_reminders", send_reminders, every=crontab(minute="*/10")),)


# Pages ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRow:
    slot: InterviewSlot
    interview: Interview | None  # the host's own view: who booked it


@dataclass(frozen=True)
class PositionInterviews:
    slots: list[SlotRow]
    interviews: dict[int, Interview]  # student id -> this position's invitation
    free: int
    days: list[DaySlots]  # the slots by local day, for the host's compact list


@dataclass(frozen=True)
class DaySlots:
    """One local day of a position's slots; `shared`: the details every slot of the day has in common
    ("30 min, video call with Dana", and the place), else "" and each row names its own."""

    day: date
    rows: list[SlotRow]
    shared: str
    place: str

    @property
    def free(self) -> int:
        return sum(row.interview is None for row in self.rows)


def for_position(position: Position) -> PositionInterviews:
    """The host's page of one position: its slots (with who booked each) and its invitations."""
    slots = db.session.scalars(
        db.select(InterviewSlot).where(InterviewSlot.position_id == position.id).order_by(InterviewSlot.starts_at)
    ).all()
    interviews = db.session.scalars(
        db.select(Interview).where(Interview.position_id == position.id).order_by(Interview.id)
    ).all()
    by_slot = {i.slot_id: i for i in interviews if i.slot_id is not None}
    rows = [SlotRow(slot, by_slot.get(slot.id)) for slot in slots]
    tz = zone_of(position.host.program)
    by_day: dict[date, list[SlotRow]] = {}
    for row in rows:
        by_day.setdefault(to_local(row.slot.starts_at, tz).date(), []).append(row)
    days = []
    for day, day_rows in by_day.items():
        kinds = {(_details_text(row.slot), row.slot.address or row.slot.link) for row in day_rows}
        shared, place = next(iter(kinds)) if len(kinds) == 1 else ("", "")
        days.append(DaySlots(day, day_rows, shared, place))
    free = sum(slot.id not in by_slot for slot in slots)
    return PositionInterviews(rows, {i.student_id: i for i in interviews}, free, days)


def statuses(host_id: int, keys: set[tuple[int, int]]) -> dict[tuple[int, int], Interview]:
    """(position id, student id) -> the host's interview, for the applicants list."""
    if not keys:
        return {}
    rows = db.session.scalars(
        db.select(Interview)
        .join(Position, Position.id == Interview.position_id)
        .where(
            Position.host_id == host_id,
            Interview.position_id.in_({p for p, _ in keys}),
            Interview.student_id.in_({s for _, s in keys}),
        )
    )
    return {(i.position_id, i.student_id): i for i in rows}


def of_position(position_id: int) -> dict[int, Interview]:
    """Student id -> the position's interview (the rank page)."""
    return {
        i.student_id: i for i in db.session.scalars(db.select(Interview).where(Interview.position_id == position_id))
    }


@dataclass(frozen=True)
class StudentInterview:
    interview: Interview
    free_slots: list[InterviewSlot]  # times they may book or move to: never who holds the others
    can_change: bool


def for_student(student: User, now: datetime | None = None) -> list[StudentInterview]:
    """The student's own invitations, newest season first, each with the free times of its position."""
    now = now or utcnow()
    interviews = db.session.scalars(
        db.select(Interview)
        .join(Position, Position.id == Interview.position_id)
        .join(Season, Season.id == Position.season_id)
        .where(Interview.student_id == student.id)
        .order_by(Season.year.desc(), Interview.id)
    ).all()
    select_taken = db.select(Interview.slot_id).where(Interview.slot_id.is_not(None))
    rows = []
    for interview in interviews:
        season = interview.position.season
        open_ = Phase(season.phase) in OPEN_PHASES and (
            season.ranking_close_at is None or now < season.ranking_close_at
        )
        can_change = (
            open_
            and interview.status in (InterviewStatus.INVITED, InterviewStatus.BOOKED)
            and not _cutoff_passed(interview, now)
        )
        free = (
            db.session.scalars(
                db.select(InterviewSlot)
                .where(
                    InterviewSlot.position_id == interview.position_id,
                    InterviewSlot.starts_at > now,
                    InterviewSlot.id.not_in(select_taken),
                )
                .order_by(InterviewSlot.starts_at)
            ).all()
            if can_change
            else []
        )
        rows.append(StudentInterview(interview, list(free), can_change))
    return rows


def open_count(student: User) -> int:
    """How many invitations wait for the student's booking (the dashboard's line)."""
    return db.session.scalar(
        db.select(db.func.count(Interview.id)).where(
            Interview.student_id == student.id, Interview.status == InterviewStatus.INVITED
        )
    )


def slot_of_host(host_id: int, slot_id: int) -> InterviewSlot:
    slot = db.session.get(InterviewSlot, slot_id)
    if slot is None or slot.position.host_id != host_id:
        raise NotFound("No such interview slot.")
    return slot


def interview_of_host(host_id: int, interview_id: int) -> Interview:
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.position.host_id != host_id:
        raise NotFound("No such interview.")
    return interview


def interview_of_student(student: User, interview_id: int) -> Interview:
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.student_id != student.id:
        raise NotFound(_("No such interview."))
    return interview


def _details_text(slot: InterviewSlot) -> str:
    how = {"onsite": "on site", "video": "video call", "phone": "phone call"}[slot.format]
    return one_line(f"{slot.minutes} min, {how}" + (f" with {slot.interviewer}" if slot.interviewer else ""))


def describe_time(slot: InterviewSlot, with_details: bool = True) -> str:
    """A slot within its day's list (the host's page): "1:00 PM EST", with its details when the day's
    slots differ ("1:00 PM EST, 30 min, video call with Dana")."""
    clock = format_clock(slot.starts_at, zone_of(slot.position.host.program))
    return f"{clock}, {_details_text(slot)}" if with_details else clock


def describe(slot: InterviewSlot) -> str:
    """One line: "Feb 2, 2027, 1:00 PM EST, 30 min, video call with Dana" (students read it too)."""
    when = format_when(slot.starts_at, zone_of(slot.position.host.program), True, locale=get_locale())
    how = {"onsite": _("on site"), "video": _("video call"), "phone": _("phone call")}[slot.format]
    if slot.interviewer:
        return one_line(
            _(
                "%(when)s, %(minutes)s min, %(how)s with %(who)s",
                when=when,
                minutes=slot.minutes,
                how=how,
                who=slot.interviewer,
            )
        )
    return one_line(_("%(when)s, %(minutes)s min, %(how)s", when=when, minutes=slot.minutes, how=how))
