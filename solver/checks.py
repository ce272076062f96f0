"""Independent feasibility and stability checker (Python and numpy, no OR-Tools).

Stability definition (weak stability, constraint-aware). A pair (s, p)
*blocks* a matching M when all of these hold:

1. s and p listed each other, the pair is not forbidden and s is not locked;
2. s strictly prefers p to M(s) (any listed position beats being unmatched);
3. p could take s: it has *room* (a free slot, and - if its host has a
   capacity - the host's total, not counting s, is below that capacity), or
   it holds an unlocked student it ranks strictly below s;
4. with a college cap: the number of students of s's college at p's cap scope
   (p's host, or p itself), not counting s, is below the cap - unless p holds
   an unlocked student of s's college ranked strictly below s, whom s could
   replace without changing the count (then 3 and 4 hold regardless of room).

Ties never block (weak stability). Locked students occupy their slot and are
never "ranked below" anyone. Group floors are deliberately *not* part of the
definition: a pair that blocks only because a floor placed someone else still
counts, so the blocking pairs show what the floors cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InstanceError
from .model import Problem
from .pairs import Placement

__all__ = ["CheckReport", "MatchState", "blocking_pairs", "check", "match_of", "violations"]


@dataclass(frozen=True)
class CheckReport:
    """Outcome of ``check``: feasibility problems and blocking pairs (by id)."""

    feasible: bool
    violations: list[str] = field(default_factory=list)
    blocking_pairs: list[tuple[str, str]] = field(default_factory=list)


class MatchState:
    """Per-position loads and the worst unlocked holder tiers of a matching."""

    def __init__(self, problem: Problem, match: list[int] | tuple[int, ...]) -> None:
        self.problem = problem
        self.match = match
        n_pos = len(problem.position_ids)
        self.load = [0] * n_pos
        self.worst = [0] * n_pos
        locked = problem.locked
        ranks = problem.position_rank
        for s, p in enumerate(match):
            if p < 0:
                continue
            self.load[p] += 1
            if s not in locked:
                tier = ranks[p].get(s, 0)
                if tier > self.worst[p]:
                    self.worst[p] = tier
        c = problem.constraints
        self.capped = c.college_cap is not None
        self.side = self.capped or bool(c.host_capacity)
        if self.side:
            self._side_counts()

    def scope(self, p: int) -> tuple[str, Any]:
        """Where the college cap counts: p's host, or p itself."""
        cap = self.problem.constraints.college_cap
        host = self.problem.hosts[p]
        if cap is not None and cap.per == "host" and host is not None:
            return ("h", host)
        return ("p", p)

    def _side_counts(self) -> None:
        problem = self.problem
        self.college_count: dict[tuple[str, Any], int] = {}
        self.worst_same: dict[tuple[int, str], int] = {}
        self.host_load: dict[str, int] = {}
        for s, p in enumerate(self.match):
            if p < 0:
                continue
            host = problem.hosts[p]
            if host is not None:
                self.host_load[host] = self.host_load.get(host, 0) + 1
            college = problem.colleges[s]
            if college is None or not self.capped:
                continue
            key = (college, self.scope(p))
            self.college_count[key] = self.college_count.get(key, 0) + 1
            if s not in problem.locked:
                tier = problem.position_rank[p].get(s, 0)
                if tier > self.worst_same.get((p, college), 0):
                    self.worst_same[(p, college)] = tier

    def host_full(self, s: int, p: int) -> bool:
        """p's host is at its capacity, not counting s."""
        host = self.problem.hosts[p]
        limit = self.problem.constraints.host_capacity.get(host) if host else None
        if limit is None:
            return False
        m = self.match[s]
        inside = m >= 0 and self.problem.hosts[m] == host
        return self.host_load.get(host, 0) - inside >= limit

    def cap_full(self, s: int, p: int) -> bool:
        """s's college is at the cap at p's scope, not counting s."""
        college = self.problem.colleges[s]
        if not self.capped or college is None:
            return False
        scope = self.scope(p)
        m = self.match[s]
        inside = m >= 0 and self.scope(m) == scope
        limit = self.problem.constraints.college_cap.max
        return self.college_count.get((college, scope), 0) - inside >= limit

    def worse_same(self, s: int, p: int, tier: int) -> bool:
        """p holds an unlocked student of s's college ranked below s."""
        college = self.problem.colleges[s]
        if not self.capped or college is None:
            return False
        return self.worst_same.get((p, college), 0) > tier

    def blocks(self, s: int, p: int, tier: int) -> bool:
        """Conditions 3-4 for a pair that already meets conditions 1-2."""
        free = self.load[p] < self.problem.capacities[p]
        worse = self.worst[p] > tier
        if not self.side:
            return free or worse
        room = free and not self.host_full(s, p)
        if self.worse_same(s, p, tier):
            return True
        return (room or worse) and not self.cap_full(s, p)


def better_entries(problem: Problem, s: int, m: int) -> list[int]:
    """Positions s ranked strictly higher than m (all of them if m is -1)."""
    prefs = problem.student_prefs[s]
    if m < 0 or m not in prefs:
        return list(prefs)
    i = prefs.index(m)
    tiers = problem.student_tiers[s]
    if tiers is None:
        return list(prefs[:i])
    limit = tiers[i]
    return [p for p, t in zip(prefs, tiers) if t < limit]


