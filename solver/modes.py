"""``solve``: run one mode on a Problem and assemble the Solution."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from .cap_hint import constrained_proposals
from .collector import collector_paused
from .deferred_acceptance import host_proposing, student_proposing
from .errors import ModeError
from .model import Problem
from .solution import Solution, build_solution
from .tiebreak import break_ties, tie_break_record

__all__ = ["MODES", "solve"]

MODES = ("stable", "stable-hosts", "max-stable", "welfare")
SOLVER_VERSION = "1.0.0"


def solve(
    problem: Problem, *, mode: str = "stable", seed: int = 0, time_limit_s: float = 10.0, explain: bool = True
) -> Solution:
    """Solve ``problem`` in ``mode``; see the package docstring for the modes.

    Raises ModeError for an unknown mode, or for caps, floors or host
    capacities in the stable modes (use "max-stable" for those).
    """
    if mode not in MODES:
        raise ModeError(f"mode: must be one of {', '.join(MODES)}, got {mode!r}")
    if type(seed) is not int or seed < 0:
        raise ModeError(f"seed: must be a non-negative integer, got {seed!r}")
    started = time.perf_counter()
    if mode in ("stable", "stable-hosts"):
        match, status, info = _stable(problem, mode, seed)
    elif mode == "max-stable":
        match, status, info = _cpsat(problem, seed, time_limit_s, stability=True)
    else:
        match, status, info = _welfare(problem, seed, time_limit_s)
    info.update(
        {"mode": mode, "version": SOLVER_VERSION, "seed": seed, "solve_time_s": round(time.perf_counter() - started, 4)}
    )
    return build_solution(
        problem,
        match,
        mode=mode,
        status=status,
        solver=info,
        tie_break=tie_break_record(problem, seed),
        with_explanations=explain,
    )


@collector_paused
def _stable(problem: Problem, mode: str, seed: int) -> tuple[list[int], str, dict[str, Any]]:
    c = problem.constraints
    if c.has_side:
        used = [
            name
            for name, on in (
                ("college_cap", c.college_cap),
                ("group_floor", c.group_floor),
                ("host_capacity", c.host_capacity),
            )
            if on
        ]
        raise ModeError(f"mode {mode!r} cannot honour {', '.join(used)}; use mode 'max-stable' (or 'welfare')")
    strict = break_ties(problem, seed)
    propose = student_proposing if mode == "stable" else host_proposing
    engine = "deferred-acceptance (students propose)" if mode == "stable" else "deferred-acceptance (positions propose)"
    return propose(strict), "optimal", {"engine": engine, "status": "optimal"}


def _cpsat(problem: Problem, seed: int, time_limit_s: float, stability: bool) -> tuple[list[int], str, dict[str, Any]]:
    from .cpsat import solve_cpsat  # OR-Tools loads only for the modes that use it, not for "stable"

    started = time.perf_counter()
    if stability and not problem.constraints.has_side:
        hint = student_proposing(break_ties(problem, seed))
    else:  # proposals that respect caps and host capacities are a good start
        hint = constrained_proposals(break_ties(problem, seed))
    ceiling = _placement_ceiling(problem) if problem.constraints.has_side else None
    # Keep a margin for CP-SAT overrunning its limit and for building the result.
    left = time_limit_s - (time.perf_counter() - started) - min(0.1 * time_limit_s, 5.0)
    outcome = solve_cpsat(problem, stability=stability, seed=seed, time_limit_s=left, hint=hint)
    info = dict(outcome.info, time_limit_s=time_limit_s, num_workers=1)
    placed = sum(p >= 0 for p in outcome.match)
    if info.get("objective") is None and outcome.status == "feasible":
        info["objective"] = placed  # the warm start was kept
        if ceiling is None and info.get("bound") is None:  # CP-SAT gave no bound either
            ceiling = _placement_ceiling(problem)
    if ceiling is not None and (info.get("bound") is None or info["bound"] > ceiling):
        info["bound"] = ceiling
        info["bound_source"] = "max-flow ignoring stability and side constraints"
    if info.get("bound") is not None and info.get("objective") is not None:
        info["gap"] = abs(info["bound"] - info["objective"]) / max(1.0, abs(info["objective"]))
    return outcome.match, outcome.status, info


def _placement_ceiling(problem: Problem) -> int:
    """Most placements possible at all (overrides kept, caps and floors dropped)."""
    from .welfare import solve_flow  # OR-Tools, as above

    c = problem.constraints
    loose = replace(problem, constraints=type(c)(lock=c.lock, forbid=c.forbid))
    match, _ = solve_flow(loose)
    return sum(p >= 0 for p in match)


def _welfare(problem: Problem, seed: int, time_limit_s: float) -> tuple[list[int], str, dict[str, Any]]:
    if problem.constraints.has_side:
        return _cpsat(problem, seed, time_limit_s, stability=False)
    from .welfare import solve_flow  # OR-Tools, as above

    match, info = solve_flow(problem)
    return match, "optimal", info
