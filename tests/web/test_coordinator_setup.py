"""The coordinator's season set-up pages through the test client."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape as html_unescape

import pytest

from sprint.extensions import db
from sprint.models import AuditEvent, College, DeadlineExtension, ExtensionKind, HostCompany, Phase, Role, Season, User
from sprint.services.season import deadlines
from sprint.services.support import local_time


@pytest.fixture
def setup(make, login):
    program = make.program()
    coordinator = make.user(Role.COORDINATOR, program)
    season = make.season(program, 2027, Phase.APPLICATIONS)
    login(coordinator)
    return program, coordinator, season


PAGES = [
    "/coordinator/seasons",
    "/coordinator/seasons/new",
    "/coordinator/directory/students",
    "/coordinator/directory/colleges.csv",
    "/coordinator/import",
    "/coordinator/hosts/new",
    "/coordinator/import/template/students.csv",
]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.HOST])
def test_students_and_hosts_are_refused(client, make, login, role):
    program = make.program()
    login(make.user(role, program))

    for page in PAGES:
        assert client.get(page).status_code == 403, page


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/coordinator/seasons").status_code == 302


def test_another_programs_coordinator_cannot_reach_this_programs_season(client, make, setup):
    other_season = make.season(make.program(), 2027)
    other_host = make.host(make.program())

    for page in (
        f"/coordinator/seasons/{other_season.id}",
        f"/coordinator/seasons/{other_season.id}/dates",
        f"/coordinator/seasons/{other_season.id}/extensions",
        f"/coordinator/directory/students?season={other_season.id}",
    ):
        assert client.get(page).status_code == 404, page  # as for a missing id: other programs' ids reveal nothing
    assert client.post(f"/coordinator/hosts/{other_host.id}/approve").status_code == 403
    assert client.post(f"/coordinator/seasons/{other_season.id}/phase", data={"target": "ranking"}).status_code == 404


def test_every_set_up_page_renders_for_the_coordinator(client, setup):
    _program, _coordinator, season = setup
    for page in [
        *PAGES,
        f"/coordinator/seasons/{season.id}",
        f"/coordinator/seasons/{season.id}/dates",
        f"/coordinator/seasons/{season.id}/extensions",
        f"/coordinator/seasons/{season.id}/phase/ranking",
        "/coordinator/directory/hosts?filter=not_ranked&page=x",
        "/coordinator/directory/positions",
        "/coordinator/directory/staff",
    ]:
        assert client.get(page).status_code == 200, page
    assert client.get("/coordinator/directory/nothing").status_code == 404
    assert client.get(f"/coordinator/seasons/{season.id}/phase/closed").status_code == 404


def test_create_a_season_with_bad_dates_shows_the_message_next_to_the_field(app, client, setup):
    response = client.post(
        "/coordinator/seasons/new",
        data={
            "year": "2028",
            "name": "Summer 2028",
            "applications_open_at": "2028-03-01T09:00",
            "applications_close_at": "2028-02-01T09:00",
        },
    )

    assert response.status_code == 400
    assert "Applications close must be after applications open" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Season.id))) == 1


def test_next_seasons_applications_wait_until_the_running_season_has_published(app, client, setup):
    _program, _coordinator, running = setup
    client.post("/coordinator/seasons/new", data={"year": "2028", "name": "Summer 2028"})
    with app.app_context():
        season_id = db.session.scalar(db.select(Season.id).where(Season.year == 2028))

    refused = client.post(
        f"/coordinator/seasons/{season_id}/phase",
        data={"target": "applications", "confirm": "Confirm"},
        follow_redirects=True,
    )

    assert "Summer 2027 is still at the stage \u201cApplications open\u201d" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Season, season_id).phase == Phase.DRAFT
        db.session.get(Season, running.id).phase = Phase.PUBLISHED
        db.session.commit()
    client.post(f"/coordinator/seasons/{season_id}/phase", data={"target": "applications", "confirm": "Confirm"})
    with app.app_context():
        assert db.session.get(Season, season_id).phase == Phase.APPLICATIONS


def test_create_a_season_then_move_it_forward_after_the_confirmation(app, client, setup):
    with app.app_context():  # last year's offers are out: next year's applications may open
        db.session.get(Season, setup[2].id).phase = Phase.PUBLISHED
        db.session.commit()
    response = client.post(
        "/coordinator/seasons/new",
        data={
            "year": "2028",
            "name": "Summer 2028",
            "applications_open_at": "2028-02-01T09:00",
            "applications_close_at": "2028-03-01T17:00",
            "ranking_close_at": "2028-03-15T17:00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        season_id = db.session.scalar(db.select(Season.id).where(Season.year == 2028))

    confirmation = client.get(f"/coordinator/seasons/{season_id}/phase/applications").get_data(as_text=True)
    moved = client.post(
        f"/coordinator/seasons/{season_id}/phase",
        data={"target": "applications", "confirm": "y"},
        follow_redirects=True,
    )

    assert (
        "Students can see open positions of approved hosts and apply until Mar 1, 2028, 5:00\u202fPM EST"
        in confirmation
    )
    assert "is now in &#34;Applications open&#34;" in moved.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Season, season_id).phase == Phase.APPLICATIONS
    skipped = client.post(
        f"/coordinator/seasons/{season_id}/phase", data={"target": "matching", "confirm": "y"}, follow_redirects=True
    )
    assert "one step at a time" in skipped.get_data(as_text=True)


def test_the_progress_page_links_each_number_to_its_list(client, setup, make):
    program, _coordinator, season = setup
    make.host(program, approved=False)

    html = client.get(f"/coordinator/seasons/{season.id}").get_data(as_text=True)

    assert f"/coordinator/directory/hosts?filter=unapproved&amp;season={season.id}" in html
    assert f"/coordinator/directory/students?filter=short&amp;season={season.id}" in html


def test_each_host_on_the_progress_page_links_to_its_own_positions(client, setup, make):
    program, _coordinator, season = setup
    make.position(make.host(program, name="Gene & Cell Labs"), season, title="Assay intern")
    make.position(make.host(program, name="Other Bio"), season, title="Other intern")

    html = client.get(f"/coordinator/seasons/{season.id}").get_data(as_text=True)
    link = html_unescape(re.search(r'href="([^"]+)">Gene &amp; Cell Labs</a>', html).group(1))
    listed = client.get(link).get_data(as_text=True)

    assert "Assay intern" in listed and "Other intern" not in listed


def test_import_preview_with_a_bad_row_then_a_good_file_confirmed_twice(app, client, setup):
    assert 'enctype="multipart/form-data"' in client.get("/coordinator/import").get_data(as_text=True)
    bad = b"name,state\nGood College,CT\nBad College,Connecticut\n"
    good = b"name,state,kind\nGood College,CT,community\n"

    preview = client.post("/coordinator/import", data={"kind": "colleges", "file": (io.BytesIO(bad), "colleges.csv")})
    assert preview.status_code == 422
    assert "should be a two-letter code" in preview.get_data(as_text=True)
    assert "Import now" not in preview.get_data(as_text=True)

    preview = client.post("/coordinator/import", data={"kind": "colleges", "file": (io.BytesIO(good), "colleges.csv")})
    html = preview.get_data(as_text=True)
    payload = html.split('name="payload" type="hidden" value="')[1].split('"')[0]
    first = client.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)
    second = client.post("/coordinator/import/confirm", data={"payload": payload}, follow_redirects=True)

    assert "1 added" in first.get_data(as_text=True)
    assert "This preview was already imported" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(College.id))) == 1
        assert (
            db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "import.colleges"))
            == 1
        )
    forged = client.post("/coordinator/import/confirm", data={"payload": "forged"}, follow_redirects=True)
    assert "not valid" in forged.get_data(as_text=True)


def test_the_export_neutralises_formulas(app, client, setup, make):
    program, _coordinator, _season = setup
    make.user(Role.STUDENT, program, name='=HYPERLINK("http://evil")')

    response = client.get("/coordinator/directory/students.csv")

    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Name", "Email", "College"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'


def test_an_extension_lets_that_person_rank_after_the_deadline(app, client, setup, make):
    program, _coordinator, season = setup
    ana = make.user(Role.STUDENT, program, email="ana@example.org")
    bo = make.user(Role.STUDENT, program)
    later = (season.ranking_close_at + timedelta(days=3)).replace(second=0, microsecond=0)
    typed = local_time.to_local(later, local_time.zone(None))  # coordinators type Connecticut time

    response = client.post(
        f"/coordinator/seasons/{season.id}/extensions",
        data={
            "email": "ANA@example.org",
            "kind": "ranking",
            "until": typed.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Family emergency",
        },
    )
    client.post(
        f"/coordinator/seasons/{season.id}/extensions",
        data={
            "email": "ana@example.org",
            "kind": "ranking",
            "until": (typed + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Still away",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        world = db.session.get(Season, season.id)
        after = world.ranking_close_at + timedelta(days=2)
        deadlines.check_open(db.session.get(User, ana.id), world, ExtensionKind.RANKING, now=after)
        with pytest.raises(Exception, match="ranking deadline passed"):
            deadlines.check_open(db.session.get(User, bo.id), world, ExtensionKind.RANKING, now=after)
        extension = db.session.scalar(db.select(DeadlineExtension))
        assert extension.reason == "Still away" and extension.until == later + timedelta(days=1)
        assert (
            db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "deadline.extended"))
            == 2
        )


def test_an_extension_for_a_stranger_or_a_past_date_is_refused(client, setup, make):
    program, _coordinator, season = setup
    make.user(Role.STUDENT, make.program(), email="other@example.org")
    make.user(Role.STUDENT, program, email="ana@example.org")

    stranger = client.post(
        f"/coordinator/seasons/{season.id}/extensions",
        data={"email": "other@example.org", "kind": "ranking", "until": "2099-01-01T00:00", "reason": "x"},
    )
    early = client.post(
        f"/coordinator/seasons/{season.id}/extensions",
        data={"email": "ana@example.org", "kind": "ranking", "until": "2001-01-01T00:00", "reason": "x"},
    )

    assert stranger.status_code == 400 and "No student or host member" in stranger.get_data(as_text=True)
    assert early.status_code == 400 and "after the season&#39;s deadline" in early.get_data(as_text=True)


def test_approve_a_host_and_deactivate_a_member_from_the_directory(app, client, setup, make):
    program, coordinator, _season = setup
    host = make.host(program, approved=False)
    member = make.member(host)

    client.post(f"/coordinator/hosts/{host.id}/approve")
    client.post(f"/coordinator/staff/{member.id}/deactivate", data={"confirm": "y"})
    refused = client.post(
        f"/coordinator/staff/{coordinator.id}/deactivate", data={"confirm": "y"}, follow_redirects=True
    )

    assert "cannot deactivate your own account" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(HostCompany, host.id).approved is True
        assert db.session.get(User, member.id).active is False
        assert db.session.get(User, coordinator.id).active is True


def test_add_a_host_and_invite_its_owner_in_one_step(app, client, setup, outbox):
    response = client.post(
        "/coordinator/hosts/new",
        data={
            "name": "Harbor Robotics",
            "sector": "Robotics",
            "site_town": "New Haven",
            "size": "small",
            "owner_email": "owner@harbor.example",
        },
        follow_redirects=True,
    )

    assert "Harbor Robotics added; an invitation went to owner@harbor.example" in response.get_data(as_text=True)
    assert [message.to for message in outbox] == [["owner@harbor.example"]]


def test_importing_positions_needs_a_season_of_the_program(client, setup, make):
    other_season = make.season(make.program(), 2027)
    content = b"host,title,slots,hourly_pay,hours_per_week,start_date,end_date\n"

    missing = client.post("/coordinator/import", data={"kind": "positions", "file": (io.BytesIO(content), "p.csv")})
    foreign = client.post(
        "/coordinator/import",
        data={"kind": "positions", "season": other_season.id, "file": (io.BytesIO(content), "p.csv")},
    )
    garbage = client.post(
        "/coordinator/import", data={"kind": "positions", "season": "x", "file": (io.BytesIO(content), "p.csv")}
    )

    assert missing.status_code == 400 and "Choose the season" in missing.get_data(as_text=True)
    assert foreign.status_code == 404  # another program's season is answered as a missing one
    assert garbage.status_code == 400


def test_a_season_with_its_date_boxes_left_empty_is_created(app, client, setup):
    """A browser sends every date box, empty ones as "": they mean "not set yet", not bad input."""
    empty = {
        field: ""
        for field in (
            "applications_open_at",
            "applications_close_at",
            "ranking_close_at",
            "match_published_at",
            "offer_deadline_at",
        )
    }

    response = client.post(
        "/coordinator/seasons/new",
        data={"year": "2029", "name": "Summer 2029", **empty, "applications_open_at": "2029-01-15T09:00"},
    )

    assert response.status_code == 302
    with app.app_context():
        world = db.session.scalar(db.select(Season).where(Season.year == 2029))
        assert world.applications_close_at is None and world.applications_open_at is not None
