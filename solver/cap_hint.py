"""A constraint-aware deferred acceptance, used only as a CP-SAT warm start.

Students propose down their (tie-broken) lists. A position takes a proposer
when it has a free slot, its host has room and the proposer's college is
below its cap; otherwise it may swap the proposer for the worst student it
holds that it ranks lower (of the same college when the cap is what binds).
The result respects caps and host capacities (not floors); it is stable for
per-position caps but only a good heuristic for per-host caps.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .checks import blocking_pairs
from .deferred_acceptance import _market
from .model import Problem

__all__ = ["constrained_proposals"]


class _Ledger:
    """Who each position holds, and the college and host counts."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        c = problem.constraints
        self.cap = c.college_cap
        self.host_cap = c.host_capacity
        self.held: list[list[int]] = [[] for _ in problem.position_ids]
        self.college: Counter[Any] = Counter()
        self.host: Counter[Any] = Counter()
        for s, p in c.lock:
            self._count(s, p, 1)

    def scope(self, p: int) -> Any:
        host = self.problem.hosts[p]
        if self.cap is not None and self.cap.per == "host" and host is not None:
            return ("h", host)
        return ("p", p)

    def _count(self, s: int, p: int, delta: int) -> None:
        college = self.problem.colleges[s]
        if self.cap is not None and college is not None:
            self.college[college, self.scope(p)] += delta
        self.host[self.problem.hosts[p]] += delta

    def add(self, s: int, p: int) -> None:
        self.held[p].append(s)
        self._count(s, p, 1)

    def remove(self, s: int, p: int) -> None:
        self.held[p].remove(s)
        self._count(s, p, -1)

    def cap_ok(self, s: int, p: int) -> bool:
        college = self.problem.colleges[s]
        if self.cap is None or college is None:
            return True
        return self.college[college, self.scope(p)] < self.cap.max

    def host_ok(self, p: int) -> bool:
        host = self.problem.hosts[p]
        limit = self.host_cap.get(host) if host is not None else None
        return limit is None or self.host[host] < limit


def constrained_proposals(strict: Problem, rounds: int = 50) -> list[int]:
    """A matching of the strict problem that respects caps and host capacities.

    After the proposals settle, students in a blocking pair (a cap that bound
    earlier may have loosened) re-enter at their best blocking position; this
    repeats for at most ``rounds`` rounds.
    """
    lists, ranks, caps = _market(strict)
    ledger = _Ledger(strict)
    match = [-1] * len(lists)
    nxt = [0] * len(lists)
    free = list(range(len(lists)))
    for _ in range(rounds):
        _propose(strict, lists, ranks, caps, ledger, match, nxt, free)
        for s, p in strict.constraints.lock:
            match[s] = p
        best: dict[int, int] = {}
        for s, p in blocking_pairs(strict, match):
            best.setdefault(s, lists[s].index(p))
        if not best:
            break
        for s, i in best.items():
            if match[s] >= 0:
                ledger.remove(s, match[s])
                match[s] = -1
            nxt[s] = i
            free.append(s)
    return match


def _propose(strict, lists, ranks, caps, ledger, match, nxt, free) -> None:
    """Run proposals until every student is held or out of choices."""
    while free:
        s = free.pop()
        while nxt[s] < len(lists[s]) and match[s] < 0:
            p = lists[s][nxt[s]]
            nxt[s] += 1
            rank = ranks[p].get(s)
            if rank is None:
                continue
            cap_ok = ledger.cap_ok(s, p)
            if cap_ok and len(ledger.held[p]) < caps[p] and ledger.host_ok(p):
                ledger.add(s, p)
                match[s] = p
                continue
            college = strict.colleges[s]
            rivals = [q for q in ledger.held[p] if ranks[p][q] > rank and (cap_ok or strict.colleges[q] == college)]
            if rivals:
                victim = max(rivals, key=ranks[p].__getitem__)
                ledger.remove(victim, p)
                match[victim] = -1
                free.append(victim)
                ledger.add(s, p)
                match[s] = p
