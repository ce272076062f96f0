"""Both sides' rank lists, called on the services directly: drafts, certifying, ties, deadlines and extensions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import AuditEvent, DeadlineExtension, ExtensionKind, HostRank, Phase, PositionStatus, utcnow
from sprint.services.errors import NotAllowed, ServiceError, StaleEdit
from sprint.services.market import applications, rankings


@pytest.fixture
def applied(market):
    """Ana applied to A, B and C (in that order); Ben applied to A. Returns Ana's application."""
    for key in "ABC":
        applications.apply(market.ana, market.positions[key], "")
    applications.apply(market.ben, market.positions["A"], "")
    return applications.application_for(market.ana, market.season)


def _interest(application, position):
    return next(interest for interest in application.interests if interest.position_id == position.id)


def _order(application) -> list[str]:
    return [line.position.title[-1] for line in application.ranks]


def _ids(market, ranks: dict[str, str]) -> dict[int, str]:
    return {market.positions[key].id: rank for key, rank in ranks.items()}


def _host_ranks(position) -> dict[str, int]:
    return {
        row.student.name: row.rank
        for row in db.session.scalars(db.select(HostRank).where(HostRank.position_id == position.id))
    }


# Students -----------------------------------------------------------------------------------------


def test_a_students_draft_follows_the_numbers_and_is_not_certified(market, applied):
    version = applied.ranks_version

    rankings.save_student_ranks(market.ana, applied, _ids(market, {"A": "3", "B": "1", "C": "2"}), str(version))

    assert _order(applied) == ["B", "C", "A"] and [line.rank for line in applied.ranks] == [1, 2, 3]
    assert applied.ranks_certified_at is None and applied.ranks_version == version + 1
    assert db.session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "ranks.saved"


def test_certifying_stamps_the_students_list_and_a_changed_draft_clears_the_stamp(market, applied):
    rankings.save_student_ranks(
        market.ana, applied, _ids(market, {"A": "1", "B": "2", "C": "3"}), str(applied.ranks_version), certify=True
    )
    certified = applied.ranks_certified_at

    assert certified is not None
    assert db.session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "ranks.certified"

    rankings.save_student_ranks(
        market.ana, applied, _ids(market, {"A": "2", "B": "1", "C": "3"}), str(applied.ranks_version)
    )

    assert applied.ranks_certified_at is None and _order(applied) == ["B", "A", "C"]


def test_a_student_gives_each_position_a_different_rank(market, applied):
    with pytest.raises(ServiceError, match="Give each position a different rank"):
        rankings.save_student_ranks(
            market.ana, applied, _ids(market, {"A": "1", "B": "1", "C": "2"}), str(applied.ranks_version)
        )

    db.session.rollback()
    assert _order(applications.application_for(market.ana, market.season)) == ["A", "B", "C"]


@pytest.mark.parametrize("typed", ["", "0", "1.5", "²", "1000", "one"])
def test_a_students_rank_is_a_whole_number_from_one(market, applied, typed):
    with pytest.raises(ServiceError, match="Give .*Position B.* a rank number|The rank of .*Position B.* must be"):
        rankings.save_student_ranks(
            market.ana, applied, _ids(market, {"A": "1", "B": typed, "C": "3"}), str(applied.ranks_version)
        )


def test_a_student_ranks_only_positions_they_applied_to(market, applied):
    not_applied = {market.elsewhere.id: "4"}

    with pytest.raises(ServiceError, match="You can only rank positions you applied to."):
        rankings.save_student_ranks(
            market.ana,
            applied,
            {**_ids(market, {"A": "1", "B": "2", "C": "3"}), **not_applied},
            str(applied.ranks_version),
        )


def test_a_withdrawn_application_leaves_the_list_and_can_no_longer_be_ranked(market, applied):
    applications.withdraw_interest(market.ana, _interest(applied, market.positions["A"]))

    with pytest.raises(ServiceError, match="You can only rank positions you applied to."):
        rankings.save_student_ranks(
            market.ana, applied, _ids(market, {"A": "1", "B": "2", "C": "3"}), str(applied.ranks_version)
        )
    db.session.rollback()
    rankings.save_student_ranks(market.ana, applied, _ids(market, {"B": "2", "C": "1"}), str(applied.ranks_version))

    assert _order(applied) == ["C", "B"]
    assert [line.position.title for line in rankings.lines_to_show(applied)] == ["Position C", "Position B"]


