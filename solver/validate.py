"""Validation of instance JSON into the fields of a Problem, in O(total list length).

Every error is an InstanceError whose message starts with the path of the bad
entry, e.g. ``students[2] ('s3'): prefs[1]: unknown position 'p9'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import accumulate, chain
from types import SimpleNamespace
from typing import Any

from .errors import InstanceError
from .validate_constraints import constraints_to_dict, parse_constraints

__all__ = ["parse_fields", "problem_to_dict"]

_TOP_KEYS = {"students", "positions", "constraints"}


def parse_fields(data: Any) -> dict[str, Any]:
    """The fields of a Problem from instance JSON, or InstanceError. ``Problem.position_rank``
    (a dict per position) is left to be built on first use: student-proposing deferred
    acceptance and the explanations read the flat pair arrays instead."""
    if not isinstance(data, Mapping):
        raise InstanceError("instance: must be a JSON object")
    extra = set(data) - _TOP_KEYS
    if extra:
        raise InstanceError(f"instance: unknown key {sorted(extra)[0]!r}")
    students = _list_of_objects(data.get("students", []), "students")
    positions = _list_of_objects(data.get("positions", []), "positions")
    student_index = _ids(students, "students")
    position_index = _ids(positions, "positions")
    s_prefs, s_tiers = _all_prefs(students, "students", position_index, "position")
    p_prefs, p_tiers = _all_prefs(positions, "positions", student_index, "student")
    capacities = tuple(_capacity(p, i) for i, p in enumerate(positions))
    colleges, groups = _student_fields(students)
    hosts = tuple(p.get("host") for p in positions)
    if any(h is not None and type(h) is not str for h in hosts):
        for i, p in enumerate(positions):
            _optional_str(p, "host", "positions", i)
    fields: dict[str, Any] = dict(
        student_ids=tuple(student_index),
        position_ids=tuple(position_index),
        student_prefs=s_prefs,
        student_tiers=s_tiers,
        position_prefs=p_prefs,
        position_tiers=p_tiers,
        capacities=capacities,
        colleges=colleges,
        groups=groups,
        hosts=hosts,
        student_index=student_index,
        position_index=position_index,
    )
    fields["constraints"] = parse_constraints(data.get("constraints", {}), SimpleNamespace(**fields))
    return fields


def _list_of_objects(value: Any, name: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        raise InstanceError(f"{name}: must be a list")
    if set(map(type, value)) <= {dict}:  # parsed JSON: every item a dict, checked without a loop
        return value
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise InstanceError(f"{name}[{i}]: must be an object")
    return value


def _ids(items: list[Mapping[str, Any]], name: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, item in enumerate(items):
        ident = item.get("id")
        if type(ident) is not str or not ident:
            raise InstanceError(f"{name}[{i}]: id must be a non-empty string")
        if index.setdefault(ident, i) != i:
            raise InstanceError(f"{name}[{i}] ({ident!r}): duplicate id")
    return index


def _all_prefs(items, name, index, kind):
    """Interned lists and tiers."""
    lists = [item.get("prefs") for item in items]
    strict = _all_strict(lists, index)
    prefs_out = []
    tiers_out = []
    for i, item in enumerate(items):
        if strict is not None:
            flat = strict[i]
            if len(set(flat)) == len(flat):
                prefs_out.append(flat)
                tiers_out.append(None)
                continue
        prefs = lists[i]
        if type(prefs) is not list:
            raise InstanceError(f"{name}[{i}] ({item['id']!r}): prefs must be a list")
        try:  # a strict list of known ids
            flat = tuple(map(index.__getitem__, prefs))
        except (KeyError, TypeError):
            flat = None
        if flat is not None and len(set(flat)) == len(flat):
            tiers = None
        else:
            flat, tiers = _slow_prefs(prefs, index, kind, f"{name}[{i}] ({item['id']!r}): prefs")
        prefs_out.append(flat)
        tiers_out.append(tiers)
    return tuple(prefs_out), tuple(tiers_out)


def _all_strict(lists: list, index: dict[str, int]) -> list[tuple[int, ...]] | None:
    """Every list interned in one pass when all are lists of known ids (no tie groups),
    else None (then each list is read on its own, to name the first bad entry)."""
    if not all(type(prefs) is list for prefs in lists):
        return None
    try:
        flat = list(map(index.__getitem__, chain.from_iterable(lists)))
    except (KeyError, TypeError):
        return None
    ends = list(accumulate(map(len, lists)))
    return [tuple(flat[a:b]) for a, b in zip([0, *ends], ends)]


def _slow_prefs(prefs, index, kind, where):
    """Parse a list with tie groups, naming the first bad entry."""
    flat: list[int] = []
    tiers: list[int] = []
    seen: set[int] = set()
    for j, entry in enumerate(prefs):
        group = entry if type(entry) is list else [entry]
        if not group:
            raise InstanceError(f"{where}[{j}]: empty tie group")
        for ident in group:
            if type(ident) is list:
                raise InstanceError(f"{where}[{j}]: nested lists are not allowed")
            if type(ident) is not str:
                raise InstanceError(f"{where}[{j}]: {kind} ids must be strings, got {ident!r}")
            k = index.get(ident)
            if k is None:
                raise InstanceError(f"{where}[{j}]: unknown {kind} {ident!r}")
            if k in seen:
                raise InstanceError(f"{where}[{j}]: {kind} {ident!r} listed twice")
            seen.add(k)
            flat.append(k)
            tiers.append(j + 1)
    strict = len(tiers) == len(prefs)
    return tuple(flat), (None if strict else tuple(tiers))


def _capacity(item: Mapping[str, Any], i: int) -> int:
    cap = item.get("capacity")
    if type(cap) is not int:
        raise InstanceError(f"positions[{i}] ({item['id']!r}): capacity must be an integer")
    if cap < 0:
        raise InstanceError(f"positions[{i}] ({item['id']!r}): negative capacity {cap}")
    return cap


def _optional_str(item: Mapping[str, Any], key: str, name: str, i: int) -> str | None:
    value = item.get(key)
    if value is not None and type(value) is not str:
        raise InstanceError(f"{name}[{i}] ({item['id']!r}): {key} must be a string")
    return value


_NO_GROUPS: tuple[str, ...] = ()


def _student_fields(students: list[Mapping[str, Any]]) -> tuple[tuple, tuple]:
    """Each student's college and groups, checked in one pass."""
    colleges = []
    groups = []
    for i, item in enumerate(students):
        college = item.get("college")
        if college is not None and type(college) is not str:
            raise InstanceError(f"students[{i}] ({item['id']!r}): college must be a string")
        colleges.append(college)
        groups.append(_NO_GROUPS if item.get("groups") is None else _groups(item, i))
    return tuple(colleges), tuple(groups)


