"""Dashboard pages about colleges: all colleges, one college (also a liaison's view)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sqlalchemy import func

from ...extensions import db
from ...models import (
    Application,
    College,
    CollegeKind,
    HostCompany,
    Placement,
    PlacementStatus,
    Position,
    Program,
    Season,
    StudentProfile,
    User,
)
from .common import (
    HIRED_OR_RETURNED,
    Chart,
    DashboardFilters,
    DashboardPage,
    Percent,
    Table,
    applicants,
    group_medians,
    outcome_named,
    placements,
    rate,
    results_out,
    rows,
)

KIND_LABELS = {kind.value: kind.label for kind in CollegeKind}
NOT_GIVEN = "Not given"


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind, NOT_GIVEN) if kind else NOT_GIVEN


class CollegeRow(NamedTuple):
    college: str
    kind: str
    applicants: int
    placed: int
    placement_rate: Percent | None  # over the seasons whose results are out
    median_rank: object  # the median of the students' own rank of the position they got


class KindRow(NamedTuple):
    kind: str
    colleges: int
    applicants: int
    placed: int
    placement_rate: Percent | None


class CollegeSeasonRow(NamedTuple):
    season: int
    colleges: int
    new_colleges: int
    applicants: int
    placed: int
    placement_rate: Percent | None
    median_rank: object


class AgainstProgramRow(NamedTuple):
    season: int
    applicants: int
    placed: int
    placement_rate: Percent | None
    median_rank: object
    completed: int
    hired_or_returned: int
    program_rate: Percent | None
    program_median_rank: object


class HostPlacedRow(NamedTuple):
    host: str
    students: int


class MajorRow(NamedTuple):
    major: str
    applicants: int
    placed: int


class StudentRow(NamedTuple):
    student: str
    season: int
    major: str
    ranked: str  # "yes" when the student certified their ranks
    host: str
    position: str
    placement: str
    outcome: str


@dataclass
class _Tally:
    """Applicants and placements summed over one college, season or kind."""

    kind: str | None
    n: int = 0
    placed: int = 0
    n_out: int = 0  # over the seasons whose results are out, for rates
    placed_out: int = 0
    colleges: set = field(default_factory=set)

    def add(self, n: int, placed: int, results_are_out: bool, college_id: int | None) -> None:
        self.n, self.placed = self.n + n, self.placed + placed
        if results_are_out:
            self.n_out, self.placed_out = self.n_out + n, self.placed_out + placed
        if college_id is not None:
            self.colleges.add(college_id)

    @property
    def rate(self) -> Percent | None:
        return rate(self.placed_out, self.n_out)


@dataclass
class _Cube:
    """The chosen seasons' applicants summed by college, by season, by kind and by (season, kind)."""

    per_college: dict = field(default_factory=dict)
    per_year: dict = field(default_factory=dict)
    per_kind: dict = field(default_factory=dict)
    kind_year: dict = field(default_factory=dict)


# --- all colleges ---------------------------------------------------------------------------


def colleges(program: Program, filters: DashboardFilters) -> DashboardPage:
    """Each college's applicants, placements, rate and median rank; kinds; new colleges by season.

    One GROUP BY over the chosen seasons' applicants (season, college) and one over the placements
    (season, college, rank obtained) feed every table. A college's first season must be looked for
    in all seasons: with no season chosen the first GROUP BY has them all; with some chosen, a third,
    lighter one (college, first season) does.
    """
    found = rows(
        applicants(
            program.id,
            filters,
            Season.year,
            College.id,
            College.kind,
            func.count(Application.id),
            func.count(Placement.id),
            college=True,
        ).group_by(Season.year, College.id, College.kind)
    )
    college_medians, year_medians = _rank_medians(program.id, filters)
    first_year = _first_years(program.id, filters, found)
    cube = _tally(found, results_out(program))
    years = sorted(cube.per_year)
    page_ = DashboardPage("colleges", "Colleges", program, filters)
    page_.figures = [
        ("colleges represented", len([cid for cid in cube.per_college if cid is not None]), ""),
        ("community colleges", len(getattr(cube.per_kind.get(CollegeKind.COMMUNITY.value), "colleges", ())), ""),
        (
            "new colleges",
            sum(1 for cid in cube.per_college if first_year.get(cid) in cube.per_year),
            "first applicants",
        ),
    ]
    page_.tables = [
        _colleges_table(cube.per_college, college_medians),
        _kinds_table(cube.per_kind),
        _college_seasons_table(cube.per_year, years, first_year, year_medians),
        _kind_seasons_table(cube.kind_year, years),
    ]
    return page_


