"""The sentences of an explanation, one renderer per audience.

The clearinghouse rule is that neither side learns the other's ranks, so:

* a **student** reads what happened at each position they ranked higher,
  without any host rank, tie or "did not rank you": the host-side reasons all
  read the same sentence;
* a **host** reads, for each listed candidate it did not get, only what the
  host may know anyway: the candidate was matched elsewhere or not matched,
  or a coordinator override - never anything that depends on the candidate's
  own list;
* the **coordinator**, who runs the match, reads the full detail (ranks,
  holders, ties, caps).

Each renderer takes one structured entry (see ``solver.explain``): an entry
with a ``position`` key explains a student's better choice, one with a
``student`` key explains a position's listed candidate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["AUDIENCES", "render"]

AUDIENCES = ("student", "host", "coordinator")

_OBJECTIVE = {
    "welfare": "the welfare mode placed more students or better ranks instead",
    "max-stable": "the side constraints (e.g. a group floor) made this pair unavoidable",
}


def render(entry: Mapping[str, Any], audience: str, mode: str = "stable") -> str:
    """The sentence ``audience`` reads for one entry (ids stay ids: "p7", "s12")."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience: must be one of {', '.join(AUDIENCES)}, got {audience!r}")
    side = _STUDENT_SIDE if "position" in entry else _POSITION_SIDE
    renderer = side.get(audience)
    if renderer is None:  # a student's reasons are never shown to a host, nor the reverse
        raise ValueError(f"a {audience} never reads this entry")
    return renderer(entry, mode)


def _for_student(entry: Mapping[str, Any], mode: str) -> str:
    name, reason = entry["position"], entry["reason"]
    if reason == "locked":
        return f"The coordinator placed you directly, so {name} was not considered."
    if reason == "forbidden":
        return f"The coordinator ruled out a placement at {name}."
    if reason == "no_slots":
        return f"{name} has no slots."
    return (
        f"{name} had no seat for you under its host's ranking and the match rules (hosts' rankings stay confidential)."
    )


def _for_host(entry: Mapping[str, Any], mode: str) -> str:
    reason = entry["reason"]
    if reason == "locked":
        return "The coordinator placed this candidate directly elsewhere."
    if reason == "forbidden":
        return "The coordinator ruled out this placement."
    if reason == "no_slots":
        return "This position has no slots."
    elsewhere = entry.get("matched_elsewhere")
    if elsewhere is None:  # entries stored before the field existed
        elsewhere = reason in ("preferred_other", "tie_other") or None
    if elsewhere is None:
        return "This candidate was not placed at this position."
    return "This candidate was matched elsewhere." if elsewhere else "This candidate was not matched in this round."


def _holders(entry: Mapping[str, Any]) -> str:
    ranks = ", ".join(map(str, entry.get("holder_ranks") or ())) or "none"
    placed = entry.get("placed_by_coordinator")
    more = f"; {placed} placed directly by the coordinator" if placed else ""
    return f"their ranks: {ranks}{more}"


def _filled(entry: Mapping[str, Any], who: str) -> str:
    how = "higher than" if entry["reason"] == "filled" else "at least as high as"
    tie = {
        "lottery": f" A tie at {who}'s rank was broken by lottery.",
        "tie": f" A tie at {who}'s rank was settled by the optimisation.",
    }
    return (
        f"filled its {entry['slots']} slot(s) with candidates it ranked {how} {who} "
        f"({_holders(entry)}; {who}: {entry['your_rank']})." + tie.get(entry["reason"], "")
    )


def _coordinator_student_side(entry: Mapping[str, Any], mode: str) -> str:
    name, reason = entry["position"], entry["reason"]
    if reason in ("filled", "lottery", "tie"):
        return f"{name} {_filled(entry, 'this student')}"
    return {
        "locked": f"The coordinator placed this student directly, so {name} was not considered.",
        "forbidden": f"The coordinator ruled out a placement at {name}.",
        "not_ranked": f"{name} did not rank this student.",
        "no_slots": f"{name} has no slots.",
        "college_cap": f"{name} already had the maximum of {entry.get('cap')} students "
        "from this student's college allowed by the college cap.",
        "host_capacity": f"{name}'s host was at its total capacity of {entry.get('host_capacity')}.",
        "objective": f"{name} ranked this student above someone it took or had room, but "
        f"{_OBJECTIVE.get(mode, 'the mode placed differently')}.",
    }[reason]


def _coordinator_position_side(entry: Mapping[str, Any], mode: str) -> str:
    reason = entry["reason"]
    if reason in ("filled", "lottery", "tie"):
        return f"This position {_filled(entry, 'this candidate')}"
    tie = "lottery" if mode in ("stable", "stable-hosts") else "the optimisation"
    return {
        "locked": "The coordinator placed this candidate directly elsewhere.",
        "forbidden": "The coordinator ruled out this placement.",
        "not_ranked_back": "This candidate did not rank this position.",
        "preferred_other": "This candidate matched a position they ranked higher.",
        "tie_other": f"This candidate matched a position they ranked equally high; the tie was settled by {tie}.",
        "no_slots": "This position has no slots.",
        "college_cap": "The college cap for this candidate's college was already reached here.",
        "host_capacity": f"The host was at its total capacity of {entry.get('host_capacity')}.",
        "objective": "This candidate ranked this position higher than their placement, but "
        f"{_OBJECTIVE.get(mode, 'the mode placed differently')}.",
    }[reason]


_STUDENT_SIDE = {"student": _for_student, "coordinator": _coordinator_student_side}
_POSITION_SIDE = {"host": _for_host, "coordinator": _coordinator_position_side}
