"""The smaller breaks of issue 11, item 6: each one as a user meets it."""

from __future__ import annotations

import io
import re

from season_rounds import publish_round

from sprint.extensions import db
from sprint.models import (
    Application,
    College,
    MatchRun,
    Placement,
    Position,
    PositionInterest,
    Role,
    Season,
    StudentRank,
    User,
)
from sprint.services.dashboards import charts
from sprint.services.matching import match_runs

CONFIRM = {"confirm": "y"}
POSITION_FORM = {
    "title": "Intern",
    "description": "Work.",
    "slots": 1,
    "hourly_pay": "20",
    "hours_per_week": 40,
    "start_date": "2027-06-01",
    "end_date": "2027-08-13",
    "site_town": "New Haven",
    "work_mode": "onsite",
}


def _applications_open(app, one_seat) -> None:
    with app.app_context():
        db.session.get(Season, one_seat.season.id).phase = "applications"
        db.session.commit()


def test_a_position_dated_outside_its_seasons_year_is_refused_with_the_other_errors(app, client, login, one_seat):
    _applications_open(app, one_seat)
    login(one_seat.owner)

    form_page = client.get("/company/positions/new").get_data(as_text=True)
    response = client.post(
        "/company/positions/new",
        data={**POSITION_FORM, "title": "", "hourly_pay": "9.00", "start_date": "2025-06-01", "end_date": "2025-08-01"},
    )

    page = response.get_data(as_text=True)
    assert "At least $16.94 an hour" in form_page  # the pay floor is stated before anyone types
    assert response.status_code == 400
    assert "This field is required" in page and "minimum wage" in page and "Choose a date in 2027" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Position.id))) == 1


