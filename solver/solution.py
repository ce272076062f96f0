"""The Solution returned by ``solve`` and its JSON result form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .checks import blocking_pairs
from .collector import collector_paused
from .explain import Explanations, explain
from .model import Problem
from .stats import assigned_tiers, compute_stats

__all__ = ["Solution", "build_solution"]


@dataclass(frozen=True, eq=False)
class Solution:
    """A matching with its diagnostics; ``to_dict`` gives the result JSON."""

    problem: Problem = field(repr=False)
    match: tuple[int, ...] = field(repr=False)  # position index per student, -1 = unmatched
    mode: str = "stable"
    status: str = "optimal"  # optimal | feasible | infeasible | unknown
    assignments: list[dict[str, Any]] = field(default_factory=list, repr=False)
    unmatched_students: list[str] = field(default_factory=list, repr=False)
    unfilled: dict[str, int] = field(default_factory=dict, repr=False)
    blocking_pairs: list[tuple[str, str]] = field(default_factory=list, repr=False)
    stats: Mapping[str, Any] = field(default_factory=dict, repr=False)
    explanations: Explanations | None = field(default=None, repr=False)  # rows on read
    tie_break: Mapping[str, Any] = field(default_factory=dict, repr=False)
    solver: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def matching(self) -> dict[str, str]:
        """Student id -> position id for every matched student."""
        return {a["student"]: a["position"] for a in self.assignments}

    def to_dict(self) -> dict[str, Any]:
        """The result JSON (see schema/result.schema.json)."""
        return {
            "assignments": self.assignments,
            "unmatched_students": self.unmatched_students,
            "unfilled": self.unfilled,
            "blocking_pairs": [list(pair) for pair in self.blocking_pairs],
            "stats": dict(self.stats),
            "explanations": None if self.explanations is None else self.explanations.blocks,
            "tie_break": dict(self.tie_break),
            "solver": dict(self.solver),
        }


@collector_paused
def build_solution(
    problem: Problem,
    match: list[int],
    *,
    mode: str,
    status: str,
    solver: dict[str, Any],
    tie_break: dict[str, Any],
    with_explanations: bool,
) -> Solution:
    """Assemble assignments, checker results, statistics and explanations."""
    sid, pid = problem.student_ids, problem.position_ids
    student_tiers, position_tiers = tiers = assigned_tiers(problem, match)
    assignments = [
        {"student": sid[s], "position": pid[p], "student_rank": student_tiers[s], "position_rank": position_tiers[s]}
        for s, p in enumerate(match)
        if p >= 0
    ]
    blocking = [(sid[s], pid[p]) for s, p in blocking_pairs(problem, match)]
    loads = np.bincount(np.asarray([p for p in match if p >= 0], dtype=np.int64), minlength=len(pid)).tolist()
    unfilled = {pid[p]: cap - load for p, (cap, load) in enumerate(zip(problem.capacities, loads)) if load < cap}
    return Solution(
        problem=problem,
        match=tuple(match),
        mode=mode,
        status=status,
        assignments=assignments,
        unmatched_students=[sid[s] for s, p in enumerate(match) if p < 0],
        unfilled=unfilled,
        blocking_pairs=blocking,
        stats={
            **compute_stats(problem, match, tiers, len(blocking), loads),
            "solve_time_s": solver.get("solve_time_s"),
        },
        explanations=Explanations(explain(problem, match, mode)) if with_explanations else None,
        tie_break=tie_break,
        solver=solver,
    )
