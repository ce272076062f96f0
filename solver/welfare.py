"""Welfare mode without side constraints: OR-Tools min-cost max-flow.

Network: source -> each unlocked student (capacity 1) -> each acceptable
position (capacity 1, cost = the student's rank of it) -> sink (capacity =
free slots). ``solve_max_flow_with_min_cost`` gives the most placements and,
among those, the smallest sum of student ranks. Stability is ignored.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from .cpsat_data import CpData
from .model import Problem

__all__ = ["solve_flow"]


def solve_flow(problem: Problem) -> tuple[list[int], dict[str, Any]]:
    """Most placements, then least student rank sum; returns (match, info)."""
    started = time.perf_counter()
    data = CpData(problem)
    n_students = len(problem.student_ids)
    n_positions = len(problem.position_ids)
    source, sink = n_students + n_positions, n_students + n_positions + 1
    students = sorted({s for s, _, _, _ in data.pairs})
    tails = [source] * len(students) + [s for s, _, _, _ in data.pairs]
    heads = students + [n_students + p for _, p, _, _ in data.pairs]
    caps = [1] * len(tails)
    costs = [0] * len(students) + [ts for _, _, ts, _ in data.pairs]
    for p, slots in enumerate(data.free_slots):
        if slots > 0:
            tails.append(n_students + p)
            heads.append(sink)
            caps.append(slots)
            costs.append(0)
    flow = min_cost_flow.SimpleMinCostFlow()
    if tails:
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int32),
            np.array(heads, dtype=np.int32),
            np.array(caps, dtype=np.int64),
            np.array(costs, dtype=np.int64),
        )
        flow.set_node_supply(source, len(students))
        flow.set_node_supply(sink, -len(students))
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
    match = [-1] * n_students
    first = len(students)
    for k, (s, p, _, _) in enumerate(data.pairs):
        if flow.flow(first + k) > 0:
            match[s] = p
    for s, p in data.locks:
        match[s] = p
    info = {
        "engine": "min-cost-flow",
        "status": "optimal",
        "objective": flow.optimal_cost() if tails else 0,
        "objective_meaning": "sum of student ranks over a maximum placement",
        "wall_time_s": round(time.perf_counter() - started, 4),
    }
    return match, info
