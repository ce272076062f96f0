"""Applying and withdrawing, called on the services directly (the `market` fixture is in conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    DeadlineExtension,
    ExtensionKind,
    Phase,
    PositionInterest,
    PositionStatus,
    utcnow,
)
from sprint.services.errors import NotFound, ServiceError, StaleEdit
from sprint.services.market import applications, positions


def _ranked(application: Application) -> list[tuple[str, int]]:
    return [(line.position.title, line.rank) for line in application.ranks]


def _applications_of(student) -> int:
    return db.session.scalar(db.select(db.func.count(Application.id)).where(Application.student_id == student.id))


def test_applying_submits_the_application_and_puts_the_position_at_the_bottom_of_the_list(market, outbox):
    a, b = market.positions["A"], market.positions["B"]

    applications.apply(market.ana, a, "  Keen on labs  ")
    interest = applications.apply(market.ana, b, "Also keen")

    application = applications.application_for(market.ana, market.season)
    assert _ranked(application) == [("Position A", 1), ("Position B", 2)]
    assert application.status == ApplicationStatus.SUBMITTED and application.submitted_at is not None
    assert {i.position.title: i.statement for i in application.interests} == {
        "Position A": "Keen on labs",
        "Position B": "Also keen",
    }
    assert interest.position_id == b.id and interest.withdrawn_at is None
    assert [message.subject for message in outbox] == [
        "[SPRINT] Application received: Position A",
        "[SPRINT] Application received: Position B",
    ]
    assert db.session.scalars(db.select(AuditEvent.action)).all() == ["application.applied"] * 2


def test_applying_makes_a_certified_list_a_draft_again(market):
    applications.apply(market.ana, market.positions["A"], "")
    application = applications.application_for(market.ana, market.season)
    application.ranks_certified_at = utcnow()
    db.session.commit()
    version = application.ranks_version

    applications.apply(market.ana, market.positions["B"], "")

    assert application.ranks_certified_at is None
    assert application.ranks_version == version + 1


def test_cannot_apply_twice_to_one_position(market):
    applications.apply(market.ana, market.positions["A"], "")

    with pytest.raises(StaleEdit, match="You already applied to Position A"):
        applications.apply(market.ana, market.positions["A"], "Again")

    db.session.rollback()
    application = applications.application_for(market.ana, market.season)
    assert len(application.interests) == 1 and _ranked(application) == [("Position A", 1)]


def test_applying_again_after_withdrawing_reopens_the_same_application_at_the_bottom(market):
    a, b = market.positions["A"], market.positions["B"]
    first = applications.apply(market.ana, a, "First")
    applications.apply(market.ana, b, "")
    applications.withdraw_interest(market.ana, first)

    again = applications.apply(market.ana, a, "Second thoughts")

    application = applications.application_for(market.ana, market.season)
    assert again.id == first.id and again.withdrawn_at is None and again.statement == "Second thoughts"
    assert _ranked(application) == [("Position B", 1), ("Position A", 2)]


def test_cannot_apply_before_the_profile_is_complete(market):
    profile = market.ana.profile
    profile.major, profile.resume_file = "", None
    db.session.commit()

    with pytest.raises(ServiceError, match="Before you apply, add your major, a résumé to your profile."):
        applications.apply(market.ana, market.positions["A"], "")

    db.session.rollback()
    assert _applications_of(market.ana) == 0


def test_cannot_apply_after_the_application_deadline(market):
    market.days_pass(11)

    with pytest.raises(ServiceError, match="The application deadline passed on .*ask your coordinator"):
        applications.apply(market.ana, market.positions["A"], "")

    db.session.rollback()
    assert _applications_of(market.ana) == 0


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.RANKING, Phase.PUBLISHED, Phase.CLOSED])
def test_cannot_apply_outside_the_applications_phase(market, phase):
    market.season.phase = phase
    db.session.commit()

    with pytest.raises(ServiceError, match=f"Applying is not open now: Summer 2027 is at the stage .{phase.label}."):
        applications.apply(market.ana, market.positions["A"], "")

    db.session.rollback()
    assert _applications_of(market.ana) == 0


def test_an_extension_lets_that_student_alone_apply_after_the_deadline(market):
    market.days_pass(11)
    market.season.phase = Phase.RANKING
    db.session.add(
        DeadlineExtension(
            season_id=market.season.id,
            user_id=market.ana.id,
            kind=ExtensionKind.APPLICATIONS,
            until=utcnow() + timedelta(days=2),
            reason="Ill",
        )
    )
    db.session.commit()

    applications.apply(market.ana, market.positions["A"], "")
    with pytest.raises(ServiceError, match="Applying is not open now"):
        applications.apply(market.ben, market.positions["A"], "")

    db.session.rollback()
    assert applications.applied_position_ids(market.ana, market.season) == {market.positions["A"].id}
    assert _applications_of(market.ben) == 0


def test_a_student_who_withdrew_from_the_season_cannot_apply(market):
    applications.apply(market.ana, market.positions["A"], "")
    applications.application_for(market.ana, market.season).status = ApplicationStatus.WITHDRAWN
    db.session.commit()

    with pytest.raises(ServiceError, match="You withdrew from this season"):
        applications.apply(market.ana, market.positions["B"], "")

    db.session.rollback()
    assert applications.applied_position_ids(market.ana, market.season) == {market.positions["A"].id}


@pytest.mark.parametrize("change", ["withdrawn", "host unapproved"])
def test_a_withdrawn_position_or_one_of_an_unapproved_host_is_no_longer_offered_to_students(market, change):
    position = market.positions["A"]
    assert positions.visible_position(market.season, position.id) == position
    if change == "withdrawn":
        position.status = PositionStatus.WITHDRAWN
    else:
        position.host.approved = False
    db.session.commit()

    assert positions.visible_position(market.season, position.id) is None
    with pytest.raises(ServiceError, match="is not open for applications"):  # nor taken by the service
        applications.apply(market.ana, position, "")
    db.session.rollback()
    assert applications.application_for(market.ana, market.season) is None


def test_another_programs_position_is_not_offered_to_students(market):
    assert positions.visible_position(market.season, market.elsewhere.id) is None
    with pytest.raises(NotFound):
        applications.apply(market.ana, market.elsewhere, "")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(PositionInterest)) == 0


def test_withdrawing_takes_the_position_off_the_list_and_renumbers_the_rest(market):
    middle = [applications.apply(market.ana, market.positions[key], "") for key in "ABC"][1]

    applications.withdraw_interest(market.ana, middle, "  Found a closer one ")

    application = applications.application_for(market.ana, market.season)
    assert _ranked(application) == [("Position A", 1), ("Position C", 2)]
    assert middle.withdrawn_at is not None and application.ranks_certified_at is None
    assert applications.applied_position_ids(market.ana, market.season) == {
        market.positions["A"].id,
        market.positions["C"].id,
    }
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "application.withdrawn"))
    assert event.object_id == middle.id and event.details == {
        "position": middle.position_id,
        "reason": "Found a closer one",
    }


def test_cannot_withdraw_another_students_application(market):
    interest = applications.apply(market.ana, market.positions["A"], "")

    with pytest.raises(ServiceError, match="That application is not yours."):
        applications.withdraw_interest(market.ben, interest)

    db.session.rollback()
    assert db.session.get(PositionInterest, interest.id).withdrawn_at is None


def test_cannot_withdraw_twice(market):
    interest = applications.apply(market.ana, market.positions["A"], "")
    applications.withdraw_interest(market.ana, interest)
    withdrawn_at = interest.withdrawn_at

    with pytest.raises(StaleEdit, match="You already withdrew that application."):
        applications.withdraw_interest(market.ana, interest)

    db.session.rollback()
    assert db.session.get(PositionInterest, interest.id).withdrawn_at == withdrawn_at


def test_withdrawing_follows_the_ranking_deadline_not_the_application_deadline(market):
    kept = applications.apply(market.ana, market.positions["A"], "")
    dropped = applications.apply(market.ana, market.positions["B"], "")
    market.days_pass(11)  # applications closed, ranking still open
    market.season.phase = Phase.RANKING
    db.session.commit()

    applications.withdraw_interest(market.ana, dropped)
    market.days_pass(10)  # ranking closed too
    with pytest.raises(ServiceError, match="The ranking deadline passed on .*ask your coordinator"):
        applications.withdraw_interest(market.ana, kept)

    db.session.rollback()
    assert applications.applied_position_ids(market.ana, market.season) == {market.positions["A"].id}
