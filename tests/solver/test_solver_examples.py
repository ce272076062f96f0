"""Hand-made tiny instances with known answers."""

from __future__ import annotations

import pytest

from solver import SOLVER_VERSION, ModeError, Problem, check, solve
from solver.explain_text import render


def _problem(students, positions, constraints=None):
    data = {
        "students": [{"id": s, "prefs": prefs, **extra} for s, prefs, extra in students],
        "positions": [{"id": p, "capacity": cap, "prefs": prefs, **extra} for p, cap, prefs, extra in positions],
    }
    if constraints:
        data["constraints"] = constraints
    return Problem.from_dict(data)


@pytest.fixture
def classic():
    """Two students, two positions, opposite preferences: two stable matchings."""
    return _problem(
        [("s1", ["p1", "p2"], {}), ("s2", ["p2", "p1"], {})], [("p1", 1, ["s2", "s1"], {}), ("p2", 1, ["s1", "s2"], {})]
    )


def test_stable_gives_students_their_first_choices(classic):
    solution = solve(classic)

    assert solution.matching == {"s1": "p1", "s2": "p2"}
    assert solution.blocking_pairs == []
    assert solution.status == "optimal"


def test_stable_hosts_gives_positions_their_first_choices(classic):
    solution = solve(classic, mode="stable-hosts")

    assert solution.matching == {"s1": "p2", "s2": "p1"}
    assert solution.stats["student_rank_histogram"] == {"2": 2}


def test_a_pair_matches_only_if_each_listed_the_other():
    problem = _problem([("s1", ["p1"], {}), ("s2", ["p1"], {})], [("p1", 2, ["s2"], {})])

    solution = solve(problem)

    assert solution.matching == {"s2": "p1"}
    assert solution.unmatched_students == ["s1"]
    assert solution.unfilled == {"p1": 1}
    assert solution.explanations["students"]["s1"][0]["reason"] == "not_ranked"


def test_empty_instance_and_zero_capacity_are_handled():
    empty = Problem.from_dict({"students": [], "positions": []})
    closed = _problem([("s1", ["p1"], {})], [("p1", 0, ["s1"], {})])

    nothing = solve(empty)
    none_placed = solve(closed)

    assert nothing.to_dict()["assignments"] == []
    assert nothing.stats["matched"] == 0
    assert none_placed.unmatched_students == ["s1"]
    assert none_placed.explanations["students"]["s1"][0]["reason"] == "no_slots"


def test_filled_explanation_keeps_ranks_for_the_coordinator_and_hides_them_from_the_student():
    problem = _problem(
        [("s1", ["p1"], {}), ("s2", ["p1"], {}), ("s3", ["p1"], {})], [("p1", 2, ["s2", "s3", "s1"], {})]
    )

    entry = solve(problem).explanations["students"]["s1"][0]

    assert entry["reason"] == "filled"
    assert entry["holder_ranks"] == [1, 2]
    assert entry["your_rank"] == 3
    assert render(entry, "student") == (
        "p1 had no seat for you under its host's ranking and the match rules (hosts' rankings stay confidential)."
    )
    assert render(entry, "coordinator") == (
        "p1 filled its 2 slot(s) with candidates it ranked higher than this student "
        "(their ranks: 1, 2; this student: 3)."
    )
    assert "s2" not in render(entry, "coordinator") and "s3" not in render(entry, "coordinator")


def test_position_explanations_do_not_say_where_a_candidate_went():
    problem = _problem([("s1", ["p2", "p1"], {})], [("p1", 1, ["s1"], {}), ("p2", 1, ["s1"], {})])

    entries = solve(problem).explanations["positions"]["p1"]

    assert entries == [{"student": "s1", "reason": "preferred_other", "matched_elsewhere": True}]
    assert render(entries[0], "host") == "This candidate was matched elsewhere."
    assert render(entries[0], "coordinator") == "This candidate matched a position they ranked higher."


def test_ties_are_broken_by_a_recorded_lottery():
    problem = _problem([("s1", ["p1"], {}), ("s2", ["p1"], {})], [("p1", 1, [["s1", "s2"]], {})])

    winners = {seed: solve(problem, seed=seed).matching for seed in range(8)}
    loser = solve(problem, seed=0).explanations["students"]

    assert {tuple(m) for m in winners.values()} == {("s1",), ("s2",)}
    assert winners[3] == solve(problem, seed=3).matching
    assert solve(problem, seed=0).tie_break["method"] == "single-lottery"
    assert next(iter(loser.values()))[0]["reason"] == "lottery"


def test_max_stable_beats_an_unlucky_lottery():
    # s1 is indifferent; if the lottery sends s1 to p1, s2 (who only wants p1) is left out.
    problem = _problem(
        [("s1", [["p1", "p2"]], {}), ("s2", ["p1"], {})], [("p1", 1, [["s1", "s2"]], {}), ("p2", 1, ["s1"], {})]
    )

    sizes = {solve(problem, seed=seed).stats["matched"] for seed in range(10)}
    best = solve(problem, mode="max-stable")

    assert sizes == {1, 2}
    assert best.matching == {"s1": "p2", "s2": "p1"}
    assert best.solver["status"] == "optimal" and best.solver["gap"] == 0


