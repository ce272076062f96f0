"""Findings 6 and 10: the same write from ten tabs at once: one happens, the rest get 409 or the same result.

The threaded tests need real concurrent transactions, so they run on PostgreSQL (CI runs the suite
there too); the sequential double submits run on both databases.
"""

from __future__ import annotations

import io
import re

import pytest
from races import at_once, postgresql_only

from sprint.extensions import db
from sprint.models import (
    Application,
    CandidateReview,
    HostRank,
    ImportJob,
    ImportStatus,
    Invitation,
    MatchRun,
    Phase,
    Placement,
    Position,
    PositionInterest,
    Role,
    Skill,
    StudentProfile,
    StudentRank,
    User,
)
from sprint.services.market import profiles

TABS = 10


@pytest.fixture
def market(app, make):
    program = make.program()
    season = make.season(program, phase=Phase.APPLICATIONS)
    host = make.host(program)
    position = make.position(host, season, title="Lab intern")
    student = make.user(Role.STUDENT, program)
    with app.app_context():
        from sprint.models import College, Skill

        college = College(name="Gateway CC", state="CT")
        db.session.add(college)
        db.session.flush()
        profile = db.session.scalar(db.select(StudentProfile).where(StudentProfile.user_id == student.id))
        profile.college_id, profile.major, profile.class_year = college.id, "Biology", 2028
        profile.work_authorized = profile.age_confirmed = True
        profile.skills = [Skill(name="pipetting")]
        db.session.commit()
        profiles.save_resume(db.session.get(User, student.id), b"%PDF-1.4\n%%EOF\n", "cv.pdf")
    return program, season, host, position, student


def _count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def _statuses(results) -> list[int]:
    return sorted(result.status_code if hasattr(result, "status_code") else repr(result) for result in results)


def test_applying_twice_answers_409_and_applies_once(app, client, login, market):
    program, season, host, position, student = market
    login(student)
    form = {"statement": "I would love to learn the lab's methods."}

    first = client.post(f"/student/positions/{position.id}", data=form)
    second = client.post(f"/student/positions/{position.id}", data=form)

    assert (first.status_code, second.status_code) == (302, 409)
    assert "You already applied" in second.get_data(as_text=True)


@postgresql_only
def test_applying_from_ten_tabs_at_once_applies_once(app, logged_in, market):
    program, season, host, position, student = market
    tabs = [logged_in(student) for _ in range(TABS)]
    form = {"statement": "I would love to learn the lab's methods."}

    results = at_once([lambda tab=tab: tab.post(f"/student/positions/{position.id}", data=form) for tab in tabs])

    assert _statuses(results) == [302] + [409] * (TABS - 1)
    with app.app_context():
        assert _count(PositionInterest) == 1 and _count(StudentRank) == 1 and _count(Application) == 1


@postgresql_only
def test_applying_to_ten_positions_at_once_gives_ten_distinct_ranks(app, make, logged_in, market):
    program, season, host, position, student = market
    others = [make.position(host, season, title=f"Intern {n}") for n in range(TABS)]
    tabs = [logged_in(student) for _ in range(TABS)]
    form = {"statement": "I would love to learn the lab's methods."}

    results = at_once(
        [lambda tab=tab, p=p: tab.post(f"/student/positions/{p.id}", data=form) for tab, p in zip(tabs, others)]
    )

    assert _statuses(results) == [302] * TABS
    with app.app_context():
        assert sorted(db.session.scalars(db.select(StudentRank.rank))) == list(range(1, TABS + 1))


@postgresql_only
def test_certifying_one_rank_list_from_ten_tabs_accepts_exactly_one(app, make, logged_in, market):
    program, season, host, position, student = market
    make.application(season, student, position)
    tabs = [logged_in(student) for _ in range(TABS)]
    form = {"version": "0", "action": "certify", f"rank_{position.id}": "1"}

    results = at_once([lambda tab=tab: tab.post("/student/ranks", data=form) for tab in tabs])

    assert _statuses(results) == [302] + [409] * (TABS - 1)
    with app.app_context():
        assert db.session.scalar(db.select(Application.ranks_version)) == 1


@postgresql_only
def test_a_host_certifying_from_ten_tabs_never_deadlocks(app, make, logged_in, market):
    program, season, host, position, student = market
    make.application(season, student, position)
    members = [make.member(host) for _ in range(TABS)]
    tabs = [logged_in(member) for member in members]
    form = {"version": "0", "action": "certify", f"rank_{student.id}": "1"}

    results = at_once([lambda tab=tab: tab.post(f"/company/positions/{position.id}/ranks", data=form) for tab in tabs])

    assert _statuses(results) == [302] + [409] * (TABS - 1)
    with app.app_context():
        assert _count(HostRank) == 1 and db.session.get(Position, position.id).ranks_version == 1


