"""The offers board in the browser's place: statuses, ET times, filters, CSV, the reminder button, the
season setting for unanswered offers, and who may reach them."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest

from sprint.extensions import db
from sprint.models import (
    AuditEvent,
    ExpiredOffers,
    MatchRun,
    Phase,
    Placement,
    PlacementStatus,
    Role,
    RunStatus,
    Season,
    utcnow,
)

# Fixed instants far in the future, so "time left" is long and the ET rendering is known:
# 2099-07-10 16:00 UTC is 12:00 PM EDT; 2099-01-10 17:00 UTC is 12:00 PM EST.
SUMMER = datetime(2099, 7, 10, 16, 0)
WINTER = datetime(2099, 1, 10, 17, 0)


@pytest.fixture
def world(app, make):
    program = make.program()
    season = make.season(program, phase=Phase.PUBLISHED)
    host = make.host(program, name="Lab Co")
    position = make.position(host, season, slots=3, title="Lab tech")
    coordinator = make.user(Role.COORDINATOR, program, email="coord@example.org")
    ana = make.user(Role.STUDENT, program, email="ana@example.org", name="Ana Student")
    ben = make.user(Role.STUDENT, program, email="ben@example.org", name="Ben Student")
    cat = make.user(Role.STUDENT, program, email="cat@example.org", name="Cat Student")
    with app.app_context():
        season_row = db.session.get(Season, season.id)
        season_row.offer_deadline_at = datetime(2099, 12, 1)
        db.session.add(MatchRun(season_id=season.id, status=RunStatus.DONE, published_at=utcnow()))
        db.session.add_all(
            [
                Placement(season_id=season.id, student_id=ana.id, position_id=position.id, response_deadline=SUMMER),
                Placement(season_id=season.id, student_id=ben.id, position_id=position.id, response_deadline=WINTER),
                Placement(
                    season_id=season.id,
                    student_id=cat.id,
                    position_id=position.id,
                    status=PlacementStatus.DECLINED,
                    response_deadline=SUMMER,
                    responded_at=datetime(2099, 1, 2, 15, 0),
                    note="Declined by the student: =Moving to Boston",
                ),
            ]
        )
        db.session.commit()
    owner = make.member(host, email="owner@labco.example.org")
    return type(
        "World",
        (),
        dict(program=program, season=season, coordinator=coordinator, host=host, host_owner_email=owner.email),
    )


def _url(world, tail: str = "placements") -> str:
    return f"/coordinator/runs/seasons/{world.season.id}/{tail}"


def test_the_offers_page_shows_counts_statuses_and_deadlines_in_et(client, login, world):
    login(world.coordinator)

    page = client.get(_url(world)).get_data(as_text=True)

    assert '<h1 class="h3">Offers · Summer 2027</h1>' in page
    assert re.search(r"Pending</a>:\s*<strong>2</strong>", page)
    assert re.search(r"Declined</a>:\s*<strong>1</strong>", page)
    assert "Deadline (ET)" in page
    assert "Jul 10, 2099, 12:00\u202fPM EDT" in page or "Jul 10, 2099, 12:00 PM EDT" in page
    assert "Jan 10, 2099, 12:00\u202fPM EST" in page or "Jan 10, 2099, 12:00 PM EST" in page
    assert "=Moving to Boston" in page and re.search(r"\d+ days \d+ h left", page)
    assert "Remind the 2 pending students" in page


def test_the_offers_page_filters_and_ignores_values_that_name_nothing(client, login, world):
    login(world.coordinator)

    declined = client.get(_url(world) + "?status=declined").get_data(as_text=True)
    assert "Cat Student" in declined and "Ana Student" not in declined

    for query in ("?status=bogus&round=x&host=abc&due=2&page=-4", "?host=" + "9" * 40, "?page=99999999"):
        response = client.get(_url(world) + query)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert all(name in page for name in ("Ana Student", "Ben Student", "Cat Student"))


def test_the_csv_has_the_boards_rows_under_headers_and_follows_the_filters(client, login, world):
    login(world.coordinator)

    response = client.get(_url(world, "offers.csv") + "?status=offered")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="offers-season-{world.season.id}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "Student",
        "Email",
        "Host",
        "Host contact",
        "Position",
        "Round",
        "Status",
        "Deadline",
        "Time left",
        "Responded at",
        "Reason",
        "Hourly pay",
        "Hours per week",
        "Starts",
        "Ends",
        "Started on",
        "Ended on",
        "Hours worked",
        "Outcome",
    ]
    assert [row[:3] + row[4:7] for row in rows[1:]] == [
        ["Ana Student", "ana@example.org", "Lab Co", "Lab tech", "1", "pending"],
        ["Ben Student", "ben@example.org", "Lab Co", "Lab tech", "1", "pending"],
    ]
    assert rows[1][3] == world.host_owner_email  # the host's owners, to contact about the placement
    assert rows[1][7] == "2099-07-10 12:00 -04:00" and rows[2][7] == "2099-01-10 12:00 -05:00"
    assert rows[1][8].endswith("left")

    everything = client.get(_url(world, "offers.csv")).get_data(as_text=True)
    assert "'=Moving to Boston" in everything  # a formula-looking reason stays text in a spreadsheet


def test_the_remind_button_emails_the_pending_students_once(client, login, world, outbox, app):
    login(world.coordinator)

    first = client.post(_url(world, "offers/remind"), follow_redirects=True).get_data(as_text=True)
    second = client.post(_url(world, "offers/remind"), follow_redirects=True).get_data(as_text=True)

    assert "Reminder sent to 2 students with a pending offer." in first
    assert "wait 10 minutes before sending them again" in second
    assert sorted(message.to[0] for message in outbox) == ["ana@example.org", "ben@example.org"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "offers.reminded")) == 1


def test_the_remind_button_needs_a_csrf_token(app, world, password, outbox):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": world.coordinator.email, "password": password, "csrf_token": token})
        assert client.post(_url(world, "offers/remind")).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert outbox == []


def test_another_programs_coordinator_gets_404_everywhere(client, login, make, world, outbox):
    login(make.user(Role.COORDINATOR, make.program(name="Elsewhere")))

    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, "offers.csv")).status_code == 404
    assert client.post(_url(world, "offers/remind")).status_code == 404
    assert outbox == []


def test_the_season_form_sets_what_an_unanswered_offer_becomes(client, login, world, app):
    login(world.coordinator)
    form = client.get(f"/coordinator/seasons/{world.season.id}/dates").get_data(as_text=True)
    assert "An offer still unanswered at its deadline" in form and "Count as declined at the deadline" in form

    response = client.post(
        f"/coordinator/seasons/{world.season.id}/dates",
        data={"offer_deadline_at": "2099-12-01T00:00", "expired_offers": "decline"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Season, world.season.id).expired_offers == ExpiredOffers.DECLINE
    board = client.get(_url(world)).get_data(as_text=True)
    assert "Offers not answered by their deadline expire" in board

    bad = client.post(f"/coordinator/seasons/{world.season.id}/dates", data={"expired_offers": "never"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.get(Season, world.season.id).expired_offers == ExpiredOffers.DECLINE


def test_an_expired_offer_reads_well_for_the_student_and_the_host(client, login, make, world, app):
    from sprint.services.matching import offers_board

    with app.app_context():
        season = db.session.get(Season, world.season.id)
        season.expired_offers = ExpiredOffers.DECLINE
        ana = db.session.scalar(db.select(Placement).order_by(Placement.id))
        ana.response_deadline = datetime(2020, 1, 1)
        db.session.commit()
        assert offers_board.expire_due() == 1
        student = ana.student
        db.session.expunge(student)
    login(student)
    page = client.get("/student/").get_data(as_text=True)
    assert "expired: it was not answered by its deadline" in page
    client.post("/logout")
    login(make.member(world.host))
    results = client.get("/company/results")
    assert results.status_code == 200 and "expired unanswered" in results.get_data(as_text=True)
    client.post("/logout")

    login(world.coordinator)
    board = client.get(_url(world) + "?status=expired").get_data(as_text=True)
    assert "Ana Student" in board and "Ben Student" not in board and re.search(r"expired \d+ days \d+ h ago", board)
