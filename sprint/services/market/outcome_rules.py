"""The rules an outcome of an internship (StudentOutcome) must keep, read by both ways of recording
one: the forms (matching.student_outcomes) and the CSV import (directory.csv_import_kinds), which may
not import each other. Here beside the pay rules of positions; no writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from ...models import OutcomeKind, Placement, utcnow
from ...models.enums import ACCEPTED_PLACEMENTS, HOST_OUTCOMES
from ..errors import ServiceError
from ..support.local_time import to_local, zone_of

MAX_WAGE = Decimal("500")


def kind_choices(host: bool = False) -> list[tuple[str, str]]:
    """(kind, label) for a form; a host records only hired_by_host and return_offer."""
    return [(kind.value, kind.label) for kind in OutcomeKind if not host or kind in HOST_OUTCOMES]


def parse_wage(text: str | Decimal | None) -> Decimal | None:
    """An hourly wage in dollars (0 to 500, cents at most), or None when blank."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        wage = Decimal(str(text).strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise ServiceError(f"The hourly wage {text!s} is not a number of dollars.", "hourly_wage") from None
    if not wage.is_finite() or wage < 0 or wage > MAX_WAGE:
        raise ServiceError(f"The hourly wage must be between $0 and ${MAX_WAGE}.", "hourly_wage")
    if wage != wage.quantize(Decimal("0.01")):
        raise ServiceError("The hourly wage has at most two decimals (cents).", "hourly_wage")
    return wage.quantize(Decimal("0.01"))


def check(
    placement: Placement, kind: str, occurred_on: date | None, hourly_wage, employer: str, note: str
) -> tuple[OutcomeKind, Decimal | None, str, str]:
    """Validate one outcome for `placement` (shared by the form and the CSV import); the cleaned values."""
    try:
        kind = OutcomeKind(kind)
    except ValueError:
        raise ServiceError(f"{kind or 'An empty kind'} is not an outcome this program records.", "kind") from None
    if placement.status not in ACCEPTED_PLACEMENTS:
        raise ServiceError(f"This placement is {placement.status}: outcomes follow an internship the student accepted.")
    if occurred_on is not None:
        if occurred_on > to_local(utcnow(), zone_of(placement.season.program)).date():  # today, in the program's zone
            raise ServiceError("The date of an outcome cannot be in the future.", "occurred_on")
        if occurred_on.year < placement.season.year:
            raise ServiceError(f"The date is before the internship's season ({placement.season.year}).", "occurred_on")
    wage = parse_wage(hourly_wage)
    employer, note = (employer or "").strip(), (note or "").strip()
    if len(employer) > 200:
        raise ServiceError("The employer's name is at most 200 characters.", "employer")
    if len(note) > 500:
        raise ServiceError("The note is at most 500 characters.", "note")
    return kind, wage, employer, note