@postgresql_only
def test_ten_people_adding_the_same_new_skill_at_once_share_one_row(app, make, logged_in, market):
    program, season, host, position, student = market
    members = [make.member(host) for _ in range(TABS)]
    tabs = [logged_in(member) for member in members]
    form = {
        "title": "x",
        "description": "Work.",
        "slots": "1",
        "hourly_pay": "20",
        "hours_per_week": "40",
        "start_date": "2027-06-01",
        "end_date": "2027-08-13",
        "site_town": "New Haven",
        "work_mode": "onsite",
        "required_skills": "brand new skill",
    }

    results = at_once(
        [
            lambda tab=tab, n=n: tab.post("/company/positions/new", data={**form, "title": f"Role {n}"})
            for n, tab in enumerate(tabs)
        ]
    )

    assert _statuses(results) == [302] * TABS
    with app.app_context():
        assert _count(Skill, Skill.name == "brand new skill") == 1 and _count(Position) == TABS + 1


@postgresql_only
def test_ten_notes_on_one_applicant_at_once_keep_one_review(app, make, logged_in, market):
    program, season, host, position, student = market
    make.application(season, student, position)
    tabs = [logged_in(make.member(host)) for _ in range(TABS)]

    results = at_once(
        [
            lambda tab=tab, n=n: tab.post(f"/company/applicants/{student.id}", data={"note": f"Note {n}"})
            for n, tab in enumerate(tabs)
        ]
    )

    assert _statuses(results) == [302] * TABS
    with app.app_context():
        assert _count(CandidateReview) == 1


@postgresql_only
def test_accepting_and_declining_one_offer_at_once_records_one_answer(app, make, logged_in, market):
    program, season, host, position, student = market
    make.application(season, student, position)
    with app.app_context():
        placement = Placement(season_id=season.id, student_id=student.id, position_id=position.id, round=1)
        db.session.add(placement)
        db.session.commit()
        placement_id = placement.id
    tabs = [logged_in(student) for _ in range(TABS)]

    def answer(tab, n):  # each answer is sent from its confirmation page
        if n % 2:
            return tab.post(f"/student/offers/{placement_id}/accept", data={"confirm": "y"})
        return tab.post(f"/student/offers/{placement_id}/decline", data={"confirm": "y"})

    results = at_once([lambda tab=tab, n=n: answer(tab, n) for n, tab in enumerate(tabs)])

    assert _statuses(results) == [302] + [409] * (TABS - 1)
    with app.app_context():
        from sprint.models import AuditEvent

        assert _count(AuditEvent, AuditEvent.action.like("offer.%")) == 1


def _positions_preview(client, season, host) -> str:
    csv = (
        f"host,title,slots,hourly_pay,hours_per_week,start_date,end_date\n"
        f"{host.name},Controls intern,2,21.50,40,2027-06-07,2027-08-13\n"
        f"{host.name},QC intern,1,20,40,2027-06-07,2027-08-13\n"
    ).encode()
    preview = client.post(
        "/coordinator/import", data={"kind": "positions", "season": season.id, "file": (io.BytesIO(csv), "p.csv")}
    )
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)


def test_confirming_one_import_preview_twice_imports_once_and_says_so(app, client, make, login, market):
    program, season, host, position, student = market
    login(make.user(Role.COORDINATOR, program))
    payload = _positions_preview(client, season, host)

    first = client.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)
    second = client.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)

    assert "2 added" in first.get_data(as_text=True)
    assert "already imported" in second.get_data(as_text=True)
    with app.app_context():
        assert _count(Position) == 3 and _count(ImportJob, ImportJob.status == ImportStatus.DONE) == 1


@postgresql_only
def test_ten_simultaneous_confirmations_of_one_import_create_each_position_once(app, make, logged_in, market):
    program, season, host, position, student = market
    coordinator = make.user(Role.COORDINATOR, program)
    tabs = [logged_in(coordinator) for _ in range(TABS)]
    payload = _positions_preview(tabs[0], season, host)

    results = at_once(
        [
            lambda tab=tab: tab.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)
            for tab in tabs
        ]
    )

    pages = [result.get_data(as_text=True) for result in results]
    assert sum("2 added" in page for page in pages) == 1
    assert sum("already imported" in page for page in pages) == TABS - 1
    with app.app_context():
        assert _count(Position, Position.title == "Controls intern") == 1 and _count(Position) == 3


