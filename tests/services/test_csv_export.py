"""CSV export: cells a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from sprint.services.support.csv_export import safe_cell, to_csv, to_csv_bytes


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_gets_a_leading_apostrophe(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Ana Rivera", "Ana Rivera"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (-5, "-5"),
        (Decimal("21.50"), "21.50"),
        (date(2028, 6, 1), "2028-06-01"),
        (datetime(2028, 6, 1, 13, 30), "2028-06-01 09:30 -04:00"),
    ],
)
def test_ordinary_values_are_written_as_they_are(value, text):
    assert safe_cell(value) == text


def test_a_whole_file_round_trips_through_the_csv_reader_with_formulas_neutralised():
    text = to_csv(["Name", "Note"], [["=cmd|' /C calc'!A0", 'a, "quoted"\nnote'], ["Bo", None]])

    rows = list(csv.reader(io.StringIO(text)))

    assert rows == [["Name", "Note"], ["'=cmd|' /C calc'!A0", 'a, "quoted"\nnote'], ["Bo", ""]]


def test_the_download_starts_with_a_byte_order_mark_for_excel():
    assert to_csv_bytes(["Name"], [["Zo\u00eb"]]).startswith("\ufeffName".encode())
