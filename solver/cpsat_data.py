"""The sparse data the CP-SAT models are built from (pairs grouped by tier)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .cpsat_reduce import reduce_pairs
from .model import Problem

__all__ = ["CpData"]


class CpData:
    """Mutually acceptable, allowed pairs of unlocked students, grouped by tier.

    ``pairs`` holds (s, p, student tier, position tier); locked pairs are kept
    apart in ``locks`` and use up ``capacities[p] - free_slots[p]`` slots.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        locked = problem.locked
        forbid = problem.constraints.forbid
        ranks = problem.position_rank
        self.locks = list(problem.constraints.lock)
        self.free_slots = list(problem.capacities)
        for _, p in self.locks:
            self.free_slots[p] -= 1
        self.pairs: list[tuple[int, int, int, int]] = []
        for s, prefs in enumerate(problem.student_prefs):
            if s in locked:
                continue
            tiers = problem.student_tiers[s] or range(1, len(prefs) + 1)
            for p, ts in zip(prefs, tiers):
                tp = ranks[p].get(s)
                if tp is not None and self.free_slots[p] > 0 and (s, p) not in forbid:
                    self.pairs.append((s, p, ts, tp))
        self._group()

    def _group(self) -> None:
        self.by_student: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.by_position: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for s, p, ts, tp in self.pairs:
            self.by_student[s][ts].append(p)
            self.by_position[p][tp].append(s)

    def reduce(self) -> int:
        """Drop the pairs no weakly stable matching can use (solver.cpsat_reduce); how many.

        Exact without side constraints only (caps and floors change who can block).
        """
        kept = reduce_pairs(self.pairs, self.free_slots)
        removed = len(self.pairs) - len(kept)
        if removed:
            self.pairs = kept
            self._group()
        return removed

    def all_pairs(self) -> list[tuple[int, int]]:
        """Every (s, p) that gets a variable: free pairs, then locked pairs."""
        return [(s, p) for s, p, _, _ in self.pairs] + self.locks

    def scope(self, p: int) -> Any:
        """Where the college cap counts for position p (host or position)."""
        cap = self.problem.constraints.college_cap
        host = self.problem.hosts[p]
        if cap is not None and cap.per == "host" and host is not None:
            return ("h", host)
        return ("p", p)