def _rank_medians(pid: int, filters: DashboardFilters) -> tuple[dict, dict]:
    """The median rank obtained by college and by season, from one GROUP BY season, college, rank."""
    ranks = rows(
        placements(
            pid,
            filters,
            Season.year,
            StudentProfile.college_id,
            Placement.student_rank,
            func.count(Placement.id),
            profile=True,
        ).group_by(Season.year, StudentProfile.college_id, Placement.student_rank)
    )
    return (
        group_medians((cid, rank, n) for _, cid, rank, n in ranks),
        group_medians((year, rank, n) for year, _, rank, n in ranks),
    )


def _first_years(pid: int, filters: DashboardFilters, found: list) -> dict[int, int]:
    """Each college's first season with applicants, over every season (not only the chosen ones)."""
    if filters.years:
        return dict(
            rows(
                applicants(
                    pid, replace(filters, years=()), StudentProfile.college_id, func.min(Season.year), profile=True
                )
                .where(StudentProfile.college_id.is_not(None))
                .group_by(StudentProfile.college_id)
            )
        )
    first_year: dict[int, int] = {}
    for year, college_id, *_ in found:
        if college_id is not None:
            first_year[college_id] = min(year, first_year.get(college_id, year))
    return first_year


def _tally(found: list, out: set[int]) -> _Cube:
    cube = _Cube()
    for year, college_id, kind, n, placed in found:
        for key, bucket in ((college_id, cube.per_college), (year, cube.per_year), (kind, cube.per_kind)):
            bucket.setdefault(key, _Tally(kind)).add(n, placed, year in out, college_id)
        cube.kind_year[(year, kind)] = cube.kind_year.get((year, kind), 0) + placed
    return cube


def _colleges_table(per_college: dict, medians: dict) -> Table:
    names = (
        dict(
            rows(
                db.select(College.id, College.name).where(
                    College.id.in_([cid for cid in per_college if cid is not None])
                )
            )
        )
        if per_college
        else {}
    )
    order = sorted(per_college, key=lambda cid: (-per_college[cid].placed, names.get(cid, "~")))
    table_rows = [
        CollegeRow(
            names.get(cid, NOT_GIVEN),
            kind_label(per_college[cid].kind),
            per_college[cid].n,
            per_college[cid].placed,
            per_college[cid].rate,
            medians.get(cid),
        )
        for cid in order
    ]
    return Table(
        "colleges",
        "Colleges",
        ["College", "Kind", "Applicants", "Placed", "Placement rate", "Median rank obtained"],
        table_rows,
        drills_to="college",
        ids=order,
        note="Median rank obtained: the median of the students' own rank of the position they got.",
    )


def _kinds_table(per_kind: dict) -> Table:
    table_rows = [
        KindRow(kind_label(kind), len(entry.colleges), entry.n, entry.placed, entry.rate)
        for kind, entry in sorted(per_kind.items(), key=lambda item: kind_label(item[0]))
    ]
    return Table(
        "kinds",
        "Colleges by kind",
        ["Kind", "Colleges", "Applicants", "Placed", "Placement rate"],
        table_rows,
        Chart("bar", [2, 3], "Applicants and placed students by college kind"),
    )


