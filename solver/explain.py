"""Plain-language explanations of a matching, for each student and position.

Each entry is structured data plus a rendered English ``text``. Reasons:

* students (one entry per position ranked strictly above their placement):
  ``locked``, ``forbidden``, ``not_ranked``, ``no_slots``, ``filled`` (all
  holders ranked strictly higher), ``lottery`` / ``tie`` (some holder ranked
  equally: the lottery, or the optimisation, decided), ``college_cap``,
  ``host_capacity``, ``objective`` (a blocking pair the mode accepted).
* positions (one entry per listed candidate it did not get): the same reasons
  seen from the position, plus ``not_ranked_back``, ``preferred_other``
  (matched a position they ranked higher - never where) and ``tie_other``.

Holders are described by their ranks only, never by name.
"""

from __future__ import annotations

from typing import Any

from .checks import MatchState, better_entries
from .model import Problem

__all__ = ["explain"]

_OBJECTIVE = {
    "welfare": "the welfare mode placed more students or better ranks instead",
    "max-stable": "the side constraints (e.g. a group floor) made this pair unavoidable",
}


class _Explainer:
    def __init__(self, problem: Problem, match: list[int], mode: str) -> None:
        self.problem = problem
        self.match = match
        self.mode = mode
        self.lottery = mode in ("stable", "stable-hosts")
        self.state = MatchState(problem, match)
        self._holder_cache: dict[int, tuple[list[int], int]] = {}
        self._ranks_text: dict[int, str] = {}
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
        tier = problem.position_rank[p].get(s)
        if tier is None:
            return {"reason": "not_ranked"}
        if problem.capacities[p] == 0:
            return {"reason": "no_slots"}
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
            self._ranks_text[p] = _ranks(free, placed)
        return cached

    def for_student(self, s: int) -> list[dict[str, Any]]:
        pid = self.problem.position_ids
        out = []
        for p in better_entries(self.problem, s, self.match[s]):
            entry = {"position": pid[p], **self.pair_reason(s, p)}
            entry["text"] = _student_text(entry, self.mode, self._ranks_text.get(p, ""))
            out.append(entry)
        return out

    def for_position(self, p: int) -> list[dict[str, Any]]:
        problem = self.problem
        sid = problem.student_ids
        match, got = self.match, self.got
        plain = not problem.locked and not problem.constraints.forbid
        out = []
        for s in problem.position_prefs[p]:
            m = match[s]
            if m == p:
                continue
            if plain and m >= 0:  # fast path for the most common entry
                wanted = _tier(problem, s, p)
                if wanted is not None and got[s] < wanted:
                    out.append({"student": sid[s], "reason": "preferred_other",
                                "text": _PREFERRED_OTHER})
                    continue
            entry = {"student": sid[s], **self._candidate_reason(s, p, m)}
            entry["text"] = _position_text(entry, self.mode, self._ranks_text.get(p, ""))
            out.append(entry)
        return out

    def _candidate_reason(self, s: int, p: int, m: int) -> dict[str, Any]:
        problem = self.problem
        if s in problem.locked:
            return {"reason": "locked"}
        if (s, p) in problem.constraints.forbid:
            return {"reason": "forbidden"}
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


_PREFERRED_OTHER = "This candidate matched a position they ranked higher."


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


def _ranks(holder_ranks: list[int], placed: int) -> str:
    ranks = ", ".join(map(str, holder_ranks)) or "none"
    more = f"; {placed} placed directly by the coordinator" if placed else ""
    return f"their ranks: {ranks}{more}"


def _tie_clause(entry: dict[str, Any]) -> str:
    if entry["reason"] == "lottery":
        return " A tie at your rank was broken by lottery."
    if entry["reason"] == "tie":
        return " A tie at your rank was settled by the optimisation."
    return ""


def _student_text(entry: dict[str, Any], mode: str, ranks: str) -> str:
    name, reason = entry["position"], entry["reason"]
    if reason in ("filled", "lottery", "tie"):
        how = "higher than" if reason == "filled" else "at least as high as"
        return (f"{name} filled its {entry['slots']} slot(s) with candidates it ranked {how} "
                f"you ({ranks}; yours: {entry['your_rank']}).{_tie_clause(entry)}")
    return {
        "locked": f"The coordinator placed you directly, so {name} was not considered.",
        "forbidden": f"The coordinator ruled out a placement at {name}.",
        "not_ranked": f"{name} did not rank you.",
        "no_slots": f"{name} has no slots.",
        "college_cap": f"{name} already had the maximum of {entry.get('cap')} students "
                       "from your college allowed by the college cap.",
        "host_capacity": f"{name}'s host was at its total capacity of "
                         f"{entry.get('host_capacity')}.",
        "objective": f"{name} ranked you above someone it took or had room, but "
                     f"{_OBJECTIVE.get(mode, 'the mode placed differently')}.",
    }[reason]


def _position_text(entry: dict[str, Any], mode: str, ranks: str) -> str:
    reason = entry["reason"]
    if reason in ("filled", "lottery", "tie"):
        how = "higher than" if reason == "filled" else "at least as high as"
        return (f"You filled your {entry['slots']} slot(s) with candidates you ranked {how} "
                f"this one ({ranks}; this candidate: {entry['your_rank']})."
                + _tie_clause(entry).replace("your rank", "this rank"))
    tie = "lottery" if mode in ("stable", "stable-hosts") else "the optimisation"
    return {
        "locked": "The coordinator placed this candidate directly elsewhere.",
        "forbidden": "The coordinator ruled out this placement.",
        "not_ranked_back": "This candidate did not rank this position.",
        "preferred_other": _PREFERRED_OTHER,
        "tie_other": "This candidate matched a position they ranked equally high; "
                     f"the tie was settled by {tie}.",
        "no_slots": "This position has no slots.",
        "college_cap": "The college cap for this candidate's college was already reached here.",
        "host_capacity": "Your host was at its total capacity.",
        "objective": "This candidate ranked you higher than their placement, but "
                     f"{_OBJECTIVE.get(mode, 'the mode placed differently')}.",
    }[reason]
