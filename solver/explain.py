"""Why each student and position got their result, as structured entries.

Each entry is structured data plus a ``text`` for the person it explains
(rendered by ``solver.explain_text``: a student's text never shows a host's
ranks, a host's text never shows or implies a candidate's preferences; the
full detail is the coordinator's, rendered from the same fields). Reasons:

* students (one entry per position ranked strictly above their placement):
  ``locked``, ``forbidden``, ``no_slots``, ``not_ranked``, ``filled`` (all
  holders ranked strictly higher), ``lottery`` / ``tie`` (some holder ranked
  equally: the lottery, or the optimisation, decided), ``college_cap``,
  ``host_capacity``, ``objective`` (a blocking pair the mode accepted).
* positions (one entry per listed candidate it did not get): the same reasons
  seen from the position, plus ``not_ranked_back``, ``preferred_other``
  (matched a position they ranked higher - never where) and ``tie_other``;
  ``matched_elsewhere`` says whether the candidate was placed at all.

The reasons a person may read without learning the other side's ranks
(locked, forbidden, no_slots) are decided first, so they never depend on a
rank. Holders are described by their ranks only, never by name.
"""

from __future__ import annotations

from typing import Any

from .checks import MatchState, better_entries
from .explain_text import render
from .model import Problem

__all__ = ["explain"]


class _Explainer:
    def __init__(self, problem: Problem, match: list[int], mode: str) -> None:
        self.problem = problem
        self.match = match
        self.mode = mode
        self.lottery = mode in ("stable", "stable-hosts")
        self.state = MatchState(problem, match)
        self._holder_cache: dict[int, tuple[list[int], int]] = {}
        self.holders: list[list[int]] = [[] for _ in problem.position_ids]
        self.got: list[int] = [0] * len(match)  # each student's tier of their placement
        for s, p in enumerate(match):
            if p >= 0:
                self.holders[p].append(s)
                self.got[s] = _tier(problem, s, p) or 0

    def pair_reason(self, s: int, p: int) -> dict[str, Any]:
        """Why the (student, position) pair is not matched, as data."""
        problem = self.problem
        if s in problem.locked:
            return {"reason": "locked"}
        if (s, p) in problem.constraints.forbid:
            return {"reason": "forbidden"}
        if problem.capacities[p] == 0:
            return {"reason": "no_slots"}
        tier = problem.position_rank[p].get(s)
        if tier is None:
            return {"reason": "not_ranked"}
        state = self.state
        if state.blocks(s, p, tier):
            return {"reason": "objective"}
        if state.load[p] >= problem.capacities[p] and state.worst[p] <= tier:
            return self._filled(p, tier)
        if state.cap_full(s, p):
            return {"reason": "college_cap", "cap": problem.constraints.college_cap.max}
        return {"reason": "host_capacity",
                "host_capacity": problem.constraints.host_capacity[problem.hosts[p]]}

    def _filled(self, p: int, tier: int) -> dict[str, Any]:
        holder_ranks, placed = self._holders_of(p)
        tied = bool(holder_ranks) and holder_ranks[-1] == tier
        reason = "filled" if not tied else ("lottery" if self.lottery else "tie")
        return {"reason": reason, "slots": self.problem.capacities[p],
                "holder_ranks": holder_ranks, "your_rank": tier,
                "placed_by_coordinator": placed}

    def _holders_of(self, p: int) -> tuple[list[int], int]:
        """p's ranks of its unlocked holders (sorted) and how many are locked (cached)."""
        cached = self._holder_cache.get(p)
        if cached is None:
            ranks = self.problem.position_rank[p]
            locked = self.problem.locked
            free = sorted(ranks[s] for s in self.holders[p] if s not in locked)
            placed = len(self.holders[p]) - len(free)
            cached = self._holder_cache[p] = (free, placed)
        return cached

    def for_student(self, s: int) -> list[dict[str, Any]]:
        pid = self.problem.position_ids
        out = []
        for p in better_entries(self.problem, s, self.match[s]):
            entry = {"position": pid[p], **self.pair_reason(s, p)}
            entry["text"] = render(entry, "student", self.mode)
            out.append(entry)
        return out

    def for_position(self, p: int) -> list[dict[str, Any]]:
        problem = self.problem
        sid = problem.student_ids
        match, got = self.match, self.got
        plain = not problem.locked and not problem.constraints.forbid and problem.capacities[p]
        out = []
        for s in problem.position_prefs[p]:
            m = match[s]
            if m == p:
                continue
            if plain and m >= 0:  # fast path for the most common entry
                wanted = _tier(problem, s, p)
                if wanted is not None and got[s] < wanted:
                    out.append({"student": sid[s], "reason": "preferred_other",
                                "matched_elsewhere": True, "text": _ELSEWHERE})
                    continue
            entry = {"student": sid[s], **self._candidate_reason(s, p, m),
                     "matched_elsewhere": m >= 0}
            entry["text"] = render(entry, "host", self.mode)
            out.append(entry)
        return out

    def _candidate_reason(self, s: int, p: int, m: int) -> dict[str, Any]:
        problem = self.problem
        if s in problem.locked:
            return {"reason": "locked"}
        if (s, p) in problem.constraints.forbid:
            return {"reason": "forbidden"}
        if problem.capacities[p] == 0:
            return {"reason": "no_slots"}
        wanted = _tier(problem, s, p)
        if wanted is None:
            return {"reason": "not_ranked_back"}
        got = _tier(problem, s, m) if m >= 0 else None
        if got is not None and got < wanted:
            return {"reason": "preferred_other"}
        if got is not None and got == wanted:
            return {"reason": "tie_other"}
        return self.pair_reason(s, p)


def _tier(problem: Problem, s: int, p: int) -> int | None:
    """problem.student_tier, with the common strict case inlined."""
    if problem.student_tiers[s] is None:
        prefs = problem.student_prefs[s]
        return prefs.index(p) + 1 if p in prefs else None
    return problem.student_tier(s, p)


_ELSEWHERE = render({"student": "", "reason": "preferred_other", "matched_elsewhere": True},
                    "host")


def explain(problem: Problem, match: list[int], mode: str) -> dict[str, Any]:
    """Explanations for every student not at a first choice and every position."""
    ex = _Explainer(problem, match, mode)
    students: dict[str, list[dict[str, Any]]] = {}
    for s, p in enumerate(match):
        if p < 0 or _tier(problem, s, p) != 1:
            students[problem.student_ids[s]] = ex.for_student(s)
    positions = {}
    for p, ident in enumerate(problem.position_ids):
        entries = ex.for_position(p)
        if entries:
            positions[ident] = entries
    return {"students": students, "positions": positions}
