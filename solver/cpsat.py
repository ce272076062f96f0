"""Max-stable and constrained-welfare matchings with OR-Tools CP-SAT.

Follows the OR-Tools sample order: data, model, variables, constraints,
objective, solve. The objective is lexicographic, solved in phases that each
keep the previous optimum: (1) fewest blocking pairs - only when caps, floors
or host capacities make stability soft; (2) most placements; (3) smallest
sum of student ranks. Each phase is warm-started from the previous answer. ``random_seed`` and
``num_workers = 1`` make the same input give the same answer;
``linearization_level = 2`` is what lets these models be proven optimal,
``polish_lp_solution`` helps the search find the matching that meets the bound, and the
placements phase searches up from the LP bound (``use_objective_lb_search``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from .checks import blocking_pairs, violations
from .cpsat_data import CpData
from .cpsat_stability import StabilityVars, add_stability
from .model import Problem

__all__ = ["CpOutcome", "solve_cpsat"]

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
    cp_model.MODEL_INVALID: "model_invalid",
}


@dataclass
class CpOutcome:
    """The matching found (all -1 if none) and what the solver reported."""

    match: list[int]
    status: str
    info: dict[str, Any] = field(default_factory=dict)


def _add_rows(model: cp_model.CpModel, data: CpData, x: dict) -> None:
    """Assignment, capacity, override and side-constraint rows."""
    problem = data.problem
    by_student: dict[int, list[Any]] = {}
    by_position: dict[int, list[Any]] = {}
    for (s, p), var in x.items():
        by_student.setdefault(s, []).append(var)
        by_position.setdefault(p, []).append(var)
    # Each student takes at most one position.
    for vars_ in by_student.values():
        model.add_at_most_one(vars_)
    # Each position takes at most its capacity.
    for p, vars_ in by_position.items():
        model.add(sum(vars_) <= problem.capacities[p])
    # A locked student is placed at their position.
    for s, p in data.locks:
        model.add(x[s, p] == 1)
    _add_side_rows(model, data, x)


def _add_side_rows(model: cp_model.CpModel, data: CpData, x: dict) -> None:
    problem = data.problem
    c = problem.constraints
    college: dict[Any, list[Any]] = {}
    host: dict[str, list[Any]] = {}
    group: dict[str, list[Any]] = {}
    for (s, p), var in x.items():
        if c.college_cap is not None and problem.colleges[s] is not None:
            college.setdefault((problem.colleges[s], data.scope(p)), []).append(var)
        if problem.hosts[p] in c.host_capacity:
            host.setdefault(problem.hosts[p], []).append(var)
        for g in problem.groups[s]:
            group.setdefault(g, []).append(var)
    # At most `max` students of one college at one host (or position).
    for vars_ in college.values():
        model.add(sum(vars_) <= c.college_cap.max)
    # A host's positions together take at most the host's capacity.
    for h, vars_ in host.items():
        model.add(sum(vars_) <= c.host_capacity[h])
    # Each group gets at least its floor of placements.
    for g, minimum in c.group_floor:
        model.add(sum(group.get(g, [])) >= minimum)


def _add_hint(
    model: cp_model.CpModel,
    data: CpData,
    x: dict,
    stability: StabilityVars | None,
    hint: list[int],
    pairs: set[tuple[int, int]],
) -> None:
    """Hint every variable from the matching ``hint`` and its blocking ``pairs``."""
    for (s, p), var in x.items():
        model.add_hint(var, hint[s] == p)
    if stability is not None:
        stability.hint(model, data, x, hint, pairs)


def _hint_all(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Use the solver's last solution as the hint for every variable."""
    values = solver.response_proto.solution
    model.clear_hints()
    model.proto.solution_hint.vars.extend(range(len(values)))
    model.proto.solution_hint.values.extend(values)


