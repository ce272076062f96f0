"""Dashboard pages about the whole program: the overview (headlines, funnel, trend) and match quality."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import and_, case, func

from ...models import (
    Application, Cycle, Outcome, Placement, PlacementStatus, Position, Program, StudentProfile
)
from .common import (
    ACCEPTED, LIVE, Chart, Filters, Page, Table, applicants, current_year, group_medians, median_from_counts,
    placements, positions, rate, rows
)
from ..matching.match_quality import DEFINITION, SHARE_OF, choice_shares

MATCHED_ROUNDS = (1, 2)
RANK_CAP = 10  # ranks from here on are shown together as "10+"


def _per_year(query) -> dict[int, object]:
    return {row.year: row for row in rows(query)}


def overview(program: Program, filters: Filters) -> Page:
    """Headline figures, the season funnel and the trend across seasons, in six queries."""
    pid = program.id
    applied, colleges_all = _applied_by_year(pid, filters)
    funnel = _per_year(placements(
        pid, filters, Cycle.year.label("year"),
        func.count(func.distinct(case((Placement.round.in_(MATCHED_ROUNDS), Placement.student_id)))).label("matched"),
        func.count(Placement.id).filter(Placement.status.in_(ACCEPTED)).label("accepted"),
        func.count(Placement.id).filter(Placement.status == PlacementStatus.COMPLETED).label("completed"),
        func.count(Placement.id).filter(Placement.outcome.in_((Outcome.HIRED, Outcome.RETURNED))).label("later"),
        func.count(Placement.id).filter(Placement.status.in_(
            (PlacementStatus.OFFERED, *ACCEPTED))).label("filled"),
        statuses=None).group_by(Cycle.year))
    seats = _per_year(positions(
        pid, filters, Cycle.year.label("year"), func.coalesce(func.sum(Position.slots), 0).label("slots"),
        func.count(func.distinct(Position.host_id)).label("hosts")).group_by(Cycle.year))
    pay_rows = rows(placements(pid, filters, Cycle.year, Position.hourly_pay, func.count(Placement.id))
                    .group_by(Cycle.year, Position.hourly_pay))
    pay = group_medians(pay_rows)
    pay_all = median_from_counts((hourly, n) for _, hourly, n in pay_rows)
    totals = rows(placements(pid, filters, func.count(func.distinct(Placement.student_id)),
                             func.count(Placement.id)))[0]
    hosts_all = rows(positions(pid, filters, func.count(func.distinct(Position.host_id))))[0][0]

    years = sorted(set(applied) | set(funnel) | set(seats))
    now = current_year(program, filters)

    def cell(source: dict, year: int, name: str) -> int:
        return getattr(source.get(year), name, 0) or 0

    season_rows = [[year, cell(applied, year, "applied"), cell(applied, year, "ranked"),
                    cell(funnel, year, "matched"), cell(funnel, year, "accepted"),
                    cell(funnel, year, "completed"), cell(funnel, year, "later"),
                    cell(applied, year, "colleges"), cell(seats, year, "hosts"),
                    cell(seats, year, "slots"), cell(funnel, year, "filled"), pay.get(year)]
                   for year in years]
    stages = [("Applied", "applied", applied), ("Ranked (certified)", "ranked", applied),
              ("Matched", "matched", funnel), ("Accepted", "accepted", funnel),
              ("Completed", "completed", funnel), ("Later hired or returned", "later", funnel)]
    applied_now = cell(applied, now, "applied")
    funnel_rows = [[label, cell(source, now, name), rate(cell(source, now, name), applied_now)]
                   for label, name, source in stages]
    page_ = Page("overview", "Program overview", program, filters, figures=[
        ("students placed", totals[0], "all selected seasons"),
        ("colleges represented", colleges_all, "by applicants"),
        ("host companies", hosts_all, "with open positions"),
        ("seats filled", totals[1], "live placements"),
        ("median hourly pay", pay_all, "of placements"),
    ])
    if now is not None:
        page_.figures += [
            (f"placed in {now}", cell(funnel, now, "filled"), f"{cell(seats, now, 'slots')} seats offered"),
            (f"applied in {now}", applied_now, f"{cell(applied, now, 'colleges')} colleges"),
            (f"median pay {now}", pay.get(now), f"{cell(seats, now, 'hosts')} hosts"),
        ]
    page_.tables = [
        Table("funnel", f"Season funnel, {now}", ["Stage", "Students", "Share of applicants"],
              funnel_rows, Chart("hbar", [1], f"Season funnel {now}")),
        Table("seasons", "Trend across seasons",
              ["Season", "Applied", "Ranked", "Matched", "Accepted", "Completed", "Hired or returned",
               "Colleges", "Hosts", "Seats offered", "Seats filled", "Median hourly pay"],
              season_rows, Chart("line", [1, 3, 5], "Applied, matched and completed by season")),
    ]
    return page_


def _applied_by_year(pid: int, filters: Filters) -> tuple[dict[int, object], int]:
    """Applied, ranked and colleges represented by season, and colleges over all of them (one GROUP BY)."""
    found = rows(applicants(pid, filters, Cycle.year, StudentProfile.college_id, func.count(Application.id),
                            func.count(Application.ranks_certified_at), profile=True)
                 .group_by(Cycle.year, StudentProfile.college_id))
    by_year: dict[int, SimpleNamespace] = {}
    for year, college_id, n, ranked in found:
        entry = by_year.setdefault(year, SimpleNamespace(applied=0, ranked=0, colleges=0))
        entry.applied, entry.ranked = entry.applied + n, entry.ranked + ranked
        entry.colleges += college_id is not None
    return by_year, len({college_id for _, college_id, *_ in found if college_id is not None})


def match_quality(program: Program, filters: Filters) -> Page:
    """Each side's rank histogram, first-choice and top-three shares, unmatched and unfilled, round two."""
    pid = program.id
    matched = and_(Placement.round.in_(MATCHED_ROUNDS), Placement.run_id.is_not(None))
    summary = _per_year(placements(
        pid, filters, Cycle.year.label("year"),
        func.count(func.distinct(case((matched, Placement.student_id)))).label("matched"),
        func.count(Placement.id).filter(matched).label("n"),
        func.count(Placement.id).filter(matched, Placement.student_rank == 1).label("first"),
        func.count(Placement.id).filter(matched, Placement.student_rank <= 3).label("top3"),
        func.count(Placement.id).filter(matched, Placement.round == 2).label("round2"),
        func.count(Placement.id).filter(matched, Placement.round == 2, Placement.student_rank == 1)
        .label("round2_first"),
        func.count(Placement.id).filter(Placement.status.in_(LIVE)).label("filled"),
        statuses=None).group_by(Cycle.year))
    certified = _per_year(applicants(
        pid, filters, Cycle.year.label("year"), func.count(Application.ranks_certified_at).label("certified"))
        .group_by(Cycle.year))
    seats = _per_year(positions(pid, filters, Cycle.year.label("year"),
                                func.coalesce(func.sum(Position.slots), 0).label("slots")).group_by(Cycle.year))
    both = rows(placements(pid, filters, Cycle.year, Placement.student_rank, Placement.position_rank,
                           func.count(Placement.id), statuses=None).where(matched)
                .group_by(Cycle.year, Placement.student_rank, Placement.position_rank))
    histograms = {"student": [(year, own, n) for year, own, _, n in both],
                  "host": [(year, theirs, n) for year, _, theirs, n in both]}

    years = sorted(summary)

    def get(source: dict, year: int, name: str) -> int:
        return getattr(source.get(year), name, 0) or 0

    season_rows = []
    for year in years:
        slots = get(seats, year, "slots")
        first, top_three = choice_shares(get(summary, year, "first"), get(summary, year, "top3"), get(summary, year, "n"))
        season_rows.append([
            year, get(certified, year, "certified"), get(summary, year, "matched"),
            max(get(certified, year, "certified") - get(summary, year, "matched"), 0), first,
            top_three, slots, max(slots - get(summary, year, "filled"), 0),
            get(summary, year, "round2"), get(summary, year, "round2_first")])
    shown_years = years
    tables = [Table("seasons", "Match quality by season",
                    ["Season", "Certified applicants", "Matched", "Unmatched", "First choice",
                     "Top three", "Seats", "Unfilled seats", "Placed in round 2", "Round 2 first choices"],
                    season_rows, Chart("bar", [2, 3], "Matched and unmatched students by season"),
                    note="Unmatched: certified applicants the published rounds did not place. " + DEFINITION
                    + " Placements from published match runs, rounds 1 and 2.")]
    for side, title in (("student", "Students' rank of the position they got"),
                        ("host", "Hosts' rank of the intern they got")):
        table_rows = _histogram(histograms[side], shown_years)
        tables.append(Table(f"{side}_ranks", title, ["Rank", *map(str, shown_years)], table_rows,
                            Chart("bar", list(range(1, len(shown_years) + 1)), title),
                            note="Placements from published match runs, rounds 1 and 2."))
    figures = []
    if years:
        latest = years[-1]
        row = season_rows[-1]
        figures = [(f"matched in {latest}", row[2], f"of {row[1]} certified"),
                   ("at first choice", row[4] if row[4] is not None else "–", SHARE_OF),
                   ("in top three", row[5] if row[5] is not None else "–", SHARE_OF),
                   ("unfilled seats", row[7], f"of {row[6]}")]
    return Page("quality", "Match quality", program, filters, figures=figures, tables=tables)


def _histogram(data: list, years: list[int]) -> list[list]:
    """Rows of rank × season counts; ranks of RANK_CAP and above are summed into one row."""
    counts: dict[tuple[object, int], int] = {}
    for year, rank, n in data:
        label = "none" if rank is None else (f"{RANK_CAP}+" if rank >= RANK_CAP else rank)
        counts[(label, year)] = counts.get((label, year), 0) + n
    labels = sorted({label for label, _ in counts}, key=lambda x: (isinstance(x, str), str(x).zfill(4)))
    return [[label, *(counts.get((label, year), 0) for year in years)] for label in labels]