def test_a_list_opened_before_another_save_is_refused(market, applied):
    opened = str(applied.ranks_version)
    rankings.save_student_ranks(market.ana, applied, _ids(market, {"A": "3", "B": "2", "C": "1"}), opened)

    with pytest.raises(StaleEdit, match="changed in another window"):
        rankings.save_student_ranks(market.ana, applied, _ids(market, {"A": "1", "B": "2", "C": "3"}), opened)

    db.session.rollback()
    assert _order(applications.application_for(market.ana, market.season)) == ["C", "B", "A"]


def test_another_students_list_is_not_allowed(market, applied):
    with pytest.raises(NotAllowed, match="That rank list is not yours."):
        rankings.save_student_ranks(
            market.ben, applied, _ids(market, {"A": "3", "B": "2", "C": "1"}), str(applied.ranks_version)
        )

    db.session.rollback()
    assert _order(applications.application_for(market.ana, market.season)) == ["A", "B", "C"]


def test_an_empty_list_cannot_be_certified(market):
    interest = applications.apply(market.ana, market.positions["A"], "")
    applications.withdraw_interest(market.ana, interest)
    application = applications.application_for(market.ana, market.season)

    with pytest.raises(ServiceError, match="Apply to at least one position before you certify your list."):
        rankings.save_student_ranks(market.ana, application, {}, str(application.ranks_version), certify=True)

    db.session.rollback()
    assert applications.application_for(market.ana, market.season).ranks_certified_at is None


def test_a_student_cannot_certify_after_the_ranking_deadline(market, applied):
    market.days_pass(21)  # the phase still allows ranking: the deadline alone closes the list

    with pytest.raises(ServiceError, match="The ranking deadline passed on .*ask your coordinator"):
        rankings.save_student_ranks(
            market.ana, applied, _ids(market, {"A": "1", "B": "2", "C": "3"}), str(applied.ranks_version), certify=True
        )

    db.session.rollback()
    assert applications.application_for(market.ana, market.season).ranks_certified_at is None


def test_an_extension_lets_that_student_alone_rank_after_the_deadline_and_the_phase(market, applied):
    ben_application = applications.application_for(market.ben, market.season)
    market.days_pass(21)
    market.season.phase = Phase.PUBLISHED
    db.session.add(
        DeadlineExtension(
            season_id=market.season.id,
            user_id=market.ana.id,
            kind=ExtensionKind.RANKING,
            until=utcnow() + timedelta(days=1),
            reason="Away",
        )
    )
    db.session.commit()

    rankings.save_student_ranks(
        market.ana, applied, _ids(market, {"A": "1", "B": "2", "C": "3"}), str(applied.ranks_version), certify=True
    )
    with pytest.raises(ServiceError, match="Ranking is not open now"):
        rankings.save_student_ranks(
            market.ben, ben_application, _ids(market, {"A": "1"}), str(ben_application.ranks_version), certify=True
        )

    db.session.rollback()
    assert applications.application_for(market.ana, market.season).ranks_certified_at is not None
    assert applications.application_for(market.ben, market.season).ranks_certified_at is None


# Hosts ------------------------------------------------------------------------------------------------


def _third_applicant(market):
    """Carl, a third student, who applied to Position A."""
    carl = market.new_student("Carl Student")
    applications.apply(carl, market.positions["A"], "")
    return carl


def test_a_host_may_tie_students_and_leave_some_unranked(market, applied):
    a = market.positions["A"]
    carl = _third_applicant(market)

    rankings.save_host_ranks(
        market.member, a, {market.ana.id: "1", market.ben.id: "1", carl.id: ""}, str(a.ranks_version)
    )

    assert _host_ranks(a) == {"Ana Student": 1, "Ben Student": 1}
    assert a.ranks_certified_at is None
    assert rankings.candidates(a) == [(market.ana, 1), (market.ben, 1), (carl, None)]


