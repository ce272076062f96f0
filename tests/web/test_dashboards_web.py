"""Dashboard pages, charts and exports over the hand-built `dash_world` (see conftest.py)."""

from __future__ import annotations

import csv
import html as html_module
import io
import re
import xml.etree.ElementTree as ET

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    College,
    HostCompany,
    Phase,
    Placement,
    PlacementStatus,
    Position,
    Role,
    Season,
    StudentProfile,
    User,
    utcnow,
)

PAGES = [
    "/dashboards/",
    "/dashboards/colleges",
    "/dashboards/hosts",
    "/dashboards/quality",
    "/dashboards/equity",
    "/dashboards/report",
]
SVG = "{http://www.w3.org/2000/svg}"


def drill_downs(world):
    return [f"/dashboards/colleges/{world.colleges['A']}", f"/dashboards/hosts/{world.hosts['H1'].id}"]


def read_csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def add_applicants(
    app, world, count, year=2025, placed=0, first_choice=0, first_generation=True, race=None, prefix="Extra"
):
    """More submitted applicants in a season of `dash_world` (a new season if need be); the first
    `placed` of them get a live placement, the first `first_choice` of those at their first choice."""
    with app.app_context():
        season = db.session.scalar(db.select(Season).where(Season.program_id == world.program.id, Season.year == year))
        if season is None:
            season = Season(program_id=world.program.id, year=year, name=f"Summer {year}", phase=Phase.CLOSED)
            db.session.add(season)
            db.session.flush()
        template = db.session.get(Position, world.positions["p25b"].id)
        host = HostCompany(program_id=world.program.id, name=f"{prefix} host {year}", approved=True)
        position = Position(
            host=host,
            season_id=season.id,
            title="Extra",
            slots=count,
            hourly_pay=template.hourly_pay,
            hours_per_week=35,
            start_date=template.start_date,
            end_date=template.end_date,
        )
        college = College(name=f"{prefix} college {year}", kind="minority_serving")
        db.session.add_all([host, position, college])
        db.session.flush()
        for n in range(count):
            user = User(
                email=f"{prefix.lower()}{year}-{n}@dash.example.org",
                name=f"{prefix} {n}",
                role=Role.STUDENT,
                program_id=world.program.id,
                password_hash="x",
            )
            user.profile = StudentProfile(
                college_id=college.id, major="History", first_generation=first_generation, race_ethnicity=race
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Application(
                    season_id=season.id,
                    student_id=user.id,
                    status=ApplicationStatus.SUBMITTED,
                    submitted_at=utcnow(),
                    ranks_certified_at=utcnow(),
                )
            )
            if n < placed:
                db.session.add(
                    Placement(
                        season_id=season.id,
                        student_id=user.id,
                        position_id=position.id,
                        round=1,
                        status=PlacementStatus.COMPLETED,
                        student_rank=1 if n < first_choice else 2,
                        position_rank=1,
                    )
                )
        db.session.commit()


@pytest.fixture
def coordinator_in(dash_world, login):
    login(dash_world.coordinator)
    return dash_world


@pytest.mark.parametrize("url", PAGES)
def test_a_coordinator_sees_every_dashboard_page(client, coordinator_in, url):
    response = client.get(url)

    assert response.status_code == 200
    assert "dashboards.css" in response.get_data(as_text=True)


def test_the_overview_shows_the_hand_counted_figures(client, coordinator_in):
    html = client.get("/dashboards/?seasons=2024").get_data(as_text=True)

    assert "Season funnel, 2024" in html
    assert re.search(r"<th scope=\"row\">Later hired or returned</th>\s*<td>1</td>\s*<td>33.3%</td>", html)
    assert "$20.00" in html


def test_drill_downs_open_and_link_from_their_lists(client, coordinator_in):
    colleges = client.get("/dashboards/colleges").get_data(as_text=True)
    hosts = client.get("/dashboards/hosts").get_data(as_text=True)

    for url in drill_downs(coordinator_in):
        assert url in colleges or url in hosts
        assert client.get(url).status_code == 200
    assert client.get("/dashboards/hosts/999999").status_code == 404
    assert client.get(f"/dashboards/hosts/{coordinator_in.hosts['other'].id}").status_code == 404
    assert client.get("/dashboards/colleges/999999").status_code == 404


@pytest.mark.parametrize("query", ["seasons=abc", "seasons=1999", "kind=castle", "host=-4", "major=Astrology"])
def test_filters_that_make_no_sense_get_a_400_with_a_message(client, coordinator_in, query):
    response = client.get(f"/dashboards/colleges?{query}")

    assert response.status_code == 400
    assert "not understood" in response.get_data(as_text=True)
    assert client.get(f"/dashboards/export/colleges/colleges.csv?{query}").status_code == 400


def test_a_coordinator_cannot_see_another_program(client, coordinator_in):
    assert client.get(f"/dashboards/?program={coordinator_in.other.id}").status_code == 403
    assert "Far Away" not in client.get("/dashboards/hosts").get_data(as_text=True)