def _college_seasons_table(per_year: dict, years: list[int], first_year: dict, medians: dict) -> Table:
    table_rows = [
        CollegeSeasonRow(
            year,
            len(per_year[year].colleges),
            sum(1 for first in first_year.values() if first == year),
            per_year[year].n,
            per_year[year].placed,
            per_year[year].rate,
            medians.get(year),
        )
        for year in years
    ]
    return Table(
        "seasons",
        "Colleges by season",
        [
            "Season",
            "Colleges represented",
            "New colleges",
            "Applicants",
            "Placed",
            "Placement rate",
            "Median rank obtained",
        ],
        table_rows,
        Chart("bar", [1, 2], "Colleges represented and new colleges by season"),
        note="A new college is one whose students applied for the first time that season.",
    )


def _kind_seasons_table(kind_year: dict, years: list[int]) -> Table:
    """Placed students by season, one column per college kind (a plain tuple: as wide as the kinds)."""
    kinds = [kind.value for kind in CollegeKind]
    return Table(
        "kind_seasons",
        "Placed students by college kind and season",
        ["Season", *(KIND_LABELS[kind] for kind in kinds)],
        [(year, *(kind_year.get((year, kind), 0) for kind in kinds)) for year in years],
        Chart("stacked", list(range(1, len(kinds) + 1)), "Placed students by college kind"),
    )


# --- one college ----------------------------------------------------------------------------


def college_page(program: Program, filters: DashboardFilters, college_id: int) -> DashboardPage:
    """One college's students against the program's: figures by season, hosts, majors and the students."""
    college = db.session.get(College, college_id)
    if college is None:
        raise LookupError("college")
    pid = program.id
    mine, everyone = _season_figures(pid, filters, college_id), _season_figures(pid, filters, None)
    outcomes = _outcomes_by_year(pid, filters, college_id)
    hosts = _hosts_table(pid, filters, college_id)
    majors, students = _majors_table(pid, filters, college_id), _students_table(pid, filters, college_id)
    out = results_out(program)
    page_ = DashboardPage(
        "college",
        college.name,
        program,
        filters,
        subject=college_id,
        intro=f"{college.kind_label} · {college.town or ''} {college.state}".strip(),
    )
    page_.figures = _college_figures(mine["rows"], everyone["rows"], out, len(hosts.rows))
    page_.tables = [_against_program_table(mine, everyone, outcomes, out), hosts, majors, students]
    return page_


def _college_figures(mine: list, everyone: list, out: set[int], n_hosts: int) -> list:
    total = [sum(row[i] for row in mine) for i in (1, 2)]
    matched = [sum(row[i] for row in mine if row[0] in out) for i in (1, 2)]  # rates: seasons with results
    program_matched = [sum(row[i] for row in everyone if row[0] in out) for i in (1, 2)]
    return [
        ("applicants", total[0], "selected seasons"),
        ("placed", total[1], ""),
        (
            "placement rate",
            rate(matched[1], matched[0]) or "–",
            f"program: {rate(program_matched[1], program_matched[0]) or '–'}",
        ),
        ("hosts", n_hosts, "where students were placed"),
    ]


def _outcomes_by_year(pid: int, filters: DashboardFilters, college_id: int) -> dict[int, tuple]:
    """(season, completed, hired or returned) of the college's placements, by season."""
    return {
        row[0]: row
        for row in rows(
            placements(
                pid,
                filters,
                Season.year,
                func.count(Placement.id).filter(Placement.status == PlacementStatus.COMPLETED),
                func.count(Placement.id).filter(HIRED_OR_RETURNED),
                college_id=college_id,
            ).group_by(Season.year)
        )
    }


def _against_program_table(mine: dict, everyone: dict, outcomes: dict, out: set[int]) -> Table:
    season_rows = []
    for year, n, placed in mine["rows"]:
        program_row = everyone["by_year"].get(year, (year, 0, 0))
        done = outcomes.get(year, (year, 0, 0))
        known = year in out
        season_rows.append(
            AgainstProgramRow(
                year,
                n,
                placed,
                rate(placed, n) if known else None,
                mine["medians"].get(year),
                done[1],
                done[2],
                rate(program_row[2], program_row[1]) if known else None,
                everyone["medians"].get(year),
            )
        )
    return Table(
        "seasons",
        "By season, against the program",
        [
            "Season",
            "Applicants",
            "Placed",
            "Placement rate",
            "Median rank obtained",
            "Completed",
            "Hired or returned",
            "Program placement rate",
            "Program median rank",
        ],
        season_rows,
        Chart("line", [3, 7], "Placement rate: this college and the program"),
    )


