"""Equity by self-identified group: aggregate only, small cells suppressed."""

from __future__ import annotations

import json
from typing import NamedTuple

from sqlalchemy import Text, cast, func

from ...models import Application, College, CollegeKind, Placement, Program, Season, StudentProfile
from .common import (
    Chart,
    DashboardFilters,
    DashboardPage,
    Percent,
    Table,
    applicants,
    rate,
    results_out,
    rows,
    suppress,
)

NOT_GIVEN = "Not given"
YES_NO = {True: "Yes", False: "No", None: NOT_GIVEN}
COLUMNS = ["Group", "Applicants", "Placed", "Placement rate", "First choice", "First-choice rate"]
DIMENSIONS = [  # (key, title); the order of the columns in the cube query below
    ("first_generation", "First-generation college students"),
    ("pell_eligible", "Pell-eligible students"),
    ("cc_transfer", "Community-college transfer students"),
    ("community", "Students at community colleges"),
    ("gender", "Gender"),
    ("race_ethnicity", "Race and ethnicity (each category a student listed)"),
]
SUPPRESSION_NOTE = "Any count under 5 people, and any rate built on one, is shown as <5."


class GroupRow(NamedTuple):
    """One self-identified group; every count under 5 (and every rate built on one) reads "<5"."""

    group: str
    applicants: int | str
    placed: int | str
    placement_rate: Percent | str | None
    first_choice: int | str
    first_choice_rate: Percent | str | None


def _label(key: str, value: object) -> list[str]:
    """The categories one cube value belongs to (a race/ethnicity list can name several)."""
    if key == "community":
        return [{True: "Community college", False: "Other colleges", None: "No college given"}[value]]
    if key == "gender":
        return [value or NOT_GIVEN]
    if key == "race_ethnicity":
        listed = json.loads(value) if value else None
        return [str(item) for item in listed] if listed else [NOT_GIVEN]
    return [YES_NO[value]]


def group_table(key: str, title: str, totals: dict[str, list[int]]) -> Table:
    """One suppressed table: each category's applicants, placements and first choices, and their rates."""
    table_rows = []
    for label in sorted(totals, key=lambda text: (text in (NOT_GIVEN, "No college given"), text)):
        n, placed, first = totals[label]
        table_rows.append(
            GroupRow(
                label,
                suppress(n),
                suppress(placed),
                rate(placed, n, protect=True),
                suppress(first),
                rate(first, placed, protect=True),
            )
        )
    return Table(
        key,
        title,
        COLUMNS,
        table_rows,
        Chart("bar", [3, 5], f"Placement and first-choice rates: {title}"),
        note=SUPPRESSION_NOTE,
    )


def equity_tables(program: Program, filters: DashboardFilters) -> list[Table]:
    """All group tables from one GROUP BY over the six self-identification dimensions, over the
    seasons whose results are out (an open season's applicants would read as not placed)."""
    community = (College.kind == CollegeKind.COMMUNITY).label("community")
    cube = rows(
        applicants(
            program.id,
            filters,
            StudentProfile.first_generation,
            StudentProfile.pell_eligible,
            StudentProfile.cc_transfer,
            community,
            StudentProfile.gender,
            cast(StudentProfile.race_ethnicity, Text),
            func.count(Application.id),
            func.count(Placement.id),
            func.count(Placement.id).filter(Placement.student_rank == 1),
            college=True,
        )
        .where(Season.year.in_(results_out(program)))
        .group_by(
            StudentProfile.first_generation,
            StudentProfile.pell_eligible,
            StudentProfile.cc_transfer,
            community,
            StudentProfile.gender,
            cast(StudentProfile.race_ethnicity, Text),
        )
    )
    sums: dict[str, dict[str, list[int]]] = {key: {} for key, _ in DIMENSIONS}
    everyone = [0, 0, 0]
    for *values, n, placed, first in cube:
        everyone = [everyone[0] + n, everyone[1] + placed, everyone[2] + first]
        for (key, _), value in zip(DIMENSIONS, values, strict=True):
            for label in _label(key, value):
                cell = sums[key].setdefault(label, [0, 0, 0])
                cell[0], cell[1], cell[2] = cell[0] + n, cell[1] + placed, cell[2] + first
    overall = group_table("all", "All students", {"All students": everyone})
    overall.chart = None
    return [overall, *(group_table(key, title, sums[key]) for key, title in DIMENSIONS)]


def equity(program: Program, filters: DashboardFilters) -> DashboardPage:
    """Placement and first-choice rates by self-identified group, with every small cell suppressed."""
    return DashboardPage(
        "equity",
        "Equity",
        program,
        filters,
        tables=equity_tables(program, filters),
        intro="Seasons whose match results are out. Placement rate: placed students of applicants. "
        "First-choice rate: students placed at their first choice, of those placed. " + SUPPRESSION_NOTE,
    )
