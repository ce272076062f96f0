"""On strict instances, 'stable' equals the `matching` library's resident-optimal answer.

`matching` is a test-only peer. It needs mutual, non-empty lists and capacities
of at least 1 (it crashes otherwise), and its deep copy needs a big stack.
"""

from __future__ import annotations

import sys
import threading

from hypothesis import given
from matching.games import HospitalResident
from solver_testkit import PROPERTY, instances

from solver import Problem, generate, solve


def _library_matching(problem: Problem) -> dict[str, str]:
    sid, pid = problem.student_ids, problem.position_ids
    residents = {}
    for s, prefs in enumerate(problem.student_prefs):
        mutual = [pid[p] for p in prefs if problem.capacities[p] > 0 and problem.acceptable(s, p)]
        if mutual:
            residents[sid[s]] = mutual
    hospitals = {}
    for p, prefs in enumerate(problem.position_prefs):
        mutual = [sid[s] for s in prefs if sid[s] in residents and pid[p] in residents[sid[s]]]
        if mutual:
            hospitals[pid[p]] = mutual
    if not residents:
        return {}
    capacities = {h: problem.capacities[problem.position_index[h]] for h in hospitals}
    game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    found = game.solve(optimal="resident")
    return {r.name: h.name for h, held in found.items() for r in held}


def _with_big_stack(function, *args):
    """Run in a thread with a 512 MiB stack and a high recursion limit."""
    box: dict[str, object] = {}
    old_limit, old_size = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(10**6)
    threading.stack_size(512 * 1024 * 1024)
    try:
        worker = threading.Thread(target=lambda: box.setdefault("value", function(*args)))
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    return box["value"]


@PROPERTY
@given(data=instances(ties=False, max_students=6, max_positions=4))
def test_stable_equals_the_library_on_strict_instances(data):
    problem = Problem.from_dict(data)

    ours = solve(problem, explain=False).matching

    assert ours == _library_matching(problem)


def test_stable_equals_the_library_on_a_generated_instance_of_1000_students():
    problem = Problem.from_dict(generate(students=1000, seed=7))

    ours = solve(problem, explain=False).matching
    theirs = _with_big_stack(_library_matching, problem)

    assert len(ours) > 800
    assert ours == theirs


def test_stable_hosts_equals_the_library_hospital_optimal_answer():
    problem = Problem.from_dict(generate(students=200, seed=3))
    sid, pid = problem.student_ids, problem.position_ids
    residents = {sid[s]: [pid[p] for p in prefs] for s, prefs in enumerate(problem.student_prefs)}
    hospitals = {pid[p]: [sid[s] for s in prefs] for p, prefs in enumerate(problem.position_prefs) if prefs}
    capacities = {h: problem.capacities[problem.position_index[h]] for h in hospitals}

    game = _with_big_stack(HospitalResident.create_from_dictionaries, residents, hospitals, capacities)
    theirs = {r.name: h.name for h, held in game.solve(optimal="hospital").items() for r in held}

    assert solve(problem, mode="stable-hosts", explain=False).matching == theirs
