"""Seeded single-lottery tie-breaking.

Method "single-lottery": ``random.Random(seed)`` shuffles the student indices
(input order) and then the position indices. A student's lottery number is
their place in the first shuffle, a position's in the second. Where a position
ties students, the lower student number wins; where a student ties positions,
the lower position number comes first. One lottery is used by every list, so
the same seed and instance always give the same strict instance.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from .model import Problem

__all__ = ["METHOD", "break_ties", "lotteries", "tie_break_record"]

METHOD = "single-lottery"


def lotteries(problem: Problem, seed: int) -> tuple[list[int], list[int]]:
    """Lottery number of each student and of each position for ``seed``."""
    rng = random.Random(seed)
    return _numbers(len(problem.student_ids), rng), _numbers(len(problem.position_ids), rng)


def _numbers(n: int, rng: random.Random) -> list[int]:
    order = list(range(n))
    rng.shuffle(order)
    number = [0] * n
    for place, k in enumerate(order):
        number[k] = place
    return number


def break_ties(problem: Problem, seed: int) -> Problem:
    """The strict instance given by the lottery (the problem itself if strict)."""
    if not problem.has_ties:
        return problem
    student_lot, position_lot = lotteries(problem, seed)
    s_prefs = tuple(
        _strict(prefs, tiers, position_lot) for prefs, tiers in zip(problem.student_prefs, problem.student_tiers)
    )
    p_prefs = tuple(
        _strict(prefs, tiers, student_lot) for prefs, tiers in zip(problem.position_prefs, problem.position_tiers)
    )
    none_s = (None,) * len(s_prefs)
    none_p = (None,) * len(p_prefs)
    strict = replace(
        problem, student_prefs=s_prefs, student_tiers=none_s, position_prefs=p_prefs, position_tiers=none_p
    )
    return strict


def _strict(prefs: tuple[int, ...], tiers: tuple[int, ...] | None, lottery: list[int]) -> tuple[int, ...]:
    if tiers is None:
        return prefs
    order = sorted(range(len(prefs)), key=lambda i: (tiers[i], lottery[prefs[i]]))
    return tuple(prefs[i] for i in order)


def tie_break_record(problem: Problem, seed: int) -> dict[str, Any]:
    """What the result records so that the tie-breaking can be reproduced."""
    return {
        "seed": seed,
        "method": METHOD,
        "ties_present": problem.has_ties,
        "rng": "random.Random(seed).shuffle of student indices, then of position indices "
        "(input order); lower lottery number wins a tie",
    }