def _solver(seed: int, time_limit_s: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    # Round the LP optimum towards an integral point: the LP bound of max-stable is tight, and this
    # finds the matching that meets it sooner (10,000 students with ties: placements proven in
    # 7.4 / 8.5 units of CP-SAT's deterministic time instead of 10.1 / not proven in 10.7).
    solver.parameters.polish_lp_solution = True
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    return solver


def _phase(name: str, solver: cp_model.CpSolver, status: int, sign: int) -> dict[str, Any]:
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    objective = sign * solver.objective_value if found else None
    bound = sign * solver.best_objective_bound if found else None
    gap = abs(objective - bound) / max(1.0, abs(objective)) if found else None
    return {
        "name": name,
        "status": _STATUS.get(status, "unknown"),
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "wall_time_s": round(solver.wall_time, 4),
    }


class _Phases:
    """Runs the lexicographic phases within one overall time limit."""

    def __init__(self, model: cp_model.CpModel, x: dict, seed: int, time_limit_s: float, start: dict | None) -> None:
        self.model, self.x, self.seed = model, x, seed
        self.deadline = time.perf_counter() + time_limit_s
        self.reports: list[dict[str, Any]] = []
        self.values = start  # x values of the best answer so far (the feasible warm start)

    def run(self, name: str, expr: Any, sign: int, share: float) -> float | None:
        """Minimise sign * expr with a share of the time left; None if nothing found."""
        left = self.deadline - time.perf_counter()
        if self.reports and left < 0.05:
            return None
        self.model.minimize(sign * expr)
        solver = _solver(self.seed, left * share)
        if name == "placements":
            # Search upwards from the LP bound, which is within a few placements of the optimum: at
            # 10,000 students with ties (generator seeds 1-3) the proof took 6.0 / 7.8 / 9.3 units of
            # CP-SAT's deterministic time instead of 7.4 / 8.5 / 16.3, and 22-34 s instead of 45-49 s
            # on a loaded machine; with college caps it was as fast or faster (5,000: 15.6 s, not 20.3).
            solver.parameters.use_objective_lb_search = True
        status = solver.solve(self.model)
        self.reports.append(_phase(name, solver, status, sign))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if self.values is not None:
                self.reports[-1]["note"] = "no answer in time; kept the previous one"
            return None
        self.values = {key: solver.boolean_value(var) for key, var in self.x.items()}
        _hint_all(self.model, solver)
        return round(sign * solver.objective_value)

    @property
    def all_optimal(self) -> bool:
        return all(r["status"] == "optimal" for r in self.reports)


def solve_cpsat(
    problem: Problem, *, stability: bool, seed: int, time_limit_s: float, hint: list[int] | None = None
) -> CpOutcome:
    """Solve max-stable (stability=True) or constrained welfare with CP-SAT."""
    started = time.perf_counter()
    # Data
    data = CpData(problem)
    pairs_listed = len(data.pairs)
    removed = data.reduce() if stability and not problem.constraints.has_side else 0
    # The checker implements the model's stability definition, so a warm start it
    # calls feasible and stable proves that zero blocking pairs is optimal.
    pairs = set(blocking_pairs(problem, hint)) if hint is not None else set()
    hint_is_stable = hint is not None and not pairs and not violations(problem, hint)
    soft = stability and problem.constraints.has_side and not hint_is_stable
    # Model
    model = cp_model.CpModel()
    # Variables: x[s, p] = student s is placed at position p.
    x = {(s, p): model.new_bool_var(f"x[{s},{p}]") for s, p in data.all_pairs()}
    # Constraints
    _add_rows(model, data, x)
    stable_vars = add_stability(model, data, x, soft) if stability else None
    blocking = list(stable_vars.blocking.values()) if stable_vars else []
    # Objective (phases): fewest blocking pairs, most placements, best student ranks.
    placed = sum(x.values())
    ranks = {(s, p): ts for s, p, ts, _ in data.pairs}
    rank_sum = sum(ranks.get(key, 0) * var for key, var in x.items())
    model.minimize(sum(blocking) if soft else -placed)
    if hint is not None:
        _add_hint(model, data, x, stable_vars, hint, pairs)
    # Solve
    start = None
    if hint is not None and not violations(problem, hint):
        start = {(s, p): hint[s] == p for (s, p) in x}
    phases = _Phases(model, x, seed, time_limit_s - (time.perf_counter() - started), start)
    done = True
    if stability and problem.constraints.has_side and hint_is_stable:
        phases.reports.append(
            {
                "name": "blocking-pairs",
                "status": "optimal",
                "objective": 0,
                "bound": 0,
                "gap": 0.0,
                "wall_time_s": 0.0,
                "note": "the warm start is stable, so stability is kept hard",
            }
        )
    if soft:
        fewest = phases.run("blocking-pairs", sum(blocking), 1, 0.4)
        done = fewest is not None
        if done:  # Keep the fewest blocking pairs found.
            model.add(sum(blocking) <= fewest)
    most = phases.run("placements", placed, -1, 0.85) if done else None
    if most is not None:  # Keep the most placements found.
        model.add(placed >= most)
        phases.run("student-rank-sum", rank_sum, 1, 1.0)
    outcome = _outcome(problem, x, phases, model, started)
    outcome.info["pairs"] = {"listed": pairs_listed, "removed_by_preprocessing": removed}
    return outcome


def _outcome(problem: Problem, x: dict, phases: _Phases, model: cp_model.CpModel, started: float) -> CpOutcome:
    reports = phases.reports
    match = [-1] * len(problem.student_ids)
    for (s, p), on in (phases.values or {}).items():
        if on:
            match[s] = p
    if phases.values is None:
        status = next((r["status"] for r in reports if r["status"] != "optimal"), "unknown")
    elif phases.all_optimal and any(r["name"] == "student-rank-sum" for r in reports):
        status = "optimal"
    else:
        status = "feasible"
    size = next((r for r in reports if r["name"] == "placements"), {})
    info = {
        "engine": "cp-sat",
        "status": status,
        "objective": size.get("objective"),
        "bound": size.get("bound"),
        "gap": size.get("gap"),
        "objective_meaning": "placements (phase 'placements')",
        "phases": reports,
        "variables": len(model.proto.variables),
        "constraints": len(model.proto.constraints),
        "wall_time_s": round(time.perf_counter() - started, 4),
    }
    return CpOutcome(match=match, status=status, info=info)
