"""Explanations are checked against the matching they explain."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from solver_testkit import PROPERTY, instances

from solver import Problem, solve
from solver.checks import better_entries
from solver.explain_text import render


def _assert_student_entry(problem, match, s, entry, blocking=()):
    p = problem.position_index[entry["position"]]
    holders = [q for q, m in enumerate(match) if m == p]
    reason = entry["reason"]
    assert render(entry, "student") and render(entry, "coordinator")
    if reason == "not_ranked":
        assert s not in problem.position_rank[p]
    elif reason == "no_slots":
        assert problem.capacities[p] == 0
    elif reason == "forbidden":
        assert (s, p) in problem.constraints.forbid
    elif reason == "locked":
        assert s in problem.locked
    elif reason in ("filled", "lottery", "tie"):
        assert entry["slots"] == problem.capacities[p] == len(holders)
        assert len(entry["holder_ranks"]) + entry["placed_by_coordinator"] == len(holders)
        assert entry["your_rank"] == problem.position_rank[p][s]
        assert all(problem.student_ids[q] not in render(entry, "coordinator") for q in holders)  # no names
        if reason == "filled":
            assert all(r < entry["your_rank"] for r in entry["holder_ranks"])
        else:
            assert max(entry["holder_ranks"]) == entry["your_rank"]
    elif reason == "objective":
        assert (problem.student_ids[s], entry["position"]) in blocking
    elif reason == "college_cap":
        cap = problem.constraints.college_cap
        host = problem.hosts[p]
        scope = [
            q
            for q in range(len(problem.position_ids))
            if q == p or (cap.per == "host" and host is not None and problem.hosts[q] == host)
        ]
        same = [q for q, m in enumerate(match) if m in scope and q != s and problem.colleges[q] == problem.colleges[s]]
        assert len(same) >= cap.max == entry["cap"]
    else:
        assert reason == "host_capacity"
        host = problem.hosts[p]
        load = [q for q, m in enumerate(match) if m >= 0 and problem.hosts[m] == host and q != s]
        assert len(load) >= problem.constraints.host_capacity[host] == entry["host_capacity"]


@PROPERTY
@given(data=instances(overrides=True), mode=st.sampled_from(["stable", "stable-hosts", "max-stable", "welfare"]))
def test_student_explanations_cover_every_better_position_with_a_true_reason(data, mode):
    problem = Problem.from_dict(data)

    solution = solve(problem, mode=mode)
    explained = solution.explanations["students"]

    for s, ident in enumerate(problem.student_ids):
        m = solution.match[s]
        if m >= 0 and problem.student_tier(s, m) == 1:
            assert ident not in explained
            continue
        wanted = [problem.position_ids[p] for p in better_entries(problem, s, m)]
        assert [e["position"] for e in explained[ident]] == wanted
        for entry in explained[ident]:
            _assert_student_entry(problem, solution.match, s, entry, solution.blocking_pairs)


@PROPERTY
@given(data=instances(max_students=6, side=True), mode=st.sampled_from(["max-stable", "welfare"]))
def test_explanations_under_side_constraints_name_the_binding_constraint(data, mode):
    problem = Problem.from_dict(data)

    solution = solve(problem, mode=mode)

    for ident, entries in solution.explanations["students"].items():
        s = problem.student_index[ident]
        for entry in entries:
            _assert_student_entry(problem, solution.match, s, entry, solution.blocking_pairs)


@PROPERTY
@given(data=instances(overrides=True), mode=st.sampled_from(["stable", "max-stable"]))
def test_position_explanations_never_say_where_a_candidate_went(data, mode):
    problem = Problem.from_dict(data)

    solution = solve(problem, mode=mode)

    for ident, entries in solution.explanations["positions"].items():
        p = problem.position_index[ident]
        for entry in entries:
            s = problem.student_index[entry["student"]]
            m = solution.match[s]
            assert m != p
            if m >= 0:
                for audience in ("host", "coordinator"):
                    assert problem.position_ids[m] not in render(entry, audience, mode)
            if entry["reason"] == "preferred_other":
                assert problem.student_tier(s, m) < problem.student_tier(s, p)
            if entry["reason"] == "not_ranked_back":
                assert p not in problem.student_prefs[s]
            if entry["reason"] == "filled":
                assert sum(q == p for q in solution.match) == problem.capacities[p]


def _one_text_per_fact(facts_and_texts):
    """{fact: {texts}}: each fact a reader may know must map to exactly one text."""
    seen: dict = {}
    for fact, text in facts_and_texts:
        seen.setdefault(fact, set()).add(text)
    return {fact: texts for fact, texts in seen.items() if len(texts) > 1}


_LEAKS = ("did not rank", "ranked", "their ranks", "yours", "tie", "lottery", "college cap", "capacity of")
ANY_MODE = st.sampled_from(["stable", "stable-hosts", "max-stable", "welfare"])


def _solved(data, mode):
    """The problem and its solution (side constraints need a CP-SAT mode)."""
    problem = Problem.from_dict(data)
    if problem.constraints.has_side and mode.startswith("stable"):
        mode = "max-stable"
    return problem, solve(problem, mode=mode), mode


def _reads_no_rank(text: str) -> None:
    assert not any(ch.isdigit() for ch in text), text
    assert not any(word in text.lower() for word in _LEAKS), text


@PROPERTY
@given(data=instances(overrides=True, side=True), mode=ANY_MODE)
def test_a_student_reads_nothing_of_a_hosts_ranks(data, mode):
    problem, solution, mode = _solved(data, mode)

    facts = []
    for ident, entries in solution.explanations["students"].items():
        s = problem.student_index[ident]
        for entry in entries:
            p = problem.position_index[entry["position"]]
            text = render(entry, "student", mode)
            anonymous = text.replace(entry["position"], "P")
            _reads_no_rank(anonymous)
            # what the student may know: own lock, the coordinator's ban, an empty position
            known = (s in problem.locked, (s, p) in problem.constraints.forbid, problem.capacities[p] == 0)
            facts.append((known, anonymous))
    assert _one_text_per_fact(facts) == {}


@PROPERTY
@given(data=instances(overrides=True, side=True), mode=ANY_MODE)
def test_a_host_reads_nothing_of_a_candidates_preferences(data, mode):
    problem, solution, mode = _solved(data, mode)

    facts = []
    for ident, entries in solution.explanations["positions"].items():
        p = problem.position_index[ident]
        for entry in entries:
            s = problem.student_index[entry["student"]]
            text = render(entry, "host", mode)
            _reads_no_rank(text)
            # what the host may know: the outcome it is told, and coordinator overrides
            known = (
                s in problem.locked,
                (s, p) in problem.constraints.forbid,
                problem.capacities[p] == 0,
                solution.match[s] >= 0,
            )
            facts.append((known, text))
    assert _one_text_per_fact(facts) == {}


def test_the_coordinator_reads_the_full_detail():
    problem = Problem.from_dict(
        {
            "students": [{"id": "s1", "prefs": ["p1", "p2"]}, {"id": "s2", "prefs": ["p1"]}],
            "positions": [
                {"id": "p1", "capacity": 1, "prefs": ["s2", "s1"]},
                {"id": "p2", "capacity": 1, "prefs": ["s1"]},
            ],
        }
    )

    explained = solve(problem).explanations

    (entry,) = explained["students"]["s1"]
    assert render(entry, "coordinator") == (
        "p1 filled its 1 slot(s) with candidates it ranked higher than this student (their ranks: 1; this student: 2)."
    )
    assert render(entry, "student") == (
        "p1 had no seat for you under its host's ranking and the match rules (hosts' rankings stay confidential)."
    )
    (candidate,) = explained["positions"]["p1"]
    assert candidate["matched_elsewhere"] is True
    assert render(candidate, "host") == "This candidate was matched elsewhere."
    assert "ranked higher" in render(candidate, "coordinator")
    with pytest.raises(ValueError, match="never reads"):
        render(entry, "host")
    with pytest.raises(ValueError, match="never reads"):
        render(candidate, "student")
