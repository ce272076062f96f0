"""Dashboards: the shared pieces (filters, scope, tables, suppression, base queries) and the page registry.

Every figure comes from an aggregate query (GROUP BY); medians are taken from grouped
(value, count) histograms, so they are exact on SQLite and PostgreSQL alike and the number of
queries a page makes does not grow with the data.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, exists, func

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    College,
    HostCompany,
    Phase,
    Placement,
    Position,
    PositionInterest,
    PositionStatus,
    Program,
    Role,
    Season,
    StudentOutcome,
    StudentProfile,
    User,
)
from ...models.enums import ACCEPTED_PLACEMENTS as ACCEPTED  # noqa: F401 (ACCEPTED re-exported)
from ...models.enums import HIRED_OUTCOMES, OutcomeKind
from ...models.enums import PLACED_PLACEMENTS as LIVE  # an internship ended early was still a placement
from ..errors import NotAllowed
from ..season.queries import staff_season
from ..support.figures import Percent, rate, show  # noqa: F401 (re-exported to the dashboards)
from ..support.privacy import HIDDEN, SMALL_CELL, suppress, too_small  # noqa: F401 (re-exported to the dashboards)


def outcome_is(*kinds: OutcomeKind) -> ColumnElement[bool]:
    """The placement was accepted and a recorded outcome (StudentOutcome) of its student and season is
    one of `kinds`: the dashboards' "hired" and "returned" read the recorded outcomes, never
    placement.outcome, which nothing in the app sets."""
    return and_(
        Placement.status.in_(ACCEPTED),
        exists().where(
            StudentOutcome.student_id == Placement.student_id,
            StudentOutcome.season_id == Placement.season_id,
            StudentOutcome.kind.in_(kinds),
        ),
    )


def outcome_named():
    """A placement's recorded outcome for a table cell (the first kind by name when there are several)."""
    return (
        db.select(func.min(StudentOutcome.kind))
        .where(StudentOutcome.student_id == Placement.student_id, StudentOutcome.season_id == Placement.season_id)
        .scalar_subquery()
    )


HIRED = outcome_is(*HIRED_OUTCOMES)  # hired by the host or elsewhere in the sector
RETURNED = outcome_is(OutcomeKind.RETURNED_NEXT_SUMMER)
HIRED_OR_RETURNED = outcome_is(*HIRED_OUTCOMES, OutcomeKind.RETURNED_NEXT_SUMMER)


@dataclass(frozen=True)
class DashboardFilters:
    """What a dashboard page is narrowed to; empty means everything."""

    years: tuple[int, ...] = ()
    kind: str = ""
    host_id: int | None = None
    major: str = ""


@dataclass
class Chart:
    """A chart drawn from its table: x labels from column 0, one series per listed column."""

    kind: str  # "bar", "stacked", "line", "hbar"
    series: list[int]
    title: str = ""


@dataclass
class Table:
    """One table of a page: its rows are tuples (a NamedTuple per kind of table, so the columns
    have names); `drills_to` names the kind of subject page ("college", "host") that `ids[i]`
    opens from row i's first cell; the view turns the kind and id into a URL."""

    key: str
    title: str
    columns: list[str]
    rows: list[tuple]
    chart: Chart | None = None
    note: str = ""
    drills_to: str = ""
    ids: list[int | None] = field(default_factory=list)

    @property
    def shown_rows(self) -> list[list[str]]:
        return [[show(cell) for cell in row] for row in self.rows]


