"""The offers board on the services: rows and filters, effective deadlines with extensions, reminders
to pending students, and the job that expires unanswered offers in seasons set to "decline"."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    DeadlineExtension,
    ExpiredOffers,
    ExtensionKind,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    Role,
    Season,
    utcnow,
)
from sprint.services.errors import NotAllowed, ServiceError
from sprint.services.matching import offers_board
from sprint.services.matching.offers_board import OfferFilters, filters_from
from sprint.services.support.local_time import format_when, zone


@pytest.fixture
def board(app, make):
    """A published season: five students with offers at two hosts in every state.

    ana: pending, deadline in 30 h (host Lab); ben: pending, deadline passed 5 h ago, extended 3 days (Lab);
    cat: pending, deadline passed 2 h ago (Mill, round 2); dan: declined with a reason (Mill);
    eve: accepted (Lab)."""
    program = make.program()
    season = make.season(program, phase=Phase.PUBLISHED)
    lab, mill = make.host(program, name="Lab Co"), make.host(program, name="Mill Works")
    make.member(lab, email="olive@example.org")
    positions = {
        "lab": make.position(lab, season, slots=4, title="Lab tech"),
        "mill": make.position(mill, season, slots=3, title="Machinist"),
    }
    coordinator = make.user(Role.COORDINATOR, program, email="coord@example.org")
    other = make.user(Role.COORDINATOR, make.program(name="Other"), email="other@example.org")
    names = ("Ana", "Ben", "Cat", "Dan", "Eve")
    students = {
        name.lower(): make.user(Role.STUDENT, program, email=f"{name.lower()}@example.org", name=f"{name} Student")
        for name in names
    }
    now = utcnow()
    rows = {
        "ana": dict(position="lab", deadline=now + timedelta(hours=30)),
        "ben": dict(position="lab", deadline=now - timedelta(hours=5)),
        "cat": dict(position="mill", deadline=now - timedelta(hours=2), round=2),
        "dan": dict(position="mill", deadline=now - timedelta(days=1), status=PlacementStatus.DECLINED),
        "eve": dict(position="lab", deadline=now - timedelta(days=1), status=PlacementStatus.ACCEPTED),
    }
    with app.app_context():
        placements = {}
        for key, row in rows.items():
            placements[key] = Placement(
                season_id=season.id,
                student_id=students[key].id,
                position_id=positions[row["position"]].id,
                round=row.get("round", 1),
                status=row.get("status", PlacementStatus.OFFERED),
                response_deadline=row["deadline"],
                responded_at=now - timedelta(hours=20) if "status" in row else None,
                note="Declined by the student: Moving to Boston" if key == "dan" else "",
            )
        db.session.add_all(placements.values())
        db.session.add(
            DeadlineExtension(
                season_id=season.id,
                user_id=students["ben"].id,
                kind=ExtensionKind.OFFER,
                until=now + timedelta(days=3),
                reason="Family",
            )
        )
        db.session.commit()
        ids = {key: placement.id for key, placement in placements.items()}
    return SimpleNamespace(
        program=program,
        season_id=season.id,
        coordinator=coordinator,
        other=other,
        students=students,
        ids=ids,
        hosts={"lab": lab.id, "mill": mill.id},
        now=now,
    )


def _season(board) -> Season:
    return db.session.get(Season, board.season_id)


def _names(page) -> list[str]:
    return [row.student_name.split()[0] for row in page.items]


def _status(board, key: str) -> str:
    return db.session.scalar(db.select(Placement.status).where(Placement.id == board.ids[key]))


def test_the_board_lists_every_offer_with_its_status_reason_and_counts(appctx, board):
    page = offers_board.offers(_season(board), now=board.now)

    assert page.total == 5 and _names(page) == ["Ana", "Ben", "Cat", "Dan", "Eve"]
    by_name = {row.student_name: row for row in page.items}
    assert by_name["Ana Student"].status_label == "pending"
    assert by_name["Ana Student"].student_email == "ana@example.org"
    assert (by_name["Ana Student"].host_name, by_name["Ana Student"].position_title) == ("Lab Co", "Lab tech")
    assert by_name["Dan Student"].status_label == "declined" and by_name["Dan Student"].reason == "Moving to Boston"
    assert by_name["Cat Student"].round_label == "2"
    assert offers_board.counts(_season(board)) == {
        "offered": 3,
        "accepted": 1,
        "declined": 1,
        "withdrawn": 0,
        "expired": 0,
        "started": 0,
        "completed": 0,
        "ended_early": 0,
    }


def test_the_board_uses_the_deadline_as_extended_for_the_student(appctx, board):
    rows = {row.student_name: row for row in offers_board.offers(_season(board), now=board.now).items}

    assert rows["Ben Student"].deadline == board.now + timedelta(days=3)  # extension later than the offer's own
    assert rows["Ben Student"].time_left(board.now) == "3 days left"
    assert rows["Ana Student"].time_left(board.now) == "1 day 6 h left"
    assert rows["Cat Student"].time_left(board.now) == "deadline passed 2 h ago"
    assert rows["Eve Student"].time_left(board.now) == ""  # answered: nothing is running


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (OfferFilters(status="offered"), ["Ana", "Ben", "Cat"]),
        (OfferFilters(status="declined"), ["Dan"]),
        (OfferFilters(round=2), ["Cat"]),
        (OfferFilters(host_id=-1), []),
        (OfferFilters(due_soon=True), ["Ana"]),  # Ben's is 3 days away once extended; Cat's has passed
        (OfferFilters(status="offered", round=1), ["Ana", "Ben"]),
    ],
)
def test_the_board_filters(appctx, board, filters, expected):
    assert _names(offers_board.offers(_season(board), filters, now=board.now)) == expected


def test_the_host_filter_shows_that_hosts_offers(appctx, board):
    page = offers_board.offers(_season(board), OfferFilters(host_id=board.hosts["mill"]), now=board.now)
    assert _names(page) == ["Cat", "Dan"]
    assert [name for _, name in offers_board.hosts_of(_season(board))] == ["Lab Co", "Mill Works"]


def test_filters_from_url_arguments_ignore_values_that_name_nothing():
    assert filters_from({"status": "bogus", "round": "two", "host": "x1", "due": "maybe"}) == OfferFilters()
    assert filters_from({"round": "0"}).round == 0  # placed by hand
    assert filters_from({"status": "expired", "round": "3", "host": "12", "due": "1"}) == OfferFilters(
        status="expired", round=3, host_id=12, due_soon=True
    )
    assert filters_from({"host": "9" * 40}) == OfferFilters()  # no integer overflow in the query


def test_csv_rows_follow_the_filters_and_carry_the_effective_deadline(appctx, board):
    rows = offers_board.csv_rows(_season(board), OfferFilters(host_id=board.hosts["lab"]), now=board.now)

    assert [row[0] for row in rows] == ["Ana Student", "Ben Student", "Eve Student"]
    ben = rows[1]
    assert ben[:3] == ["Ben Student", "ben@example.org", "Lab Co"]
    assert ben[4:7] == ["Lab tech", "1", "pending"]
    assert ben[7] == board.now + timedelta(days=3) and ben[8] == "3 days left"
    assert len(offers_board.CSV_HEADERS) == len(ben)
    position = db.session.scalar(db.select(Position).where(Position.title == "Lab tech"))
    assert ben[11:] == [
        position.hourly_pay,
        position.hours_per_week,
        position.start_date,
        position.end_date,
        None,  # not started: an offer still pending
        None,
        None,
        "",
    ]


def test_reminders_go_to_the_students_who_can_still_answer_and_are_audited(appctx, board, outbox):
    sent = offers_board.remind_pending(board.coordinator, _season(board), now=board.now)

    assert sent == 2  # Ana, and Ben by his extension; Cat's deadline passed; Dan and Eve answered
    assert sorted(message.to[0] for message in outbox) == ["ana@example.org", "ben@example.org"]
    ben = next(message for message in outbox if message.to == ["ben@example.org"])
    by = format_when(board.now + timedelta(days=3), zone("America/New_York"), True)
    assert "Lab tech at Lab Co" in ben.body and f"by {by}." in ben.body and by.endswith(("EST", "EDT"))
    assert ben.subject.startswith("[SPRINT] Please answer your offer from Lab Co by ")
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "offers.reminded"))
    assert event.details == {"students": 2} and event.actor_id == board.coordinator.id


def test_a_second_reminder_within_ten_minutes_sends_nothing(appctx, board, outbox):
    offers_board.remind_pending(board.coordinator, _season(board), now=board.now)

    with pytest.raises(ServiceError, match="min ago; wait 10 minutes"):
        offers_board.remind_pending(board.coordinator, _season(board), now=board.now + timedelta(minutes=3))
    db.session.rollback()
    assert len(outbox) == 2
    assert offers_board.remind_pending(board.coordinator, _season(board), now=board.now + timedelta(minutes=11)) == 2


def test_another_programs_coordinator_cannot_remind(appctx, board, outbox):
    with pytest.raises(NotAllowed):
        offers_board.remind_pending(board.other, _season(board), now=board.now)
    assert outbox == []


def test_expire_due_leaves_a_season_that_waits_alone(appctx, board, outbox):
    assert _season(board).expired_offers == ExpiredOffers.WAIT  # the default

    assert offers_board.expire_due(board.now) == 0
    assert _status(board, "cat") == PlacementStatus.OFFERED and outbox == []


def test_expire_due_expires_past_deadline_offers_once_and_frees_their_seats(appctx, board, outbox):
    _season(board).expired_offers = ExpiredOffers.DECLINE
    db.session.commit()

    assert offers_board.expire_due(board.now) == 1  # Cat only: Ana's is ahead, Ben's is extended
    assert offers_board.expire_due(board.now + timedelta(minutes=5)) == 0

    assert {key: _status(board, key) for key in board.ids} == {
        "ana": "offered",
        "ben": "offered",
        "cat": "expired",
        "dan": "declined",
        "eve": "accepted",
    }
    assert [message.to for message in outbox] == [["cat@example.org"]]
    assert "has expired" in outbox[0].body and "Machinist at Mill Works" in outbox[0].body
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "offer.expired"))
    assert event.object_id == board.ids["cat"] and event.actor_id is None
    row = next(r for r in offers_board.offers(_season(board), now=board.now).items if r.status == "expired")
    assert row.reason.startswith("Expired unanswered at the deadline") and row.time_left(board.now) == "expired 2 h ago"
    # The seat is freed: the student may hold another live placement this season.
    db.session.add(
        Placement(
            season_id=board.season_id,
            student_id=board.students["cat"].id,
            position_id=db.session.get(Placement, board.ids["ana"]).position_id,
        )
    )
    db.session.commit()


def test_expire_due_expires_an_extended_offer_only_after_the_extension(appctx, board):
    _season(board).expired_offers = ExpiredOffers.DECLINE
    db.session.commit()

    offers_board.expire_due(board.now + timedelta(days=2))
    assert _status(board, "ben") == "offered"
    offers_board.expire_due(board.now + timedelta(days=3, minutes=1))
    assert _status(board, "ben") == "expired"


def test_the_expiry_runs_every_five_minutes_from_the_apps_queue(app, board):
    from datetime import datetime

    from sprint.services.support import jobs

    task = jobs.jobs_of(app).tasks["matching.expire_offers"].task_class()
    assert task.validate_datetime(datetime(2027, 4, 5, 12, 5)) and not task.validate_datetime(
        datetime(2027, 4, 5, 12, 7)
    )
    with app.app_context():
        season = db.session.get(Season, board.season_id)
        season.expired_offers = ExpiredOffers.DECLINE
        db.session.commit()
        assert jobs.jobs_of(app).functions["matching.expire_offers"]() == 1  # in an app context of its own
