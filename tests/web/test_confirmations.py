"""Nothing irreversible happens in one tap: each such action has a page that says what will happen, takes
an optional reason the coordinator then sees, and acts only on its confirming button. A declined offer
can be taken back until its deadline while the seat is still free."""

from __future__ import annotations

from datetime import timedelta

import pytest
from season_rounds import publish_round

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    HostCompany,
    HostMember,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    PositionInterest,
    Season,
    User,
    utcnow,
)
from sprint.services.matching import match_runs, placement_changes

CONFIRM = {"confirm": "y"}


def _placement(app, placement_id: int) -> Placement:
    with app.app_context():
        placement = db.session.get(Placement, placement_id)
        db.session.expunge(placement)
        return placement


def _decline(client, placement_id: int, reason: str = ""):
    return client.post(f"/student/offers/{placement_id}/decline", data={**CONFIRM, "reason": reason})


def _declined_by_ana(app, client, login, one_seat) -> int:
    """Publish the first round (Ana gets the seat) and have Ana decline; her placement's id."""
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    login(one_seat.ana)
    _decline(client, placement_id)
    return placement_id


def _undo_refused(app, client, placement_id: int, why: str) -> None:
    dashboard = client.get("/student/").get_data(as_text=True)
    refused = client.post(f"/student/offers/{placement_id}/undo-decline")

    assert "Take back my decline" not in dashboard and why in dashboard
    assert refused.status_code == 400 and why in refused.get_data(as_text=True)
    assert _placement(app, placement_id).status == PlacementStatus.DECLINED


def _reason_of(app, action: str) -> str | None:
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == action))
        return event.details.get("reason") if event else None


# The bare POST an old one-tap button (or a script) sends changes nothing -------------------------------


def _state(app, one_seat) -> tuple:
    with app.app_context():
        return (
            db.session.scalar(db.select(Placement.status).where(Placement.student_id == one_seat.ana.id)),
            db.session.get(PositionInterest, one_seat.interest_id).withdrawn_at,
            db.session.scalar(db.select(db.func.count(HostMember.id))),
            db.session.get(Position, one_seat.position.id).status,
            db.session.get(User, one_seat.colleague.id).active,
            db.session.get(HostCompany, one_seat.host.id).approved,
            db.session.get(Season, one_seat.season.id).phase,
            db.session.scalar(db.select(db.func.count(AuditEvent.id))),
        )


@pytest.mark.parametrize(
    "who, url, button",
    [
        ("ana", "/student/applications/{interest_id}/withdraw", "Withdraw my application"),
        ("owner", "/company/team/{colleague_membership}/remove", "Remove Cal Colleague"),
        ("owner", "/company/positions/{position_id}/withdraw", "Withdraw the position"),
        ("coordinator", "/coordinator/staff/{colleague_id}/deactivate", "Deactivate the account"),
        ("coordinator", "/coordinator/hosts/{host_id}/unapprove", "Unapprove Elm Bio"),
        ("coordinator", "/coordinator/seasons/{season_id}/phase", "Move to “Match being run”"),
    ],
)
def test_a_bare_post_before_publication_changes_nothing_and_shows_the_confirmation(
    app, client, login, one_seat, who, url, button
):
    with app.app_context():
        membership = db.session.scalar(db.select(HostMember.id).where(HostMember.user_id == one_seat.colleague.id))
    url = url.format(
        interest_id=one_seat.interest_id,
        colleague_membership=membership,
        position_id=one_seat.position.id,
        colleague_id=one_seat.colleague.id,
        host_id=one_seat.host.id,
        season_id=one_seat.season.id,
    )
    login(getattr(one_seat, who))
    before = _state(app, one_seat)

    response = client.post(url, data={"target": "matching"} if url.endswith("/phase") else {})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "What happens" in page and 'name="confirm" value="y"' in page and button in page
    assert _state(app, one_seat) == before


def _finished_run(app, one_seat) -> int:
    with app.app_context():
        return match_runs.start_run(
            db.session.get(User, one_seat.coordinator.id),
            db.session.get(Season, one_seat.season.id),
            match_runs.RunSettings(seed=1),
        ).id


def test_a_bare_post_to_the_old_decline_address_does_not_decline(app, client, login, one_seat):
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    login(one_seat.ana)

    response = client.post(f"/student/offers/{placement_id}/decline")

    assert response.status_code == 400
    assert 'name="confirm" value="y"' in response.get_data(as_text=True) and "Decline the offer" in response.get_data(
        as_text=True
    )
    assert _placement(app, placement_id).status == PlacementStatus.OFFERED


