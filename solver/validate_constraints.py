"""Validation of the optional ``constraints`` object of an instance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .constraints import CollegeCap, Constraints
from .errors import InstanceError

# ``problem`` below is anything with a Problem's id, capacity, college, group and host fields.
Problem = Any

__all__ = ["constraints_to_dict", "parse_constraints"]

_KEYS = {"college_cap", "group_floor", "host_capacity", "lock", "forbid"}


def parse_constraints(data: Any, problem: Problem) -> Constraints:
    """Validate ``constraints`` against the problem's ids."""
    if not isinstance(data, Mapping):
        raise InstanceError("constraints: must be an object")
    extra = set(data) - _KEYS
    if extra:
        raise InstanceError(f"constraints: unknown key {sorted(extra)[0]!r}")
    forbid = _pairs(data.get("forbid", []), "forbid", problem)
    lock = _pairs(data.get("lock", []), "lock", problem)
    _check_locks(lock, set(forbid), problem)
    return Constraints(
        college_cap=_college_cap(data.get("college_cap")),
        group_floor=_group_floor(data.get("group_floor", []), problem),
        host_capacity=_host_capacity(data.get("host_capacity", {}), problem),
        lock=tuple(lock),
        forbid=frozenset(forbid),
    )


def _count(value: Any, where: str) -> int:
    if type(value) is not int or value < 0:
        raise InstanceError(f"{where}: must be a non-negative integer, got {value!r}")
    return value


def _college_cap(value: Any) -> CollegeCap | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"per", "max"}:
        raise InstanceError('constraints.college_cap: must be {"per": "host"|"position", "max": k}')
    if value["per"] not in ("host", "position"):
        raise InstanceError(f"constraints.college_cap.per: must be 'host' or 'position', got {value['per']!r}")
    return CollegeCap(per=value["per"], max=_count(value["max"], "constraints.college_cap.max"))


def _group_floor(value: Any, problem: Problem) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, list):
        raise InstanceError("constraints.group_floor: must be a list")
    known = {g for groups in problem.groups for g in groups}
    floors: dict[str, int] = {}
    for i, item in enumerate(value):
        where = f"constraints.group_floor[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"group", "min"}:
            raise InstanceError(f'{where}: must be {{"group": name, "min": m}}')
        group = item["group"]
        if type(group) is not str or group not in known:
            raise InstanceError(f"{where}: unknown group {group!r}")
        if group in floors:
            raise InstanceError(f"{where}: group {group!r} given twice")
        floors[group] = _count(item["min"], f"{where}.min")
    return tuple(floors.items())


def _host_capacity(value: Any, problem: Problem) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise InstanceError("constraints.host_capacity: must be an object of host -> capacity")
    known = set(problem.hosts)
    for host, cap in value.items():
        if host not in known:
            raise InstanceError(f"constraints.host_capacity: unknown host {host!r}")
        _count(cap, f"constraints.host_capacity[{host!r}]")
    return dict(value)


def _pairs(value: Any, name: str, problem: Problem) -> list[tuple[int, int]]:
    if not isinstance(value, list):
        raise InstanceError(f"constraints.{name}: must be a list of [student, position] pairs")
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for i, item in enumerate(value):
        where = f"constraints.{name}[{i}]"
        if type(item) is not list or len(item) != 2:
            raise InstanceError(f"{where}: must be a [student, position] pair")
        s = problem.student_index.get(item[0]) if type(item[0]) is str else None
        p = problem.position_index.get(item[1]) if type(item[1]) is str else None
        if s is None:
            raise InstanceError(f"{where}: unknown student {item[0]!r}")
        if p is None:
            raise InstanceError(f"{where}: unknown position {item[1]!r}")
        if (s, p) in seen:
            raise InstanceError(f"{where}: pair {item!r} given twice")
        seen.add((s, p))
        pairs.append((s, p))
    return pairs


def _check_locks(lock: list[tuple[int, int]], forbid: set[tuple[int, int]], problem: Problem) -> None:
    sid, pid = problem.student_ids, problem.position_ids
    placed: dict[int, int] = {}
    load: dict[int, int] = {}
    for i, (s, p) in enumerate(lock):
        where = f"constraints.lock[{i}]"
        if (s, p) in forbid:
            raise InstanceError(f"{where}: [{sid[s]!r}, {pid[p]!r}] is also forbidden")
        if s in placed:
            raise InstanceError(f"{where}: student {sid[s]!r} is already locked to {pid[placed[s]]!r}")
        placed[s] = p
        load[p] = load.get(p, 0) + 1
        if load[p] > problem.capacities[p]:
            raise InstanceError(f"{where}: more locks at {pid[p]!r} than its capacity {problem.capacities[p]}")


def constraints_to_dict(problem: Problem) -> dict[str, Any]:
    """The constraints object of the instance JSON (empty parts left out)."""
    c = problem.constraints
    sid, pid = problem.student_ids, problem.position_ids
    out: dict[str, Any] = {}
    if c.college_cap is not None:
        out["college_cap"] = {"per": c.college_cap.per, "max": c.college_cap.max}
    if c.group_floor:
        out["group_floor"] = [{"group": g, "min": m} for g, m in c.group_floor]
    if c.host_capacity:
        out["host_capacity"] = dict(c.host_capacity)
    if c.lock:
        out["lock"] = [[sid[s], pid[p]] for s, p in c.lock]
    if c.forbid:
        out["forbid"] = sorted([sid[s], pid[p]] for s, p in c.forbid)
    return out
