"""Pairs no weakly stable matching can use, removed before the max-stable model is built.

Two rules, applied until neither removes anything (the HRT pre-processing of
the stable-matching literature; each removal keeps the set of weakly stable
matchings exactly, because the rows that prove it stay in the model):

* **students apply**: let the students whose best remaining tier is the single
  position p be its applicants. If its applicants in its tiers 1..k number at
  least its free slots, p is full with students of tiers <= k in every weakly
  stable matching (an applicant not placed at p strictly prefers p, so p must
  be full with students it ranks at least as high), so p's pairs in tiers > k
  go.
* **positions offer**: if p's tiers 1..k hold at most its free slots students,
  each of them s must be placed at least as well as p (p cannot be full with
  students it ranks at least as high as s without s), so s's pairs worse than
  p go.

Only for max-stable without side constraints or overrides (caps and floors
change who can block); the pairs are CpData's.
"""

from __future__ import annotations

from collections import defaultdict

__all__ = ["reduce_pairs"]


def reduce_pairs(pairs: list[tuple[int, int, int, int]], free_slots: list[int]) -> list[tuple[int, int, int, int]]:
    """The pairs (s, p, student tier, position tier) some weakly stable matching may use."""
    alive = set(range(len(pairs)))
    by_student: dict[int, list[int]] = defaultdict(list)
    by_position: dict[int, list[int]] = defaultdict(list)
    for k, (s, p, _ts, _tp) in enumerate(pairs):
        by_student[s].append(k)
        by_position[p].append(k)
    for ks in by_student.values():
        ks.sort(key=lambda k: pairs[k][2])
    for ks in by_position.values():
        ks.sort(key=lambda k: pairs[k][3])
    changed = True
    while changed:
        changed = False
        top = _single_top(pairs, by_student, alive)
        for p, ks in by_position.items():
            changed |= _students_apply(pairs, ks, alive, top, free_slots[p])
            changed |= _positions_offer(pairs, ks, alive, by_student, free_slots[p])
    return [pairs[k] for k in sorted(alive)]


def _single_top(pairs, by_student, alive) -> set[int]:
    """The pairs that are a student's only pair in their best remaining tier."""
    top = set()
    for ks in by_student.values():
        live = [k for k in ks if k in alive]
        if live and (len(live) == 1 or pairs[live[1]][2] > pairs[live[0]][2]):
            top.add(live[0])
    return top


def _students_apply(pairs, ks, alive, top, slots) -> bool:
    """Drop p's pairs below the tier where its single-top applicants fill its slots."""
    applicants = 0
    cut = None
    changed = False
    for k in ks:
        if k not in alive:
            continue
        if cut is not None:
            if pairs[k][3] > cut:
                alive.discard(k)
                changed = True
            continue
        if k in top:
            applicants += 1
            if applicants >= slots:
                cut = pairs[k][3]
    return changed


def _positions_offer(pairs, ks, alive, by_student, slots) -> bool:
    live = [k for k in ks if k in alive]
    changed = False
    i = 0
    while i < len(live):
        tier = pairs[live[i]][3]
        j = i
        while j < len(live) and pairs[live[j]][3] == tier:
            j += 1
        if j > slots:  # tiers 1..this one hold more students than slots
            break
        for k in live[i:j]:
            s, _, ts, _ = pairs[k]
            for other in by_student[s]:
                if other in alive and pairs[other][2] > ts:
                    alive.discard(other)
                    changed = True
        i = j
    return changed
