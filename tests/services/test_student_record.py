"""A coordinator's record of one student: every section, filled by the real services, and who may read it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    ExtensionKind,
    OutboxEmail,
    Phase,
    Placement,
    PlacementStatus,
    PositionInterest,
    Role,
    Season,
    StudentOutcome,
    User,
    utcnow,
)
from sprint.models.enums import OutcomeKind
from sprint.services.directory import student_record
from sprint.services.errors import NotFound
from sprint.services.market import offers, rankings
from sprint.services.season import deadline_extensions


@pytest.fixture
def season_of_ana(appctx, make):
    """Ana applied to two positions, certified her list, was offered the first, got an offer
    extension and declined with a reason; an older season of hers holds only an application."""
    program, other_program = make.program(), make.program(name="Other")
    old, season = make.season(program, year=2026, phase=Phase.CLOSED), make.season(program, phase=Phase.RANKING)
    host = make.host(program, name="Elm Bio")
    first, second = make.position(host, season, title="Lab intern"), make.position(host, season, title="Data intern")
    ana = make.user(Role.STUDENT, program, email="ana@example.org", name="Ana Ruiz")
    coordinator = make.user(Role.COORDINATOR, program)
    make.application(old, ana, make.position(host, old, title="Old intern"))
    make.application(season, ana, first)
    application = db.session.scalar(
        db.select(Application).where(Application.student_id == ana.id, Application.season_id == season.id)
    )
    ana, coordinator = db.session.get(User, ana.id), db.session.get(User, coordinator.id)
    application.interests[0].statement = ""
    application.interests.append(PositionInterest(position_id=second.id, statement="I like data"))
    db.session.commit()
    rankings.save_student_ranks(
        ana, application, {first.id: "1", second.id: "2"}, str(application.ranks_version), certify=True
    )
    season_row = db.session.get(Season, season.id)
    season_row.phase = Phase.PUBLISHED
    placement = Placement(
        season_id=season.id, student_id=ana.id, position_id=first.id, response_deadline=utcnow() + timedelta(days=2)
    )
    db.session.add(placement)
    db.session.commit()
    deadline_extensions.grant_extension(
        coordinator, season_row, ana.email, ExtensionKind.OFFER, utcnow() + timedelta(days=40), "Family matter"
    )
    offers.respond(ana, placement, accept=False, reason="Moving to Boston")
    return SimpleNamespace(
        ana=ana,
        coordinator=coordinator,
        season=season_row,
        old=old,
        placement=placement,
        other_coordinator=make.user(Role.COORDINATOR, other_program),
        admin=make.user(Role.ADMIN),
        host_member=make.member(host),
    )


def test_the_record_holds_every_section_newest_season_first(season_of_ana):
    w = season_of_ana

    record = student_record.record_for(w.coordinator, w.ana.id)

    assert record.student.email == "ana@example.org"
    assert [r.season.id for r in record.seasons] == [w.season.id, w.old.id]
    now = record.seasons[0]
    assert {i.position.title: bool(i.statement) for i in now.application.interests} == {
        "Lab intern": False,
        "Data intern": True,
    }
    assert now.application.ranks_certified_at is not None
    assert [line.position.title for line in now.application.ranks] == ["Lab intern", "Data intern"]
    assert [e.action for e in now.rank_history] == ["ranks.certified"]
    assert [p.status for p in now.placements] == [PlacementStatus.DECLINED]
    assert [e.action for e in now.placement_history[w.placement.id]] == ["offer.declined"]
    assert "Moving to Boston" in now.placements[0].note
    assert [(x.kind, x.reason) for x in now.extensions] == [("offer", "Family matter")]
    assert record.seasons[1].placements == [] and record.seasons[1].rank_history == []
    assert record.emails and all(e.subject for e in record.emails)
    assert any("declined" in e.subject for e in record.emails)
    assert not hasattr(record.emails[0], "body")


def test_emails_to_other_people_are_not_in_the_record(season_of_ana):
    w = season_of_ana
    mine = db.session.scalar(db.select(db.func.count()).where(OutboxEmail.recipient == w.ana.email))
    db.session.add_all(
        [
            OutboxEmail(
                program_id=w.ana.program_id, recipient="ben@example.org", subject="Not Ana's", template="t", body="B"
            ),
            OutboxEmail(program_id=None, recipient=w.ana.email, subject="Reset your password", template="t", body="B"),
        ]
    )
    db.session.commit()

    record = student_record.record_for(w.coordinator, w.ana.id)

    assert mine >= 1 and len(record.emails) == mine + 1
    assert "Not Ana's" not in {e.subject for e in record.emails}
    assert "Reset your password" in {e.subject for e in record.emails}


def test_an_admin_may_read_any_students_record(season_of_ana):
    record = student_record.record_for(season_of_ana.admin, season_of_ana.ana.id)

    assert record.student.id == season_of_ana.ana.id


@pytest.mark.parametrize("who", ["other_coordinator", "host_member", "ana"])
def test_nobody_but_the_programs_coordinators_reads_the_record(season_of_ana, who):
    with pytest.raises(NotFound):
        student_record.record_for(getattr(season_of_ana, who), season_of_ana.ana.id)


def test_a_missing_student_or_a_staff_id_is_not_found(season_of_ana):
    w = season_of_ana

    with pytest.raises(NotFound):
        student_record.record_for(w.coordinator, 999_999)
    with pytest.raises(NotFound):
        student_record.record_for(w.coordinator, w.coordinator.id)


def test_a_student_with_no_season_has_an_empty_record(appctx, make):
    program = make.program()
    ben, coordinator = make.user(Role.STUDENT, program), make.user(Role.COORDINATOR, program)

    record = student_record.record_for(db.session.get(User, coordinator.id), ben.id)

    assert record.seasons == [] and record.emails == []


def test_each_version_of_the_rank_list_is_kept_in_its_order_and_outcomes_are_listed(season_of_ana):
    w = season_of_ana
    application = db.session.scalar(
        db.select(Application).where(Application.student_id == w.ana.id, Application.season_id == w.season.id)
    )
    first, second = (line.position_id for line in application.ranks)
    w.season.phase = Phase.RANKING
    db.session.commit()
    rankings.save_student_ranks(w.ana, application, {first: "2", second: "1"}, str(application.ranks_version))
    db.session.add(
        StudentOutcome(
            program_id=w.season.program_id,
            student_id=w.ana.id,
            season_id=w.old.id,
            kind=OutcomeKind.RETURN_OFFER,
            hourly_wage=Decimal("23.50"),
            recorded_by_id=w.coordinator.id,
        )
    )
    db.session.commit()

    record = student_record.record_for(w.coordinator, w.ana.id)

    certified, saved = record.seasons[0].rank_history
    assert (certified.action, saved.action) == ("ranks.certified", "ranks.saved")
    assert record.version(certified) == ["Lab intern (Elm Bio)", "Data intern (Elm Bio)"]
    assert record.version(saved) == ["Data intern (Elm Bio)", "Lab intern (Elm Bio)"]
    assert [(o.kind, o.hourly_wage) for o in record.seasons[1].outcomes] == [("return_offer", Decimal("23.50"))]
    assert record.seasons[0].outcomes == []
