"""Audit statistics of a matching: counts, rank histograms, placements."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .model import Problem

__all__ = ["assigned_tiers", "compute_stats"]


def assigned_tiers(problem: Problem, match: list[int] | tuple[int, ...]
                   ) -> tuple[list[int | None], list[int | None]]:
    """For each student: their tier of their position, and its tier of them.

    None when unmatched, or when a lock placed a pair that did not list each other.
    """
    ranks = problem.position_rank
    student_side: list[int | None] = [None] * len(match)
    position_side: list[int | None] = [None] * len(match)
    for s, (p, prefs, tiers) in enumerate(zip(match, problem.student_prefs,
                                               problem.student_tiers)):
        if p < 0:
            continue
        position_side[s] = ranks[p].get(s)
        if tiers is None and p in prefs:
            student_side[s] = prefs.index(p) + 1
        elif tiers is not None:
            student_side[s] = problem.student_tier(s, p)
    return student_side, position_side


def _histogram(tiers: list[int | None], unmatched: int) -> dict[str, int]:
    """Tier -> count; None entries beyond the unmatched ones are unlisted lock pairs."""
    counts = Counter(tiers)
    hist = {str(t): counts[t] for t in sorted(k for k in counts if k is not None)}
    unlisted = counts[None] - unmatched
    if unlisted:
        hist["unlisted"] = unlisted
    return hist


def compute_stats(problem: Problem, match: list[int] | tuple[int, ...],
                  tiers: tuple[list[int | None], list[int | None]],
                  blocking: int, load: list[int]) -> dict[str, Any]:
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
