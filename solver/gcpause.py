"""Pause the cyclic garbage collector around the deferred-acceptance loops only.

The solver often runs inside a web process (a background thread), where the
collector must keep running: only the short, cycle-free proposal loops pause
it, never validation, result building or a CP-SAT run. The command line is a
process of its own and turns the collector off for its whole life instead.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic GC inside the block (building 10^6 small tuples and
    dicts otherwise triggers many useless collections); restore it after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
