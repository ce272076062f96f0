"""CSV downloads that are safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by
Excel, LibreOffice or Google Sheets; such cells get a leading apostrophe so they stay text.
Any list in the app can be exported with `to_csv(headers, rows)`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .local_time import to_local, zone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object, tz: ZoneInfo | None = None) -> str:
    """The text of one cell, neutralised when a spreadsheet would read it as a formula; a stored
    instant is written in the program's zone `tz` with its offset ("2027-03-15 23:59 -04:00")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return str(value)  # a number is data, even when negative
    if isinstance(value, datetime):
        local = to_local(value, tz or zone(None))
        return f"{local:%Y-%m-%d %H:%M} {local.isoformat()[-6:]}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(headers: Iterable[str], rows: Iterable[Iterable[object]], tz: ZoneInfo | None = None) -> str:
    """The whole file as text (UTF-8 with a BOM when encoded, so Excel reads accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header in headers])
    for row in rows:
        writer.writerow([safe_cell(value, tz) for value in row])
    return buffer.getvalue()


def to_csv_bytes(headers: Iterable[str], rows: Iterable[Iterable[object]], tz: ZoneInfo | None = None) -> bytes:
    return ("\ufeff" + to_csv(headers, rows, tz)).encode("utf-8")


def to_csv_sections(
    sections: Iterable[tuple[str, Iterable[str], Iterable[Iterable[object]]]], tz: ZoneInfo | None = None
) -> bytes:
    """Several tables in one file, each as its title on a row of its own, its header, its rows and a blank
    row: a report a spreadsheet opens as it prints."""
    parts = []
    for title, headers, rows in sections:
        parts.append(to_csv([title], []) + to_csv(headers, rows, tz) + "\r\n")
    return ("\ufeff" + "".join(parts)).encode("utf-8")
