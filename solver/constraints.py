"""Side constraints and coordinator overrides of an instance, as plain data (indices, not ids)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["CollegeCap", "Constraints"]


@dataclass(frozen=True)
class CollegeCap:
    """At most ``max`` students of one college at one host (or one position)."""

    per: str  # "host" or "position"
    max: int


@dataclass(frozen=True)
class Constraints:
    """Optional side constraints and coordinator overrides (indices, not ids)."""

    college_cap: CollegeCap | None = None
    group_floor: tuple[tuple[str, int], ...] = ()
    host_capacity: Mapping[str, int] = field(default_factory=dict)
    lock: tuple[tuple[int, int], ...] = ()
    forbid: frozenset[tuple[int, int]] = frozenset()

    @property
    def has_side(self) -> bool:
        """True if caps, floors or host capacities are present."""
        return bool(self.college_cap or self.group_floor or self.host_capacity)
