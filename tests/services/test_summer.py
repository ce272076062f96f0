"""The summer of a placement: its status changes, the end forms' privacy, the surveys' aggregates,
the check-ins' flag and the daily emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from summer_world import build, place, season, set_dates, today_here, user

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    CheckIn,
    InternSurvey,
    OutboxEmail,
    Placement,
    PlacementStatus,
    SummerEmail,
)
from sprint.services.errors import NotAllowed, ServiceError
from sprint.services.summer import evaluations_for_student, forms_filled, lifecycle, quality, reminders


@pytest.fixture
def world(appctx, make):
    return build(make)


def _start(world, days_ago: int = 20) -> Placement:
    return lifecycle.confirm_start(user(world.member), world.placement, today_here() - timedelta(days=days_ago))


def _actions(placement: Placement) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.object_type == "Placement", AuditEvent.object_id == placement.id)
            .order_by(AuditEvent.id)
        )
    )


# --- the status changes -------------------------------------------------------------------------


def test_a_host_confirms_the_start_then_the_completion_and_both_are_audited(world):
    started = _start(world)

    assert started.status == PlacementStatus.STARTED
    assert started.started_on == today_here() - timedelta(days=20)
    assert started.start_confirmed_by_id == world.member.id

    lifecycle.confirm_end(user(world.colleague), started, "completed", today_here(), hours_worked=120)

    placement = db.session.get(Placement, world.placement.id)
    assert (placement.status, placement.hours_worked, placement.end_confirmed_by_id) == (
        "completed",
        120,
        world.colleague.id,
    )
    assert _actions(placement) == ["placement.started", "placement.completed"]


def test_an_internship_ends_early_only_with_a_reason(world):
    placement = _start(world)

    with pytest.raises(ServiceError, match="Choose why"):
        lifecycle.confirm_end(user(world.member), placement, "ended_early", today_here())
    with pytest.raises(ServiceError, match="few words"):
        lifecycle.confirm_end(user(world.member), placement, "ended_early", today_here(), reason="other")
    lifecycle.confirm_end(
        user(world.member), placement, "ended_early", today_here(), reason="other_job", detail="Hired"
    )

    placement = db.session.get(Placement, world.placement.id)
    assert (placement.status, placement.end_reason, placement.end_detail) == ("ended_early", "other_job", "Hired")


@pytest.mark.parametrize(
    "status, message",
    [
        (PlacementStatus.OFFERED, "Only an accepted placement can start"),
        (PlacementStatus.DECLINED, "Only an accepted placement can start"),
        (PlacementStatus.STARTED, "Only an accepted placement can start"),
    ],
)
def test_only_an_accepted_placement_can_start(world, status, message):
    world.placement.status = status
    db.session.commit()

    with pytest.raises(ServiceError, match=message):
        _start(world)


def test_an_internship_cannot_end_before_it_started(world):
    with pytest.raises(ServiceError, match="confirm the start first"):
        lifecycle.confirm_end(user(world.member), world.placement, "completed", today_here())
    placement = _start(world)
    lifecycle.confirm_end(user(world.member), placement, "completed", today_here())

    with pytest.raises(ServiceError, match="Only a started internship can end"):
        lifecycle.confirm_end(user(world.member), placement, "completed", today_here())


@pytest.mark.parametrize(
    "days_from_today, message",
    [(-61, "before the offer was published"), (1, "cannot be in the future")],
)
def test_a_start_date_must_be_sane(world, days_from_today, message):
    with pytest.raises(ServiceError, match=message):
        lifecycle.confirm_start(user(world.member), world.placement, today_here() + timedelta(days=days_from_today))

    assert db.session.get(Placement, world.placement.id).status == PlacementStatus.ACCEPTED


def test_an_end_date_must_follow_the_start_and_not_be_in_the_future(world):
    placement = _start(world, days_ago=5)

    with pytest.raises(ServiceError, match="before the start"):
        lifecycle.confirm_end(user(world.member), placement, "completed", today_here() - timedelta(days=6))
    with pytest.raises(ServiceError, match="future"):
        lifecycle.confirm_end(user(world.member), placement, "completed", today_here() + timedelta(days=1))
    with pytest.raises(ServiceError, match="Hours worked"):
        lifecycle.confirm_end(user(world.member), placement, "completed", today_here(), hours_worked=-1)


@pytest.mark.parametrize("who", ["other_member", "student", "liaison", "other_coordinator"])
def test_only_the_host_and_the_programs_coordinators_confirm_a_start(world, who):
    with pytest.raises(NotAllowed):
        lifecycle.confirm_start(user(getattr(world, who)), world.placement, today_here())


def test_a_coordinator_corrects_a_mistake_and_the_audit_keeps_what_it_was(world):
    placement = _start(world)
    lifecycle.confirm_end(user(world.member), placement, "completed", today_here())

    with pytest.raises(ServiceError, match="Say why"):
        lifecycle.correct(user(world.coordinator), placement, "started", placement.started_on, None, None, "", "", "")
    lifecycle.correct(
        user(world.coordinator), placement, "started", placement.started_on, None, None, "", "", "Ended by mistake"
    )

    placement = db.session.get(Placement, world.placement.id)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "placement.summer_corrected"))
    assert placement.status == "started" and placement.ended_on is None
    assert event.details["before"]["status"] == "completed" and event.details["after"]["status"] == "started"
    assert event.details["reason"] == "Ended by mistake"
    with pytest.raises(NotAllowed):
        lifecycle.correct(user(world.member), placement, "accepted", None, None, None, "", "", "Oops")


def test_a_started_placement_is_live_a_student_holds_one_per_season(world):
    _start(world)

    with pytest.raises(IntegrityError):
        place(world.student, world.other_position, status=PlacementStatus.OFFERED)
    db.session.rollback()


def test_an_ended_early_placement_frees_the_student_for_another(world):
    placement = _start(world)
    lifecycle.confirm_end(user(world.member), placement, "ended_early", today_here(), reason="host_ended")

    again = place(world.student, world.other_position, status=PlacementStatus.STARTED)

    assert again.id is not None
    with pytest.raises(ServiceError, match="another live placement"):  # the coordinator cannot revive both
        lifecycle.correct(
            user(world.coordinator),
            db.session.get(Placement, world.placement.id),
            "started",
            placement.started_on,
            None,
            None,
            "",
            "",
            "Mistake",
        )


# --- evaluations: who reads them ---------------------------------------------------------------


def _evaluate(world, share: bool):
    placement = _start(world)
    lifecycle.confirm_end(user(world.member), placement, "completed", today_here())
    return forms_filled.submit_evaluation(
        user(world.member), placement, 4, "Pipetting, Excel", "Reliable and curious.", share
    )


def _readers(world) -> dict[str, bool]:
    people = ("coordinator", "member", "student", "other_student", "other_member", "liaison", "other_coordinator")
    return {
        who: bool(evaluations_for_student(world.student.id, world.season.id, user(getattr(world, who))))
        for who in people
    }


def test_an_unshared_evaluation_is_read_by_the_coordinators_and_its_host_only(world):
    evaluation = _evaluate(world, share=False)

    assert evaluation.skills == ["excel", "pipetting"]  # the profiles' and positions' vocabulary, lower-case
    assert _readers(world) == {
        "coordinator": True,
        "member": True,
        "student": False,
        "other_student": False,
        "other_member": False,
        "liaison": False,
        "other_coordinator": False,
    }
    assert forms_filled.state_for(user(world.student), world.placement).evaluation is None


def test_a_shared_evaluation_is_read_by_the_student_too_but_no_one_else(world):
    _evaluate(world, share=True)

    readers = _readers(world)

    assert readers["student"] is True
    assert not any(readers[who] for who in ("other_student", "other_member", "liaison", "other_coordinator"))
    assert forms_filled.state_for(user(world.student), world.placement).evaluation is not None


def test_only_the_host_evaluates_and_only_once_when_the_end_forms_are_open(world):
    placement = _start(world)

    with pytest.raises(ServiceError, match="forms open on"):  # ends in 40 days: not the final two weeks yet
        forms_filled.submit_evaluation(user(world.member), placement, 4, "", "", False)
    set_dates(placement.position, start_days=-30, end_days=10)
    with pytest.raises(NotAllowed):
        forms_filled.submit_evaluation(user(world.other_member), placement, 4, "", "", False)
    with pytest.raises(NotAllowed):
        forms_filled.submit_evaluation(user(world.student), placement, 4, "", "", False)
    forms_filled.submit_evaluation(user(world.member), placement, 4, "", "", False)
    with pytest.raises(ServiceError, match="already"):
        forms_filled.submit_evaluation(user(world.colleague), placement, 5, "", "", True)


# --- surveys: aggregated per host, small cells suppressed --------------------------------------


def _surveyed(world, make, position, answers: list[tuple[int, bool]]) -> None:
    """One completed placement and survey per (score, recommend): every scale gets that score."""
    for score, recommend in answers:
        student = make.user("student", world.program)
        placement = place(student, position, status=PlacementStatus.COMPLETED)
        db.session.add(
            InternSurvey(
                placement_id=placement.id,
                pay_benefits=score,
                mentorship=score,
                schedule=score,
                safety=score,
                learning=score,
                would_recommend=recommend,
            )
        )
    db.session.commit()


def test_surveys_are_averaged_per_host_and_a_host_under_five_answers_is_suppressed(world, make):
    _surveyed(world, make, world.position, [(5, True), (4, True), (4, False), (3, True), (2, True)])  # 5 answers
    _surveyed(world, make, world.other_position, [(1, False), (1, False), (2, False), (1, True)])  # 4 answers

    rows = {row.host_name: row for row in quality.host_quality(season(world))}

    elm, harbor = rows["Elm Bio"], rows["Harbor Labs"]
    assert elm.answers_shown == 5 and elm.averages["mentorship"] == 3.6 and elm.recommend_share == 0.8
    assert harbor.suppressed and harbor.answers_shown == "<5" and harbor.recommend_share is None
    assert quality.own_quality(world.other_host, season(world)).averages is None
    assert quality.own_quality(world.host, season(world)).averages["safety"] == 3.6


def test_the_student_surveys_once_and_the_audit_keeps_no_answer(world):
    placement = _start(world)
    lifecycle.confirm_end(user(world.member), placement, "completed", today_here())
    scales = {"pay_benefits": 2, "mentorship": 5, "schedule": 4, "safety": 1, "learning": 3}

    forms_filled.submit_survey(user(world.student), placement, scales, True, "Loud lab")

    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "summer.survey"))
    assert "safety" not in event.details and "Loud lab" not in str(event.details)
    with pytest.raises(ServiceError, match="already"):
        forms_filled.submit_survey(user(world.student), placement, scales, True, "")
    with pytest.raises(NotAllowed):
        forms_filled.submit_survey(user(world.member), placement, scales, True, "")


# --- check-ins ---------------------------------------------------------------------------------


def test_check_ins_are_once_per_side_while_started_and_calls_are_flagged_first(world):
    with pytest.raises(ServiceError, match="under way"):
        forms_filled.submit_check_in(user(world.student), world.placement, 4, "", False)
    placement = _start(world)

    forms_filled.submit_check_in(user(world.member), placement, 5, "Going well", False)
    forms_filled.submit_check_in(user(world.student), placement, 2, "Few tasks", True)

    with pytest.raises(ServiceError, match="already"):
        forms_filled.submit_check_in(user(world.colleague), placement, 3, "", False)
    check_ins = quality.check_ins(season(world))
    assert [(c.side, c.wants_call) for c in check_ins] == [("student", True), ("host", False)]
    assert quality.calls_wanted(season(world)) == 1
    assert db.session.scalar(db.select(db.func.count(CheckIn.id))) == 2


# --- the daily emails ----------------------------------------------------------------------------


def _emails(template: str) -> list[str]:
    return list(
        db.session.scalars(db.select(OutboxEmail.recipient).filter_by(template=template).order_by(OutboxEmail.id))
    )


def test_hosts_are_asked_to_confirm_a_start_once(world):
    counts = reminders.send_summer_emails()
    again = reminders.send_summer_emails()

    assert counts.start_nudges == 2 and again.start_nudges == 0  # both hosts' interns were due 30 days ago
    assert _emails("summer_confirm_start") == sorted([world.colleague.email, world.member.email]) + [
        world.other_member.email
    ]
    assert db.session.scalar(db.select(db.func.count(SummerEmail.id))) == 2


def test_no_start_nudge_before_the_positions_start_date(world):
    set_dates(world.position, start_days=3, end_days=60)

    reminders.send_summer_emails()

    assert world.member.email not in _emails("summer_confirm_start")


def test_both_sides_hear_once_when_the_end_forms_open(world):
    placement = _start(world)
    reminders.send_summer_emails()
    assert _emails("summer_end_forms_student") == []  # 40 days to go: not yet

    set_dates(placement.position, start_days=-30, end_days=13)
    first = reminders.send_summer_emails()
    second = reminders.send_summer_emails()

    assert first.end_forms == 1 and second.end_forms == 0
    assert _emails("summer_end_forms_student") == [world.student.email]
    assert len(_emails("summer_end_forms_host")) == 2  # the host's two members


def test_the_summer_emails_are_a_daily_job_in_the_registry(app, world):
    from datetime import datetime

    from sprint.services.support import jobs

    task = jobs.jobs_of(app).tasks["summer.send_emails"].task_class()

    assert task.validate_datetime(datetime(2027, 6, 5, 13, 45))
    assert not task.validate_datetime(datetime(2027, 6, 5, 14, 45))
    assert jobs.jobs_of(app).functions["summer.send_emails"]().start_nudges == 2
    assert jobs.jobs_of(app).functions["summer.send_emails"]().start_nudges == 0
