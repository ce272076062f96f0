"""Malformed instances raise InstanceError naming the bad entry."""

from __future__ import annotations

import copy

import pytest

from solver import InstanceError, Problem

BASE = {
    "students": [{"id": "s1", "prefs": ["p1", ["p2", "p3"]]}, {"id": "s2", "prefs": []}],
    "positions": [
        {"id": "p1", "capacity": 1, "prefs": ["s1"]},
        {"id": "p2", "capacity": 2, "prefs": [["s1", "s2"]], "host": "h1"},
        {"id": "p3", "capacity": 0, "prefs": []},
    ],
}


def _with(path: str, value):
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("students.0.prefs", ["p1", "p9"], r"students\[0\] \('s1'\): prefs\[1\]: unknown position 'p9'"),
        ("positions.0.prefs", ["s7"], r"positions\[0\] \('p1'\): prefs\[0\]: unknown student 's7'"),
        ("students.1.id", "s1", r"students\[1\] \('s1'\): duplicate id"),
        ("positions.2.id", "", r"positions\[2\]: id must be a non-empty string"),
        ("positions.1.capacity", -1, r"positions\[1\] \('p2'\): negative capacity -1"),
        ("positions.1.capacity", "2", r"positions\[1\] \('p2'\): capacity must be an integer"),
        ("students.0.prefs", ["p1", ["p1", "p2"]], r"prefs\[1\]: position 'p1' listed twice"),
        ("students.0.prefs", ["p1", "p1"], r"students\[0\] \('s1'\): prefs\[1\]: position 'p1' listed twice"),
        ("students.0.prefs", ["p1", []], r"prefs\[1\]: empty tie group"),
        ("students.0.prefs", [["p1", ["p2"]]], r"prefs\[0\]: nested lists are not allowed"),
        ("students.0.prefs", ["p1", 3], r"prefs\[1\]: position ids must be strings, got 3"),
        ("students.0.prefs", "p1", r"students\[0\] \('s1'\): prefs must be a list"),
        ("students.0.college", 5, r"students\[0\] \('s1'\): college must be a string"),
        ("students.0.groups", "g", r"students\[0\] \('s1'\): groups must be a list of strings"),
        ("positions.0.host", ["h"], r"positions\[0\] \('p1'\): host must be a string"),
        ("students", {}, r"students: must be a list"),
        ("students.1", "s2", r"students\[1\]: must be an object"),
        ("extra", 1, r"instance: unknown key 'extra'"),
    ],
)
def test_bad_entries_are_named(path, value, message):
    with pytest.raises(InstanceError, match=message):
        Problem.from_dict(_with(path, value))


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        (
            {"college_cap": {"per": "college", "max": 1}},
            r"constraints.college_cap.per: must be 'host' or 'position', got 'college'",
        ),
        ({"college_cap": {"per": "host"}}, r"constraints.college_cap: must be"),
        (
            {"college_cap": {"per": "host", "max": -2}},
            r"constraints.college_cap.max: must be a non-negative integer, got -2",
        ),
        ({"group_floor": [{"group": "nobody", "min": 1}]}, r"constraints.group_floor\[0\]: unknown group 'nobody'"),
        ({"group_floor": {"group": "g"}}, r"constraints.group_floor: must be a list"),
        ({"host_capacity": {"h9": 1}}, r"constraints.host_capacity: unknown host 'h9'"),
        ({"host_capacity": {"h1": -1}}, r"constraints.host_capacity\['h1'\]: must be a non-negative"),
        ({"lock": [["s9", "p1"]]}, r"constraints.lock\[0\]: unknown student 's9'"),
        ({"forbid": [["s1", "p9"]]}, r"constraints.forbid\[0\]: unknown position 'p9'"),
        ({"lock": [["s1"]]}, r"constraints.lock\[0\]: must be a \[student, position\] pair"),
        (
            {"lock": [["s1", "p1"]], "forbid": [["s1", "p1"]]},
            r"constraints.lock\[0\]: \['s1', 'p1'\] is also forbidden",
        ),
        ({"lock": [["s1", "p1"], ["s1", "p2"]]}, r"constraints.lock\[1\]: student 's1' is already locked to 'p1'"),
        ({"lock": [["s1", "p3"]]}, r"constraints.lock\[0\]: more locks at 'p3' than its capacity 0"),
        ({"forbid": [["s1", "p1"], ["s1", "p1"]]}, r"constraints.forbid\[1\]: pair .* given twice"),
        ({"quota": 1}, r"constraints: unknown key 'quota'"),
    ],
)
def test_bad_constraints_are_named(constraints, message):
    data = copy.deepcopy(BASE)
    data["students"][1]["groups"] = ["g"]
    data["constraints"] = constraints

    with pytest.raises(InstanceError, match=message):
        Problem.from_dict(data)


def test_instance_error_is_a_value_error():
    with pytest.raises(ValueError, match="instance: must be a JSON object"):
        Problem.from_dict([])


def test_valid_instance_keeps_ties_as_tiers():
    problem = Problem.from_dict(BASE)

    assert problem.student_tier(0, 2) == 2 == problem.student_tier(0, 1)
    assert problem.position_rank[1] == {0: 1, 1: 1}
    assert problem.has_ties