def test_forbid_removes_a_pair_and_lock_uses_a_slot():
    constraints = {"forbid": [["s1", "p1"]], "lock": [["s3", "p2"]]}
    problem = _problem(
        [("s1", ["p1", "p2"], {}), ("s2", ["p2"], {}), ("s3", ["p1"], {})],
        [("p1", 1, ["s1", "s3"], {}), ("p2", 1, ["s1", "s2"], {})],
        constraints,
    )

    for mode in ("stable", "stable-hosts", "max-stable", "welfare"):
        solution = solve(problem, mode=mode)
        assert solution.matching == {"s3": "p2"}, mode
        assert check(problem, solution).feasible
    reasons = [e["reason"] for e in solve(problem).explanations["students"]["s1"]]
    assert reasons == ["forbidden", "filled"]


def test_stable_modes_refuse_side_constraints():
    problem = _problem(
        [("s1", ["p1"], {"college": "c"})], [("p1", 1, ["s1"], {})], {"college_cap": {"per": "host", "max": 1}}
    )

    with pytest.raises(ModeError, match="cannot honour college_cap; use mode 'max-stable'"):
        solve(problem, mode="stable")


def test_college_cap_is_respected_and_explained():
    problem = _problem(
        [("s1", ["p1"], {"college": "c"}), ("s2", ["p2"], {"college": "c"})],
        [("p1", 1, ["s1"], {"host": "h"}), ("p2", 1, ["s2"], {"host": "h"})],
        {"college_cap": {"per": "host", "max": 1}},
    )

    solution = solve(problem, mode="max-stable")
    entry = solution.explanations["students"][solution.unmatched_students[0]][0]

    assert solution.stats["matched"] == 1
    assert solution.blocking_pairs == []  # the cap makes the left-out student's claim void
    assert entry["reason"] == "college_cap"
    assert solution.stats["placements_per_college"] == {"c": 1}


def test_a_group_floor_is_met_and_its_cost_is_listed():
    problem = _problem(
        [("s1", ["p1"], {}), ("s2", ["p1"], {"groups": ["first_gen"]})],
        [("p1", 1, ["s1", "s2"], {})],
        {"group_floor": [{"group": "first_gen", "min": 1}]},
    )

    solution = solve(problem, mode="max-stable")

    assert solution.matching == {"s2": "p1"}
    assert solution.blocking_pairs == [("s1", "p1")]
    assert solution.explanations["students"]["s1"][0]["reason"] == "objective"
    assert solution.status == "optimal"


def test_an_impossible_floor_is_reported_infeasible():
    problem = _problem(
        [("s1", ["p1"], {"groups": ["g"]})], [("p1", 1, [], {})], {"group_floor": [{"group": "g", "min": 1}]}
    )

    solution = solve(problem, mode="max-stable")

    assert solution.status == "infeasible"
    assert solution.assignments == []


def test_host_capacity_limits_a_host_across_positions():
    problem = _problem(
        [("s1", ["p1"], {}), ("s2", ["p2"], {})],
        [("p1", 1, ["s1"], {"host": "h"}), ("p2", 1, ["s2"], {"host": "h"})],
        {"host_capacity": {"h": 1}},
    )

    solution = solve(problem, mode="welfare")
    left = solution.unmatched_students[0]

    assert solution.stats["matched"] == 1
    assert solution.explanations["students"][left][0]["reason"] == "host_capacity"


def test_welfare_places_more_but_reports_its_blocking_pairs():
    problem = _problem(
        [("s1", ["p1", "p2"], {}), ("s2", ["p1"], {})], [("p1", 1, ["s1", "s2"], {}), ("p2", 1, ["s1"], {})]
    )

    stable = solve(problem)
    welfare = solve(problem, mode="welfare")

    assert stable.matching == {"s1": "p1"}
    assert welfare.matching == {"s1": "p2", "s2": "p1"}
    assert welfare.blocking_pairs == [("s1", "p1")]
    assert welfare.stats["blocking_pairs"] == 1


def test_result_carries_the_documented_sections(classic):
    result = solve(classic).to_dict()

    assert list(result) == [
        "assignments",
        "unmatched_students",
        "unfilled",
        "blocking_pairs",
        "stats",
        "explanations",
        "tie_break",
        "solver",
    ]
    assert result["assignments"][0] == {"student": "s1", "position": "p1", "student_rank": 1, "position_rank": 2}
    assert result["solver"]["version"] == SOLVER_VERSION
    assert result["stats"]["position_rank_histogram"] == {"2": 2}
    assert result["solver"]["solve_time_s"] >= 0


def test_problem_round_trips_through_its_dict():
    data = {
        "students": [{"id": "s1", "prefs": ["p2", ["p1", "p3"]], "college": "c", "groups": ["g"]}],
        "positions": [{"id": p, "capacity": 1, "prefs": ["s1"], "host": "h"} for p in ("p1", "p2", "p3")],
        "constraints": {
            "college_cap": {"per": "position", "max": 1},
            "group_floor": [{"group": "g", "min": 1}],
            "host_capacity": {"h": 2},
            "lock": [["s1", "p3"]],
            "forbid": [["s1", "p1"]],
        },
    }

    assert Problem.from_dict(data).to_dict() == data
