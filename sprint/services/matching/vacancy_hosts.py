"""Vacancy rounds, the hosts' side: their positions with seats left, each one's applicants in the round
(profile, note, skills fit), the host's rank list of them (equal numbers are a tie, as in round 1),
and invitations to eligible students who have not applied."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    HostCompany,
    Position,
    Season,
    StudentProfile,
    User,
    VacancyApplication,
    VacancyHostRank,
    VacancyInvitation,
    VacancyRound,
)
from ..errors import NotAllowed, NotFound, ServiceError
from ..market import skills
from ..support import audit
from ..support.concurrency import lock_row
from . import vacancy_rounds
from .vacancy_emails import invitation_email
from .vacancy_rounds import OpenPosition

RANK = re.compile(r"[0-9]{1,3}")


def _member_of(member: User, position: Position) -> None:
    if member.membership is None or member.membership.host_id != position.host_id:
        raise NotAllowed("You are not a member of this company.")


def position_in_round(member: User, round_: VacancyRound, position_id: int) -> Position:
    """The member's own position of the round's season, else NotFound (another host's ids reveal nothing)."""
    position = db.session.get(Position, position_id) if position_id else None
    if (
        position is None
        or position.season_id != round_.season_id
        or member.membership is None
        or member.membership.host_id != position.host_id
    ):
        raise NotFound("There is no such position of yours in this round.")
    return position


@dataclass(frozen=True)
class HostPosition:
    entry: OpenPosition
    applicants: int
    ranked: int


@dataclass(frozen=True)
class HostRound:
    round: VacancyRound
    stage: str
    positions: list[HostPosition]


def standing(host: HostCompany, season: Season) -> HostRound | None:
    """The open round and the host's positions with seats left in it; None without an open round."""
    round_ = vacancy_rounds.current_round(season)
    if round_ is None:
        return None
    mine = [entry for entry in vacancy_rounds.open_positions(season) if entry.position.host_id == host.id]
    ids = [entry.position.id for entry in mine]
    counts = _counts(VacancyApplication, round_, ids)
    ranked = _counts(VacancyHostRank, round_, ids)
    return HostRound(
        round_,
        vacancy_rounds.stage(round_),
        [HostPosition(entry, counts.get(entry.position.id, 0), ranked.get(entry.position.id, 0)) for entry in mine],
    )


def _counts(model, round_: VacancyRound, position_ids: list[int]) -> dict[int, int]:
    if not position_ids:
        return {}
    return dict(
        db.session.execute(
            db.select(model.position_id, db.func.count(model.id))
            .where(model.round_id == round_.id, model.position_id.in_(position_ids))
            .group_by(model.position_id)
        ).all()
    )


@dataclass(frozen=True)
class Applicant:
    student: User
    profile: StudentProfile
    note: str
    score: int | None
    rank: int | None


def applicants(round_: VacancyRound, position: Position) -> list[Applicant]:
    """The round's applicants to the position with the host's rank, ranked first, then by name."""
    ranks = dict(
        db.session.execute(
            db.select(VacancyHostRank.student_id, VacancyHostRank.rank).where(
                VacancyHostRank.round_id == round_.id, VacancyHostRank.position_id == position.id
            )
        ).all()
    )
    rows = db.session.execute(
        db.select(VacancyApplication, User, StudentProfile)
        .join(User, User.id == VacancyApplication.student_id)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .where(VacancyApplication.round_id == round_.id, VacancyApplication.position_id == position.id)
        .order_by(User.name, User.id)
    )
    people = [
        Applicant(
            row.User,
            row.StudentProfile,
            row.VacancyApplication.note,
            skills.match_score(
                set(row.StudentProfile.skill_names), position.required_skills, position.preferred_skills
            ),
            ranks.get(row.User.id),
        )
        for row in rows
    ]
    return sorted(people, key=lambda person: (person.rank is None, person.rank or 0))


def save_ranks(member: User, round_: VacancyRound, position: Position, raw: dict[int, str]) -> int:
    """Replace the position's list in the round (blank: not ranked); says how many are ranked."""
    _member_of(member, position)
    lock_row(Position, position.id)  # two colleagues saving at once: one list after the other
    vacancy_rounds.check_window(round_)
    people = {person.student.id: person.student for person in applicants(round_, position)}
    if set(raw) - set(people):
        raise ServiceError("You can only rank students who applied to this position in this round.")
    ranks = {}
    for student_id, student in people.items():
        text = (raw.get(student_id) or "").strip()
        if not text:
            continue
        if not RANK.fullmatch(text) or int(text) < 1:
            raise ServiceError(f"The rank of {student.name} must be a whole number from 1 up.")
        ranks[student_id] = int(text)
    db.session.execute(
        db.delete(VacancyHostRank).where(
            VacancyHostRank.round_id == round_.id, VacancyHostRank.position_id == position.id
        )
    )
    db.session.add_all(
        VacancyHostRank(round_id=round_.id, position_id=position.id, student_id=sid, rank=rank, updated_by_id=member.id)
        for sid, rank in ranks.items()
    )
    audit.record(
        member, "vacancy.ranked", position, program_id=round_.season.program_id, round=round_.number, ranked=len(ranks)
    )
    db.session.commit()
    return len(ranks)


@dataclass(frozen=True)
class Invitable:
    student: User
    score: int | None
    invited: bool


def invitable(round_: VacancyRound, position: Position) -> list[Invitable]:
    """Eligible students who have not applied to this position, best skills fit first."""
    applied = set(
        db.session.scalars(
            db.select(VacancyApplication.student_id).where(
                VacancyApplication.round_id == round_.id, VacancyApplication.position_id == position.id
            )
        )
    )
    invited = set(
        db.session.scalars(
            db.select(VacancyInvitation.student_id).where(
                VacancyInvitation.round_id == round_.id, VacancyInvitation.position_id == position.id
            )
        )
    )
    people = [
        Invitable(
            student,
            skills.match_score(
                set(student.profile.skill_names) if student.profile else set(),
                position.required_skills,
                position.preferred_skills,
            ),
            student.id in invited,
        )
        for student in vacancy_rounds.eligible_students(round_)
        if student.id not in applied
    ]
    return sorted(people, key=lambda person: (-(person.score or 0), person.student.name, person.student.id))


def invite(member: User, round_: VacancyRound, position: Position, student: User) -> VacancyInvitation:
    """Ask an eligible student who has not applied to apply to the position (once)."""
    _member_of(member, position)
    vacancy_rounds.check_window(round_)
    candidate = next((person for person in invitable(round_, position) if person.student.id == student.id), None)
    if candidate is None:
        raise ServiceError(f"{student.name} cannot be invited: they applied already or are not in this round.")
    if candidate.invited:
        raise ServiceError(f"{student.name} is already invited to {position.title}.")
    invitation = VacancyInvitation(
        round_id=round_.id, position_id=position.id, student_id=student.id, invited_by_id=member.id
    )
    db.session.add(invitation)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same invitation sent twice at once: one row
        db.session.rollback()
        raise ServiceError(f"{student.name} is already invited to {position.title}.") from error
    audit.record(
        member,
        "vacancy.invited",
        invitation,
        program_id=round_.season.program_id,
        position_id=position.id,
        student_id=student.id,
    )
    invitation_email(invitation, round_, position, student)
    db.session.commit()
    return invitation
