"""Shared helpers for the solver tests: instance strategies and brute force."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from solver import Problem
from solver.checks import blocking_pairs, violations

# No example database (nothing written outside tests/solver), no deadline (CP-SAT varies).
PROPERTY = settings(database=None, deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def prefs_lists(draw: Any, ids: list[str], ties: bool) -> list[Any]:
    """A preference list over a subset of ``ids``, with optional tie groups."""
    chosen = draw(st.permutations(ids).map(lambda xs: list(xs)))
    chosen = chosen[: draw(st.integers(0, len(chosen)))]
    if not ties or not chosen:
        return chosen
    out: list[list[str]] = []
    for ident in chosen:
        if out and draw(st.booleans()):
            out[-1].append(ident)
        else:
            out.append([ident])
    return [group if len(group) > 1 else group[0] for group in out]


def _listed(row: dict[str, Any], p: str) -> bool:
    return any(p == entry or (isinstance(entry, list) and p in entry) for entry in row["prefs"])


@st.composite
def _position_list(draw: Any, p: str, student_rows: list[dict], ties: bool) -> list[Any]:
    """Mostly the students who listed p (3 in 4 each), sometimes others too."""
    likely = st.integers(0, 3).map(lambda k: k > 0)
    chosen = [
        row["id"]
        for row in student_rows
        if draw(likely if _listed(row, p) else st.integers(0, 4).map(lambda k: k == 0))
    ]
    chosen = draw(st.permutations(chosen).map(list))
    if not ties or not chosen:
        return chosen
    out: list[list[str]] = []
    for ident in chosen:
        if out and draw(st.booleans()):
            out[-1].append(ident)
        else:
            out.append([ident])
    return [group if len(group) > 1 else group[0] for group in out]


@st.composite
def instances(
    draw: Any,
    *,
    max_students: int = 5,
    max_positions: int = 3,
    ties: bool = True,
    side: bool = False,
    overrides: bool = False,
) -> dict:
    """Small random instances: incomplete, one-sided and inconsistent lists."""
    students = [f"s{i}" for i in range(draw(st.integers(0, max_students)))]
    positions = [f"p{i}" for i in range(draw(st.integers(0, max_positions)))]
    student_rows = [
        {
            "id": s,
            "prefs": draw(prefs_lists(positions, ties)),
            "college": draw(st.sampled_from(["c1", "c2"])),
            "groups": draw(st.sampled_from([[], ["g"]])),
        }
        for s in students
    ]
    position_rows = [
        {
            "id": p,
            "capacity": draw(st.integers(0, 3).map(lambda k: min(k, 2))),
            "prefs": draw(_position_list(p, student_rows, ties)),
            "host": draw(st.sampled_from(["h1", "h2"])),
        }
        for p in positions
    ]
    data: dict[str, Any] = {"students": student_rows, "positions": position_rows}
    constraints: dict[str, Any] = {}
    if side and students and positions:
        if draw(st.booleans()):
            constraints["college_cap"] = {
                "per": draw(st.sampled_from(["host", "position"])),
                "max": draw(st.integers(1, 2)),
            }
        if draw(st.booleans()):
            hosts = {p["host"] for p in data["positions"]}
            constraints["host_capacity"] = {h: draw(st.integers(1, 3)) for h in sorted(hosts)}
        if draw(st.booleans()) and any(s["groups"] for s in data["students"]):
            constraints["group_floor"] = [{"group": "g", "min": draw(st.integers(1, 2))}]
    if overrides and students and positions:
        pairs = [[s, p] for s in students for p in positions]
        forbid = draw(st.lists(st.sampled_from(pairs), unique_by=tuple, max_size=2))
        lockable = [pair for pair in pairs if pair not in forbid]
        lock = draw(st.lists(st.sampled_from(lockable), unique_by=lambda x: x[0], max_size=1)) if lockable else []
        caps = {p["id"]: p["capacity"] for p in data["positions"]}
        lock = [pair for pair in lock if caps[pair[1]] > 0]
        constraints.update({"forbid": forbid, "lock": lock})
    if constraints:
        data["constraints"] = constraints
    return data


def all_matchings(problem: Problem) -> list[list[int]]:
    """Every feasible matching (capacities, lists, overrides, side constraints)."""
    options = []
    for s in range(len(problem.student_ids)):
        lock = problem.locked.get(s)
        if lock is not None:
            options.append([lock])
            continue
        options.append([-1] + [p for p in problem.student_prefs[s] if problem.acceptable(s, p)])
    return [list(m) for m in itertools.product(*options) if not violations(problem, list(m))]


def stable_matchings(problem: Problem) -> list[list[int]]:
    """Every feasible matching without blocking pairs."""
    return [m for m in all_matchings(problem) if not blocking_pairs(problem, m)]


def student_rank(problem: Problem, s: int, p: int) -> float:
    """Student s's tier of p; unmatched counts as worst."""
    return float("inf") if p < 0 else problem.student_tier(s, p)


def position_key(problem: Problem, p: int, s: int) -> int:
    """Position p's tier of s (lists are strict in the tests that use this)."""
    return problem.position_rank[p][s]