def test_a_csv_position_dated_outside_the_seasons_year_is_refused(app, client, login, one_seat):
    login(one_seat.coordinator)
    rows = (
        "host,title,slots,hourly_pay,hours_per_week,start_date,end_date\n"
        "Elm Bio,Old intern,1,20,40,2025-06-01,2025-08-01\n"
    )

    response = client.post(
        "/coordinator/import",
        data={"kind": "positions", "season": one_seat.season.id, "file": (io.BytesIO(rows.encode()), "positions.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422 and "start_date 2025-06-01: Choose a date in 2027" in response.get_data(
        as_text=True
    )


def test_the_students_template_imports_as_it_is_and_the_preview_names_the_college(app, client, login, one_seat):
    with app.app_context():
        db.session.add(College(name="Gateway Community College", town="New Haven", state="CT", kind="community"))
        db.session.commit()
    login(one_seat.coordinator)

    template = client.get("/coordinator/import/template/students.csv").data
    preview = client.post(
        "/coordinator/import",
        data={"kind": "students", "season": one_seat.season.id, "file": (io.BytesIO(template), "students.csv")},
        content_type="multipart/form-data",
    )

    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert "Gateway Community College (CT)" in preview.get_data(as_text=True)


def test_the_positions_template_imports_as_it_is(app, client, login, one_seat):
    login(one_seat.coordinator)

    template = client.get("/coordinator/import/template/positions.csv").data
    preview = client.post(
        "/coordinator/import",
        data={"kind": "positions", "season": one_seat.season.id, "file": (io.BytesIO(template), "positions.csv")},
        content_type="multipart/form-data",
    )

    assert preview.status_code == 200 and "all valid" in preview.get_data(as_text=True)


def _first_choice_on(page: str) -> str:
    return (
        re.search(
            r'(?:display-6|fs-3) fw-semibold">([^<]+)</div>\s*<div class="text-body-secondary">at first choice', page
        )
        .group(1)
        .strip()
    )


def test_the_first_choice_share_is_the_same_on_the_run_page_and_the_dashboard(app, client, login, one_seat):
    publish_round(app, one_seat)  # Ana is placed at her first choice; Ben is not placed
    with app.app_context():
        run_id = db.session.scalar(db.select(MatchRun.id))
    login(one_seat.coordinator)

    run_page = client.get(f"/coordinator/runs/{run_id}").get_data(as_text=True)
    dashboard = client.get("/dashboards/quality").get_data(as_text=True)

    assert _first_choice_on(run_page) == _first_choice_on(dashboard) == "100.0%"
    assert "of the placements the match made" in run_page and "of the placements the match made" in dashboard


def test_a_refused_rank_list_keeps_the_order_the_student_typed(app, client, login, one_seat, make):
    extra = [make.position(one_seat.host, one_seat.season, title=title) for title in ("Data intern", "QC intern")]
    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.student_id == one_seat.ana.id))
        for rank, position in enumerate(extra, 2):
            application.interests.append(PositionInterest(position_id=position.id))
            application.ranks.append(StudentRank(position_id=position.id, rank=rank))
        db.session.commit()
    first, data, qc = one_seat.position.id, extra[0].id, extra[1].id
    login(one_seat.ana)
    version = re.search(
        r'name="version" type="hidden" value="(\d+)"', client.get("/student/ranks").get_data(as_text=True)
    ).group(1)

    response = client.post(
        "/student/ranks",
        data={"version": version, "action": "draft", f"rank_{first}": "3", f"rank_{data}": "1", f"rank_{qc}": "1"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give each position a different rank" in page
    shown = re.findall(r'name="rank_(\d+)" value="(\d*)"', page)
    assert shown == [(str(data), "1"), (str(qc), "1"), (str(first), "3")]
    with app.app_context():  # nothing was saved
        assert [
            line.position_id
            for line in db.session.scalar(db.select(Application).where(Application.student_id == one_seat.ana.id)).ranks
        ] == [first, data, qc]


def test_after_a_second_round_each_reason_is_labelled_with_its_round(app, client, login, one_seat):
    publish_round(app, one_seat)
    publish_round(app, one_seat, round_=2)
    login(one_seat.ben)

    page = client.get("/student/").get_data(as_text=True)

    why = page[page.index("Why this result") :]
    assert why.index("First round") < why.index("Round 2 (the seats left")
    first_lines = re.findall(r"<li>(.*?)</li>", why[why.index("First round") : why.index("Round 2 (the seats left")])
    assert first_lines, "the first round's reasons are listed under it"


def test_publishing_an_unstable_run_states_its_cost_and_needs_publish_anyway(app, client, login, small_season):
    with app.app_context():
        run = match_runs.start_run(
            db.session.get(User, small_season.coordinator.id),
            db.session.get(Season, small_season.season.id),
            match_runs.RunSettings(mode="welfare", seed=1),
        )
        blocking, run_id = len(run.result["blocking_pairs"]), run.id
    assert blocking > 0
    login(small_season.coordinator)

    page = client.get(f"/coordinator/runs/{run_id}/publish").get_data(as_text=True)
    refused = client.post(f"/coordinator/runs/{run_id}/publish", data=CONFIRM)
    with app.app_context():
        after_refusal = db.session.scalar(db.select(db.func.count(Placement.id)))
    published = client.post(f"/coordinator/runs/{run_id}/publish", data={**CONFIRM, "unstable_ok": "y"})

    assert f"{blocking} blocking pair" in page and "unmatched" in page and "unfilled" in page
    assert "This run is not stable" in page and 'name="unstable_ok"' in page and "Publish anyway" in page
    assert refused.status_code == 400 and "publish anyway" in refused.get_data(as_text=True)
    assert after_refusal == 0
    assert published.status_code == 302
    with app.app_context():
        assert db.session.get(MatchRun, run_id).published_at is not None


def test_counts_of_one_read_in_the_singular(app, client, login, make):
    program = make.program()
    make.user(Role.COORDINATOR, program)
    admin = make.user(Role.ADMIN)
    login(admin)

    page = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)

    assert "1 coordinator ·" in page and "1 coordinators" not in page and "0 host members" in page


def test_long_category_names_are_slanted_so_they_do_not_overlap():
    short = ["2024", "2025", "2026"]
    long = [
        "American Indian or Alaska Native",
        "Asian",
        "Black or African American",
        "Hispanic or Latino",
        "Native Hawaiian or Pacific Islander",
        "White",
        "Not given",
    ]

    assert charts._rotation(short) == 0 and charts._rotation(long) > 0
