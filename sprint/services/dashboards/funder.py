"""The funder report: one season's participants through each stage of the program (enrolled, placed,
started, completed, hired) and their wages at placement and at hire, for everyone, by college kind and
by each self-identified group, every small cell suppressed.

It reads only recorded data: the placements' statuses (a host's or coordinator's confirmation of the
start and the end of the internship) and the recorded outcomes (StudentOutcome, by form or CSV import).
One GROUP BY query gives every table; the medians come from its (value, count) histograms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sqlalchemy import Text, and_, cast, func

from ...extensions import db
from ...models import Application, College, CollegeKind, Placement, Position, Program, StudentOutcome, StudentProfile
from ...models.enums import ACCEPTED_PLACEMENTS, HIRED_OUTCOMES, PlacementStatus
from .common import (
    HIDDEN,
    Chart,
    DashboardFilters,
    DashboardPage,
    Percent,
    Table,
    applicants,
    current_year,
    median_from_counts,
    placements,
    rate,
    results_out,
    rows,
    suppress,
    too_small,
)
from .equity import DIMENSIONS, SUPPRESSION_NOTE, _label

SAID_YES = ACCEPTED_PLACEMENTS
STARTED = (PlacementStatus.STARTED, PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
NO_COLLEGE = "No college given"

DEFINITIONS = [
    ("Enrolled", "students who submitted an application to the season."),
    ("Placed", "enrolled students who accepted a placement (an offer of any round, or one made by hand)."),
    (
        "Started",
        "placed students whose host (or a coordinator) confirmed the start of the internship; it includes "
        "those who later completed it or ended it early.",
    ),
    ("Completed", "students whose internship was confirmed as completed; an internship ended early does not count."),
    (
        "Hired",
        "enrolled students with a recorded outcome of this season (by form or CSV import) of the kind "
        "“hired by the host” or “hired elsewhere in the sector”. A return offer alone does not count.",
    ),
    ("Completion rate", "completed, of those who started."),
    ("Wage at placement", "the median hourly pay of the positions of the placed students."),
    ("Wage at hire", "the median hourly wage recorded with a hire, over the hires whose wage is known."),
    ("Small cells", SUPPRESSION_NOTE + " A median over fewer than 5 people is not shown either."),
]


class FunderRow(NamedTuple):
    """One group's participants through the stages; small counts (and rates, medians on them) read "<5"."""

    group: str
    enrolled: int | str
    placed: int | str
    started: int | str
    completed: int | str
    hired: int | str
    completion_rate: Percent | str | None
    wage_at_placement: object
    wage_at_hire: object


COLUMNS = [
    "Group",
    "Enrolled",
    "Placed",
    "Started",
    "Completed",
    "Hired",
    "Completion rate",
    "Median wage at placement",
    "Median wage at hire",
]


@dataclass
class Cell:
    """What one group adds up to: counts per stage and the two wage histograms."""

    enrolled: int = 0
    placed: int = 0
    started: int = 0
    completed: int = 0
    hired: int = 0
    pay: Counter = field(default_factory=Counter)  # hourly pay at placement -> students
    hire_wage: Counter = field(default_factory=Counter)  # hourly wage at hire -> students

    def add(self, status: str | None, pay, hired: bool, hire_wage, n: int) -> None:
        self.enrolled += n
        if status in SAID_YES:
            self.placed += n
            if pay is not None:
                self.pay[pay] += n
        if status in STARTED:
            self.started += n
        if status == PlacementStatus.COMPLETED:
            self.completed += n
        if hired:
            self.hired += n
            if hire_wage is not None:
                self.hire_wage[hire_wage] += n

    def row(self, label: str) -> FunderRow:
        return FunderRow(
            label,
            suppress(self.enrolled),
            suppress(self.placed),
            suppress(self.started),
            suppress(self.completed),
            suppress(self.hired),
            rate(self.completed, self.started, protect=True),
            _median(self.pay),
            _median(self.hire_wage),
        )


def _median(histogram: Counter):
    """The median of a wage histogram, or "<5" when fewer than five people's wages make it."""
    known = sum(histogram.values())
    if not known:
        return None
    if too_small(known):
        return HIDDEN
    return median_from_counts(histogram.items())


@dataclass
class FunderFigures:
    """The report's cells: everyone, and each group of each dimension."""

    everyone: Cell = field(default_factory=Cell)
    by: dict[str, dict[str, Cell]] = field(default_factory=dict)

    def cell(self, dimension: str, label: str) -> Cell:
        return self.by.setdefault(dimension, {}).setdefault(label, Cell())


