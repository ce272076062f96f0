"""Answers to offers, called on the services directly: accept, decline with a reason, deadlines and
extensions, and taking a decline back while the seat is free."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    DeadlineExtension,
    ExtensionKind,
    Phase,
    Placement,
    PlacementStatus,
    PositionStatus,
    utcnow,
)
from sprint.services.errors import NotAllowed, ServiceError, StaleEdit
from sprint.services.market import offers


@pytest.fixture
def offer(market) -> Placement:
    """The season is published; Ana holds an offer of Position A (one seat), Ben one of Position B."""
    market.season.phase = Phase.PUBLISHED
    ana = Placement(season_id=market.season.id, student_id=market.ana.id, position_id=market.positions["A"].id)
    db.session.add_all(
        [ana, Placement(season_id=market.season.id, student_id=market.ben.id, position_id=market.positions["B"].id)]
    )
    db.session.commit()
    return ana


def _declined(market, offer) -> Placement:
    offers.respond(market.ana, offer, accept=False)
    return offer


def _status(placement: Placement) -> str:
    return db.session.scalar(db.select(Placement.status).where(Placement.id == placement.id))


def test_accepting_an_offer_records_the_answer_and_tells_both_sides(market, offer, outbox):
    offers.respond(market.ana, offer, accept=True)

    assert offer.status == PlacementStatus.ACCEPTED and offer.responded_at is not None
    assert db.session.scalar(db.select(AuditEvent.action)) == "offer.accepted"
    assert [(message.to, message.subject) for message in outbox] == [
        (["ana@example.org"], "[SPRINT] You accepted Position A"),
        (["olive@example.org"], "[SPRINT] Ana Student accepted your offer"),
    ]


def test_declining_keeps_the_students_reason_for_the_coordinator(market, offer):
    offers.respond(market.ana, offer, accept=False, reason="  Moving to Boston ")

    assert offer.status == PlacementStatus.DECLINED
    assert offer.note == "Declined by the student: Moving to Boston"
    event = db.session.scalar(db.select(AuditEvent))
    assert event.action == "offer.declined" and event.details["reason"] == "Moving to Boston"


def test_an_offer_is_answered_once(market, offer):
    offers.respond(market.ana, offer, accept=True)

    with pytest.raises(StaleEdit, match="You already accepted this offer."):
        offers.respond(market.ana, offer, accept=False, reason="Changed my mind")

    db.session.rollback()
    assert _status(offer) == PlacementStatus.ACCEPTED


@pytest.mark.parametrize("action", ["accept", "decline", "undo decline"])
def test_another_students_offer_is_not_allowed(market, offer, action):
    if action == "undo decline":
        _declined(market, offer)

    with pytest.raises(NotAllowed, match="That offer is not yours."):
        if action == "undo decline":
            offers.undo_decline(market.ben, offer)
        else:
            offers.respond(market.ben, offer, accept=action == "accept")

    db.session.rollback()
    assert _status(offer) == (PlacementStatus.DECLINED if action == "undo decline" else PlacementStatus.OFFERED)


def test_an_offer_cannot_be_answered_after_its_response_deadline(market, offer):
    offer.response_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()

    with pytest.raises(ServiceError, match="The deadline to answer this offer passed on .*ask your coordinator"):
        offers.respond(market.ana, offer, accept=True)

    db.session.rollback()
    assert _status(offer) == PlacementStatus.OFFERED


def test_an_offer_without_its_own_deadline_is_due_by_the_seasons_offer_deadline(market, offer):
    market.days_pass(33)  # the season's offer deadline was yesterday

    with pytest.raises(ServiceError, match="The deadline to answer this offer passed"):
        offers.respond(market.ana, offer, accept=True)

    db.session.rollback()
    assert offers.response_deadline(market.ana, offer) == market.season.offer_deadline_at
    assert _status(offer) == PlacementStatus.OFFERED


def test_an_offer_extension_lets_that_student_answer_after_the_deadline(market, offer):
    offer.response_deadline = utcnow() - timedelta(hours=1)
    until = utcnow() + timedelta(days=2)
    db.session.add(
        DeadlineExtension(
            season_id=market.season.id,
            user_id=market.ana.id,
            kind=ExtensionKind.OFFER,
            until=until,
            reason="Waiting for a visa",
        )
    )
    db.session.commit()

    offers.respond(market.ana, offer, accept=True)

    assert offers.response_deadline(market.ana, offer) == until
    assert _status(offer) == PlacementStatus.ACCEPTED


def test_an_extension_earlier_than_the_offers_own_deadline_does_not_shorten_it(market, offer):
    own = utcnow() + timedelta(days=3)
    offer.response_deadline = own
    db.session.add(
        DeadlineExtension(
            season_id=market.season.id,
            user_id=market.ana.id,
            kind=ExtensionKind.OFFER,
            until=utcnow() + timedelta(days=1),
        )
    )
    db.session.commit()

    assert offers.response_deadline(market.ana, offer) == own


def test_offers_of_a_closed_season_cannot_be_answered(market, offer):
    market.season.phase = Phase.CLOSED
    db.session.commit()

    with pytest.raises(ServiceError, match="Summer 2027 is closed; its offers can no longer be answered."):
        offers.respond(market.ana, offer, accept=True)

    db.session.rollback()
    assert _status(offer) == PlacementStatus.OFFERED


def test_taking_back_a_decline_opens_the_offer_again(market, offer, outbox):
    offers.respond(market.ana, offer, accept=False, reason="Moving")
    outbox.clear()

    offers.undo_decline(market.ana, offer)

    assert offer.status == PlacementStatus.OFFERED and offer.responded_at is None
    assert offer.note == "Declined by the student: Moving\nThe student took back their decline."
    assert db.session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "offer.decline_undone"
    assert [message.subject for message in outbox] == [
        "[SPRINT] You took back your decline of Position A",
        "[SPRINT] Ana Student took back their decline of your offer",
    ]


def test_only_a_declined_offer_can_be_taken_back(market, offer):
    with pytest.raises(ServiceError, match="Only a declined offer can be taken back."):
        offers.undo_decline(market.ana, offer)


def test_a_decline_stands_once_the_offers_deadline_has_passed(market, offer):
    _declined(market, offer)
    offer.response_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    with pytest.raises(ServiceError, match="The deadline of this offer has passed, so the decline stands."):
        offers.undo_decline(market.ana, offer)

    db.session.rollback()
    assert _status(offer) == PlacementStatus.DECLINED


def test_a_decline_cannot_be_taken_back_once_the_seat_is_offered_to_another_student(market, offer):
    _declined(market, offer)
    ben_first = db.session.scalar(db.select(Placement).where(Placement.student_id == market.ben.id))
    ben_first.status = PlacementStatus.DECLINED  # Ben declined Position B; the second round offers him A
    second = Placement(season_id=market.season.id, student_id=market.ben.id, position_id=offer.position_id, round=2)
    db.session.add(second)
    db.session.commit()

    with pytest.raises(ServiceError, match="The seat has been offered to another student."):
        offers.undo_decline(market.ana, offer)
    db.session.rollback()
    offers.respond(market.ben, second, accept=False)  # the seat is free again
    offers.undo_decline(market.ana, offer)

    assert _status(offer) == PlacementStatus.OFFERED


def test_a_decline_cannot_be_taken_back_while_the_student_holds_another_placement(market, offer):
    _declined(market, offer)
    db.session.add(
        Placement(
            season_id=market.season.id,
            student_id=market.ana.id,
            position_id=market.positions["C"].id,
            round=2,
            status=PlacementStatus.ACCEPTED,
        )
    )
    db.session.commit()

    with pytest.raises(ServiceError, match="You hold another placement this season."):
        offers.undo_decline(market.ana, offer)

    db.session.rollback()
    assert _status(offer) == PlacementStatus.DECLINED


@pytest.mark.parametrize(
    ("change", "message"),
    [("season closed", "Summer 2027 is closed."), ("position withdrawn", "Position A is no longer open.")],
)
def test_a_decline_cannot_be_taken_back_after_the_season_closes_or_the_position_goes(market, offer, change, message):
    _declined(market, offer)
    if change == "season closed":
        market.season.phase = Phase.CLOSED
    else:
        market.positions["A"].status = PositionStatus.WITHDRAWN
    db.session.commit()

    with pytest.raises(ServiceError, match=message):
        offers.undo_decline(market.ana, offer)

    db.session.rollback()
    assert _status(offer) == PlacementStatus.DECLINED
