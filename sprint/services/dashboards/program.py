"""Dashboard pages about the whole program: the overview (headlines, funnel, trend) and match quality."""

from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import and_, case, func

from ...models import Application, Placement, PlacementStatus, Position, Program, Season, StudentProfile
from ..matching.match_quality import DEFINITION, SHARE_OF, choice_shares
from .common import (
    ACCEPTED,
    HIRED_OR_RETURNED,
    LIVE,
    Chart,
    DashboardFilters,
    DashboardPage,
    Percent,
    Table,
    applicants,
    current_year,
    group_medians,
    median_from_counts,
    placements,
    positions,
    rate,
    rows,
)

FIRST_MATCHED_ROUND = 1  # round 0 is placed by hand; 2, 3... are the vacancy rounds
RANK_CAP = 10  # ranks from here on are shown together as "10+"
FROM_RUNS = "Placements from published match runs: round 1 and the vacancy rounds after it (2, 3, ...)."


class FunnelRow(NamedTuple):
    stage: str
    students: int
    share: Percent | None  # of the season's applicants


class TrendRow(NamedTuple):
    season: int
    applied: int
    ranked: int
    matched: int
    accepted: int
    completed: int
    later: int  # hired or returned
    colleges: int
    hosts: int
    slots: int
    filled: int
    median_pay: object


class QualityRow(NamedTuple):
    season: int
    certified: int
    matched: int
    unmatched: int
    first_choice: Percent | None
    top_three: Percent | None
    slots: int
    unfilled: int
    round2: int
    round2_first: int


def _per_year(query) -> dict[int, object]:
    return {row.year: row for row in rows(query)}


def _cell(source: dict, year: int | None, name: str) -> int:
    """One named count of a season from a `_per_year` result; 0 when the season has none."""
    return getattr(source.get(year), name, 0) or 0


# --- the overview ---------------------------------------------------------------------------


def overview(program: Program, filters: DashboardFilters) -> DashboardPage:
    """Headline figures, the season funnel and the trend across seasons, in six queries."""
    pid = program.id
    applied, colleges_all = _applied_by_year(pid, filters)
    funnel, seats = _funnel_by_year(pid, filters), _seats_by_year(pid, filters)
    pay, pay_all = _pay_medians(pid, filters)
    page_ = DashboardPage(
        "overview", "Program overview", program, filters, figures=_overview_figures(pid, filters, colleges_all, pay_all)
    )
    now = current_year(program, filters)
    if now is not None:
        page_.figures += [
            (f"placed in {now}", _cell(funnel, now, "filled"), f"{_cell(seats, now, 'slots')} seats offered"),
            (f"applied in {now}", _cell(applied, now, "applied"), f"{_cell(applied, now, 'colleges')} colleges"),
            (f"median pay {now}", pay.get(now), f"{_cell(seats, now, 'hosts')} hosts"),
        ]
    years = sorted(set(applied) | set(funnel) | set(seats))
    page_.tables = [_funnel_table(now, applied, funnel), _trend_table(years, applied, funnel, seats, pay)]
    return page_


def _funnel_by_year(pid: int, filters: DashboardFilters) -> dict[int, object]:
    return _per_year(
        placements(
            pid,
            filters,
            Season.year.label("year"),
            func.count(func.distinct(case((Placement.round >= FIRST_MATCHED_ROUND, Placement.student_id)))).label(
                "matched"
            ),
            func.count(Placement.id).filter(Placement.status.in_(ACCEPTED)).label("accepted"),
            func.count(Placement.id).filter(Placement.status == PlacementStatus.COMPLETED).label("completed"),
            func.count(Placement.id).filter(HIRED_OR_RETURNED).label("later"),
            func.count(Placement.id).filter(Placement.status.in_((PlacementStatus.OFFERED, *ACCEPTED))).label("filled"),
            statuses=None,
        ).group_by(Season.year)
    )


def _seats_by_year(pid: int, filters: DashboardFilters) -> dict[int, object]:
    return _per_year(
        positions(
            pid,
            filters,
            Season.year.label("year"),
            func.coalesce(func.sum(Position.slots), 0).label("slots"),
            func.count(func.distinct(Position.host_id)).label("hosts"),
        ).group_by(Season.year)
    )


def _pay_medians(pid: int, filters: DashboardFilters) -> tuple[dict[int, object], object]:
    """The median hourly pay of placements by season, and over all selected seasons (one GROUP BY)."""
    pay_rows = rows(
        placements(pid, filters, Season.year, Position.hourly_pay, func.count(Placement.id)).group_by(
            Season.year, Position.hourly_pay
        )
    )
    return group_medians(pay_rows), median_from_counts((hourly, n) for _, hourly, n in pay_rows)


