"""Both sides' rank lists: save a draft, certify, and the health checks before the deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext, ngettext

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    CandidateReview,
    ExtensionKind,
    HostRank,
    Interview,
    InterviewStatus,
    Position,
    PositionInterest,
    PositionStatus,
    StudentProfile,
    StudentRank,
    User,
    utcnow,
)
from ...plurals import counted
from ..errors import NotAllowed, ServiceError
from ..season.deadlines import ensure_open
from ..support import audit
from ..support.concurrency import claim_version, lock_row, undone_on_error
from . import skills
from .applications import active_interests

SHORT_LIST = 3
RANK = re.compile(r"[0-9]{1,3}")
CHANGED_ELSEWHERE = (
    "This rank list was changed in another window or by a colleague since you opened it. "
    "Nothing was saved: reload the page to see the current list, then make your changes again."
)


def _changed_elsewhere() -> str:
    """CHANGED_ELSEWHERE in the student's language (hosts' pages stay English)."""
    return gettext(
        "This rank list was changed in another window or by a colleague since you opened it. "
        "Nothing was saved: reload the page to see the current list, then make your changes again."
    )


def _parse_rank(raw: str | None, label: str, allow_blank: bool) -> int | None:
    text = (raw or "").strip()
    if not text:
        if allow_blank:
            return None
        raise ServiceError(gettext("Give %(label)s a rank number.", label=label))
    if not RANK.fullmatch(text) or not 1 <= int(text) <= 999:  # ASCII digits: "²".isdigit() is True
        raise ServiceError(gettext("The rank of %(label)s must be a whole number from 1 up.", label=label))
    return int(text)


# Students -----------------------------------------------------------------------------------------


def save_student_ranks(
    student: User, application: Application, raw: dict[int, str], version: str | None, certify: bool = False
) -> Application:
    """Replace the student's list with the submitted order; each position needs a different rank."""
    if application.student_id != student.id:
        raise NotAllowed(gettext("That rank list is not yours."))
    ensure_open(student, application.season, ExtensionKind.RANKING, "Ranking")
    lock_row(User, student.id)  # the same lock as applying and withdrawing
    claim_version(Application, application, version, _changed_elsewhere())  # one conditional UPDATE
    with undone_on_error():  # a refused list gives the claimed version back
        order = _student_order(application, raw, certify)
    changed = order != [line.position_id for line in application.ranks]
    if changed:
        application.ranks = []
        db.session.flush()
        application.ranks = [StudentRank(position_id=pid, rank=i) for i, pid in enumerate(order, 1)]
    if certify:
        application.ranks_certified_at = utcnow()
    elif changed:
        application.ranks_certified_at = None
    audit.record(
        student,
        "ranks.certified" if certify else "ranks.saved",
        application,
        program_id=application.season.program_id,
        length=len(order),
        positions=order,  # this version of the list, best first: the student's record shows each version
    )
    db.session.commit()
    return application


def _student_order(application: Application, raw: dict[int, str], certify: bool) -> list[int]:
    """The position ids in the submitted order, or ServiceError saying what is wrong with the list."""
    positions = {interest.position_id: interest.position for interest in active_interests(application)}
    if set(raw) - set(positions):
        raise ServiceError(gettext("You can only rank positions you applied to."))
    ranks = {pid: _parse_rank(raw.get(pid), f"\u201c{positions[pid].title}\u201d", False) for pid in positions}
    if len(set(ranks.values())) != len(ranks):
        raise ServiceError(
            gettext("Give each position a different rank: 1 for your first choice, 2 for the next, and so on.")
        )
    if certify and not positions:
        raise ServiceError(gettext("Apply to at least one position before you certify your list."))
    return sorted(positions, key=lambda pid: ranks[pid])


@dataclass(frozen=True)
class RankLine:
    """One row of the student's rank-list page: the position, what its rank box shows, its application."""

    position: Position
    value: str
    interest: PositionInterest | None


def lines_to_show(application: Application, submitted: dict[int, str] | None = None) -> list[RankLine]:
    """The list as saved; or, after a refused save, as the student submitted it: in the order of the
    numbers they typed (equal or unreadable numbers keep the order the rows came in), each box showing
    what they typed, so that fixing one number does not mean reordering the whole list again."""
    interests = {interest.position_id: interest for interest in active_interests(application)}
    positions = {line.position_id: line.position for line in application.ranks}
    if submitted is None:
        rows = [(line.position, str(line.rank)) for line in application.ranks]
    else:
        order = [pid for pid in submitted if pid in positions] + [pid for pid in positions if pid not in submitted]
        rows = sorted(((positions[pid], submitted.get(pid, "")) for pid in order), key=lambda row: _typed(row[1]))
    return [RankLine(position, value, interests.get(position.id)) for position, value in rows]


