"""A plain CP-SAT clause model of max-size weakly stable matching, the yardstick for max-stable.

Written for the benchmark only (not part of solver/): the cumulative "dummy variable" model of
the stable-matching literature (Kwanashie & Manlove; Delorme et al.) as clauses, the way a careful
engineer would write it from the papers, with the usual settings (one worker,
``linearization_level = 2``, a deferred-acceptance warm start):

* ``x[s, p]`` for every mutually listed pair; each student at most once; capacities;
* ``y[s, t]`` = s is placed within their first t tiers; ``z[p, t]`` = how many of p's slots go to
  its first t tiers; ``f[p, t]`` => ``z[p, t]`` fills p, with f monotone in t;
* for every pair: ``y[s, tier_s(p)] or f[p, tier_p(s)]`` (weak stability);
* maximise the number placed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from heapq import heappush, heapreplace

from ortools.sat.python import cp_model


def _tiers(prefs: list, index: dict[str, int]) -> list[tuple[int, int]]:
    """(index, tier) of each entry of a list with tie groups."""
    out = []
    for tier, entry in enumerate(prefs, 1):
        for ident in entry if isinstance(entry, list) else [entry]:
            out.append((index[ident], tier))
    return out


def _da(students: list, ranks: list[dict[int, int]], caps: list[int]) -> list[int]:
    """Student-proposing deferred acceptance, ties broken by list order and student index."""
    held: list[list[tuple[int, int]]] = [[] for _ in caps]
    nxt = [0] * len(students)
    for start in range(len(students)):
        s = start
        while s >= 0:
            bumped = -1
            while nxt[s] < len(students[s]):
                p = students[s][nxt[s]][0]
                nxt[s] += 1
                r = ranks[p].get(s)
                if r is None or caps[p] == 0:
                    continue
                key = (-r, -s)
                if len(held[p]) < caps[p]:
                    heappush(held[p], key)
                    break
                if held[p][0] < key:
                    bumped = -heapreplace(held[p], key)[1]
                    break
            s = bumped
    match = [-1] * len(students)
    for p, heap in enumerate(held):
        for _, minus_s in heap:
            match[-minus_s] = p
    return match


def solve_reference(data: dict, time_limit_s: float, seed: int = 0) -> dict:
    """Build and solve the clause model of the instance JSON ``data`` (no side constraints)."""
    started = time.perf_counter()
    sid = {s["id"]: i for i, s in enumerate(data["students"])}
    pid = {p["id"]: i for i, p in enumerate(data["positions"])}
    students = [_tiers(s["prefs"], pid) for s in data["students"]]
    caps = [p["capacity"] for p in data["positions"]]
    ranks = [dict(_tiers(p["prefs"], sid)) for p in data["positions"]]
    pairs = [
        (s, p, ts, ranks[p][s]) for s, lst in enumerate(students) for p, ts in lst if s in ranks[p] and caps[p] > 0
    ]
    model = cp_model.CpModel()
    x = {(s, p): model.new_bool_var("") for s, p, _, _ in pairs}
    by_s: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    by_p: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for s, p, ts, tp in pairs:
        by_s[s][ts].append(x[s, p])
        by_p[p][tp].append(x[s, p])
    for tiers in by_s.values():
        model.add_at_most_one([v for group in tiers.values() for v in group])
    for p, tiers in by_p.items():
        model.add(sum(v for group in tiers.values() for v in group) <= caps[p])
    y, f = {}, {}
    for s, tiers in by_s.items():
        prev = 0
        for t in sorted(tiers):
            y[s, t] = prev = _defined(model, prev + sum(tiers[t]), 1)
    for p, tiers in by_p.items():
        prev_z, prev_f, seen = 0, None, 0
        for t in sorted(tiers):
            seen += len(tiers[t])
            prev_z = _defined(model, prev_z + sum(tiers[t]), caps[p])
            if seen < caps[p]:
                continue
            lit = model.new_bool_var("")
            model.add(prev_z >= caps[p]).only_enforce_if(lit)
            if prev_f is not None:
                model.add_implication(prev_f, lit)
            f[p, t] = prev_f = lit
    for s, p, ts, tp in pairs:
        model.add_bool_or([y[s, ts]] + ([f[p, tp]] if (p, tp) in f else []))
    model.maximize(sum(x.values()))
    hint = _da(students, ranks, caps)
    for (s, p), var in x.items():
        model.add_hint(var, hint[s] == p)
    built = time.perf_counter() - started
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(time_limit_s - built, 0.01)
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    placed = round(solver.objective_value) if found else None
    bound = round(solver.best_objective_bound) if found else None
    return {
        "status": solver.status_name(status).lower(),
        "placed": placed,
        "bound": bound,
        "gap": None if not found else round((bound - placed) / max(1, placed), 5),
        "hint": sum(p >= 0 for p in hint),
        "variables": len(model.proto.variables),
        "constraints": len(model.proto.constraints),
        "build_s": round(built, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _defined(model: cp_model.CpModel, expr, upper: int):
    """A new variable equal to ``expr`` (a cumulative count)."""
    var = model.new_bool_var("") if upper == 1 else model.new_int_var(0, upper, "")
    model.add(var == expr)
    return var