def test_accepting_is_confirmed_on_a_page_that_says_it_is_binding(app, client, login, one_seat, outbox):
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    login(one_seat.ana)
    outbox.clear()

    bare = client.post(f"/student/offers/{placement_id}/accept")  # the old one-tap form
    page = client.get(f"/student/offers/{placement_id}/accept").get_data(as_text=True)
    assert bare.status_code == 400 and _placement(app, placement_id).status == PlacementStatus.OFFERED
    assert "cannot be taken back" in page and 'name="confirm" value="y"' in page and outbox == []
    accepted = client.post(f"/student/offers/{placement_id}/accept", data=CONFIRM)

    assert accepted.status_code == 302 and _placement(app, placement_id).status == PlacementStatus.ACCEPTED
    assert len(outbox) >= 1


def test_a_bare_post_to_the_old_publish_address_does_not_publish(app, client, login, one_seat, outbox):
    run_id = _finished_run(app, one_seat)
    login(one_seat.coordinator)

    response = client.post(f"/coordinator/runs/{run_id}/publish")

    assert response.status_code == 400 and 'name="confirm" value="y"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Placement.id))) == 0
    assert outbox == []


# Declining, with a reason the coordinator sees, and taking it back ------------------------------------


def test_declining_asks_first_says_what_happens_and_keeps_the_reason_for_the_coordinator(
    app, client, login, one_seat, outbox
):
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    login(one_seat.ana)

    dashboard = client.get("/student/").get_data(as_text=True)
    page = client.get(f"/student/offers/{placement_id}/decline").get_data(as_text=True)
    declined = _decline(client, placement_id, "I am taking a research job on campus.")

    assert f'href="/student/offers/{placement_id}/decline"' in dashboard  # a link to the page, not a POST
    assert f'action="/student/offers/{placement_id}/decline"' not in dashboard
    assert "You give up this paid internship" in page and "take the decline back" in page
    assert declined.status_code == 302
    assert _placement(app, placement_id).status == PlacementStatus.DECLINED
    assert "I am taking a research job on campus." in _placement(app, placement_id).note
    assert _reason_of(app, "offer.declined") == "I am taking a research job on campus."
    assert any("take the decline back" in message.body for message in outbox if one_seat.ana.email in message.to)
    client.post("/logout")
    login(one_seat.coordinator)
    placements_page = client.get(f"/coordinator/runs/seasons/{one_seat.season.id}/placements").get_data(as_text=True)
    assert "I am taking a research job on campus." in placements_page


def test_a_decline_is_taken_back_before_the_deadline_while_the_seat_is_free(app, client, login, one_seat, outbox):
    placement_id = _declined_by_ana(app, client, login, one_seat)

    dashboard = client.get("/student/").get_data(as_text=True)
    outbox.clear()
    undone = client.post(f"/student/offers/{placement_id}/undo-decline", follow_redirects=True)

    assert "Take back my decline" in dashboard
    assert undone.status_code == 200 and "Your decline is taken back" in undone.get_data(as_text=True)
    placement = _placement(app, placement_id)
    assert placement.status == PlacementStatus.OFFERED and placement.responded_at is None
    assert "Accept the offer" in undone.get_data(as_text=True)
    assert any("took back their decline" in message.subject for message in outbox)
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "offer.decline_undone")
            )
            == 1
        )


def test_a_decline_is_not_taken_back_after_the_offer_deadline(app, client, login, one_seat):
    placement_id = _declined_by_ana(app, client, login, one_seat)

    with app.app_context():
        db.session.get(Placement, placement_id).response_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()

    _undo_refused(app, client, placement_id, "the decline stands")


def test_a_decline_is_not_taken_back_once_the_second_round_offered_the_seat(app, client, login, one_seat):
    placement_id = _declined_by_ana(app, client, login, one_seat)

    second = publish_round(app, one_seat, round_=2)

    assert list(second) == [one_seat.ben.id]  # Ben got the freed seat
    _undo_refused(app, client, placement_id, "offered to another student")


def test_a_decline_is_not_taken_back_once_the_coordinator_placed_someone_there(app, client, login, one_seat):
    placement_id = _declined_by_ana(app, client, login, one_seat)

    with app.app_context():
        placement_changes.add_placement(
            db.session.get(User, one_seat.coordinator.id),
            db.session.get(Season, one_seat.season.id),
            db.session.get(User, one_seat.ben.id),
            db.session.get(Position, one_seat.position.id),
            "Ben asked for it",
        )

    _undo_refused(app, client, placement_id, "offered to another student")


def test_a_seat_offered_on_and_declined_again_is_free_to_take_back(app, client, login, one_seat):
    ana_placement = publish_round(app, one_seat)[one_seat.ana.id]
    login(one_seat.ana)
    _decline(client, ana_placement)
    ben_placement = publish_round(app, one_seat, round_=2)[one_seat.ben.id]
    client.post("/logout")
    login(one_seat.ben)
    _decline(client, ben_placement, "Too far to travel")
    client.post("/logout")
    login(one_seat.ana)

    undone = client.post(f"/student/offers/{ana_placement}/undo-decline")

    assert undone.status_code == 302
    assert _placement(app, ana_placement).status == PlacementStatus.OFFERED