def _typed(value: str) -> float:
    text = value.strip()
    return int(text) if RANK.fullmatch(text) else float("inf")  # "²".isdigit() is True, int("²") fails


def student_health(application: Application | None) -> list[str]:
    """Warnings to show before the deadline."""
    if application is None or not application.ranks:
        return [gettext("Your rank list is empty: apply to positions, then rank them.")]
    warnings = []
    if len(application.ranks) < SHORT_LIST:
        warnings.append(
            ngettext(
                "Your list has %(num)d position. Students who rank at least %(short)d are placed far more "
                "often: consider applying to more.",
                "Your list has %(num)d positions. Students who rank at least %(short)d are placed far more "
                "often: consider applying to more.",
                len(application.ranks),
                short=SHORT_LIST,
            )
        )
    for line in application.ranks:
        position = line.position
        if position.status == PositionStatus.WITHDRAWN or not position.host.approved:
            warnings.append(
                gettext("\u201c%(title)s\u201d can no longer take interns; it will be skipped.", title=position.title)
            )
        elif position.ranks_certified_at is None:
            warnings.append(
                gettext(
                    "%(host)s has not finished ranking for \u201c%(title)s\u201d yet.",
                    host=position.host.name,
                    title=position.title,
                )
            )
    if application.ranks_certified_at is None:
        warnings.append(
            gettext(
                "Your list is a draft. Only certified lists take part in the match: certify it before the deadline."
            )
        )
    return warnings


# Hosts ------------------------------------------------------------------------------------------------


def candidates(position: Position) -> list[tuple[User, int | None]]:
    """Students who applied to the position (submitted, not withdrawn) with the host's rank, if any."""
    rows = db.session.execute(
        db.select(User, HostRank.rank)
        .join(Application, Application.student_id == User.id)
        .join(PositionInterest, PositionInterest.application_id == Application.id)
        .outerjoin(HostRank, (HostRank.position_id == PositionInterest.position_id) & (HostRank.student_id == User.id))
        .where(
            PositionInterest.position_id == position.id,
            PositionInterest.withdrawn_at.is_(None),
            Application.status == ApplicationStatus.SUBMITTED,
        )
        .order_by(HostRank.rank.is_(None), HostRank.rank, User.name)
    )
    return [(user, rank) for user, rank in rows]


# The rank page: everything a host weighs, sorted and filtered by query arguments (works without JavaScript).

RANK_SORTS = ("rank", "fit", "name")
INTERVIEW_FILTERS = ("", "interviewed", "not_interviewed", "not_invited", *InterviewStatus)
RANKED_FILTERS = ("", "ranked", "unranked")


@dataclass(frozen=True)
class Candidate:
    """One applicant on the host's rank page; `review` is the host team's own note, never another host's."""

    student: User
    rank: int | None
    score: int | None  # skills fit to this position, as on the applicants page (None: no skills listed)
    statement: str  # the student's statement for this position
    review: CandidateReview | None
    interview: Interview | None = None  # the position's scheduled interview (services/market/interviews.py)

    @property
    def interviewed(self) -> bool:
        # The team's mark; marking a scheduled interview done sets it too, so the two never disagree.
        done = self.interview is not None and self.interview.status == InterviewStatus.DONE
        return bool(self.review and self.review.interviewed) or done

    def interview_is(self, wanted: str) -> bool:
        if wanted in ("interviewed", "not_interviewed"):
            return self.interviewed == (wanted == "interviewed")
        if wanted == "not_invited":
            return self.interview is None
        return self.interview is not None and self.interview.status == wanted


@dataclass(frozen=True)
class RankPage:
    shown: list[Candidate]  # in the chosen order, after the filters
    hidden: list[Candidate]  # filtered out: their ranks go back with the form unchanged
    tiers: list[tuple[int | None, list[Candidate]]]  # when sorted by rank: equal ranks, then "not ranked"
    total: int
    ranked: int
    reorderable: bool  # the whole list in rank order: only then do Up, Down and dragging make sense


