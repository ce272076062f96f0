"""A pause of Python's cyclic garbage collector around the engine's bulk Python work.

Parsing an instance and assembling a result build hundreds of thousands of lists, tuples and
dicts, none of them in a reference cycle. While they pile up the collector rescans every live
object again and again: at 10,000 students a sixth of ``Problem.from_dict`` plus a stable solve
with explanations (0.18 s, 0.15 s paused). The collector is process-wide, so the pause is kept
to those steps (well under two seconds at 50,000 students), never to a CP-SAT search; pauses may
nest or overlap across threads, and the collector restarts when the last one ends, only if it
was running when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["collector_paused"]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_state = {"depth": 0, "restart": False}
_guard = threading.Lock()


def _enter() -> None:
    with _guard:
        if _state["depth"] == 0:
            _state["restart"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1


def _leave() -> None:
    with _guard:
        _state["depth"] -= 1
        if _state["depth"] == 0 and _state["restart"]:
            gc.enable()


def collector_paused(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with the cyclic collector paused (reference counting still frees memory)."""

    @wraps(func)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        _enter()
        try:
            return func(*args, **kwargs)
        finally:
            _leave()

    return paused
