"""Dashboard pages about host companies: all hosts, and one host."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import case, func

from ...extensions import db
from ...models import College, HostCompany, Placement, PlacementStatus, Position, Program, Season
from .colleges import kind_label
from .common import (
    HIRED,
    RETURNED,
    Chart,
    DashboardFilters,
    DashboardPage,
    Percent,
    Table,
    placements,
    positions,
    rate,
    results_out,
    rows,
)

PAY_BAND = 2  # dollars per band in the pay distribution
NOTE = "Seats offered count open positions; seats filled count live placements under all filters."


class HostSeasonRow(NamedTuple):
    season: int
    hosts: int
    returning: int  # hosts that offered positions in an earlier season too
    slots: int
    filled: int
    fill_rate: Percent | None
    hired: int


class HostRow(NamedTuple):
    host: str
    seasons: int
    positions: int
    slots: int
    filled: int
    fill_rate: Percent | None  # over the seasons whose results are out
    hired: int
    mean_pay: Decimal | None


class PayBandRow(NamedTuple):
    band: str
    positions: int
    slots: int


class HoursRow(NamedTuple):
    hours: object
    positions: int
    slots: int


class OneHostSeasonRow(NamedTuple):
    season: int
    positions: int
    slots: int
    filled: int
    fill_rate: Percent | None
    completed: int
    hired: int
    returned: int


class PositionRow(NamedTuple):
    position: str
    season: int
    slots: int
    filled: int
    hourly_pay: Decimal | None
    hours: object


class InternKindRow(NamedTuple):
    kind: str
    interns: int


# --- all hosts ------------------------------------------------------------------------------


def hosts(program: Program, filters: DashboardFilters) -> DashboardPage:
    """Slots offered and filled, returning hosts, pay and hours distribution, interns later hired."""
    out = results_out(program)
    host_table = _hosts_table(program.id, filters, out)
    season_table = _host_seasons_table(program.id, filters, out)
    host_rows = host_table.rows
    page_ = DashboardPage("hosts", "Host companies", program, filters)
    page_.figures = [
        ("host companies", len(host_rows), "with open positions"),
        ("seats offered", sum(row.slots for row in host_rows), ""),
        ("seats filled", sum(row.filled for row in host_rows), ""),
        ("interns later hired", sum(row.hired for row in host_rows), ""),
    ]
    page_.tables = [season_table, host_table, _pay_table(program.id, filters), _hours_table(program.id, filters)]
    return page_


def _hosts_table(pid: int, filters: DashboardFilters, out: set[int]) -> Table:
    matched = Season.year.in_(out)  # fill rates count the seasons whose results are out
    per_host = rows(
        positions(
            pid,
            filters,
            HostCompany.id,
            HostCompany.name,
            func.count(Position.id),
            func.sum(Position.slots),
            func.count(func.distinct(Season.year)),
            func.avg(Position.hourly_pay),
            func.coalesce(func.sum(Position.slots).filter(matched), 0),
        )
        .group_by(HostCompany.id, HostCompany.name)
        .order_by(HostCompany.name)
    )
    filled = {
        host_id: (n, hired, n_out)
        for host_id, n, hired, n_out in rows(
            placements(
                pid,
                filters,
                Position.host_id,
                func.count(Placement.id),
                func.count(Placement.id).filter(HIRED),
                func.count(Placement.id).filter(matched),
            ).group_by(Position.host_id)
        )
    }
    host_rows = []
    for host_id, name, n_positions, slots, n_seasons, mean_pay, slots_out in per_host:
        n_filled, hired, filled_out = filled.get(host_id, (0, 0, 0))
        host_rows.append(
            HostRow(
                name,
                n_seasons,
                n_positions,
                slots,
                n_filled,
                rate(filled_out, slots_out),
                hired,
                Decimal(mean_pay).quantize(Decimal("0.01")) if mean_pay is not None else None,
            )
        )
    return Table(
        "hosts",
        "Hosts",
        [
            "Host",
            "Seasons",
            "Positions",
            "Seats offered",
            "Seats filled",
            "Fill rate",
            "Interns later hired",
            "Mean hourly pay",
        ],
        host_rows,
        drills_to="host",
        ids=[row[0] for row in per_host],
        note=NOTE,
    )


def _host_seasons_table(pid: int, filters: DashboardFilters, out: set[int]) -> Table:
    first = (
        positions(
            pid,
            DashboardFilters(host_id=filters.host_id),
            Position.host_id.label("host"),
            func.min(Season.year).label("first"),
        )
        .group_by(Position.host_id)
        .subquery()
    )
    seasons = rows(
        positions(
            pid,
            filters,
            Season.year,
            func.count(func.distinct(Position.host_id)),
            func.count(func.distinct(case((first.c.first < Season.year, Position.host_id)))),
            func.sum(Position.slots),
        )
        .join(first, first.c.host == Position.host_id)
        .group_by(Season.year)
        .order_by(Season.year)
    )
    season_filled = {
        year: (n, hired)
        for year, n, hired in rows(
            placements(
                pid, filters, Season.year, func.count(Placement.id), func.count(Placement.id).filter(HIRED)
            ).group_by(Season.year)
        )
    }
    season_rows = []
    for year, n_hosts, returning, slots in seasons:
        n_filled, hired = season_filled.get(year, (0, 0))
        season_rows.append(
            HostSeasonRow(
                year, n_hosts, returning, slots, n_filled, rate(n_filled, slots) if year in out else None, hired
            )
        )
    return Table(
        "seasons",
        "Hosts by season",
        ["Season", "Hosts", "Returning hosts", "Seats offered", "Seats filled", "Fill rate", "Interns later hired"],
        season_rows,
        Chart("bar", [3, 4], "Seats offered and filled by season"),
        note="A returning host offered positions in an earlier season too.",
    )


def _pay_table(pid: int, filters: DashboardFilters) -> Table:
    pay = rows(
        positions(pid, filters, Position.hourly_pay, func.count(Position.id), func.sum(Position.slots)).group_by(
            Position.hourly_pay
        )
    )
    return Table(
        "pay",
        "Hourly pay of positions",
        ["Hourly pay", "Positions", "Seats"],
        _pay_bands(pay),
        Chart("bar", [2], "Seats by hourly pay"),
    )


def _hours_table(pid: int, filters: DashboardFilters) -> Table:
    hours = rows(
        positions(pid, filters, Position.hours_per_week, func.count(Position.id), func.sum(Position.slots))
        .group_by(Position.hours_per_week)
        .order_by(Position.hours_per_week)
    )
    return Table(
        "hours",
        "Hours per week of positions",
        ["Hours per week", "Positions", "Seats"],
        [HoursRow(*row) for row in hours],
        Chart("bar", [2], "Seats by hours per week"),
    )


def _pay_bands(pay: list) -> list[PayBandRow]:
    bands: dict[int, list[int]] = {}
    for hourly, n, slots in pay:
        low = int(Decimal(hourly) // PAY_BAND * PAY_BAND)
        band = bands.setdefault(low, [0, 0])
        band[0] += n
        band[1] += slots or 0
    return [PayBandRow(f"${low}–{low + PAY_BAND}", n, slots) for low, (n, slots) in sorted(bands.items())]


# --- one host -------------------------------------------------------------------------------


def host_page(program: Program, filters: DashboardFilters, host_id: int) -> DashboardPage:
    """One host: seats by season, its positions, where its interns came from and what became of them."""
    host = db.session.get(HostCompany, host_id)
    if host is None or host.program_id != program.id:
        raise LookupError("host")
    pid, mine = program.id, replace(filters, host_id=host_id)
    offered = _offered_by_year(pid, mine)
    season_rows = _one_host_season_rows(pid, mine, offered, results_out(program))
    page_ = DashboardPage(
        "host",
        host.name,
        program,
        filters,
        subject=host_id,
        intro=" · ".join(part for part in (host.sector, host.site_town) if part),
    )
    page_.figures = [
        ("seasons hosted", len(offered), ""),
        ("seats offered", sum(row.slots for row in season_rows), ""),
        ("seats filled", sum(row.filled for row in season_rows), ""),
        ("interns later hired", sum(row.hired for row in season_rows), ""),
    ]
    page_.tables = [
        Table(
            "seasons",
            "By season",
            [
                "Season",
                "Positions",
                "Seats offered",
                "Seats filled",
                "Fill rate",
                "Completed",
                "Later hired",
                "Returned",
            ],
            season_rows,
            Chart("bar", [2, 3], "Seats offered and filled by season"),
        ),
        _positions_table(pid, mine),
        _intern_kinds_table(pid, mine),
    ]
    return page_


def _offered_by_year(pid: int, mine: DashboardFilters) -> dict[int, tuple[int, int]]:
    """(positions, seats) the host offered, by season."""
    return {
        year: (n, slots)
        for year, n, slots in rows(
            positions(pid, mine, Season.year, func.count(Position.id), func.sum(Position.slots)).group_by(Season.year)
        )
    }


def _one_host_season_rows(pid: int, mine: DashboardFilters, offered: dict, out: set[int]) -> list[OneHostSeasonRow]:
    taken = {
        row[0]: row[1:]
        for row in rows(
            placements(
                pid,
                mine,
                Season.year,
                func.count(Placement.id),
                func.count(Placement.id).filter(Placement.status == PlacementStatus.COMPLETED),
                func.count(Placement.id).filter(HIRED),
                func.count(Placement.id).filter(RETURNED),
            ).group_by(Season.year)
        )
    }
    season_rows = []
    for year in sorted(set(offered) | set(taken)):
        n_positions, slots = offered.get(year, (0, 0))
        n_filled, completed, hired, returned = taken.get(year, (0, 0, 0, 0))
        season_rows.append(
            OneHostSeasonRow(
                year,
                n_positions,
                slots,
                n_filled,
                rate(n_filled, slots) if year in out else None,
                completed,
                hired,
                returned,
            )
        )
    return season_rows


def _positions_table(pid: int, mine: DashboardFilters) -> Table:
    per_position = rows(
        positions(
            pid,
            mine,
            Position.id,
            Season.year,
            Position.title,
            Position.slots,
            Position.hourly_pay,
            Position.hours_per_week,
        ).order_by(Season.year.desc(), Position.title)
    )
    position_filled = dict(
        rows(placements(pid, mine, Placement.position_id, func.count(Placement.id)).group_by(Placement.position_id))
    )
    return Table(
        "positions",
        "Positions",
        ["Position", "Season", "Seats", "Filled", "Hourly pay", "Hours per week"],
        [
            PositionRow(title, year, slots, position_filled.get(position_id, 0), hourly, hours_)
            for position_id, year, title, slots, hourly, hours_ in per_position
        ],
    )


def _intern_kinds_table(pid: int, mine: DashboardFilters) -> Table:
    kinds = rows(
        placements(pid, mine, College.kind, func.count(Placement.id), college=True)
        .group_by(College.kind)
        .order_by(func.count(Placement.id).desc())
    )
    return Table(
        "kinds",
        "Interns by college kind",
        ["College kind", "Interns"],
        [InternKindRow(kind_label(kind), n) for kind, n in kinds],
        Chart("hbar", [1], "Interns by college kind"),
    )