def _overview_figures(pid: int, filters: DashboardFilters, colleges_all: int, pay_all: object) -> list:
    """The headlines over all selected seasons."""
    totals = rows(placements(pid, filters, func.count(func.distinct(Placement.student_id)), func.count(Placement.id)))[
        0
    ]
    hosts_all = rows(positions(pid, filters, func.count(func.distinct(Position.host_id))))[0][0]
    return [
        ("students placed", totals[0], "all selected seasons"),
        ("colleges represented", colleges_all, "by applicants"),
        ("host companies", hosts_all, "with open positions"),
        ("seats filled", totals[1], "live placements"),
        ("median hourly pay", pay_all, "of placements"),
    ]


FUNNEL_STAGES = [
    ("Applied", "applied", "applied"),
    ("Ranked (certified)", "ranked", "applied"),
    ("Matched", "matched", "funnel"),
    ("Accepted", "accepted", "funnel"),
    ("Completed", "completed", "funnel"),
    ("Later hired or returned", "later", "funnel"),
]


def _funnel_table(now: int | None, applied: dict, funnel: dict) -> Table:
    sources = {"applied": applied, "funnel": funnel}
    applied_now = _cell(applied, now, "applied")
    funnel_rows = [
        FunnelRow(label, _cell(sources[source], now, name), rate(_cell(sources[source], now, name), applied_now))
        for label, name, source in FUNNEL_STAGES
    ]
    return Table(
        "funnel",
        f"Season funnel, {now}",
        ["Stage", "Students", "Share of applicants"],
        funnel_rows,
        Chart("hbar", [1], f"Season funnel {now}"),
    )


def _trend_table(years: list[int], applied: dict, funnel: dict, seats: dict, pay: dict) -> Table:
    trend = [
        TrendRow(
            year,
            _cell(applied, year, "applied"),
            _cell(applied, year, "ranked"),
            _cell(funnel, year, "matched"),
            _cell(funnel, year, "accepted"),
            _cell(funnel, year, "completed"),
            _cell(funnel, year, "later"),
            _cell(applied, year, "colleges"),
            _cell(seats, year, "hosts"),
            _cell(seats, year, "slots"),
            _cell(funnel, year, "filled"),
            pay.get(year),
        )
        for year in years
    ]
    return Table(
        "seasons",
        "Trend across seasons",
        [
            "Season",
            "Applied",
            "Ranked",
            "Matched",
            "Accepted",
            "Completed",
            "Hired or returned",
            "Colleges",
            "Hosts",
            "Seats offered",
            "Seats filled",
            "Median hourly pay",
        ],
        trend,
        Chart("line", [1, 3, 5], "Applied, matched and completed by season"),
    )


def _applied_by_year(pid: int, filters: DashboardFilters) -> tuple[dict[int, object], int]:
    """Applied, ranked and colleges represented by season, and colleges over all of them (one GROUP BY)."""
    found = rows(
        applicants(
            pid,
            filters,
            Season.year,
            StudentProfile.college_id,
            func.count(Application.id),
            func.count(Application.ranks_certified_at),
            profile=True,
        ).group_by(Season.year, StudentProfile.college_id)
    )
    by_year: dict[int, SimpleNamespace] = {}
    for year, college_id, n, ranked in found:
        entry = by_year.setdefault(year, SimpleNamespace(applied=0, ranked=0, colleges=0))
        entry.applied, entry.ranked = entry.applied + n, entry.ranked + ranked
        entry.colleges += college_id is not None
    return by_year, len({college_id for _, college_id, *_ in found if college_id is not None})


# --- match quality --------------------------------------------------------------------------

MATCHED = and_(Placement.round >= FIRST_MATCHED_ROUND, Placement.run_id.is_not(None))


def match_quality(program: Program, filters: DashboardFilters) -> DashboardPage:
    """Each side's rank histogram, first-choice and top-three shares, unmatched and unfilled, round two."""
    season_rows = _quality_rows(program.id, filters)
    histograms = _rank_histograms(program.id, filters)
    years = [row.season for row in season_rows]
    tables = [
        _quality_table(season_rows),
        _rank_table("student", "Students' rank of the position they got", histograms["student"], years),
        _rank_table("host", "Hosts' rank of the intern they got", histograms["host"], years),
    ]
    figures = []
    if season_rows:
        latest = season_rows[-1]
        figures = [
            (f"matched in {latest.season}", latest.matched, f"of {latest.certified} certified"),
            ("at first choice", latest.first_choice if latest.first_choice is not None else "–", SHARE_OF),
            ("in top three", latest.top_three if latest.top_three is not None else "–", SHARE_OF),
            ("unfilled seats", latest.unfilled, f"of {latest.slots}"),
        ]
    return DashboardPage("quality", "Match quality", program, filters, figures=figures, tables=tables)


