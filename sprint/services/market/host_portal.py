"""Host companies: the company profile, the team, applicants with private notes, and results."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    CandidateReview,
    College,
    HostCompany,
    HostMember,
    HostMemberRole,
    HostRank,
    Placement,
    Position,
    PositionInterest,
    Season,
    Skill,
    StudentProfile,
    User,
    utcnow,
)
from ...models.enums import LIVE_PLACEMENTS
from ..errors import NotAllowed, ServiceError, StaleEdit
from ..support import audit
from ..support.concurrency import insert_missing
from ..support.paging import Page, paginate_rows
from . import skills
from .student_access import host_may_see_student, live_applications_to_host

COMPANY_FIELDS = ("name", "sector", "site_town", "size", "website", "description")


def _owner(member: User, host: HostCompany) -> None:
    membership = member.membership
    if membership is None or membership.host_id != host.id or membership.role != HostMemberRole.OWNER:
        raise NotAllowed("Only an owner of the company can do this.")


def update_company(member: User, host: HostCompany, data: dict) -> None:
    _owner(member, host)
    taken = db.session.scalar(
        db.select(HostCompany.id).where(
            HostCompany.program_id == host.program_id,
            HostCompany.name == data["name"].strip(),
            HostCompany.id != host.id,
        )
    )
    if taken is not None:
        raise ServiceError("Another company in the program already uses that name.", "name")
    for name in COMPANY_FIELDS:
        setattr(host, name, (data.get(name) or "").strip())
    audit.record(member, "host.updated", host, program_id=host.program_id)
    try:
        db.session.commit()
    except IntegrityError as error:  # another company took the name at the same moment
        db.session.rollback()
        raise ServiceError("Another company in the program already uses that name.", "name") from error


LAST_OWNER = "The company needs at least one owner: make someone else an owner first."


def is_last_owner(membership: HostMember) -> bool:
    owners = [m for m in membership.host.members if m.role == HostMemberRole.OWNER]
    return membership.role == HostMemberRole.OWNER and len(owners) == 1


def remove_member(actor: User, membership: HostMember, reason: str = "") -> None:
    """An owner removes a colleague, or a member leaves; access ends at once. The last owner stays.

    Recorded on the person (their account stays), with the optional reason, for the coordinator."""
    host = membership.host
    if actor.id != membership.user_id:
        _owner(actor, host)
    if is_last_owner(membership):
        raise ServiceError(LAST_OWNER)
    audit.record(
        actor, "host.member_removed", membership.user, program_id=host.program_id, host=host.name, **audit.said(reason)
    )
    removed = db.session.execute(
        db.delete(HostMember).where(HostMember.id == membership.id).execution_options(synchronize_session=False)
    ).rowcount
    if removed != 1:  # removed by another click or colleague a moment ago
        db.session.rollback()
        raise StaleEdit("That person was already removed from the team.")
    db.session.commit()


@dataclass(frozen=True)
class ApplicantRow:
    student: User
    profile: StudentProfile
    college: College | None
    position: Position
    statement: str
    score: int | None
    review: CandidateReview | None


def applicants(
    host: HostCompany,
    season: Season,
    position_id: int | None = None,
    skill: str = "",
    college_id: int | None = None,
    major: str = "",
    class_year: int | None = None,
    page: int = 1,
) -> Page:
    """Students who applied to this host's positions in the season, filtered and paginated.

    Only what a host may see: no self-identification fields, no other hosts' applicants, no student ranks.
    """
    query = (
        db.select(PositionInterest, User, StudentProfile, Position)
        .options(lazyload(User.profile), lazyload(PositionInterest.position))  # selected already: not joined twice
        .join(Application, Application.id == PositionInterest.application_id)
        .join(User, User.id == Application.student_id)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .join(Position, Position.id == PositionInterest.position_id)
        .where(
            Position.host_id == host.id,
            Position.season_id == season.id,
            PositionInterest.withdrawn_at.is_(None),
            Application.status == ApplicationStatus.SUBMITTED,
        )
    )
    if position_id:
        query = query.where(Position.id == position_id)
    if skill:
        query = query.where(StudentProfile.skills.any(Skill.name == skill.strip().lower()))
    if college_id:
        query = query.where(StudentProfile.college_id == college_id)
    if major:
        query = query.where(StudentProfile.major.ilike(f"%{major.strip()}%"))
    if class_year:
        query = query.where(StudentProfile.class_year == class_year)
    query = query.order_by(User.name, Position.title)
    page_ = paginate_rows(query, page, current_app.config["PAGE_SIZE"])
    rows = page_.items
    reviews = _reviews(host, {row.User.id for row in rows})
    items = [
        ApplicantRow(
            row.User,
            row.StudentProfile,
            row.StudentProfile.college,
            row.Position,
            row.PositionInterest.statement,
            skills.match_score(
                set(row.StudentProfile.skill_names), row.Position.required_skills, row.Position.preferred_skills
            ),
            reviews.get(row.User.id),
        )
        for row in rows
    ]
    return Page(items, page_.page, page_.per_page, page_.total)


def _reviews(host: HostCompany, student_ids: set[int]) -> dict[int, CandidateReview]:
    if not student_ids:
        return {}
    return {
        review.student_id: review
        for review in db.session.scalars(
            db.select(CandidateReview).where(
                CandidateReview.host_id == host.id, CandidateReview.student_id.in_(student_ids)
            )
        )
    }


def may_see(host: HostCompany, student: User) -> bool:
    """Whether the host may open the student's page (sprint/services/student_access.py)."""
    return host_may_see_student(host.id, student.id)