@pytest.mark.parametrize("role", ["student", "host", "liaison", "anonymous"])
def test_students_hosts_and_liaisons_cannot_reach_the_dashboards(app, client, dash_world, make, login, role):
    if role == "student":
        login(dash_world.students[1])
    elif role == "host":
        login(make.member(dash_world.hosts["H1"]))
    elif role == "liaison":
        login(_liaison(app, make, dash_world, "A"))
    urls = [
        *PAGES,
        *drill_downs(dash_world),
        "/dashboards/export/overview/seasons.csv",
        "/dashboards/chart/overview/seasons.svg",
        f"/dashboards/colleges/{dash_world.colleges['A']}/invite-liaison",
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == (302 if role == "anonymous" else 403), url


def test_every_chart_is_a_valid_svg_with_its_title_and_values(client, coordinator_in):
    urls = set()
    for url in [*PAGES, *drill_downs(coordinator_in)]:
        html = client.get(url).get_data(as_text=True)
        urls |= set(re.findall(r'<img src="([^"]+\.svg[^"]*)" alt="([^"]+)"', html))

    assert len(urls) >= 12
    for src, alt in urls:
        response = client.get(src.replace("&amp;", "&"))
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        root = ET.fromstring(response.get_data(as_text=True))
        title = root.find(f"{SVG}title").text
        assert html_module.unescape(alt).startswith(title), (src, alt)


def test_the_funnel_chart_carries_the_numbers(client, coordinator_in):
    response = client.get("/dashboards/chart/overview/funnel.svg?seasons=2025")

    root = ET.fromstring(response.get_data(as_text=True))
    assert root.find(f"{SVG}title").text == "Season funnel 2025"
    values = [desc.text for desc in root.iter(f"{SVG}desc") if desc.get("class") == "value"]
    assert sorted(values) == sorted(["4", "4", "3", "1", "0", "0"])
    assert client.get("/dashboards/chart/overview/nothing.svg").status_code == 404
    assert client.get("/dashboards/chart/colleges/colleges.svg").status_code == 404  # a table without a chart


def test_tables_export_to_csv_with_the_page_numbers(client, coordinator_in):
    response = client.get("/dashboards/export/overview/seasons.csv")

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:4] == ["Season", "Applied", "Ranked", "Matched"]
    assert rows[1][:4] == ["2024", "3", "3", "2"]
    assert rows[2][-1] == "23.50"


def test_exports_neutralise_spreadsheet_formulas(app, client, coordinator_in):
    with app.app_context():
        db.session.get(User, coordinator_in.students[3].id).name = '=HYPERLINK("http://evil")'
        db.session.commit()

    rows = read_csv(client.get(f"/dashboards/export/college/{coordinator_in.colleges['B']}/students.csv"))

    assert ['\'=HYPERLINK("http://evil")', "2024"] == rows[1][:2] or ['\'=HYPERLINK("http://evil")', "2024"] == rows[2][
        :2
    ]


def test_equity_shows_large_cells_and_hides_small_ones_on_page_chart_and_export(app, client, coordinator_in):
    add_applicants(app, coordinator_in, 8, placed=6, first_choice=5, race=["Black", "Hispanic or Latino"])

    html = client.get("/dashboards/equity").get_data(as_text=True)
    rows = read_csv(client.get("/dashboards/export/equity/first_generation.csv"))
    svg = client.get("/dashboards/chart/equity/first_generation.svg").get_data(as_text=True)

    # First-generation: the 8 added (6 placed, 5 at first choice) and nobody else said yes.
    assert ["Yes", "8", "6", "75.0%", "5", "83.3%"] in rows
    assert ["Not given", "7", "<5", "<5", "<5", "<5"] in rows
    values = [desc.text for desc in ET.fromstring(svg).iter(f"{SVG}desc") if desc.get("class") == "value"]
    assert values == ["75", "83.3"]  # the hidden "Not given" rates are not drawn
    assert "Not given: Placement rate &lt;5" in html
    race = read_csv(client.get("/dashboards/export/equity/race_ethnicity.csv"))
    assert ["Black", "8", "6", "75.0%", "5", "83.3%"] in race and [
        "Hispanic or Latino",
        "8",
        "6",
        "75.0%",
        "5",
        "83.3%",
    ] in race


def test_the_season_report_is_printable_and_suppresses_demographics(client, coordinator_in):
    html = client.get("/dashboards/report?seasons=2025").get_data(as_text=True)

    assert "Season report 2025" in html and "Print this report" in html
    assert "js/print.js" in html and "<5" in html.replace("&lt;", "<")
    assert "First-generation college students" in html


def _count_queries(client, count_queries, urls):
    result = {}
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).status_code == 200, url
        result[url] = len(statements)
    return result


