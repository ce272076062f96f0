"""Deferred acceptance on a strict (tie-broken) problem: the loops in pure Python (the students'
proposals over flat lists of their pairs, built with numpy from ``Problem.pairs``).

Coordinator overrides are applied first: a forbidden pair is removed from both
lists, and a locked student is taken out of the market and uses one slot of
their position. College caps, group floors and host capacities are not handled
here (``modes.solve`` rejects them for the stable modes).

The loops allocate no objects the cycle collector tracks (ints into lists made beforehand); a
stable solve as a whole (tie-breaking, these loops) runs with it paused by ``modes``, as parsing
and assembling the result do (see solver.collector). ``python -m solver``, a process of its own,
turns it off for its whole life.
"""

from __future__ import annotations

from heapq import heappush, heapreplace

import numpy as np

from .model import Problem
from .pairs import take

__all__ = ["host_proposing", "student_proposing"]

_EMPTY: dict[int, int] = {}


def _market(problem: Problem) -> tuple[tuple, list[dict[int, int]], list[int]]:
    """Student lists, position rank dicts and free capacities after overrides."""
    lists = problem.student_prefs
    ranks = list(problem.position_rank)
    caps = list(problem.capacities)
    constraints = problem.constraints
    if constraints.lock:
        lists = list(lists)
        for s, p in constraints.lock:
            lists[s] = ()
            caps[p] -= 1
    if constraints.forbid:
        copied: set[int] = set()
        for s, p in constraints.forbid:
            if p not in copied:
                ranks[p] = dict(ranks[p])
                copied.add(p)
            ranks[p].pop(s, None)
    for p, cap in enumerate(caps):
        if cap <= 0:
            ranks[p] = _EMPTY
    return lists, ranks, caps


def student_proposing(problem: Problem) -> list[int]:
    """Student-optimal stable matching: position index per student, -1 if none.

    1. Every free student proposes to the next position on their list.
    2. The position keeps its ``capacity`` best proposals (a heap keyed on its
       rank of the student) and rejects the worst one if over capacity.
    3. A rejected student proposes further; stop when no one can.
    A proposal to a position that did not rank the student is skipped.
    """
    pos, rank, start, caps = _flat_market(problem)
    held = _propose(pos, rank, start, caps)
    return _from_held(problem, held, (1 << max(len(problem.student_ids), 1).bit_length()) - 1)


def _flat_market(problem: Problem) -> tuple[list[int], list[int], list[int], list[int]]:
    """The market of ``_market`` on the flat pair arrays: every student-side pair's position and
    that position's rank of the student (0: never proposed - not ranked back, forbidden, the
    student locked, or no slot left), each student's first pair, and the free slots after locks.
    Reading a rank from a flat list instead of a dict per position halves the proposal loop."""
    a = problem.pairs
    n_s, n_p = len(problem.student_ids), len(problem.position_ids)
    constraints = problem.constraints
    caps = list(problem.capacities)
    for _, p in constraints.lock:
        caps[p] -= 1
    rank = take(a.p_tier, a.j_of_i, 0)
    skip = np.asarray(caps, dtype=np.int64).reshape(n_p)[a.s_pos] <= 0
    if constraints.lock:
        locked = np.zeros(n_s, dtype=bool)
        locked[[s for s, _ in constraints.lock]] = True
        skip |= locked[a.s_stu]
    if constraints.forbid:
        keys = np.fromiter((s * n_p + p for s, p in constraints.forbid), dtype=np.int64, count=len(constraints.forbid))
        skip |= np.isin(a.s_stu.astype(np.int64) * n_p + a.s_pos, keys)
    rank[skip] = 0
    start = np.zeros(n_s + 1, dtype=np.int64)
    np.cumsum(np.bincount(a.s_stu, minlength=n_s), out=start[1:])
    return a.s_pos.tolist(), rank.tolist(), start.tolist(), caps


def _propose(pos: list[int], rank: list[int], start: list[int], caps: list[int]) -> list[list[int]]:
    """The proposal loop of ``student_proposing``: each position's heap of -(rank, student) keys.
    Student s's pairs are ``start[s]`` to ``start[s + 1]``, best first (see ``_flat_market``)."""
    n_students = len(start) - 1
    shift = max(n_students, 1).bit_length()
    mask = (1 << shift) - 1
    held: list[list[int]] = [[] for _ in caps]
    free = [max(cap, 0) for cap in caps]
    nxt = start[:-1]
    end = start[1:]
    for first in range(n_students):
        s = first
        while s >= 0:
            i = nxt[s]
            n = end[s]
            bumped = -1
            while i < n:
                r = rank[i]
                p = pos[i]
                i += 1
                if not r:
                    continue
                key = (r << shift) | s
                if free[p]:
                    free[p] -= 1
                    heappush(held[p], -key)
                    break
                heap = held[p]
                if -heap[0] > key:
                    bumped = -heapreplace(heap, -key) & mask
                    break
            nxt[s] = i
            s = bumped
    return held


def _from_held(problem: Problem, held: list[list[int]], mask: int) -> list[int]:
    match = [-1] * len(problem.student_ids)
    for p, heap in enumerate(held):
        for key in heap:
            match[-key & mask] = p
    for s, p in problem.constraints.lock:
        match[s] = p
    return match


def host_proposing(problem: Problem) -> list[int]:
    """Position-optimal stable matching: position index per student, -1 if none.

    1. Every position with free slots proposes to the next student on its list.
    2. A student holds the best proposal so far among positions they listed,
       freeing a slot at the position they drop.
    3. Stop when no position with free slots has anyone left to propose to.
    """
    lists, ranks, caps = _market(problem)
    srank = [dict(zip(prefs, range(len(prefs)))) for prefs in lists]
    n_students = len(lists)
    match = [-1] * n_students
    held_rank = [len(prefs) for prefs in lists]
    free = [max(cap, 0) for cap in caps]
    ptr = [0] * len(caps)
    stack = [p for p in range(len(caps) - 1, -1, -1) if free[p] > 0]
    _offer(problem, stack, srank, ranks, match, held_rank, free, ptr)
    for s, p in problem.constraints.lock:
        match[s] = p
    return match


def _offer(problem, stack, srank, ranks, match, held_rank, free, ptr) -> None:
    """The offer loop of ``host_proposing``."""
    while stack:
        p = stack.pop()
        prefs = problem.position_prefs[p]
        i = ptr[p]
        while free[p] > 0 and i < len(prefs):
            s = prefs[i]
            i += 1
            r = srank[s].get(p)
            if r is None or r >= held_rank[s] or s not in ranks[p]:
                continue
            old = match[s]
            match[s] = p
            held_rank[s] = r
            free[p] -= 1
            if old >= 0:
                free[old] += 1
                stack.append(old)
        ptr[p] = i
