"""The max-stable pre-processing removes only pairs no weakly stable matching uses."""

from __future__ import annotations

from hypothesis import given, settings
from solver_testkit import PROPERTY, all_matchings, instances, stable_matchings

from solver import Problem, solve
from solver.checks import blocking_pairs
from solver.cpsat_data import CpData
from solver.cpsat_reduce import reduce_pairs


@settings(PROPERTY, max_examples=300)
@given(data=instances(max_students=6, max_positions=4, overrides=True))
def test_every_weakly_stable_matching_uses_only_kept_pairs(data):
    problem = Problem.from_dict(data)
    cp = CpData(problem)

    kept = {(s, p) for s, p, _, _ in reduce_pairs(cp.pairs, cp.free_slots)} | set(cp.locks)

    used = {(s, p) for m in stable_matchings(problem) for s, p in enumerate(m) if p >= 0}
    assert used <= kept
    # and the stability rows of the removed pairs are not needed: a matching of kept pairs that
    # no kept pair blocks is blocked by no pair at all
    for m in all_matchings(problem):
        if all(p < 0 or (s, p) in kept for s, p in enumerate(m)):
            pairs = set(blocking_pairs(problem, m))
            assert not pairs or pairs & kept, (m, pairs)


@settings(PROPERTY, max_examples=40)
@given(data=instances(max_students=6, max_positions=4, overrides=True))
def test_max_stable_is_as_large_as_the_largest_weakly_stable_matching(data):
    problem = Problem.from_dict(data)

    solution = solve(problem, mode="max-stable", time_limit_s=5)

    best = max((sum(p >= 0 for p in m) for m in stable_matchings(problem)), default=0)
    assert solution.status == "optimal" and solution.stats["matched"] == best
    assert solution.blocking_pairs == []
