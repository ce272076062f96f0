"""Vacancy rounds, the students' side: the positions with seats left, applying to up to N of them with a
note, ordering those applications (the student's list for the round's match), withdrawing, and the
invitations hosts sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    Position,
    Season,
    User,
    VacancyApplication,
    VacancyInvitation,
    VacancyRound,
)
from ...plurals import counted
from ..errors import NotFound, ServiceError
from ..support import audit
from ..support.concurrency import lock_row, share_row
from . import vacancy_rounds
from .vacancy_rounds import OpenPosition

MAX_NOTE = 1000


def applications_of(student: User, round_: VacancyRound) -> list[VacancyApplication]:
    """The student's applications in the round, in their order (1 = first choice)."""
    return list(
        db.session.scalars(
            db.select(VacancyApplication)
            .where(VacancyApplication.round_id == round_.id, VacancyApplication.student_id == student.id)
            .order_by(VacancyApplication.rank, VacancyApplication.id)
        )
    )


def invitations_of(student: User, round_: VacancyRound) -> list[VacancyInvitation]:
    return list(
        db.session.scalars(
            db.select(VacancyInvitation)
            .where(VacancyInvitation.round_id == round_.id, VacancyInvitation.student_id == student.id)
            .order_by(VacancyInvitation.created_at, VacancyInvitation.id)
        )
    )


@dataclass
class StudentRound:
    """Where a student stands in the season's open vacancy round, for their dashboard."""

    round: VacancyRound
    stage: str
    eligible: bool
    applications: list[VacancyApplication] = field(default_factory=list)
    positions: list[OpenPosition] = field(default_factory=list)  # open to apply to (not applied yet)
    invitations: list[VacancyInvitation] = field(default_factory=list)  # not answered by an application yet
    ended: set[int] = field(default_factory=set)  # positions whose earlier placement of theirs was withdrawn

    @property
    def slots_left(self) -> int:
        return max(self.round.max_applications - len(self.applications), 0)


def standing(student: User, season: Season, now: datetime | None = None) -> StudentRound | None:
    """The open round and the student's part in it; None when the season has no open round."""
    round_ = vacancy_rounds.current_round(season)
    if round_ is None:
        return None
    eligible = vacancy_rounds.is_eligible(round_, student)
    mine = applications_of(student, round_) if eligible else []
    applied = {application.position_id for application in mine}
    ended = {pid for sid, pid in vacancy_rounds.ended_pairs(season) if sid == student.id}
    return StudentRound(
        round_,
        vacancy_rounds.stage(round_, now),
        eligible,
        mine,
        [entry for entry in vacancy_rounds.open_positions(season) if entry.position.id not in applied | ended]
        if eligible
        else [],
        [invitation for invitation in invitations_of(student, round_) if invitation.position_id not in applied]
        if eligible
        else [],
        ended,
    )


def _lock_in_order(student: User, round_: VacancyRound) -> None:
    """The round first (shared), then the student (exclusive): the round's email job locks the round and
    then writes the notices of its students, so taking the student first could deadlock with it."""
    share_row(VacancyRound, round_.id)
    lock_row(User, student.id)


def apply(student: User, round_: VacancyRound, position: Position, note: str = "") -> VacancyApplication:
    """Apply to one position with seats left, as the student's lowest choice so far."""
    _lock_in_order(student, round_)  # the same student's two tabs: the N limit is checked one at a time
    vacancy_rounds.check_window(round_)
    if not vacancy_rounds.is_eligible(round_, student):
        raise ServiceError(
            "You cannot take part in this vacancy round: it is for students without a live placement"
            + ("." if round_.include_declined else " who have not declined an offer.")
        )
    seats = {entry.position.id for entry in vacancy_rounds.open_positions(round_.season)}
    if position.season_id != round_.season_id or position.id not in seats:
        raise ServiceError(f"{position.title} has no seat left in this round.")
    if (student.id, position.id) in vacancy_rounds.ended_pairs(round_.season):
        raise ServiceError(f"Your earlier placement at {position.title} ended; apply to another position.")
    mine = applications_of(student, round_)
    if any(application.position_id == position.id for application in mine):
        raise ServiceError(f"You already applied to {position.title} in this round.")
    if len(mine) >= round_.max_applications:
        raise ServiceError(
            f"This round allows {counted(round_.max_applications, 'application')}; withdraw one to apply here."
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ServiceError(f"Keep the note under {MAX_NOTE} characters.", "note")
    application = VacancyApplication(
        round_id=round_.id,
        student_id=student.id,
        position_id=position.id,
        rank=max((a.rank for a in mine), default=0) + 1,
        note=note,
    )
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form posted twice at once: one row
        db.session.rollback()
        raise ServiceError(f"You already applied to {position.title} in this round.") from error
    audit.record(student, "vacancy.applied", application, program_id=round_.season.program_id, position_id=position.id)
    db.session.commit()
    return application


def application_for(student: User, application_id: int) -> VacancyApplication:
    """The student's own application, else NotFound."""
    found = db.session.get(VacancyApplication, application_id) if application_id else None
    if found is None or found.student_id != student.id:
        raise NotFound("There is no such application of yours.")
    return found


def withdraw(student: User, application: VacancyApplication) -> None:
    """Take an application back while the window is open; the others close up their order."""
    round_ = application.round
    _lock_in_order(student, round_)
    vacancy_rounds.check_window(round_)
    position_id = application.position_id
    db.session.delete(application)
    db.session.flush()
    for rank, other in enumerate(applications_of(student, round_), start=1):
        other.rank = rank
    audit.record(
        student, "vacancy.withdrawn", application, program_id=round_.season.program_id, position_id=position_id
    )
    db.session.commit()


def reorder(student: User, round_: VacancyRound, ordered_ids: list[int]) -> None:
    """Put the student's applications in this order (every one of them, once)."""
    _lock_in_order(student, round_)
    vacancy_rounds.check_window(round_)
    mine = {application.id: application for application in applications_of(student, round_)}
    if sorted(ordered_ids) != sorted(mine):
        raise ServiceError("The list changed since you opened the page; reload it and order it again.")
    for rank, application_id in enumerate(ordered_ids, start=1):
        mine[application_id].rank = rank
    audit.record(student, "vacancy.ordered", round_, program_id=round_.season.program_id, order=ordered_ids)
    db.session.commit()


def move(student: User, application: VacancyApplication, step: int) -> None:
    """Move one application up (-1) or down (+1) in the student's order."""
    ids = [a.id for a in applications_of(student, application.round)]
    at = ids.index(application.id)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    reorder(student, application.round, ids)


def position_in_round(round_: VacancyRound, position_id: int) -> Position:
    """A position of the round's season, else NotFound (another program's ids reveal nothing)."""
    position = db.session.get(Position, position_id) if position_id else None
    if position is None or position.season_id != round_.season_id:
        raise NotFound("There is no such position in this round.")
    return position