def _groups(item: Mapping[str, Any], i: int) -> tuple[str, ...]:
    value = item.get("groups")
    if value is None:
        return _NO_GROUPS
    if type(value) is not list or any(type(g) is not str for g in value):
        raise InstanceError(f"students[{i}] ({item['id']!r}): groups must be a list of strings")
    return tuple(dict.fromkeys(value))


def problem_to_dict(problem: Any) -> dict[str, Any]:
    """Turn a Problem back into instance JSON data."""
    sid, pid = problem.student_ids, problem.position_ids
    students = []
    for s, ident in enumerate(sid):
        entry: dict[str, Any] = {
            "id": ident,
            "prefs": _prefs_json(problem.student_prefs[s], problem.student_tiers[s], pid),
        }
        if problem.colleges[s] is not None:
            entry["college"] = problem.colleges[s]
        if problem.groups[s]:
            entry["groups"] = list(problem.groups[s])
        students.append(entry)
    positions = []
    for p, ident in enumerate(pid):
        entry = {
            "id": ident,
            "capacity": problem.capacities[p],
            "prefs": _prefs_json(problem.position_prefs[p], problem.position_tiers[p], sid),
        }
        if problem.hosts[p] is not None:
            entry["host"] = problem.hosts[p]
        positions.append(entry)
    data: dict[str, Any] = {"students": students, "positions": positions}
    constraints = constraints_to_dict(problem)
    if constraints:
        data["constraints"] = constraints
    return data


def _prefs_json(prefs, tiers, ids) -> list[Any]:
    if tiers is None:
        return [ids[k] for k in prefs]
    out: list[Any] = []
    last = 0
    for k, tier in zip(prefs, tiers):
        if tier == last:
            out[-1].append(ids[k])
        else:
            out.append([ids[k]])
            last = tier
    return [group[0] if len(group) == 1 else group for group in out]