def test_a_host_cannot_post_two_positions_with_one_title(app, client, login, make, market):
    program, season, host, position, student = market
    login(make.member(host))
    form = {
        "title": "lab intern",
        "description": "Work.",
        "slots": "1",
        "hourly_pay": "20",
        "hours_per_week": "40",
        "start_date": "2027-06-01",
        "end_date": "2027-08-13",
        "site_town": "New Haven",
        "work_mode": "onsite",
    }

    response = client.post("/company/positions/new", data=form)

    assert response.status_code == 400 and "already have a position called" in response.get_data(as_text=True)


def _run_form() -> dict:
    return {"mode": "stable", "seed": "1", "time_limit": "10", "label": "", "cap_per": ""}


def test_starting_the_same_run_twice_queues_it_once(app, client, login, small_season):
    login(small_season.coordinator)
    url = f"/coordinator/runs/seasons/{small_season.season.id}/new"

    first, second = client.post(url, data=_run_form()), client.post(url, data=_run_form())
    other_seed = client.post(url, data={**_run_form(), "seed": "2"})

    assert first.headers["Location"] == second.headers["Location"] != other_seed.headers["Location"]
    with app.app_context():
        assert _count(MatchRun) == 2


@postgresql_only
def test_the_same_run_started_from_ten_tabs_is_solved_once(app, logged_in, small_season):
    tabs = [logged_in(small_season.coordinator) for _ in range(TABS)]
    url = f"/coordinator/runs/seasons/{small_season.season.id}/new"

    results = at_once([lambda tab=tab: tab.post(url, data=_run_form()) for tab in tabs])

    assert _statuses(results) == [302] * TABS and len({result.headers["Location"] for result in results}) == 1
    with app.app_context():
        assert _count(MatchRun) == 1


def _invitation_form(host) -> dict:
    return {"email": "New.Member@elmcity.example", "role": "host", "host": host.id, "host_role": "member"}


def test_the_same_invitation_sent_twice_is_sent_once(app, client, login, make, outbox):
    program = make.program()
    host = make.host(program, name="Elm City Bio")
    login(make.user(Role.COORDINATOR, program))

    statuses = [client.post("/coordinator/invite", data=_invitation_form(host)).status_code for _ in range(2)]

    assert statuses == [302, 302] and len(outbox) == 1
    with app.app_context():
        assert _count(Invitation) == 1


@postgresql_only
def test_the_same_invitation_sent_from_ten_tabs_is_sent_once(app, logged_in, make, outbox):
    program = make.program()
    host = make.host(program, name="Elm City Bio")
    coordinator = make.user(Role.COORDINATOR, program)
    tabs = [logged_in(coordinator) for _ in range(TABS)]

    results = at_once([lambda tab=tab: tab.post("/coordinator/invite", data=_invitation_form(host)) for tab in tabs])

    assert _statuses(results) == [302] * TABS and len(outbox) == 1
    with app.app_context():
        assert _count(Invitation) == 1


BULK = {"segment": "all_hosts", "college_id": "0", "subject": "Orientation on Monday", "body": "Bring your ID."}


def _bulk_sender(make, market):
    program, season, host, position, student = market
    member = make.member(host)
    return season, member, make.user(Role.COORDINATOR, program)


def test_sending_the_same_bulk_message_form_twice_sends_it_once(app, client, login, make, market):
    season, member, coordinator = _bulk_sender(make, market)
    login(coordinator)

    answers = [
        client.post(f"/coordinator/seasons/{season.id}/messages/send", data={**BULK, "token": "t"}) for _ in "12"
    ]

    assert [answer.status_code for answer in answers] == [302, 302]
    with app.app_context():
        from sprint.models import BulkMessage, Notification

        assert _count(BulkMessage) == 1 and _count(Notification, Notification.user_id == member.id) == 1


@postgresql_only
def test_sending_one_bulk_message_from_ten_tabs_at_once_sends_it_once(app, make, logged_in, market):
    season, member, coordinator = _bulk_sender(make, market)
    tabs = [logged_in(coordinator) for _ in range(TABS)]
    form = {**BULK, "token": "same-form"}

    results = at_once(
        [lambda tab=tab: tab.post(f"/coordinator/seasons/{season.id}/messages/send", data=form) for tab in tabs]
    )

    assert _statuses(results) == [302] * TABS
    with app.app_context():
        from sprint.models import AuditEvent, BulkMessage, Notification

        assert _count(BulkMessage) == 1 and _count(Notification, Notification.user_id == member.id) == 1
        assert _count(AuditEvent, AuditEvent.action == "bulk_message.created") == 1
