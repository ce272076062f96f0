"""Dashboard pages about colleges: all colleges, one college (also a liaison's view)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func

from ...extensions import db
from ...models import (
    Application, College, CollegeKind, Cycle, HostCompany, Outcome, Placement, PlacementStatus, Position,
    Program, StudentProfile, User
)
from .common import (
    Chart, Filters, Page, Table, applicants, group_medians, placements, rate, results_out, rows
)

KIND_LABELS = {kind.value: kind.label for kind in CollegeKind}
NOT_GIVEN = "Not given"


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind, NOT_GIVEN) if kind else NOT_GIVEN


def colleges(program: Program, filters: Filters) -> Page:
    """Each college's applicants, placements, rate and median rank; kinds; new colleges by season.

    One GROUP BY over the chosen seasons' applicants (season, college) and one over the placements
    (season, college, rank obtained) feed every table. A college's first season must be looked for
    in all seasons: with no season chosen the first GROUP BY has them all; with some chosen, a third,
    lighter one (college, first season) does.
    """
    cube = rows(applicants(program.id, filters, Cycle.year, College.id, College.kind,
                           func.count(Application.id), func.count(Placement.id), college=True)
                .group_by(Cycle.year, College.id, College.kind))
    ranks = rows(placements(program.id, filters, Cycle.year, StudentProfile.college_id, Placement.student_rank,
                            func.count(Placement.id), profile=True)
                 .group_by(Cycle.year, StudentProfile.college_id, Placement.student_rank))
    college_medians = group_medians((cid, rank, n) for _, cid, rank, n in ranks)
    year_medians = group_medians((year, rank, n) for year, _, rank, n in ranks)
    first_year: dict[int, int] = {}
    if filters.years:
        first_year = dict(rows(applicants(program.id, replace(filters, years=()), StudentProfile.college_id,
                                          func.min(Cycle.year), profile=True)
                               .where(StudentProfile.college_id.is_not(None)).group_by(StudentProfile.college_id)))
    else:
        for year, college_id, *_ in cube:
            if college_id is not None:
                first_year[college_id] = min(year, first_year.get(college_id, year))
    out = results_out(program)
    per_college, per_year, per_kind, kind_year = {}, {}, {}, {}
    for year, college_id, kind, n, placed in cube:
        for key, bucket in ((college_id, per_college), (year, per_year), (kind, per_kind)):
            entry = bucket.setdefault(key, {"n": 0, "placed": 0, "n_out": 0, "placed_out": 0, "colleges": set(),
                                            "kind": kind})
            entry["n"] += n
            entry["placed"] += placed
            if year in out:  # the seasons whose results are out, for rates
                entry["n_out"] += n
                entry["placed_out"] += placed
            if college_id is not None:
                entry["colleges"].add(college_id)
        kind_year[(year, kind)] = kind_year.get((year, kind), 0) + placed
    names = dict(rows(db.select(College.id, College.name).where(
        College.id.in_([cid for cid in per_college if cid is not None])))) if per_college else {}
    order = sorted(per_college, key=lambda cid: (-per_college[cid]["placed"], names.get(cid, "~")))
    kinds = [kind.value for kind in CollegeKind]
    years = sorted(per_year)

    def figures(entry: dict, median: object = None) -> list:
        """Applicants, placed, placement rate (over the seasons whose results are out), median rank."""
        return [entry["n"], entry["placed"], rate(entry["placed_out"], entry["n_out"]), median]

    page_ = Page("colleges", "Colleges", program, filters)
    page_.figures = [("colleges represented", len([cid for cid in per_college if cid is not None]), ""),
                     ("community colleges", len(per_kind.get(CollegeKind.COMMUNITY.value, {}).get("colleges", ())), ""),
                     ("new colleges", sum(1 for cid in per_college if first_year.get(cid) in per_year), "first applicants")]
    page_.tables = [
        Table("colleges", "Colleges", ["College", "Kind", "Applicants", "Placed", "Placement rate",
                                       "Median rank obtained"],
              [[names.get(cid, NOT_GIVEN), kind_label(per_college[cid]["kind"]),
                *figures(per_college[cid], college_medians.get(cid))]
               for cid in order], link="dashboards.college", ids=order,
              note="Median rank obtained: the median of the students' own rank of the position they got."),
        Table("kinds", "Colleges by kind", ["Kind", "Colleges", "Applicants", "Placed", "Placement rate"],
              [[kind_label(kind), len(entry["colleges"]), *figures(entry)[:3]]
               for kind, entry in sorted(per_kind.items(), key=lambda item: kind_label(item[0]))],
              Chart("bar", [2, 3], "Applicants and placed students by college kind")),
        Table("seasons", "Colleges by season",
              ["Season", "Colleges represented", "New colleges", "Applicants", "Placed", "Placement rate",
               "Median rank obtained"],
              [[year, len(per_year[year]["colleges"]), sum(1 for first in first_year.values() if first == year),
                *figures(per_year[year], year_medians.get(year))] for year in years],
              Chart("bar", [1, 2], "Colleges represented and new colleges by season"),
              note="A new college is one whose students applied for the first time that season."),
        Table("kind_seasons", "Placed students by college kind and season",
              ["Season", *(KIND_LABELS[kind] for kind in kinds)],
              [[year, *(kind_year.get((year, kind), 0) for kind in kinds)] for year in years],
              Chart("stacked", list(range(1, len(kinds) + 1)), "Placed students by college kind")),
    ]
    return page_


def college_page(program: Program, filters: Filters, college_id: int) -> Page:
    """One college's students against the program's: figures by season, hosts, majors and the students."""
    college = db.session.get(College, college_id)
    if college is None:
        raise LookupError("college")
    pid = program.id
    mine, everyone = (_season_figures(pid, filters, college_id), _season_figures(pid, filters, None))
    outcomes = {row[0]: row for row in rows(placements(
        pid, filters, Cycle.year,
        func.count(Placement.id).filter(Placement.status == PlacementStatus.COMPLETED),
        func.count(Placement.id).filter(Placement.outcome.in_((Outcome.HIRED, Outcome.RETURNED))),
        college_id=college_id).group_by(Cycle.year))}
    hosts = rows(placements(pid, filters, HostCompany.id, HostCompany.name, func.count(Placement.id),
                            college_id=college_id).join(HostCompany, HostCompany.id == Position.host_id)
                 .group_by(HostCompany.id, HostCompany.name).order_by(func.count(Placement.id).desc(),
                                                                     HostCompany.name))
    majors = rows(applicants(pid, filters, StudentProfile.major, func.count(Application.id),
                             func.count(Placement.id), college_id=college_id, profile=True)
                  .group_by(StudentProfile.major).order_by(func.count(Application.id).desc()))
    students = rows(applicants(
        pid, filters, User.name, Cycle.year, StudentProfile.major, Application.ranks_certified_at,
        HostCompany.name, Position.title, Placement.status, Placement.outcome, college_id=college_id,
        placement_statuses=tuple(PlacementStatus), profile=True)
        .join(User, User.id == Application.student_id)
        .outerjoin(Position, Position.id == Placement.position_id)
        .outerjoin(HostCompany, HostCompany.id == Position.host_id)
        .order_by(Cycle.year.desc(), User.name))

    out = results_out(program)
    total = [sum(row[i] for row in mine["rows"]) for i in (1, 2)]
    matched = [sum(row[i] for row in mine["rows"] if row[0] in out) for i in (1, 2)]  # rates: seasons with results
    program_matched = [sum(row[i] for row in everyone["rows"] if row[0] in out) for i in (1, 2)]
    season_rows = []
    for year, n, placed in mine["rows"]:
        program_row = everyone["by_year"].get(year, (year, 0, 0))
        done = outcomes.get(year, (year, 0, 0))
        known = year in out
        season_rows.append([year, n, placed, rate(placed, n) if known else None, mine["medians"].get(year),
                            done[1], done[2], rate(program_row[2], program_row[1]) if known else None,
                            everyone["medians"].get(year)])
    page_ = Page("college", college.name, program, filters, subject=college_id,
                 intro=f"{college.kind_label} · {college.town or ''} {college.state}".strip())
    page_.figures = [("applicants", total[0], "selected seasons"), ("placed", total[1], ""),
                     ("placement rate", rate(matched[1], matched[0]) or "–",
                      f"program: {rate(program_matched[1], program_matched[0]) or '–'}"),
                     ("hosts", len(hosts), "where students were placed")]
    page_.tables = [
        Table("seasons", "By season, against the program",
              ["Season", "Applicants", "Placed", "Placement rate", "Median rank obtained", "Completed",
               "Hired or returned", "Program placement rate", "Program median rank"], season_rows,
              Chart("line", [3, 7], "Placement rate: this college and the program")),
        Table("hosts", "Where students were placed", ["Host", "Students placed"],
              [[name, n] for _, name, n in hosts], link="dashboards.host", ids=[row[0] for row in hosts]),
        Table("majors", "Majors", ["Major", "Applicants", "Placed"],
              [[major or NOT_GIVEN, n, placed] for major, n, placed in majors]),
        Table("students", "Students", ["Student", "Season", "Major", "Ranked", "Host", "Position",
                                       "Placement", "Outcome"],
              [[name, year, major or "", "yes" if certified else "no", host or "", title or "",
                status or "not placed", (outcome or "").replace("_", " ") if status else ""]
               for name, year, major, certified, host, title, status, outcome in students]),
    ]
    return page_


def _season_figures(pid: int, filters: Filters, college_id: int | None) -> dict:
    """Applicants, placed and median rank obtained by season, from one GROUP BY season, rank."""
    found = rows(applicants(pid, filters, Cycle.year, Placement.student_rank, func.count(Application.id),
                            func.count(Placement.id), college_id=college_id)
                 .group_by(Cycle.year, Placement.student_rank))
    by_year: dict[int, list[int]] = {}
    for year, _, n, placed in found:
        totals = by_year.setdefault(year, [0, 0])
        totals[0], totals[1] = totals[0] + n, totals[1] + placed
    ordered = [(year, *by_year[year]) for year in sorted(by_year)]
    return {"rows": ordered, "by_year": {row[0]: row for row in ordered},
            "medians": group_medians((year, rank, placed) for year, rank, _, placed in found)}


def liaison_page(liaison: User, filters: Filters) -> Page:
    """A college liaison's view: their own college's students in their program, and nothing else."""
    from ..errors import NotAllowed
    from ...models import Role

    if liaison.role != Role.LIAISON or liaison.college_id is None or liaison.program is None:
        raise NotAllowed("This page is for college liaisons.")
    narrowed = Filters(years=filters.years, major=filters.major)
    page_ = college_page(liaison.program, narrowed, liaison.college_id)
    page_.key = "liaison"
    for table in page_.tables:
        table.link, table.ids = "", []
    return page_
