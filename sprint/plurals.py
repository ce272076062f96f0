"""Counted nouns in plain English ("1 coordinator", "3 coordinators"), for pages, emails and messages."""

from __future__ import annotations

IRREGULAR = {"match": "matches", "company": "companies", "college": "colleges", "person": "people"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """The count and the noun, singular for exactly one: counted(1, "seat") == "1 seat"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count:,} {plural or IRREGULAR.get(noun) or noun + 's'}"