@dataclass
class DashboardPage:
    key: str
    title: str
    program: Program
    filters: DashboardFilters
    figures: list[tuple[str, object, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    intro: str = ""
    definitions: list[tuple[str, str]] = field(default_factory=list)  # (term, what it counts), shown on the page
    subject: int | None = None

    @property
    def shown_figures(self) -> list[tuple[str, str, str]]:
        return [(label, show(value), hint) for label, value, hint in self.figures]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise LookupError(key)


# --- showing and hiding numbers -------------------------------------------------------------


def median_from_counts(counts: Iterable[tuple[object, int]]) -> object | None:
    """The median of a histogram of (value, how many); the mean of the two middle values for even totals."""
    pairs = sorted((value, n) for value, n in counts if value is not None and n)
    total = sum(n for _, n in pairs)
    if not total:
        return None
    wanted = ((total + 1) // 2, total // 2 + 1)  # 1-based positions of the middle value(s)
    middles, seen = [], 0
    for value, n in pairs:
        seen += n
        while len(middles) < 2 and seen >= wanted[len(middles)]:
            middles.append(value)
    low, high = middles
    if low == high:
        return low
    return (low + high) / 2


def group_medians(rows: Iterable[tuple[object, object, int]]) -> dict[object, object]:
    """Medians per key from (key, value, count) rows of a GROUP BY key, value query."""
    histograms: dict[object, list[tuple[object, int]]] = {}
    for key, value, n in rows:
        histograms.setdefault(key, []).append((value, n))
    return {key: median_from_counts(pairs) for key, pairs in histograms.items()}


# --- scope ----------------------------------------------------------------------------------


def program_for(actor: User, program_id: int | None = None) -> Program:
    """The program an actor's dashboards show: a coordinator's own, or the one an admin picks."""
    if actor.role == Role.ADMIN:
        program = (
            db.session.get(Program, program_id)
            if program_id
            else db.session.scalar(db.select(Program).order_by(Program.id).limit(1))
        )
        if program is None:
            raise LookupError("program")
        return program
    if actor.role in (Role.COORDINATOR, Role.LIAISON) and actor.program is not None:
        if program_id and program_id != actor.program_id:
            raise NotAllowed("You may only see your own program's dashboards.")
        return actor.program
    raise NotAllowed("Dashboards are for coordinators and admins.")


@dataclass(frozen=True)
class FilterChoices:
    years: list[int]
    hosts: list[tuple[int, str]]
    majors: list[str]
    programs: list[tuple[int, str]]


def filter_choices(actor: User, program: Program, majors_ttl: float = 0) -> FilterChoices:
    """The seasons, hosts and majors a program's dashboards can be narrowed to (four queries at most);
    the majors menu is kept `majors_ttl` seconds (the view reads it from the app's config)."""
    years = list(
        db.session.scalars(db.select(Season.year).where(Season.program_id == program.id).order_by(Season.year))
    )
    hosts = [
        tuple(row)
        for row in db.session.execute(
            db.select(HostCompany.id, HostCompany.name)
            .where(HostCompany.program_id == program.id)
            .order_by(HostCompany.name)
        )
    ]
    majors = _majors(program.id, majors_ttl)
    programs = (
        [tuple(row) for row in db.session.execute(db.select(Program.id, Program.name).order_by(Program.name))]
        if actor.role == Role.ADMIN
        else []
    )
    return FilterChoices(years, hosts, majors, programs)


_MAJORS: dict[int, tuple[float, list[str]]] = {}


def _majors(program_id: int, ttl: float) -> list[str]:
    """The majors a program's students gave, for the filter menu; kept `ttl` seconds (a scan of every
    profile; a menu a few minutes old is harmless, the figures are never cached)."""
    kept = _MAJORS.get(program_id)
    if ttl and kept and kept[0] > time.monotonic():
        return kept[1]
    majors = list(
        db.session.scalars(
            db.select(StudentProfile.major)
            .distinct()
            .join(User, User.id == StudentProfile.user_id)
            .where(User.program_id == program_id, StudentProfile.major != "")
            .order_by(StudentProfile.major)
        )
    )
    _MAJORS[program_id] = (time.monotonic() + ttl, majors)
    return majors


def results_out(program: Program) -> set[int]:
    """The seasons whose match results are out (published or closed): only they have placement or
    fill rates; before, a rate would read 0% when it is simply not known yet."""
    return set(
        db.session.scalars(
            db.select(Season.year).where(
                Season.program_id == program.id, Season.phase.in_((Phase.PUBLISHED, Phase.CLOSED))
            )
        )
    )


def current_year(program: Program, filters: DashboardFilters) -> int | None:
    """The season a one-season section shows: the latest selected one, else the program's running
    season as `seasons.pick_season` decides for staff (never a draft while another season exists)."""
    if filters.years:
        return max(filters.years)
    shown = staff_season(program.id)
    return shown.year if shown is not None else None


# --- the three base queries every page narrows ------------------------------------------------


def _host_positions(host_id: int) -> Select:
    return db.select(Position.id).where(Position.host_id == host_id)


def applicants(
    program_id: int,
    filters: DashboardFilters,
    *columns,
    college_id: int | None = None,
    placement_statuses=LIVE,
    profile: bool = False,
    college: bool = False,
) -> Select:
    """Submitted applications, one row per student and season, with their live placement if any.

    (A student holds at most one live placement per season, so the join adds no rows; with
    other `placement_statuses` a student can appear once per placement.) The student profile
    and college are joined only when asked for (`profile`, `college`) or filtered on.
    """
    on_placement = [
        Placement.season_id == Application.season_id,
        Placement.student_id == Application.student_id,
        Placement.status.in_(placement_statuses),
    ]
    if filters.host_id:
        on_placement.append(Placement.position_id.in_(_host_positions(filters.host_id)))
    query = db.select(*columns).select_from(Application).join(Season, Season.id == Application.season_id)
    query = _join_student(query, Application.student_id, filters, college_id, profile, college)
    query = query.outerjoin(Placement, and_(*on_placement)).where(
        Season.program_id == program_id,
        Application.submitted_at.is_not(None),
        Application.status != ApplicationStatus.WITHDRAWN,
    )
    if filters.host_id:
        query = query.where(
            exists().where(
                PositionInterest.application_id == Application.id,
                PositionInterest.position_id.in_(_host_positions(filters.host_id)),
            )
        )
    return _student_filters(query, filters, college_id)


def placements(
    program_id: int,
    filters: DashboardFilters,
    *columns,
    statuses=LIVE,
    college_id: int | None = None,
    profile: bool = False,
    college: bool = False,
) -> Select:
    """Placements (by default the live ones) with their position and season (and profile, college if asked)."""
    query = (
        db.select(*columns)
        .select_from(Placement)
        .join(Position, Position.id == Placement.position_id)
        .join(Season, Season.id == Placement.season_id)
    )
    query = _join_student(query, Placement.student_id, filters, college_id, profile, college)
    query = query.where(Season.program_id == program_id)
    if statuses is not None:
        query = query.where(Placement.status.in_(statuses))
    if filters.host_id:
        query = query.where(Position.host_id == filters.host_id)
    return _student_filters(query, filters, college_id)


def _join_student(
    query: Select, student_id, filters: DashboardFilters, college_id: int | None, profile: bool, college: bool
) -> Select:
    if profile or college or filters.kind or filters.major or college_id is not None:
        query = query.outerjoin(StudentProfile, StudentProfile.user_id == student_id)
    if college or filters.kind:
        query = query.outerjoin(College, College.id == StudentProfile.college_id)
    return query


def positions(program_id: int, filters: DashboardFilters, *columns) -> Select:
    """Open positions (the seats offered) with their season and host; college kind and major do not apply."""
    query = (
        db.select(*columns)
        .select_from(Position)
        .join(Season, Season.id == Position.season_id)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Season.program_id == program_id, Position.status == PositionStatus.OPEN)
    )
    if filters.years:
        query = query.where(Season.year.in_(filters.years))
    if filters.host_id:
        query = query.where(Position.host_id == filters.host_id)
    return query


def _student_filters(query: Select, filters: DashboardFilters, college_id: int | None) -> Select:
    if filters.years:
        query = query.where(Season.year.in_(filters.years))
    if filters.kind:
        query = query.where(College.kind == filters.kind)
    if filters.major:
        query = query.where(StudentProfile.major == filters.major)
    if college_id is not None:
        query = query.where(StudentProfile.college_id == college_id)
    return query


def rows(query: Select) -> list:
    """All rows of an aggregate query, through Core (no ORM row processing is needed for plain columns)."""
    return list(db.session.connection().execute(query))