def rank_page(position: Position, sort: str = "rank", fit: int = 0, interview: str = "", ranked: str = "") -> RankPage:
    """The position's applicants with their rank, fit, the host's note and interview mark, and statement."""
    if sort not in RANK_SORTS or interview not in INTERVIEW_FILTERS or ranked not in RANKED_FILTERS:
        raise ServiceError("Unknown sort or filter for the rank page.")
    rows = db.session.execute(
        db.select(User, HostRank.rank, PositionInterest.statement, StudentProfile)
        .join(Application, Application.student_id == User.id)
        .join(PositionInterest, PositionInterest.application_id == Application.id)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .outerjoin(HostRank, (HostRank.position_id == PositionInterest.position_id) & (HostRank.student_id == User.id))
        .where(
            PositionInterest.position_id == position.id,
            PositionInterest.withdrawn_at.is_(None),
            Application.status == ApplicationStatus.SUBMITTED,
        )
        .order_by(HostRank.rank.is_(None), HostRank.rank, User.name, User.id)
    ).all()
    reviews = {
        review.student_id: review
        for review in db.session.scalars(
            db.select(CandidateReview)
            .where(
                CandidateReview.host_id == position.host_id,  # this host's notes only
                CandidateReview.student_id.in_([row.User.id for row in rows]),
            )
            .order_by(CandidateReview.id)
        )
    }
    interviews = {
        interview.student_id: interview
        for interview in db.session.scalars(db.select(Interview).where(Interview.position_id == position.id))
    }
    everyone = [
        Candidate(
            row.User,
            row.rank,
            skills.match_score(
                set(row.StudentProfile.skill_names), position.required_skills, position.preferred_skills
            ),
            row.statement or "",
            reviews.get(row.User.id),
            interviews.get(row.User.id),
        )
        for row in rows
    ]

    def wanted(c: Candidate) -> bool:
        return (
            (not fit or (c.score is not None and c.score >= fit))
            and (not interview or c.interview_is(interview))
            and (not ranked or (c.rank is not None) == (ranked == "ranked"))
        )

    shown = [c for c in everyone if wanted(c)]
    if sort == "fit":
        shown.sort(key=lambda c: (c.score is None, -(c.score or 0)))  # stable: rank order within equal fit
    elif sort == "name":
        shown.sort(key=lambda c: (c.student.name.lower(), c.student.id))
    tiers: list[tuple[int | None, list[Candidate]]] = []
    if sort == "rank":
        for c in shown:
            if tiers and tiers[-1][0] == c.rank:
                tiers[-1][1].append(c)
            else:
                tiers.append((c.rank, [c]))
    return RankPage(
        shown=shown,
        hidden=[c for c in everyone if not wanted(c)],
        tiers=tiers,
        total=len(everyone),
        ranked=sum(c.rank is not None for c in everyone),
        reorderable=sort == "rank" and len(shown) == len(everyone),
    )


def save_host_ranks(
    member: User, position: Position, raw: dict[int, str], version: str | None, certify: bool = False
) -> Position:
    """Replace the position's list; equal numbers are a tie, a blank means do not rank."""
    if member.membership is None or member.membership.host_id != position.host_id:
        raise NotAllowed("You are not a member of this company.")
    if position.status == PositionStatus.WITHDRAWN:
        raise ServiceError(f"{position.title} was withdrawn: its rank list can no longer change.")
    ensure_open(member, position.season, ExtensionKind.RANKING, "Ranking")
    # First statement to write: the version check and the position's row lock in one UPDATE, so two
    # colleagues (or two tabs) saving at once never interleave their deletes and inserts.
    claim_version(Position, position, version, CHANGED_ELSEWHERE)
    with undone_on_error():  # a refused list gives the claimed version back
        people = {user.id: user for user, _ in candidates(position)}
        if set(raw) - set(people):
            raise ServiceError("You can only rank students who applied to this position.")
        ranks = {sid: _parse_rank(raw.get(sid), people[sid].name, True) for sid in people}
    db.session.execute(db.delete(HostRank).where(HostRank.position_id == position.id))
    db.session.add_all(
        HostRank(position_id=position.id, student_id=sid, rank=rank) for sid, rank in ranks.items() if rank is not None
    )
    position.ranks_certified_at = utcnow() if certify else None
    audit.record(
        member,
        "host_ranks.certified" if certify else "host_ranks.saved",
        position,
        program_id=position.host.program_id,
        ranked=sum(r is not None for r in ranks.values()),
    )
    db.session.commit()
    return position


def host_health(position: Position, ranked: int) -> list[str]:
    warnings = []
    if ranked < 3 * position.slots:
        warnings.append(
            f"You ranked {counted(ranked, 'candidate')} for {counted(position.slots, 'slot')}. "
            f"Ranking at least {3 * position.slots} "
            "(three per slot) makes it much more likely that every slot is filled."
        )
    if position.ranks_certified_at is None:
        warnings.append("This list is a draft. Only certified lists take part in the match.")
    return warnings