def save_review(member: User, student: User, note: str, interviewed: bool) -> CandidateReview:
    """A private note and the interviewed mark, shared by the host's team."""
    host = member.host
    if host is None or not may_see(host, student):
        raise NotAllowed("This student did not apply to your company this season.")
    insert_missing(
        CandidateReview,
        [{"host_id": host.id, "student_id": student.id, "note": "", "interviewed": False, "updated_at": utcnow()}],
        ["host_id", "student_id"],
    )
    review = db.session.scalar(
        db.select(CandidateReview)
        .where(CandidateReview.host_id == host.id, CandidateReview.student_id == student.id)
        .with_for_update()
    )
    review.note, review.interviewed, review.updated_by_id = note.strip(), interviewed, member.id
    # The note itself stays private to the team: the audit says that it changed, not what it says.
    audit.record(
        member, "review.saved", review, program_id=host.program_id, student_id=student.id, interviewed=interviewed
    )
    db.session.commit()
    return review


@dataclass(frozen=True)
class HostResults:
    interns: list[Placement]
    elsewhere: dict[int, list[User]]  # position id -> ranked candidates placed at another host
    unmatched: dict[int, list[User]]  # position id -> ranked candidates not placed at all


def results(host: HostCompany, season: Season) -> HostResults:
    """After publication: the host's interns, and what became of the others it ranked (never where)."""
    interns = list(
        db.session.scalars(
            db.select(Placement)
            .join(Position)
            .where(Position.host_id == host.id, Placement.season_id == season.id)
            .order_by(Placement.status, Placement.offered_at)
        )
    )
    placed_here = {(p.position_id, p.student_id) for p in interns if p.status in LIVE_PLACEMENTS}
    placed_anywhere = set(
        db.session.scalars(
            db.select(Placement.student_id).where(
                Placement.season_id == season.id, Placement.status.in_(LIVE_PLACEMENTS)
            )
        )
    )
    elsewhere: dict[int, list[User]] = {}
    unmatched: dict[int, list[User]] = {}
    rows = db.session.execute(
        db.select(HostRank.position_id, User)
        .join(User, User.id == HostRank.student_id)
        .join(Position, Position.id == HostRank.position_id)
        .where(Position.host_id == host.id, Position.season_id == season.id)
        .order_by(HostRank.rank, User.name)
    )
    for position_id, student in rows:
        if (position_id, student.id) in placed_here:
            continue
        target = elsewhere if student.id in placed_anywhere else unmatched
        target.setdefault(position_id, []).append(student)
    return HostResults(interns, elsewhere, unmatched)


def review_of(host: HostCompany, student: User) -> CandidateReview | None:
    return _reviews(host, {student.id}).get(student.id)


def interests_in_host(host: HostCompany, student: User) -> list[PositionInterest]:
    """The student's live applications to this host's positions (not to other hosts, not past seasons)."""
    return list(
        db.session.scalars(
            live_applications_to_host(host.id)
            .where(Application.student_id == student.id)
            .order_by(PositionInterest.created_at)
        )
    )
