"""Why each student and position got their result, as structured entries.

``explain`` returns ``{"students": {id: block}, "positions": {id: block}}``:
one block for every student not placed at a first choice and every position
that did not get every candidate it listed. A block holds its entries as
columns (one list per field, entry k at index k of each), built in bulk with
numpy; ``rows(block)`` gives the entries back one dict each. No text is
stored: each audience's sentence is rendered on read by
``solver.explain_text.render`` (a student's never shows a host's ranks, a
host's never shows or implies a candidate's preferences; the coordinator's has
the full detail).

* student blocks (one entry per position ranked strictly above their
  placement): ``position``, ``reason``, ``your_rank`` (the position's rank of
  the student, null if unranked), ``slots``, ``holder_ranks`` (the ranks of the
  unlocked students it took, sorted) and ``placed_by_coordinator`` (for the
  reasons ``filled``/``lottery``/``tie``, else null); ``cap`` or
  ``host_capacity`` when side constraints are present.
* position blocks (one entry per listed candidate it did not get):
  ``student``, ``reason``, ``your_rank`` (its rank of the candidate),
  ``matched_elsewhere``; and once for the block: ``slots``, ``holder_ranks``,
  ``placed_by_coordinator``.

Reasons: ``locked``, ``forbidden``, ``no_slots``, ``not_ranked``, ``filled``
(all holders ranked strictly higher), ``lottery`` / ``tie`` (some holder
ranked equally: the lottery, or the optimisation, decided), ``objective`` (a
blocking pair the mode accepted), ``college_cap``, ``host_capacity``; and for
positions also ``not_ranked_back``, ``preferred_other`` (the candidate matched
a position they ranked higher - never where) and ``tie_other``. The reasons a
person may read without learning the other side's ranks (locked, forbidden,
no_slots) are decided first, so they never depend on a rank. Holders are
described by their ranks only, never by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat
from typing import Any

import numpy as np

from .checks import MatchState
from .model import Problem
from .pairs import NEVER, Placement, take

__all__ = ["REASONS", "Explanations", "explain", "rows"]

REASONS = (
    "locked",
    "forbidden",
    "no_slots",
    "not_ranked",
    "filled",
    "lottery",
    "tie",
    "objective",
    "college_cap",
    "host_capacity",
    "not_ranked_back",
    "preferred_other",
    "tie_other",
)
(
    LOCKED,
    FORBIDDEN,
    NO_SLOTS,
    NOT_RANKED,
    FILLED,
    LOTTERY,
    TIE,
    OBJECTIVE,
    COLLEGE_CAP,
    HOST_CAPACITY,
    NOT_RANKED_BACK,
    PREFERRED_OTHER,
    TIE_OTHER,
) = range(len(REASONS))
_HELD = ("filled", "lottery", "tie")  # the reasons that describe the holders
_REASON_NAMES = np.array(REASONS, dtype=object)


class _Explainer:
    """The reason of one pair under side constraints (caps, host capacities), in Python."""

    def __init__(
        self, problem: Problem, match: list[int], mode: str, holders: list[list[int]], placed: list[int]
    ) -> None:
        self.problem = problem
        self.lottery = mode in ("stable", "stable-hosts")
        self.state = MatchState(problem, match)
        self.holders, self.placed = holders, placed

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
        return {"reason": "host_capacity", "host_capacity": problem.constraints.host_capacity[problem.hosts[p]]}

    def _filled(self, p: int, tier: int) -> dict[str, Any]:
        holder_ranks = self.holders[p]
        tied = bool(holder_ranks) and holder_ranks[-1] == tier
        reason = "filled" if not tied else ("lottery" if self.lottery else "tie")
        return {"reason": reason}


class _Market(Placement):
    """The placement plus each position's sorted holder ranks and locked-holder count."""

    def __init__(self, problem: Problem, match: list[int]) -> None:
        super().__init__(problem, match)
        n_p = len(problem.position_ids)
        order = np.lexsort((self.held_tier, self.held_pos))
        counts = np.bincount(self.held_pos, minlength=n_p)
        ranks = self.held_tier[order].tolist()
        bounds = np.zeros(n_p + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        b = bounds.tolist()
        self.holder_ranks = [ranks[b[k] : b[k + 1]] for k in range(n_p)]
        self.placed = (self.load - counts).tolist()


def _student_codes(
    market: _Market, s: np.ndarray, p: np.ndarray, tier: np.ndarray, mode: str
) -> tuple[np.ndarray, dict[int, dict[str, Any]]]:
    """Reason codes of better pairs (student s ranks p above their placement); tier = p's
    rank of s (0 if unranked). The extras of side-constraint reasons, by entry index."""
    lottery = mode in ("stable", "stable-hosts")
    code = np.full(len(s), FILLED, dtype=np.int64)
    code[tier == market.worst[p]] = LOTTERY if lottery else TIE
    extras: dict[int, dict[str, Any]] = {}
    problem = market.problem
    side = problem.constraints.college_cap is not None or bool(problem.constraints.host_capacity)
    if not side:
        code[(market.load[p] < market.caps[p]) | (market.worst[p] > tier)] = OBJECTIVE
    code[tier == 0] = NOT_RANKED
    code[market.caps[p] == 0] = NO_SLOTS
    code[market.forbidden(s, p)] = FORBIDDEN
    code[market.locked[s]] = LOCKED
    if side:
        rest = np.flatnonzero(code >= FILLED)
        explainer = _Explainer(problem, market.m.tolist(), mode, market.holder_ranks, market.placed)
        index = {name: k for k, name in enumerate(REASONS)}
        for k, x, y in zip(rest.tolist(), s[rest].tolist(), p[rest].tolist()):
            found = explainer.pair_reason(x, y)
            code[k] = index[found.pop("reason")]
            if found:
                extras[k] = found
    return code, extras


def _blocks(
    ids: list[str],
    owners: np.ndarray,
    who: np.ndarray,
    columns: dict[str, list],
    constant: dict[str, list] | None = None,
) -> dict[str, dict[str, Any]]:
    """One block per owner in ``who`` (sorted), slicing the entry ``columns`` by owner;
    ``constant`` holds fields with one value per owner (indexed by owner), added last.
    Built column by column with C-level maps: one slice per block and field, no Python loop."""
    counts = np.bincount(owners, minlength=len(ids))
    bounds = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    slices = list(map(slice, bounds[who].tolist(), bounds[who + 1].tolist()))
    owner = who.tolist()
    fields = [list(map(values.__getitem__, slices)) for values in columns.values()]
    names = list(columns)
    for name, values in (constant or {}).items():
        fields.append(list(map(values.__getitem__, owner)))
        names.append(name)
    blocks = map(dict, map(zip, repeat(names), zip(*fields)))
    return dict(zip(map(ids.__getitem__, owner), blocks))


def _none_where(values: list, mask: np.ndarray) -> list:
    for k in np.flatnonzero(mask).tolist():
        values[k] = None
    return values


def _students(market: _Market, mode: str) -> dict[str, dict[str, Any]]:
    problem, a, m = market.problem, market.a, market.m
    better = market.better()
    s, p = a.s_stu[better], a.s_pos[better]
    j = a.j_of_i[better]
    tier = take(a.p_tier, j, 0)
    code, extras = _student_codes(market, s, p, tier, mode)
    held = (code == FILLED) | (code == LOTTERY) | (code == TIE)
    plist = p.tolist()
    holder_ranks = market.holder_ranks
    columns: dict[str, list] = {
        "position": a.position_ids[p].tolist(),
        "reason": _REASON_NAMES[code].tolist(),
        "your_rank": _none_where(tier.tolist(), tier == 0),
        "slots": _none_where(market.caps[p].tolist(), ~held),
        "holder_ranks": _none_where(list(map(holder_ranks.__getitem__, plist)), ~held),
        "placed_by_coordinator": _none_where(list(map(market.placed.__getitem__, plist)), ~held),
    }
    for k, found in extras.items():
        for name, value in found.items():
            columns.setdefault(name, [None] * len(plist))[k] = value
    who = np.flatnonzero((m < 0) | (market.own_tier != 1))
    return _blocks(list(problem.student_ids), s, who, columns)


def _positions(market: _Market, mode: str) -> dict[str, dict[str, Any]]:
    problem, a, m = market.problem, market.a, market.m
    missed = np.flatnonzero(m[a.p_stu] != a.p_pos) if len(a.p_stu) else np.zeros(0, np.int64)
    s, p = a.p_stu[missed], a.p_pos[missed]
    i = a.i_of_j[missed]
    wanted = take(a.s_tier, i, NEVER)
    got = market.own_tier[s]
    tier = a.p_tier[missed]
    code = np.full(len(s), NOT_RANKED_BACK, dtype=np.int64)
    listed = i >= 0
    code[listed & (got < wanted)] = PREFERRED_OTHER
    code[listed & (got == wanted)] = TIE_OTHER
    better = np.flatnonzero(listed & (got > wanted))  # s ranks p above the placement
    pair, _ = _student_codes(market, s[better], p[better], tier[better], mode)
    code[better] = pair
    code[market.caps[p] == 0] = NO_SLOTS
    code[market.forbidden(s, p)] = FORBIDDEN
    code[market.locked[s]] = LOCKED
    columns: dict[str, list] = {
        "student": a.student_ids[s].tolist(),
        "reason": _REASON_NAMES[code].tolist(),
        "your_rank": tier.tolist(),
        "matched_elsewhere": (m[s] >= 0).tolist(),
    }
    caps, ranks, placed = problem.capacities, market.holder_ranks, market.placed
    who = np.flatnonzero(np.bincount(p, minlength=len(problem.position_ids)))  # sorted, as np.unique(p)
    side = problem.constraints.college_cap is not None or bool(problem.constraints.host_capacity)
    if side:  # the caps of side-constraint reasons, as in the students' blocks
        cap = problem.constraints.college_cap
        host_cap = problem.constraints.host_capacity
        columns["cap"] = [cap.max if c == COLLEGE_CAP else None for c in code.tolist()]
        columns["host_capacity"] = [
            host_cap.get(problem.hosts[y]) if c == HOST_CAPACITY else None for c, y in zip(code.tolist(), p.tolist())
        ]
    return _blocks(
        list(problem.position_ids),
        p,
        who,
        columns,
        {"slots": caps, "holder_ranks": ranks, "placed_by_coordinator": placed},
    )


def explain(problem: Problem, match: list[int], mode: str) -> dict[str, Any]:
    """Explanations for every student not at a first choice and every position."""
    market = _Market(problem, match)
    return {"students": _students(market, mode), "positions": _positions(market, mode)}


_STUDENT_FIELDS = ("position", "reason")
_POSITION_FIELDS = ("student", "reason", "matched_elsewhere")


def rows(block: Mapping[str, Any] | list | None) -> list[dict[str, Any]]:
    """A block's entries, one dict each, with the fields their reason uses.

    Also accepts a list of entry dicts (the form results had before blocks).
    """
    if not block:
        return []
    if isinstance(block, list):
        return block
    student = "position" in block
    keys = _STUDENT_FIELDS if student else _POSITION_FIELDS
    out = []
    for k, reason in enumerate(block["reason"]):
        entry = {name: block[name][k] for name in keys}
        if reason in _HELD:
            for name in ("slots", "holder_ranks", "placed_by_coordinator"):
                entry[name] = block[name][k] if student else block[name]
            entry["your_rank"] = block["your_rank"][k]
        elif reason in ("college_cap", "host_capacity"):
            name = "cap" if reason == "college_cap" else "host_capacity"
            entry[name] = block[name][k]
        out.append(entry)
    return out


class Explanations(Mapping):
    """``explain``'s blocks, read as entry rows: ``explanations["students"]["s1"]`` is
    ``rows(block)``; ``blocks`` is the columnar form the result JSON holds."""

    def __init__(self, blocks: dict[str, dict[str, Any]]) -> None:
        self.blocks = blocks

    def __getitem__(self, side: str) -> Mapping[str, list[dict[str, Any]]]:
        return _Side(self.blocks[side])

    def __iter__(self):
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)


class _Side(Mapping):
    def __init__(self, blocks: dict[str, Any]) -> None:
        self.blocks = blocks

    def __getitem__(self, ident: str) -> list[dict[str, Any]]:
        return rows(self.blocks[ident])

    def __iter__(self):
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)
