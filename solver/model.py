"""The matching problem as immutable plain data, interned to integer indices.

Students and positions are numbered in input order; preference lists hold
indices, best first. A list without ties has ``tiers`` None (entry i is tier
i + 1); otherwise ``tiers[i]`` is the 1-based tier of entry i, so entries that
share a tier are tied. ``Problem.from_dict`` validates the instance JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .collector import collector_paused
from .constraints import CollegeCap, Constraints
from .pairs import PairArrays, pair_arrays
from .validate import parse_fields, problem_to_dict

__all__ = ["CollegeCap", "Constraints", "Problem"]

Prefs = tuple[int, ...]
Tiers = tuple[int, ...] | None


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated instance; treat every field as read-only."""

    student_ids: tuple[str, ...]
    position_ids: tuple[str, ...]
    student_prefs: tuple[Prefs, ...]
    student_tiers: tuple[Tiers, ...]
    position_prefs: tuple[Prefs, ...]
    position_tiers: tuple[Tiers, ...]
    capacities: tuple[int, ...]
    colleges: tuple[str | None, ...]
    groups: tuple[tuple[str, ...], ...]
    hosts: tuple[str | None, ...]
    constraints: Constraints = field(default_factory=Constraints)
    student_index: Mapping[str, int] = field(default_factory=dict, repr=False)
    position_index: Mapping[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    @collector_paused
    def from_dict(cls, data: Any) -> Problem:
        """Validate instance JSON data (see schema/instance.schema.json)."""
        return cls(**parse_fields(data))

    def to_dict(self) -> dict[str, Any]:
        """The instance JSON this problem was built from (normalised)."""
        return problem_to_dict(self)

    @cached_property
    def position_rank(self) -> tuple[dict[int, int], ...]:
        """For each position, the tier it gives each student it listed."""
        ranks = []
        for prefs, tiers in zip(self.position_prefs, self.position_tiers):
            ranks.append(dict(zip(prefs, tiers or range(1, len(prefs) + 1))))
        return tuple(ranks)

    @cached_property
    def pairs(self) -> PairArrays:
        """Every listed pair as flat numpy arrays (see solver.pairs), built on first use."""
        return pair_arrays(self)

    @cached_property
    def has_ties(self) -> bool:
        """True if any list, on either side, puts two entries in one tier."""
        return any(t is not None for t in self.student_tiers) or any(t is not None for t in self.position_tiers)

    @cached_property
    def locked(self) -> dict[int, int]:
        """Locked student index -> position index."""
        return dict(self.constraints.lock)

    def student_tier(self, s: int, p: int) -> int | None:
        """The tier student s gave position p, or None if not listed."""
        prefs = self.student_prefs[s]
        try:
            i = prefs.index(p)
        except ValueError:
            return None
        tiers = self.student_tiers[s]
        return i + 1 if tiers is None else tiers[i]

    def acceptable(self, s: int, p: int) -> bool:
        """Both listed each other and no coordinator forbade the pair."""
        return s in self.position_rank[p] and (s, p) not in self.constraints.forbid and p in self.student_prefs[s]
