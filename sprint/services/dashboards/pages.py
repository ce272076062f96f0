"""Which builder draws which dashboard page: one table, read by the view; no registry filled at import time."""

from __future__ import annotations

from collections.abc import Callable

from ...models import Program
from . import colleges, equity, funder, hosts, program
from .common import DashboardFilters, DashboardPage

WHOLE_PROGRAM: dict[str, Callable[[Program, DashboardFilters], DashboardPage]] = {
    "overview": program.overview,
    "quality": program.match_quality,
    "colleges": colleges.colleges,
    "hosts": hosts.hosts,
    "equity": equity.equity,
    "report": funder.season_report,
}
ONE_SUBJECT: dict[str, Callable[[Program, DashboardFilters, int], DashboardPage]] = {
    "college": colleges.college_page,
    "host": hosts.host_page,
}


def build(program_row: Program, name: str, filters: DashboardFilters, subject: int | None = None) -> DashboardPage:
    """One dashboard page of a program (from `program_for`); LookupError for an unknown page or subject."""
    if subject is None and name in WHOLE_PROGRAM:
        return WHOLE_PROGRAM[name](program_row, filters)
    if subject is not None and name in ONE_SUBJECT:
        return ONE_SUBJECT[name](program_row, filters, subject)
    raise LookupError(name)
