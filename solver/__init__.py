"""SPRINT Placement matching engine: plain data in, an assignment with diagnostics out.

No Flask, no database: the standard library, numpy (bulk work on every listed
pair: explanations, the checker), OR-Tools (only for "max-stable" and
"welfare") and, when installed, orjson.

>>> problem = Problem.from_dict({
...     "students": [{"id": "s1", "prefs": ["p1"]}],
...     "positions": [{"id": "p1", "capacity": 1, "prefs": ["s1"]}]})
>>> solve(problem).matching
{'s1': 'p1'}

Modes (``solve(problem, mode=...)``):

* "stable" (default): student-proposing deferred acceptance, pure Python. Ties
  are broken by one seeded lottery (recorded in ``tie_break``); the result is
  the student-optimal stable matching of that tie-broken instance, so it is
  weakly stable for the original one.
* "stable-hosts": positions propose; the position-optimal stable matching.
* "max-stable": CP-SAT. Fewest blocking pairs (zero unless caps, floors or host
  capacities force some), then most placements, then the smallest sum of
  student ranks. Reports status, objective, bound and gap. Without side
  constraints, pairs no weakly stable matching can use are removed first
  (``solver.cpsat_reduce``).
* "welfare": most placements, then smallest student rank sum, ignoring
  stability (min-cost flow; CP-SAT when side constraints are present).

Locks and forbids are honoured in every mode (a forbidden pair is removed; a
locked student is placed first and uses a slot). College caps, group floors
and host capacities need "max-stable" or "welfare"; the stable modes raise
ModeError for them. Blocking pairs follow the constraint-aware weak stability
definition in ``solver.checks``.

Explanations are structured entries, stored per person as columns
(``to_dict()["explanations"]``; ``explanation_rows(block)`` or
``Solution.explanations[side][id]`` give the entries) and never as text: each
audience reads its own sentence, ``render_explanation(entry, "student" |
"host" | "coordinator", mode)`` - students never see hosts' ranks, hosts never
see candidates' preferences, coordinators see everything.
"""

from __future__ import annotations

import os
import sys
from typing import Any

if sys.argv[:1] == ["-m"] and "numpy" not in sys.modules:
    # ``python -m solver``, a process of its own (argv[0] is "-m" while the package of an -m
    # target is imported): the solver never calls BLAS, and OpenBLAS starting one thread per
    # core costs ~0.07 s of CPU at numpy's import. Library users keep their own setting.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .checks import CheckReport  # imports numpy: after the thread setting above
from .checks import check as _check
from .errors import InstanceError, ModeError
from .explain import rows as explanation_rows
from .explain_text import AUDIENCES
from .explain_text import render as render_explanation
from .generate import generate
from .model import Problem
from .modes import MODES, SOLVER_VERSION, solve
from .solution import Solution

__all__ = [
    "AUDIENCES",
    "MODES",
    "SOLVER_VERSION",
    "CheckReport",
    "InstanceError",
    "ModeError",
    "Problem",
    "Solution",
    "check",
    "explanation_rows",
    "generate",
    "render_explanation",
    "solve",
]


def check(problem: Problem, result: Solution | dict[str, Any]) -> CheckReport:
    """Feasibility and blocking pairs of a Solution or a result dict."""
    return _check(problem, result)
