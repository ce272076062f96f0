"""Vacancy rounds: unmatched students apply to the seats left, hosts rank them, and the round's own match
places them with every round-1 placement frozen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from vacancy_world import close_window, open_vacancy_round, snapshot

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    OutboxEmail,
    Placement,
    PlacementStatus,
    Position,
    Season,
    User,
    VacancyApplication,
    VacancyRound,
    VacancyStatus,
    utcnow,
)
from sprint.services.errors import ServiceError
from sprint.services.market import offers, open_actions
from sprint.services.matching import (
    match_runs,
    second_round,
    vacancy_emails,
    vacancy_hosts,
    vacancy_rounds,
    vacancy_students,
)
from sprint.services.matching.match_runs import RunSettings


def _member_of(make, world, position_id: int) -> User:
    host_id = db.session.get(Position, position_id).host_id
    host = next(h for h in world.hosts if h.id == host_id)
    return db.session.get(User, make.member(host, name="Hana Host").id)


def test_a_vacancy_round_end_to_end_places_an_unmatched_student_and_leaves_round_one_alone(appctx, small_season, make):
    world = open_vacancy_round(small_season, offer_hours=36)
    round_ = db.session.get(VacancyRound, world.round)
    student = db.session.get(User, world.unmatched[0])
    position = db.session.get(Position, world.freed)
    member = _member_of(make, small_season, position.id)
    before = snapshot(world.accepted)

    vacancy_students.apply(student, round_, position, "I can start in June.")
    applicant = vacancy_hosts.applicants(round_, position)[0]
    vacancy_hosts.save_ranks(member, round_, position, {student.id: "1"})
    close_window(round_.id)
    coordinator = db.session.get(User, small_season.coordinator.id)
    run = vacancy_rounds.start_round_run(coordinator, round_, RunSettings(mode="stable", seed=3))
    published_at = utcnow()
    match_runs.publish_run(coordinator, run)
    offer = db.session.scalar(db.select(Placement).where(Placement.run_id == run.id))
    offers.respond(student, offer, accept=True)

    assert (applicant.student.id, applicant.note) == (student.id, "I can start in June.")
    assert run.round == round_.number == 2 and run.vacancy_round_id == round_.id
    assert {entry["id"] for entry in run.input_snapshot["students"]} == {f"s{student.id}"}
    assert (offer.student_id, offer.position_id, offer.round, offer.status) == (
        student.id,
        position.id,
        2,
        PlacementStatus.ACCEPTED,
    )
    assert abs(offer.response_deadline - (published_at + timedelta(hours=36))) < timedelta(minutes=1)
    assert db.session.get(VacancyRound, round_.id).status == VacancyStatus.PUBLISHED
    assert snapshot(world.accepted) == before  # every round-1 placement untouched
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"vacancy_round.opened", "vacancy.applied", "vacancy.ranked", "run.published"} <= actions


def test_the_round_match_leaves_out_live_placements_and_offers_only_the_seats_left(appctx, small_season, make):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    for student_id in world.unmatched:
        vacancy_students.apply(db.session.get(User, student_id), round_, db.session.get(Position, world.freed))
    close_window(round_.id)

    run = vacancy_rounds.start_round_run(
        db.session.get(User, small_season.coordinator.id), round_, RunSettings(mode="stable")
    )

    capacities = {entry["id"]: entry["capacity"] for entry in run.input_snapshot["positions"]}
    assert capacities == {f"p{world.freed}": 1}  # every other seat is taken by a live placement
    assert {e["id"] for e in run.input_snapshot["students"]} == {f"s{sid}" for sid in world.unmatched}


def test_a_student_applies_to_at_most_n_positions_once_each(appctx, small_season):
    world = open_vacancy_round(small_season, max_applications=1)
    round_ = db.session.get(VacancyRound, world.round)
    student = db.session.get(User, world.unmatched[0])
    position = db.session.get(Position, world.freed)
    vacancy_students.apply(student, round_, position)

    with pytest.raises(ServiceError, match="already applied"):
        vacancy_students.apply(student, round_, position)
    full = next(p for p in small_season.positions.values() if p.id != world.freed)
    other = db.session.get(Position, full.id)
    with pytest.raises(ServiceError, match="no seat left"):  # its seats are all accepted
        vacancy_students.apply(student, round_, other)
    assert db.session.scalar(db.select(db.func.count(VacancyApplication.id))) == 1


def test_the_n_limit_counts_the_students_applications(appctx, small_season, make):
    world = open_vacancy_round(small_season, max_applications=1)
    round_ = db.session.get(VacancyRound, world.round)
    host = small_season.hosts[2]
    extra = [make.position(host, small_season.season, title=f"Extra {n}") for n in (1, 2)]
    student = db.session.get(User, world.unmatched[0])
    vacancy_students.apply(student, round_, db.session.get(Position, extra[0].id))

    with pytest.raises(ServiceError, match="allows 1 application"):
        vacancy_students.apply(student, round_, db.session.get(Position, extra[1].id))


def test_students_order_and_withdraw_their_applications(appctx, small_season, make):
    world = open_vacancy_round(small_season, max_applications=3)
    round_ = db.session.get(VacancyRound, world.round)
    host = small_season.hosts[2]
    extra = [db.session.get(Position, make.position(host, small_season.season, title=f"X{n}").id) for n in (1, 2)]
    student = db.session.get(User, world.unmatched[0])
    first = vacancy_students.apply(student, round_, extra[0])
    second = vacancy_students.apply(student, round_, extra[1])

    vacancy_students.move(student, second, -1)
    order = [a.position_id for a in vacancy_students.applications_of(student, round_)]
    vacancy_students.withdraw(student, second)

    assert order == [extra[1].id, extra[0].id]
    assert [(a.id, a.rank) for a in vacancy_students.applications_of(student, round_)] == [(first.id, 1)]


def test_declined_students_take_part_only_when_the_round_allows(appctx, small_season):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    declined = db.session.get(User, world.declined)

    with pytest.raises(ServiceError, match="cannot take part"):
        vacancy_students.apply(declined, round_, db.session.get(Position, world.freed))
    round_.include_declined = True
    db.session.commit()
    assert declined.id in vacancy_rounds.eligible_ids(round_)
    assert not set(vacancy_rounds.eligible_ids(round_)) & {
        db.session.get(Placement, pid).student_id for pid in world.accepted
    }


def test_applying_and_ranking_close_with_the_window(appctx, small_season, make):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    student = db.session.get(User, world.unmatched[0])
    position = db.session.get(Position, world.freed)
    member = _member_of(make, small_season, position.id)
    vacancy_students.apply(student, round_, position)
    close_window(round_.id)

    with pytest.raises(ServiceError, match="closed for applications"):
        vacancy_students.apply(db.session.get(User, world.unmatched[1]), round_, position)
    with pytest.raises(ServiceError, match="closed for applications"):
        vacancy_hosts.save_ranks(member, round_, position, {student.id: "1"})


def test_the_match_waits_for_the_window_to_close_and_one_round_is_open_at_a_time(appctx, small_season):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    coordinator = db.session.get(User, small_season.coordinator.id)
    season = db.session.get(Season, small_season.season.id)
    now = utcnow()

    with pytest.raises(ServiceError, match="once its window has closed"):
        vacancy_rounds.start_round_run(coordinator, round_, RunSettings())
    with pytest.raises(ServiceError, match="already has an open vacancy round"):
        vacancy_rounds.open_round(coordinator, season, vacancy_rounds.RoundSettings(now, now + timedelta(days=1)))
    vacancy_rounds.cancel_round(coordinator, round_, "Too few seats")
    third = vacancy_rounds.open_round(coordinator, season, vacancy_rounds.RoundSettings(now, now + timedelta(days=1)))
    assert (db.session.get(VacancyRound, round_.id).status, third.number) == (VacancyStatus.CANCELLED, 3)


def test_a_round_needs_round_one_published_and_sane_settings(appctx, small_season):
    coordinator = db.session.get(User, small_season.coordinator.id)
    season = db.session.get(Season, small_season.season.id)
    now = utcnow()

    with pytest.raises(ServiceError, match="after round 1 is published"):
        vacancy_rounds.open_round(coordinator, season, vacancy_rounds.RoundSettings(now, now + timedelta(days=1)))
    with pytest.raises(ServiceError, match="close after it opens"):
        vacancy_rounds.open_round(coordinator, season, vacancy_rounds.RoundSettings(now, now - timedelta(hours=1)))
    with pytest.raises(ServiceError, match="between 1 and 720 hours"):
        vacancy_rounds.open_round(
            coordinator, season, vacancy_rounds.RoundSettings(now, now + timedelta(days=1), offer_hours=0)
        )


def test_hosts_invite_eligible_students_who_have_not_applied_once(appctx, small_season, make, outbox):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    position = db.session.get(Position, world.freed)
    member = _member_of(make, small_season, position.id)
    student = db.session.get(User, world.unmatched[0])

    vacancy_hosts.invite(member, round_, position, student)
    with pytest.raises(ServiceError, match="already invited"):
        vacancy_hosts.invite(member, round_, position, student)
    accepted = db.session.get(User, db.session.get(Placement, world.accepted[0]).student_id)
    with pytest.raises(ServiceError, match="cannot be invited"):
        vacancy_hosts.invite(member, round_, position, accepted)
    mine = vacancy_students.standing(student, db.session.get(Season, small_season.season.id))
    assert [i.position_id for i in mine.invitations] == [position.id]


def test_a_student_is_never_offered_a_position_their_placement_there_ended(appctx, small_season):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    ended = db.session.get(Placement, world.accepted[0])
    ended.status = PlacementStatus.WITHDRAWN
    db.session.commit()
    student = db.session.get(User, ended.student_id)

    with pytest.raises(ServiceError, match="earlier placement"):
        vacancy_students.apply(student, round_, db.session.get(Position, ended.position_id))


def test_the_round_opened_email_and_the_reminder_go_out_once(appctx, small_season, make):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    member = _member_of(make, small_season, world.freed)

    first = vacancy_emails.send_round_emails()
    again = vacancy_emails.send_round_emails()
    reminded = vacancy_emails.send_round_emails(now=round_.closes_at - timedelta(hours=2))

    recipients = sorted(
        db.session.scalars(db.select(OutboxEmail.recipient).where(OutboxEmail.template.like("vacancy_opened%")))
    )
    assert first.opened == len(world.unmatched) + 1 and again == vacancy_emails.RoundEmails()
    assert member.email in recipients and len(recipients) == len(world.unmatched) + 1
    assert reminded.reminded == len(world.unmatched)  # nobody applied; nobody to rank yet


def test_the_same_application_sent_twice_at_once_makes_one_row(appctx, small_season, monkeypatch):
    world = open_vacancy_round(small_season)
    round_ = db.session.get(VacancyRound, world.round)
    student = db.session.get(User, world.unmatched[0])
    position = db.session.get(Position, world.freed)
    vacancy_students.apply(student, round_, position)
    monkeypatch.setattr(vacancy_students, "applications_of", lambda *_: [])  # as if the other request had not committed

    with pytest.raises(ServiceError, match="already applied"):
        vacancy_students.apply(student, round_, position)
    assert db.session.scalar(db.select(db.func.count(VacancyApplication.id))) == 1


def test_the_re_run_on_round_one_lists_closes_once_a_vacancy_round_exists(appctx, small_season):
    open_vacancy_round(small_season)
    season = db.session.get(Season, small_season.season.id)

    with pytest.raises(ServiceError, match="has vacancy rounds"):
        second_round.start_second_round(db.session.get(User, small_season.coordinator.id), season, RunSettings())
    assert not open_actions.second_round(season)
