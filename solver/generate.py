"""Random instances with popularity-correlated preferences, deterministic by seed."""

from __future__ import annotations

import itertools
import random
from typing import Any

__all__ = ["generate"]


def generate(
    *,
    students: int = 100,
    positions: int | None = None,
    list_length: int = 10,
    min_capacity: int = 1,
    max_capacity: int = 6,
    tie_prob: float = 0.0,
    colleges: int = 0,
    hosts: int = 0,
    group_prob: float = 0.0,
    popularity: float = 0.8,
    correlation: float = 0.5,
    rank_prob: float = 1.0,
    seed: int = 0,
) -> dict[str, Any]:
    """A random instance as JSON-ready data.

    Positions get Zipf(``popularity``) weights; each student draws
    ``list_length`` distinct positions by weight (popular ones tend to come
    first). Each position ranks the students who listed it (each with
    probability ``rank_prob``) by a score mixing a master list (weight
    ``correlation``) and noise. With ``tie_prob``, an entry joins the tie group
    before it. ``positions`` defaults to seats for about 85% of the students.
    """
    rng = random.Random(seed)
    mean_cap = (min_capacity + max_capacity) / 2
    if positions is None:
        positions = max(1, round(0.85 * students / max(mean_cap, 0.5)))
    pids = [f"p{k + 1}" for k in range(positions)]
    sids = [f"s{k + 1}" for k in range(students)]
    weights = [1.0 / (k + 1) ** popularity for k in range(positions)]
    rng.shuffle(weights)
    cum = list(itertools.accumulate(weights))
    applicants: list[list[int]] = [[] for _ in range(positions)]
    student_rows = []
    for s in range(students):
        chosen = _draw(rng, cum, min(list_length, positions))
        for p in chosen:
            applicants[p].append(s)
        row: dict[str, Any] = {"id": sids[s], "prefs": _ties([pids[p] for p in chosen], tie_prob, rng)}
        if colleges:
            row["college"] = f"c{rng.randrange(colleges) + 1}"
        if group_prob and rng.random() < group_prob:
            row["groups"] = ["first_gen"]
        student_rows.append(row)
    master = [rng.random() for _ in range(students)]
    position_rows = []
    for p in range(positions):
        listed = [s for s in applicants[p] if rank_prob >= 1 or rng.random() < rank_prob]
        score = {s: correlation * master[s] + (1 - correlation) * rng.random() for s in listed}
        listed.sort(key=lambda s: -score[s])
        row = {
            "id": pids[p],
            "capacity": rng.randint(min_capacity, max_capacity),
            "prefs": _ties([sids[s] for s in listed], tie_prob, rng),
        }
        if hosts:
            row["host"] = f"h{rng.randrange(hosts) + 1}"
        position_rows.append(row)
    return {"students": student_rows, "positions": position_rows}


def _draw(rng: random.Random, cum: list[float], k: int) -> list[int]:
    """k distinct indices drawn by weight, in the order first drawn."""
    chosen: dict[int, None] = {}
    while len(chosen) < k:
        for p in rng.choices(range(len(cum)), cum_weights=cum, k=2 * (k - len(chosen))):
            chosen.setdefault(p)
            if len(chosen) == k:
                break
    return list(chosen)


def _ties(ids: list[str], tie_prob: float, rng: random.Random) -> list[Any]:
    if tie_prob <= 0:
        return ids
    groups: list[list[str]] = []
    for ident in ids:
        if groups and rng.random() < tie_prob:
            groups[-1].append(ident)
        else:
            groups.append([ident])
    return [g[0] if len(g) == 1 else g for g in groups]
