"""Charts drawn server-side as SVG with pygal, from the same table the page shows."""

from __future__ import annotations

from decimal import Decimal

import pygal
from pygal.style import Style

from .common import HIDDEN, Percent, Table, show

STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#1f5f8b", "#e07b39", "#3c9d5d", "#8e5ea2", "#c94f4f", "#6c757d"),
)
KINDS = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "line": pygal.Line, "hbar": pygal.HorizontalBar}


def plotted(cell: object) -> float | None:
    """A cell as a chart value: rates in percent; hidden ("<5") and missing cells are left out."""
    if cell is None or cell == HIDDEN or isinstance(cell, str):
        return None
    if isinstance(cell, Percent):
        return round(cell * 100, 1)
    if isinstance(cell, Decimal):
        return float(cell)
    return cell


WIDTH = 800
LABEL_CHARACTER_PX = 7.5  # about, at pygal's default label size


def _rotation(labels: list[str]) -> int:
    """Slant the x labels when, written flat, they would not fit beside each other (long group names)."""
    room = (WIDTH - 120) / max(len(labels), 1)
    widest = max((len(label) for label in labels), default=0) * LABEL_CHARACTER_PX
    return 35 if widest > room else 0


def render(table: Table) -> str:
    """The table's chart as an SVG document (no scripts, no XML declaration)."""
    chart_spec = table.chart
    if chart_spec is None:
        raise LookupError(table.key)
    labels = [show(row[0]) for row in table.rows]
    rows = list(reversed(table.rows)) if chart_spec.kind == "hbar" else table.rows
    chart = KINDS[chart_spec.kind](
        title=chart_spec.title or table.title,
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        x_labels=list(reversed(labels)) if chart_spec.kind == "hbar" else labels,
        show_legend=len(chart_spec.series) > 1,
        legend_at_bottom=True,
        print_values=len(rows) <= 12,
        x_label_rotation=_rotation(labels) if chart_spec.kind != "hbar" else 0,
        width=WIDTH,
        height=420,
        truncate_label=40,
        no_data_text="No data",
        margin_right=56,
    )  # room for the value printed on the last point or the longest bar
    for column in chart_spec.series:
        chart.add(table.columns[column], [plotted(row[column]) for row in rows])
    return chart.render()


def alt_text(table: Table) -> str:
    """The chart's text alternative: its title and every number it shows."""
    chart_spec = table.chart
    if chart_spec is None or not table.rows:
        return f"{table.title}: no data."
    parts = []
    for row in table.rows:
        values = ", ".join(f"{table.columns[column]} {show(row[column])}" for column in chart_spec.series)
        parts.append(f"{show(row[0])}: {values}")
    return f"{chart_spec.title or table.title}. " + "; ".join(parts) + "."
