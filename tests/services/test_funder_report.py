"""The funder report against a hand-built season, small-cell suppression included.

The season (2026, published) has twelve enrolled students:
  community college, first-generation: c1..c6. c1, c2, c3 completed, c4 ended early, c5 started (all at $20);
      c6 declined its offer. c1 hired by the host at $25, c2 hired in the sector at $27, c3 a return offer.
  private college, not first-generation: p1..p6, all at $24. p1..p5 completed and hired by the host at
      $30, $30, $31, $32, $33; p6 accepted and not started.
  One student who never submitted, and another program's completed and hired intern, are not counted.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from sprint.extensions import db
from sprint.models import (
    Application,
    ApplicationStatus,
    College,
    Phase,
    Placement,
    Position,
    Program,
    Role,
    StudentOutcome,
    StudentProfile,
    utcnow,
)
from sprint.models.enums import OutcomeKind
from sprint.services.dashboards import funder
from sprint.services.dashboards.common import DashboardFilters

C_STATUSES = ["completed", "completed", "completed", "ended_early", "started", "declined"]
C_HIRES = [(OutcomeKind.HIRED_BY_HOST, "25"), (OutcomeKind.HIRED_IN_SECTOR, "27"), (OutcomeKind.RETURN_OFFER, "28")]
P_HIRE_WAGES = ["30", "30", "31", "32", "33"]


def _enrol(make, season, position, college_id, first_generation, status, submitted=True):
    student = make.user(Role.STUDENT, Program(id=season.program_id))
    with make.app.app_context():
        profile = db.session.scalar(db.select(StudentProfile).where(StudentProfile.user_id == student.id))
        profile.college_id, profile.first_generation = college_id, first_generation
        db.session.add(
            Application(
                season_id=season.id,
                student_id=student.id,
                status=ApplicationStatus.SUBMITTED if submitted else ApplicationStatus.STARTED,
                submitted_at=utcnow() if submitted else None,
            )
        )
        if status:
            db.session.add(
                Placement(season_id=season.id, student_id=student.id, position_id=position.id, status=status)
            )
        db.session.commit()
    return student


def _outcome(make, program, season, student, kind, wage):
    with make.app.app_context():
        db.session.add(
            StudentOutcome(
                program_id=program.id,
                student_id=student.id,
                season_id=season.id,
                kind=kind,
                hourly_wage=Decimal(wage),
                occurred_on=date(2026, 9, 1),
            )
        )
        db.session.commit()


@pytest.fixture
def funded(app, make):
    program = make.program("Funded")
    season = make.season(program, 2026, Phase.PUBLISHED)
    host = make.host(program)
    low = make.position(host, season, slots=6)  # $20.00 an hour
    high = make.position(host, season, slots=6)
    with app.app_context():
        db.session.get(Position, high.id).hourly_pay = Decimal("24.00")
        community = College(name="Gateway CC (funder test)", kind="community")
        private = College(name="Quinnipiac (funder test)", kind="private")
        db.session.add_all([community, private])
        db.session.commit()
        community_id, private_id = community.id, private.id
    c = [_enrol(make, season, low, community_id, True, status) for status in C_STATUSES]
    p = [_enrol(make, season, high, private_id, False, "completed") for _ in range(5)]
    p.append(_enrol(make, season, high, private_id, False, "accepted"))
    _enrol(make, season, high, private_id, False, None, submitted=False)
    for student, (kind, wage) in zip(c, C_HIRES):
        _outcome(make, program, season, student, kind, wage)
    for student, wage in zip(p, P_HIRE_WAGES):
        _outcome(make, program, season, student, OutcomeKind.HIRED_BY_HOST, wage)
    other = make.program("Elsewhere")
    other_season = make.season(other, 2026, Phase.PUBLISHED)
    other_position = make.position(make.host(other), other_season)
    stranger = _enrol(make, other_season, other_position, private_id, False, "completed")
    _outcome(make, other, other_season, stranger, OutcomeKind.HIRED_BY_HOST, "99")
    return program


def _rows(table):
    return {row[0]: row[1:] for row in table.rows}


def test_stages_and_wages_of_everyone_come_from_the_recorded_data(appctx, funded):
    report = funder.season_report(funded, DashboardFilters(years=(2026,)))

    stages = _rows(report.table("funder-stages"))
    assert {stage: cells[0] for stage, cells in stages.items()} == {
        "Enrolled": 12,
        "Placed": 11,  # the declined offer is not a placement
        "Started": 10,  # ended early counts as started; accepted and not started does not
        "Completed": 8,  # ended early is not completed
        "Hired": 7,  # a return offer alone is not a hire
    }
    wages = _rows(report.table("funder-wages"))
    assert wages["At placement"] == (Decimal("24.00"), 11)  # five at $20, six at $24
    assert wages["At hire"] == (Decimal("30"), 7)  # 25, 27, 30, 30, 31, 32, 33
    figures = {label: value for label, value, _ in report.figures}
    assert figures["participants enrolled"] == 12 and figures["completed"] == 8 and figures["hired"] == 7
    assert figures["host companies"] == 1  # the other program's host is not counted


def test_groups_are_counted_and_small_cells_suppressed(appctx, funded):
    report = funder.season_report(funded, DashboardFilters(years=(2026,)))

    kinds = _rows(report.table("funder-kind"))
    # enrolled, placed, started, completed, hired, completion rate, wage at placement, wage at hire
    assert kinds["Community college"] == (6, 5, 5, "<5", "<5", "<5", Decimal("20.00"), "<5")
    assert kinds["Private nonprofit"][:5] == (6, 6, 5, 5, 5)
    assert str(kinds["Private nonprofit"][5]) == "100.0%"
    assert kinds["Private nonprofit"][6:] == (Decimal("24.00"), Decimal("31"))
    first_generation = _rows(report.table("funder-first_generation"))
    assert first_generation["Yes"] == kinds["Community college"]
    assert first_generation["No"] == kinds["Private nonprofit"]


def test_the_report_without_a_season_of_results_is_empty_not_broken(appctx, make):
    program = make.program("New")
    make.season(program, 2027, Phase.APPLICATIONS)

    report = funder.season_report(program, DashboardFilters())

    assert _rows(report.table("funder-stages"))["Enrolled"] == ("<5", "<5")  # zero is a small cell too
    assert _rows(report.table("funder-wages"))["At hire"] == (None, "<5")


def test_the_page_states_its_definitions_and_exports_every_table(client, make, funded, login):
    coordinator = make.user(Role.COORDINATOR, funded)
    login(coordinator)

    html = client.get("/dashboards/report?seasons=2026").get_data(as_text=True)
    assert "Definitions used in this report" in html
    assert "an internship ended early does not count" in html
    assert "Export the whole report (CSV)" in html

    response = client.get("/dashboards/report.csv?seasons=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    titles = [line[0] for line in lines if len(line) == 1]
    assert titles[:3] == ["Participants by stage", "Wages", "By college kind"]
    assert ["Community college", "6", "5", "5", "<5", "<5", "<5", "20.00", "<5"] in lines
    assert client.get("/dashboards/report.csv?seasons=1800").status_code == 400
