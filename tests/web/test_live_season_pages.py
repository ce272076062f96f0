"""The live season on every student and host page: a new draft season changes nothing they see,
and when two seasons are live each page says which one it shows and lets the person switch."""

from __future__ import annotations

import re

import pytest

from sprint.extensions import db
from sprint.models import Application, HostRank, Phase, Position, PositionInterest, Role, Season, StudentRank, utcnow

PAGES = {
    "student": [
        "/student/",
        "/student/profile",
        "/student/positions",
        "/student/positions/{position}",
        "/student/ranks",
    ],
    "host": [
        "/company/",
        "/company/profile",
        "/company/team",
        "/company/positions/new",
        "/company/positions/{position}/edit",
        "/company/applicants",
        "/company/applicants/{student}",
        "/company/positions/{position}/ranks",
        "/company/results",
    ],
}
_VOLATILE = re.compile(r'(nonce|value)="[A-Za-z0-9_.\-]{20,}"')


@pytest.fixture
def running(app, make):
    """Summer 2027 at ranking: a student with a certified list, a host with that applicant ranked."""
    program = make.program("SPRINT", slug="sprint")
    season = make.season(program, 2027, Phase.RANKING)
    host = make.host(program, name="Elm Bio")
    member = make.member(host, email="host@example.org")
    positions = [
        make.position(host, season, title="Cell culture intern"),
        make.position(host, season, title="QC intern"),
    ]
    student = make.user(Role.STUDENT, program, email="student@example.org")
    coordinator = make.user(Role.COORDINATOR, program, email="coordinator@example.org")
    now = utcnow()
    with app.app_context():
        application = Application(
            season_id=season.id, student_id=student.id, status="submitted", submitted_at=now, ranks_certified_at=now
        )
        application.interests = [PositionInterest(position_id=p.id, statement="Keen") for p in positions]
        application.ranks = [StudentRank(position_id=p.id, rank=i) for i, p in enumerate(positions, 1)]
        db.session.add(application)
        for position in positions:
            db.session.add(HostRank(position_id=position.id, student_id=student.id, rank=1))
            db.session.get(Position, position.id).ranks_certified_at = now
        db.session.commit()
    return {
        "program": program,
        "season": season,
        "student": student,
        "member": member,
        "coordinator": coordinator,
        "ids": {"position": positions[0].id, "student": student.id},
    }


def _walk(app, user, role: str, ids: dict) -> dict[str, str]:
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
    bodies = {}
    for page in PAGES[role]:
        url = page.format(**ids)
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = _VOLATILE.sub(r'\1="…"', response.get_data(as_text=True))
    return bodies


def test_creating_next_years_draft_season_changes_no_student_or_host_page(app, running, login, client):
    people = {"student": running["student"], "host": running["member"]}
    before = {role: _walk(app, user, role, running["ids"]) for role, user in people.items()}
    assert "Applied to 2 positions" in before["student"]["/student/"]
    assert "Student" in before["host"]["/company/applicants"]

    login(running["coordinator"])
    created = client.post(
        "/coordinator/seasons/new",
        data={
            "year": "2028",
            "name": "Summer 2028",
            "copy_positions": "y",
            "applications_open_at": "2027-11-01T09:00",
            "applications_close_at": "2028-02-15T23:59",
        },
    )

    assert created.status_code == 302
    with app.app_context():
        draft = db.session.scalar(db.select(Season).where(Season.year == 2028))
        assert draft.phase == Phase.DRAFT
        assert db.session.scalar(db.select(db.func.count(Position.id)).where(Position.season_id == draft.id)) == 2
    after = {role: _walk(app, user, role, running["ids"]) for role, user in people.items()}
    for role in people:
        for url, body in before[role].items():
            assert after[role][url] == body, url


@pytest.fixture
def overlap(app, running, make):
    """Summer 2027's offers are out while Summer 2028 takes applications; 2026 is closed."""
    with app.app_context():
        db.session.get(Season, running["season"].id).phase = Phase.PUBLISHED
        db.session.commit()
    next_year = make.season(running["program"], 2028, Phase.APPLICATIONS)
    make.season(running["program"], 2026, Phase.CLOSED)
    host = make.host(running["program"], name="Harbor Labs")
    make.position(host, next_year, title="Automation intern 2028")
    other = make.season(make.program("Other", slug="other"), 2028, Phase.APPLICATIONS)
    return {**running, "next_year": next_year, "other": other}


def test_with_two_live_seasons_a_student_sees_which_one_and_switches_for_every_page(app, overlap, client, login):
    login(overlap["student"])
    next_year = overlap["next_year"]

    home = client.get("/student/").get_data(as_text=True)

    assert "Showing <strong>Summer 2027</strong>" in home
    assert f'href="/student/?season={next_year.id}">Summer 2028</a>' in home
    assert "Summer 2026" not in home  # a closed season the student did not take part in
    switched = client.get(f"/student/?season={next_year.id}").get_data(as_text=True)
    assert "Showing <strong>Summer 2028</strong>" in switched
    positions = client.get("/student/positions").get_data(as_text=True)
    assert "Automation intern 2028" in positions and "Cell culture intern" not in positions
    assert "Showing <strong>Summer 2028</strong>" in client.get("/student/ranks").get_data(as_text=True)
    back = client.get(f"/student/positions?season={overlap['season'].id}").get_data(as_text=True)
    assert "Cell culture intern" in back and "Automation intern 2028" not in back


@pytest.mark.parametrize("target", ["draft", "other program"])
def test_a_season_outside_the_persons_own_is_never_shown_by_asking_for_it(app, overlap, client, login, make, target):
    season = make.season(overlap["program"], 2029, Phase.DRAFT) if target == "draft" else overlap["other"]
    login(overlap["student"])

    page = client.get(f"/student/positions?season={season.id}").get_data(as_text=True)

    assert "Showing <strong>Summer 2027</strong>" in page and "Cell culture intern" in page
    assert "Showing <strong>Summer 2027</strong>" in client.get("/student/").get_data(as_text=True)


def test_a_host_sees_its_season_and_can_switch_to_the_new_one(app, overlap, client, login):
    login(overlap["member"])

    home = client.get("/company/").get_data(as_text=True)
    edit = client.get(f"/company/positions/{overlap['ids']['position']}/edit").get_data(as_text=True)

    assert "Showing <strong>Summer 2027</strong>" in home and "Cell culture intern" in home
    assert f'href="/company/?season={overlap["next_year"].id}">Summer 2028</a>' in home
    assert "Showing" not in edit  # a page about one position belongs to its own season
    new_season_html = client.get(f"/company/applicants?season={overlap['next_year'].id}").get_data(as_text=True)
    assert "Showing <strong>Summer 2028</strong>" in new_season_html
    assert "Summer 2028" in client.get("/company/").get_data(as_text=True).split("Showing", 1)[1][:60]
