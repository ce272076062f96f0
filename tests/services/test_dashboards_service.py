"""Dashboard figures against the hand-built `dash_world` (see its docstring in conftest.py).

Every expected number below was counted by hand from that picture, not taken from the code.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sprint.extensions import db
from sprint.models import Phase, Program, Role, Season, User
from sprint.services.dashboards import common, pages
from sprint.services.dashboards.common import DashboardFilters, median_from_counts, rate, suppress
from sprint.services.dashboards.equity import GroupRow
from sprint.services.dashboards.hosts import HostSeasonRow
from sprint.services.dashboards.program import QualityRow, TrendRow
from sprint.services.errors import NotAllowed


def page(world, name, filters=None, subject=None):
    program = db.session.get(Program, world.program.id)
    return pages.build(program, name, filters or DashboardFilters(), subject)


def column(table, name):
    index = table.columns.index(name)
    return {row[0]: row[index] for row in table.rows}


def test_median_of_a_histogram_handles_odd_even_and_empty_lists():
    assert median_from_counts([(3, 1), (1, 1), (2, 1)]) == 2
    assert median_from_counts([(1, 1), (2, 1)]) == 1.5
    assert median_from_counts([(Decimal(20), 2), (Decimal(22), 1), (Decimal(25), 1)]) == Decimal(21)
    assert median_from_counts([(7, 0), (None, 3)]) is None


def test_small_cells_and_rates_built_on_them_are_hidden():
    assert [suppress(n) for n in (0, 4, 5, None)] == ["<5", "<5", 5, None]
    assert rate(4, 10, protect=True) == "<5"
    assert rate(6, 4, protect=True) == "<5"
    assert str(rate(5, 8, protect=True)) == "62.5%"
    assert rate(0, 0) is None


def test_overview_headlines_funnel_and_trend(appctx, dash_world):
    overview = page(dash_world, "overview")

    figures = {label: value for label, value, _ in overview.figures}
    assert figures["students placed"] == 4  # s1, s3, s5, s7 (s6 declined)
    assert figures["colleges represented"] == 3
    assert figures["host companies"] == 2
    assert figures["seats filled"] == 4
    assert figures["median hourly pay"] == Decimal(21)  # 20, 20, 22, 25
    assert figures["median pay 2025"] == Decimal("23.5")
    seasons = overview.table("seasons")
    assert seasons.rows == [
        TrendRow(
            2024,
            applied=3,
            ranked=3,
            matched=2,
            accepted=2,
            completed=2,
            later=1,
            colleges=2,
            hosts=1,
            slots=2,
            filled=2,
            median_pay=Decimal(20),
        ),
        TrendRow(
            2025,
            applied=4,
            ranked=4,
            matched=3,
            accepted=1,
            completed=0,
            later=0,
            colleges=3,
            hosts=2,
            slots=3,
            filled=2,
            median_pay=Decimal("23.5"),
        ),
    ]
    assert column(overview.table("funnel"), "Students") == {
        "Applied": 4,
        "Ranked (certified)": 4,
        "Matched": 3,
        "Accepted": 1,
        "Completed": 0,
        "Later hired or returned": 0,
    }


def test_overview_season_filter_and_other_programs_stay_out(appctx, dash_world):
    overview = page(dash_world, "overview", DashboardFilters(years=(2024,)))

    figures = {label: value for label, value, _ in overview.figures}
    assert figures["students placed"] == 2
    assert column(overview.table("funnel"), "Students")["Later hired or returned"] == 1
    assert [row.season for row in overview.table("seasons").rows] == [2024]


def test_colleges_rates_medians_kinds_and_new_colleges(appctx, dash_world):
    colleges = page(dash_world, "colleges").table("colleges")
    by_name = {row.college: row for row in colleges.rows}

    alder, birch = by_name["Alder Community College"], by_name["Birch State University"]
    cedar = by_name["Cedar College"]
    assert (alder.applicants, alder.placed, str(alder.placement_rate), alder.median_rank) == (3, 2, "66.7%", 1)
    assert (birch.applicants, birch.placed, birch.placement_rate, birch.median_rank) == (2, 1, 0.5, 2)
    assert (cedar.applicants, cedar.placed, cedar.median_rank) == (2, 1, 2)
    seasons = page(dash_world, "colleges").table("seasons")
    assert column(seasons, "New colleges") == {2024: 2, 2025: 1}
    assert column(seasons, "Median rank obtained") == {2024: 1.5, 2025: 1.5}
    kinds = page(dash_world, "colleges").table("kinds")
    assert column(kinds, "Applicants") == {"Community college": 3, "Public four-year": 2, "Private nonprofit": 2}


def test_new_colleges_of_one_season_count_earlier_seasons_too(appctx, dash_world):
    later = page(dash_world, "colleges", DashboardFilters(years=(2025,)))

    assert column(later.table("seasons"), "New colleges") == {2025: 1}  # A and B sent students in 2024
    assert {label: value for label, value, _ in later.figures}["new colleges"] == 1
    earlier = page(dash_world, "colleges", DashboardFilters(years=(2024,)))
    assert column(earlier.table("seasons"), "New colleges") == {2024: 2}


def test_a_season_not_yet_matched_has_no_rates_rather_than_zero(appctx, dash_world):
    db.session.get(Season, dash_world.seasons[2025].id).phase = Phase.RANKING  # as if 2025 were the open season
    db.session.commit()

    by_season = column(page(dash_world, "colleges").table("seasons"), "Placement rate")
    college = page(dash_world, "college", subject=dash_world.colleges["A"]).table("seasons")
    host = page(dash_world, "host", subject=dash_world.hosts["H1"].id).table("seasons")

    assert str(by_season[2024]) == "66.7%" and by_season[2025] is None  # s1, s3 of s1-s3 placed in 2024
    assert column(college, "Placement rate")[2025] is None and column(college, "Program placement rate")[2025] is None
    assert str(column(college, "Placement rate")[2024]) == "50.0%"  # s1 of s1, s2
    assert column(host, "Fill rate")[2025] is None and str(column(host, "Fill rate")[2024]) == "100.0%"
    colleges = {row.college: row for row in page(dash_world, "colleges").table("colleges").rows}
    alder = colleges["Alder Community College"]
    assert (alder.applicants, alder.placed, alder.placement_rate) == (3, 2, 0.5)  # s1 of s1, s2; s5's 2025 not yet
    assert colleges["Cedar College"].placement_rate is None  # only 2025 applicants: no rate yet
    everyone = page(dash_world, "equity").table("all").rows[0]
    assert (everyone.applicants, everyone.placed) == ("<5", "<5")  # 2024 only: s1-s3, 2 placed
    hosts = page(dash_world, "hosts")
    assert column(hosts.table("seasons"), "Fill rate")[2025] is None
    assert str(column(hosts.table("hosts"), "Fill rate")["Harbor Labs"]) == "100.0%"  # p24's 2 seats, 2024 only
    figures = {
        label: (value, hint)
        for label, value, hint in page(dash_world, "college", subject=dash_world.colleges["A"]).figures
    }
    assert str(figures["placement rate"][0]) == "50.0%"  # 2024 only: s5's 2025 is not counted yet
    assert figures["placement rate"][1] == "program: 66.7%"


def test_college_kind_and_major_filters_narrow_the_students(appctx, dash_world):
    community = page(dash_world, "colleges", DashboardFilters(kind="community")).table("colleges")
    biology = page(dash_world, "overview", DashboardFilters(major="Biology")).table("seasons")

    assert [row.college for row in community.rows] == ["Alder Community College"]
    assert [row.applied for row in biology.rows] == [2, 2]  # s1, s3 in 2024; s5, s7 in 2025


def test_one_college_against_the_program(appctx, dash_world):
    college = page(dash_world, "college", subject=dash_world.colleges["B"])

    seasons = college.table("seasons")
    assert [(row.season, row.applicants, row.placed, row.placement_rate) for row in seasons.rows] == [
        (2024, 1, 1, 1.0),
        (2025, 1, 0, 0.0),
    ]
    assert str(column(seasons, "Program placement rate")[2024]) == "66.7%"
    students = {row.student for row in college.table("students").rows}
    assert students == {"Student3 Dash", "Student6 Dash"}  # s4 never submitted
    assert column(college.table("hosts"), "Students placed") == {"Harbor Labs": 1}


def test_hosts_seats_returning_hires_and_pay(appctx, dash_world):
    hosts = page(dash_world, "hosts")

    assert hosts.table("seasons").rows == [
        HostSeasonRow(2024, hosts=1, returning=0, slots=2, filled=2, fill_rate=1.0, hired=1),
        HostSeasonRow(2025, hosts=2, returning=1, slots=3, filled=2, fill_rate=rate(2, 3), hired=0),
    ]
    by_host = {row.host: row for row in hosts.table("hosts").rows}
    harbor, elm = by_host["Harbor Labs"], by_host["Elm Robotics"]
    assert (harbor.seasons, harbor.positions, harbor.slots, harbor.filled, harbor.hired) == (2, 2, 3, 3, 1)
    assert (elm.seasons, elm.positions, elm.slots, elm.filled) == (1, 1, 2, 1)
    assert "Far Away" not in by_host
    assert column(hosts.table("hours"), "Seats") == {30: 2, 40: 3}
    assert column(hosts.table("pay"), "Seats") == {"$20–22": 2, "$22–24": 1, "$24–26": 2}


def test_host_of_another_program_is_not_found(appctx, dash_world):
    with pytest.raises(LookupError):
        page(dash_world, "host", subject=dash_world.hosts["other"].id)

    host = page(dash_world, "host", subject=dash_world.hosts["H1"].id)
    first = host.table("seasons").rows[0]
    assert (first.season, first.positions, first.slots, first.filled) == (2024, 1, 2, 2)


def test_match_quality_shares_unmatched_unfilled_and_round_two(appctx, dash_world):
    quality = page(dash_world, "quality")

    assert quality.table("seasons").rows == [
        QualityRow(
            2024,
            certified=3,
            matched=2,
            unmatched=1,
            first_choice=0.5,
            top_three=1.0,
            slots=2,
            unfilled=0,
            round2=0,
            round2_first=0,
        ),
        QualityRow(
            2025,
            certified=4,
            matched=3,
            unmatched=1,
            first_choice=rate(1, 3),
            top_three=1.0,
            slots=3,
            unfilled=1,
            round2=1,
            round2_first=0,
        ),
    ]
    assert quality.table("student_ranks").rows == [(1, 1, 1), (2, 1, 1), (3, 0, 1)]  # rank, then 2024, 2025
    assert quality.table("host_ranks").rows == [(1, 1, 2), (2, 1, 1)]


def test_equity_suppresses_every_small_cell(appctx, dash_world):
    tables = {table.key: table for table in page(dash_world, "equity").tables}

    assert tables["all"].rows == [
        GroupRow(
            "All students", applicants=7, placed="<5", placement_rate="<5", first_choice="<5", first_choice_rate="<5"
        )
    ]
    assert column(tables["community"], "Applicants") == {"Community college": "<5", "Other colleges": "<5"}


def test_only_coordinators_and_admins_get_a_program(appctx, dash_world):
    student = db.session.get(User, dash_world.students[1].id)
    coordinator = db.session.get(User, dash_world.coordinator.id)

    with pytest.raises(NotAllowed):
        common.program_for(student)
    with pytest.raises(NotAllowed):
        common.program_for(coordinator, dash_world.other.id)
    assert common.program_for(coordinator).id == dash_world.program.id
    assert coordinator.role == Role.COORDINATOR


def test_only_the_programs_coordinators_invite_a_college_liaison(appctx, dash_world, make, outbox):
    from sprint.models import College, Invitation
    from sprint.services.accounts import users
    from sprint.services.errors import ServiceError

    coordinator = db.session.get(User, dash_world.coordinator.id)
    other = db.session.get(User, dash_world.other_coordinator.id)
    owner = db.session.get(User, make.member(dash_world.hosts["H1"]).id)
    college = db.session.get(College, dash_world.colleges["A"])
    program = db.session.get(Program, dash_world.program.id)

    with pytest.raises(ServiceError, match="college"):
        users.invite(coordinator, "careers@alder.example.org", Role.LIAISON)
    with pytest.raises(NotAllowed):
        users.invite(other, "careers@alder.example.org", Role.LIAISON, program=program, college=college)
    with pytest.raises(NotAllowed):
        users.invite(owner, "careers@alder.example.org", Role.LIAISON, college=college)
    invitation = users.invite(coordinator, "careers@alder.example.org", Role.LIAISON, college=college)

    assert (invitation.role, invitation.college_id, invitation.program_id) == ("liaison", college.id, program.id)
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 1
    assert "Alder Community College" in outbox[-1].body
