"""Figures as people read them: shares as percentages, money in dollars, rates that respect the small-cell rule.

The dashboards and the match-run reports show their numbers through these, so a figure reads the same on
every page and in every CSV export."""

from __future__ import annotations

from decimal import Decimal

from .privacy import HIDDEN, too_small


class Percent(float):
    """A share between 0 and 1, shown as a percentage."""

    def __str__(self) -> str:
        return f"{self * 100:.1f}%"


def rate(numerator: int, denominator: int, protect: bool = False) -> Percent | str | None:
    """numerator / denominator; with protect, "<5" when either side counts fewer than five people."""
    if protect and too_small(numerator, denominator):
        return HIDDEN
    return Percent(numerator / denominator) if denominator else None


def show(cell: object) -> str:
    """How a cell reads on a page and in a CSV export."""
    if cell is None:
        return "–"
    if isinstance(cell, Decimal):
        return f"${cell:,.2f}"
    if isinstance(cell, float) and not isinstance(cell, Percent):
        return f"{cell:.1f}"
    return str(cell)