def blocking_pairs(
    problem: Problem, match: list[int] | tuple[int, ...], state: MatchState | None = None
) -> list[tuple[int, int]]:
    """All blocking pairs (student index, position index) of a matching."""
    side = problem.constraints.college_cap is not None or bool(problem.constraints.host_capacity)
    if not side:
        return _array_blocking_pairs(problem, match)
    state = state or MatchState(problem, match)
    locked = problem.locked
    forbid = problem.constraints.forbid
    ranks = problem.position_rank
    found = []
    for s, m in enumerate(match):
        if s in locked:
            continue
        for p in better_entries(problem, s, m):
            tier = ranks[p].get(s)
            if tier is None or (forbid and (s, p) in forbid):
                continue
            if state.blocks(s, p, tier):
                found.append((s, p))
    return found


def _array_blocking_pairs(problem: Problem, match: list[int] | tuple[int, ...]) -> list[tuple[int, int]]:
    """The same test without side constraints, on every listed pair at once (numpy)."""
    placed = Placement(problem, match)
    a = placed.a
    better = placed.better()
    j = a.j_of_i[better]
    s = a.s_stu[better]
    keep = (j >= 0) & ~placed.locked[s]
    better, s, j = better[keep], s[keep], j[keep]
    p, tier = a.s_pos[better], a.p_tier[j]
    blocks = (placed.load[p] < placed.caps[p]) | (placed.worst[p] > tier)
    blocks &= ~placed.forbidden(s, p)
    return list(zip(s[blocks].tolist(), p[blocks].tolist()))


def violations(problem: Problem, match: list[int] | tuple[int, ...]) -> list[str]:
    """Every way the matching breaks capacities, lists, overrides or constraints."""
    sid, pid = problem.student_ids, problem.position_ids
    out: list[str] = []
    locked = problem.locked
    for s, p in enumerate(match):
        if s in locked and p != locked[s]:
            out.append(f"student {sid[s]!r} is locked to {pid[locked[s]]!r}")
        elif p >= 0 and s not in locked and not problem.acceptable(s, p):
            out.append(f"pair ({sid[s]!r}, {pid[p]!r}) is not acceptable (not listed by both, or forbidden)")
    state = MatchState(problem, match)
    for p, load in enumerate(state.load):
        if load > problem.capacities[p]:
            out.append(f"position {pid[p]!r} holds {load} > capacity {problem.capacities[p]}")
    out.extend(_side_violations(problem, state))
    return out


def _side_violations(problem: Problem, state: MatchState) -> list[str]:
    c = problem.constraints
    out = []
    if c.college_cap is not None:
        for (college, scope), count in state.college_count.items():
            if count > c.college_cap.max:
                where = scope[1] if scope[0] == "h" else problem.position_ids[scope[1]]
                out.append(f"college {college!r} has {count} > {c.college_cap.max} at {c.college_cap.per} {where!r}")
    for host, limit in c.host_capacity.items():
        if state.host_load.get(host, 0) > limit:
            out.append(f"host {host!r} holds {state.host_load[host]} > capacity {limit}")
    for group, minimum in c.group_floor:
        placed = sum(1 for s, p in enumerate(state.match) if p >= 0 and group in problem.groups[s])
        if placed < minimum:
            out.append(f"group {group!r} has {placed} placements < floor {minimum}")
    return out


def match_of(problem: Problem, result: Any) -> tuple[list[int], list[str]]:
    """The matching of a Solution or result dict, plus duplicate-student violations."""
    if hasattr(result, "match"):
        return list(result.match), []
    if not isinstance(result, Mapping) or not isinstance(result.get("assignments"), list):
        raise InstanceError("result: must be an object with an 'assignments' list")
    match = [-1] * len(problem.student_ids)
    extra: list[str] = []
    for i, item in enumerate(result["assignments"]):
        if not isinstance(item, Mapping):
            raise InstanceError(f"result.assignments[{i}]: must be an object")
        s = _index_of(problem.student_index, item.get("student"))
        p = _index_of(problem.position_index, item.get("position"))
        if s is None:
            raise InstanceError(f"result.assignments[{i}]: unknown student {item.get('student')!r}")
        if p is None:
            raise InstanceError(f"result.assignments[{i}]: unknown position {item.get('position')!r}")
        if match[s] >= 0:
            extra.append(f"student {problem.student_ids[s]!r} is assigned more than once")
            continue
        match[s] = p
    return match, extra


def _index_of(index: Mapping[str, int], ident: Any) -> int | None:
    return index.get(ident) if type(ident) is str else None


def check(problem: Problem, result: Any) -> CheckReport:
    """Check a Solution or a result dict against the problem."""
    match, extra = match_of(problem, result)
    found = extra + violations(problem, match)
    sid, pid = problem.student_ids, problem.position_ids
    pairs = [(sid[s], pid[p]) for s, p in blocking_pairs(problem, match)]
    return CheckReport(feasible=not found, violations=found, blocking_pairs=pairs)
