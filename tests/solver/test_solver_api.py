"""The public API surface the Flask adapter relies on, and the shipped schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import solver
from solver import InstanceError, Problem, check, solve
from solver.explain import REASONS
from solver.explain import __doc__ as explain_doc

SCHEMA = Path(solver.__file__).parent / "schema"
INSTANCE = {
    "students": [{"id": "s1", "prefs": ["p1"]}, {"id": "s2", "prefs": ["p1"]}],
    "positions": [{"id": "p1", "capacity": 1, "prefs": ["s2", "s1"]}],
}


def test_public_names_are_exported():
    assert set(solver.__all__) == {
        "AUDIENCES",
        "MODES",
        "SOLVER_VERSION",
        "CheckReport",
        "InstanceError",
        "ModeError",
        "Problem",
        "Solution",
        "check",
        "explanation_rows",
        "generate",
        "render_explanation",
        "solve",
    }


def test_result_keys_match_the_result_schema():
    schema = json.loads((SCHEMA / "result.schema.json").read_text())

    result = solve(Problem.from_dict(INSTANCE)).to_dict()

    assert sorted(result) == sorted(schema["required"])
    assert set(schema["properties"]["stats"]["required"]) <= set(result["stats"])
    assert set(schema["properties"]["solver"]["required"]) <= set(result["solver"])


def test_instance_schema_names_every_accepted_key():
    schema = json.loads((SCHEMA / "instance.schema.json").read_text())
    constraints = schema["$defs"]["constraints"]["properties"]

    assert set(schema["properties"]) == {"students", "positions", "constraints"}
    assert set(constraints) == {"college_cap", "group_floor", "host_capacity", "lock", "forbid"}


def test_every_reason_is_listed_in_the_schema_and_the_docs():
    schema = json.loads((SCHEMA / "result.schema.json").read_text())
    reasons = schema["$defs"]["reason"]["enum"]
    block = schema["$defs"]["studentBlock"]

    assert all(f"``{reason}``" in explain_doc for reason in reasons)
    assert set(reasons) == set(REASONS)
    result = solve(Problem.from_dict(INSTANCE)).to_dict()["explanations"]
    assert set(block["required"]) <= set(result["students"]["s1"]) <= set(block["properties"])


def test_check_accepts_a_solution_or_its_dict():
    problem = Problem.from_dict(INSTANCE)
    solution = solve(problem)

    from_object = check(problem, solution)
    from_dict = check(problem, json.loads(json.dumps(solution.to_dict())))

    assert from_object == from_dict
    assert from_object.feasible and from_object.blocking_pairs == []


def test_check_reports_a_blocking_pair_and_a_double_assignment():
    problem = Problem.from_dict(INSTANCE)

    unstable = check(problem, {"assignments": [{"student": "s1", "position": "p1"}]})
    doubled = check(
        problem, {"assignments": [{"student": "s2", "position": "p1"}, {"student": "s2", "position": "p1"}]}
    )

    assert unstable.feasible and unstable.blocking_pairs == [("s2", "p1")]
    assert not doubled.feasible
    assert doubled.violations == ["student 's2' is assigned more than once"]


def test_check_names_unknown_ids_in_a_result():
    problem = Problem.from_dict(INSTANCE)

    with pytest.raises(InstanceError, match=r"result.assignments\[0\]: unknown student 'zz'"):
        check(problem, {"assignments": [{"student": "zz", "position": "p1"}]})


def test_importing_the_package_and_checker_loads_no_ortools():
    code = "import sys, solver, solver.checks; assert not any(m.startswith('ortools') for m in sys.modules)"

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(solver.__file__).parents[1], check=False
    )

    assert done.returncode == 0, done.stderr


def test_stable_mode_does_not_load_ortools():
    code = (
        "import sys, solver; p = solver.Problem.from_dict(" + repr(INSTANCE) + "); "
        "solver.solve(p); assert 'ortools' not in sys.modules"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(solver.__file__).parents[1], check=False
    )

    assert done.returncode == 0, done.stderr


def test_unknown_mode_and_bad_seed_are_value_errors():
    problem = Problem.from_dict(INSTANCE)

    with pytest.raises(ValueError, match="mode: must be one of"):
        solve(problem, mode="fastest")
    with pytest.raises(ValueError, match="seed: must be a non-negative integer"):
        solve(problem, seed=-1)


def test_the_package_docstring_example_runs():
    import doctest

    outcome = doctest.testmod(solver)

    assert outcome.attempted >= 2
    assert outcome.failed == 0


def test_the_garbage_collector_pauses_for_the_python_steps_only_and_stays_on_through_cp_sat(monkeypatch):
    """The solver runs in web and queue processes, where a pause stops the collector for every thread:
    it covers parsing, a stable solve and assembling the result (a second at most at 50,000 students),
    never a CP-SAT search of up to the user's time limit, and the collector runs again afterwards."""
    import gc

    import solver.cpsat
    import solver.deferred_acceptance
    import solver.solution

    seen: dict[str, list[bool]] = {}

    def spy(module, name):
        real = getattr(module, name)

        def wrapped(*args, **kwargs):
            seen.setdefault(name, []).append(gc.isenabled())
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)

    spy(solver.cpsat, "solve_cpsat")
    spy(solver.solution, "explain")
    spy(solver.deferred_acceptance, "_propose")
    problem = Problem.from_dict(INSTANCE)
    assert gc.isenabled()

    solve(problem)
    solve(problem, mode="max-stable", time_limit_s=2)

    assert seen == {"_propose": [False, True], "explain": [False, False], "solve_cpsat": [True]}
    assert gc.isenabled()
