"""The summer's forms, each once per placement and side: the check-in (both sides, while started),
the host's evaluation of the intern and the intern's survey (when the end forms are open; see
`windows`). Audited without their answers: the survey's answers never leave the aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from ...extensions import db
from ...models import (
    SURVEY_SCALES,
    CheckIn,
    CheckInSide,
    EvaluationSkill,
    InternEvaluation,
    InternSurvey,
    Placement,
    User,
)
from ..errors import NotAllowed, ServiceError
from ..market import skills as skill_vocabulary
from ..support import audit
from . import windows
from .access import may_see_evaluation, side_of

MAX_TEXT = 2000
SCALE_LABELS = {
    "pay_benefits": "Pay and benefits",
    "mentorship": "Mentorship",
    "schedule": "Schedule",
    "safety": "Safety",
    "learning": "What you learned",
}


def _one_to_five(value, field: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise ServiceError("Choose from 1 to 5.", field)
    return value


def _text(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ServiceError(f"At most {MAX_TEXT} characters.", field)
    return value


def _side(actor: User, placement: Placement, wanted: CheckInSide | None = None) -> CheckInSide:
    side = side_of(actor, placement)
    if side is None or (wanted is not None and side != wanted):
        raise NotAllowed("This form is not yours to fill in.")
    return side


def check_in_of(placement: Placement, side: str) -> CheckIn | None:
    return db.session.scalar(db.select(CheckIn).filter_by(placement_id=placement.id, side=side))


def evaluation_of(placement: Placement) -> InternEvaluation | None:
    return db.session.scalar(db.select(InternEvaluation).filter_by(placement_id=placement.id))


def survey_of(placement: Placement) -> InternSurvey | None:
    return db.session.scalar(db.select(InternSurvey).filter_by(placement_id=placement.id))


def submit_check_in(actor: User, placement: Placement, going: int, note: str, wants_call: bool) -> CheckIn:
    """The actor's side's mid-summer check-in; once per side, while the internship is under way."""
    side = _side(actor, placement)
    if not windows.check_in_open(placement):
        raise ServiceError("The check-in is open while the internship is under way (after its start is confirmed).")
    if check_in_of(placement, side) is not None:
        raise ServiceError("Your side has already sent its check-in for this internship.")
    check_in = CheckIn(
        placement_id=placement.id,
        side=side,
        author_id=actor.id,
        going=_one_to_five(going, "going"),
        note=_text(note, "note"),
        wants_call=bool(wants_call),
    )
    db.session.add(check_in)
    db.session.flush()
    audit.record(actor, "summer.check_in", check_in, program_id=placement.season.program_id, side=str(side))
    db.session.commit()
    return check_in


def submit_evaluation(
    actor: User, placement: Placement, rating: int, skills_text: str, comments: str, share: bool
) -> InternEvaluation:
    """The host's evaluation of its intern: skills from the shared vocabulary, a 1-5 rating, comments,
    and whether the student may read it. Once per placement, when the end forms are open."""
    _side(actor, placement, CheckInSide.HOST)
    if not windows.end_forms_open(placement):
        raise ServiceError(_not_open_message(placement))
    if evaluation_of(placement) is not None:
        raise ServiceError("This intern's evaluation has already been sent.")
    names = skill_vocabulary.parse(skills_text)
    if len(names) > skill_vocabulary.MAX_SKILLS:
        raise ServiceError(f"Name at most {skill_vocabulary.MAX_SKILLS} skills.", "skills")
    evaluation = InternEvaluation(
        placement_id=placement.id,
        author_id=actor.id,
        rating=_one_to_five(rating, "rating"),
        comments=_text(comments, "comments"),
        shared_with_student=bool(share),
    )
    evaluation.skill_links = [EvaluationSkill(skill=skill) for skill in skill_vocabulary.get_or_create(names)]
    db.session.add(evaluation)
    db.session.flush()
    audit.record(
        actor,
        "summer.evaluation",
        evaluation,
        program_id=placement.season.program_id,
        placement_id=placement.id,
        shared=evaluation.shared_with_student,
    )
    db.session.commit()
    return evaluation


def submit_survey(
    actor: User, placement: Placement, scales: dict[str, int], would_recommend: bool | None, comment: str
) -> InternSurvey:
    """The intern's survey of the internship on the Quality Jobs dimensions; once, when the end forms
    are open. The audit names the placement, never the answers."""
    _side(actor, placement, CheckInSide.STUDENT)
    if not windows.end_forms_open(placement):
        raise ServiceError(_not_open_message(placement))
    if survey_of(placement) is not None:
        raise ServiceError("You have already sent your survey of this internship.")
    if would_recommend is None:
        raise ServiceError("Say whether you would recommend this internship.", "would_recommend")
    answers = {scale: _one_to_five(scales.get(scale), scale) for scale in SURVEY_SCALES}
    survey = InternSurvey(
        placement_id=placement.id, would_recommend=bool(would_recommend), comment=_text(comment, "comment"), **answers
    )
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "summer.survey", survey, program_id=placement.season.program_id, placement_id=placement.id)
    db.session.commit()
    return survey


def _not_open_message(placement: Placement) -> str:
    return (
        f"The end-of-internship forms open on {windows.end_forms_open_on(placement):%b %d, %Y} "
        f"({windows.FINAL_WEEKS} weeks before the end date), or once the internship has ended."
    )


@dataclass(frozen=True)
class SummerState:
    """What one side sees of a placement's summer: what it sent and what is open to it now."""

    placement: Placement
    side: CheckInSide | None
    check_in: CheckIn | None
    evaluation: InternEvaluation | None  # only when this viewer may read it
    survey_sent: bool
    check_in_due: bool
    end_form_due: bool
    end_forms_open_on: object


def state_for(viewer: User, placement: Placement) -> SummerState:
    """The summer as `viewer` (the intern or a member of the host) sees it."""
    side = side_of(viewer, placement)
    check_in = check_in_of(placement, side) if side else None
    evaluation = evaluation_of(placement)
    survey_sent = survey_of(placement) is not None
    mine_done = (evaluation is not None) if side == CheckInSide.HOST else survey_sent
    return SummerState(
        placement=placement,
        side=side,
        check_in=check_in,
        evaluation=evaluation if evaluation is not None and may_see_evaluation(viewer, evaluation) else None,
        survey_sent=survey_sent,
        check_in_due=side is not None and check_in is None and windows.check_in_open(placement),
        end_form_due=side is not None and not mine_done and windows.end_forms_open(placement),
        end_forms_open_on=windows.end_forms_open_on(placement),
    )