def test_nobody_takes_back_someone_elses_decline(app, client, login, one_seat):
    placement_id = _declined_by_ana(app, client, login, one_seat)
    client.post("/logout")
    login(one_seat.ben)

    assert client.post(f"/student/offers/{placement_id}/undo-decline").status_code == 404
    assert client.get(f"/student/offers/{placement_id}/decline").status_code == 404
    assert _placement(app, placement_id).status == PlacementStatus.DECLINED


# The other irreversible actions keep their reason where the coordinator looks ---------------------------


def test_a_withdrawn_application_keeps_its_reason_in_the_audit_log(app, client, login, one_seat):
    login(one_seat.ana)

    page = client.get(f"/student/applications/{one_seat.interest_id}/withdraw").get_data(as_text=True)
    done = client.post(
        f"/student/applications/{one_seat.interest_id}/withdraw", data={**CONFIRM, "reason": "I found a closer lab."}
    )
    again = client.post(f"/student/applications/{one_seat.interest_id}/withdraw", data=CONFIRM)

    assert "no longer sees you as an applicant" in page
    assert done.status_code == 302 and again.status_code == 302  # the second tab is told, nothing breaks
    with app.app_context():
        assert db.session.get(PositionInterest, one_seat.interest_id).withdrawn_at is not None
    client.post("/logout")
    login(one_seat.coordinator)
    assert "I found a closer lab." in client.get("/coordinator/runs/audit").get_data(as_text=True)


def test_host_removals_and_withdrawals_show_their_reason_in_the_directory(app, client, login, one_seat):
    with app.app_context():
        membership = db.session.scalar(db.select(HostMember.id).where(HostMember.user_id == one_seat.colleague.id))
    login(one_seat.owner)

    removed = client.post(f"/company/team/{membership}/remove", data={**CONFIRM, "reason": "Left the company"})
    withdrawn = client.post(
        f"/company/positions/{one_seat.position.id}/withdraw", data={**CONFIRM, "reason": "Grant ended"}
    )

    assert removed.status_code == 302 and withdrawn.status_code == 302
    client.post("/logout")
    login(one_seat.coordinator)
    staff = client.get("/coordinator/directory/staff").get_data(as_text=True)
    positions = client.get(f"/coordinator/directory/positions?season={one_seat.season.id}").get_data(as_text=True)
    assert "Removed from a company" in staff and "Left the company" in staff
    assert "Withdrawn" in positions and "Grant ended" in positions


def test_a_coordinators_reasons_show_on_the_pages_of_the_records(app, client, login, one_seat):
    login(one_seat.coordinator)

    client.post(f"/coordinator/staff/{one_seat.colleague.id}/deactivate", data={**CONFIRM, "reason": "On leave"})
    client.post(f"/coordinator/hosts/{one_seat.host.id}/unapprove", data={**CONFIRM, "reason": "Missing insurance"})
    client.post(
        f"/coordinator/seasons/{one_seat.season.id}/phase",
        data={**CONFIRM, "target": "matching", "reason": "All lists are in"},
    )

    with app.app_context():
        assert db.session.get(User, one_seat.colleague.id).active is False
        assert db.session.get(HostCompany, one_seat.host.id).approved is False
        assert db.session.get(Season, one_seat.season.id).phase == Phase.MATCHING
    assert "On leave" in client.get("/coordinator/directory/staff").get_data(as_text=True)
    assert "Missing insurance" in client.get("/coordinator/directory/hosts").get_data(as_text=True)
    assert "All lists are in" in client.get(f"/coordinator/seasons/{one_seat.season.id}").get_data(as_text=True)


def test_a_published_run_shows_why_it_was_published(app, client, login, one_seat):
    run_id = _finished_run(app, one_seat)
    login(one_seat.coordinator)

    client.post(f"/coordinator/runs/{run_id}/publish", data={**CONFIRM, "reason": "Board signed off"})

    assert "Board signed off" in client.get(f"/coordinator/runs/{run_id}").get_data(as_text=True)


def test_a_reason_with_control_characters_is_refused_and_nothing_happens(app, client, login, one_seat):
    placement_id = publish_round(app, one_seat)[one_seat.ana.id]
    login(one_seat.ana)

    response = _decline(client, placement_id, "no\x00thanks")

    assert response.status_code == 400 and "control character" in response.get_data(as_text=True)
    assert _placement(app, placement_id).status == PlacementStatus.OFFERED