def _hosts_table(pid: int, filters: DashboardFilters, college_id: int) -> Table:
    found = rows(
        placements(pid, filters, HostCompany.id, HostCompany.name, func.count(Placement.id), college_id=college_id)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .group_by(HostCompany.id, HostCompany.name)
        .order_by(func.count(Placement.id).desc(), HostCompany.name)
    )
    return Table(
        "hosts",
        "Where students were placed",
        ["Host", "Students placed"],
        [HostPlacedRow(name, n) for _, name, n in found],
        drills_to="host",
        ids=[row[0] for row in found],
    )


def _majors_table(pid: int, filters: DashboardFilters, college_id: int) -> Table:
    found = rows(
        applicants(
            pid,
            filters,
            StudentProfile.major,
            func.count(Application.id),
            func.count(Placement.id),
            college_id=college_id,
            profile=True,
        )
        .group_by(StudentProfile.major)
        .order_by(func.count(Application.id).desc())
    )
    return Table(
        "majors",
        "Majors",
        ["Major", "Applicants", "Placed"],
        [MajorRow(major or NOT_GIVEN, n, placed) for major, n, placed in found],
    )


def _students_table(pid: int, filters: DashboardFilters, college_id: int) -> Table:
    found = rows(
        applicants(
            pid,
            filters,
            User.name,
            Season.year,
            StudentProfile.major,
            Application.ranks_certified_at,
            HostCompany.name,
            Position.title,
            Placement.status,
            outcome_named(),
            college_id=college_id,
            placement_statuses=tuple(PlacementStatus),
            profile=True,
        )
        .join(User, User.id == Application.student_id)
        .outerjoin(Position, Position.id == Placement.position_id)
        .outerjoin(HostCompany, HostCompany.id == Position.host_id)
        .order_by(Season.year.desc(), User.name)
    )
    return Table(
        "students",
        "Students",
        ["Student", "Season", "Major", "Ranked", "Host", "Position", "Placement", "Outcome"],
        [
            StudentRow(
                name,
                year,
                major or "",
                "yes" if certified else "no",
                host or "",
                title or "",
                status or "not placed",
                (outcome or "").replace("_", " ") if status else "",
            )
            for name, year, major, certified, host, title, status, outcome in found
        ],
    )


def _season_figures(pid: int, filters: DashboardFilters, college_id: int | None) -> dict:
    """Applicants, placed and median rank obtained by season, from one GROUP BY season, rank."""
    found = rows(
        applicants(
            pid,
            filters,
            Season.year,
            Placement.student_rank,
            func.count(Application.id),
            func.count(Placement.id),
            college_id=college_id,
        ).group_by(Season.year, Placement.student_rank)
    )
    by_year: dict[int, list[int]] = {}
    for year, _, n, placed in found:
        totals = by_year.setdefault(year, [0, 0])
        totals[0], totals[1] = totals[0] + n, totals[1] + placed
    ordered = [(year, *by_year[year]) for year in sorted(by_year)]
    return {
        "rows": ordered,
        "by_year": {row[0]: row for row in ordered},
        "medians": group_medians((year, rank, placed) for year, rank, _, placed in found),
    }


def liaison_page(liaison: User, filters: DashboardFilters) -> DashboardPage:
    """A college liaison's view: their own college's students in their program, and nothing else."""
    from ...models import Role
    from ..errors import NotAllowed

    if liaison.role != Role.LIAISON or liaison.college_id is None or liaison.program is None:
        raise NotAllowed("This page is for college liaisons.")
    narrowed = DashboardFilters(years=filters.years, major=filters.major)
    page_ = college_page(liaison.program, narrowed, liaison.college_id)
    page_.key = "liaison"
    for table in page_.tables:  # a liaison has no other college's or host's page to open
        table.drills_to, table.ids = "", []
    return page_