def test_the_number_of_queries_per_page_does_not_grow_with_the_data(app, client, coordinator_in, count_queries):
    urls = [
        *PAGES,
        *drill_downs(coordinator_in),
        "/dashboards/export/colleges/colleges.csv",
        "/dashboards/chart/hosts/seasons.svg",
    ]
    small = _count_queries(client, count_queries, urls)

    for n in range(10):  # ten times the world's 8 applicants, 2 hosts and 3 colleges, in each of two seasons
        add_applicants(app, coordinator_in, 8, year=2025, placed=6, first_choice=2, prefix=f"Extra{n}")
        add_applicants(app, coordinator_in, 8, year=2026, placed=6, first_choice=3, prefix=f"Later{n}")
    large = _count_queries(client, count_queries, urls)

    assert large == small


def _liaison(app, make, world, college_key, program=None):
    user = make.user(Role.STUDENT, program or world.program, email=f"liaison-{college_key.lower()}@dash.example.org")
    with app.app_context():
        row = db.session.get(User, user.id)
        db.session.delete(row.profile)
        row.role, row.college_id = Role.LIAISON, world.colleges[college_key]
        db.session.commit()
    return user


def test_a_liaison_sees_only_their_own_college(app, client, dash_world, make, login):
    login(_liaison(app, make, dash_world, "A"))

    html = client.get("/liaison/").get_data(as_text=True)
    rows = read_csv(client.get("/liaison/export/students.csv"))
    names = {row[0] for row in rows[1:]}

    assert "Alder Community College" in html
    assert names == {"Student1 Dash", "Student2 Dash", "Student5 Dash"}
    assert "Student3 Dash" not in html and "Outsider" not in html and "Cedar" not in html
    assert client.get("/liaison/chart/seasons.svg").mimetype == "image/svg+xml"
    assert client.get("/liaison/export/nothing.csv").status_code == 404
    for url in [
        f"/dashboards/colleges/{dash_world.colleges['B']}",
        f"/dashboards/export/college/{dash_world.colleges['B']}/students.csv",
        f"/liaison/colleges/{dash_world.colleges['B']}",
        f"/liaison/?college={dash_world.colleges['B']}",
        f"/liaison/?program={dash_world.other.id}",
    ]:
        response = client.get(url)
        assert response.status_code in (403, 404) or "Student3 Dash" not in response.get_data(as_text=True), url


def test_a_liaison_compares_their_college_with_the_program(app, client, dash_world, make, login):
    login(_liaison(app, make, dash_world, "B"))

    rows = read_csv(client.get("/liaison/export/seasons.csv?seasons=2024"))

    assert rows[0][:4] == ["Season", "Applicants", "Placed", "Placement rate"]
    assert rows[1][:4] == ["2024", "1", "1", "100.0%"] and rows[1][7] == "66.7%"


def test_home_page_sends_a_liaison_to_their_college(app, client, dash_world, make, login):
    login(_liaison(app, make, dash_world, "C"))

    response = client.get("/")

    assert response.status_code == 302 and response.headers["Location"].endswith("/liaison/")
    assert "My college" in client.get("/liaison/").get_data(as_text=True)


def test_a_coordinator_invites_a_liaison_who_then_sees_their_college(app, client, coordinator_in, outbox):
    college_id = coordinator_in.colleges["C"]

    response = client.post(
        f"/dashboards/colleges/{college_id}/invite-liaison", data={"email": "career@cedar.example.org"}
    )

    assert response.status_code == 302
    assert "the liaison for Cedar College" in outbox[-1].body
    path = re.search(r"http://sprint.test(/invitation/\S+)", outbox[-1].body).group(1)
    client.post("/logout")
    accepted = client.post(
        path, data={"name": "Cedar Careers", "password": "long enough phrase 42", "confirm": "long enough phrase 42"}
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "career@cedar.example.org"))
        assert (user.role, user.college_id, user.program_id) == ("liaison", college_id, coordinator_in.program.id)


def test_a_liaison_invitation_needs_a_valid_email(client, coordinator_in):
    response = client.post(
        f"/dashboards/colleges/{coordinator_in.colleges['C']}/invite-liaison", data={"email": "not an email"}
    )

    assert response.status_code == 400
    assert (
        client.post("/dashboards/colleges/999999/invite-liaison", data={"email": "a@b.example.org"}).status_code == 404
    )


def test_an_admin_picks_the_program_whose_dashboards_they_see(client, dash_world, make, login):
    login(make.user(Role.ADMIN))

    other = client.get(f"/dashboards/hosts?program={dash_world.other.id}").get_data(as_text=True)
    rows = read_csv(client.get(f"/dashboards/export/hosts/hosts.csv?program={dash_world.program.id}"))

    assert "Far Away" in other and "Harbor Labs" not in other
    assert {row[0] for row in rows[1:]} == {"Harbor Labs", "Elm Robotics"}
    assert client.get("/dashboards/?program=999999").status_code == 404
