"""Reading one CSV cell: text, choices, yes/no, numbers, dates and skill lists, with plain-word errors."""

from __future__ import annotations

from datetime import date

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class RowProblem(ValueError):
    """One row cannot be imported; the message says why."""


def text_cell(cells: dict, name: str, limit: int, required: bool = False) -> str:
    value = cells.get(name, "")
    if required and not value:
        raise RowProblem(f"{name} is empty.")
    if len(value) > limit:
        raise RowProblem(f"{name} is longer than {limit} characters.")
    return value


def choice_cell(cells: dict, name: str, allowed: type, default) -> str:
    value = cells.get(name, "").lower().replace(" ", "_").replace("-", "_")
    if not value:
        return default
    if value not in {member.value for member in allowed}:
        raise RowProblem(
            f'{name} "{cells[name]}" is not one of: ' + ", ".join(member.value for member in allowed) + "."
        )
    return value


def flag_cell(cells: dict, name: str, default: bool) -> bool:
    value = cells.get(name, "").lower()
    if not value:
        return default
    if value not in YES | NO:
        raise RowProblem(f'{name} "{cells[name]}" should be yes or no.')
    return value in YES


def number_cell(cells: dict, name: str, low: int, high: int, required: bool = True) -> int | None:
    value = cells.get(name, "")
    if not value:
        if required:
            raise RowProblem(f"{name} is empty.")
        return None
    try:
        number = int(value)
    except ValueError:
        raise RowProblem(f'{name} "{value}" is not a whole number.') from None
    if not low <= number <= high:
        raise RowProblem(f"{name} {number} is outside {low} to {high}.")
    return number


def day_cell(cells: dict, name: str) -> date:
    value = cells.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowProblem(f'{name} "{value}" is not a date like 2027-06-01.') from None


def skills_cell(cells: dict, name: str) -> list[str]:
    names = [part.strip().lower() for part in cells.get(name, "").split(";") if part.strip()]
    if any(len(part) > 60 for part in names):
        raise RowProblem(f"a skill in {name} is longer than 60 characters.")
    return sorted(set(names))