def _quality_summary(pid: int, filters: DashboardFilters) -> dict[int, object]:
    return _per_year(
        placements(
            pid,
            filters,
            Season.year.label("year"),
            func.count(func.distinct(case((MATCHED, Placement.student_id)))).label("matched"),
            func.count(Placement.id).filter(MATCHED).label("n"),
            func.count(Placement.id).filter(MATCHED, Placement.student_rank == 1).label("first"),
            func.count(Placement.id).filter(MATCHED, Placement.student_rank <= 3).label("top3"),
            func.count(Placement.id).filter(MATCHED, Placement.round > FIRST_MATCHED_ROUND).label("round2"),
            func.count(Placement.id)
            .filter(MATCHED, Placement.round > FIRST_MATCHED_ROUND, Placement.student_rank == 1)
            .label("round2_first"),
            func.count(Placement.id).filter(Placement.status.in_(LIVE)).label("filled"),
            statuses=None,
        ).group_by(Season.year)
    )


def _quality_rows(pid: int, filters: DashboardFilters) -> list[QualityRow]:
    """One row per season with matched placements (three GROUP BY season queries)."""
    summary = _quality_summary(pid, filters)
    certified = _per_year(
        applicants(
            pid, filters, Season.year.label("year"), func.count(Application.ranks_certified_at).label("certified")
        ).group_by(Season.year)
    )
    seats = _per_year(
        positions(
            pid, filters, Season.year.label("year"), func.coalesce(func.sum(Position.slots), 0).label("slots")
        ).group_by(Season.year)
    )
    found = []
    for year in sorted(summary):
        slots, certified_n = _cell(seats, year, "slots"), _cell(certified, year, "certified")
        matched = _cell(summary, year, "matched")
        first, top_three = choice_shares(
            _cell(summary, year, "first"), _cell(summary, year, "top3"), _cell(summary, year, "n")
        )
        found.append(
            QualityRow(
                year,
                certified_n,
                matched,
                max(certified_n - matched, 0),
                first,
                top_three,
                slots,
                max(slots - _cell(summary, year, "filled"), 0),
                _cell(summary, year, "round2"),
                _cell(summary, year, "round2_first"),
            )
        )
    return found


def _quality_table(season_rows: list[QualityRow]) -> Table:
    return Table(
        "seasons",
        "Match quality by season",
        [
            "Season",
            "Certified applicants",
            "Matched",
            "Unmatched",
            "First choice",
            "Top three",
            "Seats",
            "Unfilled seats",
            "Placed after round 1",
            "Round 2 first choices",
        ],
        season_rows,
        Chart("bar", [2, 3], "Matched and unmatched students by season"),
        note="Unmatched: certified applicants the published rounds did not place. " + DEFINITION + " " + FROM_RUNS,
    )


def _rank_histograms(pid: int, filters: DashboardFilters) -> dict[str, list[tuple[int, object, int]]]:
    """(season, rank, count) of matched placements, by the student's rank and by the host's (one GROUP BY)."""
    both = rows(
        placements(
            pid,
            filters,
            Season.year,
            Placement.student_rank,
            Placement.position_rank,
            func.count(Placement.id),
            statuses=None,
        )
        .where(MATCHED)
        .group_by(Season.year, Placement.student_rank, Placement.position_rank)
    )
    return {
        "student": [(year, own, n) for year, own, _, n in both],
        "host": [(year, theirs, n) for year, _, theirs, n in both],
    }


def _rank_table(side: str, title: str, data: list, years: list[int]) -> Table:
    return Table(
        f"{side}_ranks",
        title,
        ["Rank", *map(str, years)],
        _histogram(data, years),
        Chart("bar", list(range(1, len(years) + 1)), title),
        note=FROM_RUNS,
    )


def _histogram(data: list, years: list[int]) -> list[tuple]:
    """Rows of rank × season counts (a rank, then one count per season: as wide as the seasons shown,
    so a plain tuple); ranks of RANK_CAP and above are summed into one row."""
    counts: dict[tuple[object, int], int] = {}
    for year, rank, n in data:
        label = "none" if rank is None else (f"{RANK_CAP}+" if rank >= RANK_CAP else rank)
        counts[(label, year)] = counts.get((label, year), 0) + n
    labels = sorted({label for label, _ in counts}, key=lambda x: (isinstance(x, str), str(x).zfill(4)))
    return [(label, *(counts.get((label, year), 0) for year in years)) for label in labels]
