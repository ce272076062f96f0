"""Audit statistics of a matching: counts, rank histograms, placements."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from .model import Problem
from .pairs import NEVER, Placement, take

__all__ = ["assigned_tiers", "compute_stats"]


def assigned_tiers(problem: Problem, match: list[int] | tuple[int, ...]) -> tuple[list[int | None], list[int | None]]:
    """For each student: their tier of their position, and its tier of them.

    None when unmatched, or when a lock placed a pair that did not list each other.
    """
    placed = Placement(problem, match)
    a = placed.a
    student_side = placed.own_tier.copy()
    position_side = np.zeros(len(match), dtype=np.int64)
    owners = a.s_stu[placed.own]
    position_side[owners] = take(a.p_tier, a.j_of_i[placed.own], 0)
    student_tiers: list[int | None] = student_side.tolist()
    position_tiers: list[int | None] = position_side.tolist()
    for s in np.flatnonzero(student_side == NEVER).tolist():  # unmatched, or locked unlisted
        student_tiers[s] = None
        p = match[s]
        position_tiers[s] = problem.position_rank[p].get(s) if p >= 0 else None
    for s in np.flatnonzero(position_side == 0).tolist():
        if position_tiers[s] == 0:
            position_tiers[s] = None
    return student_tiers, position_tiers


def _histogram(tiers: list[int | None], unmatched: int) -> dict[str, int]:
    """Tier -> count; None entries beyond the unmatched ones are unlisted lock pairs."""
    counts = Counter(tiers)
    hist = {str(t): counts[t] for t in sorted(k for k in counts if k is not None)}
    unlisted = counts[None] - unmatched
    if unlisted:
        hist["unlisted"] = unlisted
    return hist


def compute_stats(
    problem: Problem,
    match: list[int] | tuple[int, ...],
    tiers: tuple[list[int | None], list[int | None]],
    blocking: int,
    load: list[int],
) -> dict[str, Any]:
    """Counts, histograms and placements per college and group (load = per position)."""
    matched = sum(load)
    unfilled = sum(max(cap - n, 0) for cap, n in zip(problem.capacities, load))
    colleges: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    if any(problem.colleges) or any(problem.groups):
        for s, p in enumerate(match):
            if p >= 0:
                if problem.colleges[s] is not None:
                    colleges[problem.colleges[s]] += 1
                groups.update(problem.groups[s])
    return {
        "students": len(match),
        "positions": len(problem.capacities),
        "slots": sum(problem.capacities),
        "matched": matched,
        "unmatched": len(match) - matched,
        "unfilled_slots": unfilled,
        "student_rank_histogram": _histogram(tiers[0], len(match) - matched),
        "position_rank_histogram": _histogram(tiers[1], len(match) - matched),
        "blocking_pairs": blocking,
        "placements_per_college": dict(sorted(colleges.items())),
        "placements_per_group": dict(sorted(groups.items())),
    }