def figures(program: Program, filters: DashboardFilters) -> FunderFigures:
    """Every participant of the filtered season(s), summed by college kind and each self-identified group."""
    hires = (
        db.select(
            StudentOutcome.student_id,
            StudentOutcome.season_id,
            func.max(StudentOutcome.hourly_wage).label("wage"),
        )
        .where(StudentOutcome.kind.in_(HIRED_OUTCOMES))
        .group_by(StudentOutcome.student_id, StudentOutcome.season_id)
        .subquery()
    )
    hired = hires.c.student_id.is_not(None)
    columns = (
        College.kind,
        StudentProfile.first_generation,
        StudentProfile.pell_eligible,
        StudentProfile.cc_transfer,
        StudentProfile.gender,
        cast(StudentProfile.race_ethnicity, Text),
        Placement.status,
        Position.hourly_pay,
        hired,
        hires.c.wage,
    )
    query = (
        applicants(
            program.id,
            filters,
            *columns,
            func.count(Application.id),
            placement_statuses=SAID_YES,
            college=True,
        )
        .outerjoin(Position, Position.id == Placement.position_id)
        .outerjoin(
            hires, and_(hires.c.student_id == Application.student_id, hires.c.season_id == Application.season_id)
        )
        .group_by(*columns)
    )
    result = FunderFigures()
    for kind, first_generation, pell, transfer, gender, race, status, pay, is_hired, wage, n in rows(query):
        facts = (status, pay, bool(is_hired), wage, n)
        result.everyone.add(*facts)
        result.cell("kind", CollegeKind(kind).label if kind else NO_COLLEGE).add(*facts)
        values = {
            "first_generation": first_generation,
            "pell_eligible": pell,
            "cc_transfer": transfer,
            "community": None if kind is None else kind == CollegeKind.COMMUNITY,
            "gender": gender,
            "race_ethnicity": race,
        }
        for key, _ in DIMENSIONS:
            for label in _label(key, values[key]):
                result.cell(key, label).add(*facts)
    return result


def _ordered(cells: dict[str, Cell]) -> list[tuple[str, Cell]]:
    last = ("Not given", NO_COLLEGE)
    return sorted(cells.items(), key=lambda item: (item[0] in last, item[0]))


def tables(result: FunderFigures) -> list[Table]:
    """The stages table, then the by-group tables: college kind first, then each self-identified group."""
    everyone = result.everyone
    stage_rows = [
        ("Enrolled", suppress(everyone.enrolled), rate(everyone.enrolled, everyone.enrolled, protect=True)),
        ("Placed", suppress(everyone.placed), rate(everyone.placed, everyone.enrolled, protect=True)),
        ("Started", suppress(everyone.started), rate(everyone.started, everyone.enrolled, protect=True)),
        ("Completed", suppress(everyone.completed), rate(everyone.completed, everyone.enrolled, protect=True)),
        ("Hired", suppress(everyone.hired), rate(everyone.hired, everyone.enrolled, protect=True)),
    ]
    stages = Table(
        "funder-stages",
        "Participants by stage",
        ["Stage", "Students", "Of enrolled"],
        stage_rows,
        Chart("bar", [1], "Participants by stage"),
        note=SUPPRESSION_NOTE,
    )
    wages = Table(
        "funder-wages",
        "Wages",
        ["Wage", "Median hourly wage", "Students it is known for"],
        [
            ("At placement", _median(everyone.pay), suppress(sum(everyone.pay.values()))),
            ("At hire", _median(everyone.hire_wage), suppress(sum(everyone.hire_wage.values()))),
        ],
        note="The wage at hire is known only where it was recorded with the outcome.",
    )
    groups = [("kind", "By college kind"), *((key, f"By group: {title}") for key, title in DIMENSIONS)]
    by_group = [
        Table(
            f"funder-{key}",
            title,
            COLUMNS,
            [cell.row(label) for label, cell in _ordered(result.by.get(key, {}))],
            note=SUPPRESSION_NOTE,
        )
        for key, title in groups
    ]
    return [stages, wages, *by_group]


def season_report(program: Program, filters: DashboardFilters) -> DashboardPage:
    """The printable report for the grant: one season (the latest selected, else the latest whose results
    are out), its headline figures, participants by stage and group, wages, and the pay and hours offered."""
    from .hosts import hosts

    year = (
        current_year(program, filters)
        if filters.years
        else (max(results_out(program), default=None) or current_year(program, filters))
    )
    one = replace(filters, years=(year,) if year else ())
    result = figures(program, one)
    by_host = hosts(program, one)
    report = DashboardPage("report", f"Season report {year or ''}".strip(), program, one)
    report.definitions = DEFINITIONS
    everyone = result.everyone
    n_colleges, n_hosts = _reach(program, one)
    report.figures = [
        ("participants enrolled", suppress(everyone.enrolled), f"from {n_colleges} colleges"),
        ("placed", suppress(everyone.placed), _of(rate(everyone.placed, everyone.enrolled, protect=True), "enrolled")),
        ("started", suppress(everyone.started), _of(rate(everyone.started, everyone.placed, protect=True), "placed")),
        (
            "completed",
            suppress(everyone.completed),
            _of(rate(everyone.completed, everyone.started, protect=True), "started"),
        ),
        ("hired", suppress(everyone.hired), _of(rate(everyone.hired, everyone.enrolled, protect=True), "enrolled")),
        ("median wage at placement", _median(everyone.pay), "per hour"),
        ("median wage at hire", _median(everyone.hire_wage), "per hour, where recorded"),
        ("host companies", n_hosts, "with a placed intern"),
    ]
    report.tables = [*tables(result), by_host.table("pay"), by_host.table("hours")]
    return report


def _of(share, what: str) -> str:
    return f"{share} of {what}" if share is not None else ""


def _reach(program: Program, filters: DashboardFilters) -> tuple[int, int]:
    """Colleges of the enrolled students, and host companies with a placed intern."""
    colleges = rows(applicants(program.id, filters, func.count(func.distinct(StudentProfile.college_id)), profile=True))
    hosts = rows(placements(program.id, filters, func.count(func.distinct(Position.host_id)), statuses=SAID_YES))
    return colleges[0][0], hosts[0][0]