def test_a_host_certifies_its_list_and_a_later_draft_clears_the_stamp(market, applied):
    a = market.positions["A"]

    rankings.save_host_ranks(
        market.member, a, {market.ana.id: "2", market.ben.id: "1"}, str(a.ranks_version), certify=True
    )

    assert a.ranks_certified_at is not None and _host_ranks(a) == {"Ana Student": 2, "Ben Student": 1}
    assert rankings.candidates(a) == [(market.ben, 1), (market.ana, 2)]

    rankings.save_host_ranks(market.member, a, {market.ana.id: "1", market.ben.id: "2"}, str(a.ranks_version))

    assert a.ranks_certified_at is None and _host_ranks(a) == {"Ana Student": 1, "Ben Student": 2}


def test_a_host_ranks_only_students_who_applied_to_the_position(market, applied):
    b = market.positions["B"]  # Ana applied, Ben did not

    with pytest.raises(ServiceError, match="You can only rank students who applied to this position."):
        rankings.save_host_ranks(market.member, b, {market.ana.id: "1", market.ben.id: "2"}, str(b.ranks_version))

    db.session.rollback()
    assert _host_ranks(b) == {}


def test_a_withdrawn_application_drops_from_the_hosts_candidates(market, applied):
    a = market.positions["A"]
    rankings.save_host_ranks(market.member, a, {market.ana.id: "1", market.ben.id: "2"}, str(a.ranks_version))

    applications.withdraw_interest(market.ana, _interest(applied, a))

    assert rankings.candidates(a) == [(market.ben, 2)]
    with pytest.raises(ServiceError, match="You can only rank students who applied to this position."):
        rankings.save_host_ranks(market.member, a, {market.ana.id: "1", market.ben.id: "2"}, str(a.ranks_version))


def test_a_withdrawn_positions_list_can_no_longer_change(market, applied):
    a = market.positions["A"]
    a.status = PositionStatus.WITHDRAWN
    db.session.commit()

    with pytest.raises(ServiceError, match="was withdrawn"):
        rankings.save_host_ranks(market.member, a, {market.ana.id: "1"}, str(a.ranks_version), certify=True)

    db.session.rollback()
    assert _host_ranks(a) == {} and a.ranks_certified_at is None


def test_a_member_of_another_company_is_not_allowed_to_rank(market, applied):
    a = market.positions["A"]

    with pytest.raises(NotAllowed, match="You are not a member of this company."):
        rankings.save_host_ranks(market.stranger, a, {market.ana.id: "1"}, str(a.ranks_version), certify=True)

    db.session.rollback()
    assert _host_ranks(a) == {} and a.ranks_certified_at is None


def test_a_host_cannot_rank_after_the_ranking_deadline_without_an_extension(market, applied):
    a = market.positions["A"]
    market.days_pass(21)

    with pytest.raises(ServiceError, match="The ranking deadline passed on .*ask your coordinator"):
        rankings.save_host_ranks(market.member, a, {market.ana.id: "1"}, str(a.ranks_version), certify=True)
    db.session.rollback()
    db.session.add(
        DeadlineExtension(
            season_id=market.season.id,
            user_id=market.member.id,
            kind=ExtensionKind.RANKING,
            until=utcnow() + timedelta(days=1),
            reason="Busy",
        )
    )
    db.session.commit()
    rankings.save_host_ranks(market.member, a, {market.ana.id: "1"}, str(a.ranks_version), certify=True)

    assert _host_ranks(a) == {"Ana Student": 1} and a.ranks_certified_at is not None


def test_a_host_list_opened_before_a_colleagues_save_is_refused(market, applied):
    a = market.positions["A"]
    opened = str(a.ranks_version)
    rankings.save_host_ranks(market.member, a, {market.ana.id: "1", market.ben.id: "2"}, opened)

    with pytest.raises(StaleEdit, match="changed in another window or by a colleague"):
        rankings.save_host_ranks(market.member, a, {market.ana.id: "2", market.ben.id: "1"}, opened)

    db.session.rollback()
    assert _host_ranks(a) == {"Ana Student": 1, "Ben Student": 2}


def test_a_spanish_speaking_student_is_told_of_the_other_window_in_spanish(app, market, applied):
    from flask_babel import force_locale

    opened = str(applied.ranks_version)
    rankings.save_student_ranks(market.ana, applied, _ids(market, {"A": "3", "B": "2", "C": "1"}), opened)

    with app.test_request_context(), force_locale("es"), pytest.raises(StaleEdit, match="cambió en otra ventana"):
        rankings.save_student_ranks(market.ana, applied, _ids(market, {"A": "1", "B": "2", "C": "3"}), opened)
    db.session.rollback()
